// API surface of the Node-loadable build: constants agree with the core, nonces, clock, key
// rotation, JavaScript replay stores, signedFetch (stub and a real local server), inspect safety,
// require(), and the browser entry's init paths (in a child process).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as sigwire from '../../src/node.js';
import { current } from '../../src/runtime.js';
import { startServer, API_KEY_ID, API_SECRET } from '../server.js';
import { runFetchCases } from '../lib/fetch-cases.js';

const SECRET = 'api-test-secret-0123456789abcdef';
const NOW = 1_700_000_000;

test('error codes, statuses and the server time header agree with the core', () => {
  const core = current().b;
  assert.deepEqual([...sigwire.ERROR_CODES], core.errorCodes().split(','));
  for (const code of sigwire.ERROR_CODES) {
    const err = new sigwire.ERROR_CLASSES[code]('m');
    assert.equal(err.code, code);
    assert.equal(err.httpStatus, core.httpStatus(code));
    assert.ok(err instanceof sigwire.SigwireError && err instanceof Error);
    assert.equal(err.name, err.constructor.name);
  }
  assert.equal(sigwire.SERVER_TIME_HEADER, core.serverTimeHeader());
});

test('fresh nonces from crypto.getRandomValues and the current time by default', () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
  const seen = new Set();
  for (let i = 0; i < 200; i++) {
    const d = signer.signDetailed({ method: 'GET', url: 'https://h/' });
    assert.match(d.nonce, /^[A-Za-z0-9_-]{22}$/);
    seen.add(d.nonce);
    assert.ok(Math.abs(d.timestamp - Date.now() / 1000) < 5);
  }
  assert.equal(seen.size, 200);
});

test('signDetailed exposes every value; Date timestamps are accepted', () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET, signedHeaders: ['X-A'] });
  const d = signer.signDetailed({ method: 'post', url: new URL('https://h/p?b=1&a=2'), headers: new Map([['x-a', '1'], ['content-type', 'text/plain']]), body: 'x', timestamp: new Date(NOW * 1000), nonce: 'AAAAAAAAAAAAAAAAAAAAAA' });
  assert.equal(d.timestamp, NOW);
  assert.deepEqual(d.signedHeaders, ['host', 'content-type', 'x-a']);
  // SPEC §4.2: the method as given, the scheme signed, the query in the order sent.
  assert.match(d.canonicalString, /^sigwire-v1\nhmac-sha256\nk1\n1700000000\nAAAAAAAAAAAAAAAAAAAAAA\npost\nhttps\n\/p\nb=1&a=2\n/);
  assert.equal(d.authorization.endsWith(`signature="${d.signature}"`), true);
  assert.deepEqual(signer.signedHeaders, ['X-A']);
  assert.ok(Object.isFrozen(signer.signedHeaders));
});

test('headers in every accepted shape sign identically; a signed header on several lines is refused', () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET, signedHeaders: ['x-a'] });
  const base = { method: 'GET', url: 'https://h/', timestamp: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' };
  const oneLine = [
    { 'X-A': '1, 2' },
    [['X-A', '1, 2']],
    ['X-A', '1, 2'],
    new Map([['x-a', ['1', '2'].join(', ')]]),
    new Headers([['x-a', '1'], ['x-a', '2']]), // fetch's Headers joins repeated names itself
  ];
  const auths = oneLine.map((headers) => signer.sign({ ...base, headers }).Authorization);
  assert.equal(new Set(auths).size, 1, auths.join('\n'));
  // SPEC §4.2: first-line readers and joining readers would see different values.
  for (const headers of [{ 'X-A': ['1', '2'] }, [['X-A', '1'], ['x-a', '2']], ['X-A', '1', 'x-a', '2']]) {
    assert.throws(() => signer.sign({ ...base, headers }), (e) => e instanceof sigwire.SigwireError && e.code === 'invalid_request');
  }
});

test('key rotation: the old secret works until notAfter', () => {
  const keys = new sigwire.KeyStore({ k1: 'old-secret-0123456789' });
  keys.rotate('k1', 'new-secret-0123456789', NOW + 10);
  const verifier = new sigwire.Verifier({ keys });
  const req = { method: 'GET', url: 'https://h/' };
  const old = new sigwire.Signer({ keyId: 'k1', secret: 'old-secret-0123456789' });
  const neu = new sigwire.Signer({ keyId: 'k1', secret: 'new-secret-0123456789' });
  const at = (s, t, n) => ({ ...req, headers: { authorization: s.sign({ ...req, timestamp: t, nonce: n }).Authorization } });
  assert.equal(verifier.verify(at(old, NOW, 'AAAAAAAAAAAAAAAAAAAAA1'), { now: NOW }), 'k1');
  assert.equal(verifier.verify(at(neu, NOW, 'AAAAAAAAAAAAAAAAAAAAA2'), { now: NOW }), 'k1');
  assert.throws(() => verifier.verify(at(old, NOW + 11, 'AAAAAAAAAAAAAAAAAAAAA3'), { now: NOW + 11 }), sigwire.SignatureMismatchError);
  assert.deepEqual(verifier.verifyDetailed(at(neu, NOW + 11, 'AAAAAAAAAAAAAAAAAAAAA4'), { now: NOW + 11 }), { keyId: 'k1', scheme: 'sigwire-v1', timestamp: NOW + 11 });
});

test('replay stores written in JavaScript, synchronous and asynchronous', async () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
  const req = (n) => ({ method: 'GET', url: 'https://h/', headers: { authorization: signer.sign({ method: 'GET', url: 'https://h/', timestamp: NOW, nonce: n }).Authorization } });
  const calls = [];
  const seen = new Set();
  const sync = new sigwire.Verifier({ keys: { k1: SECRET }, windowSeconds: 60, replayStore: { checkAndRecord(k, n, exp, now) { calls.push([k, n, exp, now]); return seen.has(n) ? false : (seen.add(n), true); } } });
  assert.equal(sync.verify(req('AAAAAAAAAAAAAAAAAAAAAA'), { now: NOW }), 'k1');
  assert.deepEqual(calls, [['k1', 'AAAAAAAAAAAAAAAAAAAAAA', NOW + 60, NOW]]);
  assert.throws(() => sync.verify(req('AAAAAAAAAAAAAAAAAAAAAA'), { now: NOW }), sigwire.ReplayedNonceError);

  const asyncSeen = new Set();
  const asyncV = new sigwire.Verifier({ keys: { k1: SECRET }, replayStore: { async checkAndRecord(k, n) { await new Promise((r) => setTimeout(r, 1)); return asyncSeen.has(n) ? false : (asyncSeen.add(n), true); } } });
  assert.throws(() => asyncV.verify(req('BBBBBBBBBBBBBBBBBBBBBB'), { now: NOW }), /verifyAsync/);
  assert.equal((await asyncV.verifyAsync(req('CCCCCCCCCCCCCCCCCCCCCC'), { now: NOW })).keyId, 'k1');
  await assert.rejects(asyncV.verifyAsync(req('CCCCCCCCCCCCCCCCCCCCCC'), { now: NOW }), sigwire.ReplayedNonceError);

  const broken = new sigwire.Verifier({ keys: { k1: SECRET }, replayStore: { checkAndRecord() { throw new Error('redis down'); } } });
  const e = (() => { try { broken.verify(req('DDDDDDDDDDDDDDDDDDDDDD'), { now: NOW }); } catch (err) { return err; } })();
  assert.ok(e instanceof sigwire.ReplayStoreUnavailableError);
  assert.equal(e.httpStatus, 503);
  assert.equal(e.cause.message, 'redis down');
  const odd = new sigwire.Verifier({ keys: { k1: SECRET }, replayStore: { checkAndRecord: () => 'yes' } });
  assert.throws(() => odd.verify(req('EEEEEEEEEEEEEEEEEEEEEE'), { now: NOW }), sigwire.ReplayStoreUnavailableError);
  // A request that fails verification never reaches the store.
  calls.length = 0;
  assert.throws(() => sync.verify({ method: 'GET', url: 'https://h/other', headers: req('FFFFFFFFFFFFFFFFFFFFFF').headers }, { now: NOW }), sigwire.SignatureMismatchError);
  assert.equal(calls.length, 0);
});

test('secrets never show in inspect, JSON or errors', () => {
  const secret = 'do-not-print-me-0123456789';
  const signer = new sigwire.Signer({ keyId: 'k1', secret });
  const keys = new sigwire.KeyStore({ k1: secret });
  const verifier = new sigwire.Verifier({ keys });
  for (const obj of [signer, keys, verifier, new sigwire.InMemoryReplayStore()]) {
    const shown = inspect(obj, { showHidden: true, depth: 10 }) + JSON.stringify(obj) + String(obj);
    assert.ok(!shown.includes(secret), shown);
    assert.ok(!shown.includes(Buffer.from(secret).toString('hex')), shown);
  }
  assert.equal(inspect(signer), 'Signer {"keyId":"k1","algorithm":"hmac-sha256","signedHeaders":[]}');
});

test('signedFetch with a stub fetch signs exactly what it sends', async () => {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
  const verifier = new sigwire.Verifier({ keys: { k1: SECRET } });
  const sent = [];
  const stub = async (url, init) => {
    sent.push({ url, init });
    return new Response('ok');
  };
  const f = sigwire.signedFetch(signer, { fetch: stub });
  await f('https://api.example.com/v1/x?b=2&a=1#frag', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  await f('https://api.example.com/v1/y');
  assert.equal(sent.length, 2);
  const [post, get] = sent;
  assert.equal(post.url, 'https://api.example.com/v1/x?b=2&a=1');
  assert.ok(post.init.body instanceof Uint8Array);
  assert.equal(new TextDecoder().decode(post.init.body), '{"a":1}');
  assert.match(post.init.headers.get('authorization'), /^HMAC apiKey="k1"/);
  assert.equal(get.init.body, undefined);
  for (const { url, init } of sent) {
    assert.equal(verifier.verify({ method: init.method, url, headers: init.headers, body: init.body }), 'k1');
  }
});

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
