// A secret passed in the wrong option never shows in an error (issue 12, item 10): each case
// misplaces a secret-looking value and checks the message, stack, String() and inspect output.
import test from 'node:test';
import assert from 'node:assert/strict';
import util from 'node:util';
import * as sigwire from '../../src/node.js';

const { Signer, Verifier, Client, SigwireError } = sigwire;
const MISPLACED = 'my-very-secret-signing-key-0001';
// Not a valid header name either (spaces and "="), so header-name checks refuse it.
const MISPLACED_ODD = 'my very secret signing key 0002==';
const GOOD = '0123456789abcdef0123456789abcdef';

async function assertNoEcho(fn) {
  let err;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof SigwireError, `a typed error, got ${err && err.name}`);
  const text = [err.message, String(err), err.stack, util.inspect(err), JSON.stringify(err)].join('\n');
  for (const v of [MISPLACED, MISPLACED_ODD]) assert.ok(!text.includes(v.slice(0, 12)), text);
  return err;
}

test('a secret passed as the algorithm is not echoed', async () => {
  const e = await assertNoEcho(() => new Signer({ keyId: 'k1', secret: GOOD, algorithm: MISPLACED }));
  assert.equal(e.code, 'unsupported_algorithm');
  assert.match(e.message, /hmac-sha256/);
});

test('a secret in signedHeaders is not echoed, at construction or at signing', async () => {
  const e = await assertNoEcho(() => new Signer({ keyId: 'k1', secret: GOOD, signedHeaders: ['x-a', MISPLACED_ODD] }));
  assert.equal(e.code, 'invalid_request');
  const signer = new Signer({ keyId: 'k1', secret: GOOD, signedHeaders: [MISPLACED] });
  const m = await assertNoEcho(() => signer.sign({ method: 'GET', url: 'https://api.example.com/' }));
  assert.match(m.message, /missing/);
});

test('a secret as the key id or a header name is not echoed', async () => {
  await assertNoEcho(() => new Signer({ keyId: MISPLACED_ODD, secret: GOOD }));
  await assertNoEcho(() => new Verifier({ keys: { [MISPLACED_ODD]: GOOD } }));
  const signer = new Signer({ keyId: 'k1', secret: GOOD });
  await assertNoEcho(() => signer.sign({ method: 'GET', url: 'https://h/', headers: { [MISPLACED_ODD]: {} } }));
});

test('Client options and calls', async () => {
  const fetch = async () => new Response('{}', { status: 200 });
  const base = { baseUrl: 'https://api.test', keyId: 'k1', secret: GOOD, fetch };
  await assertNoEcho(() => new Client({ ...base, algorithm: MISPLACED }));
  await assertNoEcho(() => new Client({ ...base, signedHeaders: [MISPLACED_ODD] }));
  await assertNoEcho(() => new Client({ ...base, defaultHeaders: { [MISPLACED_ODD]: 'x-api-key' } }));
  const c = new Client({ ...base, signedHeaders: [MISPLACED] });
  await assertNoEcho(() => c.get('/'));
  await assertNoEcho(() => c.get('/', { query: { [MISPLACED]: {} } }));
  await assertNoEcho(() => c.get('/', { headers: { [MISPLACED_ODD]: 'v' } }));
});
