'use strict';
// Real Express and Fastify servers on 127.0.0.1 (ephemeral ports), called with fetch and axios.
const test = require('node:test');
const assert = require('node:assert/strict');
const express = require('express');
const Fastify = require('fastify');
const axios = require('axios');
const sigwire = require('sigwire');

const { Signer, Verifier, signedFetch, axiosInterceptor, expressMiddleware, fastifyPlugin, captureRawBody, SERVER_TIME_HEADER } = sigwire;
const SECRET = 'sigwire-test-secret-0123456789ab';
const signer = new Signer({ keyId: 'client-1', secret: SECRET });
const otherKey = new Signer({ keyId: 'client-2', secret: SECRET });

function newVerifier() {
  return new Verifier({ keys: { 'client-1': SECRET }, windowSeconds: 300 });
}

function listenExpress(app) {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) }));
    server.on('error', reject);
  });
}

function routes(app) {
  app.get('/items', (req, res) => res.json({ keyId: req.sigwireKeyId, sigwire: req.sigwire, query: req.query }));
  app.post('/echo', (req, res) => {
    // With express.raw() or the middleware mounted first, req.body is the raw Buffer.
    let body = req.body;
    if (Buffer.isBuffer(body)) body = req.is('application/json') ? JSON.parse(body.toString('utf8')) : { raw: body.toString('utf8') };
    else if (typeof body === 'string') body = { raw: body };
    res.json({ keyId: req.sigwireKeyId, body, rawLength: req.rawBody ? req.rawBody.length : null });
  });
  app.put('/bytes', (req, res) => res.json({ keyId: req.sigwireKeyId, rawLength: req.rawBody ? req.rawBody.length : Buffer.isBuffer(req.body) ? req.body.length : null }));
}

const expressSetups = {
  'express.json({ verify: captureRawBody })': (verifier) => {
    const app = express();
    app.use(express.json({ verify: captureRawBody }));
    app.use(express.text({ verify: captureRawBody }));
    app.use(express.raw({ type: 'application/octet-stream', verify: captureRawBody }));
    app.use(expressMiddleware({ verifier }));
    routes(app);
    return app;
  },
  'middleware before any body parser': (verifier) => {
    const app = express();
    app.use(expressMiddleware({ verifier }));
    app.use(express.json());
    routes(app);
    return app;
  },
  'express.raw()': (verifier) => {
    const app = express();
    app.use(express.raw({ type: '*/*' }));
    app.use(expressMiddleware({ verifier }));
    routes(app);
    return app;
  },
};

async function startFastify(verifier, opts = {}) {
  const app = Fastify({ bodyLimit: opts.bodyLimit });
  await app.register(fastifyPlugin, { verifier });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (req, body, done) => done(null, body));
  app.get('/items', async (request) => ({ keyId: request.sigwireKeyId, sigwire: request.sigwire, query: request.query }));
  app.post('/echo', async (request) => ({ keyId: request.sigwireKeyId, body: typeof request.body === 'string' ? { raw: request.body } : request.body, rawLength: request.rawBody.length }));
  app.put('/bytes', async (request) => ({ keyId: request.sigwireKeyId, rawLength: request.rawBody.length }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { base: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() };
}

const servers = {
  ...Object.fromEntries(Object.entries(expressSetups).map(([name, make]) => [`Express, ${name}`, (v) => listenExpress(make(v))])),
  Fastify: (v) => startFastify(v),
};

async function expectFailure(res, status, code) {
  assert.equal(res.status, status);
  assert.deepEqual(await res.json(), { error: code });
  const t = Number(res.headers.get(SERVER_TIME_HEADER));
  assert.ok(Number.isInteger(t) && Math.abs(t - Date.now() / 1000) < 10, `server time header: ${res.headers.get(SERVER_TIME_HEADER)}`);
}

for (const [name, start] of Object.entries(servers)) {
  test(`${name}: fetch and axios clients, tampering, replay, failures`, async (t) => {
    const srv = await start(newVerifier());
    t.after(() => srv.close());
    const sfetch = signedFetch(signer);
    const client = axios.create({ baseURL: srv.base, validateStatus: () => true });
    client.interceptors.request.use(axiosInterceptor(signer, client));

    await t.test('fetch: GET with 3 query params', async () => {
      const res = await sfetch(`${srv.base}/items?limit=10&offset=20&sort=desc`);
      assert.equal(res.status, 200);
      const json = await res.json();
      assert.equal(json.keyId, 'client-1');
      assert.equal(json.sigwire.scheme, 'sigwire-v1');
      assert.deepEqual(json.query, { limit: '10', offset: '20', sort: 'desc' });
    });

    await t.test('fetch: POST 1 KiB JSON, string/Uint8Array/URLSearchParams bodies', async () => {
      const payload = { items: Array.from({ length: 20 }, (_, i) => ({ id: i, name: `item-${i}`, price: i * 1.5 })) };
      const res = await sfetch(`${srv.base}/echo`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
      assert.equal(res.status, 200, await res.clone().text());
      const json = await res.json();
      assert.equal(json.keyId, 'client-1');
      assert.deepEqual(json.body, payload);
      const bytes = new TextEncoder().encode(JSON.stringify({ a: 'é' }));
      const res2 = await sfetch(new URL('/echo', srv.base), { method: 'POST', headers: { 'content-type': 'application/json' }, body: bytes });
      assert.deepEqual((await res2.json()).body, { a: 'é' });
      const res3 = await sfetch(`${srv.base}/echo`, { method: 'POST', body: 'plain text body' });
      assert.equal(res3.status, 200);
      assert.equal((await res3.json()).keyId, 'client-1');
      const res4 = await sfetch(new Request(`${srv.base}/bytes`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(3000).fill(9) }));
      assert.deepEqual(await res4.json(), { keyId: 'client-1', rawLength: 3000 });
    });

    await t.test('axios: GET with params, POST object, PUT bytes', async () => {
      const r1 = await client.get('/items', { params: { limit: 10, offset: 20, sort: 'desc' } });
      assert.equal(r1.status, 200, JSON.stringify(r1.data));
      assert.equal(r1.data.keyId, 'client-1');
      assert.deepEqual(r1.data.query, { limit: '10', offset: '20', sort: 'desc' });
      const r2 = await client.post('/echo', { amount: '100.00', currency: 'EUR', note: 'spaces and é' });
      assert.equal(r2.status, 200, JSON.stringify(r2.data));
      assert.deepEqual(r2.data.body, { amount: '100.00', currency: 'EUR', note: 'spaces and é' });
      const r3 = await client.put('/bytes', Buffer.alloc(1024, 1), { headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(r3.status, 200, JSON.stringify(r3.data));
      assert.deepEqual(r3.data, { keyId: 'client-1', rawLength: 1024 });
      const r4 = await axios.get(`${srv.base}/items?x=1`, { validateStatus: () => true });
      assert.equal(r4.status, 401);
      assert.deepEqual(r4.data, { error: 'missing_authorization' });
      // Replaying the exact request axios sent, and tampering with its body, are refused.
      const sent = r2.config;
      const replay = await axios.post(sent.url, sent.data, { headers: sent.headers.toJSON(), transformRequest: [(d) => d], validateStatus: () => true });
      assert.equal(replay.status, 401);
      assert.deepEqual(replay.data, { error: 'replayed_nonce' });
      assert.match(String(replay.headers['x-sigwire-server-time']), /^\d+$/);
      const r5 = await client.post('/echo', { amount: '1.00' });
      assert.equal(r5.status, 200);
      const tampered = Buffer.from(r5.config.data.toString('utf8').replace('1.00', '9.00'));
      const t5 = await axios.post(r5.config.url, tampered, { headers: r5.config.headers.toJSON(), validateStatus: () => true });
      assert.equal(t5.status, 401);
      assert.deepEqual(t5.data, { error: 'signature_mismatch' });
    });

    await t.test('tampered body, URL and method are refused', async () => {
      const body = JSON.stringify({ amount: '100.00' });
      const url = `${srv.base}/echo?dry_run=false`;
      const headers = { 'content-type': 'application/json' };
      const { Authorization } = signer.sign({ method: 'POST', url, headers, body });
      await expectFailure(await fetch(url, { method: 'POST', headers: { ...headers, Authorization }, body: body.replace('100', '900') }), 401, 'signature_mismatch');
      await expectFailure(await fetch(url.replace('false', 'true'), { method: 'POST', headers: { ...headers, Authorization }, body }), 401, 'signature_mismatch');
      await expectFailure(await fetch(url, { method: 'PUT', headers: { ...headers, Authorization }, body }), 401, 'signature_mismatch');
      await expectFailure(await fetch(url, { method: 'POST', headers: { 'content-type': 'text/plain', Authorization }, body }), 401, 'signature_mismatch');
      // The untampered request still goes through once, then is a replay.
      const ok = await fetch(url, { method: 'POST', headers: { ...headers, Authorization }, body });
      assert.equal(ok.status, 200);
      await expectFailure(await fetch(url, { method: 'POST', headers: { ...headers, Authorization }, body }), 401, 'replayed_nonce');
    });

    await t.test('replay of a GET, stale, unknown key, malformed, missing', async () => {
      const url = `${srv.base}/items?a=1`;
      const { Authorization } = signer.sign({ method: 'GET', url });
      assert.equal((await fetch(url, { headers: { Authorization } })).status, 200);
      await expectFailure(await fetch(url, { headers: { Authorization } }), 401, 'replayed_nonce');
      const old = signer.sign({ method: 'GET', url, timestamp: Math.floor(Date.now() / 1000) - 3600 }).Authorization;
      const res = await fetch(url, { headers: { Authorization: old } });
      await expectFailure(res, 401, 'stale_timestamp');
      await expectFailure(await fetch(url, { headers: otherKey.sign({ method: 'GET', url }) }), 401, 'unknown_key');
      await expectFailure(await fetch(url, { headers: { Authorization: 'HMAC apiKey="x"' } }), 401, 'malformed_authorization');
      await expectFailure(await fetch(url, { headers: { Authorization: 'Bearer abc' } }), 401, 'malformed_authorization');
      await expectFailure(await fetch(url), 401, 'missing_authorization');
      // A wrapped fetch against another host name that resolves here: the Host header is part of the signature.
      const viaLocalhost = url.replace('127.0.0.1', 'localhost');
      const auth = signer.sign({ method: 'GET', url }).Authorization;
      await expectFailure(await fetch(viaLocalhost, { headers: { Authorization: auth } }), 401, 'signature_mismatch');
    });

    await t.test('concurrent signed requests all verify once', async () => {
      const results = await Promise.all(Array.from({ length: 25 }, (_, i) => sfetch(`${srv.base}/items?i=${i}`).then((r) => r.status)));
      assert.deepEqual(results, Array(25).fill(200));
    });
  });
}

test('Express: a body consumed without raw capture is a configuration error (500), not a pass', async (t) => {
  const app = express();
  app.use(express.json());
  app.use(expressMiddleware({ verifier: newVerifier() }));
  routes(app);
  let seen;
  app.use((err, req, res, next) => {
    seen = err;
    res.status(500).json({ error: err.code });
  });
  const srv = await listenExpress(app);
  t.after(() => srv.close());
  const res = await signedFetch(signer)(`${srv.base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  assert.equal(res.status, 500);
  assert.ok(seen instanceof sigwire.InvalidConfigError);
});

/** Sends `head` (and `body`) on a raw socket and reads one response; nothing more is sent. */
function rawRequest(base, head, body = Buffer.alloc(0)) {
  const net = require('node:net');
  const { port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), '127.0.0.1');
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer within 5 s')); }, 5000);
    sock.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = data.subarray(0, end).toString('latin1').split('\r\n');
      const headers = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const length = Number(headers['content-length'] || 0);
      if (data.length - end - 4 < length) return;
      clearTimeout(timer);
      sock.destroy();
      resolve({ status: Number(lines[0].split(' ')[1]), headers, body: data.subarray(end + 4, end + 4 + length).toString('utf8') });
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
    sock.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  });
}

test('Express and Fastify: bodies over the limit get 413 body_too_large, like the Rust layer', async (t) => {
  const app = express();
  app.use(expressMiddleware({ verifier: newVerifier(), bodyLimit: 100 }));
  routes(app);
  const e = await listenExpress(app);
  t.after(() => e.close());
  const f = await startFastify(newVerifier(), { bodyLimit: 100 });
  t.after(() => f.close());
  const sfetch = signedFetch(signer);
  const big = JSON.stringify({ s: 'x'.repeat(500) });
  for (const base of [e.base, f.base]) {
    const r1 = await sfetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    assert.equal(r1.status, 413);
    assert.equal(r1.headers.get('cache-control'), 'no-store');
    assert.ok(Number(r1.headers.get(SERVER_TIME_HEADER)) > 1_600_000_000);
    assert.equal(await r1.text(), '{"error":"body_too_large"}');
    // A declared length over the limit is answered before a byte of the body is sent.
    const url = `${base}/echo`;
    const auth = signer.sign({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: '{}' }).Authorization;
    const host = new URL(base).host;
    const r2 = await rawRequest(base, `POST /echo HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Length: ${256 * 1024 * 1024}\r\n\r\n`);
    assert.equal(r2.status, 413);
    assert.equal(r2.body, '{"error":"body_too_large"}');
    // A chunked body without a length is cut off at the limit.
    const chunk = 'x'.repeat(80);
    const r3 = await rawRequest(base, `POST /echo HTTP/1.1\r\nHost: ${host}\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      Buffer.from(`50\r\n${chunk}\r\n50\r\n${chunk}\r\n`));
    assert.equal(r3.status, 413);
    assert.equal(r3.body, '{"error":"body_too_large"}');
  }
  const r4 = await sfetch(`${f.base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"small":true}' });
  assert.equal(r4.status, 200);
});

test('Fastify: unauthenticated bodies are never parsed', async (t) => {
  const app = Fastify();
  let parsed = 0;
  await app.register(fastifyPlugin, { verifier: newVerifier() });
  app.addContentTypeParser('application/x-count', { parseAs: 'string' }, (req, body, done) => {
    parsed++;
    done(null, body);
  });
  app.post('/count', async (request) => ({ body: request.body, keyId: request.sigwireKeyId }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const base = `http://127.0.0.1:${app.server.address().port}`;
  const res = await fetch(`${base}/count`, { method: 'POST', headers: { 'content-type': 'application/x-count' }, body: 'abc' });
  assert.equal(res.status, 401);
  assert.equal(parsed, 0);
  const ok = await signedFetch(signer)(`${base}/count`, { method: 'POST', headers: { 'content-type': 'application/x-count' }, body: 'abc' });
  assert.deepEqual(await ok.json(), { body: 'abc', keyId: 'client-1' });
  assert.equal(parsed, 1);
});

test('Express: a client aborting mid-body does not hang or crash the server', async (t) => {
  const net = require('node:net');
  const app = express();
  app.use(expressMiddleware({ verifier: newVerifier() }));
  routes(app);
  let errors = 0;
  app.use((err, req, res, next) => {
    errors++;
    if (!res.headersSent) res.status(400).end();
  });
  const srv = await listenExpress(app);
  t.after(() => srv.close());
  const port = Number(new URL(srv.base).port);
  await new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nAuthorization: HMAC x\r\n\r\n{"partial":');
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 100);
    });
    socket.on('error', reject);
  });
  await new Promise((r) => setTimeout(r, 100));
  const res = await signedFetch(signer)(`${srv.base}/items?after=abort`);
  assert.equal(res.status, 200);
  assert.ok(errors <= 1);
});
