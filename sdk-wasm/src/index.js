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

export * from './exports.js';

/** @type {Promise<void> | null} */
let pending = null;

async function compile(input) {
  if (input instanceof WebAssembly.Module) return input;
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return WebAssembly.compile(input);
  if (input === undefined) input = new URL('../dist/sigwire_wasm_bg.wasm', import.meta.url);
  if (typeof input === 'string' || input instanceof URL || (typeof Request === 'function' && input instanceof Request)) {
    input = await fetch(input);
  }
  if (typeof Response === 'function' && input instanceof Response) {
    if (!input.ok) throw makeError('invalid_config', `sigwire-wasm: fetching the module failed: HTTP ${input.status} ${input.url}`);
    const wasmType = (input.headers.get('content-type') || '').split(';')[0].trim() === 'application/wasm';
    if (wasmType && typeof WebAssembly.compileStreaming === 'function') return WebAssembly.compileStreaming(input);
    return WebAssembly.compile(await input.arrayBuffer());
  }
  throw makeError('invalid_config', `init() takes a URL, Response, bytes or WebAssembly.Module (got ${describe(input)})`);
}

/**
 * Loads the WebAssembly module (once; later calls resolve immediately).
 * @param {string | URL | Request | Response | BufferSource | WebAssembly.Module} [input]
 */
export function init(input) {
  if (ready()) return Promise.resolve();
  if (!pending) {
    pending = compile(input).then(
      (module) => install(module),
      (e) => {
        pending = null;
        throw e && e.code ? e : makeError('invalid_config', `sigwire-wasm: loading the module failed: ${e && e.message}`);
      },
    );
  }
  return pending;
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
