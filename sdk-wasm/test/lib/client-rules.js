// The browser Client's rules that must match the Rust client (sigwire-client), as scenarios on a
// stub `fetch`: each takes the package module and returns plain data, so the same code runs in
// Node (test/node/client-rules.test.js) and in Chromium (test/chromium-client.test.js), and both
// check the same expectations (EXPECTED below). Issue 11 item 1; issue 12 items 5 and 6.

const BASE = 'https://api.test';

/** A fetch that answers from `script` (one entry per call) and records what was sent. */
function stub(script, seen) {
  return async (url, init) => {
    const headers = {};
    new Headers(init.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const body = init.body === undefined ? 0 : new Uint8Array(init.body).length;
    seen.push({ url: String(url), method: init.method, headers, body, redirect: init.redirect });
    const next = script.length > 1 ? script.shift() : script[0];
    const h = typeof next.headers === 'function' ? next.headers() : next.headers || {};
    return new Response(next.status === 204 || next.status >= 300 && next.status < 400 ? null : next.body ?? '{}', { status: next.status, headers: h });
  };
}

const signedHeadersOf = (auth) => (auth && /signedHeaders="([^"]*)"/.exec(auth)[1]) || null;

async function settle(promise) {
  try {
    const r = await promise;
    return { status: r.status, attempts: r.attempts };
  } catch (e) {
    return { error: e.name, code: e.code, kind: e.kind, status: e.status ?? e.httpStatus, attempts: e.attempts };
  }
}

function client(sw, script, seen, extra = {}) {
  return new sw.Client({
    baseUrl: BASE,
    keyId: 'k1',
    secret: '0123456789abcdef0123456789abcdef',
    fetch: stub(script, seen),
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 },
    ...extra,
  });
}

export const SCENARIOS = {
  /** Idempotency-Key is signed, given or generated (the Rust client signs it). */
  async idempotencyKeySigned(sw) {
    const seen = [];
    const c = client(sw, [{ status: 200 }], seen);
    await c.post('/p', { body: 'x', idempotencyKey: 'k-1' });
    await c.post('/p', { json: { a: 1 } });
    await c.get('/g');
    return seen.map((s) => signedHeadersOf(s.headers.authorization));
  },

  /** Any status >= 400 with a known code is a rejection, server time header or not. */
  async rejectionOnAnyStatus(sw) {
    const out = [];
    for (const [status, body] of [[403, '{"error":"signature_mismatch"}'], [400, '{"error":"invalid_request"}'], [500, '{"error":"not_a_code"}'], [404, 'nope']]) {
      const seen = [];
      out.push(await settle(client(sw, [{ status, body, headers: { 'content-type': 'application/json' } }], seen, { retry: { maxAttempts: 1 } }).get('/x')));
    }
    return out.map((r) => [r.error, r.code, r.kind]);
  },

  /** An HTTP-date Retry-After is measured against the response's Date, not the local clock. */
  async retryAfterDateAgainstDate(sw) {
    const out = [];
    for (const skewMs of [-3_600_000, 3_600_000]) {
      const server = Math.floor((Date.now() + skewMs) / 1000) * 1000;
      const headers = { date: new Date(server).toUTCString(), 'retry-after': new Date(server + 1000).toUTCString() };
      const seen = [];
      const t = Date.now();
      const r = await settle(client(sw, [{ status: 503, headers }, { status: 200 }], seen, { timeouts: { totalMs: 10_000 } }).get('/ra'));
      out.push({ attempts: r.attempts, elapsed: Date.now() - t });
    }
    return out;
  },

  /** Out of time for the next attempt: the last response is the result (503 here), as in Rust. */
  async outOfTimeReturnsTheLast(sw) {
    const seen = [];
    const t = Date.now();
    const r = await settle(client(sw, [{ status: 503, headers: { 'retry-after': '10' } }], seen, { timeouts: { totalMs: 500 } }).get('/slow'));
    return { ...r, elapsed: Date.now() - t, sent: seen.length };
  },

  /** Query values are escaped like the Rust client: every byte but A-Z a-z 0-9 - . _ ~. */
  async queryEncoding(sw) {
    const seen = [];
    await client(sw, [{ status: 200 }], seen).get('/s?a=1', { query: [['q', 'a b+c'], ['é', '~/'], ['x', "it's (a)*!"]] });
    return seen[0].url;
  },

  /** A change of origin drops credentials and body; a chain that left is never signed again. */
  async redirectPolicy(sw) {
    const seen = [];
    const script = [
      { status: 307, headers: { location: 'https://other.test/landing' } },
      { status: 307, headers: { location: `${BASE}/admin/delete?confirm=yes` } },
      { status: 200 },
    ];
    const c = client(sw, script, seen, { sensitiveHeaders: ['X-Tenant-Secret'], retry: { maxAttempts: 1 } });
    await c.post('/orders', {
      body: 'payload',
      headers: { cookie: 's=1', 'x-api-key': 'k', 'proxy-authorization': 'p', 'x-auth-token': 't', 'x-tenant-secret': 'm', accept: 'application/json', 'content-type': 'text/plain' },
    });
    const sameSeen = [];
    await client(sw, [{ status: 308, headers: { location: '/new' } }, { status: 200 }], sameSeen).put('/old', { body: 'b', headers: { cookie: 's=1' } });
    const unsignedSeen = [];
    await client(sw, [{ status: 200 }], unsignedSeen).get('/public', { sign: false });
    const view = (s) => ({ url: s.url, method: s.method, body: s.body, names: Object.keys(s.headers).sort() });
    return { chain: seen.map(view), same: sameSeen.map(view), unsigned: unsignedSeen.map(view) };
  },
};

const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization', 'x-api-key', 'x-auth-token', 'x-tenant-secret'];

/** Checks a scenario's result; `assert` is node:assert/strict. */
export const EXPECTED = {
  idempotencyKeySigned(assert, v) {
    assert.deepEqual(v, ['host;idempotency-key', 'host;content-type;idempotency-key', 'host']);
  },
  rejectionOnAnyStatus(assert, v) {
    assert.deepEqual(v, [
      ['SignatureMismatchError', 'signature_mismatch', 'signature_rejected'],
      ['InvalidRequestError', 'invalid_request', 'signature_rejected'],
      ['HttpStatusError', 'http_status', 'http_status'],
      ['HttpStatusError', 'http_status', 'http_status'],
    ]);
  },
  retryAfterDateAgainstDate(assert, v) {
    for (const r of v) {
      assert.equal(r.attempts, 2);
      assert.ok(r.elapsed >= 900 && r.elapsed < 2500, `waited ${r.elapsed} ms, the Date-relative 1 s`);
    }
  },
  outOfTimeReturnsTheLast(assert, v) {
    assert.deepEqual([v.error, v.status, v.attempts, v.sent], ['HttpStatusError', 503, 1, 1]);
    assert.ok(v.elapsed < 400, `answered at once (${v.elapsed} ms)`);
  },
  queryEncoding(assert, v) {
    assert.equal(v, `${BASE}/s?a=1&q=a%20b%2Bc&%C3%A9=~%2F&x=it%27s%20%28a%29%2A%21`);
  },
  redirectPolicy(assert, v) {
    const [first, foreign, back] = v.chain;
    assert.ok(first.names.includes('authorization') && first.names.includes('cookie') && first.body > 0);
    for (const hop of [foreign, back]) {
      for (const name of [...CREDENTIALS, 'content-type']) assert.ok(!hop.names.includes(name), `${name} sent to ${hop.url}`);
      assert.equal(hop.body, 0);
      assert.equal(hop.method, 'POST');
      assert.ok(hop.names.includes('accept'));
    }
    assert.equal(back.url, `${BASE}/admin/delete?confirm=yes`, 'back at the origin: sent, but unsigned');
    const [old, moved] = v.same;
    assert.ok(old.names.includes('authorization') && moved.names.includes('authorization') && moved.names.includes('cookie'));
    assert.equal(moved.body, 1, 'a same-origin 308 keeps the body and is signed again');
    assert.ok(!v.unsigned[0].names.includes('authorization'));
  },
};
