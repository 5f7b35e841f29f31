/**
 * Client: an HTTP client on the browser's fetch that signs every attempt with sigwire-v1 (the
 * wasm Signer), with the Rust crate sigwire-client's behaviour and defaults: retries with
 * exponential backoff and full jitter on network errors, attempt timeouts, 408, 429 and 5xx for
 * idempotent methods (POST/PATCH only with an Idempotency-Key, generated once per call, reused and
 * signed); Retry-After (seconds or HTTP-date) honoured, capped; each attempt signed last, after
 * the backoff, with a fresh timestamp and nonce; clock-skew correction from X-Sigwire-Server-Time
 * or Date (shared by the client's concurrent requests); attempt and total deadlines; redirects
 * followed by hand where the runtime allows (`redirect: 'manual'`), never sending Authorization
 * to another origin.
 *
 * Every decision is the Rust client's own code: the rules of crate sigwire-client-core (retry,
 * backoff, Retry-After, idempotency keys, clock skew, redirects, rejections, query encoding),
 * compiled into the package's second WebAssembly module (bindings/wasm-ext/src/client_rules.rs),
 * which is loaded on the first request (src/ext.js), so a page that only signs or verifies never
 * downloads it. This file only sends, sleeps and converts.
 */
import { Signer } from './api.js';
import { rules, initExt } from './ext.js';
import {
  SigwireError,
  makeError,
  describe,
  ERROR_CLASSES,
  SERVER_TIME_HEADER,
  SigwireTimeoutError,
  ConnectError,
  TransportError,
  HttpStatusError,
  ClockSkewTooLargeError,
  TooManyRedirectsError,
  DecodeError,
} from './errors.js';

const NO_BODY = new Set(['GET', 'HEAD']);
/** ruleAfterResponse / ruleAfterFailure answers (>= 0: retry after that many ms). */
const DONE = -1;
const RESIGN = -2;
const SKEW_TOO_LARGE = -3;
/** ruleObserveClock kinds. */
const OBSERVED = ['none', 'kept', 'applied', 'too_large'];

function withKind(err, kind, attempts) {
  Object.defineProperty(err, 'kind', { value: kind, enumerable: true, writable: true, configurable: true });
  if (attempts !== undefined) err.attempts = attempts;
  return err;
}

function ms(value, what, def, nullable) {
  if (value === undefined) return def;
  if (nullable && (value === null || value === Infinity)) return Infinity;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw makeError('invalid_config', `${what} must be a non-negative number of milliseconds${nullable ? ', or null for no limit' : ''}`);
  }
  return value;
}

function count(value, what, def, min) {
  if (value === undefined) return def;
  if (!Number.isSafeInteger(value) || value < min) throw makeError('invalid_config', `${what} must be an integer >= ${min}`);
  return value;
}

function obj(value, what, code = 'invalid_config') {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw makeError(code, `${what} must be an object (got ${describe(value)})`);
  return value;
}

function str(value, what, code) {
  if (typeof value !== 'string') throw makeError(code, `${what} must be a string (got ${describe(value)})`);
  return value;
}

/** Header pairs from a plain object, Headers, or array of pairs. */
function headerPairs(headers, code) {
  const out = [];
  if (headers === undefined || headers === null) return out;
  if (typeof headers !== 'object') throw makeError(code, `headers must be an object, Headers or array of pairs (got ${describe(headers)})`);
  const entries = typeof headers[Symbol.iterator] === 'function' ? headers : Object.entries(headers);
  for (const pair of entries) {
    if (!Array.isArray(pair) || pair.length !== 2) throw makeError(code, 'each header entry must be a [name, value] pair');
    const [k, v] = pair;
    if (typeof k !== 'string') throw makeError(code, 'header names must be strings');
    if (typeof v !== 'string' && typeof v !== 'number') throw makeError(code, `each header value must be a string or number (got ${describe(v)})`);
    out.push([k, String(v)]);
  }
  try {
    const h = new Headers();
    for (const [k, v] of out) h.append(k, v);
  } catch {
    // Not the platform's message: it quotes the offending name or value.
    throw makeError(code, 'invalid header name or value (not shown: it may be a credential)');
  }
  return out;
}

/**
 * Percent-encodes everything but RFC 3986 unreserved bytes (A-Z a-z 0-9 - . _ ~), as the Rust
 * client does: encodeURIComponent alone leaves ! ' ( ) * as they are.
 */
function encodeQueryComponent(text) {
  return rules((b) => b.ruleEncodeQuery(text));
}

/** Query string: space as %20, '+' as %2B, every byte but the unreserved ones escaped (as Rust). */
function queryString(query) {
  if (query === undefined || query === null) return '';
  if (typeof query !== 'object') throw makeError('invalid_request', `query must be an object, URLSearchParams or array of pairs (got ${describe(query)})`);
  const parts = [];
  const push = (k, v) => {
    if (v === undefined) return;
    if (!['string', 'number', 'boolean', 'bigint'].includes(typeof v)) {
      throw makeError('invalid_request', `each query value must be a string, number or boolean (got ${describe(v)})`);
    }
    parts.push(`${encodeQueryComponent(String(k))}=${encodeQueryComponent(String(v))}`);
  };
  if (typeof query[Symbol.iterator] === 'function') {
    for (const pair of query) {
      if (!Array.isArray(pair) || pair.length !== 2) throw makeError('invalid_request', 'each query entry must be a [name, value] pair');
      push(pair[0], pair[1]);
    }
  } else {
    for (const k of Object.keys(query)) {
      const v = query[k];
      if (Array.isArray(v)) for (const x of v) push(k, x);
      else push(k, v);
    }
  }
  return parts.join('&');
}

function bodyBytes(body) {
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  throw makeError('invalid_request', `body must be a string, Uint8Array, ArrayBuffer or typed array (got ${describe(body)})`);
}

function headerObject(headers) {
  const out = {};
  headers.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  return out;
}

/**
 * Header names never sent to another origin on a redirect (lowercase): the Rust client's
 * SENSITIVE_HEADERS. `sensitiveHeaders` adds the caller's own.
 */
export const SENSITIVE_HEADERS = Object.freeze([
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

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A response (status below 400), body read whole. */
export class ClientResponse {
  constructor(status, headers, body, url, attempts) {
    /** The status code. */
    this.status = status;
    /** Headers, lowercase names. */
    this.headers = headers;
    /** The body bytes. */
    this.body = body;
    /** The URL that answered. */
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
 * HTTP client that signs every attempt with sigwire-v1, on fetch.
 * `new Client({ baseUrl, keyId, secret, algorithm?, defaultHeaders?, signedHeaders?, signedHeaderPolicy?, sensitiveHeaders?,
 *   timeouts?: { attemptMs, totalMs }, retry?: { maxAttempts, baseDelayMs, maxDelayMs,
 *   maxRetryAfterMs, idempotencyKeys }, maxRedirects?, clockSkewCorrection?,
 *   clockSkewThresholdSeconds?, maxClockSkewSeconds?, fetch? })`. Defaults (the Rust client's):
 * hmac-sha256; attempt 30 s, total 60 s; 3 attempts, 100 ms base delay, 5 s max delay, Retry-After
 * capped at 30 s; 5 redirects; skew correction on (2 s threshold, 1 day max).
 *
 * Redirects (where the runtime lets them be followed by hand): a chain is signed only while every
 * hop is at the base URL's origin (once it has left, a hop back is sent unsigned); a hop to
 * another origin drops the body and every header of SENSITIVE_HEADERS and `sensitiveHeaders`.
 * `Idempotency-Key` is signed when present; a rejection is any status >= 400 whose body is
 * `{"error": code}` with a known code; out of time for another retry, the last response is the
 * result. The same rules as the Rust client (sigwire-client).
 */
export class Client {
  #signer;
  /** The same key, also signing `Idempotency-Key` (for calls that carry one), as in Rust. */
  #signerIdempotent;
  #sensitive;
  #fetch;
  #base;
  #defaults;
  #offset = 0;
  #cfg;

  constructor(options) {
    if (options === null || typeof options !== 'object') throw makeError('invalid_config', `Client options must be an object (got ${describe(options)})`);
    const base = options.baseUrl instanceof URL ? options.baseUrl.href : str(options.baseUrl, 'baseUrl', 'invalid_config');
    let url;
    try {
      url = new URL(base);
    } catch {
      throw makeError('invalid_config', 'baseUrl is not an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw makeError('invalid_config', 'baseUrl must be http or https');
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    if (url.search || url.hash || url.username || url.password) throw makeError('invalid_config', 'baseUrl must not have a query, fragment or credentials');
    this.#base = url;
    const policy = options.signedHeaderPolicy;
    this.#signer = new Signer({ keyId: options.keyId, secret: options.secret, algorithm: options.algorithm, signedHeaders: options.signedHeaders, signedHeaderPolicy: policy });
    const extra = this.#signer.signedHeaders || [];
    this.#signerIdempotent = extra.some((h) => h.toLowerCase() === 'idempotency-key')
      ? this.#signer
      : new Signer({ keyId: options.keyId, secret: options.secret, algorithm: options.algorithm, signedHeaders: [...extra, 'idempotency-key'], signedHeaderPolicy: policy });
    const sensitive = options.sensitiveHeaders;
    if (sensitive !== undefined && (!Array.isArray(sensitive) || !sensitive.every((h) => typeof h === 'string'))) {
      throw makeError('invalid_config', 'sensitiveHeaders must be an array of header names');
    }
    this.#sensitive = new Set([...SENSITIVE_HEADERS, ...(sensitive || []).map((h) => h.toLowerCase())]);
    this.#defaults = headerPairs(options.defaultHeaders, 'invalid_config');
    const t = obj(options.timeouts, 'timeouts');
    const r = obj(options.retry, 'retry');
    if (r.idempotencyKeys !== undefined && typeof r.idempotencyKeys !== 'boolean') throw makeError('invalid_config', 'retry.idempotencyKeys must be a boolean');
    if (options.clockSkewCorrection !== undefined && typeof options.clockSkewCorrection !== 'boolean') throw makeError('invalid_config', 'clockSkewCorrection must be a boolean');
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw makeError('invalid_config', 'fetch must be a function');
    if (options.fetch === undefined && typeof globalThis.fetch !== 'function') throw makeError('invalid_config', 'no fetch available: pass { fetch }');
    this.#fetch = options.fetch || ((input, init) => globalThis.fetch(input, init));
    this.#cfg = {
      attemptMs: ms(t.attemptMs, 'timeouts.attemptMs', 30_000, true),
      totalMs: ms(t.totalMs, 'timeouts.totalMs', 60_000, true),
      maxAttempts: count(r.maxAttempts, 'retry.maxAttempts', 3, 1),
      baseDelayMs: ms(r.baseDelayMs, 'retry.baseDelayMs', 100),
      maxDelayMs: ms(r.maxDelayMs, 'retry.maxDelayMs', 5_000),
      maxRetryAfterMs: ms(r.maxRetryAfterMs, 'retry.maxRetryAfterMs', 30_000),
      idempotencyKeys: r.idempotencyKeys ?? true,
      maxRedirects: count(options.maxRedirects, 'maxRedirects', 5, 0),
      skew: options.clockSkewCorrection ?? true,
      skewThreshold: count(options.clockSkewThresholdSeconds, 'clockSkewThresholdSeconds', 2, 0),
      maxSkew: count(options.maxClockSkewSeconds, 'maxClockSkewSeconds', 86_400, 0),
    };
  }

  /** The base URL (normalised, ends with "/"). */
  get baseUrl() {
    return this.#base.href;
  }

  /** The key id. */
  get keyId() {
    return this.#signer.keyId;
  }

  /** The clock offset in use (server − local, seconds), as last measured. */
  get clockOffset() {
    return this.#offset;
  }

  /** Records a response's server time by the rules; returns `{ kind, offset }` (kind: 'none' | 'kept' | 'applied' | 'too_large'). */
  #observe(headers, sent, received) {
    if (!this.#cfg.skew) return { kind: 'none', offset: this.#offset };
    const [kind, offset] = rules((b) => b.ruleObserveClock(
      headers.get(SERVER_TIME_HEADER) ?? undefined, headers.get('date') ?? undefined, headers.get('age') !== null,
      sent, received, this.#offset, this.#cfg.skewThreshold, this.#cfg.maxSkew,
    ));
    if (OBSERVED[kind] === 'applied') this.#offset = offset;
    return { kind: OBSERVED[kind] || 'none', offset };
  }

  /**
   * Sends a request; resolves to a ClientResponse for a status below 400, rejects with a
   * SigwireError otherwise (HttpStatusError, the server's machine-code class for a signature
   * rejection, SigwireTimeoutError, ConnectError, ClockSkewTooLargeError, TooManyRedirectsError).
   * @param {string} method
   * @param {string} path resolved under baseUrl (or an absolute URL)
   * `sign: false` sends this call without Authorization (everything else unchanged).
   * @param {{query?: any, json?: any, body?: any, headers?: any, idempotencyKey?: string, sign?: boolean, timeouts?: {attemptMs?: number|null, totalMs?: number|null}, signal?: AbortSignal}} [options]
   */
  async request(method, path, options = {}) {
    // The rules module, fetched and compiled on the first request of any Client (once).
    await initExt();
    str(method, 'method', 'invalid_request');
    str(path, 'path', 'invalid_request');
    if (!/^[A-Za-z]+$/.test(method)) throw makeError('invalid_request', 'method must be an HTTP method token');
    method = method.toUpperCase();
    options = obj(options, 'request options', 'invalid_request');
    let url;
    try {
      url = new URL(path.replace(/^\/+/, ''), this.#base);
      if (/^[a-z][a-z0-9+.-]*:/i.test(path)) url = new URL(path);
    } catch {
      throw makeError('invalid_request', 'path does not make a valid URL');
    }
    url.hash = '';
    const q = queryString(options.query);
    if (q) url.search = url.search ? `${url.search}&${q}` : `?${q}`;
    const headers = [...this.#defaults, ...headerPairs(options.headers, 'invalid_request')];
    if (options.json !== undefined && options.body !== undefined) throw makeError('invalid_request', 'give either json or body, not both');
    let body;
    if (options.json !== undefined) {
      let text;
      try {
        text = JSON.stringify(options.json);
      } catch (e) {
        throw makeError('invalid_request', `cannot serialise the JSON body: ${e.message}`);
      }
      if (text === undefined) throw makeError('invalid_request', 'the JSON body is not serialisable');
      body = new TextEncoder().encode(text);
      if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
    } else if (options.body !== undefined && options.body !== null) {
      body = bodyBytes(options.body).slice();
    }
    if (options.idempotencyKey !== undefined) {
      headers.push(...headerPairs([['Idempotency-Key', str(options.idempotencyKey, 'idempotencyKey', 'invalid_request')]], 'invalid_request'));
    }
    let hasKey = headers.some(([k]) => k.toLowerCase() === 'idempotency-key');
    // Once per logical call, reused (and signed) by every attempt.
    if (rules((b) => b.ruleNeedsIdempotencyKey(this.#settings(), this.#cfg.idempotencyKeys, method, hasKey))) {
      headers.push(['Idempotency-Key', rules((b) => b.ruleNewIdempotencyKey())]);
      hasKey = true;
    }
    const t = obj(options.timeouts, 'timeouts', 'invalid_request');
    const attemptMs = ms(t.attemptMs, 'timeouts.attemptMs', this.#cfg.attemptMs, true);
    const totalMs = ms(t.totalMs, 'timeouts.totalMs', this.#cfg.totalMs, true);
    const signal = options.signal;
    if (options.sign !== undefined && typeof options.sign !== 'boolean') throw makeError('invalid_request', 'sign must be a boolean');
    const sign = options.sign !== false;
    return this.#execute({ method, url, headers, body, hasKey, attemptMs, totalMs, signal, sign });
  }

  async #execute(call) {
    const cfg = this.#cfg;
    const start = Date.now();
    let attempts = 0;
    let retries = 0;
    let skewResigned = false;
    for (;;) {
      attempts += 1;
      const remaining = call.totalMs === Infinity ? Infinity : call.totalMs - (Date.now() - start);
      if (remaining <= 0) throw withKind(Object.assign(new SigwireTimeoutError('the total deadline passed'), { timeoutKind: 'total' }), 'timeout', attempts - 1);
      const kind = remaining < call.attemptMs ? 'total' : 'attempt';
      const limit = Math.min(remaining, call.attemptMs);
      let outcome;
      let error;
      try {
        outcome = await this.#attempt(call, limit, kind, attempts);
      } catch (e) {
        error = e;
      }
      let next;
      let code;
      if (outcome) {
        const { status, headers } = outcome;
        code = rejectionCode(outcome);
        const obs = outcome.observation;
        next = rules((b) => b.ruleAfterResponse(
          this.#settings(), call.method, call.hasKey, retries, skewResigned, status, code,
          OBSERVED.indexOf(obs.kind), obs.offset, headers.get('retry-after') ?? undefined, headers.get('date') ?? undefined,
          Date.now(), Math.random(),
        ));
        if (next === SKEW_TOO_LARGE) {
          const err = new ClockSkewTooLargeError(`the server clock is ${obs.offset} s off (more than ${cfg.maxSkew} s)`);
          Object.assign(err, { offsetSeconds: obs.offset, maxSeconds: cfg.maxSkew });
          throw withKind(err, 'clock_skew_too_large', attempts);
        }
        if (next === RESIGN) {
          // The server refused the timestamp before doing anything: sign again with the corrected clock.
          skewResigned = true;
          continue;
        }
      } else {
        if (!(error instanceof SigwireError)) throw error;
        if (error.attempts === undefined) error.attempts = attempts;
        const retryable = error.kind === 'connect' || error.kind === 'transport' || (error.kind === 'timeout' && error.timeoutKind === 'attempt');
        next = rules((b) => b.ruleAfterFailure(this.#settings(), call.method, call.hasKey, retries, retryable, Math.random()));
      }
      // Done, or no time left for another attempt: the last outcome is the result, as in Rust.
      const elapsed = Date.now() - start;
      if (next < 0 || (call.totalMs !== Infinity && elapsed + next >= call.totalMs)) {
        if (outcome) return this.#finish(outcome, code, attempts);
        throw error;
      }
      retries += 1;
      await sleep(next);
    }
  }

  /** The retry settings as the rules take them: [maxAttempts, baseDelayMs, maxDelayMs, maxRetryAfterMs]. */
  #settings() {
    const c = this.#cfg;
    return new Float64Array([c.maxAttempts, c.baseDelayMs, c.maxDelayMs, c.maxRetryAfterMs]);
  }

  #finish(outcome, code, attempts) {
    const { status, headers, body, url } = outcome;
    if (status < 400) return new ClientResponse(status, headerObject(headers), body, url, attempts);
    // The verifier's clock as the rejection reports it (X-Sigwire-Server-Time only, as in Rust).
    const own = headers.get(SERVER_TIME_HEADER);
    const serverTime = own !== null && /^\s*\d+\s*$/.test(own) ? Number(own.trim()) : undefined;
    if (code && ERROR_CLASSES[code]) {
      const err = makeError(code, `the server refused the signature: ${code}`, { httpStatus: status, ...(serverTime !== undefined ? { serverTime } : {}) });
      return Promise.reject(withKind(err, 'signature_rejected', attempts));
    }
    const err = new HttpStatusError(`HTTP ${status}`, { httpStatus: status });
    Object.assign(err, { status, body, headers: headerObject(headers) });
    return Promise.reject(withKind(err, 'http_status', attempts));
  }

  /** One attempt: sign last, send, follow redirects by hand, read the body; within `limit` ms. */
  async #attempt(call, limit, kind, attempts) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = limit === Infinity ? null : setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limit);
    const onAbort = () => controller.abort();
    if (call.signal) {
      if (call.signal.aborted) controller.abort();
      else call.signal.addEventListener('abort', onAbort, { once: true });
    }
    const timeoutError = () => withKind(Object.assign(new SigwireTimeoutError(`the ${kind} deadline passed`), { timeoutKind: kind }), 'timeout', attempts);
    try {
      let url = call.url;
      let method = call.method;
      let body = call.body;
      let lines = call.headers;
      // Signed only while every hop is at the base origin (never again once the chain left it).
      let sign = call.sign && url.origin === this.#base.origin;
      const signer = lines.some(([k]) => k.toLowerCase() === 'idempotency-key') ? this.#signerIdempotent : this.#signer;
      for (let hop = 0; ; hop++) {
        if (body === undefined) lines = lines.filter(([k]) => k.toLowerCase() !== 'content-type');
        const headers = new Headers();
        for (const [k, v] of lines) headers.append(k, v);
        if (sign) {
          let signed;
          try {
            signed = signer.sign({
            method,
            url: url.href,
            headers: lines,
            body: NO_BODY.has(method) ? undefined : body,
            timestamp: Math.floor(Date.now() / 1000) + this.#offset,
            });
          } catch (e) {
            throw e instanceof SigwireError ? withKind(e, 'sign', attempts) : e;
          }
          headers.set('authorization', signed.Authorization);
        }
        const sent = Date.now();
        let res;
        try {
          res = await this.#fetch(url.href, { method, headers, body: NO_BODY.has(method) ? undefined : body, redirect: 'manual', signal: controller.signal });
        } catch (e) {
          if (timedOut) throw timeoutError();
          if (call.signal && call.signal.aborted) throw e;
          throw withKind(new ConnectError(`cannot send the request: ${e && e.message}${e && e.cause && e.cause.code ? ` (${e.cause.code})` : ''}`), 'connect', attempts);
        }
        const received = Date.now();
        const observation = sign ? this.#observe(res.headers, sent, received) : { kind: 'none', offset: this.#offset };
        const location = res.headers.get('location');
        if (location !== null && this.#cfg.maxRedirects > 0 && (rules((b) => b.ruleNextHop(res.status, method, false, true, true)) & 16)) {
          if (hop >= this.#cfg.maxRedirects) {
            throw withKind(Object.assign(new TooManyRedirectsError(`more than ${this.#cfg.maxRedirects} redirects`), { limit: this.#cfg.maxRedirects }), 'too_many_redirects', attempts);
          }
          try {
            await res.arrayBuffer();
          } catch {
            /* ignored */
          }
          let next;
          try {
            next = new URL(location, url);
          } catch {
            throw withKind(makeError('invalid_request', 'redirect Location is not a valid URL'), 'invalid_request', attempts);
          }
          if (next.protocol !== 'http:' && next.protocol !== 'https:') {
            throw withKind(makeError('invalid_request', 'redirect to a non-http(s) URL'), 'invalid_request', attempts);
          }
          next.hash = '';
          const bits = rules((b) => b.ruleNextHop(res.status, method, next.origin !== url.origin, next.origin === this.#base.origin, sign));
          if (bits & 1) method = 'GET';
          if (bits & 2) {
            body = undefined;
            lines = lines.filter(([k]) => !['content-type', 'content-length'].includes(k.toLowerCase()));
          }
          // Another origin: no credentials, for the rest of the chain.
          if (bits & 4) lines = lines.filter(([k]) => !this.#sensitive.has(k.toLowerCase()));
          sign = (bits & 8) !== 0;
          url = next;
          continue;
        }
        let bytes;
        try {
          bytes = new Uint8Array(await res.arrayBuffer());
        } catch (e) {
          if (timedOut) throw timeoutError();
          if (call.signal && call.signal.aborted) throw e;
          throw withKind(new TransportError(`reading the response failed: ${e && e.message}`), 'transport', attempts);
        }
        // An opaque redirect (browsers with redirect: 'manual') has status 0: it cannot be followed.
        if (res.type === 'opaqueredirect') {
          const err = new HttpStatusError('the server redirected and the browser hides the target (opaque redirect)', { httpStatus: 0 });
          Object.assign(err, { status: 0, body: bytes, headers: {} });
          throw withKind(err, 'http_status', attempts);
        }
        return { status: res.status, headers: res.headers, body: bytes, url: url.href, observation };
      }
    } finally {
      if (timer !== null) clearTimeout(timer);
      if (call.signal) call.signal.removeEventListener('abort', onAbort);
    }
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
}

/** The machine code of a rejection by the rules: any status >= 400 whose body is `{"error": code}`
 * JSON with a known Sigwire code (the server time header is not required). */
function rejectionCode(outcome) {
  if (outcome.status < 400) return undefined;
  let error;
  try {
    const parsed = JSON.parse(new TextDecoder().decode(outcome.body));
    if (parsed && typeof parsed.error === 'string') error = parsed.error;
  } catch {
    return undefined;
  }
  return rules((b) => b.ruleRejectionCode(outcome.status, error)) ?? undefined;
}
