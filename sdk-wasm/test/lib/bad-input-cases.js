/**
 * Bad input from JavaScript and the typed error each must give. Environment-neutral: run by the
 * Node tests and by the Chromium test page. `badInputCases(sigwire)` returns [name, fn, code].
 */
export const SECRET = 'bad-input-secret-0123456789';

/** A transferred (detached) ArrayBuffer, or a view of one. */
export function detached(kind) {
  const buf = new ArrayBuffer(8);
  const view = new Uint8Array(buf);
  structuredClone(buf, { transfer: [buf] });
  return kind === 'buffer' ? buf : view;
}

export function badInputCases(sigwire) {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });
  const GOOD = { method: 'POST', url: 'https://api.example.com/x', headers: { 'content-type': 'text/plain' }, body: 'hi' };
  const signerCases = [
    ['no options', () => new sigwire.Signer(), 'invalid_config'],
    ['options is a number', () => new sigwire.Signer(42), 'invalid_config'],
    ['keyId undefined', () => new sigwire.Signer({ secret: SECRET }), 'invalid_key_id'],
    ['keyId a number', () => new sigwire.Signer({ keyId: 7, secret: SECRET }), 'invalid_key_id'],
    ['keyId with a space', () => new sigwire.Signer({ keyId: 'a b', secret: SECRET }), 'invalid_key_id'],
    ['keyId empty', () => new sigwire.Signer({ keyId: '', secret: SECRET }), 'invalid_key_id'],
    ['secret undefined', () => new sigwire.Signer({ keyId: 'k' }), 'invalid_secret'],
    ['secret a number', () => new sigwire.Signer({ keyId: 'k', secret: 1234567890123456 }), 'invalid_secret'],
    ['secret an object', () => new sigwire.Signer({ keyId: 'k', secret: {} }), 'invalid_secret'],
    ['secret too short', () => new sigwire.Signer({ keyId: 'k', secret: 'short' }), 'invalid_secret'],
    ['secret a detached ArrayBuffer', () => new sigwire.Signer({ keyId: 'k', secret: detached('buffer') }), 'invalid_secret'],
    ['secret a view of a detached buffer', () => new sigwire.Signer({ keyId: 'k', secret: detached('view') }), 'invalid_secret'],
    ['algorithm a number', () => new sigwire.Signer({ keyId: 'k', secret: SECRET, algorithm: 256 }), 'unsupported_algorithm'],
    ['algorithm md5', () => new sigwire.Signer({ keyId: 'k', secret: SECRET, algorithm: 'hmac-md5' }), 'unsupported_algorithm'],
    ['signedHeaders a string', () => new sigwire.Signer({ keyId: 'k', secret: SECRET, signedHeaders: 'x-a' }), 'invalid_config'],
    ['signedHeaders with a number', () => new sigwire.Signer({ keyId: 'k', secret: SECRET, signedHeaders: [1] }), 'invalid_config'],
    ['signedHeaders bad name', () => new sigwire.Signer({ keyId: 'k', secret: SECRET, signedHeaders: ['bad name'] }), 'invalid_request'],
    ['signedHeaders authorization', () => new sigwire.Signer({ keyId: 'k', secret: SECRET, signedHeaders: ['Authorization'] }), 'invalid_request'],
  ];
  const signCases = [
    ['request undefined', () => signer.sign(), 'invalid_request'],
    ['request a number', () => signer.sign(5), 'invalid_request'],
    ['request null', () => signer.sign(null), 'invalid_request'],
    ['method undefined', () => signer.sign({ ...GOOD, method: undefined }), 'invalid_request'],
    ['method a number', () => signer.sign({ ...GOOD, method: 1 }), 'invalid_request'],
    ['method not a token', () => signer.sign({ ...GOOD, method: 'GE T' }), 'invalid_request'],
    ['url undefined', () => signer.sign({ ...GOOD, url: undefined }), 'invalid_request'],
    ['url a number', () => signer.sign({ ...GOOD, url: 80 }), 'invalid_request'],
    ['url relative', () => signer.sign({ ...GOOD, url: '/x' }), 'invalid_request'],
    ['url ftp', () => signer.sign({ ...GOOD, url: 'ftp://h/x' }), 'invalid_request'],
    ['headers a number', () => signer.sign({ ...GOOD, headers: 3 }), 'invalid_request'],
    ['headers a string', () => signer.sign({ ...GOOD, headers: 'content-type: x' }), 'invalid_request'],
    ['header value an object', () => signer.sign({ ...GOOD, headers: { 'x-a': {} } }), 'invalid_request'],
    ['header pair of three', () => signer.sign({ ...GOOD, headers: [['a', 'b', 'c']] }), 'invalid_request'],
    ['header pair with a number name', () => signer.sign({ ...GOOD, headers: [[1, 'b']] }), 'invalid_request'],
    ['flat headers of odd length', () => signer.sign({ ...GOOD, headers: ['a', 'b', 'c'] }), 'invalid_request'],
    ['body a number', () => signer.sign({ ...GOOD, body: 42 }), 'invalid_request'],
    ['body a plain object', () => signer.sign({ ...GOOD, body: { a: 1 } }), 'invalid_request'],
    ['body an array of numbers', () => signer.sign({ ...GOOD, body: [1, 2, 3] }), 'invalid_request'],
    ['body a detached ArrayBuffer', () => signer.sign({ ...GOOD, body: detached('buffer') }), 'invalid_request'],
    ['body a view of a detached buffer', () => signer.sign({ ...GOOD, body: detached('view') }), 'invalid_request'],
    ['timestamp a string', () => signer.sign({ ...GOOD, timestamp: '1700000000' }), 'invalid_request'],
    ['timestamp negative', () => signer.sign({ ...GOOD, timestamp: -1 }), 'invalid_request'],
    ['timestamp fractional', () => signer.sign({ ...GOOD, timestamp: 1.5 }), 'invalid_request'],
    ['timestamp NaN', () => signer.sign({ ...GOOD, timestamp: NaN }), 'invalid_request'],
    ['timestamp Infinity', () => signer.sign({ ...GOOD, timestamp: Infinity }), 'invalid_request'],
    ['timestamp 2^53', () => signer.sign({ ...GOOD, timestamp: 2 ** 53 }), 'invalid_request'],
    ['timestamp 13 digits', () => signer.sign({ ...GOOD, timestamp: 1e12 }), 'invalid_request'],
    ['nonce a number', () => signer.sign({ ...GOOD, nonce: 1234567890123456 }), 'invalid_request'],
    ['nonce too short', () => signer.sign({ ...GOOD, nonce: 'abc' }), 'invalid_request'],
    ['nonce bad characters', () => signer.sign({ ...GOOD, nonce: 'AAAAAAAAAAAAAAAAAAAA+/' }), 'invalid_request'],
    ['signDetailed undefined', () => signer.signDetailed(undefined), 'invalid_request'],
    ['canonicalString a number', () => signer.canonicalString(9), 'invalid_request'],
  ];
  const keys = { k1: SECRET };
  const verifier = new sigwire.Verifier({ keys });
  const verifyCases = [
    ['Verifier without options', () => new sigwire.Verifier(), 'invalid_config'],
    ['Verifier without keys', () => new sigwire.Verifier({}), 'invalid_config'],
    ['Verifier keys a number', () => new sigwire.Verifier({ keys: 5 }), 'invalid_config'],
    ['Verifier secret a number', () => new sigwire.Verifier({ keys: { k: 5 } }), 'invalid_secret'],
    ['Verifier secret detached', () => new sigwire.Verifier({ keys: { k: detached('buffer') } }), 'invalid_secret'],
    ['Verifier window a string', () => new sigwire.Verifier({ keys, windowSeconds: '300' }), 'invalid_config'],
    ['Verifier window negative', () => new sigwire.Verifier({ keys, windowSeconds: -5 }), 'invalid_config'],
    ['Verifier replayStore a number', () => new sigwire.Verifier({ keys, replayStore: 1 }), 'invalid_config'],
    ['verify undefined', () => verifier.verify(), 'invalid_request'],
    ['verify a number', () => verifier.verify(12), 'invalid_request'],
    ['verify method undefined', () => verifier.verify({ url: 'https://h/' }), 'invalid_request'],
    ['verify body a number', () => verifier.verify({ method: 'GET', url: 'https://h/', body: 3 }), 'invalid_request'],
    ['verify body detached', () => verifier.verify({ method: 'GET', url: 'https://h/', body: detached('buffer') }), 'invalid_request'],
    ['verify now a string', () => verifier.verify({ method: 'GET', url: 'https://h/', headers: { authorization: 'x' } }, { now: 'x' }), 'invalid_config'],
    ['verify options a number', () => verifier.verify({ method: 'GET', url: 'https://h/' }, 5), 'invalid_config'],
    ['verify no Authorization', () => verifier.verify({ method: 'GET', url: 'https://h/' }), 'missing_authorization'],
    ['verify garbage Authorization', () => verifier.verify({ method: 'GET', url: 'https://h/', headers: { authorization: 'HMAC \u0000\uffff' } }), 'malformed_authorization'],
    ['KeyStore insert keyId a number', () => new sigwire.KeyStore().insert(1, SECRET), 'invalid_key_id'],
    ['KeyStore insert secret undefined', () => new sigwire.KeyStore().insert('k'), 'invalid_secret'],
    ['KeyStore insert notAfter a string', () => new sigwire.KeyStore().insert('k', SECRET, 'soon'), 'invalid_config'],
    ['KeyStore rotate without oldNotAfter', () => new sigwire.KeyStore().rotate('k', SECRET), 'invalid_config'],
    ['KeyStore remove a number', () => new sigwire.KeyStore().remove(3), 'invalid_key_id'],
    ['ReplayStore capacity 0', () => new sigwire.InMemoryReplayStore({ capacity: 0 }), 'invalid_config'],
    ['ReplayStore capacity a string', () => new sigwire.InMemoryReplayStore({ capacity: '5' }), 'invalid_config'],
    ['ReplayStore checkAndRecord undefined', () => new sigwire.InMemoryReplayStore().checkAndRecord(), 'invalid_config'],
    ['ReplayStore checkAndRecord NaN', () => new sigwire.InMemoryReplayStore().checkAndRecord('k', 'n', NaN, 1), 'invalid_config'],
    ['signedFetch without a Signer', () => sigwire.signedFetch({}), 'invalid_config'],
    ['signedFetch fetch a number', () => sigwire.signedFetch(signer, { fetch: 1 }), 'invalid_config'],
  ];
  return [...signerCases, ...signCases, ...verifyCases];
}

/** Runs every case; returns what each threw (for comparison by the caller). */
export function runBadInput(sigwire) {
  return badInputCases(sigwire).map(([name, fn, code]) => {
    try {
      fn();
      return { name, expect: code, thrown: null };
    } catch (e) {
      return {
        name,
        expect: code,
        thrown: {
          code: e && e.code,
          ctor: e && e.constructor && e.constructor.name,
          isSigwireError: e instanceof sigwire.SigwireError,
          isClass: sigwire.ERROR_CLASSES[code] ? e instanceof sigwire.ERROR_CLASSES[code] : false,
          httpStatus: e && e.httpStatus,
          message: String(e && e.message),
        },
      };
    }
  });
}

/** Asserts (via `assert`) that one result of runBadInput is the expected typed error. */
export function checkBadInput(assert, r) {
  assert.ok(r.thrown, `expected a ${r.expect} error, nothing was thrown`);
  assert.ok(r.thrown.isSigwireError, `expected SigwireError, got ${r.thrown.ctor}: ${r.thrown.message}`);
  assert.equal(r.thrown.code, r.expect, r.thrown.message);
  assert.ok(r.thrown.isClass, `instanceof the ${r.expect} class`);
  assert.equal(typeof r.thrown.httpStatus, 'number');
  assert.ok(!r.thrown.message.includes(SECRET), 'message must not contain the secret');
}
