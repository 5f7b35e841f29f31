// `new Client({ baseUrl, profile })`, WebAssembly back end in Node (fetch over the wasm client
// rules, each attempt signed by the profile on the second module): the contract shared with the
// native package (sdk-node/test/contract/profile-client.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import profileClientContract from '../../../sdk-node/test/contract/profile-client.js';

profileClientContract({ sigwire, test, assert });
