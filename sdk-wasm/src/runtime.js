/**
 * The main WebAssembly module's instance (bindings/wasm: Signer, KeyStore, Verifier, …) behind
 * the API; errors and traps are handled by instance.js, shared with the lazily loaded module.
 */
import { createBindings } from '../dist/glue.js';
import { createInstance } from './instance.js';

const main = createInstance(
  createBindings,
  'sigwire-wasm',
  '`await init()` first (the Node build initialises itself)',
);

/** Instantiates `module` (a compiled WebAssembly.Module) if no instance is live yet. */
export const install = (module) => main.install(module);
/** Whether a module is installed. */
export const ready = () => main.ready();
/** The live bindings `{ gen, b }`; throws a typed error before init. */
export const current = () => main.current();
/** How many times an instance trapped and was replaced (for tests and monitoring). */
export const trapCount = () => main.trapCount();
/** Runs `fn(bindings)`, converting what it throws into a typed error (see instance.js). */
export const run = (fallbackCode, fn) => main.run(fallbackCode, fn);

/**
 * Self-test hook (not public API): makes the Rust side panic, so tests can check that the
 * panic surfaces as a typed error and that the package keeps working afterwards.
 */
export function selfTestPanic() {
  return run('invalid_request', (b) => b.__selfTestPanic());
}
