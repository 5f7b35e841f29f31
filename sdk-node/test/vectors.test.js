'use strict';
// Every shared vector (tests/vectors/*.json) through the Node SDK.
const test = require('node:test');
const assert = require('node:assert/strict');
const sigwire = require('sigwire');
const { load, body } = require('./helpers/vectors');

const { Signer, Verifier, KeyStore, InMemoryReplayStore, SigwireError, ERROR_CLASSES } = sigwire;
const vectors = load();

/** The body in one of the accepted input types, rotating through them. */
function bodyAs(buf, i) {
  switch (i % 4) {
    case 0:
      return buf;
    case 1:
      return new Uint8Array(buf);
    case 2:
      return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    default: {
      const s = buf.toString('utf8');
      return Buffer.from(s, 'utf8').equals(buf) ? s : buf;
    }
  }
}

test('vector files are present and non-empty', () => {
  assert.ok(vectors.positive.length > 0, 'no positive vectors');
  assert.ok(vectors.negative.length > 0, 'no negative vectors');
});

test('positive vectors: canonical string, signature and Authorization match byte for byte', async (t) => {
  let i = 0;
  for (const v of vectors.positive) {
    await t.test(`${v.file}: ${v.name}`, () => {
      const signer = new Signer({
        keyId: v.key_id,
        secret: Buffer.from(v.secret_hex, 'hex'),
        algorithm: v.algorithm,
        signedHeaders: v.signed_headers,
      });
      const request = {
        method: v.request.method,
        url: v.request.url,
        headers: v.request.headers,
        body: bodyAs(body(v), i++),
        timestamp: v.timestamp,
        nonce: v.nonce,
      };
      const d = signer.signDetailed(request);
      assert.equal(d.canonicalString, v.expected.canonical_string);
      assert.equal(d.signature, v.expected.signature);
      assert.equal(d.authorization, v.expected.authorization);
      assert.equal(d.timestamp, v.timestamp);
      assert.equal(d.nonce, v.nonce);
      assert.deepEqual(signer.sign(request), { Authorization: v.expected.authorization });
      assert.equal(signer.canonicalString(request), v.expected.canonical_string);
    });
  }
});

test('positive vectors verify at their timestamp, then replay is refused', async (t) => {
  for (const v of vectors.positive) {
    await t.test(`${v.file}: ${v.name}`, () => {
      const verifier = new Verifier({ keys: { [v.key_id]: Buffer.from(v.secret_hex, 'hex') }, windowSeconds: 300 });
      const req = {
        method: v.request.method,
        url: v.request.url,
        headers: [...v.request.headers, ['Authorization', v.expected.authorization]],
        body: body(v),
      };
      assert.equal(verifier.verify(req, { now: v.timestamp }), v.key_id);
      assert.throws(() => verifier.verify(req, { now: v.timestamp }), (e) => e instanceof sigwire.ReplayedNonceError && e.code === 'replayed_nonce');
    });
  }
});

test('negative vectors fail with the expected typed error', async (t) => {
  for (const v of vectors.negative) {
    await t.test(`${v.file}: ${v.name}`, () => {
      const cfg = v.verifier;
      const keys = new KeyStore();
      for (const k of cfg.keys) keys.insert(k.key_id, Buffer.from(k.secret_hex, 'hex'), k.not_after);
      const replayStore = new InMemoryReplayStore();
      for (const s of cfg.seen_nonces) assert.equal(replayStore.checkAndRecord(s.key_id, s.nonce, cfg.now + cfg.window, cfg.now), true);
      const verifier = new Verifier({ keys, windowSeconds: cfg.window, replayStore });
      const req = { method: v.request.method, url: v.request.url, headers: v.request.headers, body: body(v) };
      let thrown;
      try {
        verifier.verify(req, { now: cfg.now });
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown, `expected ${v.expected_error}, but the request verified`);
      assert.ok(thrown instanceof SigwireError, `not a SigwireError: ${thrown}`);
      assert.ok(thrown instanceof Error);
      assert.equal(thrown.code, v.expected_error, thrown.message);
      assert.ok(thrown instanceof ERROR_CLASSES[v.expected_error]);
      assert.equal(thrown.serverTime, cfg.now);
      if (v.expected_skew !== undefined) assert.equal(thrown.skewSeconds, v.expected_skew);
      for (const k of cfg.keys) assert.ok(!thrown.message.includes(k.secret_hex));
    });
  }
});
