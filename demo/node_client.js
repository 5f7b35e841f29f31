#!/usr/bin/env node
// Demo client: the Node SDK (sigwire, napi-rs over the Rust core) with Node's fetch.
//
// 1. signs the fixed request offline (fixed timestamp and nonce) with Signer.signDetailed;
// 2. sends a live signed request (fresh timestamp and nonce) to the demo server through
//    signedFetch, and reads the server's verdict.
// Prints one JSON line. The fixed request comes from the environment (SIGWIRE_DEMO_*), set by
// demo/orchestrator.py; `sigwire` resolves from the demo's npm project (build/demo/node).
'use strict';

const { Signer, signedFetch } = require('sigwire');

async function verdict(response) {
  const text = await response.text();
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: reported as is below
  }
  if (response.status === 200 && data && data.key_id) {
    return { live_verdict: `accepted (key ${data.key_id})`, live_nonce: data.nonce, echo_body: data.body };
  }
  return { live_verdict: `rejected: ${(data && data.error) || text.slice(0, 80)}`, live_nonce: null };
}

async function main() {
  const env = process.env;
  const secret = Buffer.from(env.SIGWIRE_DEMO_SECRET_HEX, 'hex');
  const headers = { 'Content-Type': env.SIGWIRE_DEMO_CONTENT_TYPE };
  const body = env.SIGWIRE_DEMO_BODY;
  const signer = new Signer({ keyId: env.SIGWIRE_DEMO_KEY_ID, secret, algorithm: env.SIGWIRE_DEMO_ALGORITHM });

  const fixed = signer.signDetailed({
    method: env.SIGWIRE_DEMO_METHOD,
    url: env.SIGWIRE_DEMO_URL,
    headers,
    body,
    timestamp: Number(env.SIGWIRE_DEMO_TIMESTAMP),
    nonce: env.SIGWIRE_DEMO_NONCE,
  });
  const out = {
    runtime: `node ${process.versions.node}`,
    via: `sigwire ${require('sigwire/package.json').version} (napi-rs) Signer.signDetailed; live: signedFetch (Node fetch)`,
    fixed_authorization: fixed.authorization,
    fixed_signature: fixed.signature,
  };

  const response = await signedFetch(signer)(env.SIGWIRE_DEMO_LIVE_URL, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  out.live_status = response.status;
  Object.assign(out, await verdict(response));
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stderr.write(`node client: ${(e && e.stack) || e}\n`);
  process.exit(1);
});
