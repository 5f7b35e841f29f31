/**
 * sigwire-wasm for Node.js (>= 20.19; also `require()`-able there): the same WebAssembly module,
 * loaded synchronously from the package folder, so it is ready on import. `init()` exists so
 * that code shared with browsers runs unchanged.
 */
import { readFileSync } from 'node:fs';
import { install } from './runtime.js';

export * from './exports.js';

install(new WebAssembly.Module(readFileSync(new URL('../dist/sigwire_wasm_bg.wasm', import.meta.url))));

/** Already initialised on import; resolves immediately. */
export function init() {
  return Promise.resolve();
}

/** Already initialised on import; does nothing. */
export function initSync() {}
