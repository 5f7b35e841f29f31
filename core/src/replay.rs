//! Replay protection: remember each (key id, nonce) for as long as its timestamp can be accepted.

use std::collections::hash_map::RandomState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;

use crate::error::{Error, ErrorCode};

/// Records nonces so that each is accepted once.
pub trait ReplayStore: Send + Sync {
    /// Records `(key_id, nonce)` until `expires_at` (Unix seconds, inclusive).
    ///
    /// Returns `Ok(true)` when the pair is new, `Ok(false)` when it was already recorded and has
    /// not expired. A store that cannot record must return an error
    /// (`replay_store_unavailable`), never `Ok(true)`.
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, Error>;
}

/// Default capacity of [`InMemoryReplayStore`].
pub const DEFAULT_REPLAY_CAPACITY: usize = 1_000_000;

/// A bounded in-memory replay store for a single process.
///
/// It never forgets a nonce before it expires: when it holds `capacity` live nonces it refuses new
/// ones with `replay_store_unavailable` (the server answers 503) rather than evict a live one.
/// Expired entries are swept as new ones arrive (amortised O(1)), so memory stays proportional to
/// the traffic of one window. Use a shared store (e.g. Redis) when a service runs on several
/// instances.
///
/// **Per-key quota.** Each key id may hold at most [`per_key_quota`](Self::per_key_quota) live
/// nonces (default [`DEFAULT_PER_KEY_QUOTA`](Self::DEFAULT_PER_KEY_QUOTA), capped at the capacity).
/// A key holder who fills its quota — for example with future-dated requests, whose nonces live up
/// to twice the window — gets `replay_store_unavailable` for its own key only; every other key keeps
/// working. The quota is also a rate limit: a key can make at most `quota` requests per window (plus
/// the skew its clock allows), so raise it for keys that legitimately send more.
///
/// **Clocks that jump.** Sweeping forgets nonces that expired before the `now` of the sweep. If the
/// verifier's clock later reads earlier again, a forgotten nonce could pass the window check once
/// more, so the store keeps the highest cut-off it ever swept at (a monotonic high-water mark) and
/// refuses, with `replay_store_unavailable`, any new nonce that expires before it: it can no longer
/// prove such a nonce is fresh. A clock that went back costs availability for at most the distance
/// it went back, never a replay (SPEC §6 step 5).
///
/// **Memory.** Each `(key id, nonce)` pair is stored as a 64-bit SipHash under a per-process random
/// key with its expiry as 32-bit Unix seconds (saturating: an expiry past 2106 is kept until the
/// end of 32-bit time, never forgotten early) in an open-addressing table: 12 bytes of payload and
/// one control byte per slot, 13 to 30 bytes per held nonce with the table's free slots
/// ([`heap_bytes`](Self::heap_bytes); `cargo bench -p sigwire-core --bench replay_store`). The
/// `memory_per_nonce` test measures and prints it: about 20 bytes resident per nonce for one key
/// at the default quota, so about 2 MiB per key at its quota and about 19 MiB for the default
/// capacity. Two different pairs
/// colliding would make the later one look replayed (a refused request, never an accepted replay);
/// with a million live nonces the chance per request is about 2⁻⁴⁴, and nobody can aim for it
/// without the random key.
///
/// ```
/// use sigwire_core::{InMemoryReplayStore, ReplayStore};
///
/// let store = InMemoryReplayStore::with_capacity(1_000).with_per_key_quota(2);
/// assert!(store.check_and_record("noisy", "n1", 1_000, 0)?);
/// assert!(store.check_and_record("noisy", "n2", 1_000, 0)?);
/// // The noisy key is at its quota: refused, fail closed…
/// assert!(store.check_and_record("noisy", "n3", 1_000, 0).is_err());
/// // …while every other key still records.
/// assert!(store.check_and_record("quiet", "n1", 1_000, 0)?);
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Debug)]
pub struct InMemoryReplayStore {
    capacity: usize,
    per_key_quota: usize,
    hasher: RandomState,
    inner: Mutex<Inner>,
}

type PreHashedMap<V> = HashMap<u64, V, BuildHasherDefault<PreHashed>>;

#[derive(Debug, Default)]
struct Inner {
    /// Key id hash → that key's live nonces.
    keys: PreHashedMap<KeyNonces>,
    /// Nonces held across all keys.
    total: usize,
    /// Sweep every key once `total` reaches this.
    next_sweep: usize,
    /// The highest cut-off ever swept at (never lowered): a nonce expiring before it may have been
    /// forgotten, so it is refused.
    swept_through: u64,
    /// A lower bound of the earliest expiry held by any key (`u32::MAX` when none): a sweep of
    /// every key before it would forget nothing, so it is skipped in O(1).
    min_expiry: u32,
}

/// One key id's nonces.
#[derive(Debug)]
struct KeyNonces {
    /// Pair hash → expiry (Unix seconds, inclusive, saturated to 32 bits: [`secs32`]).
    expiry: HashMap<PairHash, u32, BuildHasherDefault<PreHashed>>,
    /// Sweep this key once it holds this many.
    next_sweep: usize,
    /// Full scans of this key's nonces so far (tests check that a key at its quota scans nothing).
    scans: u64,
    /// The earliest expiry held (`u32::MAX` when none): a sweep before it would forget nothing,
    /// so it is skipped in O(1) (a key at its quota with nothing expired costs no scan).
    min_expiry: u32,
}

impl KeyNonces {
    fn new() -> Self {
        KeyNonces {
            expiry: HashMap::default(),
            next_sweep: MIN_KEY_SWEEP,
            scans: 0,
            min_expiry: u32::MAX,
        }
    }
}

/// A pair's 64-bit hash as two 32-bit halves, so a slot `(PairHash, u32)` is 12 bytes (4-byte
/// aligned) instead of the 16 of `(u64, u64)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct PairHash([u32; 2]);

impl PairHash {
    fn new(h: u64) -> Self {
        PairHash([(h >> 32) as u32, h as u32])
    }
}

impl std::hash::Hash for PairHash {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from(self.0[0]) << 32 | u64::from(self.0[1]));
    }
}

/// Unix seconds in 32 bits, saturating: times past 2106 all read as the last second, so an
/// expiry there is never before a `now` there (remembered too long, never forgotten early).
fn secs32(t: u64) -> u32 {
    u32::try_from(t).unwrap_or(u32::MAX)
}

/// The map's keys are already SipHash outputs: hashing them again would only cost time.
#[derive(Debug, Default)]
struct PreHashed(u64);

impl Hasher for PreHashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used for u64 keys; fold anything else in for completeness.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Smallest total at which a sweep of every key runs.
const MIN_SWEEP: usize = 1024;
/// Smallest size at which one key's nonces are swept.
const MIN_KEY_SWEEP: usize = 64;

impl Default for InMemoryReplayStore {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_REPLAY_CAPACITY)
    }
}

impl InMemoryReplayStore {
    /// Default [`per_key_quota`](Self::per_key_quota): live nonces one key id may hold.
    pub const DEFAULT_PER_KEY_QUOTA: usize = 100_000;

    /// A store holding at most `capacity` live nonces in total, and at most
    /// [`DEFAULT_PER_KEY_QUOTA`](Self::DEFAULT_PER_KEY_QUOTA) (or `capacity`, if smaller) per key id.
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        InMemoryReplayStore {
            capacity,
            per_key_quota: Self::DEFAULT_PER_KEY_QUOTA.min(capacity),
            hasher: RandomState::new(),
            inner: Mutex::new(Inner {
                next_sweep: MIN_SWEEP,
                min_expiry: u32::MAX,
                ..Inner::default()
            }),
        }
    }

    /// The same store with at most `quota` live nonces per key id (at least 1).
    pub fn with_per_key_quota(mut self, quota: usize) -> Self {
        self.per_key_quota = quota.max(1);
        self
    }

    /// The most live nonces this store holds before refusing new ones.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The most live nonces one key id may hold before its new ones are refused.
    pub fn per_key_quota(&self) -> usize {
        self.per_key_quota
    }

    /// Number of nonces currently held (live or not yet swept).
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.total).unwrap_or(0)
    }

    /// Number of nonces currently held for `key_id` (live or not yet swept).
    pub fn len_for_key(&self, key_id: &str) -> usize {
        let key = self.hasher.hash_one(key_id);
        self.inner
            .lock()
            .map(|i| i.keys.get(&key).map_or(0, |k| k.expiry.len()))
            .unwrap_or(0)
    }

    /// Whether the store holds no nonce.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the store's hash tables hold on the heap, from their capacities: one 12-byte slot
    /// (pair hash, expiry) and one control byte per bucket, buckets a power of two at most 7/8
    /// full (the standard library's hash table). Divide by [`len`](Self::len) for bytes per
    /// remembered nonce; `cargo bench -p sigwire-core --bench replay_store` prints it.
    pub fn heap_bytes(&self) -> usize {
        let Ok(inner) = self.inner.lock() else {
            return 0;
        };
        let table = |cap: usize, entry: usize| {
            let buckets = if cap == 0 {
                0
            } else {
                (cap * 8 / 7).next_power_of_two().max(4)
            };
            buckets * (entry + 1) + 16
        };
        table(inner.keys.capacity(), 8 + std::mem::size_of::<KeyNonces>())
            + inner
                .keys
                .values()
                .map(|k| table(k.expiry.capacity(), 12))
                .sum::<usize>()
    }
}

impl KeyNonces {
    /// Forgets the nonces that expired before `cutoff`; returns how many.
    fn sweep(&mut self, cutoff: u64) -> usize {
        let before = self.expiry.len();
        let cutoff = secs32(cutoff);
        if self.min_expiry >= cutoff {
            // Nothing has expired: no scan (issue found by profiling the gateway: a key at its
            // quota used to scan all its nonces on every request, under the store's lock).
            self.next_sweep = (2 * before).max(MIN_KEY_SWEEP);
            return 0;
        }
        let mut min = u32::MAX;
        self.expiry.retain(|_, at| {
            let keep = *at >= cutoff;
            if keep {
                min = min.min(*at);
            }
            keep
        });
        self.min_expiry = min;
        self.scans += 1;
        let after = self.expiry.len();
        // Give memory back after a flood, keeping room to grow.
        if self.expiry.capacity() > 4 * after.max(MIN_KEY_SWEEP) {
            self.expiry.shrink_to(2 * after);
        }
        // Next sweep when this key's nonces have doubled: each is swept O(1) times on average.
        self.next_sweep = (2 * after).max(MIN_KEY_SWEEP);
        before - after
    }
}

impl Inner {
    /// Nonces that expired before `cutoff` were forgotten: refuse any that expire before it.
    fn raise_watermark(&mut self, cutoff: u64) {
        self.swept_through = self.swept_through.max(cutoff);
    }

    fn sweep_all(&mut self, cutoff: u64) {
        if self.min_expiry >= secs32(cutoff) {
            self.next_sweep = (2 * self.total).max(MIN_SWEEP);
            return;
        }
        let (mut removed, mut min) = (0, u32::MAX);
        self.keys.retain(|_, k| {
            removed += k.sweep(cutoff);
            min = min.min(k.min_expiry);
            !k.expiry.is_empty()
        });
        self.min_expiry = min;
        self.total -= removed;
        if removed > 0 {
            // Only a sweep that forgot something can let a nonce through later.
            self.raise_watermark(cutoff);
        }
        self.next_sweep = (2 * self.total).max(MIN_SWEEP);
    }
}

fn unavailable(message: &'static str) -> Error {
    Error::new(ErrorCode::ReplayStoreUnavailable, message)
}

impl ReplayStore for InMemoryReplayStore {
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, Error> {
        // One SipHash pass: the key id's hash, then the same state continued over the nonce for
        // the pair's. `str` hashes with a terminator, so the pair is unambiguous.
        let mut state = self.hasher.build_hasher();
        key_id.hash(&mut state);
        let key = state.finish();
        nonce.hash(&mut state);
        let pair = PairHash::new(state.finish());
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| unavailable("replay store lock poisoned"))?;
        let inner = &mut *guard;
        if let Some(&at) = inner.keys.get(&key).and_then(|k| k.expiry.get(&pair)) {
            if at >= secs32(now) {
                return Ok(false);
            }
        }
        if expires_at < inner.swept_through {
            return Err(unavailable(
                "the clock reads earlier than when this replay store last forgot expired nonces; \
                 refusing rather than risk accepting a replay (this ends once the clock catches up)",
            ));
        }
        // This key's quota first, so a key at its quota is refused even when the store has room.
        let (removed, full) = {
            let k = inner.keys.entry(key).or_insert_with(KeyNonces::new);
            let len = k.expiry.len();
            let removed = if len >= k.next_sweep || len >= self.per_key_quota {
                k.sweep(now)
            } else {
                0
            };
            (removed, k.expiry.len() >= self.per_key_quota)
        };
        if removed > 0 {
            inner.total -= removed;
            inner.raise_watermark(now);
        }
        if full {
            return Err(unavailable(
                "this key id holds its quota of live nonces in the replay store; \
                 refusing rather than forgetting one (other keys are unaffected)",
            ));
        }
        if inner.total >= inner.next_sweep || inner.total >= self.capacity {
            inner.sweep_all(now);
        }
        if inner.total >= self.capacity {
            return Err(unavailable(
                "replay store is full of live nonces; refusing rather than forgetting one",
            ));
        }
        let k = inner.keys.entry(key).or_insert_with(KeyNonces::new);
        let at = secs32(expires_at);
        k.min_expiry = k.min_expiry.min(at);
        inner.min_expiry = inner.min_expiry.min(at);
        if k.expiry.insert(pair, at).is_none() {
            inner.total += 1;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{FixedClock, InMemoryKeyStore, Request, SignOptions, Signer, Verifier};

    #[test]
    fn second_use_is_a_replay_until_expiry() {
        let s = InMemoryReplayStore::with_capacity(10);
        assert!(s.check_and_record("k", "n1", 100, 0).unwrap());
        assert!(!s.check_and_record("k", "n1", 100, 50).unwrap());
        assert!(!s.check_and_record("k", "n1", 100, 100).unwrap());
        // Same nonce, other key: independent.
        assert!(s.check_and_record("k2", "n1", 100, 50).unwrap());
        // After expiry the entry may be forgotten (the timestamp is then outside the window anyway).
        assert!(s.check_and_record("k", "n1", 300, 101).unwrap());
    }

    #[test]
    fn full_store_refuses_instead_of_forgetting() {
        let s = InMemoryReplayStore::with_capacity(2);
        assert!(s.check_and_record("k", "a", 100, 0).unwrap());
        assert!(s.check_and_record("k2", "b", 100, 0).unwrap());
        let err = s.check_and_record("k3", "c", 100, 0).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ReplayStoreUnavailable);
        assert!(
            !s.check_and_record("k", "a", 100, 10).unwrap(),
            "live nonce must still be known"
        );
        // Once the first two expire, room is made.
        assert!(s.check_and_record("k3", "c", 300, 101).unwrap());
        assert_eq!(s.len(), 1);
    }

    #[test]
    fn expired_entries_are_swept() {
        let s = InMemoryReplayStore::with_capacity(100_000);
        for i in 0..10_000u64 {
            assert!(s
                .check_and_record("k", &format!("n{i}"), i + 10, i)
                .unwrap());
        }
        // Only ~11 are live at the end; sweeps keep the map near the sweep threshold.
        assert!(s.len() <= MIN_KEY_SWEEP + 1, "{}", s.len());
        assert!(!s.check_and_record("k", "n9999", 10_009, 9_999).unwrap());
        // Idle keys' expired nonces are swept too, once the total doubles.
        for i in 0..3_000u64 {
            assert!(s
                .check_and_record(&format!("idle-{i}"), "n", 10_100, 10_000)
                .unwrap());
        }
        for i in 0..3_000u64 {
            assert!(s
                .check_and_record(&format!("later-{i}"), "n", 20_300, 20_000)
                .unwrap());
        }
        assert!(s.len() <= 2 * 3_000 + MIN_SWEEP, "{}", s.len());
    }

    // ---- issue 12 item 8: a clock that jumps forward and back must not let a replay through ----

    #[test]
    fn clock_jump_forward_then_back_never_forgets_a_live_nonce() {
        let t = 1_700_000_000;
        let s = InMemoryReplayStore::with_capacity(2);
        assert!(s.check_and_record("k", "victim", t + 300, t).unwrap());
        // The clock jumps 1000 s ahead; the store fills and sweeps at t + 1000, forgetting "victim".
        assert!(s.check_and_record("k", "a", t + 1300, t + 1000).unwrap());
        assert!(s.check_and_record("k", "b", t + 1300, t + 1000).unwrap());
        assert_eq!(
            s.len_for_key("k"),
            2,
            "the sweep at t+1000 forgot the victim"
        );
        // The clock comes back to t + 10, where the victim's timestamp is inside the window again.
        let err = s
            .check_and_record("k", "victim", t + 300, t + 10)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::ReplayStoreUnavailable);
        // Nonces the store still holds are still replays; new ones that outlive the mark are fine.
        assert!(!s.check_and_record("k", "a", t + 1300, t + 10).unwrap());
    }

    #[test]
    fn clock_jump_without_forgetting_costs_nothing() {
        let t = 1_700_000_000;
        let s = InMemoryReplayStore::with_capacity(100);
        assert!(s.check_and_record("k", "a", t + 300, t).unwrap());
        // A brief jump ahead that forgets nothing leaves no mark behind…
        assert!(s.check_and_record("k", "b", t + 1300, t + 1000).unwrap());
        // …so back at t + 10 new requests are served and the old nonce is still a replay.
        assert!(s.check_and_record("k", "c", t + 310, t + 10).unwrap());
        assert!(!s.check_and_record("k", "a", t + 300, t + 10).unwrap());
    }

    #[test]
    fn clock_jump_through_the_verifier() {
        let t = 1_700_000_000;
        let secret = b"replay-test-secret-0123456789abc".to_vec();
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k", secret.clone(), None).unwrap();
        let store = Arc::new(InMemoryReplayStore::with_capacity(2));
        let verifier = Verifier::builder(keys)
            .clock(Arc::new(FixedClock::new(t)))
            .replay_store(store)
            .build();
        let signer = Signer::new("k", secret).unwrap();
        let request = Request::new("POST", "https://api.example.com/v1/transfer").body(b"{}");
        let auth = |ts: u64, nonce: &str| {
            signer
                .sign_with(&request, &SignOptions::fixed(ts, nonce))
                .unwrap()
                .authorization
        };
        let verify = |authorization: &str, now: u64| {
            verifier.verify_at(&request.clone().header("Authorization", authorization), now)
        };
        let victim = auth(t, "victimvictimvictim0001");
        assert!(verify(&victim, t).is_ok());
        // Clock jumps to t + 1000: two requests there fill the store and sweep the victim out.
        assert!(verify(&auth(t + 1000, "forwardforwardforward1"), t + 1000).is_ok());
        assert!(verify(&auth(t + 1000, "forwardforwardforward2"), t + 1000).is_ok());
        // Clock back to t + 10: the replay is inside the window, and still refused.
        let err = verify(&victim, t + 10).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ReplayStoreUnavailable);
    }

    // ---- issue 12 item 4: one key must not exhaust the store for every tenant ----

    #[test]
    fn a_key_at_its_quota_is_refused_alone() {
        let now = 1_700_000_000;
        let s = InMemoryReplayStore::with_capacity(1_000).with_per_key_quota(10);
        // The noisy key fills its quota with nonces dated one window ahead (they live 2 windows).
        for i in 0..10 {
            assert!(s
                .check_and_record("noisy", &format!("n{i}"), now + 600, now)
                .unwrap());
        }
        let err = s
            .check_and_record("noisy", "n10", now + 600, now)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::ReplayStoreUnavailable);
        // Still failing closed for the noisy key: its live nonces are remembered, not evicted.
        assert!(!s
            .check_and_record("noisy", "n0", now + 600, now + 1)
            .unwrap());
        // Every other key is unaffected.
        for i in 0..100 {
            assert!(s
                .check_and_record(&format!("tenant-{i}"), "n0", now + 300, now)
                .unwrap());
        }
        assert_eq!(s.len_for_key("noisy"), 10);
        // Once the noisy key's nonces expire, it may record again.
        assert!(s
            .check_and_record("noisy", "n10", now + 1_200, now + 601)
            .unwrap());
    }

    #[test]
    fn quota_through_the_verifier() {
        let now = 1_700_000_000;
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("noisy", b"noisy-secret-0123456789abcdefghij".to_vec(), None)
            .unwrap();
        keys.insert("quiet", b"quiet-secret-0123456789abcdefghij".to_vec(), None)
            .unwrap();
        let store = Arc::new(InMemoryReplayStore::with_capacity(64).with_per_key_quota(8));
        let verifier = Verifier::builder(keys).replay_store(store).build();
        let request = Request::new("GET", "https://api.example.com/v1/orders");
        let send = |key: &str, secret: &[u8], ts: u64, i: usize| {
            let signer = Signer::new(key, secret.to_vec()).unwrap();
            let nonce = format!("nonce-{key}-{i:016}");
            let sig = signer
                .sign_with(&request, &SignOptions::fixed(ts, &nonce))
                .unwrap();
            verifier.verify_at(
                &request.clone().header("Authorization", &sig.authorization),
                now,
            )
        };
        // Future-dated requests (timestamp = now + window) from the noisy key fill its quota…
        for i in 0..8 {
            assert!(send("noisy", b"noisy-secret-0123456789abcdefghij", now + 300, i).is_ok());
        }
        let err = send("noisy", b"noisy-secret-0123456789abcdefghij", now + 300, 8).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ReplayStoreUnavailable);
        // …and the quiet key is still served.
        assert!(send("quiet", b"quiet-secret-0123456789abcdefghij", now, 0).is_ok());
    }

    #[test]
    fn default_limits() {
        let s = InMemoryReplayStore::default();
        assert_eq!(s.capacity(), DEFAULT_REPLAY_CAPACITY);
        assert_eq!(
            s.per_key_quota(),
            InMemoryReplayStore::DEFAULT_PER_KEY_QUOTA
        );
        assert_eq!(InMemoryReplayStore::with_capacity(5).per_key_quota(), 5);
        assert_eq!(
            InMemoryReplayStore::with_capacity(5)
                .with_per_key_quota(0)
                .per_key_quota(),
            1
        );
    }

    // ---- memory per key, measured ----

    /// Resident memory of this process in bytes (Linux), or `None`.
    fn resident_bytes() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let kb = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .strip_suffix("kB")?
            .trim();
        kb.parse::<u64>().ok().map(|k| k * 1024)
    }

    fn table_bytes(store: &InMemoryReplayStore) -> usize {
        store.heap_bytes()
    }

    const MEASURE_ENV: &str = "SIGWIRE_REPLAY_MEMORY_CHILD";

    /// Measures the resident memory one key at the default quota costs, in a child process running
    /// only this test on one thread (so no other test's allocations blur the number), and prints it.
    #[test]
    fn memory_per_nonce() {
        let quota = InMemoryReplayStore::DEFAULT_PER_KEY_QUOTA;
        if std::env::var_os(MEASURE_ENV).is_some() {
            let nonces: Vec<String> = (0..quota).map(|i| format!("nonce-{i:016}")).collect();
            let before = resident_bytes().unwrap_or(0);
            let store = InMemoryReplayStore::default();
            for n in &nonces {
                assert!(store.check_and_record("one-key", n, 2_000, 1_000).unwrap());
            }
            let after = resident_bytes().unwrap_or(0);
            assert_eq!(store.len_for_key("one-key"), quota);
            println!(
                "MEASURED rss={} table={}",
                after.saturating_sub(before),
                table_bytes(&store)
            );
            return;
        }
        if resident_bytes().is_none() {
            println!("replay store memory: not measured (no /proc/self/status on this system)");
            return;
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "replay::tests::memory_per_nonce",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(MEASURE_ENV, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "child failed: {stdout}");
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("MEASURED ").map(|(_, m)| m))
            .expect("child prints MEASURED");
        let field = |name: &str| -> f64 {
            line.split(' ')
                .find_map(|f| f.strip_prefix(name))
                .and_then(|v| v.parse().ok())
                .expect("number")
        };
        let (rss, table) = (field("rss=") / quota as f64, field("table=") / quota as f64);
        println!(
            "replay store memory per live nonce (one key, {quota} nonces = the default per-key quota): \
             {rss:.1} bytes resident (measured), {table:.1} bytes of hash table; so one key at its quota \
             holds about {:.1} MiB, and the default capacity of {DEFAULT_REPLAY_CAPACITY} nonces about {:.0} MiB",
            rss * quota as f64 / 1_048_576.0,
            rss * DEFAULT_REPLAY_CAPACITY as f64 / 1_048_576.0,
        );
        // 12 bytes of payload and one control byte per slot, the table between 7/16 and 7/8 full:
        // at most 32 bytes per nonce (issue 17 part 3).
        assert!(
            (13.0..=32.0).contains(&table),
            "{table} table bytes per nonce"
        );
        // Resident memory adds the allocator's slack (an outgrown table may stay mapped).
        assert!(
            (10.0..=80.0).contains(&rss),
            "{rss} resident bytes per nonce"
        );
    }

    /// Found by profiling the gateway: a key at its quota with nothing expired used to scan all
    /// of its nonces on every further request, under the store's lock. Now it is refused in O(1)
    /// until something can actually be forgotten.
    #[test]
    fn a_key_at_its_quota_is_refused_without_scanning() {
        let s = InMemoryReplayStore::with_capacity(100_000).with_per_key_quota(1_000);
        for i in 0..1_000 {
            assert!(s
                .check_and_record("k", &format!("n{i}"), 2_000, 1_000)
                .unwrap());
        }
        let scans = |s: &InMemoryReplayStore| {
            let inner = s.inner.lock().unwrap();
            inner.keys.values().map(|k| k.scans).sum::<u64>()
        };
        assert_eq!(scans(&s), 0, "nothing had expired while filling");
        for i in 0..10_000 {
            let e = s
                .check_and_record("k", &format!("more{i}"), 2_000, 1_000)
                .unwrap_err();
            assert_eq!(e.code(), ErrorCode::ReplayStoreUnavailable);
        }
        assert_eq!(scans(&s), 0, "refusals at quota scan nothing");
        // Once the nonces expire, one scan makes room again.
        assert!(s.check_and_record("k", "later", 3_000, 2_001).unwrap());
        assert_eq!(scans(&s), 1);
        assert_eq!(s.len_for_key("k"), 1);
    }
}
