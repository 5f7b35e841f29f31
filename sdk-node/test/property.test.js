'use strict';
// Property-based round trips with fast-check.
const test = require('node:test');
const assert = require('node:assert/strict');
const fc = require('fast-check');
const sigwire = require('sigwire');

const { Signer, Verifier, SigwireError } = sigwire;
const NOW = 1_700_000_000;
const RUNS = Number(process.env.SIGWIRE_FC_RUNS || 300);

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/);
const keyId = fc.stringMatching(/^[A-Za-z0-9\-._~+/=:@]{1,40}$/);
const secret = fc.uint8Array({ minLength: 16, maxLength: 80 });
const nonce = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);
const host = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){0,2}$/);
const segment = fc.string({ maxLength: 12, unit: fc.constantFrom(...'abcXYZ019-._~!$&\'()*+,;=:@ é%20'.split('')) }).map((s) => s.replace(/%(?![0-9A-F]{2})/g, '%25'));
const path = fc.array(segment, { maxLength: 5 }).map((segs) => '/' + segs.join('/'));
const queryPair = fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ maxLength: 10, unit: fc.constantFrom(...'ab12 +/=é~'.split('')) }));
const query = fc.array(queryPair, { maxLength: 5 });
const headerValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
const extraHeaders = fc.uniqueArray(fc.tuple(fc.stringMatching(/^x-[a-z0-9-]{1,10}$/), headerValue), { maxLength: 4, selector: (p) => p[0] });
const bodyBytes = fc.uint8Array({ maxLength: 2048 });

const requestArb = fc.record({
  keyId,
  secret,
  algorithm: fc.constantFrom('hmac-sha256', 'hmac-sha512'),
  method: fc.oneof(fc.constantFrom('GET', 'POST', 'put', 'DELETE', 'PATCH'), token),
  scheme: fc.constantFrom('http', 'https'),
  host,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  path,
  query,
  headers: extraHeaders,
  signExtra: fc.boolean(),
  contentType: fc.option(fc.constantFrom('application/json', 'text/plain; charset=utf-8'), { nil: undefined }),
  body: bodyBytes,
  bodyKind: fc.constantFrom('buffer', 'uint8array', 'arraybuffer'),
  nonce,
  skew: fc.integer({ min: -300, max: 300 }),
});

function build(r) {
  const qs = r.query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const url = `${r.scheme}://${r.host}${r.port ? ':' + r.port : ''}${r.path}${qs ? '?' + qs : ''}`;
  const headers = r.headers.slice();
  if (r.contentType) headers.push(['Content-Type', r.contentType]);
  const buf = Buffer.from(r.body);
  const body = r.bodyKind === 'buffer' ? buf : r.bodyKind === 'uint8array' ? new Uint8Array(buf) : buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
  return { method: r.method, url, headers, body, buf };
}

test('sign then verify round-trips for arbitrary valid requests; any change is rejected', () => {
  fc.assert(
    fc.property(requestArb, fc.nat(), (r, pick) => {
      const signedHeaders = r.signExtra ? r.headers.map(([n]) => n) : undefined;
      const signer = new Signer({ keyId: r.keyId, secret: r.secret, algorithm: r.algorithm, signedHeaders });
      const verifier = new Verifier({ keys: { [r.keyId]: r.secret }, windowSeconds: 300 });
      const req = build(r);
      const ts = NOW + r.skew;
      const auth = signer.sign({ ...req, timestamp: ts, nonce: r.nonce }).Authorization;
      const received = { method: req.method, url: req.url, headers: [...req.headers, ['Authorization', auth]], body: req.buf };
      assert.equal(verifier.verify(received, { now: NOW }), r.keyId);
      assert.throws(() => verifier.verify(received, { now: NOW }), sigwire.ReplayedNonceError);

      // Tamper with one thing; a fresh verifier (empty replay store) must refuse it.
      const fresh = new Verifier({ keys: { [r.keyId]: r.secret }, windowSeconds: 300 });
      const tampered = { ...received, headers: received.headers.slice() };
      switch (pick % 4) {
        case 0: {
          const b = Buffer.from(req.buf);
          if (b.length === 0) tampered.body = Buffer.from('x');
          else {
            b[pick % b.length] ^= 1 + (pick % 255);
            tampered.body = b;
          }
          break;
        }
        case 1:
          tampered.url = req.url + (req.url.includes('?') ? '&' : '?') + 'zz=1';
          break;
        case 2:
          tampered.method = req.method.toUpperCase() === 'POST' ? 'PUT' : 'POST';
          break;
        default:
          if (signedHeaders && signedHeaders.length) tampered.headers = tampered.headers.map(([n, v]) => [n, n === signedHeaders[0] ? v + 'x' : v]);
          else tampered.url = req.url.replace('://', '://a');
      }
      assert.throws(() => fresh.verify(tampered, { now: NOW }), (e) => e instanceof SigwireError && ['signature_mismatch', 'malformed_authorization', 'invalid_request'].includes(e.code));
    }),
    { numRuns: RUNS },
  );
});

test('canonical equivalences (SPEC §4.2): percent-encoding case, scheme/host case, empty query pieces, header case and whitespace', () => {
  fc.assert(
    fc.property(requestArb, (r) => {
      const signer = new Signer({ keyId: r.keyId, secret: r.secret, algorithm: r.algorithm, signedHeaders: r.headers.map(([n]) => n) });
      const req = build(r);
      const base = signer.signDetailed({ ...req, timestamp: NOW, nonce: r.nonce }).signature;
      // The query keeps its order (frameworks take the first or the last of repeated names).
      const qs = r.query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
      const p = r.path.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
      const respelled = `${r.scheme.toUpperCase()}://${r.host.toUpperCase()}${r.port ? ':' + r.port : ''}${p}${qs ? '?&' + qs : ''}`;
      const headers = req.headers.map(([n, v]) => [n.toUpperCase(), ` \t${v}  `]);
      assert.equal(signer.signDetailed({ ...req, url: respelled, headers, timestamp: NOW, nonce: r.nonce }).signature, base);
    }),
    { numRuns: RUNS },
  );
});

test('not equivalent any more (SPEC §4.2): query order, method case, raw + vs %2B', () => {
  const s = new Signer({ keyId: 'k', secret: '0123456789abcdef0123' });
  const sig = (method, url) => s.signDetailed({ method, url, timestamp: NOW, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' }).signature;
  assert.notEqual(sig('GET', 'https://h/p?role=user&role=admin'), sig('GET', 'https://h/p?role=admin&role=user'));
  assert.notEqual(sig('GET', 'https://h/p'), sig('get', 'https://h/p'));
  assert.notEqual(sig('GET', 'https://h/p?e=a%2Bb'), sig('GET', 'https://h/p?e=a+b'));
  assert.notEqual(sig('GET', 'https://h/p'), sig('GET', 'http://h/p'));
});

test('arbitrary Authorization values and URLs only ever produce typed errors', () => {
  const verifier = new Verifier({ keys: { k: '0123456789abcdef0123' } });
  const signer = new Signer({ keyId: 'k', secret: '0123456789abcdef0123' });
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.string({ maxLength: 200 }), fc.string({ maxLength: 40 }), (auth, url, method) => {
      for (const fn of [
        () => verifier.verify({ method: 'GET', url: 'https://h/', headers: { authorization: auth } }),
        () => verifier.verify({ method, url, headers: [['authorization', 'HMAC ' + auth]] }),
        () => signer.sign({ method, url, headers: [[method || 'x', auth]] }),
      ]) {
        try {
          fn();
        } catch (e) {
          assert.ok(e instanceof SigwireError, String(e));
        }
      }
    }),
    { numRuns: RUNS * 3 },
  );
});
