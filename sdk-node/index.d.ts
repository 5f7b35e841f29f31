// Type definitions for sigwire (Node SDK of the sigwire-v1 HMAC request signing scheme).
// Signer, KeyStore, InMemoryReplayStore, Verifier, ReplayTicket, signedFetch and the error classes
// are declared once in lib/common/*.d.ts, beside their one source, for this package and the
// browser package (sigwire-wasm); this file adds what only Node has.
/// <reference types="node" />

export * from './lib/common/errors.js';
export * from './lib/common/signer.js';
export * from './lib/common/keys.js';
export * from './lib/common/verifier.js';
export * from './lib/common/fetch.js';

import type { SigwireError } from './lib/common/errors.js';
import type { Algorithm, Body, HeadersInput, SecretInput, Signer } from './lib/common/signer.js';
import type { TicketReplayStore, ReplayTicket, Verified, Verifier } from './lib/common/verifier.js';

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

/** Milliseconds; `null` (or `Infinity`) means no limit, omitted means the default. */
export type TimeoutMs = number | null;

/** Options of the HTTP Client (the same options and defaults as every Sigwire SDK). */
export interface ClientOptions {
  /** Base URL (`http` or `https`, no query), e.g. `https://api.example.com/v1`. */
  baseUrl: string | URL;
  /** The key id (required unless `profile` is given). */
  keyId?: string;
  /** At least 16 bytes; kept only in Rust memory (required unless `profile` is given). */
  secret?: SecretInput;
  /** Sign every attempt with a signing profile instead of sigwire-v1 (then no keyId/secret/algorithm/signedHeaders). */
  profile?: import('./lib/profiles').ClientProfile;
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
  /**
   * Raw body bytes, sent and signed as they are; or a body never held whole in memory — a
   * `Readable`/`fs` stream, web `ReadableStream`, async iterable or `Blob`, read once into a
   * temporary file (an untouched `fs.ReadStream` is sent from its own path), hashed once and
   * re-sent by every retry.
   */
  body?: Body | NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | Blob;
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
  /**
   * Bodies past this many bytes (default 1 MiB) are hashed while spooled to a temporary file and
   * verified by digest, then handed on as a Readable over the file (Express: `req.body`).
   */
  spoolThreshold?: number;
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

/** A finished body digest: pass it as `bodyDigest` to `Verifier.verify*`. */
export interface BodyDigest {
  algorithm: Algorithm;
  /** Lowercase hex. */
  hex: string;
  /** The body's length in bytes. */
  size: number;
}

/** The core's incremental body digest (same as the one-shot digest of the whole body). */
export class BodyHasher {
  constructor(algorithm?: Algorithm);
  /** Adds the next bytes (a string as UTF-8). */
  update(chunk: Uint8Array | ArrayBuffer | string): this;
  /** Bytes added so far. */
  readonly size: number;
  /** The digest; the hasher cannot be used afterwards. */
  finish(): BodyDigest;
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
      /** The size of a spooled upload handed on as a Readable in `req.body`. */
      sigwireBodySize?: number;
    }
  }
}

/** Signing profiles: AWS SigV4, RFC 9421, exchange presets and webhooks (docs/profiles/). */
export * as profiles from './lib/profiles';
