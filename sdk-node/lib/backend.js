'use strict';
/**
 * The native back end (napi-rs addon, bindings/node) of the shared API in common/: installed
 * when the package loads. The addon's classes already have the shape common/backend.js describes;
 * this file only adapts headers and bodies and names the error mapping.
 */

const native = require('./native');
const { fromNative } = require('./errors');
const { install } = require('./common/backend');
const { nativeClient } = require('./http-client');

install({
  name: 'native',
  error: fromNative,
  /** The addon takes the flat [name, value, ...] list as it is. */
  headers: (flat) => flat,
  /** The addon takes bytes: strings are encoded as UTF-8. */
  body: (b) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : b),
  Signer: (keyId, secret, algorithm, signedHeaders, policy) => new native.NativeSigner(keyId, secret, algorithm, signedHeaders, policy),
  KeyStore: () => new native.NativeKeyStore(),
  ReplayStore: (capacity) => new native.NativeReplayStore(capacity),
  // A verifier whose nonces a JavaScript store claims (replay null) only ever settles its tickets.
  Verifier: (keys, window, replay, required) => new native.NativeVerifier(keys, window, replay ?? undefined, required),
  // The HTTP Client's engine: the Rust sigwire-client (http-client.js).
  Client: nativeClient,
});
