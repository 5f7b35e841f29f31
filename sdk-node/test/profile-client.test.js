'use strict';
// `new Client({ baseUrl, profile })`, native back end: the contract shared with the browser package
// (test/contract/profile-client.js).
const test = require('node:test');
const assert = require('node:assert/strict');
const sigwire = require('sigwire');

require('./contract/profile-client')({ sigwire, test, assert });
