'use strict';
// The benchmark's pure-JS baseline (bench/purejs.js) must be a correct sigwire-v1 implementation,
// or the speed comparison would be meaningless: check it against the shared vectors.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { load, body } = require('./helpers/vectors');

const { PureSigner, PureVerifier } = require(process.env.SIGWIRE_BENCH_DIR ? path.join(process.env.SIGWIRE_BENCH_DIR, 'purejs.js') : '../bench/purejs.js');
const vectors = load();

test('pure-JS baseline reproduces every positive vector (except IPv6 hosts) and verifies it', () => {
  let checked = 0;
  for (const v of vectors.positive) {
    if (v.request.url.includes('://[')) continue;
    const signer = new PureSigner({ keyId: v.key_id, secret: Buffer.from(v.secret_hex, 'hex'), algorithm: v.algorithm, signedHeaders: v.signed_headers || [] });
    const d = signer.signDetailed({ method: v.request.method, url: v.request.url, headers: v.request.headers, body: body(v), timestamp: v.timestamp, nonce: v.nonce });
    assert.equal(d.canonicalString, v.expected.canonical_string, v.name);
    assert.equal(d.authorization, v.expected.authorization, v.name);
    const verifier = new PureVerifier({ keys: { [v.key_id]: Buffer.from(v.secret_hex, 'hex') } });
    const req = { method: v.request.method, url: v.request.url, headers: [...v.request.headers, ['Authorization', v.expected.authorization]], body: body(v) };
    assert.equal(verifier.verify(req, { now: v.timestamp }), v.key_id, v.name);
    checked++;
  }
  assert.ok(checked >= vectors.positive.length - 10, `checked only ${checked}`);
});
