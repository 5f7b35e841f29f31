'use strict';
/**
 * Node part of tests/redis-cross: the Rust gateway and Node services on one Redis.
 *
 * 1. A request accepted by the gateway is refused (401 `replayed_nonce`) by an Express and a
 *    Fastify service (sigwire's RedisReplayStore over node-redis) sharing the Redis.
 * 2. A request accepted by each Node service is refused by the gateway.
 * 3. The gateway refuses its own replay; a Node service refuses a request accepted by the other.
 * 4. Requests signed by the Node client, each sent to every gateway instance at once: exactly one
 *    instance accepts each, the others answer 401 `replayed_nonce`.
 */
const http = require('node:http');
const express = require('express');
const Fastify = require('fastify');
const { createClient } = require('redis');
const { Signer, Verifier, RedisReplayStore, expressMiddleware, fastifyPlugin } = require('sigwire');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`redis-cross/node: ${name} is not set (run tests/redis-cross/run)`);
  return v;
};
const REDIS_URL = env('SIGWIRE_REDIS_URL');
const NAMESPACE = env('SIGWIRE_NAMESPACE');
const GATEWAY = new URL(env('SIGWIRE_GATEWAY_URL'));
const GATEWAYS = (process.env.SIGWIRE_GATEWAY_URLS || env('SIGWIRE_GATEWAY_URL')).split(/\s+/).filter(Boolean).map((u) => new URL(u));
const KEY_ID = env('SIGWIRE_KEY_ID');
const SECRET = env('SIGWIRE_SECRET');
const WINDOW = Number(process.env.SIGWIRE_WINDOW || 300);
const HOST = 'api.cross.test'; // the signed host; every service is sent this Host header
const signer = new Signer({ keyId: KEY_ID, secret: SECRET });
const failures = [];

function check(what, got, status, contains) {
  const ok = got.status === status && got.body.includes(contains);
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}: ${got.status} ${JSON.stringify(got.body.slice(0, 60))}`);
  if (!ok) failures.push(what);
}

/** A signed POST (headers incl. Authorization) for `path` on HOST. */
function signed(path) {
  const body = Buffer.from(JSON.stringify({ path, at: Date.now() }));
  const headers = { 'content-type': 'application/json' };
  const { Authorization } = signer.sign({ method: 'POST', url: `http://${HOST}${path}`, headers, body });
  return { path, body, headers: { ...headers, authorization: Authorization } };
}

function send(base, req) {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: base.hostname, port: base.port, method: 'POST', path: req.path, headers: { host: HOST, 'content-length': String(req.body.length), ...req.headers }, setHost: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    r.setTimeout(10_000, () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end(req.body);
  });
}

async function main() {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => {});
  await client.connect();
  const verifier = () => new Verifier({ keys: { [KEY_ID]: SECRET }, windowSeconds: WINDOW, replayStore: new RedisReplayStore({ client, namespace: NAMESPACE }) });

  const app = express();
  app.use(expressMiddleware({ verifier: verifier(), authority: HOST }));
  app.post('/*splat', (req, res) => res.type('text').send(`node express ok ${req.sigwireKeyId}`));
  const expressServer = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const fastify = Fastify();
  await fastify.register(fastifyPlugin, { verifier: verifier(), authority: HOST });
  fastify.post('/*', async (request) => `node fastify ok ${request.sigwireKeyId}`);
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const services = {
    Express: new URL(`http://127.0.0.1:${expressServer.address().port}`),
    Fastify: new URL(`http://127.0.0.1:${fastify.server.address().port}`),
  };

  try {
    for (const [name, base] of Object.entries(services)) {
      const viaGateway = signed(`/cross/node/${name.toLowerCase()}/from-gateway`);
      check('gateway accepts a fresh request', await send(GATEWAY, viaGateway), 200, `upstream ok ${KEY_ID}`);
      check(`${name} refuses the nonce the gateway accepted`, await send(base, viaGateway), 401, 'replayed_nonce');

      const viaNode = signed(`/cross/node/${name.toLowerCase()}/from-node`);
      check(`${name} accepts a fresh request`, await send(base, viaNode), 200, `ok ${KEY_ID}`);
      check(`gateway refuses the nonce ${name} accepted`, await send(GATEWAY, viaNode), 401, 'replayed_nonce');
    }
    const between = signed('/cross/node/between');
    check('Express accepts a fresh request', await send(services.Express, between), 200, `ok ${KEY_ID}`);
    check('Fastify refuses the nonce Express accepted', await send(services.Fastify, between), 401, 'replayed_nonce');
    const twice = signed('/cross/node/twice');
    await send(GATEWAY, twice);
    check('gateway refuses its own replay', await send(GATEWAY, twice), 401, 'replayed_nonce');
    for (let i = 0; i < 5; i++) {
      const req = signed(`/cross/node/cluster/${i}`);
      const answers = await Promise.all(GATEWAYS.map((g) => send(g, req)));
      const accepted = answers.filter((a) => a.status === 200 && a.body.includes(`upstream ok ${KEY_ID}`)).length;
      const replayed = answers.filter((a) => a.status === 401 && a.body.includes('replayed_nonce')).length;
      const ok = accepted === 1 && replayed === GATEWAYS.length - 1;
      console.log(`  ${ok ? 'ok  ' : 'FAIL'} request ${i} sent to ${GATEWAYS.length} instances at once: ${accepted} accepted, ${replayed} replayed_nonce [${answers.map((a) => a.status)}]`);
      if (!ok) failures.push(`cluster request ${i}`);
    }
  } finally {
    await new Promise((r) => expressServer.close(r));
    await fastify.close();
    await client.disconnect().catch(() => {});
  }
  if (failures.length) {
    console.error(`redis-cross/node: ${failures.length} check(s) failed: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log('redis-cross/node: all checks held');
}

main().catch((e) => {
  console.error(`redis-cross/node: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
