// Types of client.js, shared by the Node package (sigwire) and the browser package (sigwire-wasm).
// Each package's index.d.ts adds the options only it has (Node: timeouts.connectMs, userAgent and
// streamed bodies; browser: fetch, clockSkewThresholdSeconds and signal) through the type
// parameters of Client.
import type { Algorithm, Body, HeadersInput, SecretInput } from './signer.js';

/** Milliseconds; `null` (or `Infinity`) means no limit, omitted means the default. */
export type TimeoutMs = number | null;

/** Options of the HTTP Client (the same options and defaults as every Sigwire SDK). */
export interface ClientOptions<Profile = unknown> {
  /** Base URL (`http` or `https`, no query, fragment or credentials), e.g. `https://api.example.com/v1`. */
  baseUrl: string | URL;
  /** The key id (required unless `profile` is given). */
  keyId?: string;
  /** At least 16 bytes; handed to the back end, never kept in JavaScript (required unless `profile` is given). */
  secret?: SecretInput;
  /**
   * Sign every attempt with a signing profile of `profiles` (Binance, Coinbase, Okx, Bybit,
   * AwsSigV4, Rfc9421; not Kraken) instead of sigwire-v1: then no keyId/secret/algorithm/signedHeaders.
   */
  profile?: Profile;
  /** Default `hmac-sha256`. */
  algorithm?: Algorithm;
  /** Headers sent on every request. */
  defaultHeaders?: HeadersInput;
  /** Extra header names signed on every request (each must be present on every request). */
  signedHeaders?: string[];
  /** `'all-end-to-end'`: also sign every other header present on each request (hop-by-hop excluded). */
  signedHeaderPolicy?: 'listed' | 'all-end-to-end';
  /** More header names never sent to another origin on a redirect, besides SENSITIVE_HEADERS. */
  sensitiveHeaders?: string[];
  /** Per attempt (default 30 s) and for the whole call (default 60 s). */
  timeouts?: { attemptMs?: TimeoutMs; totalMs?: TimeoutMs };
  /** Defaults: 3 attempts, 100 ms base delay, 5 s max delay, Retry-After capped at 30 s, idempotency keys on. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number; idempotencyKeys?: boolean };
  /** Redirects followed per attempt (default 5; 0: a redirect is returned as the response). Browsers hide redirects: see the browser README. */
  maxRedirects?: number;
  /** Correct the signing clock from the server's time (default true). */
  clockSkewCorrection?: boolean;
  /** Largest offset corrected, seconds (default 86400). */
  maxClockSkewSeconds?: number;
}

/** Options of one call; `BodyInput` is what the package takes as a body. */
export interface CallOptions<BodyInput = Body> {
  /** Query parameters (a value array repeats the name); every byte but A-Z a-z 0-9 - . _ ~ escaped: space as %20, '+' as %2B. */
  query?: Record<string, string | number | boolean | bigint | ReadonlyArray<string | number | boolean | bigint> | undefined> | URLSearchParams | Iterable<readonly [string, string | number | boolean]>;
  /** A JSON body (the JSON.stringify bytes, `Content-Type: application/json` unless set). */
  json?: unknown;
  /** Raw body bytes (strings are UTF-8), sent and signed as they are. */
  body?: BodyInput;
  headers?: HeadersInput;
  /** The Idempotency-Key sent (and signed) on every attempt; makes POST/PATCH retryable. Generated when absent. */
  idempotencyKey?: string;
  /** `false`: send this call without Authorization (everything else unchanged). Default true. */
  sign?: boolean;
  /** Per-call time limits. */
  timeouts?: { attemptMs?: TimeoutMs; totalMs?: TimeoutMs };
}

/** Header names never sent to another origin on a redirect (lowercase), as the Rust client's. */
export const SENSITIVE_HEADERS: readonly string[];

/** A response with a status below 400, body read whole. */
export class ClientResponse {
  constructor(status: number, headers: Record<string, string>, body: Uint8Array, url: string, attempts: number);
  readonly status: number;
  /** Lowercase names; repeated headers joined with ", ". */
  readonly headers: Record<string, string>;
  /** The body bytes (a Buffer in Node). */
  readonly body: Uint8Array;
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
 * HTTP client: signs every attempt (sigwire-v1 or a profile), retries with backoff and
 * Retry-After, corrects clock skew, follows redirects safely. Rejects with SigwireError subclasses.
 */
export class Client<Options extends ClientOptions<any> = ClientOptions, Call extends CallOptions<any> = CallOptions, Response extends ClientResponse = ClientResponse> {
  constructor(options: Options);
  readonly baseUrl: string;
  /** The key id (the empty string for a profile client). */
  readonly keyId: string;
  /** The clock offset in use (server − local, seconds). */
  readonly clockOffset: number;
  request(method: string, path: string, options?: Call): Promise<Response>;
  get(path: string, options?: Call): Promise<Response>;
  post(path: string, options?: Call): Promise<Response>;
  put(path: string, options?: Call): Promise<Response>;
  patch(path: string, options?: Call): Promise<Response>;
  delete(path: string, options?: Call): Promise<Response>;
  toJSON(): { baseUrl: string; keyId: string };
}
