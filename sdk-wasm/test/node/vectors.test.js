// Every shared vector through the Node-loadable build (node --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import { runAll } from '../lib/vectors.js';
import { loadVectors, checkAll } from '../lib/check.js';

const files = loadVectors();

test('shared vectors, Node build', async (t) => {
  const results = runAll(sigwire, files);
  const n = await checkAll(t, files, results);
  const total = Object.values(files).reduce((a, d) => a + d.vectors.length, 0);
  assert.equal(n, total);
  t.diagnostic(`${n} vectors checked`);
});
