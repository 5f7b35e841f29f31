'use strict';
/**
 * Contract: `new Client({ baseUrl, profile })`, the HTTP client signing every attempt with a
 * signing profile, the same cases for the native package (sdk-node/test/profile-client.test.js)
 * and the WebAssembly one in Node (sdk-wasm/test/node/profile-client.test.js).
 * A local node:http server stands in for a Binance-style API and checks each request the way
 * Binance documents it, computed here with node:crypto (not with sigwire): `X-MBX-APIKEY` is the
 * key, `signature` is the last query parameter and the HMAC-SHA256 (hex) of everything before it,
 * `timestamp` is within `recvWindow` of the server's clock. Also: a retried attempt is signed
 * afresh, RFC 9421 through the client, and the options a profile client refuses.
 *
 * @param {{sigwire: any, test: Function, assert: any}} env the package under test and node:test
 */
const crypto = require('node:crypto');
const http = require('node:http');
const { FAST, rejection } = require('../helpers/client-calls');

const text = (b) => new TextDecoder().decode(b);

module.exports = function profileClientContract({ sigwire, test, assert }) {
  const { Client, profiles } = sigwire;
  const { Binance, Kraken, Rfc9421, Rfc9421Verifier, AwsSigV4 } = profiles;

  const BOUND = { timeout: 30_000 };
  const API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
  const SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

  /** What the Binance-style server concluded about one request. */
  function binanceCheck(req, rawQuery) {
    if (req.headers['x-mbx-apikey'] !== API_KEY) return { ok: false, why: 'X-MBX-APIKEY' };
    const at = rawQuery.lastIndexOf('&signature=');
    if (at < 0 || rawQuery.indexOf('signature=') < at) return { ok: false, why: 'signature not last' };
    const payload = rawQuery.slice(0, at);
    const given = rawQuery.slice(at + '&signature='.length);
    const want = crypto.createHmac('sha256', SECRET).update(payload).digest('hex');
    if (given.length !== want.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(want))) {
      return { ok: false, why: 'signature' };
    }
    const params = new URLSearchParams(payload);
    const ts = Number(params.get('timestamp'));
    const window = Number(params.get('recvWindow') || 5000);
    if (!Number.isSafeInteger(ts) || Math.abs(Date.now() - ts) > window) return { ok: false, why: 'timestamp' };
    return { ok: true, params: Object.fromEntries(params), signature: given };
  }

  /** A local server; `handle(req, rawQuery, body)` returns [status, headers, json]. */
  async function serve(handle) {
    const seen = [];
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const q = req.url.indexOf('?');
        const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
        const body = Buffer.concat(chunks);
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        const [status, headers, json] = handle(req, rawQuery, body, seen.length);
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(json));
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address().port}`;
    return { base, seen, close: () => new Promise((resolve) => server.close(resolve)) };
  }

  function binanceServer() {
    return serve((req, rawQuery) => {
      const check = binanceCheck(req, rawQuery);
      if (!check.ok) return [401, {}, { code: -1022, msg: `Signature for this request is not valid (${check.why}).` }];
      return [200, {}, { verified: true, params: check.params }];
    });
  }

  function client(base, profile, extra = {}) {
    return new Client({ baseUrl: base, profile, ...FAST, ...extra });
  }

  test('Binance profile: GET and POST with query parameters pass the server\'s own check', BOUND, async () => {
    const srv = await binanceServer();
    try {
      const c = client(srv.base, new Binance(API_KEY, SECRET));
      const r = await c.get('/api/v3/openOrders', { query: { symbol: 'BTCUSDT' } });
      assert.equal(r.status, 200);
      const got = r.json();
      assert.equal(got.verified, true);
      assert.equal(got.params.symbol, 'BTCUSDT');
      assert.equal(got.params.recvWindow, '5000');

      const o = await c.post('/api/v3/order', {
        query: { symbol: 'LTCBTC', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: '1', price: '0.1' },
      });
      assert.equal(o.json().params.side, 'BUY');
      // The client carries no sigwire-v1 Authorization next to the profile's own header.
      for (const s of srv.seen) assert.equal(s.headers.authorization, undefined);
      assert.equal(c.keyId, '');
    } finally {
      await srv.close();
    }
  });

  test('Binance profile: the server refuses a wrong secret (the check above can fail)', BOUND, async () => {
    const srv = await binanceServer();
    try {
      const c = client(srv.base, new Binance(API_KEY, SECRET + 'x'), { retry: { maxAttempts: 1 } });
      const e = await rejection(c.get('/api/v3/account'));
      assert.ok(e instanceof sigwire.SigwireError, String(e));
      assert.equal(e.status, 401);
      assert.match(text(e.body), /-1022/);
      assert.match(text(e.body), /\(signature\)/);
    } finally {
      await srv.close();
    }
  });

  test('Binance profile: a retried attempt is signed afresh', BOUND, async () => {
    const srv = await serve((req, rawQuery, _body, n) => {
      const check = binanceCheck(req, rawQuery);
      if (!check.ok) return [401, {}, { code: -1022 }];
      if (n === 1) return [503, { 'retry-after': '1' }, { code: -1001 }];
      return [200, {}, { verified: true }];
    });
    try {
      const c = client(srv.base, new Binance(API_KEY, SECRET));
      // Retry-After: 1 makes the second timestamp (and so the signature) differ.
      const r = await c.get('/api/v3/account', { query: { omitZeroBalances: 'true' } });
      assert.equal(r.status, 200);
      assert.equal(r.attempts, 2);
      assert.equal(srv.seen.length, 2);
      const [first, second] = srv.seen.map((s) => new URL(s.url, srv.base).searchParams);
      assert.ok(Number(second.get('timestamp')) > Number(first.get('timestamp')));
      assert.notEqual(first.get('signature'), second.get('signature'));
      // Each attempt's query carries exactly one timestamp and one signature (not re-appended).
      assert.equal(second.getAll('timestamp').length, 1);
      assert.equal(second.getAll('signature').length, 1);
    } finally {
      await srv.close();
    }
  });

  test('RFC 9421 profile through the client: the verifier accepts what the client sent', BOUND, async () => {
    const key = crypto.randomBytes(32);
    const verifier = new Rfc9421Verifier({ 'client-key': key }, { requiredComponents: ['@method', '@query-param;name="a"'] });
    const srv = await serve((req, _rawQuery, body) => {
      const headers = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
      try {
        const v = verifier.verify({ method: req.method, url: `http://${req.headers.host}${req.url}`, headers, body });
        return [200, {}, { keyId: v.keyId, components: v.components }];
      } catch (e) {
        return [401, {}, { code: e.code }];
      }
    });
    try {
      const components = ['@method', '@authority', '@path', '@query-param;name="a"', 'content-digest'];
      const c = client(srv.base, new Rfc9421('client-key', key, { components }));
      const r = await c.post('/orders', { query: { a: '1 2', b: 'x' }, json: { qty: 2 } });
      assert.equal(r.status, 200, r.text());
      assert.equal(r.json().keyId, 'client-key');
      // The core reads `@query-param;name="a"` and writes it back in the same spelling.
      assert.deepEqual(r.json().components, components);
      const bad = client(srv.base, new Rfc9421('client-key', crypto.randomBytes(32)), { retry: { maxAttempts: 1 } });
      assert.equal((await rejection(bad.get('/orders'))).status, 401);
    } finally {
      await srv.close();
    }
  });

  test('profile clients: options that belong to sigwire-v1, non-profiles and Kraken are config errors', () => {
    const b = new Binance(API_KEY, SECRET);
    const base = 'http://127.0.0.1:9';
    const configError = (fn, pattern) => assert.throws(fn, (e) => {
      assert.ok(e instanceof sigwire.SigwireError, String(e));
      assert.equal(e.code, 'invalid_config');
      assert.match(e.message, pattern);
      assert.ok(!e.message.includes(SECRET));
      return true;
    });
    configError(() => new Client({ baseUrl: base, profile: b, keyId: 'k', secret: 's' }), /keyId, secret .*not both/);
    configError(() => new Client({ baseUrl: base, profile: b, signedHeaders: ['x-a'] }), /signedHeaders/);
    configError(() => new Client({ baseUrl: base, profile: { sign() {} } }), /profile must be a signer/);
    configError(() => new Client({ baseUrl: base, profile: new Kraken('k', Buffer.from('s').toString('base64')) }), /Kraken/);
    // Every other signer is accepted.
    const aws = new AwsSigV4({ accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'us-east-1', service: 'execute-api' });
    assert.equal(new Client({ baseUrl: base, profile: aws }).baseUrl, base + '/');
  });
};
