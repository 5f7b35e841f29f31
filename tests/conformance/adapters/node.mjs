// Conformance adapter "node": the Node SDK (`npm install <repo>/sdk-node`), loaded from
// $SIGWIRE_NODE_PACKAGE (the installed package directory) or by the name `sigwire`.
// Argument conversion only (see _answer.mjs).
import { createRequire } from 'node:module';
import { makeAnswer, serve } from './_answer.mjs';

const require = createRequire(import.meta.url);
const sigwire = require(process.env.SIGWIRE_NODE_PACKAGE || 'sigwire');
await serve(makeAnswer(sigwire));
