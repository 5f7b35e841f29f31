'use strict';
// The profile middleware (lib/profile-middleware.js) in Express and Fastify: AWS SigV4 and RFC 9421
// requests verified over the bytes received, failures answered {error: code} with the profile
// error's status, and a Stripe webhook verified inside an Express route over the raw body.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const sigwire = require('sigwire');

const lib = path.join(path.dirname(require.resolve('sigwire')), 'lib');
const profiles = sigwire.profiles || require(path.join(lib, 'profiles.js'));
const { profileExpress, profileFastify } = require(path.join(lib, 'profile-middleware.js'));
const express = require('express');
const Fastify = require('fastify');

const AKID = 'AKIDEXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const BODY = Buffer.from(JSON.stringify({ symbol: 'BTCUSDT', qty: 2 }));
const verifier = () => new profiles.AwsSigV4Verifier({ region: 'eu-west-1', service: 'execute-api', credentials: { [AKID]: SECRET } });
const signer = (secret = SECRET) => new profiles.AwsSigV4({ accessKeyId: AKID, secretAccessKey: secret, region: 'eu-west-1', service: 'execute-api' });

async function listen(app) {
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

async function send(base, p, { secret, body = BODY, tamper } = {}) {
  const s = signer(secret).sign({ method: 'POST', url: base + p, headers: { 'content-type': 'application/json' }, body });
  const headers = { ...s.headers };
  delete headers.host;
  delete headers.Host;
  return fetch(base + p, { method: 'POST', headers, body: tamper ? Buffer.concat([body, Buffer.from(tamper)]) : body });
}

test('Express: a SigV4 request passes with its body; tampered or wrongly keyed ones are refused', async () => {
  const app = express();
  app.use(profileExpress({ verifier: verifier(), exemptPaths: ['/health'] }));
  app.post('/v1/orders', (req, res) => res.json({ akid: req.sigwireProfile.accessKeyId, body: req.rawBody.toString() }));
  app.get('/health', (_req, res) => res.json({ ok: true }));
  const { base, close } = await listen(app);
  try {
    let r = await send(base, '/v1/orders?x=1');
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(await r.json(), { akid: AKID, body: BODY.toString() });
    r = await send(base, '/v1/orders', { tamper: ' ' });
    assert.equal(r.status, 401);
    assert.deepEqual(await r.json(), { error: 'signature_mismatch' });
    r = await send(base, '/v1/orders', { secret: 'not-the-secret' });
    assert.deepEqual([r.status, await r.json()], [401, { error: 'signature_mismatch' }]);
    r = await fetch(base + '/v1/orders', { method: 'POST', body: BODY });
    assert.equal(r.status, 401);
    assert.equal((await r.json()).error, 'missing_signature');
    assert.deepEqual(await (await fetch(base + '/health')).json(), { ok: true });
  } finally {
    await close();
  }
});

test('Express: the body limit answers 413 body_too_large', async () => {
  const app = express();
  app.use(profileExpress({ verifier: verifier(), bodyLimit: 8 }));
  app.post('/v1/orders', (_req, res) => res.json({}));
  const { base, close } = await listen(app);
  try {
    const r = await send(base, '/v1/orders');
    assert.deepEqual([r.status, await r.json()], [413, { error: 'body_too_large' }]);
  } finally {
    await close();
  }
});

test('Fastify: RFC 9421 requests verified before parsing; JSON still parsed for the route', async () => {
  const key = Buffer.from('0123456789abcdef0123');
  const app = Fastify();
  app.register(profileFastify, { verifier: new profiles.Rfc9421Verifier({ k1: key }) });
  app.post('/hook', async (request) => ({ keyid: request.sigwireProfile.keyId, qty: request.body.qty }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${app.server.address().port}`;
  try {
    const s = new profiles.Rfc9421('k1', key).sign({ method: 'POST', url: base + '/hook', headers: { 'content-type': 'application/json' }, body: BODY });
    let r = await fetch(base + '/hook', { method: 'POST', headers: s.headers, body: BODY });
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(await r.json(), { keyid: 'k1', qty: 2 });
    r = await fetch(base + '/hook', { method: 'POST', headers: s.headers, body: Buffer.concat([BODY, Buffer.from(' ')]) });
    assert.equal(r.status, 401);
    assert.ok(['digest_mismatch', 'signature_mismatch'].includes((await r.json()).error));
  } finally {
    await app.close();
  }
});

test('a Stripe webhook verified inside an Express route over the raw body', async () => {
  const secret = 'whsec_test_secret';
  const app = express();
  app.post('/webhooks/stripe', express.raw({ type: '*/*' }), (req, res) => {
    try {
      const event = profiles.verifyWebhook('stripe', secret, req.headers, req.body);
      res.json({ timestamp: event.timestamp });
    } catch (e) {
      res.status(400).json({ error: e.code });
    }
  });
  const { base, close } = await listen(app);
  try {
    const payload = Buffer.from('{"id":"evt_1","type":"payment_intent.succeeded"}');
    const headers = { ...profiles.signWebhook('stripe', secret, payload), 'content-type': 'application/json' };
    let r = await fetch(base + '/webhooks/stripe', { method: 'POST', headers, body: payload });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(typeof (await r.json()).timestamp, 'number');
    // Re-serialised JSON (spacing changed) is not the signed bytes.
    r = await fetch(base + '/webhooks/stripe', { method: 'POST', headers, body: JSON.stringify(JSON.parse(payload), null, 1) });
    assert.deepEqual([r.status, await r.json()], [400, { error: 'signature_mismatch' }]);
  } finally {
    await close();
  }
});
