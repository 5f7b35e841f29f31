// Conformance adapter "wasm-chromium": the WASM SDK's browser build (sdk-wasm/src/index.js, which
// fetches and compiles dist/sigwire_wasm_bg.wasm) running inside headless Chromium.
//
// This Node driver starts Chromium once (Debian's /usr/bin/chromium, or $CHROMIUM, driven by
// playwright-core; no browser is downloaded), serves the package and _answer.mjs to the page from
// a private origin through request interception (no network, no server), and hands it the stdin
// lines in batches: whatever arrived while the previous batch ran. Each answer is computed in the
// page by the same mapping as the node and wasm-node adapters, and written in order.
//
// $SIGWIRE_WASM_PACKAGE: the sdk-wasm package directory (default: ../../../sdk-wasm).
// $SIGWIRE_PLAYWRIGHT_CORE: the playwright-core package directory (default: resolved by name from
// this file, then from the sdk-wasm package).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PKG = path.resolve(process.env.SIGWIRE_WASM_PACKAGE || path.join(HERE, '..', '..', '..', 'sdk-wasm'));
const ORIGIN = 'http://sigwire-conformance.invalid';
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

function loadPlaywright() {
  const where = process.env.SIGWIRE_PLAYWRIGHT_CORE;
  if (where) return createRequire(path.join(where, 'package.json'))('.');
  try {
    return createRequire(import.meta.url)('playwright-core');
  } catch {
    return createRequire(path.join(PKG, 'package.json'))('playwright-core');
  }
}

/** /sdk/... -> the package, /adapters/... -> this folder, / -> an empty page. */
function fileFor(pathname) {
  if (pathname === '/' || pathname === '/index.html') return null;
  const [root, base] = pathname.startsWith('/sdk/') ? ['/sdk/', PKG] : pathname.startsWith('/adapters/') ? ['/adapters/', HERE] : [];
  if (!root) return undefined;
  const file = path.resolve(base, decodeURIComponent(pathname.slice(root.length)));
  return file.startsWith(base + path.sep) ? file : undefined;
}

const { chromium } = loadPlaywright();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  timeout: 120_000,
});
let exitCode = 0;
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e && e.stack)));
  await page.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if (url.origin !== ORIGIN) return route.abort();
    const file = fileFor(url.pathname);
    if (file === null) return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>conformance</title>' });
    if (file === undefined) return route.fulfill({ status: 404, body: 'not found' });
    try {
      const body = await readFile(file);
      return route.fulfill({ status: 200, contentType: TYPES[path.extname(file)] || 'application/octet-stream', body });
    } catch {
      return route.fulfill({ status: 404, body: 'not found' });
    }
  });
  await page.goto(`${ORIGIN}/`);
  const agent = await page.evaluate(async () => {
    const sigwire = await import('/sdk/src/index.js');
    await sigwire.init();
    // The profiles live in the lazily loaded second module: loaded once here. Without it (an
    // older package, or a failed load) the profile operations answer "unsupported".
    let ext = typeof sigwire.initExt === 'function';
    if (ext) {
      try {
        await sigwire.initExt();
      } catch (e) {
        ext = false;
        console.error('wasm-chromium: initExt failed: ' + (e && e.message));
      }
    }
    const { makeAnswer } = await import('/adapters/_answer.mjs');
    const answer = makeAnswer(ext ? sigwire : { ...sigwire, profiles: undefined });
    window.__answerAll = (lines) => lines.map((line) => JSON.stringify(answer(line)));
    return navigator.userAgent;
  });
  process.stderr.write(`wasm-chromium: ${agent}\n`);

  // Batches: the lines that arrived while the previous batch was being answered.
  const queue = [];
  let wake = null;
  let ended = false;
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    queue.push(line);
    if (wake) wake();
  });
  rl.on('close', () => {
    ended = true;
    if (wake) wake();
  });
  for (;;) {
    if (queue.length === 0) {
      if (ended) break;
      await new Promise((resolve) => (wake = resolve));
      wake = null;
      continue;
    }
    let batch = [];
    let bytes = 0;
    while (queue.length && batch.length < 500 && bytes < 8_000_000) {
      bytes += queue[0].length;
      batch.push(queue.shift());
    }
    const answers = await page.evaluate((lines) => window.__answerAll(lines), batch);
    process.stdout.write(answers.join('\n') + '\n');
  }
  if (pageErrors.length) process.stderr.write(`wasm-chromium: page errors:\n${pageErrors.join('\n')}\n`);
} catch (e) {
  process.stderr.write(`wasm-chromium: ${(e && e.stack) || e}\n`);
  exitCode = 1;
} finally {
  await browser.close();
}
process.exit(exitCode);
