/** Everything both entry points export (the browser one adds an async init). */
export { Signer, KeyStore, InMemoryReplayStore, Verifier, ReplayTicket, signedFetch } from './api.js';
export { Client, ClientResponse, SENSITIVE_HEADERS } from '../dist/common/client.js';
export { initExt } from './ext.js';
// The error classes (the core's and the HTTP client's), ERROR_CODES, ERROR_CLASSES,
// CLIENT_ERROR_CLASSES and SERVER_TIME_HEADER: every export of the shared errors module is public.
export * from '../dist/common/errors.js';
// Signing profiles (Binance, AwsSigV4, Rfc9421, verifyWebhook, …), on the second module.
export * as profiles from './profiles.js';
// Streamed bodies (Blob, File, ReadableStream) hashed incrementally on the second module.
export { BodyHasher, StreamSigner, hashBody } from './stream.js';
