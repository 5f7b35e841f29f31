/**
 * Typed errors: the classes shared with the Node package (sdk-node/lib/common/errors.js, generated
 * into dist/common/ by scripts/esm.mjs), and how the modules of this package raise them. Errors
 * coming out of WebAssembly are mapped to them in one place: `run()` in runtime.js.
 */
export * from '../dist/common/errors.js';
export { makeError } from '../dist/common/raise.js';
export { describe } from '../dist/common/convert.js';
