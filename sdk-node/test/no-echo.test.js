'use strict';
// No secret in error messages, native back end: the shared contract (test/contract/no-echo.js).
// The Client calls a closed port once, so nothing answers.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const sigwire = require('sigwire');

require('./contract/no-echo')({ sigwire, test, assert, clientBase: { baseUrl: 'http://127.0.0.1:9', retry: { maxAttempts: 1 } } });
