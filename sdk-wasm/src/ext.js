/**
 * The package's second WebAssembly module (bindings/wasm-ext: the HTTP Client's rules and the
 * signing profiles), loaded lazily: the first `Client` request fetches and compiles it (once), so
 * a page that only signs or verifies downloads just the main module. `initExt()` loads it
 * earlier (required before the synchronous `profiles` API in browsers; Node loads it on first
 * use), or from another place (a URL, a Response, the bytes or a compiled module).
 */
import { createBindings } from '../dist/ext-glue.js';
import { createInstance } from './instance.js';
import { compileModule, loadOnce } from './load.js';

const ext = createInstance(
  createBindings,
  'sigwire-wasm (client rules module)',
  '`await initExt()` first (a Client request does it; the profiles need it in browsers)',
);

/** Where the module comes from when no input is given (the Node entry point reads the file). */
let defaultSource = () =>
  compileModule(new URL('../dist/sigwire_wasm_ext_bg.wasm', import.meta.url), 'initExt()');
/** A synchronous source (Node: reading the file), so synchronous APIs (profiles) load it on use. */
let syncSource = null;

/**
 * Replaces the default source of the module with a synchronous one returning a compiled
 * WebAssembly.Module (not public API; src/node.js uses it).
 */
export function setDefaultSource(source) {
  syncSource = source;
  defaultSource = source;
}

/**
 * Loads the second module (once; later calls resolve immediately). Without an argument it is
 * fetched from beside the main module (`dist/sigwire_wasm_ext_bg.wasm`).
 * @type {(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module) => Promise<void>}
 */
export const initExt = loadOnce(ext, (input) =>
  input === undefined ? defaultSource() : compileModule(input, 'initExt()'),
);

/** Whether the second module is loaded (for tests: a signing-only page never loads it). */
export const extLoaded = () => ext.ready();

/** How many times the second module trapped and was replaced (for tests). */
export const extTrapCount = () => ext.trapCount();

/**
 * Runs `fn(bindings)` on the second module (loading it first where that can be done
 * synchronously: Node); a failure inside becomes a typed error (`fallbackCode` for one without
 * a code). In browsers, before `initExt()` resolved: a typed `invalid_config` error.
 */
export function runExt(fallbackCode, fn) {
  if (!ext.ready() && syncSource) ext.install(syncSource());
  return ext.run(fallbackCode, fn);
}

/** Asks the Client's rules (`fn(bindings)`); a failure inside is a typed `invalid_request`. */
export const rules = (fn) => runExt('invalid_request', fn);
