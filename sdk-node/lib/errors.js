'use strict';
/**
 * Typed errors. Every error thrown by this package is a `SigwireError` with a stable `.code`
 * (the core's machine codes, SPEC.md §7). Native errors are mapped to these classes in ONE place:
 * `fromNative()` below.
 */

const native = require('./native');

/** Base class of every error thrown by sigwire. */
class SigwireError extends Error {
  /**
   * @param {string} code stable machine code, e.g. "signature_mismatch"
   * @param {string} message human-readable message (never contains a secret)
   * @param {{httpStatus?: number, skewSeconds?: number, serverTime?: number}} [extra]
   */
  constructor(code, message, extra = {}) {
    super(message);
    /** Stable machine code. */
    this.code = code;
    /** The HTTP status a server answers with for this error. */
    this.httpStatus = extra.httpStatus ?? (native.httpStatus(String(code)) || 500);
    if (extra.skewSeconds !== undefined) /** timestamp − server time, for stale_timestamp */ this.skewSeconds = extra.skewSeconds;
    if (extra.serverTime !== undefined) /** the verifier's Unix time */ this.serverTime = extra.serverTime;
  }

  /** The public JSON body a server sends: `{ error: code }`. */
  toJSON() {
    return { error: this.code };
  }
}
Object.defineProperty(SigwireError.prototype, 'name', { value: 'SigwireError', writable: true, configurable: true });


/** code -> subclass name, in the core's documentation order. */
const CLASS_NAMES = {
  missing_authorization: 'MissingAuthorizationError',
  malformed_authorization: 'MalformedAuthorizationError',
  unsupported_algorithm: 'UnsupportedAlgorithmError',
  unknown_key: 'UnknownKeyError',
  stale_timestamp: 'StaleTimestampError',
  replayed_nonce: 'ReplayedNonceError',
  signature_mismatch: 'SignatureMismatchError',
  invalid_request: 'InvalidRequestError',
  invalid_secret: 'InvalidSecretError',
  invalid_key_id: 'InvalidKeyIdError',
  invalid_config: 'InvalidConfigError',
  replay_store_unavailable: 'ReplayStoreUnavailableError',
  unsigned_header: 'UnsignedHeaderError',
};

/** @type {Record<string, typeof SigwireError>} */
const ERROR_CLASSES = {};
/** @type {Record<string, typeof SigwireError>} subclasses by class name */
const classesByName = {};
for (const [code, name] of Object.entries(CLASS_NAMES)) {
  const cls = {
    [name]: class extends SigwireError {
      constructor(message, extra) {
        super(code, message, extra);
      }
    },
  }[name];
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  ERROR_CLASSES[code] = cls;
  classesByName[name] = cls;
}

/** Builds the error for `code` (unknown codes become a plain SigwireError). */
function makeError(code, message, extra) {
  const cls = ERROR_CLASSES[code];
  return cls ? new cls(message, extra) : new SigwireError(code, message, extra);
}

const SEP = '\u001f';
const MARKER = 'sigwire' + SEP;

/**
 * Converts anything thrown by the native addon into a SigwireError.
 * Native sigwire errors carry an encoded record in their message (see bindings/node/src/lib.rs);
 * argument-conversion failures from N-API become `fallbackCode` (invalid_request or invalid_config).
 */
function fromNative(err, fallbackCode) {
  if (err instanceof SigwireError) return err;
  const msg = err && typeof err.message === 'string' ? err.message : String(err);
  if (msg.startsWith(MARKER)) {
    const [, code, status, skew, serverTime, ...rest] = msg.split(SEP);
    const extra = { httpStatus: Number(status) || undefined };
    if (skew !== '') extra.skewSeconds = Number(skew);
    if (serverTime !== '') extra.serverTime = Number(serverTime);
    return makeError(code, rest.join(SEP), extra);
  }
  // N-API's own message may quote the value (a misplaced secret): it is not repeated.
  return makeError(fallbackCode, 'invalid argument: an argument has the wrong type');
}

/**
 * HTTP client errors (the client's error kinds that are not a core machine code). Their `.code` is
 * the client's kind, the same string in every SDK.
 */
const CLIENT_CLASS_NAMES = {
  timeout: 'SigwireTimeoutError',
  connect: 'ConnectError',
  transport: 'TransportError',
  http_status: 'HttpStatusError',
  clock_skew_too_large: 'ClockSkewTooLargeError',
  too_many_redirects: 'TooManyRedirectsError',
  decode: 'DecodeError',
};
/** @type {Record<string, typeof SigwireError>} client kind -> subclass */
const CLIENT_ERROR_CLASSES = {};
for (const [code, name] of Object.entries(CLIENT_CLASS_NAMES)) {
  const cls = {
    [name]: class extends SigwireError {
      constructor(message, extra = {}) {
        super(code, message, { httpStatus: extra.httpStatus ?? 0, ...extra });
      }
    },
  }[name];
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  CLIENT_ERROR_CLASSES[code] = cls;
  classesByName[name] = cls;
}

/** Client kinds that map onto a core machine code's class. */
const KIND_TO_CODE = { config: 'invalid_config', invalid_request: 'invalid_request' };

/** Lowercase-name header object from a flat [name, value, ...] list (repeats joined with ", "). */
function headerObject(flat) {
  const out = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i];
    out[name] = name in out ? `${out[name]}, ${flat[i + 1]}` : flat[i + 1];
  }
  return out;
}

/**
 * Converts a native HTTP-client error record (`NativeClientError`, bindings/node/src/client.rs)
 * into a SigwireError. Every error of the HTTP client goes through here:
 *  - `signature_rejected`: the class of the server's machine code (SignatureMismatchError, ...),
 *    with `.httpStatus` the response status and `.serverTime`;
 *  - `sign`: the class of the core's code (InvalidSecretError, ...);
 *  - `config` / `invalid_request`: InvalidConfigError / InvalidRequestError;
 *  - the others: SigwireTimeoutError (`.timeoutKind`), ConnectError, TransportError,
 *    HttpStatusError (`.status`, `.body` Buffer, `.headers`), ClockSkewTooLargeError
 *    (`.offsetSeconds`, `.maxSeconds`), TooManyRedirectsError (`.limit`), DecodeError.
 * Every result has `.kind` (the client's error kind) and, where counted, `.attempts`.
 */
function fromClientError(e) {
  let err;
  const extra = {};
  if (e.status != null) extra.httpStatus = e.status;
  if (e.serverTime != null) extra.serverTime = e.serverTime;
  if (e.kind === 'signature_rejected' || e.kind === 'sign') {
    err = makeError(e.code || 'invalid_request', e.message, extra);
  } else if (KIND_TO_CODE[e.kind]) {
    err = makeError(KIND_TO_CODE[e.kind], e.message, extra);
  } else {
    const cls = CLIENT_ERROR_CLASSES[e.kind];
    err = cls ? new cls(e.message, extra) : new SigwireError(e.kind, e.message, { httpStatus: 0, ...extra });
  }
  Object.defineProperty(err, 'kind', { value: e.kind, enumerable: true, writable: true, configurable: true });
  if (e.attempts != null) err.attempts = e.attempts;
  if (e.timeoutKind != null) err.timeoutKind = e.timeoutKind;
  if (e.kind === 'http_status') {
    err.status = e.status;
    err.body = e.body || Buffer.alloc(0);
    err.headers = headerObject(e.headers || []);
  }
  if (e.offsetSeconds != null) err.offsetSeconds = e.offsetSeconds;
  if (e.maxSeconds != null) err.maxSeconds = e.maxSeconds;
  if (e.limit != null) err.limit = e.limit;
  return err;
}

module.exports = {
  SigwireError,
  ERROR_CLASSES,
  CLIENT_ERROR_CLASSES,
  makeError,
  fromNative,
  fromClientError,
  headerObject,
  ...classesByName,
};
