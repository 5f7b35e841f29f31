'use strict';
// The public API, native back end: the shared contract (test/contract/api.js), then what only the
// Node package has (its ESM entry).
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const sigwire = require('sigwire');

// The addon's own answers (the package's lib/native.js, outside its public exports).
const native = require(path.join(path.dirname(require.resolve('sigwire')), 'lib', 'native.js'));
const core = { errorCodes: () => native.errorCodes(), httpStatus: (c) => native.httpStatus(c), serverTimeHeader: () => native.serverTimeHeader() };

require('./contract/api')({ sigwire, test, assert, core });

test('ESM entry exposes the same objects', async () => {
  const esm = await import('sigwire');
  assert.equal(esm.Signer, sigwire.Signer);
  assert.equal(esm.default.Verifier, sigwire.Verifier);
  assert.equal(esm.SignatureMismatchError, sigwire.SignatureMismatchError);
});
