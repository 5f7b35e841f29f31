// Type definitions for sigwire-wasm (browser/bundler/edge/Node SDK of the sigwire-v1 HMAC
// request signing scheme). The same API as the Node SDK (`sigwire`), plus `init()`: Signer,
// KeyStore, InMemoryReplayStore, Verifier, ReplayTicket, signedFetch, Client and the error classes are
// declared once, beside their one source (sdk-node/lib/common/*.d.ts, copied into dist/common/
// by scripts/esm.mjs); this file adds what only this package has.

export * from '../dist/common/errors.js';
export * from '../dist/common/signer.js';
export * from '../dist/common/keys.js';
export * from '../dist/common/verifier.js';
export * from '../dist/common/fetch.js';
export * from '../dist/common/client.js';

import { Client as SharedClient } from '../dist/common/client.js';
import type { ClientOptions as SharedClientOptions, CallOptions as SharedCallOptions } from '../dist/common/client.js';

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

/** Options of `new Client(...)`: the shared ones (sdk-node/lib/common/client.d.ts) and the browser's. */
export interface ClientOptions extends SharedClientOptions<object> {
  /** Server-clock offsets up to this many seconds are not corrected (default 2). */
  clockSkewThresholdSeconds?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** Options of one Client call: the shared ones and an AbortSignal. */
export interface ClientRequestOptions extends SharedCallOptions {
  /** Aborts the call (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** HTTP client on fetch that signs every attempt (retries, Retry-After, clock skew, deadlines). */
export class Client extends SharedClient<ClientOptions, ClientRequestOptions> {}
