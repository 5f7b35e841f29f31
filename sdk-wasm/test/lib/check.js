/** Node-side: loads the shared vectors and compares produced values byte for byte. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The vectors folder (SIGWIRE_VECTORS_DIR, default <repo>/tests/vectors). */
export const VECTORS_DIR =
  process.env.SIGWIRE_VECTORS_DIR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../tests/vectors');

/** Every top-level vectors file: `{ 'positive.json': {version, vectors}, ... }`. */
export function loadVectors() {
  const files = {};
  for (const f of readdirSync(VECTORS_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const doc = JSON.parse(readFileSync(path.join(VECTORS_DIR, f), 'utf8'));
    assert.equal(doc.version, 1, `${f}: unknown vectors version`);
    assert.ok(Array.isArray(doc.vectors) && doc.vectors.length > 0, `${f}: no vectors`);
    files[f] = doc;
  }
  assert.ok(Object.keys(files).length >= 2, `expected vector files in ${VECTORS_DIR}`);
  return files;
}

export function checkPositive(v, r) {
  assert.equal(r.name, v.name);
  assert.equal(r.error, undefined, `${v.name}: unexpected error ${JSON.stringify(r.error)}`);
  assert.equal(r.canonicalString, v.expected.canonical_string, 'canonical string');
  assert.equal(r.signature, v.expected.signature, 'signature');
  assert.equal(r.authorization, v.expected.authorization, 'authorization');
  assert.equal(r.canonicalDebug, v.expected.canonical_string, 'canonicalString() debug call');
  assert.equal(r.signBytes, v.expected.authorization, 'sign() with a Uint8Array body');
  assert.equal(r.signArrayBuffer, v.expected.authorization, 'sign() with an ArrayBuffer body');
  if (r.signString !== null) assert.equal(r.signString, v.expected.authorization, 'sign() with a string body');
  assert.equal(r.verifiedKeyId, v.key_id, 'a verifier holding the key accepts it');
}

export function checkNegative(v, r) {
  assert.equal(r.name, v.name);
  assert.ok(r.error, `${v.name}: verification succeeded, expected ${v.expected_error}`);
  assert.equal(r.error.code, v.expected_error, r.error.message);
  assert.ok(r.error.isSigwireError, 'instanceof SigwireError');
  assert.ok(r.error.isClass, `instanceof the ${v.expected_error} class`);
  assert.equal(r.error.serverTime, v.verifier.now, 'serverTime is the verifier time');
  if (v.expected_skew !== undefined) assert.equal(r.error.skewSeconds, v.expected_skew, 'skew');
}

/** Registers one subtest per vector under `t`, comparing `results` (from runAll). */
export async function checkAll(t, files, results) {
  let count = 0;
  for (const [file, doc] of Object.entries(files)) {
    const res = results[file];
    assert.ok(res, `no results for ${file}`);
    const positives = doc.vectors.filter((v) => v.expected);
    const negatives = doc.vectors.filter((v) => v.expected_error);
    assert.equal(res.positive.length, positives.length, `${file}: positive results`);
    assert.equal(res.negative.length, negatives.length, `${file}: negative results`);
    for (let i = 0; i < positives.length; i++) {
      await t.test(`${file} ${positives[i].name}`, () => checkPositive(positives[i], res.positive[i]));
      count++;
    }
    for (let i = 0; i < negatives.length; i++) {
      await t.test(`${file} ${negatives[i].name} -> ${negatives[i].expected_error}`, () => checkNegative(negatives[i], res.negative[i]));
      count++;
    }
  }
  return count;
}
