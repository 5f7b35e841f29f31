'use strict';
/** Loads the shared vectors (tests/vectors/*.json). SIGWIRE_VECTORS_DIR overrides the location. */
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.SIGWIRE_VECTORS_DIR || path.resolve(__dirname, '..', '..', '..', 'tests', 'vectors');

function load() {
  if (!fs.existsSync(dir)) throw new Error(`shared vectors not found at ${dir} (set SIGWIRE_VECTORS_DIR)`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no vector files in ${dir}`);
  const positive = [];
  const negative = [];
  for (const file of files) {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    if (doc.version !== 1 || !Array.isArray(doc.vectors)) throw new Error(`${file}: unexpected vector file format`);
    for (const v of doc.vectors) {
      v.file = file;
      if (v.expected) positive.push(v);
      else if (v.expected_error) negative.push(v);
      else throw new Error(`${file}: vector ${v.name} is neither positive nor negative`);
    }
  }
  return { dir, files, positive, negative };
}

/** The body of a vector as a Buffer. */
function body(v) {
  return Buffer.from(v.request.body_b64 || '', 'base64');
}

module.exports = { load, body, dir };
