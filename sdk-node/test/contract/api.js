'use strict';
/**
 * Contract: the API shared by both packages (sdk-node/lib/common/: Signer, KeyStore,
 * InMemoryReplayStore, Verifier, signedFetch, the error classes), the same cases on the native back
 * end (sdk-node/test/api.test.js) and the WebAssembly one (sdk-wasm/test/node/api.test.js):
 * construction, bodies, headers, key stores, replay stores, errors, secrecy, signedFetch.
 *
 * @param {{sigwire: any, test: Function, assert: any, core?: {errorCodes(): string[], httpStatus(code: string): number, serverTimeHeader(): string}}} env
 *   the package under test, node:test, and (optional) the back end's own answers to check constants against
 */
const util = require('node:util');

module.exports = function apiContract({ sigwire, test, assert, core }) {
  const { Signer, Verifier, KeyStore, InMemoryReplayStore, SigwireError } = sigwire;
  const SECRET = 'sigwire-test-secret-0123456789ab';
  const NOW = 1_700_000_000;
  const NONCE = 'AAECAwQFBgcICQoLDA0ODw';

  function signer(opts = {}) {
    return new Signer({ keyId: 'client-1', secret: SECRET, ...opts });
  }

  function verifier(opts = {}) {
    return new Verifier({ keys: { 'client-1': SECRET }, ...opts });
  }

  function withAuth(req, auth) {
    return { ...req, headers: [...Object.entries(req.headers || {}), ['Authorization', auth]] };
  }

  test('sign returns only the Authorization header, which verifies', () => {
    const req = { method: 'POST', url: 'https://api.example.com/v1/pay?b=2&a=1', headers: { 'Content-Type': 'application/json' }, body: '{"x":1}' };
    const headers = signer().sign(req);
    assert.deepEqual(Object.keys(headers), ['Authorization']);
    assert.match(headers.Authorization, /^HMAC apiKey="client-1", algorithm="hmac-sha256", timestamp="\d+", nonce="[A-Za-z0-9_-]{22}", signedHeaders="host;content-type", signature="[0-9a-f]{64}"$/);
    assert.equal(verifier().verify(withAuth(req, headers.Authorization)), 'client-1');
  });

  test('fresh nonce and current time on every call', () => {
    const s = signer();
    const a = s.signDetailed({ method: 'GET', url: 'https://h/' });
    const b = s.signDetailed({ method: 'GET', url: 'https://h/' });
    assert.notEqual(a.nonce, b.nonce);
    assert.ok(Math.abs(a.timestamp - Date.now() / 1000) < 5);
  });

  test('hmac-sha512 and extra signed headers', () => {
    const s = signer({ algorithm: 'hmac-sha512', signedHeaders: ['X-Request-Id'] });
    assert.equal(s.algorithm, 'hmac-sha512');
    assert.deepEqual(s.signedHeaders, ['X-Request-Id']);
    const req = { method: 'GET', url: 'https://h/x', headers: { 'x-request-id': 'r1' } };
    const d = s.signDetailed(req);
    assert.deepEqual(d.signedHeaders, ['host', 'x-request-id']);
    assert.equal(d.signature.length, 128);
    assert.equal(verifier().verify(withAuth(req, d.authorization)), 'client-1');
    assert.throws(() => s.sign({ method: 'GET', url: 'https://h/x' }), sigwire.InvalidRequestError);
  });

  test('every body type signs the same bytes', () => {
    const bytes = Buffer.from('{"amount":"100.00","note":"é"}', 'utf8');
    const s = signer();
    const base = { method: 'PUT', url: 'https://h/x', headers: { 'content-type': 'application/json' }, timestamp: NOW, nonce: NONCE };
    const expected = s.signDetailed({ ...base, body: bytes }).signature;
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
    const inBigger = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
    for (const body of [bytes.toString('utf8'), new Uint8Array(bytes), ab, new DataView(ab), inBigger.subarray(2, 2 + bytes.length), new Uint8ClampedArray(bytes)]) {
      assert.equal(s.signDetailed({ ...base, body }).signature, expected, util.inspect(body).slice(0, 40));
    }
    const empty = s.signDetailed({ ...base, body: undefined }).signature;
    assert.equal(s.signDetailed({ ...base, body: null }).signature, empty);
    assert.equal(s.signDetailed({ ...base, body: '' }).signature, empty);
    assert.equal(s.signDetailed({ ...base, body: new ArrayBuffer(0) }).signature, empty);
  });

  test('header inputs: object, arrays, pairs, Headers, Map, rawHeaders; a signed header on several lines is refused', () => {
    const s = signer({ signedHeaders: ['x-a'] });
    const base = { method: 'GET', url: 'https://h/x', timestamp: NOW, nonce: NONCE };
    const expected = s.signDetailed({ ...base, headers: [['X-A', '1, 2']] }).canonicalString;
    assert.match(expected, /\nx-a:1, 2\n/);
    const oneLine = [
      ['X-A', '1, 2'],
      new Headers([['X-A', '1'], ['x-a', '2']]), // fetch's Headers joins repeated names itself
      new Map([['x-a', '1, 2']]),
      { 'x-a': '1, 2', 'x-skip': undefined },
    ];
    for (const headers of oneLine) assert.equal(s.signDetailed({ ...base, headers }).canonicalString, expected);
    // SPEC §4.2: first-line readers and joining readers would see different values.
    const severalLines = [{ 'X-A': ['1', '2'] }, ['X-A', '1', 'x-a', '2'], [['X-A', '1'], ['x-a', '2']]];
    for (const headers of severalLines) {
      assert.throws(() => s.signDetailed({ ...base, headers }), (e) => e instanceof SigwireError && e.code === 'invalid_request');
    }
    assert.match(s.canonicalString({ ...base, headers: { 'x-a': 5 } }), /\nx-a:5\n/);
  });

  test('URL objects are accepted', () => {
    const s = signer();
    const a = s.signDetailed({ method: 'GET', url: new URL('https://H/a?b=1'), timestamp: NOW, nonce: NONCE });
    const b = s.signDetailed({ method: 'GET', url: 'https://h/a?b=1', timestamp: NOW, nonce: NONCE });
    assert.equal(a.signature, b.signature);
  });

  test('secrets never appear in inspect, JSON or errors', () => {
    const secretHex = Buffer.from(SECRET).toString('hex');
    const secretB64 = Buffer.from(SECRET).toString('base64');
    const s = signer();
    const ks = new KeyStore({ 'client-1': SECRET });
    const v = new Verifier({ keys: ks });
    for (const obj of [s, ks, v]) {
      for (const text of [util.inspect(obj, { showHidden: true, depth: 10 }), JSON.stringify(obj), String(obj), util.format('%o', obj)]) {
        assert.ok(!text.includes(SECRET) && !text.includes(secretHex) && !text.includes(secretB64), text);
      }
    }
    assert.deepEqual(JSON.parse(JSON.stringify(s)), { keyId: 'client-1', algorithm: 'hmac-sha256', signedHeaders: [] });
    assert.deepEqual(Object.keys(s), []);
    const errors = [];
    try { new Signer({ keyId: 'bad id', secret: SECRET }); } catch (e) { errors.push(e); }
    try { v.verify({ method: 'GET', url: 'https://h/', headers: { authorization: 'HMAC nope' } }); } catch (e) { errors.push(e); }
    const d = s.signDetailed({ method: 'GET', url: 'https://h/', timestamp: NOW, nonce: NONCE });
    try { v.verify({ method: 'GET', url: 'https://h/other', headers: { authorization: d.authorization } }, { now: NOW }); } catch (e) { errors.push(e); }
    assert.equal(errors.length, 3);
    for (const e of errors) {
      const text = `${e.message} ${util.inspect(e)} ${JSON.stringify(e)}`;
      assert.ok(!text.includes(SECRET) && !text.includes(secretHex), text);
    }
    assert.equal(errors[2].code, 'signature_mismatch');
    assert.ok(!errors[2].message.includes(d.signature));
  });

  test('error classes: one per machine code, all SigwireError, codes match the core', () => {
    assert.equal(sigwire.ERROR_CODES.length, 13); // SPEC §7, unsigned_header included
    assert.deepEqual(Object.keys(sigwire.ERROR_CLASSES), [...sigwire.ERROR_CODES]);
    for (const code of sigwire.ERROR_CODES) {
      const cls = sigwire.ERROR_CLASSES[code];
      const e = new cls('m');
      assert.ok(e instanceof SigwireError && e instanceof Error);
      assert.equal(e.code, code);
      assert.equal(e.name, cls.name);
      assert.equal(typeof e.httpStatus, 'number');
      assert.deepEqual(e.toJSON(), { error: code });
      const exported = Object.entries(sigwire).find(([, v]) => v === cls);
      assert.ok(exported, `${cls.name} is exported`);
    }
    assert.equal(new sigwire.SignatureMismatchError('x').httpStatus, 401);
    assert.equal(new sigwire.InvalidRequestError('x').httpStatus, 400);
    assert.equal(new sigwire.ReplayStoreUnavailableError('x').httpStatus, 503);
    assert.equal(sigwire.SERVER_TIME_HEADER, 'X-Sigwire-Server-Time');
  });

  test('stale timestamps carry the skew and the server time', () => {
    const d = signer().signDetailed({ method: 'GET', url: 'https://h/', timestamp: NOW - 400 });
    const v = verifier();
    assert.throws(
      () => v.verify({ method: 'GET', url: 'https://h/', headers: { authorization: d.authorization } }, { now: NOW }),
      (e) => e instanceof sigwire.StaleTimestampError && e.skewSeconds === -400 && e.serverTime === NOW && e.httpStatus === 401,
    );
    // Without `now`, the system clock is used and reported.
    assert.throws(
      () => v.verify({ method: 'GET', url: 'https://h/', headers: { authorization: d.authorization } }),
      (e) => e.code === 'stale_timestamp' && Math.abs(e.serverTime - Date.now() / 1000) < 5,
    );
    assert.ok(Math.abs(v.now() - Date.now() / 1000) < 5);
    assert.equal(v.windowSeconds, 300);
  });

  test('missing, unknown key, unsupported algorithm', () => {
    const v = verifier();
    assert.throws(() => v.verify({ method: 'GET', url: 'https://h/' }), sigwire.MissingAuthorizationError);
    const other = new Signer({ keyId: 'other', secret: SECRET });
    const a = other.sign({ method: 'GET', url: 'https://h/' }).Authorization;
    assert.throws(() => v.verify({ method: 'GET', url: 'https://h/', headers: { authorization: a } }), sigwire.UnknownKeyError);
    assert.throws(() => signer({ algorithm: 'hmac-md5' }), sigwire.UnsupportedAlgorithmError);
    assert.throws(() => signer({ algorithm: 'hmac-sha1' }), (e) => e.code === 'unsupported_algorithm');
  });

  test('KeyStore: several secrets, rotation with notAfter, removal', () => {
    const OLD = 'old-secret-0123456789abcdef';
    const NEW = 'new-secret-0123456789abcdef';
    const ks = new KeyStore();
    ks.insert('k', OLD);
    const v = new Verifier({ keys: ks, windowSeconds: 300 });
    const oldSigner = new Signer({ keyId: 'k', secret: OLD });
    const newSigner = new Signer({ keyId: 'k', secret: NEW });
    const req = (s, nonce) => {
      const a = s.sign({ method: 'GET', url: 'https://h/', timestamp: NOW, nonce }).Authorization;
      return { method: 'GET', url: 'https://h/', headers: { authorization: a } };
    };
    assert.equal(v.verify(req(oldSigner, 'A'.repeat(22)), { now: NOW }), 'k');
    assert.throws(() => v.verify(req(newSigner, 'B'.repeat(22)), { now: NOW }), sigwire.SignatureMismatchError);
    ks.rotate('k', NEW, NOW + 10);
    assert.equal(v.verify(req(newSigner, 'C'.repeat(22)), { now: NOW }), 'k');
    assert.equal(v.verify(req(oldSigner, 'D'.repeat(22)), { now: NOW + 10 }), 'k');
    assert.throws(() => v.verify(req(oldSigner, 'E'.repeat(22)), { now: NOW + 11 }), sigwire.SignatureMismatchError);
    // insert with notAfter as a Date
    ks.insert('k2', OLD, new Date((NOW - 1) * 1000));
    const s2 = new Signer({ keyId: 'k2', secret: OLD });
    assert.throws(() => v.verify(req(s2, 'F'.repeat(22)), { now: NOW }), sigwire.UnknownKeyError);
    assert.equal(ks.remove('k'), true);
    assert.equal(ks.remove('k'), false);
    assert.throws(() => v.verify(req(newSigner, 'G'.repeat(22)), { now: NOW }), sigwire.UnknownKeyError);
    // { keyId: [secrets] }
    const v2 = new Verifier({ keys: { k: [OLD, NEW] } });
    assert.equal(v2.verify(req(oldSigner, 'H'.repeat(22)), { now: NOW }), 'k');
    assert.equal(v2.verify(req(newSigner, 'I'.repeat(22)), { now: NOW }), 'k');
  });

  test('InMemoryReplayStore: shared between verifiers, bounded', () => {
    const store = new InMemoryReplayStore({ capacity: 2 });
    const v1 = verifier({ replayStore: store });
    const v2 = verifier({ replayStore: store });
    const s = signer();
    const mk = (nonce) => ({ method: 'GET', url: 'https://h/', headers: { authorization: s.sign({ method: 'GET', url: 'https://h/', timestamp: NOW, nonce }).Authorization } });
    const r1 = mk('A'.repeat(22));
    assert.equal(v1.verify(r1, { now: NOW }), 'client-1');
    assert.throws(() => v2.verify(r1, { now: NOW }), sigwire.ReplayedNonceError);
    assert.equal(v2.verify(mk('B'.repeat(22)), { now: NOW }), 'client-1');
    assert.equal(store.size, 2);
    assert.throws(() => v1.verify(mk('C'.repeat(22)), { now: NOW }), (e) => e instanceof sigwire.ReplayStoreUnavailableError && e.httpStatus === 503);
  });

  test('custom replay stores: sync, async, failing, wrong answers', async () => {
    const seen = new Set();
    const calls = [];
    const syncStore = {
      checkAndRecord(keyId, nonce, expiresAt, now) {
        calls.push([keyId, nonce, expiresAt, now]);
        const k = `${keyId} ${nonce}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      },
    };
    const s = signer();
    const mk = (nonce) => ({ method: 'GET', url: 'https://h/', headers: { authorization: s.sign({ method: 'GET', url: 'https://h/', timestamp: NOW, nonce }).Authorization } });
    const v = verifier({ replayStore: syncStore, windowSeconds: 60 });
    const r = mk('A'.repeat(22));
    assert.equal(v.verify(r, { now: NOW }), 'client-1');
    assert.deepEqual(calls[0], ['client-1', 'A'.repeat(22), NOW + 60, NOW]);
    assert.throws(() => v.verify(r, { now: NOW }), sigwire.ReplayedNonceError);
    await assert.rejects(v.verifyAsync(r, { now: NOW }), sigwire.ReplayedNonceError);
    // A bad signature never reaches the store.
    const n = calls.length;
    const bad = { ...r, url: 'https://h/other' };
    assert.throws(() => v.verify(bad, { now: NOW }), sigwire.SignatureMismatchError);
    assert.equal(calls.length, n);

    const asyncStore = { async checkAndRecord(k, nonce) { return syncStore.checkAndRecord(k, nonce + '-async', 0, 0); } };
    const va = verifier({ replayStore: asyncStore });
    const r2 = mk('B'.repeat(22));
    assert.deepEqual(await va.verifyAsync(r2, { now: NOW }), { keyId: 'client-1', scheme: 'sigwire-v1', timestamp: NOW });
    await assert.rejects(va.verifyAsync(r2, { now: NOW }), sigwire.ReplayedNonceError);
    assert.throws(() => va.verify(mk('C'.repeat(22)), { now: NOW }), sigwire.InvalidConfigError);

    const failing = verifier({ replayStore: { checkAndRecord() { throw new Error('redis down'); } } });
    assert.throws(() => failing.verify(mk('D'.repeat(22)), { now: NOW }), (e) => e.code === 'replay_store_unavailable' && e.cause.message === 'redis down');
    const rejecting = verifier({ replayStore: { checkAndRecord: async () => { throw new Error('down'); } } });
    await assert.rejects(rejecting.verifyAsync(mk('E'.repeat(22)), { now: NOW }), sigwire.ReplayStoreUnavailableError);
    const wrong = verifier({ replayStore: { checkAndRecord: () => 'yes' } });
    assert.throws(() => wrong.verify(mk('F'.repeat(22)), { now: NOW }), sigwire.ReplayStoreUnavailableError);
    assert.throws(() => verifier({ replayStore: {} }), sigwire.InvalidConfigError);
  });

  test('error codes, statuses and the server time header agree with the core', { skip: core ? false : 'no core handle given' }, () => {
    assert.deepEqual([...sigwire.ERROR_CODES], core.errorCodes());
    for (const code of sigwire.ERROR_CODES) {
      const err = new sigwire.ERROR_CLASSES[code]('m');
      assert.equal(err.httpStatus, core.httpStatus(code));
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

  test('inspect shows what toJSON shows, the same in every runtime', () => {
    const s = new Signer({ keyId: 'k1', secret: SECRET });
    assert.equal(util.inspect(s), 'Signer {"keyId":"k1","algorithm":"hmac-sha256","signedHeaders":[]}');
    assert.equal(util.inspect(verifier()), 'Verifier {"windowSeconds":300}');
    assert.equal(util.inspect(new KeyStore()), 'KeyStore {}');
    assert.equal(util.inspect(new InMemoryReplayStore()), 'InMemoryReplayStore {}');
  });

  test('an asynchronous store that answers later: verifyAsync awaits it, verify refuses it', async () => {
    const s = signer();
    const mk = (nonce) => ({ method: 'GET', url: 'https://h/', headers: { authorization: s.sign({ method: 'GET', url: 'https://h/', timestamp: NOW, nonce }).Authorization } });
    const seen = new Set();
    const v = verifier({ replayStore: { async checkAndRecord(k, n) { await new Promise((r) => setTimeout(r, 1)); return seen.has(n) ? false : (seen.add(n), true); } } });
    assert.equal(v.hasExternalReplayStore, true);
    assert.equal(verifier().hasExternalReplayStore, false);
    assert.throws(() => v.verify(mk('B'.repeat(22)), { now: NOW }), /verifyAsync/);
    assert.equal((await v.verifyAsync(mk('C'.repeat(22)), { now: NOW })).keyId, 'client-1');
    await assert.rejects(v.verifyAsync(mk('C'.repeat(22)), { now: NOW }), sigwire.ReplayedNonceError);
  });
};
