'use strict';
/**
 * Client: the HTTP client that signs every attempt, shared by the Node package and the browser
 * package. This file checks and converts the caller's options and each call's arguments (bad
 * input is a typed error here, the same in both packages), and shapes the result; the sending is
 * the back end's `Client` engine (see backend.js): in Node the Rust crate sigwire-client through
 * napi (sdk-node/lib/client-engine.js), in the browser a fetch loop over the same client rules
 * compiled to WebAssembly (sdk-wasm/src/client.js). Retries, backoff, Retry-After, idempotency
 * keys, clock-skew correction, redirects and rejections are the crate sigwire-client-core's in both.
 */

const { DecodeError } = require('./errors');
const { makeError } = require('./raise');
const { backend, guard, INSPECT, inspectAs } = require('./backend');
const { toBytes, secretBytes, wipeIfOwned, requireString, flattenHeaders, headerNames, describe } = require('./convert');

const INVALID_CONFIG = 'invalid_config';
const INVALID_REQUEST = 'invalid_request';

/**
 * Header names never sent to another origin on a redirect (lowercase): the Rust client's
 * SENSITIVE_HEADERS. The `sensitiveHeaders` option adds the caller's own.
 */
const SENSITIVE_HEADERS = Object.freeze([
  'authorization',
  'proxy-authorization',
  'cookie',
  'x-api-key',
  'x-auth-token',
  'x-access-token',
  'x-amz-security-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-goog-api-key',
]);

/** Options that configure sigwire-v1 signing: a client with a `profile` refuses them. */
const SIGWIRE_V1_ONLY = ['keyId', 'secret', 'algorithm', 'signedHeaders', 'signedHeaderPolicy'];

/** Sets the client's error kind (`.kind`) and, where counted, `.attempts` on `err`; returns it. */
function withKind(err, kind, attempts) {
  Object.defineProperty(err, 'kind', { value: kind, enumerable: true, writable: true, configurable: true });
  if (attempts !== undefined) err.attempts = attempts;
  return err;
}

/** A time limit in ms: undefined = the back end's default, null or Infinity = no limit (Infinity). */
function timeoutMs(value, what, code = INVALID_CONFIG) {
  if (value === undefined) return undefined;
  if (value === null || value === Infinity) return Infinity;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw makeError(code, `${what} must be a non-negative number of milliseconds, or null for no limit`);
  }
  return value;
}

/** An optional duration in ms (no "no limit"). */
function optionalMs(value, what) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw makeError(INVALID_CONFIG, `${what} must be a non-negative number of milliseconds`);
  }
  return value;
}

/** An optional whole number in [min, 2^32). */
function optionalCount(value, what, min) {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > 0xffffffff) {
    throw makeError(INVALID_CONFIG, `${what} must be an integer >= ${min}`);
  }
  return value;
}

function optionalBool(value, what, code = INVALID_CONFIG) {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw makeError(code, `${what} must be a boolean`);
  return value;
}

/** An options object (undefined and null are empty). */
function optionalObject(value, what, code = INVALID_CONFIG) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw makeError(code, `${what} must be an object (got ${describe(value)})`);
  return value;
}

/** Query as flat [name, value, ...]: a plain object (arrays repeat), URLSearchParams, or pairs. */
function flattenQuery(query) {
  if (query === undefined || query === null) return undefined;
  const out = [];
  const push = (k, v) => {
    if (v === undefined) return;
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'bigint') {
      throw makeError(INVALID_REQUEST, `each query value must be a string, number or boolean (got ${describe(v)})`);
    }
    out.push(String(k), String(v));
  };
  if (typeof query !== 'object') throw makeError(INVALID_REQUEST, `query must be an object, URLSearchParams or array of pairs (got ${describe(query)})`);
  if (typeof query[Symbol.iterator] === 'function') {
    for (const pair of query) {
      if (!Array.isArray(pair) || pair.length !== 2) throw makeError(INVALID_REQUEST, 'each query entry must be a [name, value] pair');
      push(pair[0], pair[1]);
    }
    return out;
  }
  for (const k of Object.keys(query)) {
    const v = query[k];
    if (Array.isArray(v)) for (const x of v) push(k, x);
    else push(k, v);
  }
  return out;
}

/** A response: status below 400, body read whole. */
class ClientResponse {
  /**
   * @param {number} status
   * @param {Record<string, string>} headers lowercase names (repeats joined with ", ")
   * @param {Uint8Array} body the bytes (a Buffer in Node)
   * @param {string} url the URL that answered (after redirects)
   * @param {number} attempts attempts the call took
   */
  constructor(status, headers, body, url, attempts) {
    /** The status code. */
    this.status = status;
    /** Headers, lowercase names (repeated headers joined with ", "). */
    this.headers = headers;
    /** The body bytes. */
    this.body = body;
    /** The URL that answered (after redirects). */
    this.url = url;
    /** Attempts the call took. */
    this.attempts = attempts;
  }

  /** The body as UTF-8 text; a DecodeError if it is not UTF-8. */
  text() {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.body);
    } catch (e) {
      throw withKind(new DecodeError(`cannot decode the response body: ${e.message}`), 'decode');
    }
  }

  /** The body parsed as JSON; a DecodeError if it is not. */
  json() {
    const text = this.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      throw withKind(new DecodeError(`cannot decode the response body: ${e.message}`), 'decode');
    }
  }
}

/**
 * HTTP client that signs every attempt (sigwire-v1, or a signing `profile`).
 * `new Client({ baseUrl, keyId, secret, algorithm?, defaultHeaders?, signedHeaders?, signedHeaderPolicy?,
 *   sensitiveHeaders?, profile?, timeouts?: { attemptMs, totalMs }, retry?: { maxAttempts, baseDelayMs,
 *   maxDelayMs, maxRetryAfterMs, idempotencyKeys }, maxRedirects?, clockSkewCorrection?,
 *   maxClockSkewSeconds? })`, plus the options only one package has (Node: `timeouts.connectMs`,
 * `userAgent`; browser: `fetch`, `clockSkewThresholdSeconds`). Defaults (the Rust client's):
 * hmac-sha256; attempt 30 s, total 60 s; 3 attempts, 100 ms base delay, 5 s max delay, Retry-After
 * capped at 30 s; 5 redirects; skew correction on (1 day max).
 *
 * Redirects: a chain is signed only while every hop is at the base URL's origin (once it has left,
 * a hop back is sent unsigned); a hop to another origin drops the body and every header of
 * SENSITIVE_HEADERS and `sensitiveHeaders`. `Idempotency-Key` is signed when present; a rejection
 * is any status >= 400 whose body is `{"error": code}` with a known code; out of time for another
 * retry, the last response is the result.
 */
class Client {
  /** The back end's engine. */
  #engine;

  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError(INVALID_CONFIG, `Client options must be an object (got ${describe(options)})`);
    }
    const { baseUrl, keyId, secret, algorithm, signedHeaderPolicy, profile } = options;
    const base = typeof URL !== 'undefined' && baseUrl instanceof URL ? baseUrl.href : requireString(baseUrl, 'baseUrl', INVALID_CONFIG);
    if (profile !== undefined) {
      const extra = SIGWIRE_V1_ONLY.filter((k) => options[k] !== undefined);
      if (extra.length > 0) {
        throw makeError(INVALID_CONFIG, `${extra.join(', ')} configure sigwire-v1 signing; give either them or profile, not both`);
      }
    } else {
      requireString(keyId, 'keyId', 'invalid_key_id');
    }
    if (algorithm !== undefined && typeof algorithm !== 'string') {
      throw makeError('unsupported_algorithm', `algorithm must be a string (got ${describe(algorithm)})`);
    }
    if (signedHeaderPolicy !== undefined && typeof signedHeaderPolicy !== 'string') {
      throw makeError(INVALID_CONFIG, `signedHeaderPolicy must be "listed" or "all-end-to-end" (got ${describe(signedHeaderPolicy)})`);
    }
    const timeouts = optionalObject(options.timeouts, 'timeouts');
    const retry = optionalObject(options.retry, 'retry');
    const config = {
      baseUrl: base,
      keyId,
      algorithm,
      defaultHeaders: flattenHeaders(options.defaultHeaders, INVALID_CONFIG),
      signedHeaders: options.signedHeaders === undefined ? undefined : headerNames(options.signedHeaders, 'signedHeaders'),
      signedHeaderPolicy,
      sensitiveHeaders: options.sensitiveHeaders === undefined ? undefined : headerNames(options.sensitiveHeaders, 'sensitiveHeaders'),
      attemptMs: timeoutMs(timeouts.attemptMs, 'timeouts.attemptMs'),
      totalMs: timeoutMs(timeouts.totalMs, 'timeouts.totalMs'),
      maxAttempts: optionalCount(retry.maxAttempts, 'retry.maxAttempts', 1),
      baseDelayMs: optionalMs(retry.baseDelayMs, 'retry.baseDelayMs'),
      maxDelayMs: optionalMs(retry.maxDelayMs, 'retry.maxDelayMs'),
      maxRetryAfterMs: optionalMs(retry.maxRetryAfterMs, 'retry.maxRetryAfterMs'),
      idempotencyKeys: optionalBool(retry.idempotencyKeys, 'retry.idempotencyKeys'),
      maxRedirects: optionalCount(options.maxRedirects, 'maxRedirects', 0),
      clockSkewCorrection: optionalBool(options.clockSkewCorrection, 'clockSkewCorrection'),
      maxClockSkewSeconds: optionalCount(options.maxClockSkewSeconds, 'maxClockSkewSeconds', 0),
      // Everything as given, for the options only one back end has (checked there).
      options,
    };
    const bytes = profile === undefined ? secretBytes(secret) : null;
    try {
      this.#engine = guard(INVALID_CONFIG, () => backend().Client(config, bytes, profile));
    } finally {
      if (bytes) wipeIfOwned(secret, bytes);
    }
  }

  /** The base URL (normalised: ends with "/" when it has no path). */
  get baseUrl() {
    return this.#engine.baseUrl;
  }

  /** The key id (the empty string for a profile client). */
  get keyId() {
    return this.#engine.keyId;
  }

  /** The clock offset in use (server − local, seconds), as last measured. */
  get clockOffset() {
    return this.#engine.clockOffset;
  }

  /**
   * Sends a request; resolves to a ClientResponse for a status below 400, rejects with a
   * SigwireError otherwise: HttpStatusError (`.status`, `.body`, `.headers`), the server's
   * machine-code class for a signature rejection (`.httpStatus`, `.serverTime`),
   * SigwireTimeoutError (`.timeoutKind`), ConnectError, TransportError, ClockSkewTooLargeError,
   * TooManyRedirectsError; each with `.kind` and `.attempts`.
   * @param {string} method
   * @param {string} path resolved under baseUrl (or an absolute URL, signed only on the same origin)
   * `sign: false` sends this call without Authorization (everything else unchanged).
   * @param {{query?: any, json?: any, body?: any, headers?: any, idempotencyKey?: string, sign?: boolean, timeouts?: {attemptMs?: number|null, totalMs?: number|null}}} [options]
   *   (the browser also takes `signal`; Node also takes streamed bodies)
   */
  async request(method, path, options = {}) {
    requireString(method, 'method', INVALID_REQUEST);
    requireString(path, 'path', INVALID_REQUEST);
    if (options === null || typeof options !== 'object') {
      throw makeError(INVALID_REQUEST, `request options must be an object (got ${describe(options)})`);
    }
    const call = {
      method,
      path,
      query: flattenQuery(options.query),
      headers: flattenHeaders(options.headers, INVALID_REQUEST),
      options,
    };
    if (options.json !== undefined && options.body !== undefined) {
      throw makeError(INVALID_REQUEST, 'give either json or body, not both');
    }
    if (options.json !== undefined) {
      let text;
      try {
        text = JSON.stringify(options.json);
      } catch (e) {
        throw makeError(INVALID_REQUEST, `cannot serialise the JSON body: ${e.message}`);
      }
      if (text === undefined) throw makeError(INVALID_REQUEST, 'the JSON body is not serialisable');
      call.json = text;
    } else if (options.body !== undefined && options.body !== null) {
      const engine = this.#engine;
      if (engine.streamBody && engine.streamBody(options.body)) call.stream = options.body;
      else call.body = toBytes(options.body, 'body', INVALID_REQUEST);
    }
    if (options.idempotencyKey !== undefined) call.idempotencyKey = requireString(options.idempotencyKey, 'idempotencyKey', INVALID_REQUEST);
    const t = optionalObject(options.timeouts, 'timeouts', INVALID_REQUEST);
    call.attemptMs = timeoutMs(t.attemptMs, 'timeouts.attemptMs');
    call.totalMs = timeoutMs(t.totalMs, 'timeouts.totalMs');
    call.sign = optionalBool(options.sign, 'sign', INVALID_REQUEST) ?? true;
    const r = await this.#engine.request(call);
    return new ClientResponse(r.status, r.headers, r.body, r.url, r.attempts);
  }

  /** `request('GET', path, options)`. */
  get(path, options) {
    return this.request('GET', path, options);
  }

  /** `request('POST', path, options)`. */
  post(path, options) {
    return this.request('POST', path, options);
  }

  /** `request('PUT', path, options)`. */
  put(path, options) {
    return this.request('PUT', path, options);
  }

  /** `request('PATCH', path, options)`. */
  patch(path, options) {
    return this.request('PATCH', path, options);
  }

  /** `request('DELETE', path, options)`. */
  delete(path, options) {
    return this.request('DELETE', path, options);
  }

  /** Never includes the secret. */
  toJSON() {
    return { baseUrl: this.baseUrl, keyId: this.keyId };
  }

  /** Node's util.inspect: no secret. */
  [INSPECT]() {
    return inspectAs('Client', { baseUrl: this.baseUrl, keyId: this.keyId, clockOffset: this.clockOffset });
  }
}

module.exports = { Client, ClientResponse, SENSITIVE_HEADERS, withKind };
