// The Client's rules live in a second WebAssembly module (bindings/wasm-ext) that is loaded on the
// first Client request, never by signing or verifying alone (its own process: node --test runs
// each file apart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sw from '../../src/node.js';
import { extLoaded } from '../../src/ext.js';

test('initExt: bad input is a typed invalid_config error', async () => {
  await assert.rejects(sw.initExt(42), (e) => e instanceof sw.SigwireError && e.code === 'invalid_config');
  assert.equal(extLoaded(), false);
});

test('signing and verifying never load the rules module; the first Client request does', async () => {
  const signer = new sw.Signer({ keyId: 'k1', secret: '0123456789abcdef0123456789abcdef' });
  signer.sign({ method: 'GET', url: 'https://api.test/x' });
  const client = new sw.Client({ baseUrl: 'https://api.test', keyId: 'k1', secret: '0123456789abcdef0123456789abcdef', fetch: async () => new Response('{}', { status: 200 }) });
  assert.equal(extLoaded(), false);
  const res = await client.get('x', { query: { q: "a b!'()*" } });
  assert.equal(res.status, 200);
  assert.equal(extLoaded(), true);
  await sw.initExt(); // idempotent
});
