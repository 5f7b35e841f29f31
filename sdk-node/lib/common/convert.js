'use strict';
/**
 * Conversion of JavaScript inputs into what a back end takes, shared by both packages: bad input
 * becomes a typed error here, before anything reaches Rust. Messages describe a value's type,
 * never the value (a misplaced secret must not be printed).
 */

const { makeError } = require('./raise');

const EMPTY = new Uint8Array(0);

/** A short description of a value's type for messages (never the value itself). */
function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value.constructor && value.constructor.name) || 'object';
  return typeof value;
}

/** Whether an ArrayBuffer was detached (transferred); such a buffer reads as empty, silently. */
function isDetached(buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

function isSharedBuffer(v) {
  return typeof SharedArrayBuffer !== 'undefined' && v instanceof SharedArrayBuffer;
}

/**
 * Bytes of a binary value (Uint8Array and its subclasses such as Buffer, any other
 * ArrayBufferView, ArrayBuffer, SharedArrayBuffer), without copying; undefined for anything else.
 * A detached buffer is refused with `code`.
 */
function viewBytes(value, what, code) {
  if (ArrayBuffer.isView(value)) {
    // Every view of a detached buffer has length 0: a longer view needs no check (the check
    // builds a throwaway view on Node 20, where ArrayBuffer#detached is missing).
    if (value.byteLength === 0 && !isSharedBuffer(value.buffer) && isDetached(value.buffer)) {
      throw makeError(code, `${what} is a view of a detached ArrayBuffer (it was transferred); pass the data again`);
    }
    if (value instanceof Uint8Array && !(value instanceof Uint8ClampedArray)) return value;
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  if (value instanceof ArrayBuffer) {
    if (isDetached(value)) throw makeError(code, `${what} is a detached ArrayBuffer (it was transferred); pass the data again`);
    return new Uint8Array(value);
  }
  if (isSharedBuffer(value)) return new Uint8Array(value);
  return undefined;
}

/**
 * A body as given: a string (kept as a string: a back end may encode it straight into its own
 * memory) or bytes; null/undefined is the empty body.
 * @returns {string | Uint8Array}
 */
function bodyInput(value, what = 'body', code = 'invalid_request') {
  if (value === undefined || value === null) return EMPTY;
  if (typeof value === 'string') return value;
  const bytes = viewBytes(value, what, code);
  if (bytes === undefined) {
    throw makeError(code, `${what} must be a string, Buffer, Uint8Array or ArrayBuffer (got ${describe(value)})`);
  }
  return bytes;
}

/** Bytes of a body or other binary input (strings are UTF-8); null/undefined is empty. */
function toBytes(value, what, code) {
  const b = bodyInput(value, what, code);
  return typeof b === 'string' ? new TextEncoder().encode(b) : b;
}

/** Secret bytes (strings are UTF-8): a copy for a string, a view of the caller's bytes otherwise. */
function secretBytes(value, what = 'secret') {
  if (value === undefined || value === null) throw makeError('invalid_secret', `${what} is required`);
  return toBytes(value, what, 'invalid_secret');
}

/** Zeroes the copy of a string secret made by secretBytes (the back end keeps its own copy). */
function wipeIfOwned(input, bytes) {
  if (typeof input === 'string' && bytes.length > 0) bytes.fill(0);
}

function requireString(value, what, code) {
  if (typeof value !== 'string') throw makeError(code, `${what} must be a string (got ${describe(value)})`);
  return value;
}

/** A URL given as a string or a WHATWG URL object. */
function urlString(value, code = 'invalid_request') {
  if (typeof value === 'string') return value;
  if (typeof URL !== 'undefined' && value instanceof URL) return value.href;
  throw makeError(code, `url must be a string or URL (got ${describe(value)})`);
}

function headerValue(value, code) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  // The name is not shown: a swapped name and value would print a credential.
  throw makeError(code, `each header value must be a string, number or boolean (got ${describe(value)})`);
}

function pushPair(out, pair, code) {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
    throw makeError(code, 'each header must be a [name, value] pair of strings');
  }
  out.push(pair[0], headerValue(pair[1], code));
}

/**
 * Flattens headers into [name, value, name, value, ...], in order. Accepts a plain object
 * (string/number values or arrays of them; undefined and null skipped), a fetch `Headers`, a
 * `Map`, an iterable of [name, value] pairs, or an already flat array of strings (Node's
 * `rawHeaders`).
 * @returns {string[]}
 */
function flattenHeaders(headers, code = 'invalid_request') {
  const out = [];
  if (headers === undefined || headers === null) return out;
  if (typeof headers !== 'object') throw makeError(code, `headers must be an object, Headers, Map or array (got ${describe(headers)})`);
  if (Array.isArray(headers)) {
    if (headers.length > 0 && typeof headers[0] === 'string') {
      if (headers.length % 2 !== 0) throw makeError(code, 'a flat headers array must hold name/value pairs');
      for (const h of headers) {
        if (typeof h !== 'string') throw makeError(code, 'a flat headers array must hold only strings');
      }
      return headers.slice();
    }
    for (const pair of headers) pushPair(out, pair, code);
    return out;
  }
  if (typeof headers[Symbol.iterator] === 'function') {
    // Headers, Map, or any iterable of [name, value].
    for (const pair of headers) pushPair(out, pair, code);
    return out;
  }
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const v of value) out.push(name, headerValue(v, code));
    } else {
      out.push(name, headerValue(value, code));
    }
  }
  return out;
}

/** An optional whole number of Unix seconds (a Date is converted). */
function optionalSeconds(value, what, code) {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) value = Math.floor(value.getTime() / 1000);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw makeError(code, `${what} must be a non-negative integer number of Unix seconds (got ${describe(value)})`);
  }
  return value;
}

/** An optional list of header names (`what` names the option in the message). */
function headerNames(value, what) {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((h) => typeof h === 'string')) {
    throw makeError('invalid_config', `${what} must be an array of header names`);
  }
  return value.slice();
}

module.exports = {
  EMPTY,
  describe,
  bodyInput,
  toBytes,
  secretBytes,
  wipeIfOwned,
  requireString,
  urlString,
  flattenHeaders,
  optionalSeconds,
  headerNames,
};
