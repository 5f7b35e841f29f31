// The HTTP Client, WebAssembly back end in Node (fetch over the wasm client rules): the contract
// shared with the native package (sdk-node/test/contract/client.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import clientContract from '../../../sdk-node/test/contract/client.js';

// fetch does not tell a connection dropped after the request from one refused.
clientContract({ sigwire, test, assert, dropIsTransport: false });
