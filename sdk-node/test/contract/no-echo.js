'use strict';
/**
 * Contract: a secret passed in the wrong option never shows in an error (issue 12, item 10), the
 * same cases for the native package (sdk-node/test/no-echo.test.js) and the WebAssembly one
 * (sdk-wasm/test/node/no-echo.test.js). Each case misplaces a secret-looking value and checks the
 * message, stack, String(), inspect and JSON output of the typed error.
 *
 * @param {{sigwire: any, test: Function, assert: any, clientBase: object}} env the package under
 *   test, node:test, and Client options that reach no server (each package's own way)
 */
const util = require('node:util');

module.exports = function noEchoContract({ sigwire, test, assert, clientBase }) {
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
    assert.ok(err, 'expected an error');
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

  test('Client options and calls: algorithm, signedHeaders, defaultHeaders, query, headers', async () => {
    const base = { ...clientBase, keyId: 'k1', secret: GOOD };
    await assertNoEcho(() => new Client({ ...base, algorithm: MISPLACED }));
    await assertNoEcho(() => new Client({ ...base, signedHeaders: [MISPLACED_ODD] }));
    await assertNoEcho(() => new Client({ ...base, defaultHeaders: { [MISPLACED_ODD]: 'x-api-key' } }));
    const c = new Client({ ...base, signedHeaders: [MISPLACED] });
    await assertNoEcho(() => c.get('/'));
    await assertNoEcho(() => c.get('/', { query: { [MISPLACED]: {} } }));
    await assertNoEcho(() => c.get('/', { headers: { [MISPLACED_ODD]: 'v' } }));
  });
};
