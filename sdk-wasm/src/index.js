/**
 * sigwire-wasm for browsers, bundlers, web workers, extensions and edge runtimes (ES module).
 *
 *   import { init, Signer, signedFetch } from 'sigwire-wasm';
 *   await init();                       // fetches and compiles sigwire_wasm_bg.wasm once
 *   const fetchSigned = signedFetch(new Signer({ keyId, secret }));
 *
 * `init()` may be given where the module comes from instead: a URL or string, a fetch Response,
 * the bytes (ArrayBuffer / Uint8Array) or a compiled WebAssembly.Module (edge runtimes that
 * import .wasm files as modules). Everything else is synchronous once init has resolved.
 */
import { install, ready } from './runtime.js';
import { makeError, describe } from './errors.js';
import { compileModule, loadOnce } from './load.js';

export * from './exports.js';

const load = loadOnce(
  { ready, install },
  (input) => compileModule(input === undefined ? new URL('../dist/sigwire_wasm_bg.wasm', import.meta.url) : input, 'init()'),
);

/**
 * Loads the WebAssembly module (once; later calls resolve immediately). The HTTP Client's rules
 * are a second module, loaded on its first request (or by `initExt()`).
 * @param {string | URL | Request | Response | BufferSource | WebAssembly.Module} [input]
 */
export function init(input) {
  return load(input);
}

/**
 * Synchronous init from bytes or a compiled module (workers, extensions, tests).
 * Browsers refuse to compile large modules synchronously on the main thread: there, use init().
 * @param {BufferSource | WebAssembly.Module} input
 */
export function initSync(input) {
  if (ready()) return;
  if (input instanceof WebAssembly.Module) return install(input);
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return install(new WebAssembly.Module(input));
  throw makeError('invalid_config', `initSync() takes bytes or a WebAssembly.Module (got ${describe(input)})`);
}
