'use strict';
/**
 * sigwire — HMAC request signing (scheme sigwire-v1) for Node.js, backed by the Rust core.
 * CommonJS entry point; index.mjs re-exports the same objects for ESM. Signer, KeyStore,
 * InMemoryReplayStore, Verifier, ReplayTicket, signedFetch and the error classes are the shared
 * sources in lib/common/ (the browser package, sdk-wasm, ships the same files) on the native back
 * end (lib/backend.js).
 */

require('./lib/backend'); // installs the native back end of the shared API (lib/common/)
const errors = require('./lib/errors');
const { Signer } = require('./lib/common/signer');
const { KeyStore, InMemoryReplayStore } = require('./lib/common/keys');
const { Verifier, ReplayTicket } = require('./lib/common/verifier');
const { signedFetch } = require('./lib/common/fetch');
const { axiosInterceptor } = require('./lib/axios');
const { Client, ClientResponse } = require('./lib/http-client');
const { expressMiddleware, fastifyPlugin, captureRawBody, SERVER_TIME_HEADER } = require('./lib/server');
const { RedisReplayStore, RedisRateLimiter } = require('./lib/redis');
const profiles = require('./lib/profiles');

const { SigwireError, ERROR_CLASSES, CLIENT_ERROR_CLASSES, ERROR_CODES } = errors;

module.exports = {
  Signer,
  Verifier,
  KeyStore,
  InMemoryReplayStore,
  ReplayTicket,
  Client,
  ClientResponse,
  signedFetch,
  axiosInterceptor,
  expressMiddleware,
  fastifyPlugin,
  captureRawBody,
  RedisReplayStore,
  RedisRateLimiter,
  profiles,
  SERVER_TIME_HEADER,
  ERROR_CODES,
  ERROR_CLASSES,
  CLIENT_ERROR_CLASSES,
  SigwireError,
  MissingAuthorizationError: errors.MissingAuthorizationError,
  MalformedAuthorizationError: errors.MalformedAuthorizationError,
  UnsupportedAlgorithmError: errors.UnsupportedAlgorithmError,
  UnknownKeyError: errors.UnknownKeyError,
  StaleTimestampError: errors.StaleTimestampError,
  ReplayedNonceError: errors.ReplayedNonceError,
  SignatureMismatchError: errors.SignatureMismatchError,
  InvalidRequestError: errors.InvalidRequestError,
  InvalidSecretError: errors.InvalidSecretError,
  InvalidKeyIdError: errors.InvalidKeyIdError,
  InvalidConfigError: errors.InvalidConfigError,
  ReplayStoreUnavailableError: errors.ReplayStoreUnavailableError,
  UnsignedHeaderError: errors.UnsignedHeaderError,
  SigwireTimeoutError: errors.SigwireTimeoutError,
  ConnectError: errors.ConnectError,
  TransportError: errors.TransportError,
  HttpStatusError: errors.HttpStatusError,
  ClockSkewTooLargeError: errors.ClockSkewTooLargeError,
  TooManyRedirectsError: errors.TooManyRedirectsError,
  DecodeError: errors.DecodeError,
};
