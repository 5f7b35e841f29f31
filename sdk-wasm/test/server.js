/**
 * A tiny HTTP server on 127.0.0.1 for the browser test: it serves the test page, the package
 * (src/, dist/), the benchmark, @noble/hashes (benchmark baseline) and the shared vectors, and
 * verifies signed requests under /api/ with the Node-loadable build's Verifier, all from one
 * origin.
 *
 *   node test/server.js            serves on a free port and prints the page URL (manual runs)
 */
import http from 'node:http';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as sigwire from '../src/node.js';
import { VECTORS_DIR } from './lib/check.js';

const PKG = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Key the test page signs with (a test-only secret). */
export const API_KEY_ID = 'browser-test-key';
export const API_SECRET = 'browser-test-secret-0123456789abcdef';

const STATIC_PREFIXES = ['/src/', '/dist/', '/test/', '/bench/', '/node_modules/@noble/hashes/'];
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html', '.json': 'application/json' };

function send(res, status, body, headers = {}) {
  const data = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  res.writeHead(status, { 'cache-control': 'no-store', 'content-length': Buffer.byteLength(data), ...headers });
  res.end(data);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Starts the server. Returns `{ origin, verifier, close() }`.
 * @param {{ windowSeconds?: number }} [options]
 */
export async function startServer(options = {}) {
  const verifier = new sigwire.Verifier({ keys: { [API_KEY_ID]: API_SECRET }, windowSeconds: options.windowSeconds ?? 300 });
  const server = http.createServer(async (req, res) => {
    try {
      const { pathname } = new URL(req.url, 'http://127.0.0.1');
      if (pathname.startsWith('/api/')) {
        const body = await readBody(req);
        const url = `http://${req.headers.host}${req.url}`;
        try {
          const v = verifier.verifyDetailed({ method: req.method, url, headers: req.rawHeaders, body });
          send(res, 200, { ok: true, keyId: v.keyId, method: req.method, url, bodyBytes: body.length, contentType: req.headers['content-type'] ?? null }, { 'content-type': 'application/json' });
        } catch (e) {
          if (!(e instanceof sigwire.SigwireError)) throw e;
          send(res, e.httpStatus, e.toJSON(), { 'content-type': 'application/json', [sigwire.SERVER_TIME_HEADER]: String(e.serverTime ?? verifier.now()) });
        }
        return;
      }
      if (pathname === '/favicon.ico') return send(res, 204, '');
      if (pathname === '/vectors/') {
        const files = (await readdir(VECTORS_DIR)).filter((f) => f.endsWith('.json')).sort();
        return send(res, 200, files, { 'content-type': 'application/json' });
      }
      let file;
      if (pathname.startsWith('/vectors/')) {
        file = path.join(VECTORS_DIR, path.basename(pathname));
      } else if (STATIC_PREFIXES.some((p) => pathname.startsWith(p)) && !pathname.includes('..')) {
        file = path.join(PKG, pathname);
      } else if (pathname === '/' || pathname === '/index.html') {
        file = path.join(PKG, 'test/page/index.html');
      } else {
        return send(res, 404, 'not found');
      }
      const data = await readFile(file).catch(() => null);
      if (!data) return send(res, 404, 'not found');
      send(res, 200, data, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    } catch (e) {
      send(res, 500, String(e && e.stack));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    verifier,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await startServer();
  console.log(`test page: ${s.origin}/  (add ?bench=1 for the benchmark)`);
}
