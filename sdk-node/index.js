'use strict';
/**
 * sigwire — HMAC request signing (scheme sigwire-v1) for Node.js, backed by the Rust core.
 * CommonJS entry point; index.mjs re-exports the same objects for ESM. Signer, KeyStore,
 * InMemoryReplayStore, Verifier, ReplayTicket, signedFetch, Client and the error classes are the shared
 * sources in lib/common/ (the browser package, sdk-wasm, ships the same files) on the native back
 * end (lib/backend.js).
 */

require('./lib/backend'); // installs the native back end of the shared API (lib/common/)
const { Signer } = require('./lib/common/signer');
const { KeyStore, InMemoryReplayStore } = require('./lib/common/keys');
const { Verifier, ReplayTicket } = require('./lib/common/verifier');
const { signedFetch } = require('./lib/common/fetch');
const { axiosInterceptor } = require('./lib/axios');
const { Client, ClientResponse, SENSITIVE_HEADERS } = require('./lib/common/client');
const { expressMiddleware, fastifyPlugin, captureRawBody } = require('./lib/server');
const { RedisReplayStore, RedisRateLimiter } = require('./lib/redis');
const profiles = require('./lib/profiles');
const { BodyHasher } = require('./lib/stream');

module.exports = {
  Signer,
  Verifier,
  KeyStore,
  InMemoryReplayStore,
  ReplayTicket,
  Client,
  ClientResponse,
  SENSITIVE_HEADERS,
  signedFetch,
  axiosInterceptor,
  expressMiddleware,
  fastifyPlugin,
  captureRawBody,
  RedisReplayStore,
  RedisRateLimiter,
  profiles,
  BodyHasher,
  // The error classes, codes and SERVER_TIME_HEADER (every export of lib/common/errors.js is public).
  ...require('./lib/common/errors'),
};
