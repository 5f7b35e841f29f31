// The browser Client (sdk-wasm/src/client.js on the wasm rules) driver of the client-behaviour
// suite, in Node: runs one scenario with a fresh client, prints its outcome as one JSON line.
//   node wasm-node.mjs <scenarios.json> <origin URL> <scenario name>
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const sw = await import(path.join(here, '../../../sdk-wasm/src/node.js'));
const [table, origin, name] = process.argv.slice(2);
const t = JSON.parse(readFileSync(table, 'utf8'));
const base = t.client;
const scenario = t.scenarios.find((s) => s.name === name);
const own = { ...base, ...(scenario.client || {}) };
const client = new sw.Client({
  baseUrl: origin,
  keyId: base.key_id,
  secret: new TextEncoder().encode(base.secret),
  retry: { maxAttempts: own.max_attempts, baseDelayMs: own.base_delay_ms, maxDelayMs: own.max_delay_ms },
  timeouts: { attemptMs: own.attempt_timeout_ms, totalMs: own.total_timeout_ms },
});
let out;
try {
  const r = await client.request(scenario.method, `/s/${name}`, scenario.body !== undefined ? { body: scenario.body } : {});
  out = { name, ok: true, status: r.status, kind: null };
} catch (e) {
  out = { name, ok: false, kind: e.kind ?? null, status: e.status ?? (e.httpStatus || null), code: e.code ?? null };
}
console.log(JSON.stringify(out));
