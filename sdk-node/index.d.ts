// Type definitions for sigwire (Node SDK of the sigwire-v1 HMAC request signing scheme).
// Signer, KeyStore, InMemoryReplayStore, Verifier, ReplayTicket, signedFetch, Client and the error
// classes are declared once in lib/common/*.d.ts, beside their one source, for this package and the
// browser package (sigwire-wasm); this file adds what only Node has.
/// <reference types="node" />

export * from './lib/common/errors.js';
export * from './lib/common/signer.js';
export * from './lib/common/keys.js';
export * from './lib/common/verifier.js';
export * from './lib/common/fetch.js';
export * from './lib/common/client.js';

import { HttpStatusError as SharedHttpStatusError } from './lib/common/errors.js';
import type { Algorithm, Body, Signer } from './lib/common/signer.js';
import { Client as SharedClient, ClientResponse as SharedClientResponse } from './lib/common/client.js';
import type { ClientOptions as SharedClientOptions, CallOptions as SharedCallOptions, TimeoutMs } from './lib/common/client.js';
import type { TicketReplayStore, ReplayTicket, Verified, Verifier } from './lib/common/verifier.js';

/** Options of the HTTP Client: the shared ones (lib/common/client.d.ts) and Node's. */
export interface ClientOptions extends SharedClientOptions<import('./lib/profiles').ClientProfile> {
  /** Defaults: connect 10 s, attempt 30 s, total 60 s. */
  timeouts?: { connectMs?: TimeoutMs; attemptMs?: TimeoutMs; totalMs?: TimeoutMs };
  /** Default `sigwire-client/<version>`. */
  userAgent?: string;
}

/**
 * Options of one call. `body`: raw bytes, sent and signed as they are; or a body never held whole
 * in memory — a `Readable`/`fs` stream, web `ReadableStream`, async iterable or `Blob`, read once
 * into a temporary file (an untouched `fs.ReadStream` is sent from its own path), hashed once and
 * re-sent by every retry.
 */
export type CallOptions = SharedCallOptions<Body | NodeJS.ReadableStream | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string> | Blob>;

/** A response with a status below 400, body read whole (a Buffer). */
export class ClientResponse extends SharedClientResponse {
  readonly body: Buffer;
}

/** The server answered with a 4xx/5xx that is not a signature rejection (body: a Buffer). */
export class HttpStatusError extends SharedHttpStatusError {
  readonly body: Buffer;
}

/**
 * HTTP client (the Rust sigwire-client): signs every attempt, retries with backoff and
 * Retry-After, corrects clock skew, follows redirects safely. Rejects with SigwireError subclasses.
 */
export class Client extends SharedClient<ClientOptions, CallOptions, ClientResponse> {}

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
