//! Memory and insert cost of the in-memory replay store at 10³ … 10⁶ live nonces (issue 17
//! part 3). Targets: at most 32 bytes per remembered nonce, and an insert cost that stays flat
//! from 10³ to 10⁶ live entries.
//!
//! Each size runs as a server does: 16 key ids take turns, the clock advances so that exactly `n`
//! nonces are inside the window at any time (older ones expire and are swept as the store
//! decides), and every insert is a new nonce. After a warm-up of three windows, one more stretch
//! of inserts is timed; the cost of making the nonce strings alone is timed too and subtracted.
//! Memory is [`InMemoryReplayStore::heap_bytes`] over the nonces held (live plus expired ones not
//! yet swept) and over the live ones.
//!
//! `cargo bench -p sigwire-core --bench replay_store` (prints one table; no timed assertions).
//!
//! For profilers, `SIGWIRE_REPLAY_LIVE=<n>` runs the steady state at `n` live nonces only (warm-up
//! and measured stretch, no timing of the refused-at-quota case) and prints one line, e.g.
//! `valgrind --tool=callgrind --cache-sim=yes target/release/deps/replay_store-* --bench`.

#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use sigwire_core::{InMemoryReplayStore, ReplayStore};

const WINDOW: u64 = 300;
const KEYS: usize = 16;

/// A 22-character base64url-style nonce for insert number `i`, written into `buf`.
fn nonce(i: u64, buf: &mut [u8; 22]) -> &str {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ i;
    for (j, b) in buf.iter_mut().enumerate() {
        if j == 11 {
            x = i;
        }
        *b = ALPHABET[(x & 63) as usize];
        x >>= 6;
    }
    std::str::from_utf8(buf).unwrap_or("AAAAAAAAAAAAAAAAAAAAAA")
}

struct Row {
    live: u64,
    held: usize,
    heap: usize,
    insert_ns: f64,
    at_quota_ns: f64,
}

/// One key id holding `n` live nonces = its quota, nothing expired: the cost of each further
/// (refused) attempt. It must not grow with `n` (no scan of the key's nonces per attempt).
fn at_quota(n: u64) -> f64 {
    let store = InMemoryReplayStore::with_capacity(2 * n as usize).with_per_key_quota(n as usize);
    let mut buf = [0u8; 22];
    for i in 0..n {
        let fresh = store
            .check_and_record("tenant-00", nonce(i, &mut buf), 2_000_000, 1_000_000)
            .expect("below the quota");
        assert!(fresh);
    }
    const ATTEMPTS: u64 = 100_000;
    let start = Instant::now();
    for i in n..n + ATTEMPTS {
        black_box(
            store
                .check_and_record("tenant-00", nonce(i, &mut buf), 2_000_000, 1_000_000)
                .expect_err("at the quota"),
        );
    }
    start.elapsed().as_nanos() as f64 / ATTEMPTS as f64
}

/// Warm-up (three windows) then the measured stretch at `live` live nonces; returns the store,
/// the nanoseconds spent in the measured stretch and its number of inserts.
fn steady(live: u64) -> (InMemoryReplayStore, f64, u64) {
    let keys: Vec<String> = (0..KEYS).map(|k| format!("tenant-{k:02}")).collect();
    let store =
        InMemoryReplayStore::with_capacity(4 * live as usize).with_per_key_quota(4 * live as usize);
    // Insert i happens at second i·W/n, so n inserts span one window: n live nonces.
    let at = |i: u64| 1_000_000 + i * WINDOW / live;
    let mut buf = [0u8; 22];
    let warm = 3 * live;
    for i in 0..warm {
        let now = at(i);
        let fresh = store
            .check_and_record(
                &keys[i as usize % KEYS],
                nonce(i, &mut buf),
                now + WINDOW,
                now,
            )
            .expect("the store has room");
        assert!(fresh, "every nonce is new");
    }
    let measured = live.max(300_000);
    let start = Instant::now();
    measured_stretch(&store, &keys, live, warm, measured);
    (store, start.elapsed().as_nanos() as f64, measured)
}

/// Inserts `warm..warm + measured` at `live` live nonces: the measured stretch on its own, so a
/// profiler can count it alone (`--toggle-collect='replay_store::measured_stretch'`).
#[inline(never)]
fn measured_stretch(
    store: &InMemoryReplayStore,
    keys: &[String],
    live: u64,
    warm: u64,
    measured: u64,
) {
    let at = |i: u64| 1_000_000 + i * WINDOW / live;
    let mut buf = [0u8; 22];
    for i in warm..warm + measured {
        let now = at(i);
        black_box(
            store
                .check_and_record(
                    &keys[i as usize % KEYS],
                    nonce(i, &mut buf),
                    now + WINDOW,
                    now,
                )
                .expect("the store has room"),
        );
    }
}

fn run(live: u64) -> Row {
    let (store, total, measured) = steady(live);
    let at = |i: u64| 1_000_000 + i * WINDOW / live;
    let keys: Vec<String> = (0..KEYS).map(|k| format!("tenant-{k:02}")).collect();
    let mut buf = [0u8; 22];
    let warm = 3 * live;
    // The same loop without the store: nonce strings and clock arithmetic only.
    let start = Instant::now();
    for i in warm..warm + measured {
        black_box((&keys[i as usize % KEYS], nonce(i, &mut buf), at(i)));
    }
    let overhead = start.elapsed().as_nanos() as f64;
    Row {
        live,
        held: store.len(),
        heap: store.heap_bytes(),
        insert_ns: (total - overhead).max(0.0) / measured as f64,
        at_quota_ns: at_quota(live),
    }
}

fn main() {
    if let Some(live) = std::env::var("SIGWIRE_REPLAY_LIVE")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        let (store, _, measured) = steady(live.max(1));
        println!(
            "steady state at {live} live: {measured} inserts measured after {} of warm-up, {} held, {} heap bytes",
            3 * live,
            store.len(),
            store.heap_bytes()
        );
        return;
    }
    // `cargo bench` passes `--bench`; a filter argument is ignored (one table only).
    let rows: Vec<Row> = [1_000, 10_000, 100_000, 1_000_000]
        .into_iter()
        .map(run)
        .collect();
    println!(
        "\nreplay store (InMemoryReplayStore, {KEYS} key ids, steady state, window {WINDOW} s):"
    );
    println!(
        "  {:>9} | {:>9} | {:>10} | {:>14} | {:>14} | {:>10} | {:>17}",
        "live",
        "held",
        "heap bytes",
        "bytes per held",
        "bytes per live",
        "insert ns",
        "refused at quota"
    );
    for r in &rows {
        println!(
            "  {:>9} | {:>9} | {:>10} | {:>14.1} | {:>14.1} | {:>10.0} | {:>14.0} ns",
            r.live,
            r.held,
            r.heap,
            r.heap as f64 / r.held.max(1) as f64,
            r.heap as f64 / r.live as f64,
            r.insert_ns,
            r.at_quota_ns
        );
    }
    for r in &rows {
        println!(
            "ROW\trust replay store\tbytes per held nonce, {} live\t{:.1} B\t-\t-\t<= 32 B",
            r.live,
            r.heap as f64 / r.held.max(1) as f64
        );
    }
    let (q_first, q_last) = (
        rows.first().map_or(1.0, |r| r.at_quota_ns.max(1.0)),
        rows.last().map_or(1.0, |r| r.at_quota_ns),
    );
    println!(
        "ROW\trust replay store\trefused at quota, 10^6 live\t{q_last:.0} ns\tat 10^3 live {q_first:.0} ns\t{:.2}x\tflat (~1x)",
        q_last / q_first
    );
    let first = rows.first().map_or(1.0, |r| r.insert_ns.max(1.0));
    let last = rows.last().map_or(1.0, |r| r.insert_ns);
    println!(
        "  insert cost at 10^6 live / at 10^3 live = {:.2}x (target: flat, ~1x); bytes per held nonce target <= 32",
        last / first
    );
    println!(
        "ROW\trust replay store\tinsert at 10^6 live\t{last:.0} ns\tinsert at 10^3 live {first:.0} ns\t{:.2}x\tflat (~1x)",
        last / first
    );
}
