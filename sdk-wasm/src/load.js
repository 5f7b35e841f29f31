/**
 * Compiling a WebAssembly module from what a caller gives (a URL or string, a fetch Response, the
 * bytes, or an already compiled WebAssembly.Module), for both of the package's modules.
 */
import { makeError, describe } from './errors.js';

/**
 * Compiles `input` (a URL is fetched; `application/wasm` responses compile while streaming).
 * @param {string | URL | Request | Response | BufferSource | WebAssembly.Module} input
 * @param {string} what the caller's name, for the error message
 * @returns {Promise<WebAssembly.Module>}
 */
export async function compileModule(input, what) {
  if (input instanceof WebAssembly.Module) return input;
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return WebAssembly.compile(input);
  if (typeof input === 'string' || input instanceof URL || (typeof Request === 'function' && input instanceof Request)) {
    input = await fetch(input);
  }
  if (typeof Response === 'function' && input instanceof Response) {
    if (!input.ok) throw makeError('invalid_config', `sigwire-wasm: fetching the module failed: HTTP ${input.status} ${input.url}`);
    const wasmType = (input.headers.get('content-type') || '').split(';')[0].trim() === 'application/wasm';
    if (wasmType && typeof WebAssembly.compileStreaming === 'function') return WebAssembly.compileStreaming(input);
    return WebAssembly.compile(await input.arrayBuffer());
  }
  throw makeError('invalid_config', `${what} takes a URL, Response, bytes or WebAssembly.Module (got ${describe(input)})`);
}

/**
 * A load-once function: the first call starts `load(input)` and installs its module; later calls
 * share it (and resolve immediately once installed); a failure is a typed `invalid_config` and
 * lets the next call try again.
 * @param {{ ready(): boolean, install(m: WebAssembly.Module): void }} instance
 * @param {(input: any) => Promise<WebAssembly.Module> | WebAssembly.Module} load
 */
export function loadOnce(instance, load) {
  /** @type {Promise<void> | null} */
  let pending = null;
  return (input) => {
    if (instance.ready()) return Promise.resolve();
    if (!pending) {
      pending = Promise.resolve()
        .then(() => load(input))
        .then(
          (module) => instance.install(module),
          (e) => {
            pending = null;
            throw e && e.code ? e : makeError('invalid_config', `sigwire-wasm: loading the module failed: ${e && e.message}`);
          },
        );
    }
    return pending;
  };
}
