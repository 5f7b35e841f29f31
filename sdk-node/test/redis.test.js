'use strict';
// Issue 15, Node side: RedisReplayStore and RedisRateLimiter against a real redis-server
// (Debian's, started here on 127.0.0.1 with a free port and stopped after), behind real Express
// and Fastify servers. Key layout and epoch rule: docs/redis-layout.md.
// Without redis-server on PATH (or REDIS_SERVER) the tests are skipped, unless
// SIGWIRE_REQUIRE_REDIS=1 (CI), which makes that a failure.
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { spawn, spawnSync } = require('node:child_process');
const express = require('express');
const Fastify = require('fastify');
const { createClient } = require('redis');
const sigwire = require('sigwire');

const { Signer, Verifier, expressMiddleware, fastifyPlugin, RedisReplayStore, RedisRateLimiter } = sigwire;
const SECRET = 'sigwire-test-secret-0123456789ab';
const KEY_ID = 'client:1'; // a key id with ':' (SPEC §1): the last ':' of a replay key separates the nonce
const signer = new Signer({ keyId: KEY_ID, secret: SECRET });
const NS = 'nodetest';
const REDIS = process.env.REDIS_SERVER || 'redis-server';
const haveRedis = spawnSync(REDIS, ['--version']).status === 0;
if (!haveRedis && process.env.SIGWIRE_REQUIRE_REDIS === '1') {
  throw new Error(`redis-server not found (${REDIS}); scripts/ci/node.sh installs Debian's redis-server`);
}
const skip = haveRedis ? false : 'redis-server is not installed';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts redis-server (no persistence, noeviction) on `port`; resolves once it answers PING. */
async function startRedis(port) {
  const proc = spawn(REDIS, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (spawnSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    proc,
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGKILL');
      }),
  };
}

async function connect(port) {
  const client = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: () => 50, connectTimeout: 500 } });
  client.on('error', () => {}); // reconnects by itself; failures surface as refused requests
  await client.connect();
  return client;
}

const now = () => Math.floor(Date.now() / 1000);

function verifierOn(client, windowSeconds = 300) {
  return new Verifier({ keys: { [KEY_ID]: SECRET }, windowSeconds, replayStore: new RedisReplayStore({ client, namespace: NS, timeoutMs: 300 }) });
}

async function startExpress(options) {
  const app = express();
  app.set('trust proxy', false);
  app.use(expressMiddleware(options));
  app.all('/*splat', (req, res) => res.json({ keyId: req.sigwireKeyId }));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

async function startFastify(options) {
  const app = Fastify();
  await app.register(fastifyPlugin, options);
  app.all('/*', async (request) => ({ keyId: request.sigwireKeyId }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { base: `http://127.0.0.1:${app.server.address().port}`, close: () => app.close() };
}

/** A signed GET for `path` (signed for host `svc.test`, sent with that Host to any base). */
function signed(path = '/orders', opts = {}) {
  const url = `http://svc.test${path}`;
  const { Authorization } = signer.sign({ method: 'GET', url, ...opts });
  return { path, headers: { host: 'svc.test', authorization: Authorization } };
}

async function send(base, req) {
  const http = require('node:http');
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const r = http.request({ host: u.hostname, port: u.port, path: req.path, method: 'GET', headers: req.headers, setHost: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
    });
    r.on('error', reject);
    r.end();
  });
}

test('RedisReplayStore and RedisRateLimiter on a real Redis', { skip, timeout: 60_000 }, async (t) => {
  const port = await freePort();
  let redis = await startRedis(port);
  t.after(() => redis.stop());
  const client = await connect(port);
  t.after(() => client.disconnect().catch(() => {}));

  await t.test('the claim follows docs/redis-layout.md: keys, value, expiry, epoch', async () => {
    const v = verifierOn(client, 120);
    const store = new RedisReplayStore({ client, namespace: NS });
    await store.ensureEpoch(now() - 60);
    const req = signed('/layout');
    const ticket = v.authenticate({ method: 'GET', url: 'http://svc.test/layout', headers: req.headers });
    assert.equal(await store.claim(ticket), 'fresh');
    assert.equal(await store.claim(ticket), 'replayed');
    const key = `${NS}:replay:${KEY_ID}:${ticket.nonce}`;
    assert.equal(await client.get(key), String(ticket.timestamp));
    const ttl = await client.ttl(key);
    const expected = ticket.expiresAt - ticket.authenticatedAt + 1; // timestamp + window − now + 1
    assert.ok(ttl <= expected && ttl >= expected - 2, `TTL ${ttl}, expected about ${expected}`);
    assert.ok(Number(await client.get(`${NS}:epoch`)) <= now() - 59);
    // The ticket settles through the core: the answer of this store, the core's error.
    assert.deepEqual(v.settle(ticket, 'fresh'), { keyId: KEY_ID, scheme: 'sigwire-v1', timestamp: ticket.timestamp });
    assert.throws(() => v.settle(ticket, 'fresh'), sigwire.InvalidConfigError, 'a ticket settles once');
  });

  await t.test('two services on one Redis (Express and Fastify): each nonce is accepted once', async (t2) => {
    const a = await startExpress({ verifier: verifierOn(client) });
    const b = await startFastify({ verifier: verifierOn(client) });
    t2.after(() => Promise.all([a.close(), b.close()]));
    for (const [first, second] of [[a, b], [b, a]]) {
      const req = signed('/once');
      assert.equal((await send(first.base, req)).status, 200);
      const again = await send(second.base, req);
      assert.equal(again.status, 401);
      assert.deepEqual(again.json, { error: 'replayed_nonce' });
    }
  });

  await t.test('epoch rule: a request signed at or before the epoch is refused (stale_timestamp)', async (t2) => {
    const a = await startExpress({ verifier: verifierOn(client) });
    t2.after(() => a.close());
    await client.set(`${NS}:epoch`, String(now() + 5)); // as if the store had just lost its data
    const res = await send(a.base, signed('/epoch'));
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, { error: 'stale_timestamp' });
    const later = await send(a.base, signed('/epoch', { timestamp: now() + 10 }));
    assert.equal(later.status, 200, 'signed after the epoch: accepted');
    await client.set(`${NS}:epoch`, String(now() - 60));
  });

  await t.test('fail closed: Redis down → 503 replay_store_unavailable; restarted empty → no earlier request accepted', async (t2) => {
    const a = await startExpress({ verifier: verifierOn(client) });
    t2.after(() => a.close());
    const before = signed('/down');
    assert.equal((await send(a.base, before)).status, 200);
    await redis.stop();
    const down = await send(a.base, signed('/down'));
    assert.equal(down.status, 503);
    assert.deepEqual(down.json, { error: 'replay_store_unavailable' });
    redis = await startRedis(port); // empty: its data is lost
    let replay;
    for (let i = 0; i < 40; i++) {
      replay = await send(a.base, before);
      if (replay.status !== 503) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The replay of a request accepted before the loss is refused by the epoch rule.
    assert.equal(replay.status, 401);
    assert.deepEqual(replay.json, { error: 'stale_timestamp' });
    const fresh = await send(a.base, signed('/down', { timestamp: now() + 2 }));
    assert.equal(fresh.status, 200, 'recovered without a restart');
  });

  await t.test('GCRA: per-key limit (429 rate_limited) and failure guard (429 too_many_failures)', async (t2) => {
    await client.set(`${NS}:epoch`, String(now() - 60));
    const limiter = new RedisRateLimiter({ client, namespace: NS, key: { rate: 2, perSeconds: 60, burst: 2 }, failuresIp: { rate: 2, perSeconds: 60, burst: 2 } });
    const a = await startExpress({ verifier: verifierOn(client), rateLimiter: limiter });
    t2.after(() => a.close());
    assert.equal((await send(a.base, signed('/rl'))).status, 200);
    assert.equal((await send(a.base, signed('/rl'))).status, 200);
    const third = await send(a.base, signed('/rl'));
    assert.equal(third.status, 429);
    assert.deepEqual(third.json, { error: 'rate_limited' });
    assert.ok(Number(third.headers['retry-after']) >= 1);
    assert.equal(third.headers['ratelimit-policy'], '"key";q=2;w=60');
    assert.match(third.headers.ratelimit, /^"key";r=0;t=\d+$/);
    assert.ok(Number(await client.get(`${NS}:rl:key:${KEY_ID}`)) > Date.now(), 'the GCRA key holds a future TAT in ms');

    // Failures from one IP: two bad signatures, then even a good request is refused.
    const b = await startFastify({ verifier: verifierOn(client), rateLimiter: new RedisRateLimiter({ client, namespace: NS, failuresIp: { rate: 2, perSeconds: 60, burst: 2 } }) });
    t2.after(() => b.close());
    for (let i = 0; i < 2; i++) {
      const bad = signed('/x');
      bad.path = '/tampered';
      assert.equal((await send(b.base, bad)).status, 401);
    }
    const blocked = await send(b.base, signed('/x'));
    assert.equal(blocked.status, 429);
    assert.deepEqual(blocked.json, { error: 'too_many_failures' });
    assert.equal(blocked.headers['ratelimit-policy'], '"failures-ip";q=2;w=60');
    assert.ok(await client.get(`${NS}:rl:fail-ip:127.0.0.1`));
  });

  await t.test('bad configuration is refused at construction', () => {
    assert.throws(() => new RedisReplayStore({}), sigwire.InvalidConfigError);
    assert.throws(() => new RedisReplayStore({ client, namespace: 'has space' }), sigwire.InvalidConfigError);
    assert.throws(() => new RedisRateLimiter({ client, key: { rate: 0 } }), sigwire.InvalidConfigError);
    assert.throws(() => expressMiddleware({ verifier: verifierOn(client), rateLimiter: {} }), sigwire.InvalidConfigError);
  });
});
