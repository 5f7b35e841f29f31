/**
 * Browser benchmark (run by the Chromium test page, same page and run as the tests): signing the
 * two typical requests with sigwire-wasm vs (a) a pure-JS implementation on WebCrypto
 * `crypto.subtle` (async) and (b) a pure-JS synchronous implementation (@noble/hashes).
 * Every implementation signs with the current time and a fresh random nonce from
 * crypto.getRandomValues, exactly as in production.
 *
 * Each measurement alternates slices of the implementations (ROUNDS each) and keeps each one's
 * best slice, so that load from other processes hits all alike. Never fails on timing.
 */
import { SyncSigner, WebCryptoSigner } from './purejs.js';
import { b64Bytes, hexBytes } from '../test/lib/vectors.js';

const KEY_ID = 'client-1';
const SECRET = 'bench-secret-0123456789abcdef0123';

/** A valid JSON document of exactly 1024 UTF-8 bytes. */
function json1k() {
  const doc = { items: Array.from({ length: 12 }, (_, i) => ({ id: i, sku: `SKU-${1000 + i}`, qty: i % 3 })), note: '' };
  const base = JSON.stringify(doc);
  doc.note = 'x'.repeat(1024 - new TextEncoder().encode(base).length);
  const out = JSON.stringify(doc);
  if (new TextEncoder().encode(out).length !== 1024) throw new Error('body is not 1 KiB');
  return out;
}

export function benchCases() {
  const body = json1k();
  return {
    '(a) GET, 3 query params': { method: 'GET', url: 'https://api.example.com/v1/orders?limit=10&offset=20&sort=desc', headers: { accept: 'application/json' } },
    '(b) POST, 1 KiB JSON': { method: 'POST', url: 'https://api.example.com/v1/payments', headers: { 'content-type': 'application/json' }, body },
    "(b') same, body as Uint8Array": { method: 'POST', url: 'https://api.example.com/v1/payments', headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode(body) },
  };
}

function rateSync(fn, ms) {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

async function rateAsync(fn, ms) {
  for (let i = 0; i < 100; i++) await fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

async function ratePromiseAll(fn, ms, batch = 100) {
  await Promise.all(Array.from({ length: batch }, fn));
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await Promise.all(Array.from({ length: batch }, fn));
    n += batch;
    now = performance.now();
  }
  return (n / (now - start)) * 1000;
}

/**
 * Checks both baselines against every positive vector they support (so that the comparison is
 * with correct implementations). Returns `{ checked, refused, mismatches }`.
 */
export async function checkBaselines(files) {
  let checked = 0;
  const refused = [];
  const mismatches = [];
  for (const doc of Object.values(files)) {
    for (const v of doc.vectors) {
      if (!v.expected) continue;
      const cfg = { keyId: v.key_id, secret: hexBytes(v.secret_hex), algorithm: v.algorithm, signedHeaders: v.signed_headers || [] };
      const req = { method: v.request.method, url: v.request.url, headers: v.request.headers, body: b64Bytes(v.request.body_b64), timestamp: v.timestamp, nonce: v.nonce };
      let sync;
      let web;
      try {
        sync = new SyncSigner(cfg).sign(req).Authorization;
        web = (await (await WebCryptoSigner.create(cfg)).sign(req)).Authorization;
      } catch (e) {
        refused.push(`${v.name}: ${e.message}`);
        continue;
      }
      checked++;
      if (sync !== v.expected.authorization || web !== v.expected.authorization) mismatches.push(v.name);
    }
  }
  return { checked, refused, mismatches };
}

/**
 * Runs the benchmark. Returns `{ rows, env }`; each row: case, ops/s of wasm, pure-JS sync,
 * WebCrypto sequential (await each) and WebCrypto with 100 in flight, and the ratios.
 */
export async function runBench(sigwire, { ms = 1500, rounds = 5 } = {}) {
  const wasm = new sigwire.Signer({ keyId: KEY_ID, secret: SECRET });
  const sync = new SyncSigner({ keyId: KEY_ID, secret: SECRET });
  const web = await WebCryptoSigner.create({ keyId: KEY_ID, secret: SECRET });
  const rows = [];
  const slice = ms / rounds;
  for (const [name, req] of Object.entries(benchCases())) {
    const fixed = { ...req, timestamp: 1_700_000_000, nonce: 'AAECAwQFBgcICQoLDA0ODw' };
    const expected = wasm.sign(fixed).Authorization;
    if (sync.sign(fixed).Authorization !== expected) throw new Error(`pure-JS sync disagrees on ${name}`);
    if ((await web.sign(fixed)).Authorization !== expected) throw new Error(`WebCrypto disagrees on ${name}`);

    let bestWasm = 0;
    let bestSync = 0;
    let bestWeb = 0;
    let bestWebParallel = 0;
    for (let r = 0; r < rounds; r++) {
      bestWasm = Math.max(bestWasm, rateSync(() => wasm.sign(req), slice));
      bestSync = Math.max(bestSync, rateSync(() => sync.sign(req), slice));
      bestWeb = Math.max(bestWeb, await rateAsync(() => web.sign(req), slice));
      bestWebParallel = Math.max(bestWebParallel, await ratePromiseAll(() => web.sign(req), slice));
    }
    rows.push({
      name,
      wasm: bestWasm,
      pureSync: bestSync,
      webCrypto: bestWeb,
      webCryptoParallel: bestWebParallel,
      vsSync: bestWasm / bestSync,
      vsWebCrypto: bestWasm / bestWeb,
      vsWebCryptoParallel: bestWasm / bestWebParallel,
    });
  }
  return { rows, env: { userAgent: navigator.userAgent, ms, rounds } };
}

/** The result as a fixed-width table. */
export function formatBench({ rows, env }) {
  const head = `${'request'.padEnd(31)} ${'wasm ops/s'.padStart(11)} ${'pure-JS sync'.padStart(13)} ${'WebCrypto'.padStart(10)} ${'WebCrypto x100'.padStart(15)} ${'vs sync'.padStart(8)} ${'vs WebCrypto'.padStart(13)} ${'vs x100'.padStart(8)}`;
  const lines = rows.map((r) =>
    [
      r.name.padEnd(31),
      Math.round(r.wasm).toString().padStart(11),
      Math.round(r.pureSync).toString().padStart(13),
      Math.round(r.webCrypto).toString().padStart(10),
      Math.round(r.webCryptoParallel).toString().padStart(15),
      (r.vsSync.toFixed(2) + 'x').padStart(8),
      (r.vsWebCrypto.toFixed(2) + 'x').padStart(13),
      (r.vsWebCryptoParallel.toFixed(2) + 'x').padStart(8),
    ].join(' '),
  );
  const worstSync = Math.min(...rows.map((r) => r.vsSync));
  const worstWeb = Math.min(...rows.map((r) => r.vsWebCrypto));
  return [
    `sigwire-wasm browser benchmark: sign, ops/s (${env.userAgent}; ${env.ms} ms per implementation and case, best of ${env.rounds} alternating slices)`,
    'WebCrypto = await each sign in turn (what signedFetch does); WebCrypto x100 = 100 signs in flight at once.',
    head,
    ...lines,
    `lowest ratio vs pure-JS sync: ${worstSync.toFixed(2)}x, vs WebCrypto: ${worstWeb.toFixed(2)}x (target > 1x for both: ${worstSync > 1 && worstWeb > 1 ? 'met' : 'NOT met'})`,
  ].join('\n');
}
