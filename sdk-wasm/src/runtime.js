/**
 * The WebAssembly instance behind the API, and the one place where whatever comes out of it is
 * turned into a typed error.
 *
 * A Rust panic in this module (built with panic=immediate-abort) is a WebAssembly trap, after which
 * the instance's memory may be inconsistent. A trap never kills the package: the call that trapped
 * throws a typed `SigwireError`, the instance is replaced by a fresh one from the same compiled
 * module, and every Signer, KeyStore and Verifier rebuilds its Rust object on its next call
 * (see `Slot` in api.js). No input is known to cause a trap: arguments are type-checked in
 * JavaScript and the binding returns errors for everything else; this is the last line of defence
 * (a body too large for WebAssembly memory is the one realistic way to reach it).
 */
import { createBindings } from '../dist/glue.js';
import { SigwireError, makeError } from './errors.js';

/** @type {WebAssembly.Module | null} */
let compiled = null;
/** @type {{ gen: number, b: any } | null} */
let live = null;
let generation = 0;
let traps = 0;

/** Instantiates `module` (a compiled WebAssembly.Module) if no instance is live yet. */
export function install(module) {
  if (!(module instanceof WebAssembly.Module)) {
    throw makeError('invalid_config', 'sigwire-wasm: install() needs a compiled WebAssembly.Module');
  }
  if (live) return;
  compiled = module;
  instantiate();
}

/** Whether a module is installed. */
export function ready() {
  return live !== null;
}

function instantiate() {
  const b = createBindings();
  b.initSync({ module: compiled });
  live = { gen: ++generation, b };
}

/** The live bindings `{ gen, b }`; throws a typed error before init. */
export function current() {
  if (!live) {
    throw makeError(
      'invalid_config',
      'sigwire-wasm is not initialised: `await init()` first (the Node build initialises itself)',
    );
  }
  return live;
}

/** How many times an instance trapped and was replaced (for tests and monitoring). */
export function trapCount() {
  return traps;
}

/**
 * Runs `fn(bindings)` and converts anything it throws: a core error becomes its SigwireError
 * subclass, a trap replaces the instance and becomes `invalid_request`, anything else
 * (a JavaScript exception inside the generated glue) becomes `fallbackCode`.
 */
export function run(fallbackCode, fn) {
  const cur = current();
  try {
    return fn(cur.b, cur.gen);
  } catch (e) {
    throw convert(e, cur, fallbackCode);
  }
}

function convert(e, cur, fallbackCode) {
  if (e instanceof SigwireError) return e;
  if (e instanceof cur.b.Failure) {
    const err = makeError(e.code, e.message, {
      httpStatus: e.httpStatus,
      skewSeconds: e.skewSeconds,
      serverTime: e.serverTime,
    });
    e.free();
    return err;
  }
  if (e instanceof WebAssembly.RuntimeError) {
    traps++;
    if (live === cur) {
      live = null;
      instantiate();
    }
    return makeError(
      'invalid_request',
      `sigwire-wasm: the WebAssembly instance trapped (${e.message}); it was replaced by a fresh one. ` +
        'Usually this means a body too large for WebAssembly memory; otherwise please report it.',
    );
  }
  // wasm-bindgen's own message may quote the value (a misplaced secret): it is not repeated.
  return makeError(fallbackCode, 'invalid argument: an argument has the wrong type');
}

/**
 * Self-test hook (not public API): makes the Rust side panic, so tests can check that the
 * panic surfaces as a typed error and that the package keeps working afterwards.
 */
export function selfTestPanic() {
  return run('invalid_request', (b) => b.__selfTestPanic());
}
