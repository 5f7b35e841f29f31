'use strict';
// Signing profiles, native back end: the shared contract (test/contract/profiles.js, the same
// cases as the browser package's), checked against the addon's own list of profile error codes.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const sigwire = require('sigwire');

const native = require(path.join(path.dirname(require.resolve('sigwire')), 'lib', 'native.js'));

require('./contract/profiles')({ sigwire, profiles: sigwire.profiles, test, assert, coreErrorCodes: () => native.profileErrorCodes() });
