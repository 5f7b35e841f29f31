#!/usr/bin/env node
// Demo client: the browser SDK (sigwire-wasm, the Rust core compiled to WebAssembly) in real
// headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser download).
//
// Starts demo/browser/server.mjs on 127.0.0.1 (the page, the sigwire-wasm package, and a
// same-origin proxy to the verifying server), opens the page in a fresh Chromium profile and
// calls window.sigwireDemo(config): the page signs the fixed request offline, then sends a live
// signed request with signedFetch. Prints the page's JSON record as one line.
//
// Environment: SIGWIRE_DEMO_* (the fixed request and SIGWIRE_DEMO_LIVE_URL, whose port is the
// verifying server's; set by demo/orchestrator.py), CHROMIUM (default /usr/bin/chromium),
// SIGWIRE_WASM_PACKAGE (default ../sdk-wasm).
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startPageServer } from './browser/server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
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

const env = process.env;
const live = new URL(env.SIGWIRE_DEMO_LIVE_URL);
const config = {
  keyId: env.SIGWIRE_DEMO_KEY_ID,
  secretHex: env.SIGWIRE_DEMO_SECRET_HEX,
  algorithm: env.SIGWIRE_DEMO_ALGORITHM,
  method: env.SIGWIRE_DEMO_METHOD,
  url: env.SIGWIRE_DEMO_URL,
  contentType: env.SIGWIRE_DEMO_CONTENT_TYPE,
  body: env.SIGWIRE_DEMO_BODY,
  timestamp: Number(env.SIGWIRE_DEMO_TIMESTAMP),
  nonce: env.SIGWIRE_DEMO_NONCE,
  livePath: live.pathname + live.search,
};

let server;
let context;
let userDataDir;
let exitCode = 0;
try {
  if (!existsSync(EXECUTABLE)) throw new Error(`no Chromium at ${EXECUTABLE} (apt-get install chromium)`);
  server = await startPageServer({
    upstreamPort: Number(live.port),
    sdkDir: env.SIGWIRE_WASM_PACKAGE || path.resolve(HERE, '..', 'sdk-wasm'),
  });
  userDataDir = mkdtempSync(path.join(tmpdir(), 'sigwire-demo-chromium-'));
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: FLAGS,
    timeout: 60_000,
  });
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String((e && e.stack) || e)));
  page.setDefaultTimeout(30_000);
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => window.sigwireDemoReady === true);
  const out = await page.evaluate((c) => window.sigwireDemo(c), config);
  if (pageErrors.length) throw new Error(`page errors:\n${pageErrors.join('\n')}`);
  out.page_origin = server.origin;
  process.stdout.write(JSON.stringify(out) + '\n');
} catch (e) {
  process.stderr.write(`chromium client: ${(e && e.stack) || e}\n`);
  exitCode = 1;
} finally {
  if (context) await context.close().catch(() => {});
  if (server) await server.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
