/**
 * The package's second WebAssembly module (bindings/wasm-ext: the HTTP Client's rules), loaded
 * lazily: the first `Client` request fetches and compiles it (once), so a page that only signs or
 * verifies downloads just the main module. `loadClientRules()` loads it earlier, or from another
 * place (a URL, a Response, the bytes or a compiled module), e.g. to preload it or to serve it
 * from a CDN.
 */
import { createBindings } from '../dist/ext-glue.js';
import { createInstance } from './instance.js';
import { compileModule, loadOnce } from './load.js';

const ext = createInstance(
  createBindings,
  'sigwire-wasm (client rules module)',
  '`await loadClientRules()` first (a Client request does it)',
);

/** Where the module comes from when no input is given (the Node entry point reads the file). */
let defaultSource = () =>
  compileModule(new URL('../dist/sigwire_wasm_ext_bg.wasm', import.meta.url), 'loadClientRules()');

/** Replaces the default source of the module (not public API; src/node.js uses it). */
export function setDefaultSource(source) {
  defaultSource = source;
}

/**
 * Loads the client rules module (once; later calls resolve immediately). Without an argument
 * it is fetched from beside the main module (`dist/sigwire_wasm_ext_bg.wasm`).
 * @type {(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module) => Promise<void>}
 */
export const loadClientRules = loadOnce(ext, (input) =>
  input === undefined ? defaultSource() : compileModule(input, 'loadClientRules()'),
);

/** Whether the client rules module is loaded (for tests: a signing-only page never loads it). */
export const clientRulesLoaded = () => ext.ready();

/** How many times the rules module trapped and was replaced (for tests). */
export const extTrapCount = () => ext.trapCount();

/** Asks the rules (`fn(bindings)`); a failure inside is a typed `invalid_request`. */
export const rules = (fn) => ext.run('invalid_request', fn);
