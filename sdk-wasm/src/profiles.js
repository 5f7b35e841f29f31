/**
 * `profiles` of the browser package: the API shared with the Node package (sdk-node/lib/common/
 * profiles.js, generated into dist/common/ as an ES module) on the package's second WebAssembly
 * module (bindings/wasm-ext/src/profiles.rs), installed here. Only what WebAssembly needs lives
 * in this file: every call runs on the lazily loaded module (`runExt`: Node loads it on first
 * use, browsers after `await initExt()`), several secrets cross as one concatenated byte string
 * with offsets, and verified records come back as flat strings.
 *
 *   import { initExt, profiles } from 'sigwire-wasm';
 *   await initExt();
 *   const signed = new profiles.Binance(apiKey, secret).sign({ method: 'GET', url });
 *   fetch(signed.url, { headers: signed.headers });
 */
import { runExt } from './ext.js';
import { makeError } from '../dist/common/raise.js';
import { _installProfiles } from '../dist/common/profiles.js';

/** Runs `fn(bindings)` on the second module (failures there arrive as typed errors; `code` for one without). */
const ext = (fn, code = 'invalid_request') => runExt(code, fn);

/** Secrets concatenated, with offsets (one more than secrets) and which were strings (0/1). */
function concat(secrets) {
  const offsets = new Uint32Array(secrets.length + 1);
  secrets.forEach((p, i) => (offsets[i + 1] = offsets[i] + p.length));
  const bytes = new Uint8Array(offsets[secrets.length]);
  secrets.forEach((p, i) => bytes.set(p, offsets[i]));
  return { bytes, offsets };
}

/** Runs `fn(bytes, offsets)` on the concatenated secrets, wiped afterwards. */
function withSecrets(secrets, fn) {
  const s = concat(secrets);
  try {
    return fn(s.bytes, s.offsets);
  } finally {
    s.bytes.fill(0);
  }
}

const optionalNumber = (v) => (v === '' ? undefined : Number(v));
const optionalString = (v) => (v === '' ? undefined : v);

/** `[label, keyId, created, expires, nonce, tag, …components]` -> the verified record. */
function rfcVerified([label, keyId, created, expires, nonce, tag, ...components]) {
  return { label, keyId, created: Number(created), expires: optionalNumber(expires), nonce: optionalString(nonce), tag: optionalString(tag), components };
}

_installProfiles({
  // Every call goes through runExt, which throws SigwireErrors; anything else is an argument the
  // glue refused (its own message may quote the value, a misplaced secret: not repeated).
  error: (_e, fallbackCode) => makeError(fallbackCode, 'invalid argument: an argument has the wrong type'),
  errorCodes: () => ext((b) => b.profileErrorCodes()),
  Exchange(kind, apiKey, secret, passphrase, recvWindow, simulatedTrading) {
    const h = ext((b) => new b.NativeExchange(kind, apiKey, secret, passphrase, recvWindow, simulatedTrading), 'invalid_credentials');
    return {
      apiKey: h.apiKey,
      sign: (method, url, headers, body, ts) => ext(() => h.sign(method, url, headers, body, ts)),
      nextNonce: (now) => ext(() => h.nextNonce(now)),
    };
  },
  krakenBody: (nonce, flat) => ext((b) => b.krakenBody(nonce, flat)),
  AwsSigV4(accessKeyId, secret, region, service, sessionToken, s3, signSessionToken) {
    const h = ext((b) => new b.NativeAwsSigV4(accessKeyId, secret, region, service, sessionToken, s3, signSessionToken), 'invalid_credentials');
    return {
      accessKeyId: h.accessKeyId,
      sign: (method, url, headers, body, t, unsigned, expires) => ext(() => h.sign(method, url, headers, body, t, unsigned, expires)),
    };
  },
  AwsVerifier(region, service, flat, s3, skew) {
    const h = ext((b) => new b.NativeAwsVerifier(region, service, flat, s3, skew), 'invalid_credentials');
    return {
      verify(method, url, headers, body, now) {
        const [accessKeyId, presigned, signedAt, ...signedHeaders] = ext(() => h.verify(method, url, headers, body, now));
        return { accessKeyId, signedHeaders, presigned: presigned === '1', signedAt: Number(signedAt) };
      },
    };
  },
  Rfc9421(keyId, secret, o) {
    const h = ext((b) => new b.NativeRfc9421(keyId, secret, o.label, o.components, o.expiresIn, o.includeAlg, o.tag), 'invalid_settings');
    return {
      signRequest: (method, url, headers, body, created, nonce) => ext(() => h.signRequest(method, url, headers, body, created, nonce)),
      signResponse: (status, headers, body, created, nonce) => ext(() => h.signResponse(status, headers, body, created, nonce)),
    };
  },
  Rfc9421Verifier(ids, secrets, o) {
    const h = withSecrets(secrets, (bytes, offsets) =>
      ext((b) => new b.NativeRfc9421Verifier(ids, bytes, offsets, o.label, o.requiredComponents, o.maxAge, o.maxAhead), 'invalid_settings'),
    );
    return {
      verifyRequest: (method, url, headers, body, now) => rfcVerified(ext(() => h.verifyRequest(method, url, headers, body, now))),
      verifyResponse: (status, headers, body, now) => rfcVerified(ext(() => h.verifyResponse(status, headers, body, now))),
    };
  },
  verifyWebhook(provider, secrets, text, headers, body, now, tolerance) {
    const [ts, id, index] = withSecrets(secrets, (bytes, offsets) =>
      ext((b) => b.verifyWebhookNative(provider, bytes, offsets, Uint8Array.from(text, Number), headers, body, now, tolerance)),
    );
    return { timestamp: optionalNumber(ts) ?? null, id: optionalString(id) ?? null, secretIndex: Number(index) };
  },
  signWebhook: (provider, secrets, text, body, ts, id) =>
    withSecrets(secrets, (bytes, offsets) => ext((b) => b.signWebhookNative(provider, bytes, offsets, Uint8Array.from(text, Number), body, ts, id))),
});

// The API (`_installProfiles` and `_clientProfile` are the packages' own, not in the types).
export * from '../dist/common/profiles.js';
