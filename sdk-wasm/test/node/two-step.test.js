// Two-step verification, WebAssembly back end: the contract shared with the native package
// (sdk-node/test/contract/two-step.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import twoStepContract from '../../../sdk-node/test/contract/two-step.js';

// The main module's precheck does not report the body algorithm: +77 B gzip that its size budget
// has no room for (sdk-wasm/scripts/build.sh); nothing in the browser package spools a body by it.
twoStepContract({ sigwire, test, assert, bodyAlgorithm: false });
