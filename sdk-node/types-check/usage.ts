// Type-checked usage example (tsc --noEmit --strict): client and server side.
import {
  Signer,
  Verifier,
  KeyStore,
  InMemoryReplayStore,
  SigwireError,
  SignatureMismatchError,
  StaleTimestampError,
  signedFetch,
  axiosInterceptor,
  expressMiddleware,
  fastifyPlugin,
  captureRawBody,
  SERVER_TIME_HEADER,
  ERROR_CODES,
  type ErrorCode,
  type SigwireErrorCode,
  Client,
  profiles,
  HttpStatusError,
  SigwireTimeoutError,
  ClockSkewTooLargeError,
  type ClientResponse,
  type ReplayStore,
  type SignatureDetails,
  type Prechecked,
} from 'sigwire';
import express from 'express';
import Fastify from 'fastify';
import axios from 'axios';

const signer = new Signer({ keyId: 'client-1', secret: process.env.SIGWIRE_SECRET ?? '0123456789abcdef0123', algorithm: 'hmac-sha256', signedHeaders: ['x-request-id'] });
const headers: { Authorization: string } = signer.sign({
  method: 'POST',
  url: 'https://api.example.com/v1/payments?dry_run=true',
  headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'r1' },
  body: JSON.stringify({ amount: '100.00' }),
});
const details: SignatureDetails = signer.signDetailed({ method: 'GET', url: new URL('https://h/'), body: new Uint8Array(0), timestamp: 1_700_000_000, nonce: 'AAECAwQFBgcICQoLDA0ODw', headers: [['x-request-id', 'r2']] });
const canonical: string = signer.canonicalString({ method: 'GET', url: 'https://h/', body: new ArrayBuffer(0), headers: new Headers({ 'x-request-id': 'r3' }) });
console.log(headers.Authorization, details.signedHeaders.join(';'), canonical.length);

// fetch and axios
const sfetch = signedFetch(signer);
async function client(): Promise<void> {
  const res: Response = await sfetch('https://api.example.com/v1/orders?limit=10', { method: 'GET' });
  console.log(res.status);
  const api = axios.create({ baseURL: 'https://api.example.com' });
  api.interceptors.request.use(axiosInterceptor(signer, api));
  const r = await api.post('/v1/payments', { amount: '100.00' });
  console.log(r.status);
}

// Verifier with a key store, rotation and a custom asynchronous replay store
const keys = new KeyStore({ 'client-1': ['0123456789abcdef0123'] });
keys.insert('client-2', Buffer.from('0123456789abcdef0123'), new Date('2030-01-01'));
keys.rotate('client-1', 'new-secret-0123456789', Math.floor(Date.now() / 1000) + 3600);
const removed: boolean = keys.remove('client-3');
const redisLike: ReplayStore = { async checkAndRecord(keyId, nonce, expiresAt, now) { return keyId.length + nonce.length + expiresAt + now > 0; } };
const verifier = new Verifier({ keys, windowSeconds: 300, replayStore: new InMemoryReplayStore({ capacity: 10_000 }) });
const asyncVerifier = new Verifier({ keys: { 'client-1': '0123456789abcdef0123' }, replayStore: redisLike });

try {
  const pre: Prechecked = verifier.precheck({ method: 'GET', url: 'https://h/', headers: { authorization: headers.Authorization } });
  const spoolWith: 'hmac-sha256' | 'hmac-sha512' | null = pre.bodyAlgorithm;
  console.log(pre.keyId, spoolWith);
  const keyId: string = verifier.verify({ method: 'GET', url: 'https://h/', headers: { authorization: headers.Authorization } });
  console.log(keyId, removed);
} catch (e) {
  if (e instanceof StaleTimestampError) console.log(e.skewSeconds, e.serverTime);
  else if (e instanceof SignatureMismatchError) console.log(e.httpStatus);
  else if (e instanceof SigwireError) {
    const code: SigwireErrorCode = e.code;
    console.log(code, ERROR_CODES.includes(code as ErrorCode), e.toJSON().error);
  }
}
void asyncVerifier.verifyAsync({ method: 'GET', url: 'https://h/' }).then((v) => v.keyId.toUpperCase());

// Express
const app = express();
app.use(express.json({ verify: captureRawBody }));
app.use(expressMiddleware({ verifier, getUrl: (req: express.Request) => `https://api.example.com${req.originalUrl}` }));
app.post('/v1/payments', (req, res) => {
  res.json({ keyId: req.sigwireKeyId, at: req.sigwire?.timestamp, bytes: req.rawBody?.length });
});
app.use((err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
  res.status(err instanceof SigwireError ? err.httpStatus : 500).set(SERVER_TIME_HEADER, String(verifier.now())).end();
});

// Fastify
const fastify = Fastify();
void fastify.register(fastifyPlugin, { verifier: asyncVerifier, bodyLimit: 1 << 20 });

export { client, app, fastify };

// The declarations must reject misuse (each line below is an expected type error).
// @ts-expect-error keyId must be a string
new Signer({ keyId: 1, secret: 'x' });
// @ts-expect-error algorithm is a closed set
new Signer({ keyId: 'k', secret: '0123456789abcdef0123', algorithm: 'hmac-md5' });
// @ts-expect-error method and url are required
signer.sign({ body: 'x' });
// @ts-expect-error verify returns the key id string
const notANumber: number = verifier.verify({ method: 'GET', url: 'https://h/' });
void notANumber;

// HTTP client (Rust sigwire-client): Promise-based, typed errors.
async function callApi(): Promise<void> {
  const client = new Client({
    baseUrl: 'https://api.example.com',
    keyId: 'client-1',
    secret: process.env.SIGWIRE_SECRET ?? '0123456789abcdef0123',
    algorithm: 'hmac-sha256',
    defaultHeaders: { 'x-tenant': 'acme' },
    timeouts: { connectMs: 5000, attemptMs: 10000, totalMs: null },
    retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2000 },
  });
  const binance = new Client({ baseUrl: 'https://api.binance.com', profile: new profiles.Binance('key', 'secret'), userAgent: 'ua', timeouts: { connectMs: 500 } });
  await binance.get('/api/v3/openOrders', { query: { symbol: 'BTCUSDT' } });
  // SigV4, the fastest way: only the headers signing sets, merged into the caller's own.
  const aws = new profiles.AwsSigV4({ accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'eu-west-1', service: 'execute-api' });
  const awsHeaders: Record<string, string> = { 'Content-Type': 'application/json' };
  Object.assign(awsHeaders, aws.authHeaders({ method: 'POST', url: 'https://api.example.com/v1/x', headers: awsHeaders, body: '{}' }));
  console.log(awsHeaders.Authorization.length);
  const orders: ClientResponse = await client.get('/v1/orders', { query: { status: 'open', q: 'a b' } });
  const list = orders.json<{ id: string }[]>();
  const status: number = orders.status;
  const body: Buffer = orders.body;
  try {
    const r = await client.post('/v1/payments', { json: { amount: 100 }, idempotencyKey: 'order-42', headers: { 'x-request-id': 'r1' } });
    console.log(r.status, r.text(), r.headers['content-type'], list.length, status, body.length, client.clockOffset);
    await client.request('PUT', '/v1/blob', { body: new Uint8Array([1, 2]), timeouts: { attemptMs: 500 } });
  } catch (e) {
    if (e instanceof SignatureMismatchError) console.error('the server refused the signature', e.httpStatus);
    else if (e instanceof HttpStatusError) console.error(e.status, e.body.toString('utf8'), e.attempts);
    else if (e instanceof SigwireTimeoutError) console.error(e.timeoutKind);
    else if (e instanceof ClockSkewTooLargeError) console.error(e.offsetSeconds, e.maxSeconds);
    else if (e instanceof SigwireError) console.error(e.kind, e.code);
  }
}
void callApi;
