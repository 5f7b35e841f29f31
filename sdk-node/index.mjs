// ESM entry point: the same objects as the CommonJS entry (one native addon, one set of classes).
import { createRequire } from 'node:module';

// The error classes and codes: lib/common/errors.js, the module index.js spreads in.
export * from './lib/common/errors.js';

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
} = sigwire;
export default sigwire;
