'use strict';
/**
 * `sigwire.profiles` on the native addon: the shared API (common/profiles.js, the same source as
 * the browser package's) with the native profile back end installed, plus `nativeProfileClient`
 * for `new Client({ profile })`. Only what N-API needs lives here: a request crosses as one
 * U+001F-joined string `[method, url, name, value, …]` (one N-API value instead of one per
 * field; the array when a field holds U+001F), secrets as Buffers viewing the caller's copies.
 */

const native = require('./native');
const { fromNative, makeError } = require('./errors');
const { describe } = require('./common/convert');
const common = require('./common/profiles');

const SEP = '\u001f';

/** `[method, url, name, value, …]` as the native signers take it (see the file comment). */
function packRequest(method, url, headers) {
  let packed = method + SEP + url;
  let plain = !method.includes(SEP) && !url.includes(SEP);
  for (let i = 0; i < headers.length; i++) {
    const f = headers[i];
    if (plain && f.includes(SEP)) plain = false;
    packed += SEP + f;
  }
  return plain ? packed : [method, url, ...headers];
}

/** A Buffer over the same bytes (N-API `Buffer` arguments; wiping the copy wipes it too). */
const buffer = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.byteLength);

common._installProfiles({
  error: fromNative,
  errorCodes: () => native.profileErrorCodes(),
  Exchange(kind, apiKey, secret, passphrase, recvWindow, simulatedTrading) {
    const h = new native.NativeExchange(kind, apiKey, secret, { passphrase, recvWindow, simulatedTrading });
    return {
      get apiKey() {
        return h.apiKey;
      },
      sign: (method, url, headers, body, ts) => h.sign(packRequest(method, url, headers), body, ts),
      nextNonce: (now) => h.nextNonce(now),
      createClient: (config) => h.createClient(config),
    };
  },
  krakenBody: (nonce, flat) => native.krakenBody(nonce, flat),
  AwsSigV4(accessKeyId, secret, region, service, sessionToken, s3, signSessionToken) {
    const h = new native.NativeAwsSigV4(accessKeyId, secret, region, service, sessionToken, s3, signSessionToken);
    // authHeaders is a plain function over an External (cheaper to call than a class method).
    const handle = h.handle();
    return {
      accessKeyId: h.accessKeyId,
      sign: (method, url, headers, body, t, unsigned, expires) => h.sign(packRequest(method, url, headers), body, t, unsigned, expires),
      signHeaders: (method, url, headers, body, t, unsigned) => h.signHeaders(packRequest(method, url, headers), body, t, unsigned),
      authHeaderNames: Object.freeze(h.authHeaderNames()),
      authHeaderValues: (method, url, headers, body, t, unsigned) =>
        native.awsAuthHeaderValues(handle, packRequest(method, url, headers), body, t, unsigned),
      createClient: (config) => h.createClient(config),
    };
  },
  AwsVerifier: (region, service, flat, s3, skew) => new native.NativeAwsVerifier(region, service, flat, s3, skew),
  Rfc9421(keyId, secret, options) {
    const h = new native.NativeRfc9421(keyId, secret, options);
    return {
      signRequest: (method, url, headers, body, created, nonce) => h.signRequest(packRequest(method, url, headers), body, created, nonce),
      signResponse: (status, headers, body, created, nonce) => h.signResponse(status, headers, body, created, nonce),
      createClient: (config) => h.createClient(config),
    };
  },
  Rfc9421Verifier: (ids, secrets, options) => new native.NativeRfc9421Verifier(ids, secrets.map(buffer), options),
  verifyWebhook: (provider, secrets, text, headers, body, now, tolerance) =>
    native.verifyWebhookNative(provider, secrets.map(buffer), text, headers, body, now, tolerance),
  signWebhook: (provider, secrets, text, body, ts, id) => native.signWebhookNative(provider, secrets.map(buffer), text, body, ts, id),
});

/**
 * The native client engine behind `new Client({ baseUrl, profile, ... })` (called by
 * http-client.js with the converted options; common/client.js has already refused sigwire-v1
 * options beside a profile): it signs every attempt with `profile` — `Binance`, `Coinbase`,
 * `Okx`, `Bybit`, `AwsSigV4` or `Rfc9421` — with the same retries, re-signing and clock correction
 * as sigwire-v1 (Kraken is refused by the addon). Returns a `NativeClient` or the client error
 * record (`fromClientError`).
 * @param {unknown} profile
 * @param {Record<string, unknown>} _options the caller's options (checked by common/client.js)
 * @param {Record<string, unknown>} config the converted native options
 */
function nativeProfileClient(profile, _options, config) {
  const handle = common._clientProfile(profile);
  if (handle === null) {
    throw makeError('invalid_config',
      `profile must be a signer from sigwire.profiles (Binance, Coinbase, Okx, Bybit, AwsSigV4, Rfc9421), got ${describe(profile)}`);
  }
  return handle.createClient({ ...config, keyId: undefined });
}

const { _installProfiles, _clientProfile, ...api } = common;

module.exports = { ...api, nativeProfileClient };
