// The Chromium driver of the client-behaviour suite: the browser Client (sdk-wasm, its ES module
// build, on fetch) in a page of real headless Chromium (Debian's /usr/bin/chromium through
// playwright-core from sdk-wasm's dev dependencies). Runs one scenario with a fresh browser and
// client, prints one JSON line.
//   node chromium.mjs <scenarios.json> <origin URL> <scenario name>
// The page is served from a third origin (a static server here on 127.0.0.1, another port), so the
// calls to the scenario server are cross-origin, as a web app's calls to its API: they go through
// CORS (the scenario server allows them; its preflights are not client attempts and are not
// recorded). What the browser does is what is reported: nothing here follows a redirect or strips
// a header for the page.
import http from 'node:http';
import path from 'node:path';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PKG = path.resolve(here, '..', '..', '..', 'sdk-wasm');
const require = createRequire(import.meta.url);
const { scenario } = require('./js-driver.js');
const { chromium } = createRequire(path.join(PKG, 'package.json'))('playwright-core');
const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves sdk-wasm's src/ and dist/ and an empty page on 127.0.0.1 (the page's origin). */
function startStatic() {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>behaviour</title>');
    const file = path.join(PKG, path.normalize(url.pathname));
    if (!(url.pathname.startsWith('/src/') || url.pathname.startsWith('/dist/')) || !file.startsWith(PKG + path.sep)) return res.writeHead(404).end();
    try {
      const data = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' }).end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const s = scenario();
const site = await startStatic();
const dataDir = await mkdtemp(path.join(tmpdir(), 'sigwire-behaviour-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(dataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
  const page = context.pages()[0] || (await context.newPage());
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
  const out = await page.evaluate(async (sc) => {
    const sw = await import('/src/index.js');
    await sw.init();
    const client = new sw.Client(sc.options);
    try {
      const r = await client.request(sc.method, sc.path, sc.call);
      return { name: sc.name, ok: true, status: r.status, kind: null };
    } catch (e) {
      if (!(e instanceof sw.SigwireError)) return { name: sc.name, ok: false, kind: 'not_a_sigwire_error', status: null, code: String(e) };
      return { name: sc.name, ok: false, kind: e.kind ?? null, status: e.status ?? (e.httpStatus || null), code: e.code ?? null };
    }
  }, s);
  console.log(JSON.stringify(out));
} finally {
  if (context) await context.close();
  await new Promise((r) => site.close(r));
  await rm(dataDir, { recursive: true, force: true });
}
