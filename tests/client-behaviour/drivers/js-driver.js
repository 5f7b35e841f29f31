'use strict';
// What the JavaScript drivers share (node-native.js, wasm-node.mjs, chromium.mjs): read the
// scenario named on the command line and the table's client settings (`scenario()`), build a fresh
// Client from them, run it, print one JSON line (`run()`). `sigwire` is the package under test;
// `outcomeOf(error)` gives `{ kind, status, code }` for an error it throws (each package names its
// error kinds its own way).
const fs = require('node:fs');

/**
 * The scenario of `<scenarios.json> <origin URL> <scenario name>` (the command line): `{ name,
 * method, path, call, options }`, `options` being the Client's (JSON: the secret is a string).
 */
function scenario(argv = process.argv.slice(2)) {
  const [table, origin, name] = argv;
  const t = JSON.parse(fs.readFileSync(table, 'utf8'));
  const base = t.client;
  const s = t.scenarios.find((x) => x.name === name);
  if (!s) throw new Error(`no scenario ${name} in ${table}`);
  const own = { ...base, ...(s.client || {}) };
  return {
    name,
    method: s.method,
    path: `/s/${name}`,
    call: s.body !== undefined ? { body: s.body } : {},
    options: {
      baseUrl: origin,
      keyId: base.key_id,
      secret: base.secret,
      retry: { maxAttempts: own.max_attempts, baseDelayMs: own.base_delay_ms, maxDelayMs: own.max_delay_ms },
      timeouts: { attemptMs: own.attempt_timeout_ms, totalMs: own.total_timeout_ms },
    },
  };
}

async function run(sigwire, outcomeOf) {
  const s = scenario();
  const client = new sigwire.Client({ ...s.options, secret: new TextEncoder().encode(s.options.secret) });
  let out;
  try {
    const r = await client.request(s.method, s.path, s.call);
    out = { name: s.name, ok: true, status: r.status, kind: null };
  } catch (e) {
    out = { name: s.name, ok: false, ...outcomeOf(e) };
  }
  console.log(JSON.stringify(out));
}

module.exports = { scenario, run };
