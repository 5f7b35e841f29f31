'use strict';
/**
 * sigwire — HMAC request signing (scheme sigwire-v1) for Node.js, backed by the Rust core.
 * CommonJS entry point; index.mjs re-exports the same objects for ESM.
 */

const errors = require('./lib/errors');
const { Signer } = require('./lib/signer');
const { Verifier, KeyStore, InMemoryReplayStore, ReplayTicket } = require('./lib/verifier');
const { signedFetch, axiosInterceptor } = require('./lib/client');
const { Client, ClientResponse } = require('./lib/http-client');
const { expressMiddleware, fastifyPlugin, captureRawBody, SERVER_TIME_HEADER } = require('./lib/server');
const { RedisReplayStore, RedisRateLimiter } = require('./lib/redis');
const profiles = require('./lib/profiles');

const { SigwireError, ERROR_CLASSES, CLIENT_ERROR_CLASSES } = errors;

/** Every machine code, in the core's documentation order. */
const ERROR_CODES = Object.freeze(require('./lib/native').errorCodes());

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
