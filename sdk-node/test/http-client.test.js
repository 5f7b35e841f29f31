'use strict';
// The HTTP Client, native back end (the Rust sigwire-client through napi): the contract shared with
// the browser package (test/contract/client.js), then what only this package has.
const test = require('node:test');
const assert = require('node:assert/strict');
const sigwire = require('sigwire');
const { KEY, SECRET, startServer } = require('./helpers/reference-server');

require('./contract/client')({ sigwire, test, assert, dropIsTransport: true });

test('Node: response and error bodies are Buffers', { timeout: 30_000 }, async () => {
  const s = await startServer();
  try {
    const c = new sigwire.Client({ baseUrl: s.base, keyId: KEY, secret: SECRET, retry: { maxAttempts: 1 } });
    assert.ok(Buffer.isBuffer((await c.get('/v1/echo')).body));
    await s.fault('/gone', { type: 'status', status: 404 });
    const e = await c.get('/gone').then(() => assert.fail('expected a rejection'), (err) => err);
    assert.ok(e instanceof sigwire.HttpStatusError, e.name);
    assert.ok(Buffer.isBuffer(e.body));
  } finally {
    await s.stop();
  }
});
