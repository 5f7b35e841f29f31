// Compile-only check of the published types (tsc --noEmit --strict): browser usage as in the README.
import {
  init,
  profiles,
  Client,
  ClientResponse,
  HttpStatusError,
  SigwireTimeoutError,
  type SigwireErrorCode,
  Signer,
  Verifier,
  KeyStore,
  InMemoryReplayStore,
  signedFetch,
  SigwireError,
  StaleTimestampError,
  ERROR_CODES,
  ERROR_CLASSES,
  SERVER_TIME_HEADER,
  type ErrorCode,
  type ReplayStore,
  type SignatureDetails,
} from 'sigwire-wasm';

async function main(): Promise<void> {
  await init();
  await init(new URL('https://cdn.example.com/sigwire_wasm_bg.wasm'));
  const signer = new Signer({ keyId: 'client-1', secret: new Uint8Array(32), algorithm: 'hmac-sha512', signedHeaders: ['x-request-id'] });
  const headers: { Authorization: string } = signer.sign({ method: 'POST', url: 'https://api.example.com/v1/x', headers: { 'content-type': 'application/json' }, body: '{}' });
  const details: SignatureDetails = signer.signDetailed({ method: 'GET', url: new URL('https://h/'), timestamp: 1_700_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
  const canonical: string = signer.canonicalString({ method: 'GET', url: 'https://h/', body: new ArrayBuffer(0) });
  const api: typeof fetch = signedFetch(signer);
  const response: Response = await api('https://api.example.com/v1/orders?limit=10', { method: 'GET' });
  void headers, details, canonical, response;

  const keys = new KeyStore({ 'client-1': 'a-secret-of-16-bytes-or-more' }).insert('client-2', new Uint8Array(16), new Date()).rotate('client-1', 'new-secret-0123456789', 2_000_000_000);
  const removed: boolean = keys.remove('client-2');
  const kv: ReplayStore = { checkAndRecord: async () => true };
  const verifier = new Verifier({ keys, windowSeconds: 300, replayStore: new InMemoryReplayStore({ capacity: 10 }) });
  const edge = new Verifier({ keys: { k: 'x'.repeat(16) }, replayStore: kv });
  try {
    const keyId: string = verifier.verify({ method: 'GET', url: 'https://h/', headers: [['authorization', 'x']] }, { now: 1 });
    const v = await edge.verifyAsync({ method: 'GET', url: 'https://h/', headers: new Headers() });
    void keyId, v.scheme, removed;
  } catch (e) {
    if (e instanceof StaleTimestampError) {
      const skew: number = e.skewSeconds;
      void skew;
    }
    if (e instanceof SigwireError) {
      const code: SigwireErrorCode = e.code;
      const status: number = e.httpStatus;
      const body: { error: SigwireErrorCode } = e.toJSON();
      void code, status, body, SERVER_TIME_HEADER;
    }
  }
  const codes: readonly ErrorCode[] = ERROR_CODES;
  const mismatch = new ERROR_CLASSES.signature_mismatch('m');
  const c: 'signature_mismatch' = mismatch.code;
  void codes, c;
}
void main;

async function clientUsage(): Promise<void> {
  const client = new Client({
    baseUrl: 'https://api.example.com',
    keyId: 'k',
    secret: new Uint8Array(32),
    algorithm: 'hmac-sha512',
    defaultHeaders: { 'x-tenant': 'acme' },
    timeouts: { attemptMs: 10_000, totalMs: null },
    retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 2000 },
  });
  const r: ClientResponse = await client.get('/v1/orders', { query: { status: 'open', n: 1 } });
  const binance = new Client({ baseUrl: 'https://api.binance.com', profile: new profiles.Binance('key', 'secret') });
  await binance.get('/api/v3/openOrders', { query: { symbol: 'BTCUSDT' }, signal: new AbortController().signal });
  const list = r.json<{ id: string }[]>();
  const bytes: Uint8Array = r.body;
  const attempts: number = r.attempts;
  try {
    await client.post('/v1/payments', { json: { amount: 100 }, idempotencyKey: 'order-1' });
    await client.request('PUT', '/v1/blob', { body: new Uint8Array([1]), headers: { 'content-type': 'application/octet-stream' } });
  } catch (e) {
    if (e instanceof HttpStatusError) {
      const s: number = e.status;
      const b: Uint8Array = e.body;
      void s, b;
    } else if (e instanceof SigwireTimeoutError) {
      const k: 'connect' | 'attempt' | 'total' = e.timeoutKind; // 'connect' only in Node
      void k;
    }
  }
  const offset: number = client.clockOffset;
  void list, bytes, attempts, offset;
}
void clientUsage;
