//! Replay protection: remember each (key id, nonce) for as long as its timestamp can be accepted.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Mutex;

use crate::error::{Error, ErrorCode};
use crate::sip::{Sip13, SipKey};

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
/// **Memory.** Each `(key id, nonce)` pair is stored as a 64-bit SipHash-1-3 under a per-process
/// random key with its expiry as 32-bit Unix seconds (saturating: an expiry past 2106 is kept
/// until the end of 32-bit time, never forgotten early) in an open-addressing table: 12 bytes of
/// payload and one control byte per slot ([`heap_bytes`](Self::heap_bytes);
/// `cargo bench -p sigwire-core --bench replay_store` prints bytes per held and per live nonce).
/// Each key's nonces are kept in two generations: new ones go into the current one, and once
/// every nonce of the previous one has expired it is forgotten whole and its table reused for
/// the next, so steady traffic never deletes entries one by one, never leaves deletion markers
/// and never rehashes, and a key holds at most about two lifetimes of its traffic. The
/// `memory_per_nonce` test measures and prints the resident memory: about 20 bytes per nonce
/// for one key at the default quota, so about 2 MiB per key at its quota and about 19 MiB for
/// the default capacity. Two different pairs colliding would make the later one look replayed
/// (a refused request, never an accepted replay); with a million live nonces the chance per
/// request is about 2⁻⁴⁴, and nobody can aim for it, or for long probe chains, without the
/// random key.
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
    hash_key: SipKey,
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

/// One generation of a key id's nonces: pair hash → expiry, and the range of those expiries.
#[derive(Debug)]
struct Generation {
    /// Pair hash → expiry (Unix seconds, inclusive, saturated to 32 bits: [`secs32`]).
    expiry: HashMap<PairHash, u32, BuildHasherDefault<PreHashed>>,
    /// A lower bound of the earliest expiry held (`u32::MAX` when empty).
    min: u32,
    /// The latest expiry held (0 when empty): once `now` passes it, the whole generation has
    /// expired and is forgotten in one step.
    max: u32,
}

impl Generation {
    fn with_capacity(capacity: usize) -> Self {
        Generation {
            expiry: HashMap::with_capacity_and_hasher(capacity, BuildHasherDefault::default()),
            min: u32::MAX,
            max: 0,
        }
    }

    fn len(&self) -> usize {
        self.expiry.len()
    }

    /// Records `pair` until `at`; whether it is a new entry of this generation.
    fn insert(&mut self, pair: PairHash, at: u32) -> bool {
        self.min = self.min.min(at);
        self.max = self.max.max(at);
        match self.expiry.entry(pair) {
            Entry::Vacant(v) => {
                v.insert(at);
                true
            }
            Entry::Occupied(mut o) => {
                let kept = o.get_mut();
                *kept = (*kept).max(at);
                false
            }
        }
    }

    /// Forgets everything, keeping the table's memory for the next generation: no entry is
    /// moved and no deletion marker is left behind (hashbrown's `retain` leaves tombstones that
    /// make later inserts rehash the whole table in place).
    fn clear(&mut self) {
        self.expiry.clear();
        self.min = u32::MAX;
        self.max = 0;
    }

    /// Forgets the entries that expired before `cutoff` one by one (the exact path, used only
    /// when a quota or the capacity is reached with a generation partly expired).
    fn retain_live(&mut self, cutoff: u32) {
        let (mut min, mut max) = (u32::MAX, 0);
        self.expiry.retain(|_, at| {
            let keep = *at >= cutoff;
            if keep {
                min = min.min(*at);
                max = max.max(*at);
            }
            keep
        });
        self.min = min;
        self.max = max;
    }
}

/// How much a sweep may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sweep {
    /// Forget the previous generation only if it expired whole (O(1), no scan).
    Whole,
    /// Also carry a partly expired previous generation's live nonces over and forget it.
    Carry,
    /// Also forget, one by one, the expired nonces of the generation that remains.
    Exact,
}

/// One key id's nonces, in two generations.
///
/// New nonces go into `current`. When every nonce of `previous` has expired, `previous` is
/// cleared whole (its table kept for reuse) and the generations swap, so in steady traffic no
/// entry is ever moved or deleted one by one: the table never fills with deletion markers and
/// is never rehashed, and the insert cost does not depend on how many nonces are held. A
/// lookup probes both generations.
#[derive(Debug)]
struct KeyNonces {
    current: Generation,
    previous: Generation,
    /// Sweep this key once it holds this many.
    next_sweep: usize,
    /// Entry-by-entry scans of this key's nonces so far (tests check that a key at its quota
    /// scans nothing, and that steady traffic scans nothing either).
    scans: u64,
}

impl KeyNonces {
    fn new() -> Self {
        KeyNonces {
            current: Generation::with_capacity(0),
            previous: Generation::with_capacity(0),
            next_sweep: MIN_KEY_SWEEP,
            scans: 0,
        }
    }

    fn len(&self) -> usize {
        self.current.len() + self.previous.len()
    }

    /// The earliest expiry held, a lower bound (`u32::MAX` when none).
    fn min_expiry(&self) -> u32 {
        self.current.min.min(self.previous.min)
    }

    /// The pair's expiry, the later one if both generations hold it.
    fn get(&self, pair: &PairHash) -> Option<u32> {
        match (
            self.current.expiry.get(pair),
            self.previous.expiry.get(pair),
        ) {
            (Some(&a), Some(&b)) => Some(a.max(b)),
            (Some(&a), None) | (None, Some(&a)) => Some(a),
            (None, None) => None,
        }
    }

    /// Whether the generations can swap in O(1) at `now`: the previous one has expired whole,
    /// or it is empty and the current one has begun to expire (so each generation spans about
    /// one lifetime of traffic from the start). Checked only for a key holding at least
    /// [`MIN_KEY_SWEEP`] nonces: below that nothing is worth forgetting, and forgetting early
    /// would raise the clock watermark for nothing (a clock that jumps ahead and back would then
    /// cost availability where the store still had room to remember).
    fn rotation_due(&self, now: u64) -> bool {
        let now = secs32(now);
        if self.previous.len() == 0 {
            self.current.min < now
        } else {
            self.previous.max < now
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
            hash_key: SipKey::random(),
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

    /// The keyed hash state after `key_id`: its `finish` is the key's hash, and continued over a
    /// nonce it gives the pair's.
    fn key_state(&self, key_id: &str) -> Sip13 {
        let mut state = Sip13::new(self.hash_key);
        state.write_str(key_id);
        state
    }

    /// Number of nonces currently held for `key_id` (live or not yet swept).
    pub fn len_for_key(&self, key_id: &str) -> usize {
        let key = self.key_state(key_id).finish();
        self.inner
            .lock()
            .map(|i| i.keys.get(&key).map_or(0, KeyNonces::len))
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
                .map(|k| {
                    table(k.current.expiry.capacity(), 12) + table(k.previous.expiry.capacity(), 12)
                })
                .sum::<usize>()
    }
}

impl KeyNonces {
    /// Forgets nonces that expired before `cutoff`, as far as `how` allows; returns how many.
    ///
    /// An expired previous generation goes whole; with [`Sweep::Carry`] or [`Sweep::Exact`] a
    /// partly expired one has its live nonces carried into the current generation (a few, late
    /// in its life) before it goes. The current generation then becomes the previous one, and
    /// the next current one reuses the freed table, sized for the traffic just seen. With
    /// [`Sweep::Exact`], nonces of the surviving generation that already expired are forgotten
    /// too (one scan), so a key or a store at its limit is refused only for live nonces.
    fn sweep(&mut self, cutoff: u64, how: Sweep) -> usize {
        let before = self.len();
        let cutoff = secs32(cutoff);
        if self.min_expiry() >= cutoff {
            // Nothing has expired: no scan (issue found by profiling the gateway: a key at its
            // quota used to scan all its nonces on every request, under the store's lock).
            self.next_sweep = (4 * before).max(MIN_KEY_SWEEP);
            return 0;
        }
        let whole = self.previous.max < cutoff;
        if self.previous.len() == 0 || whole || (how != Sweep::Whole && self.previous.min < cutoff)
        {
            if !whole {
                // Partly expired: carry its live nonces over, then forget it whole.
                self.scans += 1;
                let live: Vec<(PairHash, u32)> = self
                    .previous
                    .expiry
                    .iter()
                    .filter(|&(_, &at)| at >= cutoff)
                    .map(|(&pair, &at)| (pair, at))
                    .collect();
                for (pair, at) in live {
                    self.current.insert(pair, at);
                }
            }
            self.previous.clear();
            std::mem::swap(&mut self.current, &mut self.previous);
            // The new current generation starts empty in the freed table; size it for the
            // traffic of the generation just closed, so it does not grow (rehash) as it fills.
            let expected = self.previous.len().max(MIN_KEY_SWEEP);
            let capacity = self.current.expiry.capacity();
            if capacity < expected || capacity > 4 * expected {
                self.current = Generation::with_capacity(expected);
            }
        }
        if how == Sweep::Exact && self.min_expiry() < cutoff {
            self.scans += 1;
            self.current.retain_live(cutoff);
            self.previous.retain_live(cutoff);
        }
        let after = self.len();
        // Next sweep by count when this key's nonces have grown fourfold (each is swept O(1)
        // times on average). Steady traffic never gets there: it swaps generations by time, at
        // about twice the live count, so the count is only a bound for traffic that ramps up or
        // a generation kept by a nonce dated far ahead.
        self.next_sweep = (4 * after).max(MIN_KEY_SWEEP);
        before - after
    }
}

impl Inner {
    /// Nonces that expired before `cutoff` were forgotten: refuse any that expire before it.
    fn raise_watermark(&mut self, cutoff: u64) {
        self.swept_through = self.swept_through.max(cutoff);
    }

    fn sweep_all(&mut self, cutoff: u64, how: Sweep) {
        if self.min_expiry >= secs32(cutoff) {
            self.next_sweep = (2 * self.total).max(MIN_SWEEP);
            return;
        }
        let (mut removed, mut min) = (0, u32::MAX);
        self.keys.retain(|_, k| {
            removed += k.sweep(cutoff, how);
            min = min.min(k.min_expiry());
            k.len() > 0
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
        // One SipHash-1-3 pass over whole words (`crate::sip`): the key id's hash, then the same
        // state continued over the nonce for the pair's.
        let mut state = self.key_state(key_id);
        let key = state.finish();
        state.write_str(nonce);
        let pair = PairHash::new(state.finish());
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| unavailable("replay store lock poisoned"))?;
        let inner = &mut *guard;
        // One lookup of the key's table on the usual path (a second only after a store-wide sweep).
        let mut k = inner.keys.entry(key).or_insert_with(KeyNonces::new);
        if let Some(at) = k.get(&pair) {
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
        let len = k.len();
        let removed = if len >= self.per_key_quota {
            k.sweep(now, Sweep::Exact)
        } else if len >= k.next_sweep {
            k.sweep(now, Sweep::Carry)
        } else if len >= MIN_KEY_SWEEP && k.rotation_due(now) {
            k.sweep(now, Sweep::Whole)
        } else {
            0
        };
        let full = k.len() >= self.per_key_quota;
        if removed > 0 {
            inner.total -= removed;
            // `Inner::raise_watermark`, written out while this key's table is borrowed.
            inner.swept_through = inner.swept_through.max(now);
        }
        if full {
            return Err(unavailable(
                "this key id holds its quota of live nonces in the replay store; \
                 refusing rather than forgetting one (other keys are unaffected)",
            ));
        }
        if inner.total >= inner.next_sweep || inner.total >= self.capacity {
            let how = if inner.total >= self.capacity {
                Sweep::Exact
            } else {
                Sweep::Whole
            };
            inner.sweep_all(now, how);
            if inner.total >= self.capacity {
                return Err(unavailable(
                    "replay store is full of live nonces; refusing rather than forgetting one",
                ));
            }
            // The sweep may have dropped this key's (empty) table.
            k = inner.keys.entry(key).or_insert_with(KeyNonces::new);
        }
        let at = secs32(expires_at);
        inner.min_expiry = inner.min_expiry.min(at);
        if k.current.insert(pair, at) {
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

    /// Steady traffic: the two generations swap as they expire, every nonce stays a replay for
    /// its whole life across the swaps, nothing is ever scanned entry by entry (so no deletion
    /// markers, no in-place rehash), and the key holds at most about two windows of nonces.
    #[test]
    fn generations_swap_without_scanning_and_keep_live_nonces() {
        let window = 300u64;
        let t0 = 1_700_000_000u64;
        let s = InMemoryReplayStore::with_capacity(1_000_000).with_per_key_quota(1_000_000);
        let per_second = 20u64;
        let mut max_held = 0;
        for sec in 0..5 * window {
            let now = t0 + sec;
            for j in 0..per_second {
                let nonce = format!("n{sec}-{j}");
                assert!(s.check_and_record("k", &nonce, now + window, now).unwrap());
            }
            // A nonce from 299 s ago is still inside its life: still a replay.
            if sec >= window - 1 {
                let old = format!("n{}-7", sec + 1 - window);
                assert!(
                    !s.check_and_record("k", &old, now + 1, now).unwrap(),
                    "{old}"
                );
            }
            max_held = max_held.max(s.len_for_key("k"));
        }
        let inner = s.inner.lock().unwrap();
        let k = inner.keys.values().next().unwrap();
        assert_eq!(k.scans, 0, "steady traffic forgets whole generations only");
        let live = (per_second * window) as usize;
        assert!(
            max_held <= 2 * live + 2 * per_second as usize,
            "{max_held} held for {live} live"
        );
    }

    /// Found by the Chromium client tests (the reference server's clock moved ±600 s and back):
    /// a few requests while the clock is ahead must not make the store forget, and so refuse
    /// every later nonce once the clock is back.
    #[test]
    fn a_brief_clock_jump_with_little_traffic_forgets_nothing() {
        let t = 1_700_000_000;
        let s = InMemoryReplayStore::with_capacity(1_000_000);
        for i in 0..5 {
            assert!(s
                .check_and_record("k", &format!("a{i}"), t + 300, t)
                .unwrap());
        }
        for i in 0..5 {
            assert!(s
                .check_and_record("k", &format!("b{i}"), t + 900, t + 600)
                .unwrap());
        }
        for i in 0..5 {
            assert!(s
                .check_and_record("k", &format!("c{i}"), t + 310, t + 10)
                .unwrap());
        }
        assert!(!s.check_and_record("k", "a0", t + 300, t + 10).unwrap());
        assert_eq!(s.len_for_key("k"), 15);
    }

    /// A nonce dated far ahead outlives its generation: it is carried into the next one when the
    /// rest of its generation has expired, and stays a replay until its own expiry.
    #[test]
    fn a_long_lived_nonce_is_carried_across_generations() {
        let t0 = 1_700_000_000u64;
        let s = InMemoryReplayStore::with_capacity(1_000_000);
        assert!(s.check_and_record("k", "future", t0 + 600, t0).unwrap());
        for sec in 0..900u64 {
            let now = t0 + sec;
            for j in 0..(MIN_KEY_SWEEP as u64) {
                let nonce = format!("n{sec}-{j}");
                assert!(s.check_and_record("k", &nonce, now + 10, now).unwrap());
            }
            if now <= t0 + 600 {
                assert!(
                    !s.check_and_record("k", "future", t0 + 600, now).unwrap(),
                    "at +{sec}"
                );
            }
        }
        // Memory follows the traffic (10 s of it), not the whole run.
        assert!(
            s.len_for_key("k") <= 4 * 11 * MIN_KEY_SWEEP,
            "{}",
            s.len_for_key("k")
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
