// Two-step verification, WebAssembly back end: the contract shared with the native package
// (sdk-node/test/contract/two-step.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import twoStepContract from '../../../sdk-node/test/contract/two-step.js';

twoStepContract({ sigwire, test, assert });
