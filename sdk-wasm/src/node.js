/**
 * sigwire-wasm for Node.js (>= 20.19; also `require()`-able there): the same WebAssembly module,
 * loaded synchronously from the package folder, so it is ready on import (the Client's rules
 * module is read from there on the first request). `init()` exists so
 * that code shared with browsers runs unchanged.
 */
import { readFileSync } from 'node:fs';
import { install } from './runtime.js';
import { setDefaultSource } from './ext.js';

export * from './exports.js';

const file = (name) => new WebAssembly.Module(readFileSync(new URL(`../dist/${name}`, import.meta.url)));
install(file('sigwire_wasm_bg.wasm'));
// The Client's rules module: read on its first request, as in browsers (never for signing only).
setDefaultSource(() => file('sigwire_wasm_ext_bg.wasm'));

/** Already initialised on import; resolves immediately. */
export function init() {
  return Promise.resolve();
}

/** Already initialised on import; does nothing. */
export function initSync() {}
