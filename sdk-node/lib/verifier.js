'use strict';
/** Verifier, KeyStore and InMemoryReplayStore: the server side (logic lives in the Rust core). */

const util = require('node:util');
const native = require('./native');
const { fromNative, makeError, SigwireError } = require('./errors');
const { toBytes, secretBytes, wipeIfOwned, requireString, urlString, flattenHeaders, optionalSeconds, describe } = require('./convert');

/** Secrets per key id, with rotation. Wraps the core's InMemoryKeyStore; secrets live in Rust only. */
class KeyStore {
  #native = new native.NativeKeyStore();

  /**
   * Creates a store, optionally filled from `{ keyId: secret | secret[] }`.
   * @param {Record<string, any>} [keys]
   */
  constructor(keys) {
    if (keys === undefined || keys === null) return;
    if (typeof keys !== 'object' || Array.isArray(keys)) {
      throw makeError('invalid_config', `keys must be an object mapping key ids to secrets (got ${describe(keys)})`);
    }
    for (const [keyId, secrets] of Object.entries(keys)) {
      for (const secret of Array.isArray(secrets) ? secrets : [secrets]) this.insert(keyId, secret);
    }
  }

  /** Adds a secret to `keyId` (beside any it has), active until `notAfter` (Unix seconds or Date, inclusive). */
  insert(keyId, secret, notAfter) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretBytes(secret);
    const t = optionalSeconds(notAfter, 'notAfter', 'invalid_config');
    try {
      this.#native.insert(keyId, bytes, t);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    } finally {
      wipeIfOwned(secret, bytes);
    }
    return this;
  }

  /** Adds `newSecret` to `keyId` and retires its existing secrets after `oldNotAfter`. */
  rotate(keyId, newSecret, oldNotAfter) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretBytes(newSecret, 'newSecret');
    const t = optionalSeconds(oldNotAfter, 'oldNotAfter', 'invalid_config');
    if (t === undefined) throw makeError('invalid_config', 'oldNotAfter is required');
    try {
      this.#native.rotate(keyId, bytes, t);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    } finally {
      wipeIfOwned(newSecret, bytes);
    }
    return this;
  }

  /** Removes `keyId` and its secrets; returns whether it existed. */
  remove(keyId) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    try {
      return this.#native.remove(keyId);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
  }

  /** @internal the native store, for Verifier. */
  static native(store) {
    return store.#native;
  }

  toJSON() {
    return {};
  }

  [util.inspect.custom]() {
    return 'KeyStore {}';
  }
}

/** A bounded in-memory replay store for one process (the core's InMemoryReplayStore). */
class InMemoryReplayStore {
  #native;

  /** @param {{capacity?: number}} [options] capacity: live nonces held at most (default 1 000 000) */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw makeError('invalid_config', 'options must be an object');
    if (options.capacity !== undefined && (!Number.isSafeInteger(options.capacity) || options.capacity < 1)) {
      throw makeError('invalid_config', 'capacity must be a positive integer');
    }
    try {
      this.#native = new native.NativeReplayStore(options.capacity);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
  }

  /** Records (keyId, nonce) until expiresAt; true when new, false for a replay. */
  checkAndRecord(keyId, nonce, expiresAt, now) {
    try {
      return this.#native.checkAndRecord(keyId, nonce, expiresAt, now);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
  }

  /** Nonces currently held. */
  get size() {
    return this.#native.size;
  }

  /** @internal */
  static native(store) {
    return store.#native;
  }
}

/**
 * The outcome a replay store owned by JavaScript reports for a ticket's nonce:
 * `fresh` (recorded now), `replayed` (already recorded), `before_epoch` (a shared store refused a
 * timestamp at or before its epoch, docs/redis-layout.md §3) or `unavailable`.
 */
const OUTCOMES = new Set(['fresh', 'replayed', 'before_epoch', 'unavailable']);

/**
 * Verifies signed requests (the core's Verifier), in one step (`verify`, `verifyAsync`) or two
 * (`authenticate` → ticket → `commit` / `settle`). Every check and every error message is the
 * core's; a replay store written in JavaScript only answers whether it recorded the nonce.
 */
class Verifier {
  #native;
  #jsReplay;
  #window;

  /**
   * @param {{keys: KeyStore | Record<string, any>, windowSeconds?: number, replayStore?: InMemoryReplayStore | {claim: Function} | {checkAndRecord: Function}, requireSignedHeaders?: string[]}} options
   *   replayStore: the core's in-memory store (default: a new one), or a store of your own:
   *   `claim(ticket)` resolving to `'fresh' | 'replayed' | 'before_epoch'` (e.g. RedisReplayStore),
   *   or `checkAndRecord(keyId, nonce, expiresAt, now)` returning (a Promise of) true when new.
   *   requireSignedHeaders: header names that, when present, must be signed (else 401
   *   `unsigned_header`), e.g. `['x-http-method-override']`.
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError('invalid_config', `Verifier options must be an object (got ${describe(options)})`);
    }
    const { keys, windowSeconds = 300, replayStore, requireSignedHeaders } = options;
    if (requireSignedHeaders !== undefined && (!Array.isArray(requireSignedHeaders) || !requireSignedHeaders.every((h) => typeof h === 'string'))) {
      throw makeError('invalid_config', 'requireSignedHeaders must be an array of header names');
    }
    const store = keys instanceof KeyStore ? keys : new KeyStore(keys === undefined ? throwNoKeys() : keys);
    const window = optionalSeconds(windowSeconds, 'windowSeconds', 'invalid_config');
    let nativeReplay;
    if (replayStore instanceof InMemoryReplayStore) {
      nativeReplay = InMemoryReplayStore.native(replayStore);
    } else if (replayStore !== undefined && replayStore !== null) {
      if (typeof replayStore.claim !== 'function' && typeof replayStore.checkAndRecord !== 'function') {
        throw makeError('invalid_config', 'replayStore must be an InMemoryReplayStore or have a claim(ticket) or checkAndRecord(keyId, nonce, expiresAt, now) method');
      }
      this.#jsReplay = replayStore;
    }
    try {
      this.#native = new native.NativeVerifier(KeyStore.native(store), window, nativeReplay, requireSignedHeaders);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
    this.#window = window;
  }

  /** The timestamp window in seconds. */
  get windowSeconds() {
    return this.#window;
  }

  /** Whether nonces are claimed in a store written in JavaScript (then use verifyAsync). */
  get hasExternalReplayStore() {
    return this.#jsReplay !== undefined;
  }

  /** The verifier's clock, Unix seconds (for the server time header). */
  now() {
    return this.#native.now();
  }

  /**
   * Verifies a request and returns the key id, or throws a SigwireError.
   * With a replay store whose answer is a Promise, use verifyAsync.
   * @param {{method: string, url: string|URL, headers?: any, body?: any}} request
   * @param {{now?: number}} [options] verify as if the time were `now` (tests)
   */
  verify(request, options) {
    if (this.#jsReplay !== undefined) return this.verifyDetailed(request, options).keyId;
    const r = this.#args(request, options);
    return this.#call(r.now, () => this.#native.verifyKeyId(r.method, r.url, r.headers, r.body, r.now));
  }

  /** Like verify, but returns `{ keyId, scheme, timestamp }`. */
  verifyDetailed(request, options) {
    if (this.#jsReplay === undefined) {
      const r = this.#args(request, options);
      return this.#call(r.now, () => this.#native.verify(r.method, r.url, r.headers, r.body, r.now));
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
      throw makeError('invalid_config', 'the replay store is asynchronous; call verifyAsync', { serverTime: ticket.authenticatedAt });
    }
    return this.settle(ticket, answer);
  }

  /** Verifies, awaiting an asynchronous replay store; resolves to `{ keyId, scheme, timestamp }`. */
  async verifyAsync(request, options) {
    if (this.#jsReplay === undefined) return this.verifyDetailed(request, options);
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
   * The checks that need only the request head — missing, malformed, unsupported algorithm,
   * stale, unknown key — so a server can answer before it reads the body. Resolves nothing:
   * a request that passes must still be verified with its body.
   * @param {{method: string, url: string|URL, headers?: any}} request (its body is ignored)
   * @returns {{keyId: string, scheme: string, timestamp: number}}
   */
  precheck(request, options) {
    const r = this.#args({ ...(request && typeof request === 'object' ? request : { method: undefined }), body: undefined }, options);
    return this.#call(r.now, () => this.#native.precheck(r.method, r.url, r.headers, r.now));
  }

  /**
   * Step one of two: every check except replay. Returns a ticket (`keyId`, `scheme`, `nonce`,
   * `timestamp`, `expiresAt`, `authenticatedAt`) to settle once with `commit` (the in-memory
   * store) or `settle` (your own store's answer).
   */
  authenticate(request, options) {
    const r = this.#args(request, options);
    return this.#call(r.now, () => this.#native.authenticate(r.method, r.url, r.headers, r.body, r.now));
  }

  /** Step two in the verifier's in-memory store: claims the ticket's nonce. */
  commit(ticket) {
    checkTicket(ticket);
    return this.#call(undefined, () => this.#native.commit(ticket));
  }

  /**
   * Step two with your own store: `outcome` is what it answered for `(ticket.keyId,
   * ticket.nonce)` — `'fresh'` (recorded now; also `true`), `'replayed'` (also `false`),
   * `'before_epoch'` or `'unavailable'` (anything else). Throws the core's error for all but fresh.
   */
  settle(ticket, outcome) {
    checkTicket(ticket);
    const word = outcome === true ? 'fresh' : outcome === false ? 'replayed' : OUTCOMES.has(outcome) ? outcome : 'unavailable';
    try {
      return this.#call(undefined, () => this.#native.settle(ticket, word));
    } catch (err) {
      // The epoch rule's refusal is not the client's fault: the rate limiter does not count it.
      if (word === 'before_epoch') Object.defineProperty(err, 'replayEpoch', { value: true });
      throw err;
    }
  }

  #ask(ticket) {
    const store = this.#jsReplay;
    if (typeof store.claim === 'function') return store.claim(ticket);
    return store.checkAndRecord(ticket.keyId, ticket.nonce, ticket.expiresAt, ticket.authenticatedAt);
  }

  #storeFailed(ticket, cause) {
    if (cause instanceof SigwireError) throw cause;
    try {
      return this.settle(ticket, 'unavailable');
    } catch (err) {
      err.cause = cause;
      throw err;
    }
  }

  #args(request, options) {
    if (request === null || typeof request !== 'object') {
      throw makeError('invalid_request', `the request must be an object (got ${describe(request)})`, { serverTime: this.now() });
    }
    let now;
    try {
      now = options && options.now !== undefined ? optionalSeconds(options.now, 'now', 'invalid_config') : undefined;
      return {
        method: requireString(request.method, 'method', 'invalid_request'),
        url: urlString(request.url),
        headers: flattenHeaders(request.headers),
        body: toBytes(request.body, 'body', 'invalid_request'),
        now,
      };
    } catch (e) {
      const err = fromNative(e, 'invalid_request');
      if (err.serverTime === undefined) err.serverTime = now ?? this.now();
      throw err;
    }
  }

  #call(now, fn) {
    try {
      return fn();
    } catch (e) {
      const err = fromNative(e, 'invalid_request');
      if (err.serverTime === undefined) err.serverTime = now ?? this.now();
      throw err;
    }
  }

  toJSON() {
    return { windowSeconds: this.#window };
  }

  [util.inspect.custom](depth, options, inspect) {
    return `Verifier ${(inspect || util.inspect)(this.toJSON(), options)}`;
  }
}

function checkTicket(ticket) {
  if (!(ticket instanceof native.NativeTicket)) {
    throw makeError('invalid_config', `expected a ticket from Verifier.authenticate (got ${describe(ticket)})`);
  }
}

function throwNoKeys() {
  throw makeError('invalid_config', 'keys is required: a KeyStore or { keyId: secret | secret[] }');
}

/** The ticket `Verifier.authenticate` returns (the core's ReplayTicket, held in Rust). */
const ReplayTicket = native.NativeTicket;

module.exports = { Verifier, KeyStore, InMemoryReplayStore, ReplayTicket };
