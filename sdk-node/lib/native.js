'use strict';
/**
 * Loads the native addon built by scripts/build-native.js at install time.
 * SIGWIRE_NATIVE_PATH overrides the location (used when testing a freshly built addon).
 */
const path = require('node:path');

const candidates = [
  process.env.SIGWIRE_NATIVE_PATH,
  path.join(__dirname, '..', 'build', 'sigwire.node'),
].filter(Boolean);

let native;
let lastError;
for (const file of candidates) {
  try {
    native = require(file);
    break;
  } catch (e) {
    lastError = e;
  }
}
if (!native) {
  const err = new Error(
    'sigwire: the native addon is not built. Reinstall the package with a Rust toolchain on PATH ' +
      '(`npm rebuild sigwire`, or `node scripts/build-native.js` inside the package). Cause: ' +
      (lastError && lastError.message),
  );
  err.code = 'ERR_SIGWIRE_NATIVE_MISSING';
  throw err;
}

module.exports = native;
