'use strict';
/** Signer: the client side. The secret is handed to the back end at construction and never kept here. */

const { makeError } = require('./raise');
const { backend, guard, INSPECT, inspectAs } = require('./backend');
const { bodyInput, secretBytes, wipeIfOwned, requireString, urlString, flattenHeaders, optionalSeconds, headerNames, describe } = require('./convert');

/** Signs requests for one key id. */
class Signer {
  #h;
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
    if (algorithm !== undefined && algorithm !== null && typeof algorithm !== 'string') {
      throw makeError('unsupported_algorithm', `algorithm must be a string (got ${describe(algorithm)})`);
    }
    const names = headerNames(signedHeaders, 'signedHeaders');
    if (signedHeaderPolicy !== undefined && typeof signedHeaderPolicy !== 'string') {
      throw makeError('invalid_config', `signedHeaderPolicy must be "listed" or "all-end-to-end" (got ${describe(signedHeaderPolicy)})`);
    }
    const bytes = secretBytes(secret);
    try {
      this.#h = guard('invalid_config', () => backend().Signer(keyId, bytes, algorithm ?? undefined, names, signedHeaderPolicy));
    } finally {
      wipeIfOwned(secret, bytes);
    }
    this.#signedHeaders = Object.freeze(names);
  }

  /** The key id. */
  get keyId() {
    return this.#h.keyId;
  }

  /** The algorithm, "hmac-sha256" or "hmac-sha512". */
  get algorithm() {
    return this.#h.algorithm;
  }

  /** The signed-header policy, `'listed'` or `'all-end-to-end'`. */
  get signedHeaderPolicy() {
    return this.#h.headerPolicy;
  }

  /** Extra header names signed after host and content-type. */
  get signedHeaders() {
    return this.#signedHeaders;
  }

  /**
   * Signs a request and returns the headers to add: `{ Authorization }`. The timestamp defaults
   * to now and the nonce to 128 random bits.
   * @param {{method: string, url: string|URL, headers?: any, body?: any, timestamp?: number|Date, nonce?: string}} request
   */
  sign(request) {
    const [m, u, h, b, t, n] = signArgs(request);
    return { Authorization: guard('invalid_request', () => this.#h.authorization(m, u, h, b, t, n)) };
  }

  /**
   * Signs and returns every intermediate value: authorization, canonicalString, signature,
   * timestamp, nonce, signedHeaders (array). For debugging signature mismatches.
   */
  signDetailed(request) {
    const [m, u, h, b, t, n] = signArgs(request);
    const s = guard('invalid_request', () => this.#h.sign(m, u, h, b, t, n));
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

  /** JSON form: never the secret. */
  toJSON() {
    return { keyId: this.keyId, algorithm: this.algorithm, signedHeaders: this.#signedHeaders };
  }

  [INSPECT]() {
    return inspectAs('Signer', this.toJSON());
  }
}

/** [method, url, headers, body, timestamp, nonce] of a request to sign, in the back end's forms. */
function signArgs(request) {
  if (request === null || typeof request !== 'object') {
    throw makeError('invalid_request', `the request must be an object (got ${describe(request)})`);
  }
  const b = backend();
  const method = requireString(request.method, 'method', 'invalid_request');
  const url = urlString(request.url);
  const headers = b.headers(flattenHeaders(request.headers));
  const body = b.body(bodyInput(request.body));
  const timestamp = optionalSeconds(request.timestamp, 'timestamp', 'invalid_request');
  const nonce = request.nonce === undefined || request.nonce === null ? undefined : requireString(request.nonce, 'nonce', 'invalid_request');
  return [method, url, headers, body, timestamp, nonce];
}

module.exports = { Signer };
