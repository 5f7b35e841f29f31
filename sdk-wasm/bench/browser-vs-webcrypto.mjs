// scripts/bench section "browser" (scripts/bench.d/browser.sh runs this): in headless Chromium,
// sigwire-wasm's Signer.sign of two typical requests vs WebCrypto doing the bare work of the same
// bytes — SHA-256 digest of the body + HMAC-SHA256 over the exact canonical string the SDK signs
// (crypto.subtle, async, the key imported once). Each figure is the best of 7 rounds alternating
// the two, each round ~300 ms of back-to-back operations; prints ROW lines (see scripts/bench).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../test/server.js';

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const server = await startServer();
const dir = mkdtempSync(path.join(tmpdir(), 'sigwire-bench-'));
let context;
try {
  context = await chromium.launchPersistentContext(dir, { executablePath: EXECUTABLE, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'], timeout: 60_000 });
  const page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(300_000);
  await page.goto(`${server.origin}/test/page/blank.html`);
  const rows = await page.evaluate(async () => {
    const sw = await import('/src/index.js');
    await sw.init();
    const secret = 'bench-secret-0123456789abcdef0123';
    const signer = new sw.Signer({ keyId: 'client-1', secret });
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const body = new TextEncoder().encode('{"data":"' + 'x'.repeat(1024 - 11) + '"}');
    const cases = {
      'GET, 3 query params': { method: 'GET', url: 'https://api.example.com/v1/orders?limit=10&offset=20&sort=desc', headers: { accept: 'application/json' } },
      'POST, 1 KiB JSON': { method: 'POST', url: 'https://api.example.com/v1/payments', headers: { 'content-type': 'application/json' }, body },
    };
    // The wasm signer is synchronous: called without await (an await would add a microtask per op).
    const slice = async (fn, ms, sync) => {
      let n = 0;
      const start = performance.now();
      let now = start;
      while (now - start < ms) {
        if (sync) for (let i = 0; i < 20; i++) fn();
        else for (let i = 0; i < 20; i++) await fn();
        n += 20;
        now = performance.now();
      }
      return ((now - start) * 1000) / n; // µs per operation
    };
    const out = [];
    for (const [name, req] of Object.entries(cases)) {
      const canonical = new TextEncoder().encode(signer.signDetailed(req).canonicalString);
      const bytes = req.body || new Uint8Array(0);
      const wasm = () => signer.sign(req);
      const webcrypto = async () => {
        await crypto.subtle.digest('SHA-256', bytes);
        await crypto.subtle.sign('HMAC', key, canonical);
      };
      for (let i = 0; i < 500; i++) await webcrypto(), wasm();
      let a = Infinity;
      let b = Infinity;
      for (let r = 0; r < 7; r++) {
        a = Math.min(a, await slice(wasm, 300, true));
        b = Math.min(b, await slice(webcrypto, 300));
      }
      out.push([name, a, b]);
    }
    return { rows: out, ua: navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] };
  });
  console.error(`browser: ${rows.ua}`);
  for (const [name, a, b] of rows.rows) {
    console.log(['ROW', 'browser', `wasm Signer.sign ${name} vs WebCrypto SHA-256 + HMAC-SHA256 (${rows.ua})`, `${a.toFixed(2)} µs`, `${b.toFixed(2)} µs`, `${(a / b).toFixed(2)}x`, '-'].join('\t'));
  }
} finally {
  if (context) await context.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
