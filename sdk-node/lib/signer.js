'use strict';
/** Signer: the client side. The secret is handed to Rust at construction and never kept in JS. */

const util = require('node:util');
const native = require('./native');
const { fromNative, makeError } = require('./errors');
const { toBytes, secretBytes, wipeIfOwned, requireString, urlString, flattenHeaders, optionalSeconds, describe } = require('./convert');

class Signer {
  /** @type {any} */
  #native;
  #signedHeaders;

  /**
   * @param {{keyId: string, secret: string|Uint8Array|ArrayBuffer, algorithm?: string, signedHeaders?: string[], signedHeaderPolicy?: 'listed' | 'all-end-to-end'}} options
   *   signedHeaderPolicy: `'listed'` (default: host, content-type with a body, then signedHeaders)
   *   or `'all-end-to-end'` (also every other header present, hop-by-hop ones excluded: a header
   *   added on the path, such as X-HTTP-Method-Override, then breaks the signature).
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError('invalid_config', `Signer options must be an object (got ${describe(options)})`);
    }
    const { keyId, secret, algorithm, signedHeaders, signedHeaderPolicy } = options;
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretBytes(secret);
    if (algorithm !== undefined && typeof algorithm !== 'string') {
      throw makeError('unsupported_algorithm', `algorithm must be a string (got ${describe(algorithm)})`);
    }
    if (signedHeaders !== undefined && (!Array.isArray(signedHeaders) || !signedHeaders.every((h) => typeof h === 'string'))) {
      throw makeError('invalid_config', 'signedHeaders must be an array of header names');
    }
    if (signedHeaderPolicy !== undefined && typeof signedHeaderPolicy !== 'string') {
      throw makeError('invalid_config', `signedHeaderPolicy must be "listed" or "all-end-to-end" (got ${describe(signedHeaderPolicy)})`);
    }
    try {
      this.#native = new native.NativeSigner(keyId, bytes, algorithm, signedHeaders, signedHeaderPolicy);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    } finally {
      wipeIfOwned(secret, bytes);
    }
    this.#signedHeaders = Object.freeze((signedHeaders || []).slice());
  }

  /** The key id. */
  get keyId() {
    return this.#native.keyId;
  }

  /** The algorithm, "hmac-sha256" or "hmac-sha512". */
  get algorithm() {
    return this.#native.algorithm;
  }

  /** The signed-header policy, `'listed'` or `'all-end-to-end'`. */
  get signedHeaderPolicy() {
    return this.#native.headerPolicy;
  }

  /** Extra header names signed after host and content-type. */
  get signedHeaders() {
    return this.#signedHeaders;
  }

  /**
   * Signs a request and returns the headers to add: `{ Authorization }`.
   * @param {{method: string, url: string|URL, headers?: any, body?: any, timestamp?: number, nonce?: string}} request
   */
  sign(request) {
    const a = args(request);
    try {
      return { Authorization: this.#native.authorization(a[0], a[1], a[2], a[3], a[4], a[5]) };
    } catch (e) {
      throw fromNative(e, 'invalid_request');
    }
  }

  /**
   * Signs and returns every intermediate value: authorization, canonicalString, signature,
   * timestamp, nonce, signedHeaders (array). For debugging signature mismatches.
   */
  signDetailed(request) {
    const a = args(request);
    let s;
    try {
      s = this.#native.sign(a[0], a[1], a[2], a[3], a[4], a[5]);
    } catch (e) {
      throw fromNative(e, 'invalid_request');
    }
    return {
      authorization: s.authorization,
      canonicalString: s.canonicalString,
      signature: s.signature,
      timestamp: s.timestamp,
      nonce: s.nonce,
      signedHeaders: s.signedHeaders.split(';'),
    };
  }

  /** The canonical string that would be signed (debug call; pass timestamp and nonce to reproduce one). */
  canonicalString(request) {
    return this.signDetailed(request).canonicalString;
  }

  /** JSON form: no secret. */
  toJSON() {
    return { keyId: this.keyId, algorithm: this.algorithm, signedHeaders: this.#signedHeaders };
  }

  [util.inspect.custom](depth, options, inspect) {
    return `Signer ${(inspect || util.inspect)(this.toJSON(), options)}`;
  }
}

function args(request) {
  if (request === null || typeof request !== 'object') {
    throw makeError('invalid_request', `the request must be an object (got ${describe(request)})`);
  }
  const method = requireString(request.method, 'method', 'invalid_request');
  const url = urlString(request.url);
  const headers = flattenHeaders(request.headers);
  const body = toBytes(request.body, 'body', 'invalid_request');
  const timestamp = optionalSeconds(request.timestamp, 'timestamp', 'invalid_request');
  const nonce = request.nonce === undefined || request.nonce === null ? undefined : requireString(request.nonce, 'nonce', 'invalid_request');
  return [method, url, headers, body, timestamp, nonce];
}

module.exports = { Signer, requestArgs: args };
