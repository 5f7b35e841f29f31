// Types of errors.js, shared by the Node package (sigwire) and the browser package (sigwire-wasm).
// The Node package narrows HttpStatusError's body to a Buffer (index.d.ts).

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

/** A time limit of a Client call fired (`timeoutKind`: which one; `connect` only in Node). */
export class SigwireTimeoutError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'timeout'; readonly timeoutKind: 'connect' | 'attempt' | 'total'; }
/** The request could not be sent (refused, DNS, TLS; in browsers also a network error or CORS). */
export class ConnectError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'connect'; }
/** The connection failed after it was established (while the response was read). */
export class TransportError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'transport'; }
/** The server answered with a status >= 400 that is not a signature rejection. */
export class HttpStatusError extends SigwireError {
  constructor(message: string, extra?: ErrorExtra);
  readonly code: 'http_status';
  /** The response status (0 for a browser's opaque redirect). */
  readonly status: number;
  /** The response body (a Buffer in Node). */
  readonly body: Uint8Array;
  /** The response headers (lowercase names). */
  readonly headers: Record<string, string>;
}
/** The measured offset to the server's clock is beyond what the client corrects (`maxClockSkewSeconds`). */
export class ClockSkewTooLargeError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'clock_skew_too_large'; readonly offsetSeconds: number; readonly maxSeconds: number; }
/** More redirects than `maxRedirects`. */
export class TooManyRedirectsError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'too_many_redirects'; readonly limit: number; }
/** A response body is not UTF-8 / not JSON (`text()`, `json()`). */
export class DecodeError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'decode'; }
/** The error class of each HTTP-client code. */
export const CLIENT_ERROR_CLASSES: {
  readonly timeout: typeof SigwireTimeoutError;
  readonly connect: typeof ConnectError;
  readonly transport: typeof TransportError;
  readonly http_status: typeof HttpStatusError;
  readonly clock_skew_too_large: typeof ClockSkewTooLargeError;
  readonly too_many_redirects: typeof TooManyRedirectsError;
  readonly decode: typeof DecodeError;
};
