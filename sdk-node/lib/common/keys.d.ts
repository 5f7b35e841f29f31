// Types of keys.js, shared by the Node package (sigwire) and the browser package (sigwire-wasm).
import type { SecretInput } from './signer.js';

/** Secrets per key id, with rotation (the core's InMemoryKeyStore). */
export class KeyStore {
  /** Optionally filled from `{ keyId: secret | secret[] }`. */
  constructor(keys?: Record<string, SecretInput | SecretInput[]>);
  /** Adds a secret, active until `notAfter` (Unix seconds or Date, inclusive) or forever. */
  insert(keyId: string, secret: SecretInput, notAfter?: number | Date): this;
  /** Adds `newSecret` and retires the existing secrets after `oldNotAfter`. */
  rotate(keyId: string, newSecret: SecretInput, oldNotAfter: number | Date): this;
  /** Removes the key id; returns whether it existed. */
  remove(keyId: string): boolean;
}

/** A replay store implemented in JavaScript (e.g. on Redis `SET NX EXAT`, Workers KV, a Durable Object). */
export interface ReplayStore {
  /**
   * Records `(keyId, nonce)` until `expiresAt` (Unix seconds, inclusive). Returns `true` when new,
   * `false` when already recorded. Throw (or reject) when it cannot record: the request is refused
   * with `replay_store_unavailable`.
   */
  checkAndRecord(keyId: string, nonce: string, expiresAt: number, now: number): boolean | Promise<boolean>;
}

/** A bounded in-memory replay store for one process (the core's InMemoryReplayStore). */
export class InMemoryReplayStore implements ReplayStore {
  constructor(options?: { capacity?: number });
  checkAndRecord(keyId: string, nonce: string, expiresAt: number, now: number): boolean;
  readonly size: number;
}
