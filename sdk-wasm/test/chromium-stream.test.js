// Streamed bodies in real headless Chromium (issue 17): an 8 MiB Blob and a 6 MiB ReadableStream
// (64 KiB chunks) are hashed chunk by chunk in WebAssembly by StreamSigner, sent with fetch to the
// test server (test/server.js), which verifies each against the bytes it received. The page also
// reports its JS heap after hashing a 32 MiB Blob (the body is never copied whole into memory),
// and signs Binance's documented example with the profiles, which share the second module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, API_KEY_ID, API_SECRET } from './server.js';

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info', '--js-flags=--expose-gc'];

let server;
let context;
let userDataDir;
let results;

before(async () => {
  server = await startServer();
  userDataDir = mkdtempSync(path.join(tmpdir(), 'sigwire-chromium-stream-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: EXECUTABLE, headless: true, args: FLAGS, timeout: 60_000 });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(120_000);
  await page.goto(`${server.origin}/test/page/blank.html`);
  results = await page.evaluate(async ({ keyId, secret }) => {
    const sw = await import('/src/index.js');
    await sw.init();
    const signer = new sw.StreamSigner({ keyId, secret });
    const fill = (n, seed) => {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = (i * 131 + seed) & 0xff;
      return b;
    };
    async function send(body, label) {
      const url = `${location.origin}/api/upload?kind=${label}`;
      const s = await signer.sign({ method: 'PUT', url, headers: [['Content-Type', 'application/octet-stream']], body });
      const res = await fetch(url, { method: 'PUT', headers: s.headers, body: s.body });
      return { status: res.status, json: await res.json(), size: s.digest.size };
    }
    const out = {};
    out.blob = await send(new Blob([fill(8 * 1024 * 1024, 1)]), 'blob');
    const data = fill(6 * 1024 * 1024, 2);
    let at = 0;
    const stream = new ReadableStream({
      pull(c) {
        if (at >= data.length) return c.close();
        c.enqueue(data.slice(at, at + 65_536));
        at += 65_536;
      },
    });
    out.stream = await send(stream, 'stream');
    // A tampered body: signed for one Blob, another sent.
    const s = await signer.sign({ method: 'PUT', url: `${location.origin}/api/upload?kind=tampered`, body: new Blob([fill(1 << 20, 3)]) });
    const res = await fetch(`${location.origin}/api/upload?kind=tampered`, { method: 'PUT', headers: s.headers, body: new Blob([fill((1 << 20) - 1, 3)]) });
    out.tampered = { status: res.status, json: await res.json() };
    // Memory: hash a 32 MiB Blob built from one 1 MiB part; the heap must not grow by the body.
    const part = fill(1 << 20, 4);
    const big = new Blob(Array.from({ length: 32 }, () => part));
    // (garbage collected before each reading, after a turn of the event loop: read chunks are
    // garbage, not held). A first, unmeasured pass pays the one-time costs (the stream reader's
    // buffers, JIT, the wasm memory's growth) so the measured pass shows what the body costs.
    const heap = async () => {
      await new Promise((r) => setTimeout(r, 0));
      if (globalThis.gc) gc();
      return performance.memory ? performance.memory.usedJSHeapSize : null;
    };
    await sw.hashBody(big);
    const before = await heap();
    const d = await sw.hashBody(big);
    const after = await heap();
    out.memory = { size: d.digest.size, grewBytes: before === null ? null : after - before };
    // The profiles run on the same (second) module: Binance's documented example 1.
    const b = new sw.profiles.Binance('vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A', 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j');
    out.binance = b.sign({ method: 'POST', url: 'https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1', timestampMs: 1_499_827_319_559 }).url;
    return out;
  }, { keyId: API_KEY_ID, secret: API_SECRET });
}, { timeout: 180_000 });

after(async () => {
  if (context) await context.close();
  if (server) await server.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
});

test('an 8 MiB Blob signed as it streams verifies at the server', () => {
  assert.equal(results.blob.status, 200, JSON.stringify(results.blob.json));
  assert.equal(results.blob.json.bodyBytes, 8 * 1024 * 1024);
  assert.equal(results.blob.size, 8 * 1024 * 1024);
});

test('a 6 MiB ReadableStream, hashed while spooled, verifies at the server', () => {
  assert.equal(results.stream.status, 200, JSON.stringify(results.stream.json));
  assert.equal(results.stream.json.bodyBytes, 6 * 1024 * 1024);
});

test('another body than the one signed is refused', () => {
  assert.equal(results.tampered.status, 401);
  assert.equal(results.tampered.json.error, 'signature_mismatch');
});

test('profiles in Chromium: Binance documented example 1', () => {
  assert.ok(results.binance.endsWith('&recvWindow=5000&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71'), results.binance);
});

test('hashing a 32 MiB Blob does not hold it in the JS heap', () => {
  assert.equal(results.memory.size, 32 * 1024 * 1024);
  if (results.memory.grewBytes !== null) {
    console.log(`# JS heap growth while hashing 32 MiB: ${(results.memory.grewBytes / 1048576).toFixed(1)} MiB`);
    assert.ok(results.memory.grewBytes < 16 * 1024 * 1024, `heap grew ${results.memory.grewBytes} bytes`);
  }
});
