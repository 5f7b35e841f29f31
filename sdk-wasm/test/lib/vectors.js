/**
 * Runs the shared vectors (tests/vectors/*.json) against a sigwire-wasm module object and
 * returns what it produced. Environment-neutral: used by the Node tests and, unchanged, by the
 * Chromium test page. The comparison with the expected values is done by the caller.
 */

export function hexBytes(hex) {
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw new Error(`bad hex in vector: ${hex.slice(0, 16)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function b64Bytes(b64) {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The body as a string when it is valid UTF-8 (so the string path can be checked too). */
function utf8OrNull(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

function errorOf(fn) {
  try {
    fn();
    return null;
  } catch (e) {
    return e;
  }
}

function describeError(e, sigwire) {
  if (!e) return null;
  return {
    code: e.code,
    name: e.name,
    isSigwireError: e instanceof sigwire.SigwireError,
    isClass: sigwire.ERROR_CLASSES[e.code] ? e instanceof sigwire.ERROR_CLASSES[e.code] : false,
    skewSeconds: e.skewSeconds,
    serverTime: e.serverTime,
    message: String(e.message),
  };
}

/**
 * Signs a positive vector with its fixed timestamp and nonce, with the body given as
 * Uint8Array, ArrayBuffer and (when it is UTF-8) string, and verifies the result at
 * `now = timestamp`. Returns every produced value.
 */
export function runPositive(sigwire, v) {
  const secret = hexBytes(v.secret_hex);
  const body = b64Bytes(v.request.body_b64);
  const signer = new sigwire.Signer({
    keyId: v.key_id,
    secret,
    algorithm: v.algorithm,
    signedHeaders: v.signed_headers,
  });
  const base = { method: v.request.method, url: v.request.url, headers: v.request.headers, timestamp: v.timestamp, nonce: v.nonce };
  const out = { name: v.name };
  try {
    const d = signer.signDetailed({ ...base, body });
    out.canonicalString = d.canonicalString;
    out.signature = d.signature;
    out.authorization = d.authorization;
    out.canonicalDebug = signer.canonicalString({ ...base, body });
    out.signBytes = signer.sign({ ...base, body }).Authorization;
    out.signArrayBuffer = signer.sign({ ...base, body: body.slice().buffer }).Authorization;
    const text = utf8OrNull(body);
    out.signString = text === null ? null : signer.sign({ ...base, body: text }).Authorization;
    const verifier = new sigwire.Verifier({ keys: { [v.key_id]: secret }, windowSeconds: 300 });
    const headers = [...v.request.headers, ['Authorization', d.authorization]];
    out.verifiedKeyId = verifier.verify({ method: v.request.method, url: v.request.url, headers, body }, { now: v.timestamp });
  } catch (e) {
    out.error = describeError(e, sigwire);
  }
  return out;
}

/** Verifies a negative vector with its verifier settings; returns the error it produced. */
export function runNegative(sigwire, v) {
  const cfg = v.verifier;
  const keys = new sigwire.KeyStore();
  for (const k of cfg.keys) keys.insert(k.key_id, hexBytes(k.secret_hex), k.not_after);
  const replayStore = new sigwire.InMemoryReplayStore();
  for (const s of cfg.seen_nonces) replayStore.checkAndRecord(s.key_id, s.nonce, cfg.now + cfg.window, cfg.now);
  const verifier = new sigwire.Verifier({ keys, windowSeconds: cfg.window, replayStore });
  const request = { method: v.request.method, url: v.request.url, headers: v.request.headers, body: b64Bytes(v.request.body_b64) };
  const e = errorOf(() => verifier.verify(request, { now: cfg.now }));
  return { name: v.name, error: describeError(e, sigwire) };
}

/** Runs every vector of every file: `{ file: { positive: [...], negative: [...] } }`. */
export function runAll(sigwire, files) {
  const out = {};
  for (const [file, doc] of Object.entries(files)) {
    out[file] = { positive: [], negative: [] };
    for (const v of doc.vectors) {
      if (v.expected) out[file].positive.push(runPositive(sigwire, v));
      else if (v.expected_error) out[file].negative.push(runNegative(sigwire, v));
      else throw new Error(`vector ${v.name} is neither positive nor negative`);
    }
  }
  return out;
}
