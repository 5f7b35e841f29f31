'use strict';
// Issue 12, Node side: audience binding (item 7) and header-first checks (item 3) in the Express
// middleware and the Fastify plugin, each reproducing the attack on real servers on 127.0.0.1.
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const express = require('express');
const Fastify = require('fastify');
const sigwire = require('sigwire');

const { Signer, Verifier, expressMiddleware, fastifyPlugin, SERVER_TIME_HEADER } = sigwire;
const SECRET = 'sigwire-test-secret-0123456789ab';
const signer = new Signer({ keyId: 'client-1', secret: SECRET });

function verifier() {
  return new Verifier({ keys: { 'client-1': SECRET }, windowSeconds: 300 });
}

async function startExpress(options) {
  const app = express();
  let bodyReads = 0;
  app.use((req, res, next) => {
    countReads(req, res, () => bodyReads++);
    next();
  });
  app.use(expressMiddleware({ verifier: verifier(), ...options }));
  app.all('/*splat', (req, res) => res.json({ keyId: req.sigwireKeyId }));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { port: server.address().port, bodyReads: () => bodyReads, close: () => new Promise((r) => server.close(r)) };
}

async function startFastify(options) {
  const app = Fastify({ bodyLimit: options.bodyLimit });
  let bodyReads = 0;
  app.addHook('onRequest', async (request, reply) => {
    countReads(request.raw, reply.raw, () => bodyReads++);
  });
  await app.register(fastifyPlugin, { verifier: verifier(), ...options });
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.all('/*', async (request) => ({ keyId: request.sigwireKeyId }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: app.server.address().port, bodyReads: () => bodyReads, close: () => app.close() };
}

/**
 * Counts body chunks delivered to the application before the response started (without reading
 * anything itself: adding a 'data' listener would start the flow). Node discards an unread body
 * after the response, which is not counted.
 */
function countReads(req, res, count) {
  const emit = req.emit;
  req.emit = function (event, ...args) {
    if (event === 'data' && !res.headersSent) count();
    return emit.call(this, event, ...args);
  };
}

const adapters = { Express: startExpress, Fastify: startFastify };

/**
 * Sends a request with exactly these headers (Host included) and `body`, or — with `declared` —
 * announces `declared` bytes, sends only `body`, and resolves as soon as the answer arrives.
 */
function send(port, { method = 'POST', path = '/pay', headers, body = Buffer.alloc(0), declared }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: { ...headers, 'content-length': String(declared ?? body.length) }, setHost: false });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, json: text ? JSON.parse(text) : null });
        req.destroy();
      });
    });
    req.on('error', (e) => (declared === undefined ? reject(e) : undefined));
    req.write(body);
    if (declared === undefined) req.end();
  });
}

function signedFor(host, body = Buffer.from('{"amount":100}')) {
  const headers = { host, 'content-type': 'application/json' };
  const { Authorization } = signer.sign({ method: 'POST', url: `http://${host}/pay`, headers, body });
  return { headers: { ...headers, authorization: Authorization }, body };
}

function assertFailure(res, status, code) {
  assert.equal(res.status, status);
  assert.deepEqual(res.json, { error: code });
  assert.ok(Number.isInteger(Number(res.headers[SERVER_TIME_HEADER.toLowerCase()])));
}

for (const [name, start] of Object.entries(adapters)) {
  test(`${name}: a request signed for service A is refused by service B sharing the key (421)`, async (t) => {
    // The attack: B without declared authorities takes the signed host from the request's own
    // Host header, so A's request, sent to B's address unchanged, verifies there.
    const open = await start({});
    t.after(() => open.close());
    const forA = signedFor('a.example.com');
    const res = await send(open.port, forA);
    assert.equal(res.status, 200, 'without an audience the attack gets through (documented default)');
    assert.equal(res.json.keyId, 'client-1');

    // B declares what it serves: A's request (a fresh copy) is misdirected, before verifying.
    const b = await start({ authorities: ['b.example.com', 'B.example.com:8443'] });
    t.after(() => b.close());
    assertFailure(await send(b.port, signedFor('a.example.com')), 421, 'misdirected_request');
    // Its own requests pass, compared canonically (case, default port).
    assert.equal((await send(b.port, signedFor('b.example.com'))).status, 200);
    assert.equal((await send(b.port, signedFor('B.EXAMPLE.com:80'))).status, 200);
    assert.equal((await send(b.port, signedFor('b.example.com:8443'))).status, 200);
    assertFailure(await send(b.port, signedFor('b.example.com:9000')), 421, 'misdirected_request');

    // With `authority` and a scheme: a Host that differs is refused even if its signature is good.
    const c = await start({ authority: 'api.example.com', scheme: 'https' });
    t.after(() => c.close());
    const headers = { host: 'api.example.com:443', 'content-type': 'application/json' };
    const body = Buffer.from('{}');
    const { Authorization } = signer.sign({ method: 'POST', url: 'https://api.example.com/pay', headers, body });
    assert.equal((await send(c.port, { headers: { ...headers, authorization: Authorization }, body })).status, 200, 'https default port');
    const other = { host: 'evil.example.com', 'content-type': 'application/json' };
    const evil = signer.sign({ method: 'POST', url: 'https://evil.example.com/pay', headers: other, body });
    assertFailure(await send(c.port, { headers: { ...other, authorization: evil.Authorization }, body }), 421, 'misdirected_request');

    // No Host: 400 (from Node's HTTP parser itself, before any middleware).
    assert.equal((await send(b.port, { headers: { 'content-type': 'application/json' } })).status, 400);
  });

  test(`${name}: an invalid declared authority is a configuration error`, async () => {
    await assert.rejects(
      (async () => {
        const s = await start({ authorities: ['not a host'] });
        await s.close();
      })(),
      sigwire.InvalidConfigError,
    );
    await assert.rejects(
      (async () => {
        const s = await start({ authorities: [] });
        await s.close();
      })(),
      sigwire.InvalidConfigError,
    );
  });

  // Times out (instead of failing fast) if the adapter waits for the body it was promised.
  test(`${name}: an unauthenticated large upload is refused before its body is read`, { timeout: 20_000 }, async (t) => {
    // The limit admits the declared 64 MiB, so only the header-first check can stop it early.
    const srv = await start({ bodyLimit: 256 * 1024 * 1024 });
    t.after(() => srv.close());
    const declared = 64 * 1024 * 1024;
    const chunk = Buffer.alloc(1024, 1);
    const host = '127.0.0.1';
    const cases = {
      missing_authorization: {},
      malformed_authorization: { authorization: 'HMAC apiKey="client-1"' },
      unknown_key: { authorization: new Signer({ keyId: 'nobody', secret: SECRET }).sign({ method: 'POST', url: `http://${host}/pay` }).Authorization },
      stale_timestamp: { authorization: signer.sign({ method: 'POST', url: `http://${host}/pay`, timestamp: Math.floor(Date.now() / 1000) - 3600 }).Authorization },
    };
    for (const [code, extra] of Object.entries(cases)) {
      const before = srv.bodyReads();
      const res = await send(srv.port, { headers: { host, 'content-type': 'application/octet-stream', ...extra }, body: chunk, declared });
      assertFailure(res, 401, code);
      // Answered with 1 KiB of 64 MiB sent, and the application never read a body chunk.
      assert.equal(srv.bodyReads(), before, `${code}: the body was not read`);
      assert.equal(res.headers.connection, 'close', `${code}: the connection is closed, not drained`);
    }
  });
}

// Issue 12 item 11: X-HTTP-Method-Override added on the path to a signed POST.
for (const [name, start] of Object.entries(adapters)) {
  test(`${name}: a meaning-changing header added on the path is refused when the verifier requires it signed`, async (t) => {
    const host = 'api.example.com';
    const body = Buffer.from('{"amount":100}');
    const headers = { host, 'content-type': 'application/json' };
    const { Authorization } = signer.sign({ method: 'POST', url: `http://${host}/pay`, headers, body });
    const tampered = { headers: { ...headers, authorization: Authorization, 'x-http-method-override': 'DELETE' }, body };

    // The attack: by default the added header is not covered, and the request verifies.
    const open = await start({});
    t.after(() => open.close());
    assert.equal((await send(open.port, tampered)).status, 200, 'default policy: the override gets through (documented)');

    // A verifier that requires it signed refuses it — from the head alone, before the body.
    const strict = new Verifier({ keys: { 'client-1': SECRET }, requireSignedHeaders: ['X-HTTP-Method-Override'] });
    const guarded = await start({ verifier: strict, bodyLimit: 256 * 1024 * 1024 });
    t.after(() => guarded.close());
    const again = signer.sign({ method: 'POST', url: `http://${host}/pay`, headers, body });
    const res = await send(guarded.port, { headers: { ...headers, authorization: again.Authorization, 'x-http-method-override': 'DELETE' }, body, declared: 64 * 1024 * 1024 });
    assertFailure(res, 401, 'unsigned_header');
    assert.equal(guarded.bodyReads(), 0, 'refused before the body was read');

    // A client signing every end-to-end header: the override is signed, so it verifies, and
    // changing it on the path breaks the signature.
    const allSigner = new Signer({ keyId: 'client-1', secret: SECRET, signedHeaderPolicy: 'all-end-to-end' });
    assert.equal(allSigner.signedHeaderPolicy, 'all-end-to-end');
    const withOverride = { ...headers, 'x-http-method-override': 'PATCH' };
    const signedAll = allSigner.sign({ method: 'POST', url: `http://${host}/pay`, headers: withOverride, body });
    assert.match(signedAll.Authorization, /signedHeaders="host;content-type;x-http-method-override"/);
    assert.equal((await send(guarded.port, { headers: { ...withOverride, authorization: signedAll.Authorization }, body })).status, 200);
    const signedAll2 = allSigner.sign({ method: 'POST', url: `http://${host}/pay`, headers: withOverride, body });
    assertFailure(await send(guarded.port, { headers: { ...withOverride, 'x-http-method-override': 'DELETE', authorization: signedAll2.Authorization }, body }), 401, 'signature_mismatch');
  });
}

test('Client({ signedHeaderPolicy: "all-end-to-end" }) signs the override header, so a strict server accepts it', async (t) => {
  const strict = new Verifier({ keys: { 'client-1': SECRET }, requireSignedHeaders: ['x-http-method-override'] });
  const srv = await startExpress({ verifier: strict });
  t.after(() => srv.close());
  const baseUrl = `http://127.0.0.1:${srv.port}`;
  const headers = { 'x-http-method-override': 'PATCH' };
  const all = new sigwire.Client({ baseUrl, keyId: 'client-1', secret: SECRET, signedHeaderPolicy: 'all-end-to-end', retry: { maxAttempts: 1 } });
  const ok = await all.post('/pay', { json: { amount: 1 }, headers });
  assert.equal(ok.status, 200);
  const listed = new sigwire.Client({ baseUrl, keyId: 'client-1', secret: SECRET, retry: { maxAttempts: 1 } });
  await assert.rejects(listed.post('/pay', { json: { amount: 1 }, headers }), (e) => e instanceof sigwire.UnsignedHeaderError && e.httpStatus === 401);
  assert.throws(() => new sigwire.Client({ baseUrl, keyId: 'client-1', secret: SECRET, signedHeaderPolicy: 'everything' }), sigwire.InvalidConfigError);
});
