// Bad input from JavaScript gives typed errors (never a crash, never a plain TypeError), and the
// module keeps working afterwards. The cases are shared with the Chromium page (lib/bad-input-cases.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import { trapCount } from '../../src/runtime.js';
import { SECRET, runBadInput, checkBadInput } from '../lib/bad-input-cases.js';

const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
const verifier = new sigwire.Verifier({ keys: { k1: SECRET } });
const GOOD = { method: 'POST', url: 'https://api.example.com/x', headers: { 'content-type': 'text/plain' }, body: 'hi' };

const results = runBadInput(sigwire);
test('there are bad-input cases', () => assert.ok(results.length >= 70));
for (const r of results) {
  test(`bad input: ${r.name} -> ${r.expect}`, () => checkBadInput(assert, r));
}

test('a rejected secret is never echoed', () => {
  assert.throws(() => new sigwire.Signer({ keyId: 'k', secret: 'topsecret' }), (e) => e.code === 'invalid_secret' && !e.message.includes('topsecret'));
});

test('stale errors carry the skew and the server time', () => {
  const req = { ...GOOD, timestamp: 1_700_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' };
  const auth = signer.sign(req).Authorization;
  let err;
  try {
    verifier.verify({ ...GOOD, headers: { ...GOOD.headers, authorization: auth } }, { now: 1_700_000_400 });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof sigwire.StaleTimestampError);
  assert.equal(err.skewSeconds, -400);
  assert.equal(err.serverTime, 1_700_000_400);
  assert.equal(err.httpStatus, 401);
  assert.deepEqual(JSON.parse(JSON.stringify(err)), { error: 'stale_timestamp' });
});

test('after all the bad input, nothing trapped and the module still works', () => {
  assert.equal(trapCount(), 0, 'bad input must be refused before it can reach a panic');
  const req = { ...GOOD, timestamp: 1_700_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' };
  const auth = signer.sign(req).Authorization;
  assert.equal(verifier.verify({ ...GOOD, headers: { ...GOOD.headers, authorization: auth } }, { now: 1_700_000_000 }), 'k1');
});
