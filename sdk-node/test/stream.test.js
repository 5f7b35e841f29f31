'use strict';
/**
 * Streamed bodies (issue 17): BodyHasher in the core, the Client with Readable / fs stream / Blob
 * bodies against the reference server (which spools and verifies them too), the Express and
 * Fastify middleware spooling uploads past their threshold (verified by digest before the app
 * runs, 413 at the limit, 401 with the handler never run, no file left), and a 64 MiB upload
 * through the Client into the Express middleware in one process whose added peak RSS must stay
 * within 16 MiB (clear_refs, then VmHWM — as scripts/bench.d/stream.sh measures).
 */
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Readable } = require('node:stream');
const express = require('express');
const Fastify = require('fastify');
const sigwire = require('sigwire');
const { SERVER_BIN, KEY, SECRET, startServer } = require('./helpers/reference-server');

const { Client, BodyHasher, Verifier, Signer, expressMiddleware, fastifyPlugin, SigwireError } = sigwire;
const BOUND = { timeout: 60_000 };
const MIB = 1024 * 1024;

let server;
test.before(async () => {
  if (SERVER_BIN && fs.existsSync(SERVER_BIN)) server = await startServer(['--body-limit', String(128 * MIB), '--spool-threshold', '65536']);
});
test.after(async () => {
  if (server) await server.stop();
});

function client(base, extra = {}) {
  return new Client({
    baseUrl: base,
    keyId: KEY,
    secret: SECRET,
    timeouts: { connectMs: 2000, attemptMs: 30000, totalMs: 60000 },
    retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
    ...extra,
  });
}

function spoolDirs() {
  return fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('sigwire-spool-'));
}

test('BodyHasher equals the one-shot digest under any chunking; misuse is a typed error', () => {
  const body = crypto.randomBytes(200_003);
  for (const [alg, hash] of [['hmac-sha256', 'sha256'], ['hmac-sha512', 'sha512']]) {
    for (const step of [1, 4096, 65_536, 70_000, body.length]) {
      const h = new BodyHasher(alg);
      for (let i = 0; i < body.length; i += step) h.update(body.subarray(i, i + step));
      const d = h.finish();
      assert.deepEqual(d, { algorithm: alg, hex: crypto.createHash(hash).update(body).digest('hex'), size: body.length });
    }
  }
  const h = new BodyHasher();
  h.update('a');
  h.finish();
  assert.throws(() => h.update('b'), (e) => e instanceof SigwireError && e.code === 'invalid_request');
  assert.throws(() => new BodyHasher('md5'), (e) => e instanceof SigwireError && e.code === 'unsupported_algorithm');
  assert.throws(() => new BodyHasher().update(42), (e) => e instanceof SigwireError && e.code === 'invalid_request');
});

test('Client sends fs streams, Readables, web streams and Blobs from a spool', BOUND, async () => {
  const c = client(server.base);
  const file = path.join(os.tmpdir(), `sigwire-stream-test-${process.pid}.bin`);
  fs.writeFileSync(file, crypto.randomBytes(3 * MIB + 7));
  try {
    assert.equal((await c.put('/up', { body: fs.createReadStream(file) })).json().body_len, 3 * MIB + 7);
    assert.equal((await c.put('/up', { body: fs.createReadStream(file, { start: 7 }) })).json().body_len, 3 * MIB);
    assert.equal((await c.put('/up', { body: fs.createReadStream(file, { end: 9 }) })).json().body_len, 10);
  } finally {
    fs.rmSync(file);
  }
  assert.equal((await c.post('/up', { body: Readable.from([Buffer.from('ab'), 'cd', new Uint8Array([101])]) })).json().body, 'abcde');
  assert.equal((await c.post('/up', { body: new Blob(['hello ', 'blob']) })).json().body, 'hello blob');
  assert.equal((await c.post('/up', { body: new Blob(['web']).stream() })).json().body, 'web');
  const bad = await c.post('/bad-up', { body: Readable.from([1, 2]) }).catch((e) => e);
  assert.ok(bad instanceof SigwireError && bad.code === 'invalid_request', String(bad));
  const failing = new Readable({ read() { this.destroy(new Error('disk gone')); } });
  const err = await c.post('/bad-up', { body: failing }).catch((e) => e);
  assert.ok(err instanceof SigwireError && err.code === 'invalid_request' && /disk gone/.test(err.message), String(err));
  assert.deepEqual(spoolDirs(), []);
});

test('a retry re-sends the spooled Readable, signed afresh', BOUND, async () => {
  await server.control('POST', '/_control/faults', { path: '/retry-up', times: 1, fault: { type: 'status', status: 503 } });
  const r = await client(server.base).post('/retry-up', { body: Readable.from(Array.from({ length: 10 }, (_, i) => Buffer.alloc(50_000, i))) });
  assert.equal(r.status, 200);
  assert.equal(r.attempts, 2);
  assert.equal(r.json().body_len, 500_000);
});

function newVerifier() {
  return new Verifier({ keys: { [KEY]: SECRET }, windowSeconds: 300 });
}

function listen(app) {
  return new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve({ base: `http://127.0.0.1:${s.address().port}`, close: () => new Promise((r) => s.close(r)) }));
  });
}

/** An Express app behind the middleware whose handler hashes req.body as a stream. */
function expressApp(options) {
  const calls = { n: 0 };
  const app = express();
  app.use(expressMiddleware({ verifier: newVerifier(), bodyLimit: 128 * MIB, spoolThreshold: 64 * 1024, ...options }));
  app.put('/up', async (req, res) => {
    calls.n++;
    const h = crypto.createHash('sha256');
    let size = 0;
    const source = Buffer.isBuffer(req.body) ? [req.body] : req.body;
    for await (const chunk of source) {
      h.update(chunk);
      size += chunk.length;
    }
    res.json({ keyId: req.sigwireKeyId, size, sha256: h.digest('hex'), streamed: !Buffer.isBuffer(req.body) });
  });
  return { app, calls };
}

/** Authorization with its parameters in reverse order and other (accepted) spacing. */
function reordered(authorization) {
  return 'HMAC  ' + authorization.slice('HMAC '.length).split(', ').reverse().join(' ,\t');
}

async function signedPut(base, body, sendBody = body, algorithm = 'hmac-sha256', layout = (a) => a) {
  const signer = new Signer({ keyId: KEY, secret: SECRET, algorithm });
  const url = `${base}/up`;
  const headers = { 'content-type': 'application/octet-stream' };
  const auth = signer.sign({ method: 'PUT', url, headers: { ...headers, host: new URL(url).host }, body });
  auth.Authorization = layout(auth.Authorization);
  const res = await fetch(url, { method: 'PUT', headers: { ...headers, ...auth }, body: sendBody });
  return { status: res.status, json: await res.json() };
}

test('Express spools past the threshold, verifies by digest, hands a stream; tampered 401; limit 413', BOUND, async () => {
  const { app, calls } = expressApp();
  const s = await listen(app);
  try {
    const body = crypto.randomBytes(1_000_003);
    for (const alg of ['hmac-sha256', 'hmac-sha512']) {
      const ok = await signedPut(s.base, body, body, alg);
      assert.equal(ok.status, 200, JSON.stringify(ok.json));
      assert.deepEqual(ok.json, { keyId: KEY, size: body.length, sha256: crypto.createHash('sha256').update(body).digest('hex'), streamed: true });
    }
    const small = await signedPut(s.base, Buffer.from('tiny'));
    assert.equal(small.json.streamed, false);
    const before = calls.n;
    const tampered = Buffer.from(body);
    tampered[body.length - 1] ^= 1;
    const bad = await signedPut(s.base, body, tampered);
    assert.deepEqual([bad.status, bad.json.error, calls.n], [401, 'signature_mismatch', before]);
  } finally {
    await s.close();
  }
  const limited = expressApp({ bodyLimit: 200_000 });
  const s2 = await listen(limited.app);
  try {
    const body = crypto.randomBytes(400_000);
    const chunked = Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]);
    const r = await signedPut(s2.base, body, chunked).catch(() => ({ status: 'closed' }));
    assert.ok(r.status === 413 || r.status === 'closed', String(r.status));
    assert.equal(limited.calls.n, 0);
  } finally {
    await s2.close();
  }
  assert.deepEqual(spoolDirs(), []);
});

test('a spooled upload is hashed with the algorithm precheck read: sha512, Authorization reordered', BOUND, async () => {
  const body = crypto.randomBytes(300_007);
  const sha256 = crypto.createHash('sha256').update(body).digest('hex');
  const { app, calls } = expressApp();
  const s = await listen(app);
  try {
    const ok = await signedPut(s.base, body, body, 'hmac-sha512', reordered);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.deepEqual(ok.json, { keyId: KEY, size: body.length, sha256, streamed: true });
    const tampered = Buffer.from(body);
    tampered[7] ^= 1;
    const bad = await signedPut(s.base, body, tampered, 'hmac-sha512', reordered);
    assert.deepEqual([bad.status, bad.json.error, calls.n], [401, 'signature_mismatch', 1]);
  } finally {
    await s.close();
  }
  const f = Fastify({ bodyLimit: 128 * MIB });
  f.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, b, done) => done(null, b));
  await f.register(fastifyPlugin, { verifier: newVerifier(), spoolThreshold: 64 * 1024 });
  f.put('/up', async (request) => ({ size: request.body.length, sha256: crypto.createHash('sha256').update(request.body).digest('hex') }));
  const base = await f.listen({ port: 0, host: '127.0.0.1' });
  try {
    const ok = await signedPut(base, body, body, 'hmac-sha512', reordered);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.deepEqual(ok.json, { size: body.length, sha256 });
  } finally {
    await f.close();
  }
  assert.deepEqual(spoolDirs(), []);
});

test('Fastify spools past the threshold and verifies by digest', BOUND, async () => {
  const app = Fastify({ bodyLimit: 128 * MIB });
  let calls = 0;
  app.addContentTypeParser('application/octet-stream', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  await app.register(fastifyPlugin, { verifier: newVerifier(), spoolThreshold: 64 * 1024 });
  app.put('/up', async (request) => {
    calls++;
    return { keyId: request.sigwireKeyId, size: request.body.length, sha256: crypto.createHash('sha256').update(request.body).digest('hex') };
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const body = crypto.randomBytes(500_001);
    const ok = await signedPut(base, body);
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.deepEqual(ok.json, { keyId: KEY, size: body.length, sha256: crypto.createHash('sha256').update(body).digest('hex') });
    const tampered = Buffer.from(body);
    tampered[0] ^= 1;
    const bad = await signedPut(base, body, tampered);
    assert.deepEqual([bad.status, bad.json.error, calls], [401, 'signature_mismatch', 1]);
  } finally {
    await app.close();
  }
  assert.deepEqual(spoolDirs(), []);
});

function statusKib(field) {
  const line = fs.readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Number(line.split(/\s+/)[1]);
}

function peakWindow() {
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const before = statusKib('VmRSS');
  return () => statusKib('VmHWM') - before;
}

const HAS_PROC = fs.existsSync('/proc/self/clear_refs');

function* pieces(piece, n) {
  for (let i = 0; i < n; i++) yield piece;
}

test('64 MiB: the Client sends a Readable to the reference server adding <= 16 MiB RSS', { ...BOUND, skip: !HAS_PROC }, async () => {
  const piece = crypto.randomBytes(MIB);
  const c = client(server.base);
  await c.put('/warm', { body: Readable.from([Buffer.from('warm')]) }); // first-call allocations outside the window
  const extra = peakWindow();
  const r = await c.put('/big', { body: Readable.from(pieces(piece, 64)) });
  const kib = extra();
  assert.equal(r.json().body_len, 64 * MIB);
  assert.ok(kib <= 16 * 1024, `the Client used ${kib} KiB more for a 64 MiB body`);
  console.log(`# 64 MiB upload, Node Client: +${kib} KiB peak RSS`);
  assert.deepEqual(spoolDirs(), []);
});

/** Sends 64 MiB of 7s with the Client from another process (only the server side is measured here). */
function sendFromChild(base) {
  const sender = `
    const { Client } = require('sigwire'); const { Readable } = require('node:stream');
    const piece = Buffer.alloc(${MIB}, 7);
    const c = new Client({ baseUrl: process.argv[1], keyId: ${JSON.stringify(KEY)}, secret: ${JSON.stringify(String(SECRET))}, timeouts: { attemptMs: 60000, totalMs: 60000 } });
    c.put('/up', { body: Readable.from((function* () { for (let i = 0; i < 64; i++) yield piece; })()) })
      .then((r) => { process.stdout.write(r.text()); }, (e) => { console.error(e); process.exit(1); });`;
  const { execFile } = require('node:child_process');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['-e', sender, base], { env: process.env, maxBuffer: 1 << 20 }, (e, stdout) => (e ? reject(e) : resolve(stdout))));
}

test('64 MiB: the Express middleware spools and verifies an upload adding <= 16 MiB RSS over a bare Express upload', { ...BOUND, skip: !HAS_PROC }, async () => {
  // Baseline in the same run: Express draining the same upload with no middleware (Node keeps
  // garbage socket buffers until its next GC; that is Node's, not the middleware's).
  const bare = express();
  bare.put('/up', (req, res) => {
    let size = 0;
    req.on('data', (c) => { size += c.length; });
    req.on('end', () => res.json({ size }));
  });
  const b = await listen(bare);
  let baseline;
  try {
    await sendFromChild(b.base); // warm-up: first-call allocations outside the window
    const extra = peakWindow();
    assert.equal(JSON.parse(await sendFromChild(b.base)).size, 64 * MIB);
    baseline = extra();
  } finally {
    await b.close();
  }
  const { app } = expressApp();
  const s = await listen(app);
  try {
    assert.equal((await signedPut(s.base, Buffer.from('warm'))).status, 200);
    const extra = peakWindow();
    const out = await sendFromChild(s.base);
    const kib = extra();
    const whole = crypto.createHash('sha256');
    for (let i = 0; i < 64; i++) whole.update(Buffer.alloc(MIB, 7));
    assert.deepEqual(JSON.parse(out), { keyId: KEY, size: 64 * MIB, sha256: whole.digest('hex'), streamed: true });
    console.log(`# 64 MiB upload: Express + sigwire middleware +${kib} KiB peak RSS, bare Express +${baseline} KiB (same run)`);
    assert.ok(kib - baseline <= 16 * 1024, `the Express middleware used ${kib - baseline} KiB more than bare Express for a 64 MiB body`);
  } finally {
    await s.close();
  }
  assert.deepEqual(spoolDirs(), []);
});
