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
// The error classes, ERROR_CODES, ERROR_CLASSES and SERVER_TIME_HEADER (every export of the shared
// errors module is public). The Client's error classes above are client.js's own: an explicit
// export takes precedence over `export *`.
export * from '../dist/common/errors.js';
