// The browser Client's rules shared with the Rust client (test/lib/client-rules.js), in Node; the
// same scenarios run in Chromium from test/chromium-client.test.js. Also the redirect policy
// against real servers: the reference server as the origin and a recording foreign origin.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import * as sigwire from '../../src/node.js';
import { SCENARIOS, EXPECTED } from '../lib/client-rules.js';
import { startServer, SERVER_BIN, KEY, SECRET } from '../lib/reference-server.js';

for (const [name, run] of Object.entries(SCENARIOS)) {
  test(`client rule: ${name}`, { timeout: 20_000 }, async () => {
    EXPECTED[name](assert, await run(sigwire));
  });
}

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

test('real servers: credentials and body never reach another origin; a returning chain is unsigned', { timeout: 30_000 }, async () => {
  assert.ok(SERVER_BIN && fs.existsSync(SERVER_BIN), 'set SIGWIRE_SERVER_BIN');
  const a = await startServer();
  const c = await startForeign();
  try {
    const client = new sigwire.Client({ baseUrl: a.base, keyId: KEY, secret: SECRET, sensitiveHeaders: ['X-Tenant-Secret'], retry: { maxAttempts: 1 } });
    await a.fault('/upload', { type: 'redirect', location: c.url('/landing'), status: 307 });
    const headers = { cookie: 's=1', 'x-api-key': 'k', 'proxy-authorization': 'Basic eA==', 'x-tenant-secret': 'm', accept: 'application/json' };
    assert.equal((await client.post('/upload', { headers, json: { card: '4111' } })).status, 200);
    const hop = c.seen[0];
    for (const name of ['authorization', 'cookie', 'x-api-key', 'proxy-authorization', 'x-tenant-secret', 'content-type']) assert.equal(hop.headers[name], undefined, name);
    assert.deepEqual([hop.method, hop.body.length, hop.headers.accept], ['POST', 0, 'application/json']);

    c.state.location = a.url('/admin/delete-everything?confirm=yes');
    await a.fault('/orders', { type: 'redirect', location: c.url('/bounce'), status: 307 });
    let e;
    try {
      await client.post('/orders', { body: 'payload' });
    } catch (err) {
      e = err;
    }
    assert.ok(e instanceof sigwire.MissingAuthorizationError, e && e.name);
  } finally {
    await c.stop();
    await a.stop();
  }
});
