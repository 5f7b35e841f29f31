// Types of errors.js, shared by the Node package (sigwire) and the browser package (sigwire-wasm).
// The HTTP client's error classes are declared by each package beside its Client (their bodies
// differ: a Buffer in Node, a Uint8Array in browsers).

/** A stable machine code (SPEC.md §7). */
export type ErrorCode =
  | 'missing_authorization'
  | 'malformed_authorization'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'stale_timestamp'
  | 'replayed_nonce'
  | 'signature_mismatch'
  | 'invalid_request'
  | 'invalid_secret'
  | 'invalid_key_id'
  | 'invalid_config'
  | 'replay_store_unavailable'
  | 'unsigned_header';

/** The HTTP client's own error codes (its error kinds that are not a core machine code). */
export type ClientErrorCode = 'timeout' | 'connect' | 'transport' | 'http_status' | 'clock_skew_too_large' | 'too_many_redirects' | 'decode';

/** Any `.code` of a SigwireError: a core machine code or an HTTP-client code. */
export type SigwireErrorCode = ErrorCode | ClientErrorCode;

/**
 * The HTTP client's error kind (`.kind` on every error a Client call rejects with): `config`,
 * `invalid_request`, `sign` (the signer refused the request), `signature_rejected` (then `.code`
 * is the server's machine code), or a ClientErrorCode.
 */
export type ClientErrorKind = 'config' | 'invalid_request' | 'sign' | 'signature_rejected' | ClientErrorCode;

/** Optional fields of a SigwireError. */
export interface ErrorExtra {
  httpStatus?: number;
  skewSeconds?: number;
  serverTime?: number;
}

/** Base class of every error sigwire throws. */
export class SigwireError extends Error {
  constructor(code: SigwireErrorCode, message: string, extra?: ErrorExtra);
  readonly code: SigwireErrorCode;
  /** For errors of a Client call: its error kind. */
  kind?: ClientErrorKind;
  /** For errors of a Client call: attempts made, where counted. */
  attempts?: number;
  /** The HTTP status a server answers with. */
  httpStatus: number;
  /** For stale_timestamp: request timestamp minus server time, seconds. */
  skewSeconds?: number;
  /** For verification errors: the verifier's Unix time. */
  serverTime?: number;
  toJSON(): { error: SigwireErrorCode };
}
type ErrorClass<C extends ErrorCode> = new (message: string, extra?: ErrorExtra) => SigwireError & { readonly code: C };
export class MissingAuthorizationError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'missing_authorization'; }
export class MalformedAuthorizationError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'malformed_authorization'; }
export class UnsupportedAlgorithmError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'unsupported_algorithm'; }
export class UnknownKeyError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'unknown_key'; }
export class StaleTimestampError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'stale_timestamp'; readonly skewSeconds: number; }
export class ReplayedNonceError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'replayed_nonce'; }
export class SignatureMismatchError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'signature_mismatch'; }
export class InvalidRequestError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'invalid_request'; }
export class InvalidSecretError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'invalid_secret'; }
export class InvalidKeyIdError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'invalid_key_id'; }
export class InvalidConfigError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'invalid_config'; }
export class ReplayStoreUnavailableError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'replay_store_unavailable'; }
/** A header the verifier requires to be signed is present but unsigned (`requireSignedHeaders`). */
export class UnsignedHeaderError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'unsigned_header'; }

/** Every machine code, in the core's order. */
export const ERROR_CODES: readonly ErrorCode[];
/** The error class of each code. */
export const ERROR_CLASSES: { readonly [C in ErrorCode]: ErrorClass<C> };
/** "X-Sigwire-Server-Time": sent with every failure response. */
export const SERVER_TIME_HEADER: string;
