'use strict';
// Two-step verification, native back end: the shared contract (test/contract/two-step.js).
const { test } = require('node:test');
const assert = require('node:assert/strict');
const sigwire = require('sigwire');

require('./contract/two-step')({ sigwire, test, assert });
