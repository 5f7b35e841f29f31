// The browser Client with signedHeaderPolicy 'all-end-to-end' (issue 12 item 11): the header it
// sets, X-HTTP-Method-Override, is signed, so a verifier requiring it accepts the request; the
// default client's request is refused with unsigned_header.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';

const SECRET = 'client-headers-secret-0123456789';

/** A fetch that verifies what the Client sends, as a server would, and answers. */
function verifyingFetch(verifier) {
  return async (url, init) => {
    const body = init.body === undefined ? undefined : new Uint8Array(await new Response(init.body).arrayBuffer());
    try {
      const keyId = verifier.verify({ method: init.method, url, headers: init.headers, body });
      return new Response(JSON.stringify({ keyId }), { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (e) {
      return new Response(JSON.stringify(e.toJSON()), { status: e.httpStatus, headers: { 'content-type': 'application/json', [sigwire.SERVER_TIME_HEADER]: String(e.serverTime) } });
    }
  };
}

test('Client signedHeaderPolicy: all-end-to-end signs the headers it sends', async () => {
  const verifier = new sigwire.Verifier({ keys: { k1: SECRET }, requireSignedHeaders: ['x-http-method-override'] });
  const fetch = verifyingFetch(verifier);
  const headers = { 'x-http-method-override': 'PATCH' };
  const all = new sigwire.Client({ baseUrl: 'https://api.example.com', keyId: 'k1', secret: SECRET, signedHeaderPolicy: 'all-end-to-end', fetch, retry: { maxAttempts: 1 } });
  const ok = await all.post('/pay', { json: { amount: 1 }, headers });
  assert.equal(ok.status, 200);
  const listed = new sigwire.Client({ baseUrl: 'https://api.example.com', keyId: 'k1', secret: SECRET, fetch, retry: { maxAttempts: 1 } });
  await assert.rejects(listed.post('/pay', { json: { amount: 1 }, headers }), (e) => e.code === 'unsigned_header' && e instanceof sigwire.UnsignedHeaderError);
  assert.throws(() => new sigwire.Client({ baseUrl: 'https://api.example.com', keyId: 'k1', secret: SECRET, signedHeaderPolicy: 'everything', fetch }), sigwire.InvalidConfigError);
});
