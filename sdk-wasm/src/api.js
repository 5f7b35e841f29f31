/**
 * The public API: Signer, KeyStore, InMemoryReplayStore, Verifier, signedFetch.
 * Same shape as the Node SDK (sdk-node). This file only checks JavaScript types and converts
 * arguments; signing and verification happen in Rust (bindings/wasm -> sigwire-core).
 */
import { run } from './runtime.js';
import { SigwireError, makeError, describe } from './errors.js';

const EMPTY = new Uint8Array(0);
const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const ALGORITHMS = ['hmac-sha256', 'hmac-sha512'];

// ---------------------------------------------------------------------------------------------
// Argument conversion: bad input -> typed errors, before anything reaches WebAssembly.

/** Whether an ArrayBuffer was detached (transferred); such a buffer reads as empty, silently. */
function isDetached(buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

function isSharedBuffer(v) {
  return typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer;
}

/**
 * Bytes of a binary value: Uint8Array, any other ArrayBufferView, ArrayBuffer, SharedArrayBuffer.
 * Returns undefined for anything else. Detached buffers are refused with `code`.
 */
function viewBytes(value, what, code) {
  if (ArrayBuffer.isView(value)) {
    if (!isSharedBuffer(value.buffer) && isDetached(value.buffer)) {
      throw makeError(code, `${what} is a view of a detached ArrayBuffer (it was transferred); pass the data again`);
    }
    if (value instanceof Uint8Array && value.constructor === Uint8Array) return value;
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) {
    if (isDetached(value)) throw makeError(code, `${what} is a detached ArrayBuffer (it was transferred); pass the data again`);
    return new Uint8Array(value);
  }
  if (isSharedBuffer(value)) return new Uint8Array(value);
  return undefined;
}

/** A body: string (UTF-8, passed through as a string) or bytes; null/undefined is empty. */
function bodyInput(value) {
  if (value === undefined || value === null) return EMPTY;
  if (typeof value === 'string') return value;
  const bytes = viewBytes(value, 'body', 'invalid_request');
  if (bytes === undefined) {
    throw makeError('invalid_request', `body must be a string, Uint8Array or ArrayBuffer (got ${describe(value)})`);
  }
  return bytes;
}

/** Body bytes (strings encoded as UTF-8). */
function bodyBytes(value) {
  const b = bodyInput(value);
  return typeof b === 'string' ? new TextEncoder().encode(b) : b;
}

/** A private copy of secret bytes (strings are UTF-8). */
function secretCopy(value, what = 'secret') {
  if (value === undefined || value === null) throw makeError('invalid_secret', `${what} is required`);
  if (typeof value === 'string') return new TextEncoder().encode(value);
  const bytes = viewBytes(value, what, 'invalid_secret');
  if (bytes === undefined) {
    throw makeError('invalid_secret', `${what} must be a string, Uint8Array or ArrayBuffer (got ${describe(value)})`);
  }
  return bytes.slice();
}

function requireString(value, what, code) {
  if (typeof value !== 'string') throw makeError(code, `${what} must be a string (got ${describe(value)})`);
  return value;
}

function urlString(value) {
  if (typeof value === 'string') return value;
  if (typeof URL !== 'undefined' && value instanceof URL) return value.href;
  throw makeError('invalid_request', `url must be a string or URL (got ${describe(value)})`);
}

function headerValue(value, name, code) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  // The name is not shown: a swapped name and value would print a credential.
  throw makeError(code, `each header value must be a string, number or boolean (got ${describe(value)})`);
}

/** One packed piece: the text, `\0`-terminated, with `\0` and `\x01` escaped (see bindings/wasm `unpack`). */
const ESCAPABLE = /[\0\x01]/;
function piece(s) {
  return (ESCAPABLE.test(s) ? s.replace(/[\0\x01]/g, (c) => (c === '\0' ? '\x010' : '\x011')) : s) + '\0';
}

function pushPair(out, pair, code) {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
    throw makeError(code, 'each header must be a [name, value] pair of strings');
  }
  return out + piece(pair[0]) + piece(headerValue(pair[1], pair[0], code));
}

/**
 * Header lines, in order, packed into one string for WebAssembly (one crossing instead of one
 * per header). Accepts a plain object (values: string/number or arrays of them; undefined and
 * null skipped), a fetch `Headers`, a `Map`, an iterable of [name, value] pairs, or a flat array
 * of strings [name, value, name, value, ...] (Node's rawHeaders).
 * @returns {string}
 */
function packHeaders(headers, code = 'invalid_request') {
  let out = '';
  if (headers === undefined || headers === null) return out;
  if (typeof headers !== 'object') {
    throw makeError(code, `headers must be an object, Headers, Map or array (got ${describe(headers)})`);
  }
  if (Array.isArray(headers)) {
    if (headers.length > 0 && typeof headers[0] === 'string') {
      if (headers.length % 2 !== 0) throw makeError(code, 'a flat headers array must hold name/value pairs');
      for (const h of headers) {
        if (typeof h !== 'string') throw makeError(code, 'a flat headers array must hold only strings');
        out += piece(h);
      }
      return out;
    }
    for (const pair of headers) out = pushPair(out, pair, code);
    return out;
  }
  if (typeof headers[Symbol.iterator] === 'function') {
    for (const pair of headers) out = pushPair(out, pair, code);
    return out;
  }
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const v of value) out += piece(name) + piece(headerValue(v, name, code));
    } else {
      out += piece(name) + piece(headerValue(value, name, code));
    }
  }
  return out;
}

/** An optional whole number of Unix seconds (a Date is converted). */
function optionalSeconds(value, what, code) {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) value = Math.floor(value.getTime() / 1000);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw makeError(code, `${what} must be a non-negative integer number of Unix seconds (got ${describe(value)})`);
  }
  return value;
}

function requestObject(request) {
  if (request === null || typeof request !== 'object') {
    throw makeError('invalid_request', `the request must be an object (got ${describe(request)})`);
  }
  return request;
}

/** [method, url, packed headers, body (string | Uint8Array), timestamp, nonce] of a request to sign. */
function signArgs(request) {
  requestObject(request);
  const method = requireString(request.method, 'method', 'invalid_request');
  const url = urlString(request.url);
  const headers = packHeaders(request.headers);
  const body = bodyInput(request.body);
  const timestamp = optionalSeconds(request.timestamp, 'timestamp', 'invalid_request');
  const nonce =
    request.nonce === undefined || request.nonce === null ? undefined : requireString(request.nonce, 'nonce', 'invalid_request');
  return [method, url, headers, body, timestamp, nonce];
}

// ---------------------------------------------------------------------------------------------
// Rust objects that survive an instance replacement (see runtime.js): each wrapper keeps how to
// build its Rust object; after a trap the next call builds it again on the fresh instance.
// The build closures (which hold secrets) live in a WeakMap, never on the objects themselves.

class Slot {
  constructor(build) {
    this.build = build;
    this.gen = 0;
    this.handle = null;
  }

  get(b, gen) {
    if (this.gen !== gen) {
      this.handle = this.build(b, gen);
      this.gen = gen;
    }
    return this.handle;
  }
}

/** @type {WeakMap<object, Slot>} */
const SLOTS = new WeakMap();

function slotOf(wrapper) {
  const slot = SLOTS.get(wrapper);
  if (!slot) throw makeError('invalid_config', `expected a sigwire-wasm object (got ${describe(wrapper)})`);
  return slot;
}

// ---------------------------------------------------------------------------------------------

/** Signs requests for one key id. */
export class Signer {
  #keyId;
  #algorithm;
  #signedHeaders;
  #policy;

  /**
   * @param {{keyId: string, secret: string|Uint8Array|ArrayBuffer, algorithm?: string, signedHeaders?: string[], signedHeaderPolicy?: 'listed' | 'all-end-to-end'}} options
   *   signedHeaderPolicy: `'all-end-to-end'` also signs every other header present (hop-by-hop excluded).
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError('invalid_config', `Signer options must be an object (got ${describe(options)})`);
    }
    const { keyId, secret, algorithm, signedHeaders, signedHeaderPolicy } = options;
    if (signedHeaderPolicy !== undefined && typeof signedHeaderPolicy !== 'string') {
      throw makeError('invalid_config', `signedHeaderPolicy must be "listed" or "all-end-to-end" (got ${describe(signedHeaderPolicy)})`);
    }
    requireString(keyId, 'keyId', 'invalid_key_id');
    if (algorithm !== undefined && algorithm !== null && typeof algorithm !== 'string') {
      throw makeError('unsupported_algorithm', `algorithm must be a string (got ${describe(algorithm)})`);
    }
    if (
      signedHeaders !== undefined &&
      signedHeaders !== null &&
      (!Array.isArray(signedHeaders) || !signedHeaders.every((h) => typeof h === 'string'))
    ) {
      throw makeError('invalid_config', 'signedHeaders must be an array of header names');
    }
    const names = Object.freeze((signedHeaders || []).slice());
    const bytes = secretCopy(secret);
    const alg = algorithm ?? undefined;
    const slot = new Slot((b) => new b.WasmSigner(keyId, bytes, alg, names.slice(), signedHeaderPolicy));
    const handle = run('invalid_config', (b, gen) => slot.get(b, gen));
    SLOTS.set(this, slot);
    this.#keyId = handle.keyId;
    this.#algorithm = handle.algorithm;
    this.#policy = handle.headerPolicy;
    this.#signedHeaders = names;
  }

  /** The key id. */
  get keyId() {
    return this.#keyId;
  }

  /** The algorithm, "hmac-sha256" or "hmac-sha512". */
  get algorithm() {
    return this.#algorithm;
  }

  /** Extra header names signed after host and content-type. */
  get signedHeaders() {
    return this.#signedHeaders;
  }

  /** The signed-header policy, `'listed'` or `'all-end-to-end'`. */
  get signedHeaderPolicy() {
    return this.#policy;
  }

  /**
   * Signs a request and returns the headers to add: `{ Authorization }`.
   * The timestamp defaults to now and the nonce to 128 random bits (crypto.getRandomValues).
   * @param {{method: string, url: string|URL, headers?: any, body?: any, timestamp?: number, nonce?: string}} request
   * @returns {{Authorization: string}}
   */
  sign(request) {
    const [method, url, headers, body, timestamp, nonce] = signArgs(request);
    const slot = slotOf(this);
    const authorization = run('invalid_request', (b, gen) => {
      const h = slot.get(b, gen);
      return typeof body === 'string'
        ? h.authorizationText(method, url, headers, body, timestamp, nonce)
        : h.authorization(method, url, headers, body, timestamp, nonce);
    });
    return { Authorization: authorization };
  }

  /**
   * Signs and returns every intermediate value: authorization, canonicalString, signature,
   * timestamp, nonce, signedHeaders (array). For debugging signature mismatches.
   */
  signDetailed(request) {
    const [method, url, headers, body, timestamp, nonce] = signArgs(request);
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const slot = slotOf(this);
    return run('invalid_request', (b, gen) => {
      const s = slot.get(b, gen).sign(method, url, headers, bytes, timestamp, nonce);
      try {
        return {
          authorization: s.authorization,
          canonicalString: s.canonicalString,
          signature: s.signature,
          timestamp: s.timestamp,
          nonce: s.nonce,
          signedHeaders: s.signedHeaders.split(';'),
        };
      } finally {
        s.free();
      }
    });
  }

  /** The canonical string that would be signed (debug call; pass timestamp and nonce to reproduce one). */
  canonicalString(request) {
    return this.signDetailed(request).canonicalString;
  }

  /** JSON form: never the secret. */
  toJSON() {
    return { keyId: this.#keyId, algorithm: this.#algorithm, signedHeaders: this.#signedHeaders };
  }

  [INSPECT]() {
    return `Signer ${JSON.stringify(this.toJSON())}`;
  }
}

/** Secrets per key id, with rotation (the core's InMemoryKeyStore). */
export class KeyStore {
  /** Replayed on a fresh instance after a trap. @type {Array<{keyId: string, apply: (h: any) => void}>} */
  #journal = [];

  /** @param {Record<string, any>} [keys] optionally fills the store from `{ keyId: secret | secret[] }` */
  constructor(keys) {
    const journal = this.#journal;
    const slot = new Slot((b) => {
      const h = new b.WasmKeyStore();
      for (const op of journal) op.apply(h);
      return h;
    });
    run('invalid_config', (b, gen) => slot.get(b, gen));
    SLOTS.set(this, slot);
    if (keys === undefined || keys === null) return;
    if (typeof keys !== 'object' || Array.isArray(keys)) {
      throw makeError('invalid_config', `keys must be an object mapping key ids to secrets (got ${describe(keys)})`);
    }
    for (const [keyId, secrets] of Object.entries(keys)) {
      for (const secret of Array.isArray(secrets) ? secrets : [secrets]) this.insert(keyId, secret);
    }
  }

  #apply(keyId, apply) {
    const slot = slotOf(this);
    run('invalid_config', (b, gen) => apply(slot.get(b, gen)));
    this.#journal.push({ keyId, apply });
  }

  /** Adds a secret to `keyId` (beside any it has), active until `notAfter` (Unix seconds or Date, inclusive). */
  insert(keyId, secret, notAfter) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretCopy(secret);
    const t = optionalSeconds(notAfter, 'notAfter', 'invalid_config');
    this.#apply(keyId, (h) => h.insert(keyId, bytes, t));
    return this;
  }

  /** Adds `newSecret` to `keyId` and retires its existing secrets after `oldNotAfter`. */
  rotate(keyId, newSecret, oldNotAfter) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretCopy(newSecret, 'newSecret');
    const t = optionalSeconds(oldNotAfter, 'oldNotAfter', 'invalid_config');
    if (t === undefined) throw makeError('invalid_config', 'oldNotAfter is required');
    this.#apply(keyId, (h) => h.rotate(keyId, bytes, t));
    return this;
  }

  /** Removes `keyId` and its secrets; returns whether it existed. */
  remove(keyId) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const slot = slotOf(this);
    const existed = run('invalid_config', (b, gen) => slot.get(b, gen).remove(keyId));
    const kept = this.#journal.filter((op) => op.keyId !== keyId);
    this.#journal.length = 0;
    this.#journal.push(...kept);
    return existed;
  }

  toJSON() {
    return {};
  }

  [INSPECT]() {
    return 'KeyStore {}';
  }
}

/** A bounded in-memory replay store (the core's InMemoryReplayStore). */
export class InMemoryReplayStore {
  /** Latest expiry recorded, Unix seconds: after a trap, nonces up to it may have been forgotten. */
  #maxExpiry = -1;
  /** While `now <= #unsafeUntil` the store refuses (replay_store_unavailable): fail closed. */
  #unsafeUntil = -1;

  /** @param {{capacity?: number}} [options] capacity: live nonces held at most (default 1 000 000) */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw makeError('invalid_config', 'options must be an object');
    const capacity = options.capacity;
    if (capacity !== undefined && (!Number.isSafeInteger(capacity) || capacity < 1)) {
      throw makeError('invalid_config', 'capacity must be a positive integer');
    }
    let built = 0;
    const slot = new Slot((b) => {
      if (built++ > 0) this.#unsafeUntil = Math.max(this.#unsafeUntil, this.#maxExpiry);
      return new b.WasmReplayStore(capacity);
    });
    run('invalid_config', (b, gen) => slot.get(b, gen));
    SLOTS.set(this, slot);
  }

  /** Records (keyId, nonce) until expiresAt; true when new, false for a replay. */
  checkAndRecord(keyId, nonce, expiresAt, now) {
    requireString(keyId, 'keyId', 'invalid_config');
    requireString(nonce, 'nonce', 'invalid_config');
    const exp = optionalSeconds(expiresAt, 'expiresAt', 'invalid_config');
    const at = optionalSeconds(now, 'now', 'invalid_config');
    if (exp === undefined || at === undefined) throw makeError('invalid_config', 'expiresAt and now are required');
    const slot = slotOf(this);
    const recorded = run('invalid_config', (b, gen) => {
      const h = slot.get(b, gen);
      InMemoryReplayStore.check(this, at);
      return h.checkAndRecord(keyId, nonce, exp, at);
    });
    InMemoryReplayStore.noteExpiry(this, exp);
    return recorded;
  }

  /** Nonces currently held. */
  get size() {
    const slot = slotOf(this);
    return run('invalid_config', (b, gen) => slot.get(b, gen).size);
  }

  /** @internal Refuses while nonces lost in a trap could still be replayed. */
  static check(store, now) {
    if (now <= store.#unsafeUntil) {
      throw makeError(
        'replay_store_unavailable',
        'the replay store was lost when the WebAssembly instance trapped; refusing until the nonces it held have expired',
      );
    }
  }

  /** @internal */
  static noteExpiry(store, expiresAt) {
    if (expiresAt > store.#maxExpiry) store.#maxExpiry = expiresAt;
  }

  toJSON() {
    return {};
  }

  [INSPECT]() {
    return 'InMemoryReplayStore {}';
  }
}

/** Outcomes a replay store of your own may report (see Verifier.settle). */
const OUTCOMES = new Set(['fresh', 'replayed', 'before_epoch', 'unavailable']);

/** ticket -> { handle, gen }: the WebAssembly ticket behind each ReplayTicket. @type {WeakMap<object, {handle: any, gen: number}>} */
const TICKETS = new WeakMap();

/**
 * An authenticated request whose nonce is not yet claimed (`Verifier.authenticate`): settle it
 * once with `Verifier.commit` or `Verifier.settle`.
 */
export class ReplayTicket {
  constructor(handle, gen) {
    /** The key id whose secret matched. */
    this.keyId = handle.keyId;
    /** The scheme that authenticated the request. */
    this.scheme = handle.scheme;
    /** The nonce to claim (null for a scheme without nonces). */
    this.nonce = handle.nonce ?? null;
    /** The request's signing time, Unix seconds. */
    this.timestamp = handle.timestamp;
    /** Keep the nonce until this Unix time (inclusive). */
    this.expiresAt = handle.expiresAt;
    /** The verifier's time when the request was authenticated. */
    this.authenticatedAt = handle.authenticatedAt;
    TICKETS.set(this, { handle, gen });
    Object.freeze(this);
  }
}

/**
 * Verifies signed requests, in one step (`verify`, `verifyAsync`) or two (`authenticate` →
 * ticket → `commit` / `settle`). Every check and every error message is the core's; a replay
 * store written in JavaScript only answers whether it recorded the nonce.
 */
export class Verifier {
  #window;
  #keys;
  #replay;
  /** A replay store written in JavaScript: `claim(ticket)` or `checkAndRecord(keyId, nonce, expiresAt, now)`. */
  #jsReplay;
  #slot;

  /**
   * @param {{keys: KeyStore | Record<string, any>, windowSeconds?: number, replayStore?: InMemoryReplayStore | {claim: Function} | {checkAndRecord: Function}, requireSignedHeaders?: string[]}} options
   *   requireSignedHeaders: header names that, when present, must be signed (else `unsigned_header`).
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError('invalid_config', `Verifier options must be an object (got ${describe(options)})`);
    }
    const { keys, windowSeconds = 300, replayStore, requireSignedHeaders } = options;
    if (requireSignedHeaders !== undefined && (!Array.isArray(requireSignedHeaders) || !requireSignedHeaders.every((h) => typeof h === 'string'))) {
      throw makeError('invalid_config', 'requireSignedHeaders must be an array of header names');
    }
    const required = (requireSignedHeaders || []).slice();
    if (keys === undefined || keys === null) {
      throw makeError('invalid_config', 'keys is required: a KeyStore or { keyId: secret | secret[] }');
    }
    const store = keys instanceof KeyStore ? keys : new KeyStore(keys);
    const window = optionalSeconds(windowSeconds, 'windowSeconds', 'invalid_config');
    let replay = null;
    if (replayStore instanceof InMemoryReplayStore) {
      replay = replayStore;
    } else if (replayStore !== undefined && replayStore !== null) {
      if (typeof replayStore.claim !== 'function' && typeof replayStore.checkAndRecord !== 'function') {
        throw makeError(
          'invalid_config',
          'replayStore must be an InMemoryReplayStore or have a claim(ticket) or checkAndRecord(keyId, nonce, expiresAt, now) method',
        );
      }
      this.#jsReplay = replayStore;
    } else {
      replay = new InMemoryReplayStore();
    }
    this.#window = window;
    this.#keys = store;
    this.#replay = replay;
    const keysSlot = slotOf(store);
    const replaySlot = replay ? slotOf(replay) : null;
    this.#slot = new Slot((b, gen) => {
      const k = keysSlot.get(b, gen);
      return replaySlot
        ? new b.WasmVerifier(k, replaySlot.get(b, gen), window, required.slice())
        : b.WasmVerifier.withExternalReplay(k, window, required.slice());
    });
    run('invalid_config', (b, gen) => this.#slot.get(b, gen));
  }

  /** The timestamp window in seconds. */
  get windowSeconds() {
    return this.#window;
  }

  /** The verifier's clock, Unix seconds (for the server time header). */
  now() {
    return run('invalid_config', (b, gen) => this.#slot.get(b, gen).now());
  }

  /**
   * Verifies a request and returns the key id, or throws a SigwireError (with `.serverTime`).
   * With a replay store whose answer is a Promise, use verifyAsync.
   * @param {{method: string, url: string|URL, headers?: any, body?: any}} request
   * @param {{now?: number}} [options] verify as if the time were `now` (tests)
   */
  verify(request, options) {
    return this.verifyDetailed(request, options).keyId;
  }

  /** Like verify, but returns `{ keyId, scheme, timestamp }`. */
  verifyDetailed(request, options) {
    if (!this.#jsReplay) {
      const args = this.#args(request, options);
      return this.#withServerTime(args.now, () => this.#oneStep(args));
    }
    const ticket = this.authenticate(request, options);
    let answer;
    try {
      answer = this.#ask(ticket);
    } catch (e) {
      return this.#storeFailed(ticket, e);
    }
    if (answer && typeof answer.then === 'function') {
      answer.then(undefined, () => {});
      this.settle(ticket, 'unavailable', true);
      throw makeError('invalid_config', 'the replay store is asynchronous; call verifyAsync', { serverTime: ticket.authenticatedAt });
    }
    return this.settle(ticket, answer);
  }

  /** Verifies, awaiting an asynchronous replay store; resolves to `{ keyId, scheme, timestamp }`. */
  async verifyAsync(request, options) {
    if (!this.#jsReplay) return this.verifyDetailed(request, options);
    const ticket = this.authenticate(request, options);
    let answer;
    try {
      answer = await this.#ask(ticket);
    } catch (e) {
      return this.#storeFailed(ticket, e);
    }
    return this.settle(ticket, answer);
  }

  /**
   * The checks that need only the request head (missing, malformed, unsupported algorithm,
   * stale, unknown key), so a server can answer before reading the body. Returns what the head
   * claims, `{ keyId, scheme, timestamp }`; a request that passes must still be verified with its body.
   */
  precheck(request, options) {
    const args = this.#args(request, options);
    return this.#withServerTime(args.now, () =>
      run('invalid_request', (b, gen) => {
        const v = this.#slot.get(b, gen).precheck(args.method, args.url, args.headers, args.now);
        try {
          return { keyId: v.keyId, scheme: v.scheme, timestamp: v.timestamp };
        } finally {
          v.free();
        }
      }),
    );
  }

  /** Step one of two: every check except replay. Returns a ReplayTicket to settle once. */
  authenticate(request, options) {
    const args = this.#args(request, options);
    return this.#withServerTime(args.now, () =>
      run('invalid_request', (b, gen) => {
        const h = this.#slot.get(b, gen).authenticate(args.method, args.url, args.headers, args.body, args.now);
        return new ReplayTicket(h, gen);
      }),
    );
  }

  /** Step two in the verifier's in-memory store: claims the ticket's nonce. */
  commit(ticket) {
    return this.#finish(ticket, (v, h) => v.commit(h));
  }

  /**
   * Step two with your own store: `outcome` is what it answered for `(ticket.keyId,
   * ticket.nonce)` — `'fresh'` (or `true`), `'replayed'` (or `false`), `'before_epoch'` or
   * `'unavailable'` (anything else). Throws the core's error for all but fresh.
   */
  settle(ticket, outcome, quiet = false) {
    const word = outcome === true ? 'fresh' : outcome === false ? 'replayed' : OUTCOMES.has(outcome) ? outcome : 'unavailable';
    try {
      return this.#finish(ticket, (v, h) => v.settle(h, word));
    } catch (e) {
      if (quiet) return undefined;
      throw e;
    }
  }

  #finish(ticket, fn) {
    const t = TICKETS.get(ticket);
    if (!t) throw makeError('invalid_config', `expected a ReplayTicket from Verifier.authenticate (got ${describe(ticket)})`);
    return this.#withServerTime(ticket.authenticatedAt, () =>
      run('replay_store_unavailable', (b, gen) => {
        if (gen !== t.gen) {
          // The instance that authenticated the request trapped: its ticket is gone (fail closed).
          throw makeError('replay_store_unavailable', 'the WebAssembly instance was replaced after this request was authenticated; verify it again');
        }
        const v = fn(this.#slot.get(b, gen), t.handle);
        try {
          return { keyId: v.keyId, scheme: v.scheme, timestamp: v.timestamp };
        } finally {
          v.free();
        }
      }),
    );
  }

  #ask(ticket) {
    const store = this.#jsReplay;
    if (typeof store.claim === 'function') return store.claim(ticket);
    return store.checkAndRecord(ticket.keyId, ticket.nonce, ticket.expiresAt, ticket.authenticatedAt);
  }

  #storeFailed(ticket, cause) {
    if (cause instanceof SigwireError) {
      this.settle(ticket, 'unavailable', true);
      throw cause;
    }
    try {
      return this.settle(ticket, 'unavailable');
    } catch (err) {
      err.cause = cause;
      throw err;
    }
  }

  #oneStep(args) {
    return run('invalid_request', (b, gen) => {
      const h = this.#slot.get(b, gen);
      if (this.#replay) InMemoryReplayStore.check(this.#replay, args.now ?? h.now());
      const v = h.verify(args.method, args.url, args.headers, args.body, args.now);
      try {
        InMemoryReplayStore.noteExpiry(this.#replay, v.timestamp + this.#window);
        return { keyId: v.keyId, scheme: v.scheme, timestamp: v.timestamp };
      } finally {
        v.free();
      }
    });
  }

  #args(request, options) {
    let now;
    try {
      requestObject(request);
      if (options !== undefined && options !== null && typeof options !== 'object') {
        throw makeError('invalid_config', `verify options must be an object (got ${describe(options)})`);
      }
      now = optionalSeconds(options ? options.now : undefined, 'now', 'invalid_config');
      return {
        method: requireString(request.method, 'method', 'invalid_request'),
        url: urlString(request.url),
        headers: packHeaders(request.headers),
        body: bodyBytes(request.body),
        now,
      };
    } catch (e) {
      throw this.#stamp(e, now);
    }
  }

  /** Runs `fn`; its errors carry the server time (`now` when given, else the verifier's clock). */
  #withServerTime(now, fn) {
    try {
      return fn();
    } catch (e) {
      throw this.#stamp(e, now);
    }
  }

  #stamp(e, now) {
    const err = e instanceof SigwireError ? e : makeError('invalid_request', String(e && e.message));
    if (err.serverTime === undefined) {
      try {
        err.serverTime = now ?? this.now();
      } catch {
        /* leave unset */
      }
    }
    return err;
  }

  toJSON() {
    return { windowSeconds: this.#window };
  }

  [INSPECT]() {
    return `Verifier ${JSON.stringify(this.toJSON())}`;
  }
}

// ---------------------------------------------------------------------------------------------

const NO_BODY = new Set(['GET', 'HEAD']);

/**
 * Wraps `fetch` (default: the global one) so that every request is signed.
 * The request is resolved exactly as fetch would send it (URL, method, headers, including the
 * Content-Type fetch adds for string, URLSearchParams and FormData bodies), its body is read to
 * bytes, and exactly those bytes and the final URL are signed and sent. Redirects are not
 * re-signed. Cross-origin calls need the server's CORS to allow the Authorization header.
 * @param {Signer} signer
 * @param {{fetch?: typeof fetch}} [options]
 * @returns {typeof fetch}
 */
export function signedFetch(signer, options = {}) {
  if (!(signer instanceof Signer)) throw makeError('invalid_config', `expected a Signer (got ${describe(signer)})`);
  if (options === null || typeof options !== 'object') throw makeError('invalid_config', 'options must be an object');
  const custom = options.fetch;
  if (custom !== undefined && typeof custom !== 'function') throw makeError('invalid_config', 'options.fetch must be a function');
  if (custom === undefined && typeof globalThis.fetch !== 'function') throw makeError('invalid_config', 'no fetch available: pass { fetch }');
  const doFetch = custom || ((input, init) => globalThis.fetch(input, init));
  return async function sigwireFetch(input, init) {
    const request = new Request(input, init);
    const method = request.method;
    let body;
    if (!NO_BODY.has(method.toUpperCase())) {
      const bytes = new Uint8Array(await request.arrayBuffer());
      // Request.body is null for a request without a body (undefined where unsupported).
      if (request.body !== null || bytes.byteLength > 0) body = bytes;
    }
    const headers = new Headers(request.headers);
    // The fragment never goes on the wire (the core ignores it too).
    const hash = request.url.indexOf('#');
    const url = hash < 0 ? request.url : request.url.slice(0, hash);
    const { Authorization } = signer.sign({ method, url, headers, body });
    headers.set('authorization', Authorization);
    return doFetch(url, {
      method,
      headers,
      body,
      signal: init && init.signal ? init.signal : request.signal,
      redirect: request.redirect,
      cache: request.cache,
      credentials: request.credentials,
      integrity: request.integrity || undefined,
      keepalive: request.keepalive,
      mode: request.mode,
      referrer: request.referrer,
      referrerPolicy: request.referrerPolicy,
    });
  };
}
