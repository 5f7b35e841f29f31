'use strict';
// Bad input from JavaScript: always a typed SigwireError, never a crash of the process.
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const sigwire = require('sigwire');

const { Signer, Verifier, KeyStore, InMemoryReplayStore, SigwireError } = sigwire;
const SECRET = 'sigwire-test-secret-0123456789ab';

const JUNK = [
  undefined, null, 0, -1, 1.5, NaN, Infinity, 2 ** 64, 10n, true, '', 'x', {}, [], [1, 2], { a: 1 },
  () => 1, Symbol('s'), new Date(0), /re/, new Map(), new Set([1]), Promise.resolve(), new Error('e'),
  Buffer.alloc(0), new Uint16Array(2), Object.create(null),
];

const L = (v) => { try { return String(v); } catch { return typeof v; } };

function assertTyped(fn, label) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  if (thrown !== undefined) {
    assert.ok(thrown instanceof SigwireError, `${label}: threw a non-SigwireError: ${thrown && thrown.stack}`);
    assert.ok(sigwire.ERROR_CODES.includes(thrown.code), `${label}: unknown code ${thrown.code}`);
  }
  return thrown;
}

test('Signer constructor: junk options and fields throw typed errors', () => {
  for (const j of JUNK) {
    assert.ok(assertTyped(() => new Signer(j), `Signer(${L(j)})`));
    assertTyped(() => new Signer({ keyId: j, secret: SECRET }), `keyId=${L(j)}`);
    assertTyped(() => new Signer({ keyId: 'k', secret: j }), `secret=${L(j)}`);
    assertTyped(() => new Signer({ keyId: 'k', secret: SECRET, algorithm: j }), `algorithm=${L(j)}`);
    assertTyped(() => new Signer({ keyId: 'k', secret: SECRET, signedHeaders: j }), `signedHeaders=${L(j)}`);
  }
  assert.equal(assertTyped(() => new Signer({ keyId: 'k', secret: 'short' })).code, 'invalid_secret');
  assert.equal(assertTyped(() => new Signer({ keyId: 'k'.repeat(129), secret: SECRET })).code, 'invalid_key_id');
  assert.equal(assertTyped(() => new Signer({ keyId: 'k', secret: SECRET, signedHeaders: ['bad name'] })).code, 'invalid_request');
  assert.equal(assertTyped(() => new Signer({ keyId: 'k', secret: SECRET, signedHeaders: ['authorization'] })).code, 'invalid_request');
  assert.equal(assertTyped(() => new Signer({ keyId: 'k', secret: SECRET, signedHeaders: Array.from({ length: 40 }, (_, i) => `x-${i}`) })).code, 'invalid_request');
});

test('sign(): junk requests and fields throw typed errors', () => {
  const s = new Signer({ keyId: 'k', secret: SECRET });
  const ok = { method: 'GET', url: 'https://h/' };
  for (const j of JUNK) {
    assert.ok(assertTyped(() => s.sign(j), `sign(${L(j)})`) || typeof j === 'object');
    for (const field of ['method', 'url', 'headers', 'body', 'timestamp', 'nonce']) {
      assertTyped(() => s.sign({ ...ok, [field]: j }), `${field}=${L(j)}`);
      assertTyped(() => s.signDetailed({ ...ok, [field]: j }), `detailed ${field}=${L(j)}`);
    }
    assertTyped(() => s.sign({ ...ok, headers: { 'x-a': j } }), `header value ${L(j)}`);
    assertTyped(() => s.sign({ ...ok, headers: [['x-a', j]] }), `pair value ${L(j)}`);
    assertTyped(() => s.sign({ ...ok, headers: [j] }), `pair ${L(j)}`);
  }
  const cases = {
    'bad method': { ...ok, method: 'GE T' },
    'empty method': { ...ok, method: '' },
    'relative url': { ...ok, url: '/x' },
    'ftp url': { ...ok, url: 'ftp://h/' },
    'credentials in url': { ...ok, url: 'https://u:p@h/' },
    'control char in url': { ...ok, url: 'https://h/\u0001' },
    'bad percent': { ...ok, url: 'https://h/%zz' },
    'negative timestamp': { ...ok, timestamp: -1 },
    'fractional timestamp': { ...ok, timestamp: 1.5 },
    '13-digit timestamp': { ...ok, timestamp: 1e12 },
    'short nonce': { ...ok, nonce: 'abc' },
    'bad nonce': { ...ok, nonce: 'bad nonce!bad nonce!bad' },
    'odd flat headers': { ...ok, headers: ['a', 'b', 'c'] },
    'CRLF in signed header': { ...ok, headers: { 'content-type': 'a\r\nb' }, body: 'x' },
    'non-ascii signed header': { ...ok, headers: { 'content-type': 'é' }, body: 'x' },
    'host mismatch': { ...ok, headers: { host: 'other' } },
  };
  for (const [label, req] of Object.entries(cases)) {
    const e = assertTyped(() => s.sign(req), label);
    assert.ok(e, `${label} should throw`);
    assert.equal(e.code, 'invalid_request', `${label}: ${e.message}`);
    assert.ok(e instanceof sigwire.InvalidRequestError);
  }
});

test('huge inputs: headers, URLs, bodies, Authorization values', () => {
  const s = new Signer({ keyId: 'k', secret: SECRET, signedHeaders: ['x-big'] });
  const v = new Verifier({ keys: { k: SECRET } });
  const big = 'a'.repeat(1 << 20);
  const req = { method: 'POST', url: `https://h/${'p'.repeat(4000)}?q=${'q'.repeat(4000)}`, headers: { 'x-big': big, 'x-unsigned': big }, body: Buffer.alloc(4 << 20, 7) };
  const a = s.sign(req).Authorization;
  assert.equal(v.verify({ ...req, headers: { ...req.headers, authorization: a } }), 'k');
  const many = [];
  for (let i = 0; i < 10000; i++) many.push([`x-h${i}`, 'v']);
  assert.ok(s.sign({ method: 'GET', url: 'https://h/', headers: [...many, ['x-big', 'y']] }).Authorization);
  const e = assertTyped(() => v.verify({ method: 'GET', url: 'https://h/', headers: { authorization: 'HMAC ' + 'a'.repeat(100000) } }));
  assert.equal(e.code, 'malformed_authorization');
  const e2 = assertTyped(() => v.verify({ method: 'GET', url: 'https://h/', headers: { authorization: `HMAC apiKey="${'k'.repeat(5000)}"` } }));
  assert.equal(e2.code, 'malformed_authorization');
  const e3 = assertTyped(() => s.sign({ method: 'GET', url: 'https://' + 'h'.repeat(300) + '/', headers: { 'x-big': '1' } }));
  assert.equal(e3.code, 'invalid_request');
  const e4 = assertTyped(() => s.sign({ method: 'GET', url: `https://h/${big}`, headers: { 'x-big': '1' } }));
  assert.equal(e4.code, 'invalid_request');
});

test('Verifier, KeyStore, InMemoryReplayStore: junk throws typed errors', () => {
  const v = new Verifier({ keys: { k: SECRET } });
  const ks = new KeyStore();
  for (const j of JUNK) {
    assertTyped(() => new Verifier(j), `Verifier(${L(j)})`);
    assertTyped(() => new Verifier({ keys: j }), `keys=${L(j)}`);
    assertTyped(() => new Verifier({ keys: { k: j } }), `secret=${L(j)}`);
    assertTyped(() => new Verifier({ keys: { k: SECRET }, windowSeconds: j }), `window=${L(j)}`);
    assertTyped(() => new Verifier({ keys: { k: SECRET }, replayStore: j }), `replayStore=${L(j)}`);
    assertTyped(() => v.verify(j), `verify(${L(j)})`);
    assertTyped(() => v.verify({ method: 'GET', url: 'https://h/', headers: { authorization: j } }), `authorization=${L(j)}`);
    assertTyped(() => v.verify({ method: 'GET', url: 'https://h/' }, { now: j }), `now=${L(j)}`);
    for (const field of ['method', 'url', 'headers', 'body']) assertTyped(() => v.verify({ method: 'GET', url: 'https://h/', [field]: j }), `verify ${field}`);
    assertTyped(() => ks.insert(j, SECRET), `insert keyId ${L(j)}`);
    assertTyped(() => ks.insert('k', j), `insert secret ${L(j)}`);
    assertTyped(() => ks.insert('k', SECRET, j), `insert notAfter ${L(j)}`);
    assertTyped(() => ks.rotate('k', SECRET, j), `rotate ${L(j)}`);
    assertTyped(() => ks.remove(j), `remove ${L(j)}`);
    assertTyped(() => new InMemoryReplayStore(j), `replay store ${L(j)}`);
    assertTyped(() => new InMemoryReplayStore({ capacity: j }), `capacity ${L(j)}`);
    assertTyped(() => new KeyStore(j), `KeyStore(${L(j)})`);
  }
  assert.equal(assertTyped(() => new Verifier({ keys: { k: SECRET }, windowSeconds: -1 })).code, 'invalid_config');
  assert.equal(assertTyped(() => new Verifier({})).code, 'invalid_config');
  assert.equal(assertTyped(() => ks.insert('bad id', SECRET)).code, 'invalid_key_id');
  const rs = new InMemoryReplayStore();
  assert.equal(assertTyped(() => rs.checkAndRecord(1, 2, 'x', {})).code, 'invalid_config');
});

test('integrations refuse missing configuration with typed errors', () => {
  for (const j of JUNK) {
    assertTyped(() => sigwire.signedFetch(j), 'signedFetch');
    assertTyped(() => sigwire.axiosInterceptor(j, j), 'axiosInterceptor');
    assertTyped(() => sigwire.expressMiddleware(j), 'expressMiddleware');
  }
  assert.ok(assertTyped(() => sigwire.expressMiddleware({})) instanceof sigwire.InvalidConfigError);
});

test('a process throwing 10 000 random inputs at the native addon survives', () => {
  // Run in a child so that an abort (a panic across FFI) would show as a failed exit, not kill the runner.
  const script = `
    const s = require('sigwire');
    let seed = 42;
    const rnd = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    const pieces = ['GET', 'https://h/', 'http://[::1]:0/', 'https://h:99999/', '%', '%G0', 'HMAC ', 'apiKey="k"', '\\u0000', '\\r\\n',
      'é', '\\ud800', 'a'.repeat(5000), '', ' ', '"', ',', '=', ';', 'host', 'signature="00"', '1700000000', 'AAAAAAAAAAAAAAAAAAAAAA'];
    const str = () => { let t = ''; const k = rnd(6); for (let i = 0; i < k; i++) t += pieces[rnd(pieces.length)]; return t; };
    const vals = () => [str(), rnd(3) === 0 ? undefined : str(), 1e300, -0, {}, Buffer.from(str())][rnd(6)];
    const signer = new s.Signer({ keyId: 'k', secret: '0123456789abcdef0123' });
    const verifier = new s.Verifier({ keys: { k: '0123456789abcdef0123' } });
    let typed = 0;
    for (let i = 0; i < 10000; i++) {
      const req = { method: vals(), url: rnd(2) ? str() : 'https://h/' + str(), headers: [[str() || 'x', str()], ['authorization', 'HMAC ' + str()]], body: vals(), timestamp: [undefined, rnd(1e9), -5, 1.5][rnd(4)], nonce: rnd(2) ? undefined : str() };
      for (const f of [() => signer.sign(req), () => verifier.verify(req), () => signer.canonicalString(req), () => new s.Signer({ keyId: str(), secret: vals(), algorithm: rnd(2) ? str() : undefined })]) {
        try { f(); } catch (e) { if (!(e instanceof s.SigwireError)) { console.error('untyped', e); process.exit(3); } typed++; }
      }
    }
    console.log('typed errors', typed);
  `;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.signal, null, `child killed by ${r.signal}: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /typed errors \d+/);
});
