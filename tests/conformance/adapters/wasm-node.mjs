// Conformance adapter "wasm-node": the WASM SDK (sdk-wasm, built by sdk-wasm/scripts/build.sh)
// loaded in Node from $SIGWIRE_WASM_PACKAGE (the package directory) or by the name `sigwire-wasm`.
// Argument conversion only (see _answer.mjs).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeAnswer, serve } from './_answer.mjs';

const dir = process.env.SIGWIRE_WASM_PACKAGE;
const sigwire = await import(dir ? pathToFileURL(path.join(dir, 'src', 'node.js')).href : 'sigwire-wasm');
await serve(makeAnswer(sigwire));
