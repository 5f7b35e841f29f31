// ESM entry point: the same objects as the CommonJS entry (one native addon, one set of classes).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const sigwire = require('./index.js');

export const {
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
  MissingAuthorizationError,
  MalformedAuthorizationError,
  UnsupportedAlgorithmError,
  UnknownKeyError,
  StaleTimestampError,
  ReplayedNonceError,
  SignatureMismatchError,
  InvalidRequestError,
  InvalidSecretError,
  InvalidKeyIdError,
  InvalidConfigError,
  ReplayStoreUnavailableError,
  UnsignedHeaderError,
  SigwireTimeoutError,
  ConnectError,
  TransportError,
  HttpStatusError,
  ClockSkewTooLargeError,
  TooManyRedirectsError,
  DecodeError,
} = sigwire;
export default sigwire;
