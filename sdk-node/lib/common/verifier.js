'use strict';
/**
 * Verifier and ReplayTicket: the server side, in one step (`verify`, `verifyAsync`) or two
 * (`authenticate` → ticket → `commit` / `settle`). Every check and every error message is the
 * core's (through the back end); a replay store written in JavaScript only answers whether it
 * recorded the nonce.
 */

const { SigwireError } = require('./errors');
const { makeError } = require('./raise');
const { backend, guard, INSPECT, inspectAs } = require('./backend');
const { KeyStore, InMemoryReplayStore, handleOf } = require('./keys');
const { bodyInput, requireString, urlString, flattenHeaders, optionalSeconds, headerNames, describe } = require('./convert');

/** The default timestamp window, seconds (the core's). */
const DEFAULT_WINDOW = 300;

/**
 * The outcomes a replay store owned by JavaScript reports for a ticket's nonce:
 * `fresh` (recorded now), `replayed` (already recorded), `before_epoch` (a shared store refused a
 * timestamp at or before its epoch, docs/redis-layout.md §3) or `unavailable`.
 */
const OUTCOMES = new Set(['fresh', 'replayed', 'before_epoch', 'unavailable']);

/** ticket -> the back end's ticket. @type {WeakMap<object, any>} */
const TICKETS = new WeakMap();

/**
 * An authenticated request whose nonce is not yet claimed (`Verifier.authenticate`): settle it
 * once with `Verifier.commit` or `Verifier.settle`.
 */
class ReplayTicket {
  /** @internal Made by Verifier.authenticate from the back end's ticket. */
  constructor(handle) {
    if (handle === null || typeof handle !== 'object') {
      throw makeError('invalid_config', 'a ReplayTicket comes from Verifier.authenticate');
    }
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
    /** The verifier's time when the request was authenticated (the server time of its errors). */
    this.authenticatedAt = handle.authenticatedAt;
    TICKETS.set(this, handle);
    Object.freeze(this);
  }
}

/** `{ keyId, scheme, timestamp }` of what a back end returned. */
function verified(v) {
  return { keyId: v.keyId, scheme: v.scheme, timestamp: v.timestamp };
}

/**
 * A back end's precheck answer: `verified`'s fields plus `bodyAlgorithm`, the digest the signature
 * covers the body with (the core's own reading of `Authorization`; null for a scheme that needs
 * the bytes, or a back end that does not report it).
 */
function prechecked(v) {
  return { keyId: v.keyId, scheme: v.scheme, timestamp: v.timestamp, bodyAlgorithm: v.bodyAlgorithm ?? null };
}

/** Verifies signed requests (the core's Verifier). */
class Verifier {
  #h;
  #window;
  /** A replay store written in JavaScript: `claim(ticket)` or `checkAndRecord(keyId, nonce, expiresAt, now)`. */
  #jsReplay;

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
    const { keys, windowSeconds, replayStore, requireSignedHeaders } = options;
    const required = headerNames(requireSignedHeaders, 'requireSignedHeaders');
    if (keys === undefined || keys === null) {
      throw makeError('invalid_config', 'keys is required: a KeyStore or { keyId: secret | secret[] }');
    }
    const store = keys instanceof KeyStore ? keys : new KeyStore(keys);
    const window = optionalSeconds(windowSeconds, 'windowSeconds', 'invalid_config') ?? DEFAULT_WINDOW;
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
    this.#h = guard('invalid_config', () => backend().Verifier(handleOf(store), window, replay && handleOf(replay), required));
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
    return guard('invalid_config', () => this.#h.now());
  }

  /**
   * Verifies a request and returns the key id, or throws a SigwireError (with `.serverTime`).
   * With a replay store whose answer is a Promise, use verifyAsync.
   * @param {{method: string, url: string|URL, headers?: any, body?: any, bodyDigest?: {algorithm: string, hex: string}}} request
   *   `bodyDigest` (a BodyHasher's finish() of a body hashed as it was spooled) instead of `body`
   * @param {{now?: number}} [options] verify as if the time were `now` (tests)
   */
  verify(request, options) {
    if (this.#jsReplay === undefined && typeof this.#h.verifyKeyId === 'function' && !(request && request.bodyDigest)) {
      const r = this.#args(request, options);
      return this.#call(r.now, () => this.#h.verifyKeyId(r.method, r.url, r.headers, r.body, r.now));
    }
    return this.verifyDetailed(request, options).keyId;
  }

  /** Like verify, but returns `{ keyId, scheme, timestamp }`. */
  verifyDetailed(request, options) {
    if (this.#jsReplay === undefined) {
      const r = this.#args(request, options);
      return verified(this.#call(r.now, () => (r.digest ? this.#byDigest('verifyDigest', r) : this.#h.verify(r.method, r.url, r.headers, r.body, r.now))));
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
      this.#release(ticket);
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
   * stale, unknown key — so a server can answer before it reads the body. Returns what the head
   * claims, `{ keyId, scheme, timestamp, bodyAlgorithm }` (`bodyAlgorithm`: `'hmac-sha256'` or
   * `'hmac-sha512'`, what to hash a streamed body with before verifying it by `bodyDigest`; null
   * when the scheme needs the bytes); a request that passes must still be verified with its body.
   * @param {{method: string, url: string|URL, headers?: any}} request (its body is ignored)
   */
  precheck(request, options) {
    const r = this.#args(request && typeof request === 'object' ? { ...request, body: undefined } : request, options);
    return prechecked(this.#call(r.now, () => this.#h.precheck(r.method, r.url, r.headers, r.now)));
  }

  /**
   * Step one of two: every check except replay. Returns a ReplayTicket (`keyId`, `scheme`,
   * `nonce`, `timestamp`, `expiresAt`, `authenticatedAt`) to settle once with `commit` (the
   * in-memory store) or `settle` (your own store's answer).
   */
  authenticate(request, options) {
    const r = this.#args(request, options);
    return new ReplayTicket(this.#call(r.now, () => (r.digest ? this.#byDigest('authenticateDigest', r) : this.#h.authenticate(r.method, r.url, r.headers, r.body, r.now))));
  }

  /** A request whose body is given as `bodyDigest` (a BodyHasher's `finish()`): checked against the digest. */
  #byDigest(method, r) {
    if (typeof this.#h[method] !== 'function') {
      throw makeError('invalid_config', 'this back end cannot verify a body by its digest; pass the body bytes');
    }
    return this.#h[method](r.method, r.url, r.headers, r.digest.algorithm, r.digest.hex, r.now);
  }

  /** Step two in the verifier's in-memory store: claims the ticket's nonce. */
  commit(ticket) {
    const t = ticketHandle(ticket);
    return verified(this.#call(ticket.authenticatedAt, () => this.#h.commit(t)));
  }

  /**
   * Step two with your own store: `outcome` is what it answered for `(ticket.keyId,
   * ticket.nonce)` — `'fresh'` (recorded now; also `true`), `'replayed'` (also `false`),
   * `'before_epoch'` or `'unavailable'` (anything else). Throws the core's error for all but fresh.
   */
  settle(ticket, outcome) {
    const t = ticketHandle(ticket);
    const word = outcome === true ? 'fresh' : outcome === false ? 'replayed' : OUTCOMES.has(outcome) ? outcome : 'unavailable';
    try {
      return verified(this.#call(ticket.authenticatedAt, () => this.#h.settle(t, word)));
    } catch (err) {
      // The epoch rule's refusal is not the client's fault: the rate limiter does not count it.
      if (word === 'before_epoch') Object.defineProperty(err, 'replayEpoch', { value: true });
      throw err;
    }
  }

  /** Settles a ticket that will not be used as unavailable, so that it cannot be settled later. */
  #release(ticket) {
    try {
      this.settle(ticket, 'unavailable');
    } catch {
      /* the refusal is the point */
    }
  }

  #ask(ticket) {
    const store = this.#jsReplay;
    if (typeof store.claim === 'function') return store.claim(ticket);
    return store.checkAndRecord(ticket.keyId, ticket.nonce, ticket.expiresAt, ticket.authenticatedAt);
  }

  #storeFailed(ticket, cause) {
    if (cause instanceof SigwireError) {
      this.#release(ticket);
      throw cause;
    }
    try {
      return this.settle(ticket, 'unavailable');
    } catch (err) {
      err.cause = cause;
      throw err;
    }
  }

  #args(request, options) {
    let now;
    try {
      if (request === null || typeof request !== 'object') {
        throw makeError('invalid_request', `the request must be an object (got ${describe(request)})`);
      }
      if (options !== undefined && options !== null && typeof options !== 'object') {
        throw makeError('invalid_config', `verify options must be an object (got ${describe(options)})`);
      }
      now = optionalSeconds(options ? options.now : undefined, 'now', 'invalid_config');
      const b = backend();
      return {
        method: requireString(request.method, 'method', 'invalid_request'),
        url: urlString(request.url),
        headers: b.headers(flattenHeaders(request.headers)),
        body: request.bodyDigest === undefined ? b.body(bodyInput(request.body)) : undefined,
        digest: digestInput(request),
        now,
      };
    } catch (e) {
      throw this.#stamp(e, now);
    }
  }

  /** Runs `fn`; its errors are SigwireErrors carrying the server time (`now` when given, else the verifier's clock). */
  #call(now, fn) {
    try {
      return guard('invalid_request', fn);
    } catch (e) {
      throw this.#stamp(e, now);
    }
  }

  #stamp(e, now) {
    const err = e instanceof SigwireError ? e : backend().error(e, 'invalid_request');
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
    return inspectAs('Verifier', this.toJSON());
  }
}

/** `bodyDigest: { algorithm, hex }` (from BodyHasher.finish()) instead of `body`, or undefined. */
function digestInput(request) {
  const d = request.bodyDigest;
  if (d === undefined) return undefined;
  if (request.body !== undefined) throw makeError('invalid_request', 'give either body or bodyDigest, not both');
  if (d === null || typeof d !== 'object' || typeof d.algorithm !== 'string' || typeof d.hex !== 'string') {
    throw makeError('invalid_request', `bodyDigest must be { algorithm, hex } from BodyHasher.finish() (got ${describe(d)})`);
  }
  return { algorithm: d.algorithm, hex: d.hex };
}

function ticketHandle(ticket) {
  const t = TICKETS.get(ticket);
  if (t === undefined) {
    throw makeError('invalid_config', `expected a ReplayTicket from Verifier.authenticate (got ${describe(ticket)})`);
  }
  return t;
}

module.exports = { Verifier, ReplayTicket };
