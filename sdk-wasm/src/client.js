/**
 * The browser's engine of the shared Client (sdk-node/lib/common/client.js, the one source of the
 * Client's options, checks, ClientResponse and types): an HTTP client on fetch that signs every
 * attempt — with sigwire-v1 (the wasm Signer) or a signing profile (Binance, Coinbase, Okx, Bybit,
 * AwsSigV4, Rfc9421 of `profiles`) — with the Rust crate sigwire-client's behaviour and defaults:
 * retries with exponential backoff and full jitter on network errors, attempt timeouts, 408, 429
 * and 5xx for idempotent methods (POST/PATCH only with an Idempotency-Key, generated once per call,
 * reused and signed); Retry-After (seconds or HTTP-date) honoured, capped; each attempt signed
 * last, after the backoff, with a fresh timestamp and nonce; clock-skew correction from
 * X-Sigwire-Server-Time or Date (shared by the client's concurrent requests); attempt and total
 * deadlines; redirects followed by hand where the runtime allows (`redirect: 'manual'`), in
 * browsers by the browser for hops without a body or custom credentials; never sending
 * Authorization to another origin.
 *
 * Every decision is the Rust client's own code: the rules of crate sigwire-client-core (retry,
 * backoff, Retry-After, idempotency keys, clock skew, redirects, rejections, query encoding),
 * compiled into the package's second WebAssembly module (bindings/wasm-ext/src/client_rules.rs),
 * which is loaded on the first request (src/ext.js), so a page that only signs or verifies never
 * downloads it. This file only sends, sleeps and converts. Installed as the back end's `Client`
 * by backend.js.
 */
import { Signer } from '../dist/common/signer.js';
import { SENSITIVE_HEADERS, withKind } from '../dist/common/client.js';
import { rules, initExt } from './ext.js';
import { Binance, Coinbase, Okx, Bybit, Kraken, AwsSigV4, Rfc9421 } from './profiles.js';
import { SigwireError, makeError, describe, ERROR_CLASSES, SERVER_TIME_HEADER } from './errors.js';
// The HTTP client's own error kinds (the classes of sdk-node/lib/common/errors.js).
import { SigwireTimeoutError, ConnectError, TransportError, HttpStatusError, ClockSkewTooLargeError, TooManyRedirectsError } from './errors.js';

const NO_BODY = new Set(['GET', 'HEAD']);
/** ruleAfterResponse / ruleAfterFailure answers (>= 0: retry after that many ms; -1: done). */
const RESIGN = -2;
const SKEW_TOO_LARGE = -3;
/** ruleObserveClock kinds. */
const OBSERVED = ['none', 'kept', 'applied', 'too_large'];
/**
 * Whether this runtime hides redirects from `redirect: 'manual'` (an opaque redirect, status 0, no
 * Location): a browser page or worker. Node, Deno, Bun and edge workers show them.
 */
const HIDES_REDIRECTS = typeof document !== 'undefined' || typeof importScripts === 'function';
/** The profiles a client signs with, and how each takes the (corrected) clock. */
const PROFILES = [
  [Binance, 'ms'],
  [Coinbase, 'ms'],
  [Okx, 'ms'],
  [Bybit, 'ms'],
  [AwsSigV4, 'timestamp'],
  [Rfc9421, 'created'],
];

/** The defaults of the Rust client (sigwire-client-core's settings). */
const DEFAULTS = { attemptMs: 30_000, totalMs: 60_000, maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 5_000, maxRetryAfterMs: 30_000, maxRedirects: 5 };

/** [name, value, ...] -> pairs, each checked by the platform's Headers (its message is not shown). */
function headerPairs(flat, code) {
  const out = [];
  const h = new Headers();
  try {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      h.append(flat[i], flat[i + 1]);
      out.push([flat[i], flat[i + 1]]);
    }
  } catch {
    // Not the platform's message: it quotes the offending name or value.
    throw makeError(code, 'invalid header name or value (not shown: it may be a credential)');
  }
  return out;
}

/**
 * Query string from flat [name, value, ...]: every byte but RFC 3986 unreserved ones (A-Z a-z 0-9
 * - . _ ~) escaped, space as %20, '+' as %2B, as the Rust client does (encodeURIComponent alone
 * leaves ! ' ( ) * as they are).
 */
function queryString(flat) {
  const parts = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    parts.push(`${rules((b) => b.ruleEncodeQuery(flat[i]))}=${rules((b) => b.ruleEncodeQuery(flat[i + 1]))}`);
  }
  return parts.join('&');
}

function headerObject(headers) {
  const out = {};
  headers.forEach((v, k) => {
    out[k.toLowerCase()] = v;
  });
  return out;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function count(value, what, min) {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < min) throw makeError('invalid_config', `${what} must be an integer >= ${min}`);
  return value;
}

/** The signer of a profile client, or a typed invalid_config error. */
function profileSigner(profile) {
  if (profile instanceof Kraken) {
    throw makeError('invalid_config', 'Kraken signs a nonce inside the body: build it with Kraken.body(), sign with Kraken.sign() and send the signed request');
  }
  const hit = PROFILES.find(([cls]) => profile instanceof cls);
  if (!hit) {
    throw makeError('invalid_config', `profile must be a signer from sigwire.profiles (Binance, Coinbase, Okx, Bybit, AwsSigV4, Rfc9421), got ${describe(profile)}`);
  }
  const clock = hit[1];
  return (req, unixMs) => {
    if (clock === 'ms') req.timestampMs = unixMs;
    else req[clock] = Math.floor(unixMs / 1000);
    const signed = profile.sign(req);
    return { url: new URL(signed.url), headers: signed.headerList };
  };
}

/**
 * The engine for one Client (see sdk-node/lib/common/backend.js): `config` as the shared Client
 * checked it, `secret` the sigwire-v1 key's bytes, or null with a signing `profile`.
 */
export function fetchClient(config, secret, profile) {
  return new FetchClient(config, secret, profile);
}

class FetchClient {
  #signer;
  /** The same key, also signing `Idempotency-Key` (for calls that carry one), as in Rust. */
  #signerIdempotent;
  /** A profile's signer: (request, unix ms) -> { url, headers }. */
  #profile = null;
  #sensitive;
  #fetch;
  #base;
  #defaults;
  #offset = 0;
  #cfg;

  constructor(config, secret, profile) {
    const { options } = config;
    let url;
    try {
      url = new URL(config.baseUrl);
    } catch {
      throw makeError('invalid_config', 'baseUrl is not an absolute URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw makeError('invalid_config', 'baseUrl must be http or https');
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    if (url.search || url.hash || url.username || url.password) throw makeError('invalid_config', 'baseUrl must not have a query, fragment or credentials');
    this.#base = url;
    if (profile !== undefined && profile !== null) {
      this.#profile = profileSigner(profile);
    } else {
      const policy = config.signedHeaderPolicy;
      const listed = config.signedHeaders || [];
      this.#signer = new Signer({ keyId: config.keyId, secret, algorithm: config.algorithm, signedHeaders: listed, signedHeaderPolicy: policy });
      this.#signerIdempotent = listed.some((h) => h.toLowerCase() === 'idempotency-key')
        ? this.#signer
        : new Signer({ keyId: config.keyId, secret, algorithm: config.algorithm, signedHeaders: [...listed, 'idempotency-key'], signedHeaderPolicy: policy });
    }
    this.#sensitive = new Set([...SENSITIVE_HEADERS, ...(config.sensitiveHeaders || []).map((h) => h.toLowerCase())]);
    this.#defaults = headerPairs(config.defaultHeaders, 'invalid_config');
    if (options.fetch !== undefined && typeof options.fetch !== 'function') throw makeError('invalid_config', 'fetch must be a function');
    if (options.fetch === undefined && typeof globalThis.fetch !== 'function') throw makeError('invalid_config', 'no fetch available: pass { fetch }');
    this.#fetch = options.fetch || ((input, init) => globalThis.fetch(input, init));
    const pick = (name) => (config[name] === undefined ? DEFAULTS[name] : config[name]);
    this.#cfg = {
      attemptMs: pick('attemptMs'),
      totalMs: pick('totalMs'),
      maxAttempts: pick('maxAttempts'),
      baseDelayMs: pick('baseDelayMs'),
      maxDelayMs: pick('maxDelayMs'),
      maxRetryAfterMs: pick('maxRetryAfterMs'),
      idempotencyKeys: config.idempotencyKeys ?? true,
      maxRedirects: pick('maxRedirects'),
      skew: config.clockSkewCorrection ?? true,
      skewThreshold: count(options.clockSkewThresholdSeconds, 'clockSkewThresholdSeconds', 0) ?? 2,
      maxSkew: config.maxClockSkewSeconds ?? 86_400,
    };
  }

  /** The base URL (normalised, ends with "/"). */
  get baseUrl() {
    return this.#base.href;
  }

  /** The key id (the empty string for a profile client, as in Node). */
  get keyId() {
    return this.#signer ? this.#signer.keyId : '';
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

  /** One call of the shared Client (its arguments already checked and converted). */
  async request(call) {
    // The rules module, fetched and compiled on the first request of any Client (once).
    await initExt();
    if (!/^[A-Za-z]+$/.test(call.method)) throw makeError('invalid_request', 'method must be an HTTP method token');
    const method = call.method.toUpperCase();
    const path = call.path;
    let url;
    try {
      url = new URL(path.replace(/^\/+/, ''), this.#base);
      if (/^[a-z][a-z0-9+.-]*:/i.test(path)) url = new URL(path);
    } catch {
      throw makeError('invalid_request', 'path does not make a valid URL');
    }
    url.hash = '';
    const q = call.query ? queryString(call.query) : '';
    if (q) url.search = url.search ? `${url.search}&${q}` : `?${q}`;
    const headers = [...this.#defaults, ...headerPairs(call.headers, 'invalid_request')];
    let body;
    if (call.json !== undefined) {
      body = new TextEncoder().encode(call.json);
      if (!headers.some(([k]) => k.toLowerCase() === 'content-type')) headers.push(['Content-Type', 'application/json']);
    } else if (call.body !== undefined) {
      // A copy: every attempt sends the bytes of the call, whatever the caller does with theirs.
      body = call.body.slice();
    }
    if (call.idempotencyKey !== undefined) headers.push(...headerPairs(['Idempotency-Key', call.idempotencyKey], 'invalid_request'));
    let hasKey = headers.some(([k]) => k.toLowerCase() === 'idempotency-key');
    // Once per logical call, reused (and signed) by every attempt.
    if (rules((b) => b.ruleNeedsIdempotencyKey(this.#settings(), this.#cfg.idempotencyKeys, method, hasKey))) {
      headers.push(['Idempotency-Key', rules((b) => b.ruleNewIdempotencyKey())]);
      hasKey = true;
    }
    const attemptMs = call.attemptMs ?? this.#cfg.attemptMs;
    const totalMs = call.totalMs ?? this.#cfg.totalMs;
    const signal = call.options.signal;
    return this.#execute({ method, url, headers, body, hasKey, attemptMs, totalMs, signal, sign: call.sign });
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
    if (status < 400) return { status, headers: headerObject(headers), body, url, attempts };
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

  /** The body of `res`, read whole; a TransportError (or the timeout) if reading fails. */
  async #read(res, timedOut, call, timeoutError, attempts) {
    try {
      return new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (timedOut()) throw timeoutError();
      if (call.signal && call.signal.aborted) throw e;
      throw withKind(new TransportError(`reading the response failed: ${e && e.message}`), 'transport', attempts);
    }
  }

  /**
   * Whether this hop lets the browser follow redirects (`redirect: 'follow'`): only where redirects
   * are hidden from the page (`redirect: 'manual'` gives an opaque redirect: browsers and their
   * workers), only when redirects are wanted, and only for a hop the browser may carry on as it is:
   * no body (a 307/308 would send it on to any origin) and no sensitive header other than
   * Authorization, which the Fetch standard removes on a change of origin (checked in Chromium by
   * the client-behaviour suite's cross-origin scenario). The chain is never re-signed: a hop back
   * to the base origin after leaving it stays unsigned, as in Rust. Everywhere else the client
   * follows redirects itself (`redirect: 'manual'`).
   */
  #browserFollows(method, body, lines) {
    return HIDES_REDIRECTS && this.#cfg.maxRedirects > 0 && (body === undefined || NO_BODY.has(method))
      && !lines.some(([k]) => { const n = k.toLowerCase(); return n !== 'authorization' && this.#sensitive.has(n); });
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
        let headers = new Headers();
        for (const [k, v] of lines) headers.append(k, v);
        let target = url;
        if (sign) {
          try {
            const unixMs = Date.now() + this.#offset * 1000;
            const req = { method, url: url.href, headers: lines, body: NO_BODY.has(method) ? undefined : body };
            if (this.#profile) {
              // The profile decides the signed URL (query signatures) and header lines.
              const signed = this.#profile(req, unixMs);
              target = signed.url;
              headers = new Headers();
              for (const [k, v] of signed.headers) headers.append(k, v);
            } else {
              req.timestamp = Math.floor(unixMs / 1000);
              headers.set('authorization', signer.sign(req).Authorization);
            }
          } catch (e) {
            throw e instanceof SigwireError ? withKind(e, 'sign', attempts) : e;
          }
        }
        const sent = Date.now();
        let res;
        try {
          res = await this.#fetch(target.href, { method, headers, body: NO_BODY.has(method) ? undefined : body, redirect: this.#browserFollows(method, body, lines) ? 'follow' : 'manual', signal: controller.signal });
        } catch (e) {
          if (timedOut) throw timeoutError();
          if (call.signal && call.signal.aborted) throw e;
          throw withKind(new ConnectError(`cannot send the request: ${e && e.message}${e && e.cause && e.cause.code ? ` (${e.cause.code})` : ''}`), 'connect', attempts);
        }
        const received = Date.now();
        if (res.redirected) {
          // The browser followed (see #browserFollows): this is the end of the chain, at res.url; the
          // browser removed Authorization if the chain changed origin. Its clock is not observed.
          return { status: res.status, headers: res.headers, body: await this.#read(res, () => timedOut, call, timeoutError, attempts), url: res.url, observation: { kind: 'none', offset: this.#offset } };
        }
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
        const bytes = await this.#read(res, () => timedOut, call, timeoutError, attempts);
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
