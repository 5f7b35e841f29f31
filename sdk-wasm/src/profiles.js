/**
 * Signing profiles in the browser (issue 14): exchange presets (Binance, Coinbase, Kraken, OKX,
 * Bybit), AWS SigV4 (headers, presigned URLs, verification), RFC 9421 requests (sign, verify) and
 * webhooks (Stripe, GitHub, Slack, Standard Webhooks, Sigwire: sign, verify) — the core's
 * `sigwire_core::profiles`, compiled into the package's second WebAssembly module
 * (bindings/wasm-ext/src/profiles.rs), with the Node package's API (`sigwire.profiles`; the same
 * class names, options and results as sdk-node/lib/profiles.js).
 *
 *   import { initExt, profiles } from 'sigwire-wasm';
 *   await initExt();                         // browsers; Node loads the module on first use
 *   const signed = new profiles.Binance(apiKey, secret).sign({ method: 'GET', url });
 *   fetch(signed.url, { headers: signed.headers });
 *
 * Not here yet (Node has them): RFC 9421 responses and `new Client({ profile })`.
 */
import { runExt } from './ext.js';
import { SigwireError } from './errors.js';
import { toBytes, secretBytes, wipeIfOwned, describe, urlString, flattenHeaders } from '../dist/common/convert.js';

// ------------------------------------------------------------------------------------------------
// Errors

/** Base class of every signing-profile error; `.code` is the stable machine code. */
export class ProfileError extends SigwireError {}
Object.defineProperty(ProfileError.prototype, 'name', { value: 'ProfileError', writable: true, configurable: true });

/**
 * Every profile machine code and its HTTP status (the core's `ProfileErrorCode`). Fixed here so the
 * classes exist before the module is loaded; the tests check the list against the core's.
 */
export const ERROR_CODES = Object.freeze({
  invalid_request: 400,
  invalid_credentials: 500,
  invalid_settings: 500,
  missing_header: 401,
  missing_signature: 401,
  malformed_signature: 401,
  unsupported_algorithm: 401,
  unknown_key: 401,
  credential_scope_mismatch: 401,
  timestamp_out_of_tolerance: 401,
  webhook_timestamp_out_of_tolerance: 401,
  signature_expired: 401,
  digest_mismatch: 401,
  insufficient_coverage: 401,
  signature_mismatch: 401,
  replayed_nonce: 401,
});

const className = (code) => code.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase()) + 'Error';

/** The ProfileError subclass of each code. */
export const PROFILE_ERROR_CLASSES = {};
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
Object.freeze(PROFILE_ERROR_CLASSES);

function profileError(code, message) {
  const cls = PROFILE_ERROR_CLASSES[code];
  return cls ? new cls(message) : new ProfileError(code, message, { httpStatus: 500 });
}

/** Runs `fn` (package conversions or a call into the module); any package error becomes a ProfileError. */
function call(fallbackCode, fn) {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SigwireError && !(e instanceof ProfileError)) throw profileError(e.code, e.message);
    throw e;
  }
}

/** Calls the module: `fn(bindings)`. */
const native = (fallbackCode, fn) => call(fallbackCode, () => runExt(fallbackCode, fn));

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
  const url = call('invalid_request', () => urlString(req.url));
  const headers = call('invalid_request', () => flattenHeaders(req.headers));
  const body = call('invalid_request', () => toBytes(req.body, 'body', 'invalid_request'));
  return { method, url, headers, body };
}

/** Secrets concatenated, with offsets (one more than secrets) and which were strings (0/1). */
function packSecrets(list) {
  const parts = list.map((s) => {
    const b = call('invalid_credentials', () => secretBytes(s));
    const copy = new Uint8Array(b); // a copy (Buffer#slice would be a view of the caller's bytes)
    wipeIfOwned(s, b);
    return copy;
  });
  const offsets = new Uint32Array(parts.length + 1);
  parts.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.length));
  const bytes = new Uint8Array(offsets[parts.length]);
  parts.forEach((p, i) => {
    bytes.set(p, offsets[i]);
    p.fill(0);
  });
  return { bytes, offsets, text: Uint8Array.from(list, (s) => (typeof s === 'string' ? 1 : 0)) };
}

// ------------------------------------------------------------------------------------------------
// Results

const REDACTED = '[redacted]';

function readParams(flat, at, count) {
  const out = new Array(count);
  for (let i = 0; i < count; i++, at += 3) out[i] = Object.freeze({ name: flat[at], value: flat[at + 1], sensitive: flat[at + 2] === '1' });
  return Object.freeze(out);
}

/** The packed result of a signer (bindings/wasm-ext/src/profiles.rs `signed`). */
function unpack(flat) {
  const lines = Number(flat[4]);
  const nh = Number(flat[5]);
  const nq = Number(flat[6]);
  const paramsAt = 7 + 2 * lines;
  return {
    url: flat[0],
    canonicalRequest: flat[1],
    stringToSign: flat[2],
    signatureBase: flat[3],
    headers: flat.slice(7, paramsAt),
    headerParams: readParams(flat, paramsAt, nh),
    queryParams: readParams(flat, paramsAt + 3 * nh, nq),
  };
}

/**
 * A signed request: send `method` to `url` with `headers` and exactly `body`. `headerParams` and
 * `queryParams` are what signing added. JSON and toString hide sensitive values.
 */
export class SignedRequest {
  constructor(method, body, raw, extra = {}) {
    /** @type {string} */ this.method = method;
    /** @type {string} */ this.url = raw.url;
    /** @type {Array<[string, string]>} header lines in order (repeats kept) */
    this.headerList = [];
    for (let i = 0; i + 1 < raw.headers.length; i += 2) this.headerList.push([raw.headers[i], raw.headers[i + 1]]);
    /** @type {Record<string, string>} the same lines as an object (repeats joined with ", ") */
    this.headers = {};
    for (const [n, v] of this.headerList) this.headers[n] = n in this.headers ? `${this.headers[n]}, ${v}` : v;
    /** @type {Uint8Array} */ this.body = body;
    this.headerParams = raw.headerParams;
    this.queryParams = raw.queryParams;
    Object.assign(this, extra);
  }

  /** The value of header `name` (case-insensitive) after signing, or undefined. */
  header(name) {
    const lower = String(name).toLowerCase();
    const hit = this.headerList.find(([n]) => n.toLowerCase() === lower);
    return hit ? hit[1] : undefined;
  }

  toJSON() {
    const secret = new Set(this.headerParams.filter((p) => p.sensitive).map((p) => p.name.toLowerCase()));
    const url = this.queryParams.some((p) => p.sensitive) ? this.url.split('?')[0] + '?' + REDACTED : this.url;
    const headers = this.headerList.map(([n, v]) => [n, secret.has(n.toLowerCase()) ? REDACTED : v]);
    return { method: this.method, url, headers, bodyLength: this.body.length };
  }

  /** Node's util.inspect (no secret: the JSON form). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  toString() {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}

/** A SigV4-signed request, with `canonicalRequest` and `stringToSign` for debugging. */
export class AwsSignedRequest extends SignedRequest {}
/** An RFC 9421-signed request, with the `signatureBase`. */
export class Rfc9421SignedRequest extends SignedRequest {}

// ------------------------------------------------------------------------------------------------
// Exchanges

class Exchange {
  #native;

  constructor(kind, apiKey, secret, options) {
    requireText(apiKey, 'apiKey', 'invalid_credentials');
    requireText(secret, 'secret', 'invalid_credentials');
    const o = options || {};
    this.#native = native('invalid_credentials', (b) => new b.NativeExchange(kind, apiKey, secret, o.passphrase, o.recvWindow, o.simulatedTrading));
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
    const raw = unpack(native('invalid_request', () => this.#native.sign(method, url, headers, body, ts)));
    return new SignedRequest(method, body, raw);
  }

  get _native() {
    return this.#native;
  }

  toJSON() {
    return { apiKey: this.apiKey };
  }

  /** Node's util.inspect (no secret: the JSON form). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  toString() {
    return `${this.constructor.name} ${JSON.stringify(this.toJSON())}`;
  }
}

/** Binance: `recvWindow` and `timestamp` added unless present, `signature` last, `X-MBX-APIKEY`. */
export class Binance extends Exchange {
  /** @param {{recvWindow?: number|null}} [options] `recvWindow: null` adds none (default 5000). */
  constructor(apiKey, secret, options = {}) {
    const w = options.recvWindow === null ? -1 : optionalInt(options.recvWindow, 'recvWindow', 'invalid_settings');
    super('binance', apiKey, secret, { recvWindow: w });
  }
}

/** Coinbase Exchange (`CB-ACCESS-*`): the base64 secret as issued, and the passphrase. */
export class Coinbase extends Exchange {
  constructor(apiKey, secret, passphrase) {
    if (passphrase !== undefined) requireText(passphrase, 'passphrase', 'invalid_credentials');
    super('coinbase', apiKey, secret, { passphrase });
  }
}

/** Kraken spot REST: the nonce lives in the form body, built by `body()`. */
export class Kraken extends Exchange {
  constructor(apiKey, secret) {
    super('kraken', apiKey, secret, {});
  }

  /** The next strictly increasing nonce for this key (`max(nowMs, previous + 1)`). */
  nextNonce(nowMsValue) {
    const now = optionalInt(nowMsValue, 'nowMs') ?? nowMs();
    return native('invalid_request', () => this._native.nextNonce(now));
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
    return native('invalid_request', (b) => b.krakenBody(nonce, flat));
  }
}

/** OKX v5 (`OK-ACCESS-*`); `simulatedTrading` adds `x-simulated-trading: 1`. */
export class Okx extends Exchange {
  constructor(apiKey, secret, passphrase, options = {}) {
    if (passphrase !== undefined) requireText(passphrase, 'passphrase', 'invalid_credentials');
    super('okx', apiKey, secret, { passphrase, simulatedTrading: Boolean(options.simulatedTrading) });
  }
}

/** Bybit v5 (`X-BAPI-*`). */
export class Bybit extends Exchange {
  constructor(apiKey, secret, options = {}) {
    super('bybit', apiKey, secret, { recvWindow: optionalInt(options.recvWindow, 'recvWindow', 'invalid_settings') });
  }
}

// ------------------------------------------------------------------------------------------------
// AWS SigV4

/** AWS Signature Version 4: headers or presigned URLs, generic or S3 rules. */
export class AwsSigV4 {
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
    this.#native = native('invalid_credentials', (b) =>
      new b.NativeAwsSigV4(accessKeyId, secretAccessKey, region, service, sessionToken ?? undefined, Boolean(s3), signSessionToken !== false),
    );
    this.#scope = { region, service };
  }

  get accessKeyId() {
    return this.#native.accessKeyId;
  }

  /**
   * Signs in headers at `timestamp` (Unix seconds, default now).
   * @param {{method?: string, url: string|URL, headers?: any, body?: any, timestamp?: number, unsignedPayload?: boolean}} req
   * @returns {AwsSignedRequest}
   */
  sign(req) {
    const { method, url, headers, body } = requestArgs(req);
    const ts = optionalInt(req.timestamp, 'timestamp') ?? nowSeconds();
    const raw = unpack(native('invalid_request', () => this.#native.sign(method, url, headers, body, ts, Boolean(req.unsignedPayload), undefined)));
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
    return unpack(native('invalid_request', () => this.#native.sign(method, url, headers, body, ts, unsigned, expires))).url;
  }

  toJSON() {
    return { accessKeyId: this.accessKeyId, ...this.#scope };
  }

  /** Node's util.inspect (no secret: the JSON form). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  toString() {
    return `AwsSigV4 ${JSON.stringify(this.toJSON())}`;
  }
}

/** Verifies SigV4 requests (headers or presigned) for one region and service. */
export class AwsSigV4Verifier {
  #native;
  #info;

  /** @param {{region: string, service: string, credentials: Record<string, string>, s3?: boolean, maxClockSkew?: number}} options */
  constructor(options) {
    if (options === null || typeof options !== 'object') throw profileError('invalid_credentials', 'AwsSigV4Verifier options must be an object');
    const { region, service, credentials, s3, maxClockSkew } = options;
    if (credentials === null || typeof credentials !== 'object') throw profileError('invalid_credentials', 'credentials must map access key ids to secrets');
    const flat = [];
    for (const [id, secret] of Object.entries(credentials)) flat.push(id, requireText(secret, 'a secret access key', 'invalid_credentials'));
    requireText(region, 'region', 'invalid_settings');
    requireText(service, 'service', 'invalid_settings');
    const skew = optionalInt(maxClockSkew, 'maxClockSkew', 'invalid_settings');
    this.#native = native('invalid_credentials', (b) => new b.NativeAwsVerifier(region, service, flat, Boolean(s3), skew));
    this.#info = { region, service, keys: flat.length / 2 };
  }

  /** Verifies at `now` (Unix seconds, default now): `{accessKeyId, signedHeaders, presigned, signedAt}`. */
  verify(req) {
    const { method, url, headers, body } = requestArgs(req);
    const now = optionalInt(req.now, 'now') ?? nowSeconds();
    const [accessKeyId, presigned, signedAt, ...signedHeaders] = native('invalid_request', () => this.#native.verify(method, url, headers, body, now));
    return { accessKeyId, signedHeaders, presigned: presigned === '1', signedAt: Number(signedAt) };
  }

  toJSON() {
    return { ...this.#info };
  }

  /** Node's util.inspect (no secret: the JSON form). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  toString() {
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
    label: o.label === undefined || o.label === null ? undefined : requireText(o.label, 'label', 'invalid_settings'),
    components: list(o.components, 'components'),
    expiresIn: optionalInt(o.expiresIn, 'expiresIn', 'invalid_settings'),
    includeAlg: Boolean(o.includeAlg),
    tag: o.tag === undefined ? undefined : requireText(o.tag, 'tag', 'invalid_settings'),
    requiredComponents: list(o.requiredComponents, 'requiredComponents'),
    maxAge: optionalInt(o.maxAge, 'maxAge', 'invalid_settings'),
    maxAhead: optionalInt(o.maxAhead, 'maxAhead', 'invalid_settings'),
  };
}

/** RFC 9421 HTTP Message Signatures (`hmac-sha256`) for requests. */
export class Rfc9421 {
  #native;
  #keyId;

  /**
   * @param {string} keyId
   * @param {string|Uint8Array|ArrayBuffer} secret
   * @param {{label?: string, components?: string[], expiresIn?: number, includeAlg?: boolean, tag?: string}} [options]
   */
  constructor(keyId, secret, options) {
    requireText(keyId, 'keyId', 'invalid_credentials');
    const o = rfcOptions(options);
    const s = packSecrets([secret]);
    try {
      this.#native = native('invalid_settings', (b) => new b.NativeRfc9421(keyId, s.bytes, o.label, o.components, o.expiresIn, o.includeAlg, o.tag));
    } finally {
      s.bytes.fill(0);
    }
    this.#keyId = keyId;
  }

  /** Signs a request: `Content-Digest` (when covered), `Signature-Input`, `Signature`. */
  sign(req) {
    const { method, url, headers, body } = requestArgs(req);
    const created = optionalInt(req.created, 'created') ?? nowSeconds();
    const nonce = req.nonce === undefined || req.nonce === null ? undefined : requireText(req.nonce, 'nonce', 'invalid_request');
    const raw = unpack(native('invalid_request', () => this.#native.signRequest(method, url, headers, body, created, nonce)));
    return new Rfc9421SignedRequest(method, body, raw, { signatureBase: raw.signatureBase });
  }

  toJSON() {
    return { keyId: this.#keyId };
  }

  /** Node's util.inspect (no secret: the JSON form). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  toString() {
    return `Rfc9421 ${JSON.stringify(this.toJSON())}`;
  }
}

/** Verifies RFC 9421 `hmac-sha256` request signatures; `keys` maps keyid to secret. */
export class Rfc9421Verifier {
  #native;
  #count;

  /** @param {Record<string, string|Uint8Array>} keys @param {{label?: string, requiredComponents?: string[], maxAge?: number, maxAhead?: number}} [options] */
  constructor(keys, options) {
    if (keys === null || typeof keys !== 'object') throw profileError('invalid_credentials', 'keys must map key ids to secrets');
    const ids = Object.keys(keys);
    const o = rfcOptions(options);
    const s = packSecrets(ids.map((id) => keys[id]));
    try {
      this.#native = native('invalid_settings', (b) => new b.NativeRfc9421Verifier(ids, s.bytes, s.offsets, o.label, o.requiredComponents, o.maxAge, o.maxAhead));
    } finally {
      s.bytes.fill(0);
    }
    this.#count = ids.length;
  }

  /** Verifies a request at `now` (Unix seconds, default now): `{label, keyId, created, expires, nonce, tag, components}`. */
  verify(req) {
    const { method, url, headers, body } = requestArgs(req);
    const now = optionalInt(req.now, 'now') ?? nowSeconds();
    const [label, keyId, created, expires, nonce, tag, ...components] = native('invalid_request', () => this.#native.verifyRequest(method, url, headers, body, now));
    const opt = (v) => (v === '' ? undefined : v);
    return { label, keyId, created: Number(created), expires: expires === '' ? undefined : Number(expires), nonce: opt(nonce), tag: opt(tag), components };
  }

  toJSON() {
    return { keys: this.#count };
  }

  /** Node's util.inspect (no secret: the JSON form). */
  [Symbol.for('nodejs.util.inspect.custom')]() {
    return this.toString();
  }

  toString() {
    return `Rfc9421Verifier ${JSON.stringify(this.toJSON())}`;
  }
}

// ------------------------------------------------------------------------------------------------
// Webhooks

/** The webhook providers. */
export const WEBHOOK_PROVIDERS = Object.freeze(['stripe', 'github', 'slack', 'standard', 'sigwire']);

/**
 * Verifies a webhook over the raw body bytes as received (never a re-serialised JSON value).
 * @param {'stripe'|'github'|'slack'|'standard'|'sigwire'} provider
 * @param {string|Uint8Array|Array<string|Uint8Array>} secret one secret or several (rotation)
 * @param {any} headers an object, Headers, Map or pairs
 * @param {string|Uint8Array|ArrayBuffer} body the raw body
 * @param {{tolerance?: number, now?: number}} [options]
 * @returns {{provider: string, timestamp: number|null, id: string|null, secretIndex: number}}
 */
export function verifyWebhook(provider, secret, headers, body, options = {}) {
  requireText(provider, 'provider', 'invalid_settings');
  const flat = call('invalid_request', () => flattenHeaders(headers));
  const raw = call('invalid_request', () => toBytes(body, 'body', 'invalid_request'));
  const now = optionalInt(options.now, 'now') ?? nowSeconds();
  const tolerance = optionalInt(options.tolerance, 'tolerance', 'invalid_settings') ?? 300;
  const s = packSecrets(Array.isArray(secret) ? secret : [secret]);
  try {
    const [ts, id, index] = native('invalid_request', (b) => b.verifyWebhookNative(provider, s.bytes, s.offsets, s.text, flat, raw, now, tolerance));
    return { provider, timestamp: ts === '' ? null : Number(ts), id: id === '' ? null : id, secretIndex: Number(index) };
  } finally {
    s.bytes.fill(0);
  }
}

/**
 * The headers a provider would send with `body` (`standard` and `sigwire` need `id`).
 * @returns {Record<string, string>}
 */
export function signWebhook(provider, secret, body, options = {}) {
  requireText(provider, 'provider', 'invalid_settings');
  const raw = call('invalid_request', () => toBytes(body, 'body', 'invalid_request'));
  const ts = optionalInt(options.timestamp, 'timestamp') ?? nowSeconds();
  const id = options.id === undefined || options.id === null ? undefined : requireText(options.id, 'id', 'invalid_request');
  const s = packSecrets(Array.isArray(secret) ? secret : [secret]);
  try {
    const flat = native('invalid_request', (b) => b.signWebhookNative(provider, s.bytes, s.offsets, s.text, raw, ts, id));
    const out = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]] = flat[i + 1];
    return out;
  } finally {
    s.bytes.fill(0);
  }
}

/** The core's own list of profile codes, flat `[code, status, …]` (for tests). */
export const coreErrorCodes = () => native('invalid_request', (b) => b.profileErrorCodes());

export const {
  InvalidRequestError,
  InvalidCredentialsError,
  InvalidSettingsError,
  MissingHeaderError,
  MissingSignatureError,
  MalformedSignatureError,
  UnsupportedAlgorithmError,
  UnknownKeyError,
  CredentialScopeMismatchError,
  TimestampOutOfToleranceError,
  WebhookTimestampOutOfToleranceError,
  SignatureExpiredError,
  DigestMismatchError,
  InsufficientCoverageError,
  SignatureMismatchError,
  ReplayedNonceError,
} = classesByName;
