'use strict';
/**
 * Bodies that are never whole in memory (issue 17): the core's incremental body digest
 * (`BodyHasher`, native), and spooling a read-once body (`Readable`, `fs` stream, web
 * `ReadableStream`, async iterable, `Blob`) to a temporary file. The Client sends such a body from
 * the file (hashed once by the native client, re-sent by every retry); the Express/Fastify
 * middleware hashes an upload past its spool threshold while writing it to a file and verifies
 * the digest before the app sees a byte.
 */

const fs = require('node:fs');
const fsp = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const native = require('./native');
const { makeError, fromNative, SigwireError } = require('./errors');
const { describe } = require('./convert');

/**
 * An incremental body digest in the core: `update(chunk)` any number of times, then `finish()` →
 * `{ algorithm, hex, size }`. Pass that as `bodyDigest` to `Verifier.verify`, or sign with
 * `signer`-side helpers; the digest equals the one-shot digest of the whole body.
 */
class BodyHasher {
  #h;

  /** @param {'hmac-sha256'|'hmac-sha512'} [algorithm] default `hmac-sha256` */
  constructor(algorithm) {
    if (algorithm !== undefined && typeof algorithm !== 'string') {
      throw makeError('unsupported_algorithm', `algorithm must be a string (got ${describe(algorithm)})`);
    }
    try {
      this.#h = new native.NativeBodyHasher(algorithm);
    } catch (e) {
      throw fromNative(e, 'unsupported_algorithm');
    }
  }

  /** Adds the next bytes (Buffer, Uint8Array, ArrayBuffer view, or string as UTF-8). */
  update(chunk) {
    let bytes;
    if (typeof chunk === 'string') bytes = Buffer.from(chunk, 'utf8');
    else if (Buffer.isBuffer(chunk)) bytes = chunk;
    else if (ArrayBuffer.isView(chunk)) bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else if (chunk instanceof ArrayBuffer) bytes = Buffer.from(chunk);
    else throw makeError('invalid_request', `a body chunk must be bytes or a string (got ${describe(chunk)})`);
    try {
      this.#h.update(bytes);
    } catch (e) {
      throw fromNative(e, 'invalid_request');
    }
    return this;
  }

  /** Bytes added so far. */
  get size() {
    return this.#h.size;
  }

  /** `{ algorithm, hex, size }`; the hasher cannot be used afterwards. */
  finish() {
    try {
      return this.#h.finish();
    } catch (e) {
      throw fromNative(e, 'invalid_request');
    }
  }
}

/** Whether `body` is read-once or on disk: a Node `Readable`, web `ReadableStream`, async iterable or `Blob`. */
function isStreamBody(body) {
  if (body === null || typeof body !== 'object') return false;
  if (Buffer.isBuffer(body) || ArrayBuffer.isView(body) || body instanceof ArrayBuffer) return false;
  if (typeof Blob !== 'undefined' && body instanceof Blob) return true;
  return typeof body.pipe === 'function' || typeof body.getReader === 'function' || typeof body[Symbol.asyncIterator] === 'function';
}

/** The chunks of a stream body as an async iterable of Buffers (a Blob through its stream). */
async function* chunksOf(body) {
  const source = typeof Blob !== 'undefined' && body instanceof Blob ? body.stream() : body;
  for await (const chunk of source) {
    if (typeof chunk === 'string') yield Buffer.from(chunk, 'utf8');
    else if (Buffer.isBuffer(chunk)) yield chunk;
    else if (ArrayBuffer.isView(chunk)) yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    else throw makeError('invalid_request', `a stream body must yield bytes or strings (got ${describe(chunk)})`);
  }
}

/** A private temporary directory (mode 0700) for one spool file; `remove()` deletes both. */
async function spoolDir() {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sigwire-spool-'));
  return { dir, file: path.join(dir, 'body'), remove: () => fsp.rm(dir, { recursive: true, force: true }) };
}

/** Writes `buf` fully to `fd`. */
async function writeAll(handle, buf) {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await handle.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

/**
 * Reads a stream body once into a temporary file: `{ path, size, remove() }` (call `remove()`
 * when done; it is also removed on any error here). An `fs.ReadStream` of a whole file that was
 * not read yet is sent from its own path, without a copy.
 */
async function spoolBody(body) {
  if (body instanceof fs.ReadStream && typeof body.path === 'string' && body.start === undefined && (body.end === undefined || body.end === Infinity) && body.bytesRead === 0 && !body.readableDidRead) {
    body.destroy(); // the native client reads the file itself
    return { path: body.path, size: undefined, remove: async () => {} };
  }
  const spool = await spoolDir();
  let handle;
  try {
    handle = await fsp.open(spool.file, 'wx', 0o600);
    let size = 0;
    for await (const chunk of chunksOf(body)) {
      await writeAll(handle, chunk);
      size += chunk.length;
    }
    await handle.close();
    handle = undefined;
    return { path: spool.file, size, remove: spool.remove };
  } catch (e) {
    if (handle) await handle.close().catch(() => {});
    await spool.remove();
    if (e instanceof SigwireError) throw e;
    const err = makeError('invalid_request', `cannot read the request body: ${e && e.message}`);
    err.cause = e;
    throw err;
  }
}

module.exports = { BodyHasher, isStreamBody, spoolBody, spoolDir, writeAll };
