// Type definitions for sigwire-wasm (browser/bundler/edge/Node SDK of the sigwire-v1 HMAC
// request signing scheme). The same API as the Node SDK (`sigwire`), plus `init()`: Signer,
// KeyStore, InMemoryReplayStore, Verifier, ReplayTicket, signedFetch and the error classes are
// declared once, beside their one source (sdk-node/lib/common/*.d.ts, copied into dist/common/
// by scripts/esm.mjs); this file adds what only this package has.

export * from '../dist/common/errors.js';
export * from '../dist/common/signer.js';
export * from '../dist/common/keys.js';
export * from '../dist/common/verifier.js';
export * from '../dist/common/fetch.js';

import type { ErrorExtra, SigwireError } from '../dist/common/errors.js';
import type { Algorithm, SecretInput } from '../dist/common/signer.js';

/** Where init() gets the WebAssembly module from (default: sigwire_wasm_bg.wasm next to the package). */
export type InitInput = string | URL | Request | Response | BufferSource | WebAssembly.Module;

/**
 * Loads the WebAssembly module once; later calls resolve immediately. Required before any other
 * call in browsers; in Node the module is loaded on import and this resolves at once.
 */
export function init(input?: InitInput): Promise<void>;

/** Synchronous init from bytes or a compiled module (workers, extensions, edge runtimes). */
export function initSync(input: BufferSource | WebAssembly.Module): void;

/**
 * Loads the package's second WebAssembly module (sigwire_wasm_ext_bg.wasm: the Client's rules and
 * the signing profiles) once. The first Client request does it by itself; in browsers call it
 * before using `profiles` (Node loads it on first use). Default: next to the main module.
 * Signing and verifying with sigwire-v1 never need it.
 */
export function initExt(input?: InitInput): Promise<void>;

/**
 * Signing profiles (the Node package's `profiles` API: Binance, Coinbase, Kraken, Okx, Bybit,
 * AwsSigV4, AwsSigV4Verifier, Rfc9421, Rfc9421Verifier, signWebhook, verifyWebhook, ProfileError
 * and a subclass per code). Typed loosely here; see sdk-node/lib/profiles.d.ts for the shapes.
 */
export const profiles: { readonly [name: string]: any };

/** A finished body digest (the same as the whole body's). */
export interface BodyDigest { readonly algorithm: 'hmac-sha256' | 'hmac-sha512'; readonly hex: string; readonly size: number; }

/** An incremental body digest on the second module (`await initExt()` first in browsers). */
export class BodyHasher {
  constructor(algorithm?: 'hmac-sha256' | 'hmac-sha512');
  /** Adds the next bytes (a string as UTF-8). */
  update(chunk: Uint8Array | ArrayBuffer | ArrayBufferView | string): this;
  /** Bytes added so far. */
  readonly size: number;
  /** The digest; the hasher cannot be used afterwards. */
  finish(): BodyDigest;
}

/** Hashes a Blob/File (through its stream) or a ReadableStream (while spooling it into a Blob); `body` is what to send. */
export function hashBody(body: Blob | ReadableStream<Uint8Array>, algorithm?: 'hmac-sha256' | 'hmac-sha512'): Promise<{ digest: BodyDigest; body: Blob }>;

/** Signs sigwire-v1 requests with a streamed body (Blob, File, ReadableStream), never whole in memory. */
export class StreamSigner {
  constructor(options: { keyId: string; secret: string | Uint8Array | ArrayBuffer; algorithm?: 'hmac-sha256' | 'hmac-sha512'; signedHeaders?: string[]; signedHeaderPolicy?: 'listed' | 'all-end-to-end' });
  readonly keyId: string;
  /** Hashes the body as it streams and signs: send exactly `headers` and `body`. */
  sign(request: { method?: string; url: string | URL; headers?: Record<string, string> | Array<[string, string]>; body: Blob | ReadableStream<Uint8Array>; timestamp?: number; nonce?: string }): Promise<{ headers: Array<[string, string]>; body: Blob; digest: BodyDigest }>;
  toJSON(): { keyId: string; algorithm: string };
}

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
