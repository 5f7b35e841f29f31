// The browser Client (sdk-wasm/src/client.js on the wasm rules) driver of the client-behaviour
// suite, in Node: runs one scenario with a fresh client, prints its outcome as one JSON line.
//   node wasm-node.mjs <scenarios.json> <origin URL> <scenario name>
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const { run } = createRequire(import.meta.url)('./js-driver.js');
const sw = await import(path.join(here, '../../../sdk-wasm/src/node.js'));
await run(sw, (e) => ({ kind: e.kind ?? null, status: e.status ?? (e.httpStatus || null), code: e.code ?? null }));
