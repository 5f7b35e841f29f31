'use strict';
/**
 * Contract: the HTTP Client (sdk-node/lib/common/client.js) against the reference server
 * (`sigwire-server` binary, path in SIGWIRE_SERVER_BIN) on 127.0.0.1, the same cases for the
 * native package (sdk-node/test/http-client.test.js: the Rust sigwire-client through napi) and
 * the WebAssembly one in Node (sdk-wasm/test/node/client.test.js: fetch over the wasm client
 * rules). Every test is bounded in time: short timeouts, millisecond backoffs, and a per-test
 * timeout.
 *
 * @param {{sigwire: any, test: Function, assert: any, dropIsTransport: boolean}} env the package
 *   under test, node:test, and whether its transport tells a connection dropped after the request
 *   from one refused (the native client does; fetch does not)
 */
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const util = require('node:util');
const { SERVER_BIN, KEY, SECRET, startServer } = require('../helpers/reference-server');
const { FAST, rejection } = require('../helpers/client-calls');

const BOUND = { timeout: 30_000 };
const isBytes = (b) => b instanceof Uint8Array;
const text = (b) => new TextDecoder().decode(b);

module.exports = function clientContract({ sigwire, test, assert, dropIsTransport }) {
  const { Client, SigwireError } = sigwire;

  test('the reference server binary is available (SIGWIRE_SERVER_BIN)', () => {
    assert.ok(SERVER_BIN, 'set SIGWIRE_SERVER_BIN to the sigwire-server binary (scripts/ci/node.sh and wasm.sh build it)');
    assert.ok(fs.existsSync(SERVER_BIN), `no file at ${SERVER_BIN}`);
  });

  function client(server, extra = {}) {
    return new Client({ baseUrl: server.base, keyId: KEY, secret: SECRET, ...FAST, ...extra });
  }

  let server;
  test.before(async () => {
    if (SERVER_BIN && fs.existsSync(SERVER_BIN)) server = await startServer();
  });
  test.after(async () => {
    if (server) await server.stop();
  });

  test('success: GET with query, POST json, PUT bytes, hmac-sha512, Promise API', BOUND, async () => {
    const c = client(server);
    const pending = c.get('/v1/echo', { query: { q: 'a b+c', n: 1 } });
    assert.ok(pending instanceof Promise);
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.attempts, 1);
    assert.ok(isBytes(r.body));
    assert.match(r.headers['content-type'], /application\/json/);
    const body = r.json();
    assert.equal(body.key_id, KEY);
    assert.equal(body.path, '/v1/echo');
    assert.equal(body.query, 'q=a%20b%2Bc&n=1');

    const p = await c.post('/v1/orders', { json: { amount: 100, b: [1, 2] }, headers: { 'x-extra': 'yes' } });
    const pb = p.json();
    assert.equal(pb.body, '{"amount":100,"b":[1,2]}', 'the JSON.stringify bytes are sent and signed as they are');
    assert.equal(pb.content_type, 'application/json');
    assert.match(p.text(), /amount/);

    const c512 = client(server, { algorithm: 'hmac-sha512' });
    const put = await c512.request('PUT', '/v1/blob', { body: new Uint8Array([0, 1, 255]), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(put.json().body_len, 3);
    assert.equal((await c512.delete('/v1/blob/1')).status, 200);
    const head = await c.request('HEAD', '/v1/echo');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  test('retries re-sign: distinct nonces per attempt; exhausted retries give HttpStatusError', BOUND, async () => {
    const c = client(server);
    await server.fault('/flaky', { type: 'status', status: 503 }, 2);
    const r = await c.get('/flaky');
    assert.equal(r.attempts, 3);
    const nonces = await server.nonces('/flaky');
    assert.equal(nonces.length, 3);
    assert.equal(new Set(nonces).size, 3, `each attempt signed afresh: ${nonces}`);

    await server.fault('/down', { type: 'status', status: 503 }, 10);
    const e = await rejection(c.get('/down'));
    assert.ok(e instanceof sigwire.HttpStatusError && e instanceof SigwireError);
    assert.equal(e.code, 'http_status');
    assert.equal(e.kind, 'http_status');
    assert.equal(e.status, 503);
    assert.equal(e.attempts, 3);
    assert.ok(isBytes(e.body));
    assert.match(text(e.body), /injected_fault/);
    assert.equal(typeof e.headers, 'object');

    await server.fault('/missing', { type: 'status', status: 404 }, 5);
    const m = await rejection(c.get('/missing'));
    assert.equal(m.status, 404);
    assert.equal(m.attempts, 1, '404 is not retried');
  });

  test('POST is retried only with an Idempotency-Key that stays the same across attempts', BOUND, async () => {
    const c = client(server);
    await server.fault('/pay', { type: 'status', status: 503 }, 2);
    const r = await c.post('/pay', { json: { amount: 5 } });
    assert.equal(r.attempts, 3);
    const seen = await server.requests('/pay');
    assert.equal(seen.length, 3);
    const keys = seen.map((x) => x.idempotency_key);
    assert.ok(keys[0] && keys[0].length > 0);
    assert.deepEqual(keys, [keys[0], keys[0], keys[0]]);
    assert.equal(new Set(seen.map((x) => x.nonce)).size, 3);

    await server.fault('/pay2', { type: 'status', status: 503 }, 1);
    await c.post('/pay2', { body: 'x', idempotencyKey: 'order-42' });
    assert.deepEqual((await server.requests('/pay2')).map((x) => x.idempotency_key), ['order-42', 'order-42']);

    const noKeys = client(server, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40, idempotencyKeys: false } });
    await server.fault('/pay3', { type: 'status', status: 503 }, 1);
    const e = await rejection(noKeys.post('/pay3', { body: 'x' }));
    assert.equal(e.status, 503);
    assert.equal(e.attempts, 1);
    const pay3 = await server.requests('/pay3');
    assert.equal(pay3.length, 1);
    assert.equal(pay3[0].idempotency_key ?? null, null);
  });

  test('Retry-After is honoured (measured)', BOUND, async () => {
    const c = client(server);
    await server.fault('/ra', { type: 'status', status: 503, retry_after: '1' }, 1);
    const t = performance.now();
    const r = await c.get('/ra');
    const elapsed = performance.now() - t;
    assert.equal(r.attempts, 2);
    assert.ok(elapsed >= 950 && elapsed < 2500, `elapsed ${elapsed} ms`);
    const seen = await server.requests('/ra');
    const gap = seen[1].at_ms - seen[0].at_ms;
    assert.ok(gap >= 950 && gap < 2500, `server-side gap ${gap} ms`);

    const capped = client(server, { retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40, maxRetryAfterMs: 200 } });
    await server.fault('/ra-long', { type: 'status', status: 503, retry_after: '3600' }, 1);
    const t2 = performance.now();
    await capped.get('/ra-long');
    assert.ok(performance.now() - t2 < 1500);
  });

  for (const offset of [600, -600]) {
    test(`server clock ${offset > 0 ? '+' : ''}${offset} s is corrected after one exchange`, BOUND, async () => {
      const s = await startServer(['--clock-offset', String(offset)]);
      try {
        const c = client(s);
        assert.equal(c.clockOffset, 0);
        const r = await c.get('/skew');
        assert.equal(r.attempts, 2, 'stale_timestamp, then re-signed and accepted');
        assert.ok(Math.abs(c.clockOffset - offset) <= 2, `offset ${c.clockOffset}`);
        assert.equal((await c.get('/skew')).attempts, 1);
        assert.equal((await c.post('/skew', { body: 'x' })).attempts, 1);
      } finally {
        await s.stop();
      }
    });

    test(`server clock ${offset > 0 ? '+' : ''}${offset} s: 5 concurrent requests share the correction`, BOUND, async () => {
      const s = await startServer();
      try {
        await s.control('PUT', '/_control/clock', { offset_seconds: offset });
        const c = client(s);
        const rs = await Promise.all([0, 1, 2, 3, 4].map((i) => c.get(`/concurrent/${i}`)));
        for (const r of rs) assert.ok(r.attempts <= 2, `at most one re-sign each, got ${r.attempts}`);
        assert.ok(Math.abs(c.clockOffset - offset) <= 2, `offset ${c.clockOffset}`);
        assert.equal((await c.get('/after')).attempts, 1);
      } finally {
        await s.stop();
      }
    });
  }

  test('clock skew beyond the maximum: ClockSkewTooLargeError; correction off: StaleTimestampError', BOUND, async () => {
    const s = await startServer(['--clock-offset', '600']);
    try {
      const e = await rejection(client(s, { maxClockSkewSeconds: 60 }).get('/x'));
      assert.ok(e instanceof sigwire.ClockSkewTooLargeError, e.name);
      assert.equal(e.code, 'clock_skew_too_large');
      assert.ok(Math.abs(e.offsetSeconds - 600) <= 2);
      assert.equal(e.maxSeconds, 60);

      const off = await rejection(client(s, { clockSkewCorrection: false }).get('/x'));
      assert.ok(off instanceof sigwire.StaleTimestampError, off.name);
      assert.equal(off.code, 'stale_timestamp');
      assert.equal(off.kind, 'signature_rejected');
      assert.equal(off.httpStatus, 401);
      assert.ok(Math.abs(off.serverTime - (Math.floor(Date.now() / 1000) + 600)) <= 3);
    } finally {
      await s.stop();
    }
  });

  /** A foreign origin that records requests and answers 307 to `location` when set, else 200 {}. */
  function startForeign() {
    const seen = [];
    const state = { location: undefined };
    const srv = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks) });
        if (state.location) res.writeHead(307, { location: state.location, 'content-length': '0' }).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
      seen, state, url: (p) => `http://127.0.0.1:${srv.address().port}${p}`, stop: () => new Promise((r) => srv.close(r)),
    })));
  }

  test('redirects: a change of origin drops every credential and the body (issue 12 item 5)', BOUND, async () => {
    const foreign = await startForeign();
    try {
      await server.fault('/upload', { type: 'redirect', location: foreign.url('/landing'), status: 307 });
      const c = client(server, { sensitiveHeaders: ['X-Tenant-Secret'], retry: { maxAttempts: 1 } });
      const headers = { cookie: 's=1', 'x-api-key': 'k', 'proxy-authorization': 'Basic eA==', 'x-auth-token': 't', 'x-tenant-secret': 'mine', accept: 'application/json' };
      const r = await c.post('/upload', { headers, json: { card: '4111' } });
      assert.equal(r.status, 200);
      assert.equal(foreign.seen.length, 1);
      const hop = foreign.seen[0];
      for (const name of ['authorization', 'cookie', 'x-api-key', 'proxy-authorization', 'x-auth-token', 'x-tenant-secret', 'content-type']) {
        assert.equal(hop.headers[name], undefined, name);
      }
      assert.equal(hop.headers.accept, 'application/json');
      assert.deepEqual([hop.method, hop.body.length], ['POST', 0]);
    } finally {
      await foreign.stop();
      await server.control('DELETE', '/_control/faults');
    }
  });

  test('redirects: a chain that left the origin is not signed when it comes back (issue 12 item 6); sign: false', BOUND, async () => {
    const foreign = await startForeign();
    try {
      foreign.state.location = server.url('/admin/delete-everything?confirm=yes');
      await server.fault('/orders', { type: 'redirect', location: foreign.url('/bounce'), status: 307 });
      const c = client(server, { retry: { maxAttempts: 1 } });
      const e = await rejection(c.post('/orders', { body: 'payload' }));
      assert.ok(e instanceof sigwire.MissingAuthorizationError, e.name);
      assert.equal(foreign.seen[0].body.length, 0);
      const u = await rejection(c.get('/private', { sign: false }));
      assert.ok(u instanceof sigwire.MissingAuthorizationError, u.name);
      assert.equal((await c.get('/private')).status, 200);
    } finally {
      await foreign.stop();
      await server.control('DELETE', '/_control/faults');
    }
  });

  test('redirects: same origin re-signed; cross-origin redirect drops Authorization', BOUND, async () => {
    const other = await startServer();
    try {
      const c = client(server);
      await server.fault('/old', { type: 'redirect', location: '/new?v=2' });
      const r = await c.get('/old');
      assert.equal(r.json().key_id, KEY);
      assert.equal(new URL(r.url).pathname, '/new');

      await server.fault('/away', { type: 'redirect', location: other.url('/public/landing'), status: 307 });
      const away = await c.get('/away');
      assert.equal(away.json().authorization_present, false);
      const landed = await other.requests('/public/landing');
      assert.equal(landed.length, 1);
      assert.equal(landed[0].authorization_present, false);

      await server.fault('/away2', { type: 'redirect', location: other.url('/secure') });
      const e = await rejection(c.get('/away2'));
      assert.ok(e instanceof sigwire.MissingAuthorizationError, e.name);

      await server.fault('/loop', { type: 'redirect', location: '/loop' }, 10);
      const loop = await rejection(client(server, { maxRedirects: 3 }).get('/loop'));
      assert.ok(loop instanceof sigwire.TooManyRedirectsError, loop.name);
      assert.equal(loop.limit, 3);
      await server.control('DELETE', '/_control/faults');
    } finally {
      await other.stop();
    }
  });

  test('timeouts fire: attempt and total (SigwireTimeoutError)', BOUND, async () => {
    const c = client(server, { timeouts: { connectMs: 2000, attemptMs: 200, totalMs: 15000 }, retry: { maxAttempts: 1 } });
    await server.fault('/slow', { type: 'delay', ms: 3000 });
    let t = performance.now();
    const e = await rejection(c.get('/slow'));
    assert.ok(e instanceof sigwire.SigwireTimeoutError, e.name);
    assert.equal(e.code, 'timeout');
    assert.equal(e.timeoutKind, 'attempt');
    assert.ok(performance.now() - t < 1500);

    const total = client(server, { timeouts: { attemptMs: 300, totalMs: 700 }, retry: { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 40 } });
    await server.fault('/slower', { type: 'delay', ms: 3000 }, 10);
    t = performance.now();
    const e2 = await rejection(total.get('/slower'));
    const elapsed = performance.now() - t;
    assert.equal(e2.timeoutKind, 'total');
    assert.ok(elapsed >= 650 && elapsed < 1500, `elapsed ${elapsed}`);

    // Per-call override.
    await server.fault('/slow-call', { type: 'delay', ms: 3000 }, 10);
    const e3 = await rejection(client(server).get('/slow-call', { timeouts: { attemptMs: 150, totalMs: 400 } }));
    assert.ok(e3 instanceof sigwire.SigwireTimeoutError);
    await server.control('DELETE', '/_control/faults');
  });

  test('connection errors: ConnectError after retries; a dropped connection is retried, then fails', BOUND, async () => {
    const port = await new Promise((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = srv.address().port;
        srv.close(() => resolve(p));
      });
    });
    const c = new Client({ baseUrl: `http://127.0.0.1:${port}`, keyId: KEY, secret: SECRET, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 } });
    const e = await rejection(c.get('/'));
    assert.ok(e instanceof sigwire.ConnectError, e.name);
    assert.equal(e.code, 'connect');
    assert.equal(e.attempts, 3);

    await server.fault('/drop', { type: 'drop' });
    assert.equal((await client(server).get('/drop')).attempts, 2);
    await server.fault('/drop', { type: 'drop' });
    const t = await rejection(client(server, { retry: { maxAttempts: 1 } }).get('/drop'));
    if (dropIsTransport) assert.ok(t instanceof sigwire.TransportError, t.name);
    // fetch does not tell a refused connection from a dropped one (browsers never do).
    else assert.ok(t instanceof sigwire.ConnectError || t instanceof sigwire.TransportError, t.name);
    assert.equal(t.attempts, 1);
  });

  test('body over the limit gives 413 (HttpStatusError)', BOUND, async () => {
    const s = await startServer(['--body-limit', '1024']);
    try {
      const c = client(s);
      const e = await rejection(c.post('/upload', { body: new Uint8Array(2048).fill(120) }));
      assert.ok(e instanceof sigwire.HttpStatusError, e.name);
      assert.equal(e.status, 413);
      assert.equal(e.attempts, 1);
      assert.equal(text(e.body), '{"error":"body_too_large"}');
      assert.equal((await s.requests('/upload')).length, 0);
      assert.equal((await c.post('/upload', { body: new Uint8Array(1024).fill(120) })).json().body_len, 1024);
    } finally {
      await s.stop();
    }
  });

  test('signature rejected: the class of the server machine code; no secret anywhere', BOUND, async () => {
    const wrong = 'WRONG-secret-0123456789abcdef';
    const c = new Client({ baseUrl: server.base, keyId: KEY, secret: wrong });
    const e = await rejection(c.get('/x'));
    assert.ok(e instanceof sigwire.SignatureMismatchError, e.name);
    assert.equal(e.code, 'signature_mismatch');
    assert.equal(e.httpStatus, 401);
    const text = `${e.message} ${e.stack} ${util.inspect(e)} ${JSON.stringify(e)} ${util.inspect(c)} ${JSON.stringify(c)}`;
    assert.ok(!text.includes('WRONG-secret') && !text.includes(SECRET) && !text.includes('HMAC'), text);
    assert.deepEqual(JSON.parse(JSON.stringify(c)), { baseUrl: `${server.base}/`, keyId: KEY });

    const unknown = new Client({ baseUrl: server.base, keyId: 'nobody', secret: SECRET });
    assert.ok((await rejection(unknown.get('/x'))) instanceof sigwire.UnknownKeyError);
  });

  test('default and signed headers; a missing signed header is a signing error', BOUND, async () => {
    const c = client(server, { defaultHeaders: { 'x-tenant': 'acme' }, signedHeaders: ['x-tenant'] });
    await c.post('/t', { body: 'x' });
    const seen = await server.requests('/t');
    assert.equal(seen.length, 1);
    const e = await rejection(client(server, { signedHeaders: ['x-missing'] }).get('/t'));
    assert.ok(e instanceof SigwireError);
    assert.equal(e.kind, 'sign');
  });

  test('bad options are typed errors, never crashes', async () => {
    const ok = { baseUrl: 'http://127.0.0.1:9', keyId: KEY, secret: SECRET };
    const cases = [
      [undefined, sigwire.InvalidConfigError],
      [{ ...ok, baseUrl: 'ftp://x' }, sigwire.InvalidConfigError],
      [{ ...ok, baseUrl: 'http://x/?q=1' }, sigwire.InvalidConfigError],
      [{ ...ok, baseUrl: 42 }, sigwire.InvalidConfigError],
      [{ ...ok, keyId: 7 }, sigwire.InvalidKeyIdError],
      [{ ...ok, secret: 'short' }, sigwire.InvalidSecretError],
      [{ ...ok, secret: undefined }, sigwire.InvalidSecretError],
      [{ ...ok, algorithm: 'md5' }, sigwire.UnsupportedAlgorithmError],
      [{ ...ok, defaultHeaders: { x: 'a\r\nb' } }, sigwire.InvalidConfigError],
      [{ ...ok, timeouts: { attemptMs: -5 } }, sigwire.InvalidConfigError],
      [{ ...ok, timeouts: { totalMs: 'soon' } }, sigwire.InvalidConfigError],
      [{ ...ok, retry: { maxAttempts: 0 } }, sigwire.InvalidConfigError],
      [{ ...ok, retry: { baseDelayMs: NaN } }, sigwire.InvalidConfigError],
      [{ ...ok, signedHeaders: ['bad name'] }, sigwire.InvalidRequestError],
    ];
    for (const [options, cls] of cases) {
      assert.throws(() => new Client(options), (e) => e instanceof cls && !String(e.message).includes(SECRET), util.inspect(options));
    }
    const c = new Client({ ...ok, timeouts: { connectMs: null, attemptMs: Infinity } });
    for (const [method, path, opts] of [
      [5, '/x', {}],
      ['GET', null, {}],
      ['GE T', '/x', {}],
      ['GET', '/x', { headers: { 'bad name': 'v' } }],
      ['GET', '/x', { query: 'a=b' }],
      ['POST', '/x', { json: {}, body: 'x' }],
      ['POST', '/x', { json: () => 1 }],
      ['POST', '/x', { body: 12 }],
      ['POST', '/x', { idempotencyKey: 'a\nb' }],
    ]) {
      const e = await rejection(c.request(method, path, opts));
      assert.ok(e instanceof sigwire.InvalidRequestError, `${method} ${path} ${util.inspect(opts)}: ${e.name} ${e.message}`);
    }
  });

  test('response text() and json() raise DecodeError on bad bodies', BOUND, async () => {
    const r = await client(server).put('/v1/blob', { body: new Uint8Array([0xff, 0xfe]), headers: { 'content-type': 'application/octet-stream' } });
    const bad = new sigwire.ClientResponse(200, {}, new Uint8Array([0xff]), 'x', 1);
    assert.throws(() => bad.text(), sigwire.DecodeError);
    const notJson = new sigwire.ClientResponse(200, {}, new TextEncoder().encode('nope'), 'x', 1);
    assert.throws(() => notJson.json(), (e) => e instanceof sigwire.DecodeError && e.code === 'decode');
    assert.equal(r.json().body_len, 2);
  });
};
