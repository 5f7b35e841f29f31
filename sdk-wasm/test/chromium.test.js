// Real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core; no browser is
// ever downloaded): a page served from 127.0.0.1 loads the browser build, runs every shared
// vector, signedFetch against a verifying server on the same origin (the Node build's Verifier),
// the bad-input cases and a panic recovery; the results are compared here, byte for byte with the
// vectors' expected values. With SIGWIRE_BENCH=1 (the default in CI) the same page and run also
// runs the benchmark and prints the ratios.
//   CHROMIUM (default /usr/bin/chromium), SIGWIRE_BENCH (1/0), BENCH_MS (per implementation and case)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, API_KEY_ID, API_SECRET } from './server.js';
import { loadVectors, checkAll } from './lib/check.js';
import { checkBadInput } from './lib/bad-input-cases.js';

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const BENCH = process.env.SIGWIRE_BENCH !== '0';
const BENCH_MS = Number(process.env.BENCH_MS || 1500);
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let server;
let context;
let userDataDir;
let results;
const pageErrors = [];
const wasmFetched = [];

before(async () => {
  assert.ok(existsSync(EXECUTABLE), `no Chromium at ${EXECUTABLE} (apt-get install chromium)`);
  server = await startServer();
  userDataDir = mkdtempSync(path.join(tmpdir(), 'sigwire-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: FLAGS,
    timeout: 60_000,
  });
  const page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack)));
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmFetched.push(new URL(r.url()).pathname);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  const query = new URLSearchParams({ keyId: API_KEY_ID, secret: API_SECRET });
  if (BENCH) query.set('bench', '1');
  query.set('ms', String(BENCH_MS));
  page.setDefaultTimeout(10 * 60_000);
  await page.goto(`${server.origin}/test/page/index.html?${query}`);
  results = await page.evaluate(() => window.__sigwire);
}, { timeout: 10 * 60_000 });

after(async () => {
  if (context) await context.close();
  if (server) await server.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('the page ran without errors', () => {
  assert.ok(results, 'no results from the page');
  assert.equal(results.fatal, undefined, results.fatal);
  assert.match(results.userAgent, /Chrome\/\d+/);
  // Failed responses (401s of the negative fetch cases) are logged by Chromium; nothing else may be.
  const unexpected = pageErrors.filter((e) => !/status of 40[01]/.test(e));
  assert.deepEqual(unexpected, []);
});

test('a signing/verifying page loads only the main module (the Client rules module is lazy)', () => {
  assert.deepEqual(wasmFetched, ['/dist/sigwire_wasm_bg.wasm']);
  assert.equal(results.extLoaded, false);
});

test('before init(), calls throw a typed invalid_config error', () => {
  assert.equal(results.beforeInit, 'invalid_config');
});

test('shared vectors in Chromium', async (t) => {
  const files = loadVectors();
  const n = await checkAll(t, files, results.vectors);
  t.diagnostic(`${n} vectors checked in ${results.userAgent.match(/Chrome\/[\d.]+/)[0]} (${results.vectorsMs.toFixed(0)} ms in the page)`);
});

test('signedFetch from the page to the verifying server', async (t) => {
  assert.ok(results.fetch.length >= 15);
  for (const r of results.fetch) {
    await t.test(r.name, () => {
      assert.equal(r.status, r.expect.status, JSON.stringify(r.body));
      if (r.expect.error) {
        assert.deepEqual(r.body, { error: r.expect.error });
        assert.match(String(r.serverTime), /^[0-9]+$/);
      } else {
        assert.equal(r.body.keyId, API_KEY_ID);
        if (r.expect.bodyBytes !== undefined) assert.equal(r.body.bodyBytes, r.expect.bodyBytes);
        if (r.expect.contentType !== undefined) assert.equal(r.body.contentType, r.expect.contentType);
      }
    });
  }
});

test('bad input in Chromium gives typed errors', async (t) => {
  assert.ok(results.badInput.length >= 70);
  for (const r of results.badInput) await t.test(`${r.name} -> ${r.expect}`, () => checkBadInput(assert, r));
});

test('a panic in Chromium: typed error, fresh instance, signer unchanged', () => {
  assert.deepEqual(
    { code: results.recovery.thrown?.code, isSigwireError: results.recovery.thrown?.isSigwireError, traps: results.recovery.traps, sameAfter: results.recovery.sameAfter },
    { code: 'invalid_request', isSigwireError: true, traps: 1, sameAfter: true },
  );
});

test('benchmark (same page, same run)', { skip: BENCH ? false : 'SIGWIRE_BENCH=0' }, (t) => {
  const b = results.baselines;
  assert.deepEqual(b.mismatches, [], 'the pure-JS baselines must reproduce the vectors');
  assert.ok(b.checked > 80, `baselines checked on ${b.checked} vectors`);
  t.diagnostic(`baselines reproduce ${b.checked} positive vectors (${b.refused.length} refused: ${b.refused.map((r) => r.split(':')[0]).join(', ')})`);
  for (const line of results.benchText.split('\n')) t.diagnostic(line);
  assert.equal(results.bench.rows.length, 3);
});
