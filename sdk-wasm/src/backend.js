/**
 * The WebAssembly back end (wasm-bindgen, bindings/wasm) of the API shared with the Node package
 * (sdk-node/lib/common/, generated into dist/common/ as ES modules): installed when the package
 * loads; its calls work once the module is instantiated (init() in browsers, on import in Node).
 *
 * What only WebAssembly needs lives here: headers packed into one string (one crossing instead of
 * one per header), string bodies encoded straight into WebAssembly memory, results freed, and
 * Rust objects that survive an instance replaced after a trap (runtime.js): each keeps how to
 * build its Rust object and builds it again on the fresh instance at its next call (`Slot`).
 */
import { run } from './runtime.js';
import { install } from '../dist/common/backend.js';
import { makeError } from '../dist/common/raise.js';
import { fetchClient } from './client.js';

/** A Rust object rebuilt on each new instance generation. */
class Slot {
  constructor(build) {
    this.build = build;
    this.gen = 0;
    this.handle = null;
  }

  get(b, gen) {
    if (this.gen !== gen) {
      this.handle = this.build(b, gen);
      this.gen = gen;
    }
    return this.handle;
  }
}

/** One packed piece: the text, `\0`-terminated, with `\0` and `\x01` escaped (see bindings/wasm `unpack`). */
const ESCAPABLE = /[\0\x01]/;
function piece(s) {
  return (ESCAPABLE.test(s) ? s.replace(/[\0\x01]/g, (c) => (c === '\0' ? '\x010' : '\x011')) : s) + '\0';
}

/** [name, value, ...] -> one packed string. */
function pack(flat) {
  let out = '';
  for (const s of flat) out += piece(s);
  return out;
}

/** Bytes of a body the back end was given as a string or bytes. */
function bytesOf(body) {
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

/** A WasmVerified (freed here) -> `{ keyId, scheme, timestamp }`. */
function plain(v) {
  try {
    return { keyId: v.keyId, scheme: v.scheme, timestamp: v.timestamp };
  } finally {
    v.free();
  }
}

/** The getters of a WasmSignature, read out before it is freed. */
const SIGNATURE_FIELDS = ['authorization', 'canonicalString', 'signature', 'timestamp', 'nonce', 'signedHeaders'];

function signer(keyId, secret, algorithm, signedHeaders, policy) {
  // A private copy: the caller wipes its bytes, and a fresh instance needs them again.
  const bytes = secret.slice();
  const slot = new Slot((b) => new b.WasmSigner(keyId, bytes, algorithm, signedHeaders.slice(), policy));
  const first = run('invalid_config', (b, gen) => slot.get(b, gen));
  return {
    keyId: first.keyId,
    algorithm: first.algorithm,
    headerPolicy: first.headerPolicy,
    authorization(method, url, headers, body, timestamp, nonce) {
      return run('invalid_request', (b, gen) => {
        const h = slot.get(b, gen);
        return typeof body === 'string'
          ? h.authorizationText(method, url, headers, body, timestamp, nonce)
          : h.authorization(method, url, headers, body, timestamp, nonce);
      });
    },
    sign(method, url, headers, body, timestamp, nonce) {
      const data = bytesOf(body);
      return run('invalid_request', (b, gen) => {
        const s = slot.get(b, gen).sign(method, url, headers, data, timestamp, nonce);
        try {
          return Object.fromEntries(SIGNATURE_FIELDS.map((f) => [f, s[f]]));
        } finally {
          s.free();
        }
      });
    },
  };
}

function keyStore() {
  /** Replayed on a fresh instance after a trap. @type {Array<{keyId: string, apply: (h: any) => void}>} */
  const journal = [];
  const slot = new Slot((b) => {
    const h = new b.WasmKeyStore();
    for (const op of journal) op.apply(h);
    return h;
  });
  run('invalid_config', (b, gen) => slot.get(b, gen));
  const apply = (keyId, fn) => {
    run('invalid_config', (b, gen) => fn(slot.get(b, gen)));
    journal.push({ keyId, apply: fn });
  };
  return {
    slot,
    insert(keyId, secret, notAfter) {
      const bytes = secret.slice();
      apply(keyId, (h) => h.insert(keyId, bytes, notAfter));
    },
    rotate(keyId, secret, oldNotAfter) {
      const bytes = secret.slice();
      apply(keyId, (h) => h.rotate(keyId, bytes, oldNotAfter));
    },
    remove(keyId) {
      const existed = run('invalid_config', (b, gen) => slot.get(b, gen).remove(keyId));
      const kept = journal.filter((op) => op.keyId !== keyId);
      journal.length = 0;
      journal.push(...kept);
      return existed;
    },
  };
}

function replayStore(capacity) {
  // Latest expiry recorded, Unix seconds: after a trap, nonces up to it may have been forgotten,
  // so while `now <= unsafeUntil` the store refuses (replay_store_unavailable): fail closed.
  let maxExpiry = -1;
  let unsafeUntil = -1;
  let built = 0;
  const slot = new Slot((b) => {
    if (built++ > 0) unsafeUntil = Math.max(unsafeUntil, maxExpiry);
    return new b.WasmReplayStore(capacity);
  });
  run('invalid_config', (b, gen) => slot.get(b, gen));
  return {
    slot,
    /** Refuses while nonces lost in a trap could still be replayed. */
    check(now) {
      if (now <= unsafeUntil) {
        throw makeError(
          'replay_store_unavailable',
          'the replay store was lost when the WebAssembly instance trapped; refusing until the nonces it held have expired',
        );
      }
    },
    noteExpiry(expiresAt) {
      if (expiresAt > maxExpiry) maxExpiry = expiresAt;
    },
    checkAndRecord(keyId, nonce, expiresAt, now) {
      const recorded = run('invalid_config', (b, gen) => {
        const h = slot.get(b, gen);
        this.check(now);
        return h.checkAndRecord(keyId, nonce, expiresAt, now);
      });
      this.noteExpiry(expiresAt);
      return recorded;
    },
    get size() {
      return run('invalid_config', (b, gen) => slot.get(b, gen).size);
    },
  };
}

function verifier(keys, window, replay, required) {
  const slot = new Slot((b, gen) => {
    const k = keys.slot.get(b, gen);
    return replay
      ? new b.WasmVerifier(k, replay.slot.get(b, gen), window, required.slice())
      : b.WasmVerifier.withExternalReplay(k, window, required.slice());
  });
  run('invalid_config', (b, gen) => slot.get(b, gen));
  const finish = (t, fn) =>
    run('replay_store_unavailable', (b, gen) => {
      if (gen !== t.gen) {
        // The instance that authenticated the request trapped: its ticket is gone (fail closed).
        throw makeError('replay_store_unavailable', 'the WebAssembly instance was replaced after this request was authenticated; verify it again');
      }
      return plain(fn(slot.get(b, gen), t.raw));
    });
  return {
    now: () => run('invalid_config', (b, gen) => slot.get(b, gen).now()),
    verify(method, url, headers, body, now) {
      const data = bytesOf(body);
      return run('invalid_request', (b, gen) => {
        const h = slot.get(b, gen);
        if (replay) replay.check(now ?? h.now());
        const v = plain(h.verify(method, url, headers, data, now));
        if (replay) replay.noteExpiry(v.timestamp + window);
        return v;
      });
    },
    precheck: (method, url, headers, now) => run('invalid_request', (b, gen) => plain(slot.get(b, gen).precheck(method, url, headers, now))),
    authenticate(method, url, headers, body, now) {
      const data = bytesOf(body);
      return run('invalid_request', (b, gen) => {
        const raw = slot.get(b, gen).authenticate(method, url, headers, data, now);
        return {
          keyId: raw.keyId,
          scheme: raw.scheme,
          nonce: raw.nonce,
          timestamp: raw.timestamp,
          expiresAt: raw.expiresAt,
          authenticatedAt: raw.authenticatedAt,
          raw,
          gen,
        };
      });
    },
    commit: (t) => finish(t, (v, raw) => v.commit(raw)),
    settle: (t, word) => finish(t, (v, raw) => v.settle(raw, word)),
  };
}

install({
  name: 'wasm',
  // Every call goes through run(), which throws SigwireErrors; anything else is an argument the
  // glue refused (its own message may quote the value, a misplaced secret: not repeated).
  error: (_e, fallbackCode) => makeError(fallbackCode, 'invalid argument: an argument has the wrong type'),
  headers: pack,
  body: (b) => b,
  Signer: signer,
  KeyStore: keyStore,
  ReplayStore: replayStore,
  Verifier: verifier,
  // The HTTP Client's engine: fetch over the client rules of the second module (client.js).
  Client: fetchClient,
});
