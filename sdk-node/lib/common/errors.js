'use strict';
/**
 * Typed errors, shared by the Node package (native back end) and the browser package (wasm back
 * end). Everything either package throws is a `SigwireError` (or a subclass per machine code) with
 * a stable `.code`: the core's machine codes (SPEC.md §7), or the HTTP client's own error kinds.
 * Each back end maps what comes out of Rust to these classes in one place (`error()` of the back
 * end: sdk-node/lib/errors.js `fromNative`, sdk-wasm/src/runtime.js `run`). Every export here is
 * public: the packages re-export this module whole (`makeError`, for raising one, is raise.js).
 *
 * This file has no Node built-in and no global beyond ECMAScript: the browser package ships it as
 * an ES module generated at build time (sdk-wasm/scripts/esm.mjs).
 */

/** The header a verifying server sends with failures, carrying its Unix time (checked against the core). */
const SERVER_TIME_HEADER = 'X-Sigwire-Server-Time';

/**
 * The HTTP status a server answers with for each machine code (SPEC.md §7); the contract tests
 * check every entry against the core of each back end (test/contract/api.js).
 */
const HTTP_STATUS = Object.freeze({
  missing_authorization: 401,
  malformed_authorization: 401,
  unsupported_algorithm: 401,
  unknown_key: 401,
  stale_timestamp: 401,
  replayed_nonce: 401,
  signature_mismatch: 401,
  invalid_request: 400,
  invalid_secret: 500,
  invalid_key_id: 500,
  invalid_config: 500,
  replay_store_unavailable: 503,
  unsigned_header: 401,
});

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
    this.httpStatus = extra.httpStatus ?? HTTP_STATUS[code] ?? 500;
    if (extra.skewSeconds !== undefined && extra.skewSeconds !== null) /** timestamp − server time, for stale_timestamp */ this.skewSeconds = extra.skewSeconds;
    if (extra.serverTime !== undefined && extra.serverTime !== null) /** the verifier's Unix time */ this.serverTime = extra.serverTime;
  }

  /** The public JSON body a server sends: `{ error: code }`. */
  toJSON() {
    return { error: this.code };
  }
}
Object.defineProperty(SigwireError.prototype, 'name', { value: 'SigwireError', writable: true, configurable: true });

/** A subclass of SigwireError named `name` for `code`; `defaults` are merged under the caller's extra. */
function subclass(code, name, defaults) {
  const cls = {
    [name]: class extends SigwireError {
      constructor(message, extra) {
        super(code, message, defaults ? { ...defaults, ...extra } : extra);
      }
    },
  }[name];
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  return cls;
}

const MissingAuthorizationError = subclass('missing_authorization', 'MissingAuthorizationError');
const MalformedAuthorizationError = subclass('malformed_authorization', 'MalformedAuthorizationError');
const UnsupportedAlgorithmError = subclass('unsupported_algorithm', 'UnsupportedAlgorithmError');
const UnknownKeyError = subclass('unknown_key', 'UnknownKeyError');
const StaleTimestampError = subclass('stale_timestamp', 'StaleTimestampError');
const ReplayedNonceError = subclass('replayed_nonce', 'ReplayedNonceError');
const SignatureMismatchError = subclass('signature_mismatch', 'SignatureMismatchError');
const InvalidRequestError = subclass('invalid_request', 'InvalidRequestError');
const InvalidSecretError = subclass('invalid_secret', 'InvalidSecretError');
const InvalidKeyIdError = subclass('invalid_key_id', 'InvalidKeyIdError');
const InvalidConfigError = subclass('invalid_config', 'InvalidConfigError');
const ReplayStoreUnavailableError = subclass('replay_store_unavailable', 'ReplayStoreUnavailableError');
const UnsignedHeaderError = subclass('unsigned_header', 'UnsignedHeaderError');

/** The error class of each machine code, in the core's order (the tests check it against the core's). */
const ERROR_CLASSES = Object.freeze({
  missing_authorization: MissingAuthorizationError,
  malformed_authorization: MalformedAuthorizationError,
  unsupported_algorithm: UnsupportedAlgorithmError,
  unknown_key: UnknownKeyError,
  stale_timestamp: StaleTimestampError,
  replayed_nonce: ReplayedNonceError,
  signature_mismatch: SignatureMismatchError,
  invalid_request: InvalidRequestError,
  invalid_secret: InvalidSecretError,
  invalid_key_id: InvalidKeyIdError,
  invalid_config: InvalidConfigError,
  replay_store_unavailable: ReplayStoreUnavailableError,
  unsigned_header: UnsignedHeaderError,
});

/** Every machine code, in the core's order. */
const ERROR_CODES = Object.freeze(Object.keys(ERROR_CLASSES));

// HTTP client errors: the client's error kinds that are not a core machine code. Their `.code` is
// the client's kind, the same string in every SDK; a server never answers with them (status 0).
const NO_STATUS = { httpStatus: 0 };
const SigwireTimeoutError = subclass('timeout', 'SigwireTimeoutError', NO_STATUS);
const ConnectError = subclass('connect', 'ConnectError', NO_STATUS);
const TransportError = subclass('transport', 'TransportError', NO_STATUS);
const HttpStatusError = subclass('http_status', 'HttpStatusError', NO_STATUS);
const ClockSkewTooLargeError = subclass('clock_skew_too_large', 'ClockSkewTooLargeError', NO_STATUS);
const TooManyRedirectsError = subclass('too_many_redirects', 'TooManyRedirectsError', NO_STATUS);
const DecodeError = subclass('decode', 'DecodeError', NO_STATUS);

/** The error class of each HTTP-client error kind. */
const CLIENT_ERROR_CLASSES = Object.freeze({
  timeout: SigwireTimeoutError,
  connect: ConnectError,
  transport: TransportError,
  http_status: HttpStatusError,
  clock_skew_too_large: ClockSkewTooLargeError,
  too_many_redirects: TooManyRedirectsError,
  decode: DecodeError,
});

module.exports = {
  SERVER_TIME_HEADER,
  SigwireError,
  MissingAuthorizationError,
  MalformedAuthorizationError,
  UnsupportedAlgorithmError,
  UnknownKeyError,
  StaleTimestampError,
  ReplayedNonceError,
  SignatureMismatchError,
  InvalidRequestError,
  InvalidSecretError,
  InvalidKeyIdError,
  InvalidConfigError,
  ReplayStoreUnavailableError,
  UnsignedHeaderError,
  ERROR_CLASSES,
  ERROR_CODES,
  SigwireTimeoutError,
  ConnectError,
  TransportError,
  HttpStatusError,
  ClockSkewTooLargeError,
  TooManyRedirectsError,
  DecodeError,
  CLIENT_ERROR_CLASSES,
};
