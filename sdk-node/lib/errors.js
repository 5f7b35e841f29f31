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
  return makeError(fallbackCode, `invalid argument: ${msg}`);
}

module.exports = { SigwireError, ERROR_CLASSES, makeError, fromNative, ...classesByName };
