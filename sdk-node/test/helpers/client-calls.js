'use strict';
/** Helpers of the Client contract suites (test/contract/client.js, test/contract/profile-client.js). */
const assert = require('node:assert/strict');

/** Short timeouts and millisecond backoffs, so every Client test is bounded in time. */
const FAST = Object.freeze({
  timeouts: { connectMs: 2000, attemptMs: 5000, totalMs: 15000 },
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 40 },
});

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  return assert.fail('expected the call to reject');
}

module.exports = { FAST, rejection };
