// Types of verifier.js, shared by the Node package (sigwire) and the browser package (sigwire-wasm).
import type { Algorithm, SecretInput, VerifyRequest } from './signer.js';
import type { KeyStore, InMemoryReplayStore, ReplayStore } from './keys.js';

/** An authenticated request whose nonce is not yet claimed (`Verifier.authenticate`). */
export class ReplayTicket {
  private constructor();
  readonly keyId: string;
  readonly scheme: string;
  /** The nonce to claim (`null` for a scheme without nonces). */
  readonly nonce: string | null;
  /** The request's signing time, Unix seconds. */
  readonly timestamp: number;
  /** Keep the nonce until this Unix time (inclusive): timestamp + window. */
  readonly expiresAt: number;
  /** The verifier's time when the request was authenticated. */
  readonly authenticatedAt: number;
}

/** What a replay store of your own answered for a ticket's nonce. */
export type ReplayOutcome = 'fresh' | 'replayed' | 'before_epoch' | 'unavailable';

/** A replay store that claims a whole ticket (e.g. RedisReplayStore, with a shared store's epoch rule). */
export interface TicketReplayStore {
  /** Resolves to the outcome; reject when the store cannot answer (503 replay_store_unavailable). */
  claim(ticket: ReplayTicket): ReplayOutcome | Promise<ReplayOutcome>;
}

export interface VerifierOptions {
  keys: KeyStore | Record<string, SecretInput | SecretInput[]>;
  /** Accepted clock skew either way, seconds (default 300). */
  windowSeconds?: number;
  /** Header names that must be signed when present (else 401 `unsigned_header`), e.g. `['x-http-method-override']`. */
  requireSignedHeaders?: readonly string[];
  /** Default: a private InMemoryReplayStore. */
  replayStore?: InMemoryReplayStore | ReplayStore | TicketReplayStore;
}

export interface Verified {
  keyId: string;
  scheme: string;
  timestamp: number;
}

/** What `Verifier.precheck` read from the request head (claimed, not yet proven). */
export interface Prechecked extends Verified {
  /**
   * The digest the signature covers the body with, as the core reads `Authorization`: hash a
   * streamed body with it (`BodyHasher`) and verify by `bodyDigest`. Null when the scheme needs
   * the bytes, or the back end does not report it.
   */
  bodyAlgorithm: Algorithm | null;
}

export interface VerifyOptions {
  /** Verify as if the time were `now` (Unix seconds). */
  now?: number;
}

/** Verifies signed requests. */
export class Verifier {
  constructor(options: VerifierOptions);
  readonly windowSeconds: number;
  /** Whether nonces are claimed in a store written in JavaScript (then use verifyAsync). */
  readonly hasExternalReplayStore: boolean;
  /** The verifier's clock, Unix seconds. */
  now(): number;
  /** Returns the verified key id, or throws a SigwireError. */
  verify(request: VerifyRequest, options?: VerifyOptions): string;
  verifyDetailed(request: VerifyRequest, options?: VerifyOptions): Verified;
  /** Like verifyDetailed, awaiting an asynchronous replay store. */
  verifyAsync(request: VerifyRequest, options?: VerifyOptions): Promise<Verified>;
  /** The checks that need only the head (missing, malformed, algorithm, stale, unknown key); the body is ignored. */
  precheck(request: VerifyRequest, options?: VerifyOptions): Prechecked;
  /** Step one of two: every check except replay. */
  authenticate(request: VerifyRequest, options?: VerifyOptions): ReplayTicket;
  /** Step two in the verifier's in-memory store. */
  commit(ticket: ReplayTicket): Verified;
  /** Step two with your own store's answer (`true` = fresh, `false` = replayed); throws the core's error unless fresh. */
  settle(ticket: ReplayTicket, outcome: ReplayOutcome | boolean): Verified;
  toJSON(): { windowSeconds: number };
}
