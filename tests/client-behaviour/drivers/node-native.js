'use strict';
// The Node driver of the client-behaviour suite: sdk-node's Client, i.e. the Rust client behind the
// napi-rs addon (bindings/node). Runs one scenario with a fresh client, prints one JSON line.
//   node node-native.js <scenarios.json> <origin URL> <scenario name>
// Loads the package from this checkout (sdk-node/), whose addon is sdk-node/build/sigwire.node
// (made by scripts/ci/node.sh's install) or $SIGWIRE_NATIVE_PATH.
const path = require('node:path');
const { run } = require('./js-driver');

const sigwire = require(path.join(__dirname, '..', '..', '..', 'sdk-node'));

/** The HTTP client's own error kinds; any other SigwireError from a call is a signature rejection. */
const CLIENT_KINDS = new Set(['timeout', 'connect', 'transport', 'http_status', 'clock_skew_too_large', 'too_many_redirects', 'decode']);

run(sigwire, (e) => {
  if (!(e instanceof sigwire.SigwireError)) throw e;
  return { kind: CLIENT_KINDS.has(e.code) ? e.code : 'signature_rejected', status: e.httpStatus || null, code: e.code };
}).catch((e) => {
  console.error(e);
  process.exit(1);
});
