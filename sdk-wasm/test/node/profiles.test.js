// Signing profiles, WebAssembly back end (the package's second module): the contract shared with
// the native package (sdk-node/test/contract/profiles.js), checked against the module's own list
// of profile error codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as sigwire from '../../src/node.js';
import { runExt } from '../../src/ext.js';
import profilesContract from '../../../sdk-node/test/contract/profiles.js';

const coreErrorCodes = () => runExt('invalid_request', (b) => b.profileErrorCodes());

profilesContract({ sigwire, profiles: sigwire.profiles, test, assert, coreErrorCodes });
