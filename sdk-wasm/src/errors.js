/**
 * Typed errors. Everything this package throws is a `SigwireError` (or a subclass per machine
 * code) with a stable `.code`, the core's machine codes (SPEC.md §7). Errors coming out of
 * WebAssembly are mapped to these classes in one place: `fromFailure()` in runtime.js.
 */

/** Every machine code, in the core's order (a test checks this list against the core's). */
export const ERROR_CODES = Object.freeze([
  'missing_authorization',
  'malformed_authorization',
  'unsupported_algorithm',
  'unknown_key',
  'stale_timestamp',
  'replayed_nonce',
  'signature_mismatch',
  'invalid_request',
  'invalid_secret',
  'invalid_key_id',
  'invalid_config',
  'replay_store_unavailable',
  'unsigned_header',
]);

/** The header a verifying server sends with failures, carrying its Unix time (checked against the core). */
export const SERVER_TIME_HEADER = 'X-Sigwire-Server-Time';

/** code -> HTTP status, answered by the core once the module is loaded (runtime.js sets it). */
let statusOf = (_code) => 0;

/** @internal runtime.js installs the core's status table. */
export function setStatusLookup(fn) {
  statusOf = fn;
}

/** Base class of every error thrown by sigwire-wasm. */
export class SigwireError extends Error {
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
    this.httpStatus = extra.httpStatus ?? (statusOf(String(code)) || 500);
    if (extra.skewSeconds !== undefined) this.skewSeconds = extra.skewSeconds;
    if (extra.serverTime !== undefined) this.serverTime = extra.serverTime;
  }

  /** The public JSON body a server sends: `{ error: code }`. */
  toJSON() {
    return { error: this.code };
  }
}
Object.defineProperty(SigwireError.prototype, 'name', { value: 'SigwireError', writable: true, configurable: true });

function subclass(code, name) {
  const cls = {
    [name]: class extends SigwireError {
      constructor(message, extra) {
        super(code, message, extra);
      }
    },
  }[name];
  Object.defineProperty(cls.prototype, 'name', { value: name, writable: true, configurable: true });
  return cls;
}

export const MissingAuthorizationError = subclass('missing_authorization', 'MissingAuthorizationError');
export const MalformedAuthorizationError = subclass('malformed_authorization', 'MalformedAuthorizationError');
export const UnsupportedAlgorithmError = subclass('unsupported_algorithm', 'UnsupportedAlgorithmError');
export const UnknownKeyError = subclass('unknown_key', 'UnknownKeyError');
export const StaleTimestampError = subclass('stale_timestamp', 'StaleTimestampError');
export const ReplayedNonceError = subclass('replayed_nonce', 'ReplayedNonceError');
export const SignatureMismatchError = subclass('signature_mismatch', 'SignatureMismatchError');
export const InvalidRequestError = subclass('invalid_request', 'InvalidRequestError');
export const InvalidSecretError = subclass('invalid_secret', 'InvalidSecretError');
export const InvalidKeyIdError = subclass('invalid_key_id', 'InvalidKeyIdError');
export const InvalidConfigError = subclass('invalid_config', 'InvalidConfigError');
export const ReplayStoreUnavailableError = subclass('replay_store_unavailable', 'ReplayStoreUnavailableError');
export const UnsignedHeaderError = subclass('unsigned_header', 'UnsignedHeaderError');

/** The error class of each machine code. */
export const ERROR_CLASSES = Object.freeze({
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

/** Builds the error for `code` (an unknown code becomes a plain SigwireError). */
export function makeError(code, message, extra) {
  const cls = ERROR_CLASSES[code];
  return cls ? new cls(message, extra) : new SigwireError(code, message, extra);
}

/** A short description of a value's type for messages (never the value itself). */
export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value.constructor && value.constructor.name) || 'object';
  return typeof value;
}
