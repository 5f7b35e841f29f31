// Type definitions for sigwire-wasm (browser/bundler/edge/Node SDK of the sigwire-v1 HMAC
// request signing scheme). The same API as the Node SDK (`sigwire`), plus `init()`.

/** The HMAC algorithms offered. */
export type Algorithm = 'hmac-sha256' | 'hmac-sha512';

/** Body bytes exactly as sent: strings are UTF-8; null/undefined is the empty body. */
export type Body = string | Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView | null | undefined;

/** Secret bytes (at least 16); strings are UTF-8. */
export type SecretInput = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * Header lines, in order: a plain object (repeated values as arrays; undefined skipped), a fetch
 * `Headers`, a `Map`, `[name, value]` pairs, or a flat `[name, value, name, value, ...]` array.
 */
export type HeadersInput =
  | Record<string, string | number | boolean | ReadonlyArray<string | number> | undefined | null>
  | Headers
  | Iterable<readonly [string, string]>
  | ReadonlyArray<string>
  | null
  | undefined;

/** A request to sign. */
export interface SignRequest {
  /** HTTP method (case-insensitive token). */
  method: string;
  /** The absolute URL sent (http or https). */
  url: string | URL;
  headers?: HeadersInput;
  body?: Body;
  /** Unix seconds (or a Date); default: now. */
  timestamp?: number | Date;
  /** 16–128 base64url characters; default: 128 random bits from crypto.getRandomValues. */
  nonce?: string;
}

/** A received request to verify. */
export interface VerifyRequest {
  method: string;
  url: string | URL;
  headers?: HeadersInput;
  body?: Body;
}

export interface SignerOptions {
  keyId: string;
  secret: SecretInput;
  /** Default "hmac-sha256". */
  algorithm?: Algorithm;
  /** Header names signed after host and content-type; each must then be present. */
  signedHeaders?: readonly string[];
  /** `'listed'` (default) or `'all-end-to-end'`: also sign every other header present (hop-by-hop excluded). */
  signedHeaderPolicy?: 'listed' | 'all-end-to-end';
}

/** The headers to add to a request. */
export interface SignedHeaders {
  Authorization: string;
}

/** Every value of one signature, for debugging. */
export interface SignatureDetails {
  authorization: string;
  canonicalString: string;
  signature: string;
  timestamp: number;
  nonce: string;
  signedHeaders: string[];
}

/** Signs requests for one key id. */
export class Signer {
  constructor(options: SignerOptions);
  readonly keyId: string;
  readonly algorithm: Algorithm;
  readonly signedHeaders: readonly string[];
  readonly signedHeaderPolicy: 'listed' | 'all-end-to-end';
  /** Signs and returns the headers to add: `{ Authorization }`. */
  sign(request: SignRequest): SignedHeaders;
  /** Signs and returns every intermediate value. */
  signDetailed(request: SignRequest): SignatureDetails;
  /** The canonical string that would be signed (debug call). */
  canonicalString(request: SignRequest): string;
  toJSON(): { keyId: string; algorithm: Algorithm; signedHeaders: readonly string[] };
}

/** Secrets per key id, with rotation (the core's InMemoryKeyStore). */
export class KeyStore {
  /** Optionally filled from `{ keyId: secret | secret[] }`. */
  constructor(keys?: Record<string, SecretInput | SecretInput[]>);
  /** Adds a secret, active until `notAfter` (Unix seconds or Date, inclusive) or forever. */
  insert(keyId: string, secret: SecretInput, notAfter?: number | Date): this;
  /** Adds `newSecret` and retires the existing secrets after `oldNotAfter`. */
  rotate(keyId: string, newSecret: SecretInput, oldNotAfter: number | Date): this;
  /** Removes the key id; returns whether it existed. */
  remove(keyId: string): boolean;
}


/** An authenticated request whose nonce is not yet claimed (`Verifier.authenticate`). */
export class ReplayTicket {
  private constructor();
  readonly keyId: string;
  readonly scheme: string;
  /** The nonce to claim (`null` for a scheme without nonces). */
  readonly nonce: string | null;
  /** The request's signing time, Unix seconds. */
  readonly timestamp: number;
  /** Keep the nonce until this Unix time (inclusive): timestamp + window. */
  readonly expiresAt: number;
  /** The verifier's time when the request was authenticated. */
  readonly authenticatedAt: number;
}

/** What a replay store of your own answered for a ticket's nonce. */
export type ReplayOutcome = 'fresh' | 'replayed' | 'before_epoch' | 'unavailable';

/** A replay store that claims a whole ticket (with a shared store's epoch rule). */
export interface TicketReplayStore {
  /** Resolves to the outcome; reject when the store cannot answer (503 replay_store_unavailable). */
  claim(ticket: ReplayTicket): ReplayOutcome | Promise<ReplayOutcome>;
}

/** A replay store implemented in JavaScript (e.g. on Workers KV, a Durable Object, Redis). */
export interface ReplayStore {
  /**
   * Records `(keyId, nonce)` until `expiresAt` (Unix seconds, inclusive). Returns `true` when new,
   * `false` when already recorded. Throw (or reject) when it cannot record: the request is refused
   * with `replay_store_unavailable`.
   */
  checkAndRecord(keyId: string, nonce: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

/** A bounded in-memory replay store for one process (the core's InMemoryReplayStore). */
export class InMemoryReplayStore implements ReplayStore {
  constructor(options?: { capacity?: number });
  checkAndRecord(keyId: string, nonce: string, expiresAt: number, now: number): boolean;
  readonly size: number;
}

export interface VerifierOptions {
  keys: KeyStore | Record<string, SecretInput | SecretInput[]>;
  /** Accepted clock skew either way, seconds (default 300). */
  windowSeconds?: number;
  /** Header names that must be signed when present (else 401 `unsigned_header`). */
  requireSignedHeaders?: readonly string[];
  /** Default: a private InMemoryReplayStore. */
  replayStore?: InMemoryReplayStore | ReplayStore | TicketReplayStore;
}

export interface Verified {
  keyId: string;
  scheme: string;
  timestamp: number;
}

export interface VerifyOptions {
  /** Verify as if the time were `now` (Unix seconds). */
  now?: number;
}

/** Verifies signed requests. */
export class Verifier {
  constructor(options: VerifierOptions);
  readonly windowSeconds: number;
  /** The verifier's clock, Unix seconds. */
  now(): number;
  /** Returns the verified key id, or throws a SigwireError. */
  verify(request: VerifyRequest, options?: VerifyOptions): string;
  verifyDetailed(request: VerifyRequest, options?: VerifyOptions): Verified;
  /** Like verifyDetailed, awaiting an asynchronous replay store. */
  verifyAsync(request: VerifyRequest, options?: VerifyOptions): Promise<Verified>;
  /** The checks that need only the head (missing, malformed, algorithm, stale, unknown key); the body is ignored. */
  precheck(request: VerifyRequest, options?: VerifyOptions): Verified;
  /** Step one of two: every check except replay. */
  authenticate(request: VerifyRequest, options?: VerifyOptions): ReplayTicket;
  /** Step two in the verifier's in-memory store. */
  commit(ticket: ReplayTicket): Verified;
  /** Step two with your own store's answer (`true` = fresh, `false` = replayed); throws the core's error unless fresh. */
  settle(ticket: ReplayTicket, outcome: ReplayOutcome | boolean): Verified;
}

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

export interface ErrorExtra {
  httpStatus?: number;
  skewSeconds?: number;
  serverTime?: number;
}

/** Codes of the HTTP Client's own errors (beside the core's machine codes). */
export type ClientErrorCode = 'timeout' | 'connect' | 'transport' | 'http_status' | 'clock_skew_too_large' | 'too_many_redirects' | 'decode';

/** Every `.code` a SigwireError may carry. */
export type SigwireErrorCode = ErrorCode | ClientErrorCode;

/**
 * What went wrong in a Client call (`.kind` of its errors): the client codes, plus `sign` (the
 * signer refused the request), `signature_rejected` (the server refused the signature; `.code` is
 * its machine code) and `invalid_request`.
 */
export type ClientErrorKind = 'sign' | 'signature_rejected' | 'invalid_request' | ClientErrorCode;

/** Base class of every error sigwire-wasm throws. */
export class SigwireError extends Error {
  constructor(code: SigwireErrorCode, message: string, extra?: ErrorExtra);
  readonly code: SigwireErrorCode;
  /** Set on errors of a Client call. */
  kind?: ClientErrorKind;
  /** Set on errors of a Client call: the attempts made. */
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

/** A `fetch` that signs every request (exact bytes and final URL). */
export function signedFetch(signer: Signer, options?: { fetch?: typeof fetch }): typeof fetch;

/** Where init() gets the WebAssembly module from (default: sigwire_wasm_bg.wasm next to the package). */
export type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the WebAssembly module once; later calls resolve immediately. Required before any other
 * call in browsers; in Node the module is loaded on import and this resolves at once.
 */
export function init(input?: InitInput): Promise<void>;

/** Synchronous init from bytes or a compiled module (workers, extensions, edge runtimes). */
export function initSync(input: BufferSource | WebAssembly.Module): void;

/** A deadline of a Client call passed. */
export class SigwireTimeoutError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'timeout'; readonly timeoutKind: 'attempt' | 'total'; }
/** The request could not be sent (network error, refused connection, blocked by CORS). */
export class ConnectError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'connect'; }
/** The connection failed while the response was read. */
export class TransportError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'transport'; }
/** The server answered with a status >= 400 that is not a signature rejection. */
export class HttpStatusError extends SigwireError {
  constructor(message: string, extra?: ErrorExtra);
  readonly code: 'http_status';
  /** The status (0 for a browser's opaque redirect). */
  readonly status: number;
  /** The response body. */
  readonly body: Uint8Array;
  /** Response headers, lowercase names. */
  readonly headers: Record<string, string>;
}
/** The server clock is further off than `maxClockSkewSeconds`. */
export class ClockSkewTooLargeError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'clock_skew_too_large'; readonly offsetSeconds: number; readonly maxSeconds: number; }
/** More redirects than `maxRedirects`. */
export class TooManyRedirectsError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'too_many_redirects'; readonly limit: number; }
/** `text()` / `json()` could not decode the body. */
export class DecodeError extends SigwireError { constructor(message: string, extra?: ErrorExtra); readonly code: 'decode'; }
/** The Client error classes by code. */
export const CLIENT_ERROR_CLASSES: {
  readonly timeout: typeof SigwireTimeoutError;
  readonly connect: typeof ConnectError;
  readonly transport: typeof TransportError;
  readonly http_status: typeof HttpStatusError;
  readonly clock_skew_too_large: typeof ClockSkewTooLargeError;
  readonly too_many_redirects: typeof TooManyRedirectsError;
  readonly decode: typeof DecodeError;
};

/** Options of `new Client(...)`; defaults are the Rust sigwire-client's. */
export interface ClientOptions {
  /** Base URL (http or https, no query); request paths resolve under it. */
  baseUrl: string | URL;
  keyId: string;
  secret: SecretInput;
  /** Default hmac-sha256. */
  algorithm?: Algorithm;
  /** Headers sent with every request. */
  defaultHeaders?: Record<string, string | number> | Headers | Iterable<readonly [string, string]>;
  /** Extra header names to sign. */
  signedHeaders?: string[];
  /** `'all-end-to-end'`: also sign every other header the client sets on a request (the browser adds some at send time, unsigned). */
  signedHeaderPolicy?: 'listed' | 'all-end-to-end';
  /** More header names never sent to another origin on a redirect (besides SENSITIVE_HEADERS). */
  sensitiveHeaders?: string[];
  /** Per attempt (default 30000) and for the whole call (default 60000); null = no limit. */
  timeouts?: { attemptMs?: number | null; totalMs?: number | null };
  /** Default 3 attempts, 100 ms base delay, 5000 ms max delay, Retry-After capped at 30000 ms, idempotency keys on. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number; idempotencyKeys?: boolean };
  /** Default 5 (only where the runtime exposes redirects: not in browsers, see README). */
  maxRedirects?: number;
  /** Default true. */
  clockSkewCorrection?: boolean;
  /** Default 2. */
  clockSkewThresholdSeconds?: number;
  /** Default 86400. */
  maxClockSkewSeconds?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** Options of one Client call. */
export interface ClientRequestOptions {
  /** Query parameters appended to the URL (every byte but A-Z a-z 0-9 - . _ ~ escaped, space as %20, "+" as %2B). */
  query?: Record<string, string | number | boolean | ReadonlyArray<string | number | boolean> | undefined> | URLSearchParams | Iterable<readonly [string, string | number | boolean]>;
  /** Serialised once with JSON.stringify (Content-Type application/json). */
  json?: unknown;
  /** Raw body bytes (strings are UTF-8). */
  body?: string | Uint8Array | ArrayBuffer | ArrayBufferView | null;
  headers?: Record<string, string | number> | Headers | Iterable<readonly [string, string]>;
  /** Sent (and signed) on every attempt; makes POST/PATCH retryable. Generated when absent. */
  idempotencyKey?: string;
  /** false: send this call without Authorization (everything else unchanged). Default true. */
  sign?: boolean;
  /** Per-call overrides. */
  timeouts?: { attemptMs?: number | null; totalMs?: number | null };
  /** Aborts the call (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** Header names never sent to another origin on a redirect (lowercase), as the Rust client's. */
export const SENSITIVE_HEADERS: readonly string[];

/** A response with a status below 400; the body is read whole. */
export class ClientResponse {
  constructor(status: number, headers: Record<string, string>, body: Uint8Array, url: string, attempts: number);
  readonly status: number;
  /** Lowercase names. */
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  /** The URL that answered. */
  readonly url: string;
  /** Attempts the call took. */
  readonly attempts: number;
  /** UTF-8 text; DecodeError otherwise. */
  text(): string;
  /** Parsed JSON; DecodeError otherwise. */
  json<T = any>(): T;
}

/** HTTP client on fetch that signs every attempt (retries, Retry-After, clock skew, deadlines). */
export class Client {
  constructor(options: ClientOptions);
  readonly baseUrl: string;
  readonly keyId: string;
  /** Offset applied to the signing clock (server − local, seconds). */
  readonly clockOffset: number;
  request(method: string, path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  get(path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  post(path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  put(path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  patch(path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  delete(path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  toJSON(): { baseUrl: string; keyId: string };
}
