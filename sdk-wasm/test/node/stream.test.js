// Streamed bodies (issue 17): Blob and ReadableStream bodies hashed chunk by chunk on the second
// module give the one-shot digest, and their signatures verify against the whole body with the
// main module's Verifier (a different code path: the body bytes, not a digest).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as sw from '../../src/node.js';

const KEY = { keyId: 'stream-key', secret: 'stream-secret-0123456789abcdef' };
const verifier = new sw.Verifier({ keys: { [KEY.keyId]: KEY.secret } });

function bytes(n, seed) {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

function streamOf(data, chunk) {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= data.length) return controller.close();
      controller.enqueue(data.slice(at, at + chunk));
      at += chunk;
    },
  });
}

test('BodyHasher: any chunking gives the SHA-256 / SHA-512 of the whole body', () => {
  const data = bytes(100_003, 7);
  for (const [alg, hash] of [['hmac-sha256', 'sha256'], [undefined, 'sha256'], ['hmac-sha512', 'sha512']]) {
    const h = new sw.BodyHasher(alg);
    for (let i = 0; i < data.length; i += 4093) h.update(data.subarray(i, i + 4093));
    const d = h.finish();
    assert.equal(d.hex, crypto.createHash(hash).update(data).digest('hex'));
    assert.equal(d.size, data.length);
  }
  const h = new sw.BodyHasher();
  h.finish();
  assert.throws(() => h.update('x'), (e) => e instanceof sw.SigwireError);
  assert.throws(() => new sw.BodyHasher('md5'), (e) => e.code === 'unsupported_algorithm' && !e.message.includes('md5'));
  assert.throws(() => new sw.BodyHasher().update(42), (e) => e.code === 'invalid_request');
});

test('StreamSigner: Blob and ReadableStream bodies sign as the whole body; the server verifies', async () => {
  const signer = new sw.StreamSigner(KEY);
  const url = 'https://api.test/upload?x=1';
  const data = bytes(3 * 1024 * 1024 + 17, 3);
  for (const make of [() => new Blob([data]), () => streamOf(data, 65_536)]) {
    const s = await signer.sign({ method: 'PUT', url, headers: { 'Content-Type': 'application/octet-stream' }, body: make() });
    assert.ok(s.body instanceof Blob);
    assert.equal(s.body.size, data.length);
    assert.deepEqual(new Uint8Array(await s.body.arrayBuffer()), data);
    const v = verifier.verifyDetailed({ method: 'PUT', url, headers: s.headers, body: data });
    assert.equal(v.keyId, KEY.keyId);
    assert.throws(() => verifier.verify({ method: 'PUT', url, headers: s.headers, body: data.subarray(1) }), (e) => e.code === 'signature_mismatch');
  }
  // Pinned timestamp and nonce: the same Authorization as the in-memory Signer's.
  const fixed = { method: 'POST', url, timestamp: 1_700_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' };
  const mem = new sw.Signer(KEY).sign({ ...fixed, body: data.subarray(0, 1000) }).Authorization;
  const streamed = await signer.sign({ ...fixed, body: new Blob([data.subarray(0, 1000)]) });
  assert.equal(streamed.headers.at(-1)[1], mem);
  await assert.rejects(signer.sign({ url, body: 'not a stream' }), (e) => e.code === 'invalid_request');
  assert.ok(!JSON.stringify(signer).includes(KEY.secret));
});
