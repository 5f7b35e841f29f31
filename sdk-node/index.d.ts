// Type definitions for sigwire (Node SDK of the sigwire-v1 HMAC request signing scheme).
/// <reference types="node" />

/** The HMAC algorithms offered. */
export type Algorithm = 'hmac-sha256' | 'hmac-sha512';

/** Body bytes exactly as sent: strings are UTF-8; null/undefined is the empty body. */
export type Body = string | Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView | null | undefined;

/** Secret bytes (at least 16); strings are UTF-8. */
export type SecretInput = string | Uint8Array | ArrayBuffer | ArrayBufferView;

/**
 * Header lines, in order: a plain object (repeated values as arrays; undefined skipped), a fetch
 * `Headers`, a `Map`, `[name, value]` pairs, or a flat `[name, value, name, value, ...]` array
 * (Node's `rawHeaders`).
 */
export type HeadersInput =
  | Record<string, string | number | boolean | ReadonlyArray<string | number> | undefined | null>
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
  /** Unix seconds; default: now. */
  timestamp?: number;
  /** 16–128 base64url characters; default: a fresh 128-bit random nonce. */
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
  /**
   * `'listed'` (default) signs host, content-type (with a body) and `signedHeaders`;
   * `'all-end-to-end'` also signs every other header present (hop-by-hop ones excluded).
   */
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

/** Signs requests for one key id. The secret is kept in native memory only. */
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

/** A replay store that claims a whole ticket (e.g. RedisReplayStore, with the epoch rule). */
export interface TicketReplayStore {
  /** Resolves to the outcome; reject when the store cannot answer (503 replay_store_unavailable). */
  claim(ticket: ReplayTicket): ReplayOutcome | Promise<ReplayOutcome>;
}

/** A replay store implemented in JavaScript (e.g. on Redis `SET NX EXAT`). */
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
  /** Header names that must be signed when present (else 401 `unsigned_header`), e.g. `['x-http-method-override']`. */
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

/** The HTTP client's own error codes (its error kinds that are not a core machine code). */
export type ClientErrorCode = 'timeout' | 'connect' | 'transport' | 'http_status' | 'clock_skew_too_large' | 'too_many_redirects' | 'decode';

/** Any `.code` of a SigwireError: a core machine code or an HTTP-client code. */
export type SigwireErrorCode = ErrorCode | ClientErrorCode;

/**
 * The HTTP client's error kind (`.kind` on every error the Client rejects with): `config`,
 * `invalid_request`, `sign`, `signature_rejected` (then `.code` is the server's machine code), or a
 * ClientErrorCode.
 */
export type ClientErrorKind = 'config' | 'invalid_request' | 'sign' | 'signature_rejected' | ClientErrorCode;

/** Base class of every error sigwire throws. */
export class SigwireError extends Error {
  constructor(code: SigwireErrorCode, message: string, extra?: { httpStatus?: number; skewSeconds?: number; serverTime?: number });
  readonly code: SigwireErrorCode;
  /** For errors from the HTTP Client: its error kind. */
  readonly kind?: ClientErrorKind;
  /** For errors from the HTTP Client: attempts made, where counted. */
  readonly attempts?: number;
  /** The HTTP status a server answers with. */
  httpStatus: number;
  /** For stale_timestamp: request timestamp minus server time, seconds. */
  skewSeconds?: number;
  /** For verification errors: the verifier's Unix time. */
  serverTime?: number;
  toJSON(): { error: SigwireErrorCode };
}
type ErrorClass<C extends ErrorCode> = new (message: string, extra?: { httpStatus?: number; skewSeconds?: number; serverTime?: number }) => SigwireError & { readonly code: C };
export class MissingAuthorizationError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'missing_authorization'; }
export class MalformedAuthorizationError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'malformed_authorization'; }
export class UnsupportedAlgorithmError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'unsupported_algorithm'; }
export class UnknownKeyError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'unknown_key'; }
export class StaleTimestampError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'stale_timestamp'; readonly skewSeconds: number; }
export class ReplayedNonceError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'replayed_nonce'; }
export class SignatureMismatchError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'signature_mismatch'; }
export class InvalidRequestError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'invalid_request'; }
export class InvalidSecretError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'invalid_secret'; }
export class InvalidKeyIdError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'invalid_key_id'; }
export class InvalidConfigError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'invalid_config'; }
export class ReplayStoreUnavailableError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'replay_store_unavailable'; }
/** A header the verifier requires to be signed is present but unsigned (`requireSignedHeaders`). */
export class UnsignedHeaderError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'unsigned_header'; }

/** A time limit of the HTTP Client fired (`timeoutKind`: which one). */
export class SigwireTimeoutError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'timeout'; readonly timeoutKind: 'connect' | 'attempt' | 'total'; }
/** No connection could be established (refused, DNS, TLS). */
export class ConnectError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'connect'; }
/** The connection failed after it was established. */
export class TransportError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'transport'; }
/** The server answered with a 4xx/5xx that is not a signature rejection. */
export class HttpStatusError extends SigwireError {
  constructor(message: string, extra?: object);
  readonly code: 'http_status';
  /** The response status. */
  readonly status: number;
  /** The response body. */
  readonly body: Buffer;
  /** The response headers (lowercase names). */
  readonly headers: Record<string, string>;
}
/** The measured offset to the server's clock is beyond what the client corrects. */
export class ClockSkewTooLargeError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'clock_skew_too_large'; readonly offsetSeconds: number; readonly maxSeconds: number; }
/** More redirects than `maxRedirects`. */
export class TooManyRedirectsError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'too_many_redirects'; readonly limit: number; }
/** A response body is not UTF-8 / not JSON (`text()`, `json()`). */
export class DecodeError extends SigwireError { constructor(message: string, extra?: object); readonly code: 'decode'; }
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

/** Every machine code, in the core's order. */
export const ERROR_CODES: readonly ErrorCode[];
/** The error class of each code. */
export const ERROR_CLASSES: { readonly [C in ErrorCode]: ErrorClass<C> };
/** "X-Sigwire-Server-Time": sent with every failure response. */
export const SERVER_TIME_HEADER: string;

/** Milliseconds; `null` (or `Infinity`) means no limit, omitted means the default. */
export type TimeoutMs = number | null;

/** Options of the HTTP Client (the same options and defaults as every Sigwire SDK). */
export interface ClientOptions {
  /** Base URL (`http` or `https`, no query), e.g. `https://api.example.com/v1`. */
  baseUrl: string | URL;
  keyId: string;
  /** At least 16 bytes; kept only in Rust memory. */
  secret: SecretInput;
  /** Default `hmac-sha256`. */
  algorithm?: Algorithm;
  /** Headers sent on every request (a request's own header of the same name replaces it). */
  defaultHeaders?: HeadersInput;
  /** Extra header names signed on every request (each must be present on every request). */
  signedHeaders?: string[];
  /** `'all-end-to-end'`: also sign every other header present on each request (hop-by-hop excluded). */
  signedHeaderPolicy?: 'listed' | 'all-end-to-end';
  /**
   * More header names never sent to another origin on a redirect, besides Authorization,
   * Proxy-Authorization, Cookie, X-Api-Key, X-Auth-Token and the rest of the default list.
   */
  sensitiveHeaders?: string[];
  /** Defaults: connect 10 s, attempt 30 s, total 60 s. */
  timeouts?: { connectMs?: TimeoutMs; attemptMs?: TimeoutMs; totalMs?: TimeoutMs };
  /** Defaults: 3 attempts, 100 ms base delay, 5 s max delay, Retry-After capped at 30 s, idempotency keys on. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number; idempotencyKeys?: boolean };
  /** Redirects followed per attempt (default 5; 0: a redirect is returned as the response). */
  maxRedirects?: number;
  /** Correct the signing clock from the server's time (default true). */
  clockSkewCorrection?: boolean;
  /** Largest offset corrected, seconds (default 86400). */
  maxClockSkewSeconds?: number;
  /** Default `sigwire-client/<version>`. */
  userAgent?: string;
}

/** Options of one call. */
export interface CallOptions {
  /** Query parameters (a value array repeats the name); space is sent as %20, '+' as %2B. */
  query?: Record<string, string | number | boolean | bigint | ReadonlyArray<string | number | boolean | bigint> | undefined> | URLSearchParams | Iterable<[string, string | number | boolean]>;
  /** A JSON body (JSON.stringify bytes, `Content-Type: application/json` unless set). */
  json?: unknown;
  /** Raw body bytes, sent and signed as they are. */
  body?: Body;
  headers?: HeadersInput;
  /** The Idempotency-Key sent on every attempt (default: generated for POST/PATCH). */
  idempotencyKey?: string;
  /** `false`: send this call without Authorization (everything else unchanged). Default true. */
  sign?: boolean;
  /** Per-call time limits. */
  timeouts?: { attemptMs?: TimeoutMs; totalMs?: TimeoutMs };
}

/** A response with a status below 400, body read whole. */
export class ClientResponse {
  private constructor();
  readonly status: number;
  /** Lowercase names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The URL that answered (after redirects). */
  readonly url: string;
  /** Attempts the call took. */
  readonly attempts: number;
  /** UTF-8 text; throws DecodeError. */
  text(): string;
  /** Parsed JSON; throws DecodeError. */
  json<T = any>(): T;
}

/**
 * HTTP client (the Rust sigwire-client): signs every attempt, retries with backoff and
 * Retry-After, corrects clock skew, follows redirects safely. Rejects with SigwireError subclasses.
 */
export class Client {
  constructor(options: ClientOptions);
  readonly baseUrl: string;
  readonly keyId: string;
  /** The clock offset in use (server − local, seconds). */
  readonly clockOffset: number;
  request(method: string, path: string, options?: CallOptions): Promise<ClientResponse>;
  get(path: string, options?: CallOptions): Promise<ClientResponse>;
  post(path: string, options?: CallOptions): Promise<ClientResponse>;
  put(path: string, options?: CallOptions): Promise<ClientResponse>;
  patch(path: string, options?: CallOptions): Promise<ClientResponse>;
  delete(path: string, options?: CallOptions): Promise<ClientResponse>;
  toJSON(): { baseUrl: string; keyId: string };
}

/** A `fetch` that signs every request (exact bytes and final URL). */
export function signedFetch(signer: Signer, options?: { fetch?: typeof fetch }): typeof fetch;

/** Minimal view of an axios instance. */
export interface AxiosLike {
  getUri(config?: any): string;
}
/** An axios request interceptor: `client.interceptors.request.use(axiosInterceptor(signer, client))`. */
export function axiosInterceptor<C = any>(signer: Signer, axios: AxiosLike): (config: C) => C;

export interface ServerOptions<R = any> {
  verifier: Verifier;
  /** Largest body read for verification, bytes (Express default 1 MiB; Fastify default its bodyLimit). */
  bodyLimit?: number;
  /** The absolute URL the client signed (default: scheme + Host header + path); set behind proxies. */
  getUrl?: (request: R) => string;
  /** The one authority (`host[:port]`) served; any other Host gets 421 `misdirected_request`. */
  authority?: string;
  /** The authorities served; any other Host gets 421 `misdirected_request`. */
  authorities?: string[];
  /** The scheme clients sign (default: the request's protocol); set behind a TLS-terminating proxy. */
  scheme?: 'http' | 'https';
  /** Per-key rate limit and failure guard (429 `rate_limited` / `too_many_failures`). */
  rateLimiter?: RedisRateLimiter;
}

/** Options shared by the Redis store and limiter. */
export interface RedisOptions {
  /** A connected node-redis client (anything with `sendCommand(argv)`). */
  client: { sendCommand(argv: string[]): Promise<unknown> };
  /** Key prefix, 1-64 of `A-Z a-z 0-9 - _ .` (default `sigwire`), as the gateway's `redis.namespace`. */
  namespace?: string;
  /** Deadline per Redis call, ms (default 1000); past it the request gets 503. */
  timeoutMs?: number;
}

/** The replay store of docs/redis-layout.md, shared with the Rust gateway and Python services. */
export class RedisReplayStore implements TicketReplayStore {
  constructor(options: RedisOptions);
  readonly namespace: string;
  claim(ticket: ReplayTicket): Promise<'fresh' | 'replayed' | 'before_epoch'>;
  /** `SET <ns>:epoch <now> NX`. */
  ensureEpoch(now?: number): Promise<void>;
}

/** A GCRA limit: `rate` requests per `perSeconds`, bursts up to `burst` (default `rate`). */
export interface RateLimit {
  rate: number;
  perSeconds?: number;
  burst?: number;
}

/** One limiter decision. */
export interface RateDecision {
  allowed: boolean;
  policy: 'key' | 'failures-key' | 'failures-ip';
  rate: number;
  perSeconds: number;
  remaining: number;
  retryMs: number;
  resetMs: number;
}

/** GCRA rate limits in Redis (docs/redis-layout.md §4). */
export class RedisRateLimiter {
  constructor(options: RedisOptions & { key?: RateLimit; failuresKey?: RateLimit; failuresIp?: RateLimit });
  has(policy: 'key' | 'failures-key' | 'failures-ip'): boolean;
  check(policy: 'key' | 'failures-key' | 'failures-ip', id: string, take: boolean): Promise<RateDecision | null>;
}

/** Express middleware verifying every request over its raw body. */
export function expressMiddleware(options: ServerOptions): (req: any, res: any, next: (err?: unknown) => void) => void;
/** `express.json({ verify: captureRawBody })`: keeps the raw bytes as `req.rawBody`. */
export function captureRawBody(req: any, res: any, buf: Buffer, encoding?: string): void;
/** Fastify plugin: `fastify.register(fastifyPlugin, { verifier })`. */
export function fastifyPlugin(fastify: any, options: ServerOptions, done: (err?: Error) => void): void;

declare global {
  namespace Express {
    interface Request {
      /** Set by sigwire's middleware when the request verified. */
      sigwire?: Verified;
      sigwireKeyId?: string;
      /** The raw body bytes (captureRawBody or sigwire's middleware). */
      rawBody?: Buffer;
    }
  }
}

/** Signing profiles: AWS SigV4, RFC 9421, exchange presets and webhooks (docs/profiles/). */
export * as profiles from './lib/profiles';
