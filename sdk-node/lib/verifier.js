'use strict';
/** Verifier, KeyStore and InMemoryReplayStore: the server side (logic lives in the Rust core). */

const util = require('node:util');
const native = require('./native');
const { fromNative, makeError, SigwireError } = require('./errors');
const { toBytes, secretBytes, wipeIfOwned, requireString, urlString, flattenHeaders, optionalSeconds, describe } = require('./convert');

/** Secrets per key id, with rotation. Wraps the core's InMemoryKeyStore; secrets live in Rust only. */
class KeyStore {
  #native = new native.NativeKeyStore();

  /**
   * Creates a store, optionally filled from `{ keyId: secret | secret[] }`.
   * @param {Record<string, any>} [keys]
   */
  constructor(keys) {
    if (keys === undefined || keys === null) return;
    if (typeof keys !== 'object' || Array.isArray(keys)) {
      throw makeError('invalid_config', `keys must be an object mapping key ids to secrets (got ${describe(keys)})`);
    }
    for (const [keyId, secrets] of Object.entries(keys)) {
      for (const secret of Array.isArray(secrets) ? secrets : [secrets]) this.insert(keyId, secret);
    }
  }

  /** Adds a secret to `keyId` (beside any it has), active until `notAfter` (Unix seconds or Date, inclusive). */
  insert(keyId, secret, notAfter) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretBytes(secret);
    const t = optionalSeconds(notAfter, 'notAfter', 'invalid_config');
    try {
      this.#native.insert(keyId, bytes, t);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    } finally {
      wipeIfOwned(secret, bytes);
    }
    return this;
  }

  /** Adds `newSecret` to `keyId` and retires its existing secrets after `oldNotAfter`. */
  rotate(keyId, newSecret, oldNotAfter) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretBytes(newSecret, 'newSecret');
    const t = optionalSeconds(oldNotAfter, 'oldNotAfter', 'invalid_config');
    if (t === undefined) throw makeError('invalid_config', 'oldNotAfter is required');
    try {
      this.#native.rotate(keyId, bytes, t);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    } finally {
      wipeIfOwned(newSecret, bytes);
    }
    return this;
  }

  /** Removes `keyId` and its secrets; returns whether it existed. */
  remove(keyId) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    try {
      return this.#native.remove(keyId);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
  }

  /** @internal the native store, for Verifier. */
  static native(store) {
    return store.#native;
  }

  toJSON() {
    return {};
  }

  [util.inspect.custom]() {
    return 'KeyStore {}';
  }
}

/** A bounded in-memory replay store for one process (the core's InMemoryReplayStore). */
class InMemoryReplayStore {
  #native;

  /** @param {{capacity?: number}} [options] capacity: live nonces held at most (default 1 000 000) */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw makeError('invalid_config', 'options must be an object');
    if (options.capacity !== undefined && (!Number.isSafeInteger(options.capacity) || options.capacity < 1)) {
      throw makeError('invalid_config', 'capacity must be a positive integer');
    }
    try {
      this.#native = new native.NativeReplayStore(options.capacity);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
  }

  /** Records (keyId, nonce) until expiresAt; true when new, false for a replay. */
  checkAndRecord(keyId, nonce, expiresAt, now) {
    try {
      return this.#native.checkAndRecord(keyId, nonce, expiresAt, now);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
  }

  /** Nonces currently held. */
  get size() {
    return this.#native.size;
  }

  /** @internal */
  static native(store) {
    return store.#native;
  }
}

class Verifier {
  #native;
  #jsReplay;
  #window;

  /**
   * @param {{keys: KeyStore | Record<string, any>, windowSeconds?: number, replayStore?: InMemoryReplayStore | {checkAndRecord: Function}}} options
   */
  constructor(options) {
    if (options === null || typeof options !== 'object') {
      throw makeError('invalid_config', `Verifier options must be an object (got ${describe(options)})`);
    }
    const { keys, windowSeconds = 300, replayStore } = options;
    const store = keys instanceof KeyStore ? keys : new KeyStore(keys === undefined ? throwNoKeys() : keys);
    const window = optionalSeconds(windowSeconds, 'windowSeconds', 'invalid_config');
    let nativeReplay;
    if (replayStore instanceof InMemoryReplayStore) {
      nativeReplay = InMemoryReplayStore.native(replayStore);
    } else if (replayStore !== undefined && replayStore !== null) {
      if (typeof replayStore.checkAndRecord !== 'function') {
        throw makeError('invalid_config', 'replayStore must be an InMemoryReplayStore or have a checkAndRecord(keyId, nonce, expiresAt, now) method');
      }
      this.#jsReplay = replayStore;
    }
    try {
      this.#native = new native.NativeVerifier(KeyStore.native(store), window, nativeReplay, this.#jsReplay !== undefined);
    } catch (e) {
      throw fromNative(e, 'invalid_config');
    }
    this.#window = window;
  }

  /** The timestamp window in seconds. */
  get windowSeconds() {
    return this.#window;
  }

  /** The verifier's clock, Unix seconds (for the server time header). */
  now() {
    return this.#native.now();
  }

  /**
   * Verifies a request and returns the key id, or throws a SigwireError.
   * With a replay store whose checkAndRecord returns a Promise, use verifyAsync.
   * @param {{method: string, url: string|URL, headers?: any, body?: any}} request
   * @param {{now?: number}} [options] verify as if the time were `now` (tests)
   */
  verify(request, options) {
    if (this.#jsReplay !== undefined) return this.verifyDetailed(request, options).keyId;
    return this.#run(request, options, true);
  }

  /** Like verify, but returns `{ keyId, scheme, timestamp }`. */
  verifyDetailed(request, options) {
    const result = this.#run(request, options);
    if (result.replay) {
      const recorded = this.#jsCheck(result.replay);
      if (recorded && typeof recorded.then === 'function') {
        recorded.then(undefined, () => {});
        throw makeError('invalid_config', 'the replay store is asynchronous; call verifyAsync', { serverTime: result.replay.now });
      }
      settleReplay(recorded, result.replay);
    }
    return { keyId: result.keyId, scheme: result.scheme, timestamp: result.timestamp };
  }

  /** Verifies, awaiting an asynchronous replay store; resolves to `{ keyId, scheme, timestamp }`. */
  async verifyAsync(request, options) {
    const result = this.#run(request, options);
    if (result.replay) {
      let recorded;
      try {
        recorded = await this.#jsCheck(result.replay);
      } catch (e) {
        throw storeFailure(e, result.replay);
      }
      settleReplay(recorded, result.replay);
    }
    return { keyId: result.keyId, scheme: result.scheme, timestamp: result.timestamp };
  }

  #run(request, options, keyIdOnly = false) {
    if (request === null || typeof request !== 'object') {
      throw makeError('invalid_request', `the request must be an object (got ${describe(request)})`, { serverTime: this.now() });
    }
    let now;
    try {
      const method = requireString(request.method, 'method', 'invalid_request');
      const url = urlString(request.url);
      const headers = flattenHeaders(request.headers);
      const body = toBytes(request.body, 'body', 'invalid_request');
      now = options && options.now !== undefined ? optionalSeconds(options.now, 'now', 'invalid_config') : undefined;
      return keyIdOnly
        ? this.#native.verifyKeyId(method, url, headers, body, now)
        : this.#native.verify(method, url, headers, body, now);
    } catch (e) {
      const err = fromNative(e, 'invalid_request');
      if (err.serverTime === undefined) err.serverTime = now ?? this.now();
      throw err;
    }
  }

  #jsCheck(r) {
    try {
      return this.#jsReplay.checkAndRecord(r.keyId, r.nonce, r.expiresAt, r.now);
    } catch (e) {
      throw storeFailure(e, r);
    }
  }

  toJSON() {
    return { windowSeconds: this.#window };
  }

  [util.inspect.custom](depth, options, inspect) {
    return `Verifier ${(inspect || util.inspect)(this.toJSON(), options)}`;
  }
}

function throwNoKeys() {
  throw makeError('invalid_config', 'keys is required: a KeyStore or { keyId: secret | secret[] }');
}

function settleReplay(recorded, r) {
  if (recorded !== true && recorded !== false) {
    throw makeError('replay_store_unavailable', 'the replay store returned neither true nor false', { serverTime: r.now });
  }
  if (!recorded) {
    throw makeError('replayed_nonce', 'this nonce was already used; sign each request afresh', { serverTime: r.now });
  }
}

function storeFailure(e, r) {
  if (e instanceof SigwireError) return e;
  const err = makeError('replay_store_unavailable', 'the replay store failed to record the nonce', { serverTime: r.now });
  err.cause = e;
  return err;
}

module.exports = { Verifier, KeyStore, InMemoryReplayStore };
