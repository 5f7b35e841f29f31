/**
 * signedFetch against the local verifying server (test/server.js), environment-neutral: run by
 * the Node tests with Node's fetch and by the Chromium test page with the browser's fetch.
 * Returns one record per case: what was expected and what the server answered.
 */

export async function runFetchCases(sigwire, origin, { keyId, secret }) {
  const signer = new sigwire.Signer({ keyId, secret });
  const signed = sigwire.signedFetch(signer);
  const results = [];

  async function record(name, expect, responsePromise) {
    try {
      const r = await responsePromise;
      const text = await r.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      results.push({ name, expect, status: r.status, body, serverTime: r.headers.get('x-sigwire-server-time') });
    } catch (e) {
      results.push({ name, expect, status: -1, body: { thrown: String(e && e.stack) } });
    }
  }

  const allBytes = new Uint8Array(256).map((_, i) => i);
  const json = JSON.stringify({ amount: '100.00', currency: 'EUR', note: 'café ✓' });

  await record('GET with query params', { status: 200 }, signed(`${origin}/api/v1/orders?sort=desc&limit=10&offset=20`));
  await record('GET with a URL object', { status: 200 }, signed(new URL(`${origin}/api/v1/orders?b=2&a=1`)));
  await record('POST JSON string', { status: 200, bodyBytes: new TextEncoder().encode(json).length, contentType: 'application/json' },
    signed(`${origin}/api/v1/payments`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json }));
  await record('POST string without Content-Type (fetch adds text/plain)', { status: 200, contentType: 'text/plain;charset=UTF-8' },
    signed(`${origin}/api/v1/notes`, { method: 'POST', body: 'plain text' }));
  await record('PUT Uint8Array, all 256 byte values', { status: 200, bodyBytes: 256 },
    signed(`${origin}/api/v1/blob`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: allBytes }));
  await record('POST ArrayBuffer', { status: 200, bodyBytes: 256 },
    signed(`${origin}/api/v1/blob`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: allBytes.slice().buffer }));
  await record('POST URLSearchParams (fetch adds the form Content-Type)', { status: 200, contentType: 'application/x-www-form-urlencoded;charset=UTF-8' },
    signed(`${origin}/api/v1/form`, { method: 'POST', body: new URLSearchParams({ a: '1', b: 'x y&z' }) }));
  await record('PATCH from a Request object', { status: 200 },
    signed(new Request(`${origin}/api/v1/req?x=1`, { method: 'PATCH', headers: { 'content-type': 'text/plain' }, body: 'patch' })));
  await record('DELETE without a body', { status: 200, bodyBytes: 0 }, signed(`${origin}/api/v1/items/7`, { method: 'DELETE' }));
  await record('non-ASCII path and query (fetch percent-encodes them)', { status: 200 },
    signed(`${origin}/api/caf\u00e9/\u00fc?q=\u00fc&z=%7e&e=`));
  await record('extra signed header', { status: 200 },
    sigwire.signedFetch(new sigwire.Signer({ keyId, secret, signedHeaders: ['x-request-id'] }))(`${origin}/api/v1/h`, {
      method: 'POST', headers: { 'X-Request-Id': 'req-1', 'content-type': 'text/plain' }, body: 'h',
    }));

  // Failures the server must catch.
  const tamper = sigwire.signedFetch(signer, { fetch: (url, init) => fetch(url, { ...init, body: 'tampered' }) });
  await record('body changed after signing', { status: 401, error: 'signature_mismatch' },
    tamper(`${origin}/api/v1/t`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'original' }));
  let captured;
  const capture = sigwire.signedFetch(signer, { fetch: (url, init) => { captured = { url, init }; return fetch(url, init); } });
  await record('first send', { status: 200 }, capture(`${origin}/api/v1/once`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'once' }));
  await record('the same signed request again (replay)', { status: 401, error: 'replayed_nonce' }, fetch(captured.url, captured.init));
  await record('unsigned request', { status: 401, error: 'missing_authorization' }, fetch(`${origin}/api/v1/orders`));
  const wrong = sigwire.signedFetch(new sigwire.Signer({ keyId, secret: 'not-the-right-secret-0123456789' }));
  await record('wrong secret', { status: 401, error: 'signature_mismatch' }, wrong(`${origin}/api/v1/orders`));
  const unknown = sigwire.signedFetch(new sigwire.Signer({ keyId: 'nobody', secret }));
  await record('unknown key id', { status: 401, error: 'unknown_key' }, unknown(`${origin}/api/v1/orders`));
  return results;
}
