/**
 * One WebAssembly module's live instance, and the one place where whatever comes out of it is
 * turned into a typed error. The package has two modules, each with one of these: the main one
 * (runtime.js: Signer, Verifier, …) and the lazily loaded one (ext.js: the Client's rules).
 *
 * A Rust panic (modules built with panic=immediate-abort) is a WebAssembly trap, after which the
 * instance's memory may be inconsistent. A trap never kills the package: the call that trapped
 * throws a typed `SigwireError`, the instance is replaced by a fresh one from the same compiled
 * module, and objects holding Rust state rebuild it on their next call (see `Slot` in the shared
 * API). No input is known to cause a trap: arguments are type-checked in JavaScript and the
 * bindings return errors for everything else; this is the last line of defence.
 */
import { SigwireError, makeError } from './errors.js';

/**
 * A holder for the instances of one module.
 * @param {() => any} createBindings the module's glue factory (scripts/glue.mjs)
 * @param {string} name the module's name in messages
 * @param {string} notReady what to do when it is used before being installed
 */
export function createInstance(createBindings, name, notReady) {
  /** @type {WebAssembly.Module | null} */
  let compiled = null;
  /** @type {{ gen: number, b: any } | null} */
  let live = null;
  let generation = 0;
  let traps = 0;

  function instantiate() {
    const b = createBindings();
    b.initSync({ module: compiled });
    live = { gen: ++generation, b };
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
        `${name}: the WebAssembly instance trapped (${e.message}); it was replaced by a fresh one. ` +
          'Usually this means a body too large for WebAssembly memory; otherwise please report it.',
      );
    }
    // wasm-bindgen's own message may quote the value (a misplaced secret): it is not repeated.
    return makeError(fallbackCode, 'invalid argument: an argument has the wrong type');
  }

  return {
    /** Instantiates `module` (a compiled WebAssembly.Module) if no instance is live yet. */
    install(module) {
      if (!(module instanceof WebAssembly.Module)) {
        throw makeError('invalid_config', `${name}: install() needs a compiled WebAssembly.Module`);
      }
      if (live) return;
      compiled = module;
      instantiate();
    },
    /** Whether a module is installed. */
    ready: () => live !== null,
    /** The live bindings `{ gen, b }`; throws a typed error before install. */
    current() {
      if (!live) throw makeError('invalid_config', `${name} is not initialised: ${notReady}`);
      return live;
    },
    /** How many times an instance trapped and was replaced (for tests and monitoring). */
    trapCount: () => traps,
    /**
     * Runs `fn(bindings, generation)` and converts anything it throws: a Rust error becomes its
     * SigwireError subclass, a trap replaces the instance and becomes `invalid_request`, anything
     * else (a JavaScript exception inside the generated glue) becomes `fallbackCode`.
     */
    run(fallbackCode, fn) {
      const cur = this.current();
      try {
        return fn(cur.b, cur.gen);
      } catch (e) {
        throw convert(e, cur, fallbackCode);
      }
    },
  };
}
