'use strict';
/**
 * The back end the shared API runs on, injected once by each package: the native addon
 * (sdk-node/lib/backend.js, napi-rs) or WebAssembly (sdk-wasm/src/backend.js, wasm-bindgen).
 * Signer, KeyStore, InMemoryReplayStore, Verifier and signedFetch (this folder) check and convert
 * JavaScript arguments, then call the back end; every rule of the scheme is the Rust core's.
 *
 * A back end is an object with:
 *   - `error(e, fallbackCode)`: what it threw -> a SigwireError (`fallbackCode` for an argument
 *     the binding refused before reaching the core);
 *   - `headers(flat)`: [name, value, ...] -> the form its calls take; `body(b)`: a string or
 *     Uint8Array -> the form its calls take;
 *   - `Signer(keyId, secret, algorithm?, signedHeaders, policy?)` -> { keyId, algorithm,
 *     headerPolicy, authorization(method, url, headers, body, timestamp?, nonce?),
 *     sign(...same) -> { authorization, canonicalString, signature, timestamp, nonce,
 *     signedHeaders: 'a;b' } } (the secret bytes are the caller's: copy what must be kept);
 *   - `KeyStore()` -> { insert(keyId, secret, notAfter?), rotate(keyId, secret, oldNotAfter),
 *     remove(keyId) };
 *   - `ReplayStore(capacity?)` -> { checkAndRecord(keyId, nonce, expiresAt, now), size };
 *   - `Verifier(keys, window, replay | null, required)` (null: nonces are claimed by a store
 *     written in JavaScript) -> { now(), verify(method, url, headers, body, now?),
 *     verifyKeyId?(...same), precheck(method, url, headers, now?), authenticate(...as verify) ->
 *     ticket { keyId, scheme, nonce, timestamp, expiresAt, authenticatedAt }, commit(ticket),
 *     settle(ticket, 'fresh' | 'replayed' | 'before_epoch' | 'unavailable') }, where verify,
 *     commit and settle return { keyId, scheme, timestamp }, and precheck the same plus
 *     bodyAlgorithm ('hmac-sha256' | 'hmac-sha512', absent when the scheme needs the bytes).
 *   - `Client(config, secret | null, profile?)` (client.js: `config` holds the checked options and,
 *     as `options`, everything the caller gave, for options only this back end has; `secret` the
 *     sigwire-v1 key's bytes, null with a signing `profile`) -> an engine { baseUrl, keyId,
 *     clockOffset, streamBody?(body) -> whether the back end sends this body streamed,
 *     request(call) -> Promise<{ status, headers (lowercase names), body, url, attempts }> for a
 *     status below 400, rejecting with a SigwireError (with `.kind`) otherwise }, where `call` is
 *     { method, path, query?: [name, value, ...], headers: [name, value, ...], json?: text,
 *     body?: Uint8Array, stream?: the caller's streamed body, idempotencyKey?, attemptMs?,
 *     totalMs? (undefined: the default; Infinity: no limit), sign: boolean, options: as given }.
 */

const { SigwireError } = require('./errors');
const { makeError } = require('./raise');

let current = null;

/** Installs the package's back end (once, when the package loads). */
function install(backend) {
  current = backend;
}

/** The installed back end. */
function backend() {
  if (current === null) throw makeError('invalid_config', 'sigwire: no back end is installed');
  return current;
}

/** Runs `fn`; anything it throws becomes a SigwireError (the back end's mapping, else `fallbackCode`). */
function guard(fallbackCode, fn) {
  try {
    return fn();
  } catch (e) {
    throw e instanceof SigwireError ? e : backend().error(e, fallbackCode);
  }
}

/** Node's `util.inspect` hook, without importing node:util (the same symbol everywhere). */
const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** `Name {json}`: what Node's inspect shows of an object that holds a secret (the same in every runtime). */
function inspectAs(name, value) {
  return `${name} ${JSON.stringify(value)}`;
}

module.exports = { install, backend, guard, INSPECT, inspectAs };
