// Live test of the generated TypeScript SDK (gen/examples/payments.yaml) against the example
// server, through the `sigwire` Node runtime. Environment: PAYMENTS_API_BASE_URL (…/v1),
// PAYMENTS_API_KEY_ID, PAYMENTS_API_SECRET; the built `payments-api` package installed.
// Every operation is called; signed ones must be accepted, the unsigned health check must carry
// no Authorization, listAll must walk every page and a 4xx must reject with a typed ApiError.

import assert from 'node:assert/strict';
import { Client, ApiError, MissingCredentialsError } from 'payments-api';

const BASE = process.env.PAYMENTS_API_BASE_URL;
const ORIGIN = BASE.replace(/\/v1$/, '');

async function stats() {
  const r = await fetch(`${ORIGIN}/__control/stats`);
  return r.json();
}

function ok(cond, what) {
  assert.ok(cond, what);
  console.log(`  ok  ${what}`);
}

async function rejects(promise, check, what) {
  try {
    await promise;
  } catch (e) {
    ok(check(e), what);
    return;
  }
  assert.fail(`${what}: did not reject`);
}

console.log('typescript live test against', BASE);

const keyId = process.env.PAYMENTS_API_KEY_ID;
delete process.env.PAYMENTS_API_KEY_ID;
const anonymous = new Client({ baseUrl: BASE });
ok((await anonymous.health.get()).status === 'ok', 'health (unsigned) answers without credentials');
await rejects(anonymous.payments.list({ xRequestId: 'r0' }), (e) => e instanceof MissingCredentialsError, 'a signed operation without credentials rejects with MissingCredentialsError');
process.env.PAYMENTS_API_KEY_ID = keyId;

const client = new Client();
ok(!JSON.stringify(client).includes('demo-secret'), 'toJSON carries no secret');
const before = await stats();
ok((await client.health.get()).status === 'ok', 'health via the configured client');
ok((await stats()).health_with_authorization === before.health_with_authorization, 'health carried no Authorization');

const page = await client.payments.list({ xRequestId: 'r1', limit: 3 });
ok(page.data.length === 3 && typeof page.next_cursor === 'string', 'list returns a first page of 3 with a cursor');

const created = await client.payments.create({
  xRequestId: 'r2',
  body: { amount: { amount: '12.50', currency: 'EUR' }, method: { type: 'card', last4: '4242', brand: 'visa' } },
});
ok(created.amount.amount === '12.50' && created.status === 'succeeded', 'create (signed POST, JSON body) accepted');

const got = await client.payments.get({ paymentId: created.id, xRequestId: 'r3' });
ok(got.id === created.id && got.method.type === 'card' && got.method.brand === 'visa', 'get returns the payment; the tagged union narrows');

const ids = [];
for await (const p of client.payments.listAll({ xRequestId: 'r4', limit: 3 })) ids.push(p.id);
ok(ids.includes(created.id) && new Set(ids).size === ids.length && ids.length >= 8, `listAll walked every page (${ids.length} payments)`);

const refunded = await client.payments.refund({ paymentId: created.id, xRequestId: 'r5', body: { reason: 'duplicate' } });
ok(refunded.status === 'refunded', 'refund (optional body) accepted');

await rejects(
  client.payments.refund({ paymentId: created.id, xRequestId: 'r6' }),
  (e) => e instanceof ApiError && e.status === 409 && e.body.error === 'already_refunded' && e.headers['content-type'].startsWith('application/json'),
  '409 rejects with ApiError carrying status, headers and the parsed body',
);
await rejects(client.payments.get({ paymentId: 'pay_9999', xRequestId: 'r7' }), (e) => e instanceof ApiError && e.status === 404, '404 rejects with ApiError');
await rejects(
  client.payments.create({ xRequestId: 'r8', body: { amount: { amount: '12,50', currency: 'EUR' }, method: { type: 'bank_transfer', iban: 'X' } } }),
  (e) => e instanceof ApiError && e.status === 422,
  '422 rejects with ApiError',
);

const s = await stats();
ok(s.verified >= 8 && s.health_with_authorization === 0, `server verified ${s.verified} signed requests, none on health`);
ok(s.health_calls > 0 && s.health_via_runtime === s.health_calls, `all ${s.health_calls} unsigned health calls went through the sigwire runtime ({ sign: false }), none via fetch`);
console.log('typescript live test: all checks passed');
