/** Everything both entry points export (the browser one adds an async init). */
export { Signer, KeyStore, InMemoryReplayStore, Verifier, ReplayTicket, signedFetch } from './api.js';
export {
  Client,
  ClientResponse,
  SigwireTimeoutError,
  ConnectError,
  TransportError,
  HttpStatusError,
  ClockSkewTooLargeError,
  TooManyRedirectsError,
  DecodeError,
  CLIENT_ERROR_CLASSES,
  SENSITIVE_HEADERS,
} from './client.js';
export {
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
  ERROR_CODES,
  ERROR_CLASSES,
  SERVER_TIME_HEADER,
} from './errors.js';
