'use strict';
// The Node driver of the client-behaviour suite: sdk-node's Client, i.e. the Rust client behind the
// napi-rs addon (bindings/node). Runs one scenario with a fresh client, prints one JSON line.
//   node node-native.js <scenarios.json> <origin URL> <scenario name>
// Loads the package from this checkout (sdk-node/), whose addon is sdk-node/build/sigwire.node
// (made by scripts/ci/node.sh's install) or $SIGWIRE_NATIVE_PATH.
const fs = require('node:fs');
const path = require('node:path');

const sigwire = require(path.join(__dirname, '..', '..', '..', 'sdk-node'));

/** The HTTP client's own error kinds; any other SigwireError from a call is a signature rejection. */
const CLIENT_KINDS = new Set(['timeout', 'connect', 'transport', 'http_status', 'clock_skew_too_large', 'too_many_redirects', 'decode']);

async function main() {
  const [table, origin, name] = process.argv.slice(2);
  const t = JSON.parse(fs.readFileSync(table, 'utf8'));
  const base = t.client;
  const scenario = t.scenarios.find((s) => s.name === name);
  const own = { ...base, ...(scenario.client || {}) };
  const client = new sigwire.Client({
    baseUrl: origin,
    keyId: base.key_id,
    secret: Buffer.from(base.secret, 'utf8'),
    retry: { maxAttempts: own.max_attempts, baseDelayMs: own.base_delay_ms, maxDelayMs: own.max_delay_ms },
    timeouts: { attemptMs: own.attempt_timeout_ms, totalMs: own.total_timeout_ms },
  });
  let out;
  try {
    const r = await client.request(scenario.method, `/s/${name}`, scenario.body !== undefined ? { body: scenario.body } : {});
    out = { name, ok: true, status: r.status, kind: null };
  } catch (e) {
    if (!(e instanceof sigwire.SigwireError)) throw e;
    const kind = CLIENT_KINDS.has(e.code) ? e.code : 'signature_rejected';
    out = { name, ok: false, kind, status: e.httpStatus || null, code: e.code };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
