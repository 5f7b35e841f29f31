// The browser Client's rules shared with the Rust client (test/lib/client-rules.js), in Node; the
// same scenarios run in Chromium from test/chromium-client.test.js. The redirect policy against
// real servers is in the Client contract (sdk-node/test/contract/client.js, test/node/client.test.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import { SCENARIOS, EXPECTED } from '../lib/client-rules.js';

for (const [name, run] of Object.entries(SCENARIOS)) {
  test(`client rule: ${name}`, { timeout: 20_000 }, async () => {
    EXPECTED[name](assert, await run(sigwire));
  });
}
