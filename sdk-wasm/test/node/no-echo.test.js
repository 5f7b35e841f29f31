// No secret in error messages, WebAssembly back end: the contract shared with the native package
// (sdk-node/test/contract/no-echo.js). The Client's fetch answers locally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import noEchoContract from '../../../sdk-node/test/contract/no-echo.js';

const fetch = async () => new Response('{}', { status: 200 });
noEchoContract({ sigwire, test, assert, clientBase: { baseUrl: 'https://api.test', fetch } });
