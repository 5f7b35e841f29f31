// The browser Client in real headless Chromium (Debian's /usr/bin/chromium via playwright-core):
// a Node server on 127.0.0.1 serves the package (src/, dist/) and proxies every other path,
// unchanged (Host included, so the signed URL is the one verified), to the reference server
// (`sigwire-server`, SIGWIRE_SERVER_BIN). The page imports the browser build and calls the Client
// on its own origin; the reference server's /_control log is checked from Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, SERVER_BIN, KEY, SECRET } from './lib/reference-server.js';
import { SCENARIOS, EXPECTED } from './lib/client-rules.js';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

let ref;
let proxy;
let origin;
let context;
let page;
let userDataDir;

// A Binance-style endpoint for the profile Client, checked here with node:crypto (not with
// sigwire): X-MBX-APIKEY, `signature` last and the HMAC-SHA256 (hex) of the query before it.
const BINANCE_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
const BINANCE_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
const binanceSeen = [];

function binance(req, res, url) {
  const raw = url.search.slice(1);
  const at = raw.lastIndexOf('&signature=');
  const want = crypto.createHmac('sha256', BINANCE_SECRET).update(raw.slice(0, Math.max(at, 0))).digest('hex');
  const ok = req.headers['x-mbx-apikey'] === BINANCE_KEY && at > 0 && raw.slice(at + '&signature='.length) === want;
  binanceSeen.push({ path: url.pathname, ok, authorization: req.headers.authorization });
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? { verified: true, params: Object.fromEntries(new URLSearchParams(raw)) } : { code: -1022 }));
}

function startProxy(target) {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/api/v3/')) return binance(req, res, url);
    if (url.pathname === '/blank.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><title>client</title>');
    }
    if (url.pathname.startsWith('/src/') || url.pathname.startsWith('/dist/') || url.pathname.startsWith('/test/lib/')) {
      const file = path.join(PKG, path.normalize(url.pathname));
      if (!file.startsWith(PKG + path.sep)) return res.writeHead(403).end();
      try {
        const data = await readFile(file);
        res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
        return res.end(data);
      } catch {
        return res.writeHead(404).end();
      }
    }
    const upstream = http.request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.destroy();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  assert.ok(SERVER_BIN && existsSync(SERVER_BIN), 'set SIGWIRE_SERVER_BIN to the sigwire-server binary (scripts/ci/wasm.sh builds it)');
  assert.ok(existsSync(EXECUTABLE), `no Chromium at ${EXECUTABLE} (apt-get install chromium)`);
  ref = await startServer(['--body-limit', '1024']);
  proxy = await startProxy(ref.port);
  origin = `http://127.0.0.1:${proxy.address().port}`;
  userDataDir = mkdtempSync(path.join(tmpdir(), 'sigwire-chromium-client-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
  page = context.pages()[0] || (await context.newPage());
  await page.goto(`${origin}/blank.html`);
  await page.evaluate(async ({ keyId, secret }) => {
    const m = await import('/src/index.js');
    await m.init();
    window.sw = m;
    window.client = new m.Client({
      baseUrl: location.origin,
      keyId,
      secret,
      timeouts: { attemptMs: 5000, totalMs: 15000 },
      retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
    });
  }, { keyId: KEY, secret: SECRET });
}, { timeout: 120_000 });

after(async () => {
  if (context) await context.close();
  if (proxy) await new Promise((r) => proxy.close(r));
  if (ref) await ref.stop();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

/** Runs `fn` in the page; errors come back as { error: { name, code, kind, status, attempts } }. */
function inPage(fn, arg) {
  return page.evaluate(
    async ({ src, arg }) => {
      try {
        return { value: await (0, eval)(src)(window.client, window.sw, arg) };
      } catch (e) {
        return { error: { name: e.name, code: e.code, kind: e.kind, status: e.status, attempts: e.attempts, message: e.message } };
      }
    },
    { src: `(${fn})`, arg },
  );
}

test('the Client works in Chromium: GET with query, POST json, retries re-sign', { timeout: 60_000 }, async () => {
  const r = await inPage(async (c) => {
    const g = await c.get('/v1/echo', { query: { q: 'a b+c' } });
    const p = await c.post('/v1/orders', { json: { amount: 100 } });
    return { status: g.status, attempts: g.attempts, get: g.json(), post: p.json(), ua: navigator.userAgent };
  });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.match(r.value.ua, /Chrome\/\d+/);
  assert.equal(r.value.status, 200);
  assert.equal(r.value.get.key_id, KEY);
  assert.equal(r.value.get.query, 'q=a%20b%2Bc');
  assert.equal(r.value.post.body, '{"amount":100}');
  assert.ok(r.value.post.idempotency_key, 'POST carries a generated Idempotency-Key');

  await ref.fault('/flaky', { type: 'status', status: 503 }, 2);
  const f = await inPage(async (c) => (await c.post('/flaky', { body: 'x' })).attempts);
  assert.equal(f.value, 3, JSON.stringify(f.error));
  const seen = await ref.requests('/flaky');
  assert.equal(new Set(seen.map((x) => x.nonce)).size, 3);
  assert.equal(new Set(seen.map((x) => x.idempotency_key)).size, 1);
});

test('clock skew +600 s corrected in Chromium (5 concurrent requests)', { timeout: 60_000 }, async () => {
  await ref.control('PUT', '/_control/clock', { offset_seconds: 600 });
  try {
    const r = await inPage(async (c) => {
      const rs = await Promise.all([0, 1, 2, 3, 4].map((i) => c.get(`/skew/${i}`)));
      return { attempts: rs.map((x) => x.attempts), offset: c.clockOffset, after: (await c.get('/skew/after')).attempts };
    });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    for (const a of r.value.attempts) assert.ok(a <= 2);
    assert.ok(Math.abs(r.value.offset - 600) <= 2, `offset ${r.value.offset}`);
    assert.equal(r.value.after, 1);
  } finally {
    await ref.control('PUT', '/_control/clock', { offset_seconds: 0 });
  }
});

test('typed errors in Chromium: 413, signature rejection, timeout, opaque redirect of a request with a body not followed', { timeout: 60_000 }, async () => {
  const big = await inPage(async (c) => c.post('/upload', { body: new Uint8Array(2048) }));
  assert.equal(big.error?.name, 'HttpStatusError');
  assert.equal(big.error.status, 413);

  const bad = await inPage(async (c, sw) => new sw.Client({ baseUrl: location.origin, keyId: 'nobody', secret: 'x'.repeat(32) }).get('/x'));
  assert.deepEqual([bad.error?.name, bad.error?.code, bad.error?.kind], ['UnknownKeyError', 'unknown_key', 'signature_rejected']);

  await ref.fault('/slow', { type: 'delay', ms: 3000 }, 10);
  const slow = await inPage(async (c) => c.get('/slow', { timeouts: { attemptMs: 200, totalMs: 300 } }));
  assert.deepEqual([slow.error?.name, slow.error?.code], ['SigwireTimeoutError', 'timeout'], JSON.stringify(slow));

  // Browsers hide a redirect's target from redirect: 'manual' (an opaque redirect). A request with
  // a body is not handed to the browser to follow (a 307 would carry the body on to any origin):
  // the Client reports the redirect instead, and nothing reaches the target.
  await ref.fault('/away', { type: 'redirect', location: '/public/landing', status: 307 });
  const away = await inPage(async (c) => c.post('/away', { body: 'payload' }));
  assert.deepEqual([away.error?.name, away.error?.status], ['HttpStatusError', 0]);
  assert.equal((await ref.requests('/public/landing')).length, 0);
  // Without a body the browser follows (redirect: 'follow'); the chain is not re-signed.
  await ref.fault('/away-get', { type: 'redirect', location: '/public/landing', status: 307 });
  const followed = await inPage(async (c) => { const r = await c.get('/away-get'); return { status: r.status, url: r.url }; });
  assert.equal(followed.error, undefined, JSON.stringify(followed.error));
  assert.deepEqual([followed.value.status, new URL(followed.value.url).pathname], [200, '/public/landing']);
  assert.equal((await ref.requests('/public/landing')).length, 1);
  await ref.control('DELETE', '/_control/faults');
});

// The rules shared with the Rust client (test/lib/client-rules.js), run in the page on a stub
// fetch: the same scenarios and expectations as in Node.
for (const name of Object.keys(SCENARIOS)) {
  test(`client rule in Chromium: ${name}`, { timeout: 30_000 }, async () => {
    const r = await page.evaluate(async (n) => {
      const { SCENARIOS: s } = await import('/test/lib/client-rules.js');
      return s[n](window.sw);
    }, name);
    EXPECTED[name](assert, r);
  });
}

test('query escaping in Chromium matches what the reference server verifies', { timeout: 30_000 }, async () => {
  const r = await inPage(async (c) => (await c.get('/v1/echo', { query: { q: "it's (a)*!" } })).json());
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.value.query, 'q=it%27s%20%28a%29%2A%21');
  assert.equal(r.value.key_id, KEY);
});

test('Client({ profile }) in Chromium: Binance-signed calls pass an independent check; a wrong secret is refused', { timeout: 60_000 }, async () => {
  const r = await inPage(async (_c, sw, { apiKey, secret }) => {
    await sw.initExt();
    const client = (s) => new sw.Client({ baseUrl: location.origin, profile: new sw.profiles.Binance(apiKey, s), retry: { maxAttempts: 1 } });
    const get = (await client(secret).get('/api/v3/openOrders', { query: { symbol: 'BTCUSDT' } })).json();
    const post = (await client(secret).post('/api/v3/order', { query: { symbol: 'LTCBTC', side: 'BUY' } })).json();
    let refused;
    try {
      await client(secret + 'x').get('/api/v3/account');
    } catch (e) {
      refused = { name: e.name, status: e.status };
    }
    return { get, post, refused };
  }, { apiKey: BINANCE_KEY, secret: BINANCE_SECRET });
  assert.equal(r.error, undefined, JSON.stringify(r.error));
  assert.equal(r.value.get.verified, true);
  assert.equal(r.value.get.params.symbol, 'BTCUSDT');
  assert.ok(Number(r.value.get.params.timestamp) > 0);
  assert.equal(r.value.post.params.side, 'BUY');
  assert.deepEqual(r.value.refused, { name: 'HttpStatusError', status: 401 });
  assert.deepEqual(binanceSeen.map((x) => x.ok), [true, true, false]);
  for (const x of binanceSeen) assert.equal(x.authorization, undefined, 'no sigwire-v1 Authorization beside the profile');
});
