'use strict';
// What the JavaScript drivers share (node-native.js, wasm-node.mjs): read the scenario named on the
// command line, build a fresh Client from the table's settings, run it, print one JSON line.
// `sigwire` is the package under test; `outcomeOf(error)` gives `{ kind, status, code }` for an
// error it throws (each package names its error kinds its own way).
const fs = require('node:fs');

async function run(sigwire, outcomeOf) {
  const [table, origin, name] = process.argv.slice(2);
  const t = JSON.parse(fs.readFileSync(table, 'utf8'));
  const base = t.client;
  const scenario = t.scenarios.find((s) => s.name === name);
  const own = { ...base, ...(scenario.client || {}) };
  const client = new sigwire.Client({
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
    out = { name, ok: false, ...outcomeOf(e) };
  }
  console.log(JSON.stringify(out));
}

module.exports = { run };
