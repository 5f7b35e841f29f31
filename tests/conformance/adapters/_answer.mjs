// The protocol answer function shared by the JavaScript adapters (node, wasm-node, wasm-chromium).
// The Node SDK and the WASM SDK have the same API (Signer, KeyStore, InMemoryReplayStore,
// Verifier, SigwireError with .code and .skewSeconds), so one mapping serves all three. Uses only
// what browsers have too (no Buffer): it also runs inside headless Chromium. The profile
// operations are mapped in _profiles.mjs.
import { PROFILE_OPS, makeProfileAnswer } from './_profiles.mjs';

/**
 * @param {any} sigwire the SDK module
 * @returns {(line: string) => object} one answer object per operation line
 */
export function makeAnswer(sigwire) {
  const HEX = /^(?:[0-9a-fA-F]{2})*$/;

  function secret(text, Err = sigwire.InvalidSecretError) {
    if (typeof text !== 'string' || !HEX.test(text)) throw new Err('secret_hex is not hex');
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }

  function body(b64) {
    const bin = atob(b64);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  const request = (op) => ({ method: op.method, url: op.url, headers: op.headers, body: body(op.body_b64) });
  const optional = (v) => (v === null ? undefined : v);

  function sign(op) {
    const signer = new sigwire.Signer({
      keyId: op.key_id,
      secret: secret(op.secret_hex),
      algorithm: op.algorithm,
      signedHeaders: optional(op.signed_headers),
    });
    const s = signer.signDetailed({ ...request(op), timestamp: op.timestamp, nonce: op.nonce });
    return { canonical_string: s.canonicalString, signature: s.signature, authorization: s.authorization };
  }

  function verify(op) {
    const keys = new sigwire.KeyStore();
    for (const k of op.keys) keys.insert(k.key_id, secret(k.secret_hex), optional(k.not_after));
    const seen = op.seen_nonces || [];
    const replayStore = new sigwire.InMemoryReplayStore({ capacity: seen.length + 16 });
    for (const s of seen) replayStore.checkAndRecord(s.key_id, s.nonce, op.now + Math.max(op.window, 0), op.now);
    const verifier = new sigwire.Verifier({ keys, windowSeconds: op.window, replayStore });
    return { ok: true, key_id: verifier.verify(request(op), { now: op.now }) };
  }

  const profile = makeProfileAnswer(sigwire, { secret, body });
  const VERIFY_OPS = new Set(['verify', 'profile_verify', 'profile_verify_response', 'webhook_verify']);

  return function answer(line) {
    const op = JSON.parse(line);
    const out = { id: op.id === undefined ? null : op.id };
    try {
      if (PROFILE_OPS.has(op.op)) Object.assign(out, profile(op));
      else Object.assign(out, op.op === 'sign' ? sign(op) : verify(op));
    } catch (e) {
      if (VERIFY_OPS.has(op.op)) out.ok = false;
      if (e instanceof sigwire.SigwireError) {
        out.error = e.code;
        if (e.code === 'stale_timestamp') out.skew = e.skewSeconds;
      } else {
        // Not a SigwireError: report it (the runner flags any non-machine code), never die.
        out.error = `adapter_error: ${e && e.name}: ${e && e.message}`;
      }
    }
    return out;
  };
}

/** Reads stdin line by line and writes `answer(line)` for each (Node). */
export async function serve(answer) {
  const readline = await import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    process.stdout.write(JSON.stringify(answer(line)) + '\n');
  }
}
