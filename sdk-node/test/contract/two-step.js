'use strict';
/**
 * Contract: two-step verification (issue 11 item 3), the same cases for the native package
 * (sdk-node/test/two-step.test.js) and the WebAssembly one (sdk-wasm/test/node/two-step.test.js):
 * authenticate → ticket → commit (the core's in-memory store) or settle (a store written in
 * JavaScript). The replay errors, their messages and server time come from the core: settling
 * 'replayed' gives exactly the one-step path's error.
 *
 * @param {{sigwire: any, test: Function, assert: any, bodyAlgorithm?: boolean}} env the package
 *   under test and node:test; `bodyAlgorithm: false` for a back end whose precheck does not report
 *   the body algorithm (the browser's main module: no room in its size budget), which must then be null
 */
module.exports = function twoStepContract({ sigwire, test, assert, bodyAlgorithm = true }) {
  const SECRET = 'two-step-secret-0123456789abcdef';
  const NOW = 1_700_000_000;
  const signer = new sigwire.Signer({ keyId: 'k1', secret: SECRET });

  function request(nonce, timestamp = NOW) {
    const url = 'https://api.example.com/v1/orders';
    const { Authorization } = signer.sign({ method: 'GET', url, timestamp, nonce });
    return { method: 'GET', url, headers: { authorization: Authorization } };
  }

  test('authenticate returns a ticket; commit claims it in the in-memory store once', () => {
    const v = new sigwire.Verifier({ keys: { k1: SECRET }, windowSeconds: 60 });
    const r = request('AAAAAAAAAAAAAAAAAAAAAA');
    const ticket = v.authenticate(r, { now: NOW + 5 });
    assert.ok(ticket instanceof sigwire.ReplayTicket);
    assert.deepEqual(
      { keyId: ticket.keyId, scheme: ticket.scheme, nonce: ticket.nonce, timestamp: ticket.timestamp, expiresAt: ticket.expiresAt, authenticatedAt: ticket.authenticatedAt },
      { keyId: 'k1', scheme: 'sigwire-v1', nonce: 'AAAAAAAAAAAAAAAAAAAAAA', timestamp: NOW, expiresAt: NOW + 60, authenticatedAt: NOW + 5 },
    );
    assert.deepEqual(v.commit(ticket), { keyId: 'k1', scheme: 'sigwire-v1', timestamp: NOW });
    assert.throws(() => v.commit(ticket), sigwire.InvalidConfigError, 'a ticket settles once');
    // Claimed in the same store as one-step verify.
    assert.throws(() => v.verify(r, { now: NOW + 5 }), sigwire.ReplayedNonceError);
    // Authentication failures never produce a ticket.
    assert.throws(() => v.authenticate({ ...r, url: 'https://api.example.com/other' }, { now: NOW }), sigwire.SignatureMismatchError);
  });

  test('settle: the outcome of your store, the core error and message', () => {
    const v = new sigwire.Verifier({ keys: { k1: SECRET }, windowSeconds: 60, replayStore: { claim: () => 'fresh' } });
    const oneStep = new sigwire.Verifier({ keys: { k1: SECRET }, windowSeconds: 60 });
    const r = request('BBBBBBBBBBBBBBBBBBBBBB');
    oneStep.verify(r, { now: NOW });
    const fromCore = (() => {
      try {
        oneStep.verify(r, { now: NOW });
      } catch (e) {
        return e;
      }
    })();
    const replayed = (() => {
      try {
        v.settle(v.authenticate(r, { now: NOW }), 'replayed');
      } catch (e) {
        return e;
      }
    })();
    assert.ok(replayed instanceof sigwire.ReplayedNonceError);
    assert.equal(replayed.message, fromCore.message, 'the message is the core\'s, not a copy');
    assert.equal(replayed.serverTime, NOW);
    assert.deepEqual(v.settle(v.authenticate(r, { now: NOW }), true).keyId, 'k1');
    assert.throws(() => v.settle(v.authenticate(r, { now: NOW }), false), sigwire.ReplayedNonceError);
    assert.throws(() => v.settle(v.authenticate(r, { now: NOW }), 'unavailable'), sigwire.ReplayStoreUnavailableError);
    assert.throws(() => v.settle(v.authenticate(r, { now: NOW }), 'yes'), sigwire.ReplayStoreUnavailableError, 'an unknown answer never accepts');
    assert.throws(() => v.settle(v.authenticate(r, { now: NOW }), 'before_epoch'), (e) => e instanceof sigwire.StaleTimestampError && e.serverTime === NOW);
    assert.throws(() => v.settle({ keyId: 'k1', nonce: 'x' }, 'fresh'), sigwire.InvalidConfigError, 'only real tickets');
  });

  test('a ticket store (claim) drives verifyAsync', async () => {
    const seen = new Set();
    const claims = [];
    const store = {
      async claim(ticket) {
        claims.push(ticket);
        if (seen.has(ticket.nonce)) return 'replayed';
        seen.add(ticket.nonce);
        return 'fresh';
      },
    };
    const v = new sigwire.Verifier({ keys: { k1: SECRET }, windowSeconds: 60, replayStore: store });
    const r = request('CCCCCCCCCCCCCCCCCCCCCC');
    assert.equal((await v.verifyAsync(r, { now: NOW })).keyId, 'k1');
    await assert.rejects(v.verifyAsync(r, { now: NOW }), sigwire.ReplayedNonceError);
    assert.equal(claims[0].expiresAt, NOW + 60);
    assert.throws(() => v.verify(r, { now: NOW }), sigwire.InvalidConfigError, 'an async store needs verifyAsync');
    const down = new sigwire.Verifier({ keys: { k1: SECRET }, replayStore: { claim: async () => { throw new Error('redis down'); } } });
    await assert.rejects(down.verifyAsync(r, { now: NOW }), (e) => e instanceof sigwire.ReplayStoreUnavailableError && e.cause.message === 'redis down');
  });

  test('precheck answers from the head alone', () => {
    const v = new sigwire.Verifier({ keys: { k1: SECRET }, windowSeconds: 60 });
    const r = request('DDDDDDDDDDDDDDDDDDDDDD');
    assert.deepEqual(
      v.precheck({ method: 'POST', url: r.url, headers: r.headers }, { now: NOW }),
      { keyId: 'k1', scheme: 'sigwire-v1', timestamp: NOW, bodyAlgorithm: bodyAlgorithm ? 'hmac-sha256' : null },
      'the body and its signature are not checked',
    );
    // The body algorithm is the core's reading of Authorization, in any layout it accepts.
    const sha512 = new sigwire.Signer({ keyId: 'k1', secret: SECRET, algorithm: 'hmac-sha512' });
    const auth = sha512.sign({ method: 'POST', url: r.url, body: 'x', timestamp: NOW }).Authorization;
    const shuffled = 'HMAC  ' + auth.slice('HMAC '.length).split(', ').reverse().join(' ,\t');
    assert.notEqual(shuffled, auth);
    assert.equal(v.precheck({ method: 'POST', url: r.url, headers: { authorization: shuffled } }, { now: NOW }).bodyAlgorithm, bodyAlgorithm ? 'hmac-sha512' : null);
    assert.throws(() => v.precheck({ method: 'GET', url: r.url }, { now: NOW }), sigwire.MissingAuthorizationError);
    assert.throws(() => v.precheck(r, { now: NOW + 3600 }), sigwire.StaleTimestampError);
    const stranger = new sigwire.Signer({ keyId: 'nobody', secret: SECRET }).sign({ method: 'GET', url: r.url, timestamp: NOW }).Authorization;
    assert.throws(() => v.precheck({ method: 'GET', url: r.url, headers: { authorization: stranger } }, { now: NOW }), sigwire.UnknownKeyError);
    // Nothing was recorded.
    assert.equal(v.verify(r, { now: NOW }), 'k1');
  });
};
