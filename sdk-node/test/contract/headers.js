'use strict';
/**
 * Contract: meaning-changing headers (issue 12 item 11), the same cases for the native package
 * (sdk-node/test/headers.test.js) and the WebAssembly one (sdk-wasm/test/node/headers.test.js):
 * X-HTTP-Method-Override added on the path to a signed POST gets through by default
 * (documented), is refused by a verifier that requires it signed (also from the head alone, in
 * precheck), and is covered by a signer with the 'all-end-to-end' policy.
 *
 * @param {{sigwire: any, test: Function, assert: any}} env the package under test and node:test
 */
module.exports = function headersContract({ sigwire, test, assert }) {
  const SECRET = 'headers-secret-0123456789abcdef';
  const NOW = 1_700_000_000;
  const url = 'https://api.example.com/pay';
  const body = '{"amount":100}';
  const headers = { 'content-type': 'application/json' };

  test('a meaning-changing header added on the path: refused when required, covered by all-end-to-end', () => {
    const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
    assert.equal(signer.signedHeaderPolicy, 'listed');
    const sign = (s, h, nonce) => s.sign({ method: 'POST', url, headers: h, body, timestamp: NOW, nonce }).Authorization;
    const tampered = (auth) => ({ method: 'POST', url, headers: { ...headers, 'x-http-method-override': 'DELETE', authorization: auth }, body });

    const open = new sigwire.Verifier({ keys: { k1: SECRET } });
    assert.equal(open.verify(tampered(sign(signer, headers, 'AAAAAAAAAAAAAAAAAAAAAA')), { now: NOW }), 'k1', 'default: the attack gets through (documented)');

    const strict = new sigwire.Verifier({ keys: { k1: SECRET }, requireSignedHeaders: ['X-HTTP-Method-Override'] });
    const attack = tampered(sign(signer, headers, 'BBBBBBBBBBBBBBBBBBBBBB'));
    assert.throws(() => strict.verify(attack, { now: NOW }), (e) => e instanceof sigwire.UnsignedHeaderError && e.code === 'unsigned_header' && e.httpStatus === 401);
    assert.throws(() => strict.precheck(attack, { now: NOW }), sigwire.UnsignedHeaderError, 'refused from the head alone');

    const all = new sigwire.Signer({ keyId: 'k1', secret: SECRET, signedHeaderPolicy: 'all-end-to-end' });
    assert.equal(all.signedHeaderPolicy, 'all-end-to-end');
    const withOverride = { ...headers, 'x-http-method-override': 'PATCH' };
    const auth = sign(all, withOverride, 'CCCCCCCCCCCCCCCCCCCCCC');
    assert.match(auth, /signedHeaders="host;content-type;x-http-method-override"/);
    assert.equal(strict.verify({ method: 'POST', url, headers: { ...withOverride, authorization: auth }, body }, { now: NOW }), 'k1');
    const auth2 = sign(all, withOverride, 'DDDDDDDDDDDDDDDDDDDDDD');
    assert.throws(() => strict.verify(tampered(auth2), { now: NOW }), sigwire.SignatureMismatchError, 'changing a signed header breaks the signature');
  });

  test('bad policy and required-header configuration are refused', () => {
    assert.throws(() => new sigwire.Signer({ keyId: 'k1', secret: SECRET, signedHeaderPolicy: 'everything' }), sigwire.InvalidConfigError);
    assert.throws(() => new sigwire.Verifier({ keys: { k1: SECRET }, requireSignedHeaders: ['authorization'] }), sigwire.InvalidConfigError);
    assert.throws(() => new sigwire.Verifier({ keys: { k1: SECRET }, requireSignedHeaders: 'x-a' }), sigwire.InvalidConfigError);
  });
};
