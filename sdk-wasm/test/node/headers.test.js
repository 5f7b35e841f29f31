// Meaning-changing headers, WebAssembly back end: the contract shared with the native package
// (sdk-node/test/contract/headers.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import headersContract from '../../../sdk-node/test/contract/headers.js';

headersContract({ sigwire, test, assert });
