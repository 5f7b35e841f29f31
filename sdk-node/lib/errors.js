'use strict';
/**
 * The native back end's errors: the shared classes (common/errors.js, also the browser package's)
 * plus the one place where what the addon throws becomes one of them: `fromNative()` for the
 * core's errors, `fromClientError()` for the HTTP client's.
 */

const common = require('./common/errors');
const { makeError } = require('./common/raise');

const { SigwireError, CLIENT_ERROR_CLASSES } = common;

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

module.exports = { ...common, makeError, fromNative, fromClientError, headerObject };
