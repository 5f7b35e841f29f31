'use strict';
/** signedFetch: a `fetch` that signs every request (Node >= 18, browsers, workers, edge runtimes). */

const { makeError } = require('./raise');
const { Signer } = require('./signer');
const { describe } = require('./convert');

const NO_BODY = new Set(['GET', 'HEAD']);

/**
 * Wraps `fetch` (default: the global one) so that every request is signed.
 * The request is resolved exactly as fetch would send it (URL, method, headers, including the
 * Content-Type fetch adds for string, URLSearchParams and FormData bodies), its body is read to
 * bytes, and exactly those bytes and the final URL (without its fragment) are signed and sent.
 * Redirects are not re-signed: a redirected request fails verification unless its target accepts
 * it. In browsers, cross-origin calls need the server's CORS to allow the Authorization header.
 * An undici `dispatcher` in `init` is passed on (Node).
 * @param {Signer} signer
 * @param {{fetch?: typeof fetch}} [options]
 * @returns {typeof fetch}
 */
function signedFetch(signer, options = {}) {
  if (!(signer instanceof Signer)) throw makeError('invalid_config', `expected a Signer (got ${describe(signer)})`);
  if (options === null || typeof options !== 'object') throw makeError('invalid_config', 'options must be an object');
  const custom = options.fetch;
  if (custom !== undefined && typeof custom !== 'function') throw makeError('invalid_config', 'options.fetch must be a function');
  if (custom === undefined && typeof globalThis.fetch !== 'function') throw makeError('invalid_config', 'no fetch available: pass { fetch }');
  const doFetch = custom || ((input, init) => globalThis.fetch(input, init));
  return async function sigwireFetch(input, init) {
    const request = new Request(input, init);
    const method = request.method;
    let body;
    if (!NO_BODY.has(method.toUpperCase())) {
      const bytes = new Uint8Array(await request.arrayBuffer());
      // Request.body is null for a request without a body (undefined where unsupported).
      if (request.body !== null || bytes.byteLength > 0) body = bytes;
    }
    const headers = new Headers(request.headers);
    // The fragment never goes on the wire (the core ignores it too).
    const hash = request.url.indexOf('#');
    const url = hash < 0 ? request.url : request.url.slice(0, hash);
    const { Authorization } = signer.sign({ method, url, headers, body });
    headers.set('authorization', Authorization);
    return doFetch(url, {
      method,
      headers,
      body,
      signal: init && init.signal ? init.signal : request.signal,
      redirect: request.redirect,
      cache: request.cache,
      credentials: request.credentials,
      integrity: request.integrity || undefined,
      keepalive: request.keepalive,
      mode: request.mode,
      referrer: request.referrer,
      referrerPolicy: request.referrerPolicy,
      ...(init && init.dispatcher ? { dispatcher: init.dispatcher } : {}),
    });
  };
}

module.exports = { signedFetch };
