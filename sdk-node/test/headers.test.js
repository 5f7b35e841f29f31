'use strict';
// Meaning-changing headers, native back end: the shared contract (test/contract/headers.js); the
// Express and Fastify versions of the attack are in hardening.test.js.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const sigwire = require('sigwire');

require('./contract/headers')({ sigwire, test, assert });
