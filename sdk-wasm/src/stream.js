/**
 * Bodies never whole in memory, in the browser (issue 17): a `Blob` or `File` is read through its
 * stream and hashed chunk by chunk in WebAssembly (the core's `BodyHasher`, in the second module);
 * a read-once `ReadableStream` is hashed while it is spooled into a `Blob` (browsers keep large
 * blobs on disk), which is what gets sent. The signature is the one of the whole body in memory.
 *
 *   import { StreamSigner } from 'sigwire-wasm';
 *   const signer = new StreamSigner({ keyId, secret });
 *   const { headers, body } = await signer.sign({ method: 'PUT', url, body: file });
 *   await fetch(url, { method: 'PUT', headers, body });
 */
import { initExt, runExt } from './ext.js';
import { makeError, describe } from './errors.js';
import { secretBytes, wipeIfOwned, urlString, flattenHeaders, headerNames } from '../dist/common/convert.js';

const isBlob = (v) => typeof Blob !== 'undefined' && v instanceof Blob;
const isStream = (v) => typeof ReadableStream !== 'undefined' && v instanceof ReadableStream;

function bytesOf(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  throw makeError('invalid_request', `a body chunk must be bytes or a string (got ${describe(chunk)})`);
}

/**
 * An incremental body digest in the core: `update(chunk)` any number of times, then `finish()` →
 * `{ algorithm, hex, size }` (the same digest as the whole body's). Needs the second module:
 * `await initExt()` first in browsers (Node loads it on first use).
 */
export class BodyHasher {
  #h;

  /** @param {'hmac-sha256'|'hmac-sha512'} [algorithm] default `hmac-sha256` */
  constructor(algorithm) {
    if (algorithm !== undefined && typeof algorithm !== 'string') {
      throw makeError('unsupported_algorithm', `algorithm must be a string (got ${describe(algorithm)})`);
    }
    this.#h = runExt('unsupported_algorithm', (b) => new b.WasmBodyHasher(algorithm));
  }

  /** Adds the next bytes (Uint8Array, ArrayBuffer, a typed array, or a string as UTF-8). */
  update(chunk) {
    const bytes = bytesOf(chunk);
    runExt('invalid_request', () => this.#h.update(bytes));
    return this;
  }

  /** Bytes added so far. */
  get size() {
    return this.#h.size;
  }

  /** `{ algorithm, hex, size }`; the hasher cannot be used afterwards. */
  finish() {
    const [algorithm, hex, size] = runExt('invalid_request', () => this.#h.finish());
    this.#h.free();
    return { algorithm, hex, size: Number(size) };
  }
}

/**
 * Hashes a streamed body: a Blob/File through its own stream (nothing kept), a ReadableStream while
 * spooling it into a Blob. Resolves to `{ digest, body }`, `body` being what to send (the Blob
 * itself, or the spooled Blob; a stream can be read only once).
 * @param {Blob | ReadableStream<Uint8Array>} body
 * @param {'hmac-sha256'|'hmac-sha512'} [algorithm]
 */
export async function hashBody(body, algorithm) {
  await initExt();
  const hasher = new BodyHasher(algorithm);
  if (isBlob(body)) {
    await eachChunk(body.stream(), (c) => hasher.update(c));
    return { digest: hasher.finish(), body };
  }
  if (isStream(body)) {
    // Spool in parts: each part becomes a Blob (storage the browser may page to disk), so at most
    // one part of chunks is held in JavaScript memory at a time.
    const PART = 4 * 1024 * 1024;
    const parts = [];
    let pending = [];
    let pendingBytes = 0;
    await eachChunk(body, (c) => {
      const bytes = bytesOf(c);
      hasher.update(bytes);
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= PART) {
        parts.push(new Blob(pending));
        pending = [];
        pendingBytes = 0;
      }
    });
    parts.push(new Blob(pending));
    return { digest: hasher.finish(), body: new Blob(parts) };
  }
  throw makeError('invalid_request', `a streamed body must be a Blob, File or ReadableStream (got ${describe(body)})`);
}

async function eachChunk(stream, fn) {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      fn(value);
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Signs sigwire-v1 requests whose body is a Blob, File or ReadableStream, hashed incrementally in
 * WebAssembly (never whole in memory). The same options as `Signer`; `sign()` is async.
 */
export class StreamSigner {
  #h = null;
  #args;
  #keyId;
  #algorithm;

  /** @param {{keyId: string, secret: string|Uint8Array|ArrayBuffer, algorithm?: string, signedHeaders?: string[], signedHeaderPolicy?: string}} options */
  constructor(options) {
    if (options === null || typeof options !== 'object') throw makeError('invalid_config', `StreamSigner options must be an object (got ${describe(options)})`);
    const { keyId, secret, algorithm, signedHeaders, signedHeaderPolicy } = options;
    if (typeof keyId !== 'string') throw makeError('invalid_key_id', `keyId must be a string (got ${describe(keyId)})`);
    if (algorithm !== undefined && typeof algorithm !== 'string') throw makeError('unsupported_algorithm', 'algorithm must be a string');
    if (signedHeaderPolicy !== undefined && typeof signedHeaderPolicy !== 'string') throw makeError('invalid_config', 'signedHeaderPolicy must be a string');
    const bytes = secretBytes(secret);
    // A private copy until the module is loaded (then moved into Rust memory and wiped here).
    this.#args = [keyId, new Uint8Array(bytes), algorithm, headerNames(signedHeaders, 'signedHeaders'), signedHeaderPolicy];
    wipeIfOwned(secret, bytes);
    this.#keyId = keyId;
    this.#algorithm = algorithm ?? 'hmac-sha256';
  }

  async #signer() {
    if (this.#h === null) {
      await initExt();
      const [keyId, bytes, algorithm, names, policy] = this.#args;
      try {
        this.#h = runExt('invalid_config', (b) => new b.WasmDigestSigner(keyId, bytes, algorithm, names, policy));
      } finally {
        bytes.fill(0);
        this.#args = null;
      }
    }
    return this.#h;
  }

  /** The key id. */
  get keyId() {
    return this.#keyId;
  }

  /**
   * Hashes the body as it streams and signs. Resolves to `{ headers, body, digest }`: `headers`
   * (the caller's plus `Authorization`) and `body` (send exactly this; a ReadableStream was spooled
   * into a Blob).
   * @param {{method?: string, url: string|URL, headers?: any, body: Blob|ReadableStream, timestamp?: number, nonce?: string}} request
   */
  async sign(request) {
    if (request === null || typeof request !== 'object') throw makeError('invalid_request', `the request must be an object (got ${describe(request)})`);
    const method = request.method ?? 'PUT';
    if (typeof method !== 'string') throw makeError('invalid_request', 'method must be a string');
    const url = urlString(request.url);
    const headers = flattenHeaders(request.headers);
    const signer = await this.#signer();
    const { digest, body } = await hashBody(request.body, this.#algorithm);
    const authorization = runExt('invalid_request', () =>
      signer.authorization(method, url, headers, digest.algorithm, digest.hex, request.timestamp, request.nonce),
    );
    const out = [];
    for (let i = 0; i + 1 < headers.length; i += 2) out.push([headers[i], headers[i + 1]]);
    out.push(['Authorization', authorization]);
    return { headers: out, body, digest };
  }

  toJSON() {
    return { keyId: this.#keyId, algorithm: this.#algorithm };
  }
}
