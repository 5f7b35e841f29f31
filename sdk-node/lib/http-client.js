'use strict';
/**
 * Client: the HTTP client of the Rust crate sigwire-client (reqwest + tokio), Promise-based.
 * Every attempt is signed in Rust right before it is sent; retries, Retry-After, clock-skew
 * correction, redirects and timeouts are the Rust client's, with the same options and defaults as
 * every other SDK. This file only converts options and results; errors are mapped in errors.js.
 */

const util = require('node:util');
const native = require('./native');
const { fromNative, fromClientError, makeError, headerObject } = require('./errors');
const { toBytes, secretBytes, wipeIfOwned, requireString, flattenHeaders, describe } = require('./convert');
const { nativeProfileClient } = require('./profiles');
const { isStreamBody, spoolBody } = require('./stream');

const INVALID_CONFIG = 'invalid_config';
const INVALID_REQUEST = 'invalid_request';

/** A timeout in ms: undefined = the default, null or Infinity = no limit (sent as -1). */
function timeoutMs(value, what) {
  if (value === undefined) return undefined;
  if (value === null || value === Infinity) return -1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw makeError(INVALID_CONFIG, `${what} must be a non-negative number of milliseconds, or null for no limit`);
  }
  return value;
}

function optionalMs(value, what) {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw makeError(INVALID_CONFIG, `${what} must be a non-negative number of milliseconds`);
  }
  return value;
}

function optionalCount(value, what, min) {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min || value > 0xffffffff) {
    throw makeError(INVALID_CONFIG, `${what} must be an integer >= ${min}`);
  }
  return value;
}

function optionalBool(value, what) {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw makeError(INVALID_CONFIG, `${what} must be a boolean`);
  return value;
}

function optionalObject(value, what) {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw makeError(INVALID_CONFIG, `${what} must be an object (got ${describe(value)})`);
  return value;
}

/** Query as flat [name, value, ...]: a plain object (arrays repeat), URLSearchParams, or pairs. */
function flattenQuery(query) {
  const out = [];
  if (query === undefined || query === null) return undefined;
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
  /** @param {any} r native response */
  constructor(r) {
    /** The status code. */
    this.status = r.status;
    /** Headers, lowercase names (repeated headers joined with ", "). */
    this.headers = headerObject(r.headers);
    /** The body bytes. */
    this.body = r.body;
    /** The URL that answered (after redirects). */
    this.url = r.url;
    /** Attempts the call took. */
    this.attempts = r.attempts;
  }

  /** The body as UTF-8 text; a DecodeError if it is not UTF-8. */
  text() {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(this.body);
    } catch (e) {
      throw fromClientError({ kind: 'decode', message: `cannot decode the response body: ${e.message}` });
    }
  }

  /** The body parsed as JSON; a DecodeError if it is not. */
  json() {
    const text = this.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      throw fromClientError({ kind: 'decode', message: `cannot decode the response body: ${e.message}` });
    }
  }
}

/**
 * HTTP client that signs every attempt with sigwire-v1.
 * `new Client({ baseUrl, keyId, secret, algorithm?, defaultHeaders?, signedHeaders?, signedHeaderPolicy?, sensitiveHeaders?,
 *   timeouts?: { connectMs, attemptMs, totalMs }, retry?: { maxAttempts, baseDelayMs, maxDelayMs,
 *   maxRetryAfterMs, idempotencyKeys }, maxRedirects?, clockSkewCorrection?, maxClockSkewSeconds?,
 *   userAgent? })`. Defaults: hmac-sha256; connect 10 s, attempt 30 s, total 60 s; 3 attempts,
 * 100 ms base delay, 5 s max delay; 5 redirects; skew correction on (1 day max).
 *
 * Redirects: a chain is signed only while every hop is at the base URL's origin (once it has
 * left, a hop back is sent unsigned); a hop to another origin drops the body and every sensitive
 * header: Authorization, Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token, X-Access-Token,
 * X-Amz-Security-Token, X-Csrf-Token, X-Xsrf-Token, X-Goog-Api-Key and `sensitiveHeaders`.
 */
class Client {
  /** @type {any} */
  #native;

  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError(INVALID_CONFIG, `Client options must be an object (got ${describe(options)})`);
    }
    const { baseUrl, keyId, secret, algorithm, defaultHeaders, signedHeaders, signedHeaderPolicy, sensitiveHeaders, profile } = options;
    if (signedHeaderPolicy !== undefined && typeof signedHeaderPolicy !== 'string') {
      throw makeError(INVALID_CONFIG, `signedHeaderPolicy must be "listed" or "all-end-to-end" (got ${describe(signedHeaderPolicy)})`);
    }
    const base = baseUrl instanceof URL ? baseUrl.href : requireString(baseUrl, 'baseUrl', INVALID_CONFIG);
    if (profile === undefined) requireString(keyId, 'keyId', 'invalid_key_id');
    if (algorithm !== undefined && typeof algorithm !== 'string') {
      throw makeError('unsupported_algorithm', `algorithm must be a string (got ${describe(algorithm)})`);
    }
    if (signedHeaders !== undefined && (!Array.isArray(signedHeaders) || !signedHeaders.every((h) => typeof h === 'string'))) {
      throw makeError(INVALID_CONFIG, 'signedHeaders must be an array of header names');
    }
    if (sensitiveHeaders !== undefined && (!Array.isArray(sensitiveHeaders) || !sensitiveHeaders.every((h) => typeof h === 'string'))) {
      throw makeError(INVALID_CONFIG, 'sensitiveHeaders must be an array of header names');
    }
    const timeouts = optionalObject(options.timeouts, 'timeouts');
    const retry = optionalObject(options.retry, 'retry');
    const config = {
      baseUrl: base,
      keyId,
      algorithm,
      defaultHeaders: flattenHeaders(defaultHeaders, INVALID_CONFIG),
      signedHeaders,
      signedHeaderPolicy,
      sensitiveHeaders,
      connectMs: timeoutMs(timeouts.connectMs, 'timeouts.connectMs'),
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
      userAgent: options.userAgent === undefined ? undefined : requireString(options.userAgent, 'userAgent', INVALID_CONFIG),
    };
    const bytes = profile === undefined ? secretBytes(secret) : null;
    let made;
    try {
      made = bytes ? native.createClient(config, bytes) : nativeProfileClient(profile, options, config);
    } catch (e) {
      throw fromNative(e, INVALID_CONFIG);
    } finally {
      if (bytes) wipeIfOwned(secret, bytes);
    }
    if (!(made instanceof native.NativeClient)) throw fromClientError(made);
    this.#native = made;
  }

  /** The base URL (normalised). */
  get baseUrl() {
    return this.#native.baseUrl;
  }

  /** The key id. */
  get keyId() {
    return this.#native.keyId;
  }

  /** The clock offset in use (server − local, seconds), as last measured. */
  get clockOffset() {
    return this.#native.clockOffset;
  }

  /**
   * Sends a request; resolves to `{ status, headers, body, url, attempts, text(), json() }` for a
   * status below 400, rejects with a SigwireError otherwise (see errors.js `fromClientError`).
   * @param {string} method
   * @param {string} path resolved under baseUrl (or an absolute URL, signed only on the same origin)
   * `sign: false` sends this call without Authorization (everything else unchanged).
   * `body`: bytes or a string, or a `Readable`/`fs` stream/web `ReadableStream`/async iterable/`Blob`
   * (read once into a temporary file while the call is prepared, hashed once, re-sent by retries).
   * @param {{query?: any, json?: any, body?: any, headers?: any, idempotencyKey?: string, sign?: boolean, timeouts?: {attemptMs?: number|null, totalMs?: number|null}}} [options]
   */
  async request(method, path, options = {}) {
    requireString(method, 'method', INVALID_REQUEST);
    requireString(path, 'path', INVALID_REQUEST);
    if (options === null || typeof options !== 'object') {
      throw makeError(INVALID_REQUEST, `request options must be an object (got ${describe(options)})`);
    }
    const call = {
      query: flattenQuery(options.query),
      headers: flattenHeaders(options.headers, INVALID_REQUEST),
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
    } else if (options.body !== undefined && options.body !== null && !isStreamBody(options.body)) {
      const bytes = toBytes(options.body, 'body', INVALID_REQUEST);
      call.body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (options.idempotencyKey !== undefined) call.idempotencyKey = requireString(options.idempotencyKey, 'idempotencyKey', INVALID_REQUEST);
    const t = options.timeouts === undefined ? {} : optionalObject(options.timeouts, 'timeouts');
    call.attemptMs = timeoutMs(t.attemptMs, 'timeouts.attemptMs');
    call.totalMs = timeoutMs(t.totalMs, 'timeouts.totalMs');
    if (options.sign !== undefined) call.sign = optionalBool(options.sign, 'sign');
    // A Readable, fs stream, web ReadableStream, async iterable or Blob: read once into a temporary
    // file (an untouched fs.ReadStream is sent from its own path), which the native client hashes
    // once and streams from disk on every attempt. Never held whole in memory.
    const spooled = options.json === undefined && isStreamBody(options.body) ? await spoolBody(options.body) : null;
    if (spooled) call.bodyFile = spooled.path;
    let outcome;
    try {
      outcome = await this.#native.request(method, path, call);
    } catch (e) {
      throw fromNative(e, INVALID_REQUEST);
    } finally {
      if (spooled) await spooled.remove();
    }
    if (outcome.error) throw fromClientError(outcome.error);
    return new ClientResponse(outcome.response);
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

  [util.inspect.custom](depth, opts, inspect) {
    const fmt = typeof inspect === 'function' ? inspect : util.inspect;
    return `Client ${fmt({ baseUrl: this.baseUrl, keyId: this.keyId, clockOffset: this.clockOffset }, opts)}`;
  }
}

module.exports = { Client, ClientResponse };
