// The public API, WebAssembly back end: the contract shared with the native package
// (sdk-node/test/contract/api.js), then what only this package has: signedFetch against a real
// verifying server, require(), the browser entry's init paths (in a child process), header packing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as sigwire from '../../src/node.js';
import { current } from '../../src/runtime.js';
import { startServer, API_KEY_ID, API_SECRET } from '../server.js';
import { runFetchCases } from '../lib/fetch-cases.js';
import apiContract from '../../../sdk-node/test/contract/api.js';

const SECRET = 'api-test-secret-0123456789abcdef';
const NOW = 1_700_000_000;
const core = current().b;
apiContract({ sigwire, test, assert, core: { errorCodes: () => core.errorCodes().split(','), httpStatus: (c) => core.httpStatus(c), serverTimeHeader: () => core.serverTimeHeader() } });

test('signedFetch against a real verifying server (Node fetch)', async (t) => {
  const server = await startServer();
  try {
    const results = await runFetchCases(sigwire, server.origin, { keyId: API_KEY_ID, secret: API_SECRET });
    assert.ok(results.length >= 15);
    for (const r of results) {
      await t.test(r.name, () => {
        assert.equal(r.status, r.expect.status, JSON.stringify(r.body));
        if (r.expect.error) {
          assert.deepEqual(r.body, { error: r.expect.error });
          assert.match(r.serverTime, /^[0-9]+$/);
        } else {
          assert.equal(r.body.keyId, API_KEY_ID);
          if (r.expect.bodyBytes !== undefined) assert.equal(r.body.bodyBytes, r.expect.bodyBytes);
          if (r.expect.contentType !== undefined) assert.equal(r.body.contentType, r.expect.contentType);
        }
      });
    }
  } finally {
    await server.close();
  }
});

test('require() and the package name resolve to the Node build', async () => {
  const require = createRequire(import.meta.url);
  const viaRequire = require('sigwire-wasm');
  const viaImport = await import('sigwire-wasm');
  assert.equal(viaRequire.Signer, sigwire.Signer);
  assert.equal(viaImport.Signer, sigwire.Signer);
});

test('browser entry: typed error before init, then init from bytes or a compiled module', () => {
  const pkg = fileURLToPath(new URL('../../', import.meta.url));
  const script = `
    import { readFileSync } from 'node:fs';
    import * as s from './src/index.js';
    const out = {};
    try { new s.Signer({ keyId: 'k', secret: '0123456789abcdef' }); out.before = 'no error'; } catch (e) { out.before = e.code; }
    const bytes = readFileSync('./dist/sigwire_wasm_bg.wasm');
    const mode = process.argv[1];
    if (mode === 'module') await s.init(new WebAssembly.Module(bytes));
    else if (mode === 'sync') s.initSync(bytes);
    else await s.init(bytes);
    await s.init();
    out.after = new s.Signer({ keyId: 'k', secret: '0123456789abcdef' }).sign({ method: 'GET', url: 'https://h/', timestamp: 1, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }).Authorization.slice(0, 14);
    try { await s.init(42); out.bad = 'ok (already initialised)'; } catch (e) { out.bad = e.code; }
    console.log(JSON.stringify(out));
  `;
  for (const mode of ['bytes', 'module', 'sync']) {
    const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, mode], { cwd: pkg, encoding: 'utf8' }));
    assert.deepEqual(out, { before: 'invalid_config', after: 'HMAC apiKey="k', bad: 'ok (already initialised)' }, mode);
  }
  const bad = `import * as s from './src/index.js'; try { await s.init(42); } catch (e) { console.log(e.code); }`;
  assert.equal(execFileSync(process.execPath, ['--input-type=module', '-e', bad], { cwd: pkg, encoding: 'utf8' }).trim(), 'invalid_config');
});

test('header packing is exact: NUL and \\x01 in names or values cannot forge or drop headers', () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET, signedHeaders: ['x-a'] });
  const base = { method: 'GET', url: 'https://h/', timestamp: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' };
  const plain = signer.sign({ ...base, headers: { 'x-a': '1' } }).Authorization;
  // An unsigned header is ignored whatever it holds, even text shaped like the packing.
  for (const junk of ['a\0host\0evil.example\0', '\x01', '\x010\x011\x01', '\0', 'x\x01\0y']) {
    assert.equal(signer.sign({ ...base, headers: [['x-a', '1'], ['x-junk', junk], [junk, junk]] }).Authorization, plain, JSON.stringify(junk));
  }
  // A signed header carrying them is refused by the core (not printable), not silently altered.
  for (const bad of ['1\0', '1\x01', '\x010']) {
    assert.throws(() => signer.sign({ ...base, headers: { 'x-a': bad } }), sigwire.InvalidRequestError, JSON.stringify(bad));
  }
  // Empty names and values survive packing as such.
  assert.equal(signer.sign({ ...base, headers: [['x-a', '1'], ['', '']] }).Authorization, plain);
  const empty = new sigwire.Signer({ keyId: 'k1', secret: SECRET, signedHeaders: ['x-e'] });
  assert.match(empty.canonicalString({ ...base, headers: { 'x-e': '' } }), /\nx-e:\n/);
});
