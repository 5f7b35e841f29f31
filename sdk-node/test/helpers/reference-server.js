'use strict';
/**
 * Starts the reference server (`sigwire-server` binary, path in SIGWIRE_SERVER_BIN; scripts/ci/node.sh
 * and scripts/ci/wasm.sh build it) on 127.0.0.1 with an ephemeral port, and wraps its /_control
 * endpoints. One helper for the Client tests of both packages (sdk-wasm/test/lib/reference-server.js
 * re-exports it).
 */
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');

const SERVER_BIN = process.env.SIGWIRE_SERVER_BIN;
const KEY = 'test-client';
const SECRET = '0123456789abcdef0123456789abcdef';
const SECRET_HEX = Buffer.from(SECRET).toString('hex');

/** Resolves to { base, port, url(p), control(method, p, body), fault, requests, nonces, stop() }. */
function startServer(extraArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_BIN, ['--port', '0', '--print-port', '--key', `${KEY}:${SECRET_HEX}`, '--exit-on-stdin-eof', ...extraArgs], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error('the reference server did not print its port within 10 s'));
    }, 10_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0 || timer._done) return;
      timer._done = true;
      clearTimeout(timer);
      const port = Number(out.slice(0, nl).trim());
      const base = `http://127.0.0.1:${port}`;
      resolve({
        base,
        port,
        url: (p) => base + p,
        async control(method, p, body) {
          const res = await fetch(base + p, {
            method,
            headers: body === undefined ? {} : { 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          assert.ok(res.ok, `${method} ${p}: HTTP ${res.status}`);
          const text = await res.text();
          return text ? JSON.parse(text) : null;
        },
        fault(path, fault, times = 1) {
          return this.control('POST', '/_control/faults', { path, times, fault });
        },
        async requests(path) {
          return (await this.control('GET', `/_control/requests?path=${encodeURIComponent(path)}`)).requests;
        },
        async nonces(path) {
          return (await this.control('GET', `/_control/nonces?path=${encodeURIComponent(path)}`)).nonces[path] || [];
        },
        stop() {
          return new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.stdin.end();
            setTimeout(() => child.kill('SIGKILL'), 3000).unref();
          });
        },
      });
    });
  });
}

module.exports = { SERVER_BIN, KEY, SECRET, startServer };
