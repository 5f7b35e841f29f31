'use strict';
/**
 * The native engine of the shared Client (common/client.js): the HTTP client of the Rust crate
 * sigwire-client (reqwest + tokio) through the addon. Every attempt is signed in Rust right before
 * it is sent; retries, Retry-After, clock-skew correction, redirects and timeouts are the Rust
 * client's. This file only converts the checked options and results and maps errors (errors.js),
 * and reads streamed bodies into a temporary file (stream.js). Installed as the back end's
 * `Client` by backend.js.
 */

const native = require('./native');
const { fromNative, fromClientError, makeError, headerObject } = require('./errors');
const { requireString } = require('./convert');
const { nativeProfileClient } = require('./profiles');
const { isStreamBody, spoolBody } = require('./stream');

const INVALID_CONFIG = 'invalid_config';
const INVALID_REQUEST = 'invalid_request';

/** A checked time limit (undefined = default, Infinity = no limit) as the addon takes it (-1: no limit). */
const nativeMs = (ms) => (ms === Infinity ? -1 : ms);

/** `timeouts.connectMs` (Node only): undefined = default, null or Infinity = no limit. */
function connectMs(timeouts) {
  const value = timeouts && typeof timeouts === 'object' ? timeouts.connectMs : undefined;
  if (value === undefined) return undefined;
  if (value === null || value === Infinity) return -1;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw makeError(INVALID_CONFIG, 'timeouts.connectMs must be a non-negative number of milliseconds, or null for no limit');
  }
  return value;
}

/**
 * The engine for one Client: `config` as common/client.js checked it, `secret` the key's bytes
 * (sigwire-v1) or null with a `profile` from sigwire.profiles.
 */
function nativeClient(config, secret, profile) {
  const { options } = config;
  const converted = {
    baseUrl: config.baseUrl,
    keyId: config.keyId,
    algorithm: config.algorithm,
    defaultHeaders: config.defaultHeaders,
    signedHeaders: config.signedHeaders,
    signedHeaderPolicy: config.signedHeaderPolicy,
    sensitiveHeaders: config.sensitiveHeaders,
    connectMs: connectMs(options.timeouts),
    attemptMs: nativeMs(config.attemptMs),
    totalMs: nativeMs(config.totalMs),
    maxAttempts: config.maxAttempts,
    baseDelayMs: config.baseDelayMs,
    maxDelayMs: config.maxDelayMs,
    maxRetryAfterMs: config.maxRetryAfterMs,
    idempotencyKeys: config.idempotencyKeys,
    maxRedirects: config.maxRedirects,
    clockSkewCorrection: config.clockSkewCorrection,
    maxClockSkewSeconds: config.maxClockSkewSeconds,
    userAgent: options.userAgent === undefined ? undefined : requireString(options.userAgent, 'userAgent', INVALID_CONFIG),
  };
  let made;
  try {
    made = secret ? native.createClient(converted, secret) : nativeProfileClient(profile, options, converted);
  } catch (e) {
    throw fromNative(e, INVALID_CONFIG);
  }
  if (!(made instanceof native.NativeClient)) throw fromClientError(made);
  return {
    get baseUrl() {
      return made.baseUrl;
    },
    get keyId() {
      return made.keyId;
    },
    get clockOffset() {
      return made.clockOffset;
    },
    /** A Readable, fs stream, web ReadableStream, async iterable or Blob is sent streamed. */
    streamBody: isStreamBody,
    async request(call) {
      const args = { query: call.query, headers: call.headers, attemptMs: nativeMs(call.attemptMs), totalMs: nativeMs(call.totalMs), sign: call.sign };
      if (call.json !== undefined) args.json = call.json;
      else if (call.body !== undefined) args.body = Buffer.from(call.body.buffer, call.body.byteOffset, call.body.byteLength);
      if (call.idempotencyKey !== undefined) args.idempotencyKey = call.idempotencyKey;
      // Read once into a temporary file (an untouched fs.ReadStream is sent from its own path),
      // which the native client hashes once and streams from disk on every attempt.
      const spooled = call.stream !== undefined ? await spoolBody(call.stream) : null;
      if (spooled) args.bodyFile = spooled.path;
      let outcome;
      try {
        outcome = await made.request(call.method, call.path, args);
      } catch (e) {
        throw fromNative(e, INVALID_REQUEST);
      } finally {
        if (spooled) await spooled.remove();
      }
      if (outcome.error) throw fromClientError(outcome.error);
      const r = outcome.response;
      return { status: r.status, headers: headerObject(r.headers), body: r.body, url: r.url, attempts: r.attempts };
    },
  };
}

module.exports = { nativeClient };
