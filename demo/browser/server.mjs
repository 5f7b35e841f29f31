// The demo page's origin: a tiny HTTP server on 127.0.0.1 (Node standard library only).
//
//   /             demo/browser/index.html
//   /page.js      demo/browser/page.js
//   /sdk/...      the sigwire-wasm package folder (src/*.js, dist/glue.js, dist/common/*.js — the shared
//                 JavaScript source's ESM copy — and dist/*.wasm as application/wasm)
//   /v1/...       forwarded byte for byte to the verifying server (sigwire-server), Host header
//                 included: the server rebuilds the URL the page signed (this origin + path), so the
//                 page needs no CORS (the reference server sends no CORS headers)
//
// Usable as a module (startPageServer) or on its own:
//   node demo/browser/server.mjs UPSTREAM_PORT [SDK_WASM_DIR]   prints the origin, serves until killed
import { createServer, request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };

/** The file behind a GET path, or null (404). Never leaves the two folders served. */
function fileFor(pathname, sdkDir) {
  if (pathname === '/' || pathname === '/index.html') return path.join(HERE, 'index.html');
  if (pathname === '/page.js') return path.join(HERE, 'page.js');
  if (!pathname.startsWith('/sdk/')) return null;
  const rel = decodeURIComponent(pathname.slice('/sdk/'.length));
  if (!/^(src\/[\w.-]+\.js|dist\/(common\/)?[\w.-]+\.(js|wasm))$/.test(rel)) return null;
  const file = path.resolve(sdkDir, rel);
  return file.startsWith(sdkDir + path.sep) ? file : null;
}

function proxy(req, res, upstreamPort) {
  // rawHeaders keeps names, order and repeats as received; Host stays the page's origin.
  const upstream = httpRequest(
    { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.rawHeaders, setHost: false },
    (answer) => {
      res.writeHead(answer.statusCode, answer.rawHeaders);
      answer.pipe(res);
    },
  );
  upstream.on('error', (e) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`demo proxy: ${e.message}`);
  });
  req.pipe(upstream);
}

/**
 * Starts the page server on 127.0.0.1 (ephemeral port) in front of the verifying server on
 * `upstreamPort`. Resolves to { origin, close() }.
 */
export async function startPageServer({ upstreamPort, sdkDir = path.resolve(HERE, '..', '..', 'sdk-wasm') }) {
  const sdk = path.resolve(sdkDir);
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, 'http://127.0.0.1');
    if (pathname.startsWith('/v1/')) return proxy(req, res, upstreamPort);
    const file = req.method === 'GET' ? fileFor(pathname, sdk) : null;
    try {
      if (!file) throw new Error('not found');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const upstreamPort = Number(process.argv[2]);
  if (!Number.isInteger(upstreamPort) || upstreamPort <= 0) {
    console.error('usage: node demo/browser/server.mjs UPSTREAM_PORT [SDK_WASM_DIR]');
    process.exit(2);
  }
  const { origin } = await startPageServer({ upstreamPort, sdkDir: process.argv[3] });
  console.log(origin);
}
