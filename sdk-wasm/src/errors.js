/**
 * Typed errors: the classes shared with the Node package (sdk-node/lib/common/errors.js, generated
 * into dist/common/ by scripts/esm.mjs). Errors coming out of WebAssembly are mapped to them in
 * one place: `run()` in runtime.js.
 */
export * from '../dist/common/errors.js';
export { describe } from '../dist/common/convert.js';
