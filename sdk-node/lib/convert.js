'use strict';
/** Conversion of JavaScript inputs into what the native addon takes; bad input -> typed errors. */

const { makeError } = require('./errors');

const EMPTY = new Uint8Array(0);

/**
 * Bytes of a body: string (UTF-8), Buffer, Uint8Array, any other ArrayBufferView, ArrayBuffer,
 * SharedArrayBuffer; null/undefined is the empty body.
 * @returns {Uint8Array}
 */
function toBytes(value, what, code) {
  if (value === undefined || value === null) return EMPTY;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array && !(value instanceof Uint8ClampedArray)) return value;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer) return new Uint8Array(value);
  throw makeError(code, `${what} must be a string, Buffer, Uint8Array or ArrayBuffer (got ${describe(value)})`);
}

/** Secret bytes; strings are UTF-8. */
function secretBytes(value, what = 'secret') {
  if (value === undefined || value === null) throw makeError('invalid_secret', `${what} is required`);
  return toBytes(value, what, 'invalid_secret');
}

/** Zeroes the copy of a string secret made by secretBytes (the native side keeps its own copy). */
function wipeIfOwned(input, bytes) {
  if (typeof input === 'string' && bytes.length > 0) bytes.fill(0);
}

/** A short description of a value's type for messages (never the value itself). */
function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return (value.constructor && value.constructor.name) || 'object';
  return typeof value;
}

function requireString(value, what, code) {
  if (typeof value !== 'string') throw makeError(code, `${what} must be a string (got ${describe(value)})`);
  return value;
}

/** A URL given as a string or a WHATWG URL object. */
function urlString(value, code = 'invalid_request') {
  if (typeof value === 'string') return value;
  if (value instanceof URL) return value.href;
  throw makeError(code, `url must be a string or URL (got ${describe(value)})`);
}

function headerValue(value, name, code) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  // The name is not shown: a swapped name and value would print a credential.
  throw makeError(code, `each header value must be a string, number or boolean (got ${describe(value)})`);
}

/**
 * Flattens headers into [name, value, name, value, ...], in order. Accepts a plain object
 * (string/number values or arrays of them, undefined skipped), a fetch `Headers`, a `Map`, an
 * iterable of [name, value] pairs, or an already flat array of strings (Node's `rawHeaders`).
 * @returns {string[]}
 */
function flattenHeaders(headers, code = 'invalid_request') {
  const out = [];
  if (headers === undefined || headers === null) return out;
  if (typeof headers !== 'object') throw makeError(code, `headers must be an object, Headers, Map or array (got ${describe(headers)})`);
  if (Array.isArray(headers)) {
    if (headers.every((h) => typeof h === 'string')) {
      if (headers.length % 2 !== 0) throw makeError(code, 'a flat headers array must hold name/value pairs');
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
      for (const v of value) out.push(name, headerValue(v, name, code));
    } else {
      out.push(name, headerValue(value, name, code));
    }
  }
  return out;
}

function pushPair(out, pair, code) {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
    throw makeError(code, 'each header must be a [name, value] pair of strings');
  }
  out.push(pair[0], headerValue(pair[1], pair[0], code));
}

/** An optional integer number of seconds (a Date is converted). */
function optionalSeconds(value, what, code) {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) value = Math.floor(value.getTime() / 1000);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw makeError(code, `${what} must be a non-negative integer number of Unix seconds`);
  }
  return value;
}

module.exports = { EMPTY, toBytes, secretBytes, wipeIfOwned, describe, requireString, urlString, flattenHeaders, optionalSeconds };
