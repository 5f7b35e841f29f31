'use strict';
/** KeyStore and InMemoryReplayStore: the server side's stores, held by the back end (the core's). */

const { makeError } = require('./raise');
const { backend, guard, INSPECT } = require('./backend');
const { secretBytes, wipeIfOwned, requireString, optionalSeconds, describe } = require('./convert');

/** The back end's object behind each store (never a property: it must not show in inspection). */
const HANDLES = new WeakMap();

/** @internal The back end's object behind a KeyStore or InMemoryReplayStore. */
function handleOf(store) {
  const h = HANDLES.get(store);
  if (h === undefined) throw makeError('invalid_config', `expected a sigwire store (got ${describe(store)})`);
  return h;
}

/** Secrets per key id, with rotation (the core's InMemoryKeyStore); secrets live in Rust only. */
class KeyStore {
  /**
   * Creates a store, optionally filled from `{ keyId: secret | secret[] }`.
   * @param {Record<string, any>} [keys]
   */
  constructor(keys) {
    HANDLES.set(this, guard('invalid_config', () => backend().KeyStore()));
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
    try {
      const t = optionalSeconds(notAfter, 'notAfter', 'invalid_config');
      guard('invalid_config', () => handleOf(this).insert(keyId, bytes, t));
    } finally {
      wipeIfOwned(secret, bytes);
    }
    return this;
  }

  /** Adds `newSecret` to `keyId` and retires its existing secrets after `oldNotAfter`. */
  rotate(keyId, newSecret, oldNotAfter) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    const bytes = secretBytes(newSecret, 'newSecret');
    try {
      const t = optionalSeconds(oldNotAfter, 'oldNotAfter', 'invalid_config');
      if (t === undefined) throw makeError('invalid_config', 'oldNotAfter is required');
      guard('invalid_config', () => handleOf(this).rotate(keyId, bytes, t));
    } finally {
      wipeIfOwned(newSecret, bytes);
    }
    return this;
  }

  /** Removes `keyId` and its secrets; returns whether it existed. */
  remove(keyId) {
    requireString(keyId, 'keyId', 'invalid_key_id');
    return guard('invalid_config', () => handleOf(this).remove(keyId));
  }

  toJSON() {
    return {};
  }

  [INSPECT]() {
    return 'KeyStore {}';
  }
}

/** A bounded in-memory replay store for one process (the core's InMemoryReplayStore). */
class InMemoryReplayStore {
  /** @param {{capacity?: number}} [options] capacity: live nonces held at most (default 1 000 000) */
  constructor(options = {}) {
    if (options === null || typeof options !== 'object') throw makeError('invalid_config', 'options must be an object');
    const capacity = options.capacity;
    if (capacity !== undefined && (!Number.isSafeInteger(capacity) || capacity < 1)) {
      throw makeError('invalid_config', 'capacity must be a positive integer');
    }
    HANDLES.set(this, guard('invalid_config', () => backend().ReplayStore(capacity)));
  }

  /** Records (keyId, nonce) until expiresAt; true when new, false for a replay. */
  checkAndRecord(keyId, nonce, expiresAt, now) {
    requireString(keyId, 'keyId', 'invalid_config');
    requireString(nonce, 'nonce', 'invalid_config');
    const exp = optionalSeconds(expiresAt, 'expiresAt', 'invalid_config');
    const at = optionalSeconds(now, 'now', 'invalid_config');
    if (exp === undefined || at === undefined) throw makeError('invalid_config', 'expiresAt and now are required');
    return guard('invalid_config', () => handleOf(this).checkAndRecord(keyId, nonce, exp, at));
  }

  /** Nonces currently held. */
  get size() {
    return guard('invalid_config', () => handleOf(this).size);
  }

  toJSON() {
    return {};
  }

  [INSPECT]() {
    return 'InMemoryReplayStore {}';
  }
}

module.exports = { KeyStore, InMemoryReplayStore, handleOf };
