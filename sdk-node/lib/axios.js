'use strict';
/** axiosInterceptor: signs each request of an axios instance (Node; fetch users take signedFetch). */

const { Signer } = require('./common/signer');
const { makeError } = require('./errors');
const { toBytes, describe } = require('./convert');

const BODY_METHODS = new Set(['post', 'put', 'patch']);

/**
 * An axios request interceptor that signs each request:
 * `client.interceptors.request.use(axiosInterceptor(signer, client))`.
 *
 * It applies the request's `transformRequest` itself, so it signs the exact bytes sent, and it
 * resolves `baseURL` + `url` + `params` into the final URL it signs and sends (so the URL cannot
 * change after signing). Stream and FormData bodies are refused: buffer them first.
 * @param {Signer} signer
 * @param {{getUri(config: any): string}} axiosInstance the axios instance (or the default axios)
 */
function axiosInterceptor(signer, axiosInstance) {
  if (!(signer instanceof Signer)) throw makeError('invalid_config', `expected a Signer (got ${describe(signer)})`);
  if (!axiosInstance || typeof axiosInstance.getUri !== 'function') {
    throw makeError('invalid_config', 'pass the axios instance: axiosInterceptor(signer, axios)');
  }
  return function sigwireAxiosInterceptor(config) {
    const headers = config.headers;
    let data = config.data;
    const transforms = config.transformRequest ? [].concat(config.transformRequest) : [];
    for (const fn of transforms) data = fn.call(config, data, headers);
    if (data !== undefined && data !== null && !isBytes(data)) {
      throw makeError('invalid_request', `axios body must serialise to a string or bytes to be signed (got ${describe(data)})`);
    }
    const body = Buffer.from(toBytes(data, 'body', 'invalid_request'));
    const method = String(config.method || 'get').toLowerCase();
    // axios sets this default after interceptors run; set it now so the signed headers match.
    if (BODY_METHODS.has(method) && headers && typeof headers.setContentType === 'function') {
      headers.setContentType('application/x-www-form-urlencoded', false);
    }
    const url = new URL(axiosInstance.getUri(config));
    url.hash = '';
    const finalUrl = url.href;
    const flat = [];
    const plain = headers && typeof headers.toJSON === 'function' ? headers.toJSON() : headers || {};
    for (const [name, value] of Object.entries(plain)) {
      if (value === undefined || value === null || value === false) continue;
      for (const v of Array.isArray(value) ? value : [value]) flat.push(name, String(v));
    }
    const signed = signer.sign({ method: method.toUpperCase(), url: finalUrl, headers: flat, body });
    config.data = data === undefined || data === null ? data : body;
    config.transformRequest = [(d) => d];
    config.url = finalUrl;
    config.baseURL = undefined;
    config.params = undefined;
    if (headers && typeof headers.set === 'function') headers.set('Authorization', signed.Authorization);
    else config.headers = { ...(headers || {}), Authorization: signed.Authorization };
    return config;
  };
}

function isBytes(v) {
  return typeof v === 'string' || ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

module.exports = { axiosInterceptor };
