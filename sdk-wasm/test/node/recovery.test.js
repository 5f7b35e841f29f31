// A panic never kills the module: it surfaces as a typed error, the instance is replaced, signers
// and key stores carry on, and an in-memory replay store that was lost fails closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import { selfTestPanic, trapCount } from '../../src/runtime.js';

const SECRET = 'recovery-secret-0123456789abcdef';
const NOW = 1_700_000_000;
const REQ = { method: 'POST', url: 'https://api.example.com/v1/x?b=2&a=1', headers: { 'content-type': 'application/json' }, body: '{"a":1}' };

function signed(signer, nonce, timestamp = NOW) {
  const auth = signer.sign({ ...REQ, timestamp, nonce }).Authorization;
  return { ...REQ, headers: { ...REQ.headers, authorization: auth } };
}

test('a Rust panic becomes a typed error and everything keeps working', () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET, algorithm: 'hmac-sha512', signedHeaders: ['content-type'] });
  const keys = new sigwire.KeyStore({ k1: SECRET });
  keys.insert('k2', 'second-secret-0123456789');
  const jsSeen = new Set();
  const external = new sigwire.Verifier({
    keys,
    replayStore: { checkAndRecord: (k, n) => (jsSeen.has(k + n) ? false : (jsSeen.add(k + n), true)) },
  });
  const before = signer.sign({ ...REQ, timestamp: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }).Authorization;
  assert.equal(external.verify(signed(signer, 'BBBBBBBBBBBBBBBBBBBBBB'), { now: NOW }), 'k1');

  const traps = trapCount();
  let err;
  try {
    selfTestPanic();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof sigwire.InvalidRequestError, `got ${err}`);
  assert.equal(err.code, 'invalid_request');
  assert.match(err.message, /trapped/);
  assert.equal(trapCount(), traps + 1);

  // Same signer, same key store: rebuilt on the fresh instance, same results.
  assert.equal(signer.sign({ ...REQ, timestamp: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }).Authorization, before);
  assert.equal(signer.algorithm, 'hmac-sha512');
  assert.equal(external.verify(signed(signer, 'CCCCCCCCCCCCCCCCCCCCCC'), { now: NOW }), 'k1');
  // The JavaScript replay store kept its state, so replays are still caught.
  assert.throws(() => external.verify(signed(signer, 'BBBBBBBBBBBBBBBBBBBBBB'), { now: NOW }), sigwire.ReplayedNonceError);
  // Keys added before the trap (k2) survive it, removals after it stick.
  const s2 = new sigwire.Signer({ keyId: 'k2', secret: 'second-secret-0123456789' });
  assert.equal(external.verify(signed(s2, 'DDDDDDDDDDDDDDDDDDDDDD'), { now: NOW }), 'k2');
  assert.equal(keys.remove('k2'), true);
  assert.throws(() => external.verify(signed(s2, 'EEEEEEEEEEEEEEEEEEEEEE'), { now: NOW }), sigwire.UnknownKeyError);
  // New objects work too.
  assert.equal(new sigwire.Signer({ keyId: 'k3', secret: SECRET }).keyId, 'k3');
});

test('an in-memory replay store lost in a trap refuses until its nonces have expired', () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
  const replayStore = new sigwire.InMemoryReplayStore();
  const verifier = new sigwire.Verifier({ keys: { k1: SECRET }, windowSeconds: 300, replayStore });
  const first = signed(signer, 'FFFFFFFFFFFFFFFFFFFFFF');
  assert.equal(verifier.verify(first, { now: NOW }), 'k1');
  assert.throws(() => selfTestPanic(), sigwire.InvalidRequestError);
  // The nonce above was recorded until NOW + 300; the fresh store no longer knows it, so the
  // verifier fails closed (503) instead of accepting a replay.
  const err = (() => {
    try {
      verifier.verify(first, { now: NOW + 10 });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof sigwire.ReplayStoreUnavailableError, `got ${err}`);
  assert.equal(err.httpStatus, 503);
  assert.equal(err.serverTime, NOW + 10);
  assert.throws(() => replayStore.checkAndRecord('k1', 'GGGGGGGGGGGGGGGGGGGGGG', NOW + 600, NOW + 300), sigwire.ReplayStoreUnavailableError);
  // Once every nonce it held has expired, it works again (and catches replays again).
  const later = signed(signer, 'HHHHHHHHHHHHHHHHHHHHHH', NOW + 301);
  assert.equal(verifier.verify(later, { now: NOW + 301 }), 'k1');
  assert.throws(() => verifier.verify(later, { now: NOW + 302 }), sigwire.ReplayedNonceError);
});

test('repeated traps leave no state behind', () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
  const expected = signer.sign({ ...REQ, timestamp: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }).Authorization;
  for (let i = 0; i < 50; i++) {
    assert.throws(() => selfTestPanic(), sigwire.SigwireError);
    assert.equal(signer.sign({ ...REQ, timestamp: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }).Authorization, expected);
  }
});
