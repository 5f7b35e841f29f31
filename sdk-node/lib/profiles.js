'use strict';
/**
 * Signing profiles: the HMAC schemes of APIs people already call (exchange presets, AWS SigV4,
 * RFC 9421, webhooks), signed by the Rust core (`sigwire_core::profiles`), byte-identical to the
 * Python, browser and Kotlin SDKs. This file converts arguments, reads the clock and maps errors;
 * nothing here decides a signed byte. Wire formats: docs/profiles/.
 *
 *   const { profiles } = require('sigwire');
 *   const binance = new profiles.Binance(apiKey, secret);
 *   const signed = binance.sign({ method: 'POST', url: 'https://api.binance.com/api/v3/order?symbol=BTCUSDT&side=BUY' });
 *   await fetch(signed.url, { method: signed.method, headers: signed.headers });
 *
 *   const event = profiles.verifyWebhook('stripe', endpointSecret, req.headers, req.rawBody);
 *
 * Errors are `ProfileError` (a `SigwireError`) subclasses with a stable `.code`. Secrets are
 * handed to Rust at construction; no object, inspection or message shows them.
 */

const util = require('node:util');
const native = require('./native');
const { SigwireError, makeError } = require('./errors');
const { toBytes, secretBytes, wipeIfOwned, describe, urlString, flattenHeaders } = require('./convert');

// ------------------------------------------------------------------------------------------------
// Errors

/** Base class of every signing-profile error; `.code` is the stable machine code. */
class ProfileError extends SigwireError {}
Object.defineProperty(ProfileError.prototype, 'name', { value: 'ProfileError', writable: true, configurable: true });

/** code -> HTTP status, from the core. */
const ERROR_CODES = {};
{
  const flat = native.profileErrorCodes();
  for (let i = 0; i + 1 < flat.length; i += 2) ERROR_CODES[flat[i]] = Number(flat[i + 1]);
}

function className(code) {
  return code.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase()) + 'Error';
}

/** @type {Record<string, typeof ProfileError>} */
const PROFILE_ERROR_CLASSES = {};
const classesByName = {};
for (const code of Object.keys(ERROR_CODES)) {
  const name = className(code);
  const cls = {
    [name]: class extends ProfileError {
      constructor(message, extra = {}) {
        super(code, message, { httpStatus: ERROR_CODES[code], ...extra });
      }
    },
  }[name];
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  PROFILE_ERROR_CLASSES[code] = cls;
  classesByName[name] = cls;
}

function profileError(code, message) {
  const cls = PROFILE_ERROR_CLASSES[code];
  return cls ? new cls(message) : new ProfileError(code, message, { httpStatus: 500 });
}

const SEP = '\u001f';
const MARKER = 'sigwire' + SEP;

/** Anything the native profile functions threw, as a ProfileError (argument-type failures too). */
function fromNative(err, fallbackCode) {
  if (err instanceof SigwireError) return err;
  const msg = err && typeof err.message === 'string' ? err.message : String(err);
  if (msg.startsWith(MARKER)) {
    const [, code, , , , ...rest] = msg.split(SEP);
    return profileError(code, rest.join(SEP));
  }
  // N-API's own message may quote the value (a misplaced secret): it is not repeated.
  return profileError(fallbackCode, 'invalid argument: an argument has the wrong type');
}

function call(fallbackCode, fn) {
  try {
    return fn();
  } catch (e) {
    throw fromNative(e, fallbackCode);
  }
}

// ------------------------------------------------------------------------------------------------
// Argument conversion

function requireText(value, what, code) {
  if (typeof value !== 'string') throw profileError(code, `${what} must be a string (got ${describe(value)})`);
  return value;
}

function optionalInt(value, what, code = 'invalid_request') {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) value = value.getTime();
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw profileError(code, `${what} must be a non-negative integer`);
  }
  return value;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const nowMs = () => Date.now();

function requestArgs(req) {
  if (req === null || typeof req !== 'object') {
    throw profileError('invalid_request', `the request must be an object {method, url, headers?, body?} (got ${describe(req)})`);
  }
  const method = requireText(req.method === undefined ? 'GET' : req.method, 'method', 'invalid_request');
  const url = profileCall(() => urlString(req.url));
  const headers = profileCall(() => flattenHeaders(req.headers));
  const body = profileCall(() => toBytes(req.body, 'body', 'invalid_request'));
  return { method, url, headers, body };
}

/**
 * `[method, url, name, value, …]` as the native signers take it: joined with U+001F (one N-API
 * string instead of an array of strings), or the array when a field holds U+001F.
 */
function packRequest(method, url, headers) {
  let packed = method + SEP + url;
  let plain = !method.includes(SEP) && !url.includes(SEP);
  for (let i = 0; i < headers.length; i++) {
    const f = headers[i];
    if (plain && f.includes(SEP)) plain = false;
    packed += SEP + f;
  }
  return plain ? packed : [method, url, ...headers];
}

/** Re-throws a package error (from convert.js) as a ProfileError of the same code. */
function profileCall(fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SigwireError && !(e instanceof ProfileError)) throw profileError(e.code, e.message);
    throw e;
  }
}

// ------------------------------------------------------------------------------------------------
// Results

const REDACTED = '[redacted]';

function redactedHeaders(list, params) {
  const secretNames = new Set(params.filter((p) => p.sensitive).map((p) => p.name.toLowerCase()));
  return list.map(([n, v]) => [n, secretNames.has(n.toLowerCase()) ? REDACTED : v]);
}

function readParams(flat, at, count) {
  const out = new Array(count);
  for (let i = 0; i < count; i++, at += 3) out[i] = Object.freeze({ name: flat[at], value: flat[at + 1], sensitive: flat[at + 2] === '1' });
  return Object.freeze(out);
}

/**
 * Reads the packed fields a native signer returns (layout in bindings/node/src/profiles.rs,
 * `Packed`): `[url, canonicalRequest, stringToSign, signatureBase, L, H, Q, …lines, …params]`,
 * as one string joined with U+001F (one N-API value instead of one per field) or, when a field
 * itself holds U+001F, as the array.
 */
function unpack(packed) {
  const flat = typeof packed === 'string' ? packed.split(SEP) : packed;
  const lines = Number(flat[4]);
  const nh = Number(flat[5]);
  const nq = Number(flat[6]);
  const start = 7;
  const paramsAt = start + 2 * lines;
  const headerList = new Array(lines);
  for (let i = 0, at = start; i < lines; i++, at += 2) headerList[i] = [flat[at], flat[at + 1]];
  return {
    url: flat[0],
    canonicalRequest: flat[1],
    stringToSign: flat[2],
    signatureBase: flat[3],
    headerList,
    headerParams: readParams(flat, paramsAt, nh),
    queryParams: readParams(flat, paramsAt + 3 * nh, nq),
  };
}

/**
 * A signed request: send `method` to `url` with `headers` and exactly `body`. `headerParams` and
 * `queryParams` are what signing added. Inspection and JSON hide sensitive values.
 */
class SignedRequest {
  constructor(method, body, raw, extra = {}) {
    /** @type {string} */ this.method = method;
    /** @type {string} */ this.url = raw.url;
    /** @type {Array<[string, string]>} header lines in order (repeats kept) */
    this.headerList = raw.headerList;
    /** @type {Record<string, string>} the same lines as an object (repeats joined with ", ") */
    const headers = {};
    for (let i = 0; i < raw.headerList.length; i++) {
      const [n, v] = raw.headerList[i];
      headers[n] = Object.hasOwn(headers, n) ? `${headers[n]}, ${v}` : v;
    }
    this.headers = headers;
    /** @type {Uint8Array} */ this.body = body;
    this.headerParams = raw.headerParams;
    this.queryParams = raw.queryParams;
    for (const k in extra) this[k] = extra[k];
  }

  /** The value of header `name` (case-insensitive) after signing, or undefined. */
  header(name) {
    const lower = String(name).toLowerCase();
    const hit = this.headerList.find(([n]) => n.toLowerCase() === lower);
    return hit ? hit[1] : undefined;
  }

  toJSON() {
    const url = this.queryParams.some((p) => p.sensitive) ? this.url.split('?')[0] + '?' + REDACTED : this.url;
    return { method: this.method, url, headers: redactedHeaders(this.headerList, this.headerParams), bodyLength: this.body.length };
  }

  [util.inspect.custom](depth, options, inspect) {
    return `${this.constructor.name} ${(inspect || util.inspect)(this.toJSON(), options)}`;
  }

  toString() {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}

/** A SigV4-signed request, with `canonicalRequest` and `stringToSign` for debugging. */
class AwsSignedRequest extends SignedRequest {}
/** An RFC 9421-signed request or response, with the `signatureBase`. */
class Rfc9421SignedRequest extends SignedRequest {}

// ------------------------------------------------------------------------------------------------
// Exchanges

class Exchange {
  #native;

  constructor(kind, apiKey, secret, options) {
    requireText(apiKey, 'apiKey', 'invalid_credentials');
    requireText(secret, 'secret', 'invalid_credentials');
    this.#native = call('invalid_credentials', () => new native.NativeExchange(kind, apiKey, secret, options));
  }

  /** The API key (not secret). */
  get apiKey() {
    return this.#native.apiKey;
  }

  /**
   * Signs the request exactly as it will be sent (query as written, raw body bytes).
   * @param {{method?: string, url: string|URL, headers?: any, body?: any, timestampMs?: number}} req
   * @returns {SignedRequest}
   */
  sign(req) {
    const { method, url, headers, body } = requestArgs(req);
    const ts = optionalInt(req.timestampMs, 'timestampMs') ?? nowMs();
    const raw = unpack(call('invalid_request', () => this.#native.sign(packRequest(method, url, headers), body, ts)));
    return new SignedRequest(method, body, raw);
  }

  get _native() {
    return this.#native;
  }

  toJSON() {
    return { apiKey: this.apiKey };
  }

  [util.inspect.custom](depth, options, inspect) {
    return `${this.constructor.name} ${(inspect || util.inspect)(this.toJSON(), options)}`;
  }

  toString() {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}

/** Binance: `recvWindow` and `timestamp` added unless present, `signature` last, `X-MBX-APIKEY`. */
class Binance extends Exchange {
  /** @param {{recvWindow?: number|null}} [options] `recvWindow: null` adds none (default 5000). */
  constructor(apiKey, secret, options = {}) {
    const w = options.recvWindow === null ? -1 : optionalInt(options.recvWindow, 'recvWindow', 'invalid_settings');
    super('binance', apiKey, secret, { recvWindow: w });
  }
}

/** Coinbase Exchange (`CB-ACCESS-*`): the base64 secret as issued, and the passphrase. */
class Coinbase extends Exchange {
  constructor(apiKey, secret, passphrase) {
    if (passphrase !== undefined) requireText(passphrase, 'passphrase', 'invalid_credentials');
    super('coinbase', apiKey, secret, { passphrase });
  }
}

/** Kraken spot REST: the nonce lives in the form body, built by `body()`. */
class Kraken extends Exchange {
  constructor(apiKey, secret) {
    super('kraken', apiKey, secret, {});
  }

  /** The next strictly increasing nonce for this key (`max(nowMs, previous + 1)`). */
  nextNonce(nowMsValue) {
    const now = optionalInt(nowMsValue, 'nowMs') ?? nowMs();
    return call('invalid_request', () => this._native.nextNonce(now));
  }

  /** The form body `nonce=<n>&k=v…` to send and sign. `params`: object or [k, v] pairs. */
  body(params = {}, options = {}) {
    const pairs = Array.isArray(params) ? params : Object.entries(params);
    const flat = [];
    for (const p of pairs) {
      if (!Array.isArray(p) || p.length !== 2) throw profileError('invalid_request', 'params must be [name, value] pairs');
      flat.push(String(p[0]), String(p[1]));
    }
    const nonce = optionalInt(options.nonce, 'nonce') ?? this.nextNonce();
    return call('invalid_request', () => native.krakenBody(nonce, flat));
  }
}

/** OKX v5 (`OK-ACCESS-*`); `simulatedTrading` adds `x-simulated-trading: 1`. */
class Okx extends Exchange {
  constructor(apiKey, secret, passphrase, options = {}) {
    if (passphrase !== undefined) requireText(passphrase, 'passphrase', 'invalid_credentials');
    super('okx', apiKey, secret, { passphrase, simulatedTrading: Boolean(options.simulatedTrading) });
  }
}

/** Bybit v5 (`X-BAPI-*`). */
class Bybit extends Exchange {
  constructor(apiKey, secret, options = {}) {
    super('bybit', apiKey, secret, { recvWindow: optionalInt(options.recvWindow, 'recvWindow', 'invalid_settings') });
  }
}

// ------------------------------------------------------------------------------------------------
// AWS SigV4

/** AWS Signature Version 4: headers or presigned URLs, generic or S3 rules. */
class AwsSigV4 {
  #native;
  #scope;

  /**
   * @param {{accessKeyId: string, secretAccessKey: string, region: string, service: string,
   *   sessionToken?: string, s3?: boolean, signSessionToken?: boolean}} options
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') throw profileError('invalid_credentials', 'AwsSigV4 options must be an object');
    const { accessKeyId, secretAccessKey, region, service, sessionToken, s3, signSessionToken } = options;
    requireText(accessKeyId, 'accessKeyId', 'invalid_credentials');
    requireText(secretAccessKey, 'secretAccessKey', 'invalid_credentials');
    requireText(region, 'region', 'invalid_settings');
    requireText(service, 'service', 'invalid_settings');
    if (sessionToken !== undefined && sessionToken !== null) requireText(sessionToken, 'sessionToken', 'invalid_credentials');
    this.#native = call('invalid_credentials', () =>
      new native.NativeAwsSigV4(accessKeyId, secretAccessKey, region, service, sessionToken ?? undefined, Boolean(s3), signSessionToken !== false),
    );
    this.#scope = { region, service };
  }

  get accessKeyId() {
    return this.#native.accessKeyId;
  }

  /** The native signer (for `new Client({ profile })`). */
  get _native() {
    return this.#native;
  }

  /**
   * Signs in headers at `timestamp` (Unix seconds, default now).
   * @param {{method?: string, url: string|URL, headers?: any, body?: any, timestamp?: number, unsignedPayload?: boolean}} req
   * @returns {AwsSignedRequest}
   */
  sign(req) {
    const { method, url, headers, body } = requestArgs(req);
    const ts = optionalInt(req.timestamp, 'timestamp') ?? nowSeconds();
    const raw = unpack(call('invalid_request', () => this.#native.sign(packRequest(method, url, headers), body, ts, Boolean(req.unsignedPayload), undefined)));
    return new AwsSignedRequest(method, body, raw, { canonicalRequest: raw.canonicalRequest, stringToSign: raw.stringToSign });
  }

  /**
   * A presigned URL valid `expiresIn` seconds (default 3600). Without a body the payload is
   * `UNSIGNED-PAYLOAD` (the S3 convention).
   * @param {{method?: string, url: string|URL, headers?: any, body?: any, timestamp?: number, expiresIn?: number}} req
   * @returns {string}
   */
  presign(req) {
    const { method, url, headers, body } = requestArgs(req);
    const ts = optionalInt(req.timestamp, 'timestamp') ?? nowSeconds();
    const expires = optionalInt(req.expiresIn, 'expiresIn', 'invalid_settings') ?? 3600;
    const unsigned = req.body === undefined || req.body === null;
    return unpack(call('invalid_request', () => this.#native.sign(packRequest(method, url, headers), body, ts, unsigned, expires))).url;
  }

  toJSON() {
    return { accessKeyId: this.accessKeyId, ...this.#scope };
  }

  [util.inspect.custom](depth, options, inspect) {
    return `AwsSigV4 ${(inspect || util.inspect)(this.toJSON(), options)}`;
  }

  toString() {
    return `AwsSigV4 ${JSON.stringify(this.toJSON())}`;
  }
}

/** Verifies SigV4 requests (headers or presigned) for one region and service. */
class AwsSigV4Verifier {
  #native;
  #info;

  /** @param {{region: string, service: string, credentials: Record<string, string>, s3?: boolean, maxClockSkew?: number}} options */
  constructor(options) {
    if (options === null || typeof options !== 'object') throw profileError('invalid_credentials', 'AwsSigV4Verifier options must be an object');
    const { region, service, credentials, s3, maxClockSkew } = options;
    if (credentials === null || typeof credentials !== 'object') throw profileError('invalid_credentials', 'credentials must map access key ids to secrets');
    const flat = [];
    for (const [id, secret] of Object.entries(credentials)) flat.push(id, requireText(secret, 'a secret access key', 'invalid_credentials'));
    this.#native = call('invalid_credentials', () =>
      new native.NativeAwsVerifier(requireText(region, 'region', 'invalid_settings'), requireText(service, 'service', 'invalid_settings'), flat, Boolean(s3), optionalInt(maxClockSkew, 'maxClockSkew', 'invalid_settings')),
    );
    this.#info = { region, service, keys: flat.length / 2 };
  }

  /** Verifies at `now` (Unix seconds, default now): `{accessKeyId, signedHeaders, presigned, signedAt}`. */
  verify(req) {
    const { method, url, headers, body } = requestArgs(req);
    const now = optionalInt(req.now, 'now') ?? nowSeconds();
    return call('invalid_request', () => this.#native.verify(method, url, headers, body, now));
  }

  toJSON() {
    return { ...this.#info };
  }

  [util.inspect.custom]() {
    return `AwsSigV4Verifier ${JSON.stringify(this.toJSON())}`;
  }
}

// ------------------------------------------------------------------------------------------------
// RFC 9421

function rfcOptions(o = {}) {
  if (o === null || typeof o !== 'object') throw profileError('invalid_settings', 'options must be an object');
  const list = (v, what) => {
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw profileError('invalid_settings', `${what} must be an array of strings`);
    return v;
  };
  return {
    label: o.label === undefined ? undefined : requireText(o.label, 'label', 'invalid_settings'),
    components: list(o.components, 'components'),
    expiresIn: optionalInt(o.expiresIn, 'expiresIn', 'invalid_settings'),
    includeAlg: Boolean(o.includeAlg),
    tag: o.tag === undefined ? undefined : requireText(o.tag, 'tag', 'invalid_settings'),
    requiredComponents: list(o.requiredComponents, 'requiredComponents'),
    maxAge: optionalInt(o.maxAge, 'maxAge', 'invalid_settings'),
    maxAhead: optionalInt(o.maxAhead, 'maxAhead', 'invalid_settings'),
  };
}

function secretArg(secret) {
  return profileCall(() => secretBytes(secret));
}

/** RFC 9421 HTTP Message Signatures (`hmac-sha256`) for requests and responses. */
class Rfc9421 {
  #native;
  #keyId;

  /**
   * @param {string} keyId
   * @param {string|Uint8Array|ArrayBuffer} secret
   * @param {{label?: string, components?: string[], expiresIn?: number, includeAlg?: boolean, tag?: string}} [options]
   */
  constructor(keyId, secret, options) {
    requireText(keyId, 'keyId', 'invalid_credentials');
    const bytes = secretArg(secret);
    try {
      this.#native = call('invalid_settings', () => new native.NativeRfc9421(keyId, bytes, rfcOptions(options)));
    } finally {
      wipeIfOwned(secret, bytes);
    }
    this.#keyId = keyId;
  }

  /** The native signer (for `new Client({ profile })`). */
  get _native() {
    return this.#native;
  }

  /** Signs a request: `Content-Digest` (when covered), `Signature-Input`, `Signature`. */
  sign(req) {
    const { method, url, headers, body } = requestArgs(req);
    const created = optionalInt(req.created, 'created') ?? nowSeconds();
    const nonce = req.nonce === undefined ? undefined : requireText(req.nonce, 'nonce', 'invalid_request');
    const raw = unpack(call('invalid_request', () => this.#native.signRequest(packRequest(method, url, headers), body, created, nonce)));
    return new Rfc9421SignedRequest(method, body, raw, { signatureBase: raw.signatureBase });
  }

  /** Signs a response `{status, headers?, body?, created?, nonce?}` (`url` of the result is ''). */
  signResponse(res) {
    if (res === null || typeof res !== 'object') throw profileError('invalid_request', 'the response must be an object');
    const headers = profileCall(() => flattenHeaders(res.headers));
    const body = profileCall(() => toBytes(res.body, 'body', 'invalid_request'));
    const created = optionalInt(res.created, 'created') ?? nowSeconds();
    const status = optionalInt(res.status, 'status');
    if (status === undefined) throw profileError('invalid_request', 'status is required');
    const nonce = res.nonce === undefined ? undefined : requireText(res.nonce, 'nonce', 'invalid_request');
    const raw = unpack(call('invalid_request', () => this.#native.signResponse(status, headers, body, created, nonce)));
    return new Rfc9421SignedRequest('', body, raw, { status, signatureBase: raw.signatureBase });
  }

  toJSON() {
    return { keyId: this.#keyId };
  }

  [util.inspect.custom]() {
    return `Rfc9421 ${JSON.stringify(this.toJSON())}`;
  }
}

/** Verifies RFC 9421 `hmac-sha256` signatures; `keys` maps keyid to secret. */
class Rfc9421Verifier {
  #native;
  #count;

  /** @param {Record<string, string|Uint8Array>} keys @param {{label?: string, requiredComponents?: string[], maxAge?: number, maxAhead?: number}} [options] */
  constructor(keys, options) {
    if (keys === null || typeof keys !== 'object') throw profileError('invalid_credentials', 'keys must map key ids to secrets');
    const ids = Object.keys(keys);
    const secrets = ids.map((id) => {
      const b = secretArg(keys[id]);
      const copy = Buffer.from(b);
      wipeIfOwned(keys[id], b);
      return copy;
    });
    this.#native = call('invalid_settings', () => new native.NativeRfc9421Verifier(ids, secrets, rfcOptions(options)));
    for (const s of secrets) s.fill(0);
    this.#count = ids.length;
  }

  /** Verifies a request at `now` (Unix seconds, default now). */
  verify(req) {
    const { method, url, headers, body } = requestArgs(req);
    const now = optionalInt(req.now, 'now') ?? nowSeconds();
    return call('invalid_request', () => this.#native.verifyRequest(method, url, headers, body, now));
  }

  /** Verifies a response `{status, headers, body, now?}`. */
  verifyResponse(res) {
    if (res === null || typeof res !== 'object') throw profileError('invalid_request', 'the response must be an object');
    const headers = profileCall(() => flattenHeaders(res.headers));
    const body = profileCall(() => toBytes(res.body, 'body', 'invalid_request'));
    const now = optionalInt(res.now, 'now') ?? nowSeconds();
    const status = optionalInt(res.status, 'status') ?? 0;
    return call('invalid_request', () => this.#native.verifyResponse(status, headers, body, now));
  }

  toJSON() {
    return { keys: this.#count };
  }

  [util.inspect.custom]() {
    return `Rfc9421Verifier ${JSON.stringify(this.toJSON())}`;
  }
}

// ------------------------------------------------------------------------------------------------
// Webhooks

const WEBHOOK_PROVIDERS = Object.freeze(['stripe', 'github', 'slack', 'standard', 'sigwire']);

function webhookSecrets(secret) {
  const list = Array.isArray(secret) ? secret : [secret];
  const bytes = list.map((s) => {
    const b = secretArg(s);
    const copy = Buffer.from(b);
    wipeIfOwned(s, b);
    return copy;
  });
  return { bytes, text: list.map((s) => typeof s === 'string') };
}

/**
 * Verifies a webhook over the raw body bytes as received (never a re-serialised JSON value).
 * @param {'stripe'|'github'|'slack'|'standard'|'sigwire'} provider
 * @param {string|Uint8Array|Array<string|Uint8Array>} secret one secret or several (rotation)
 * @param {any} headers an object (Express `req.headers`), Headers, Map or pairs
 * @param {string|Uint8Array|ArrayBuffer} body the raw body
 * @param {{tolerance?: number, now?: number}} [options]
 * @returns {{provider: string, timestamp: number|null, id: string|null, secretIndex: number}}
 */
function verifyWebhook(provider, secret, headers, body, options = {}) {
  requireText(provider, 'provider', 'invalid_settings');
  const flat = profileCall(() => flattenHeaders(headers));
  const raw = profileCall(() => toBytes(body, 'body', 'invalid_request'));
  const now = optionalInt(options.now, 'now') ?? nowSeconds();
  const tolerance = optionalInt(options.tolerance, 'tolerance', 'invalid_settings') ?? 300;
  const s = webhookSecrets(secret);
  try {
    const v = call('invalid_request', () => native.verifyWebhookNative(provider, s.bytes, s.text, flat, raw, now, tolerance));
    return { provider, timestamp: v.timestamp ?? null, id: v.id ?? null, secretIndex: v.secretIndex };
  } finally {
    for (const b of s.bytes) b.fill(0);
  }
}

/**
 * The headers a provider would send with `body` (`standard` and `sigwire` need `id`).
 * @returns {Record<string, string>}
 */
function signWebhook(provider, secret, body, options = {}) {
  requireText(provider, 'provider', 'invalid_settings');
  const raw = profileCall(() => toBytes(body, 'body', 'invalid_request'));
  const ts = optionalInt(options.timestamp, 'timestamp') ?? nowSeconds();
  const id = options.id === undefined ? undefined : requireText(options.id, 'id', 'invalid_request');
  const s = webhookSecrets(secret);
  try {
    const flat = call('invalid_request', () => native.signWebhookNative(provider, s.bytes, s.text, raw, ts, id));
    const out = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
    return out;
  } finally {
    for (const b of s.bytes) b.fill(0);
  }
}

// ------------------------------------------------------------------------------------------------
// The HTTP client

/** Options of `new Client(...)` that configure sigwire-v1 signing and mean nothing to a profile. */
const SIGWIRE_V1_ONLY = ['keyId', 'secret', 'algorithm', 'signedHeaders', 'signedHeaderPolicy'];

/**
 * The native client behind `new Client({ baseUrl, profile, ... })` (called by http-client.js with
 * the converted options): it signs every attempt with `profile` — `Binance`, `Coinbase`, `Okx`,
 * `Bybit`, `AwsSigV4` or `Rfc9421` — with the same retries, re-signing and clock correction as
 * sigwire-v1. Returns a `NativeClient` or the client error record (`fromClientError`).
 * @param {unknown} profile
 * @param {Record<string, unknown>} options the caller's options (checked for sigwire-v1-only ones)
 * @param {Record<string, unknown>} config the converted native options
 */
function nativeProfileClient(profile, options, config) {
  if (!(profile instanceof Exchange || profile instanceof AwsSigV4 || profile instanceof Rfc9421)) {
    throw makeError('invalid_config',
      `profile must be a signer from sigwire.profiles (Binance, Coinbase, Okx, Bybit, AwsSigV4, Rfc9421), got ${describe(profile)}`);
  }
  const extra = SIGWIRE_V1_ONLY.filter((k) => options[k] !== undefined);
  if (extra.length > 0) {
    throw makeError('invalid_config', `${extra.join(', ')} configure sigwire-v1 signing; give either them or profile, not both`);
  }
  return profile._native.createClient({ ...config, keyId: undefined });
}

module.exports = {
  ProfileError,
  PROFILE_ERROR_CLASSES,
  ERROR_CODES,
  ...classesByName,
  SignedRequest,
  AwsSignedRequest,
  Rfc9421SignedRequest,
  Binance,
  Coinbase,
  Kraken,
  Okx,
  Bybit,
  AwsSigV4,
  AwsSigV4Verifier,
  Rfc9421,
  Rfc9421Verifier,
  WEBHOOK_PROVIDERS,
  verifyWebhook,
  signWebhook,
  nativeProfileClient,
};
