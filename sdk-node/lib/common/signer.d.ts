// Types of signer.js, shared by the Node package (sigwire) and the browser package (sigwire-wasm).

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
  /** 16–128 base64url characters; default: a fresh 128-bit random nonce. */
  nonce?: string;
}

/** A received request to verify. */
export interface VerifyRequest {
  method: string;
  url: string | URL;
  headers?: HeadersInput;
  body?: Body;
  /** Instead of `body`: the digest of a body hashed as it was spooled (Node's `BodyHasher.finish()`). */
  bodyDigest?: { algorithm: string; hex: string };
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

/** Signs requests for one key id. The secret is kept in Rust memory only. */
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
