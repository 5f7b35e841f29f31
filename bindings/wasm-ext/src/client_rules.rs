//! The HTTP client's rules (crate `sigwire-client-core`, the same rules the Rust client runs) for
//! the browser `Client` (sdk-wasm/src/client.js), which is only a `fetch` loop asking these
//! functions at each step.
//!
//! Plain functions on numbers and strings, no Rust object: the JavaScript side keeps the call's
//! state (retries so far, whether the clock-skew re-sign was used), so nothing here outlives a
//! trap-replaced instance. Times cross as milliseconds (JavaScript numbers).

use std::time::Duration;

use sigwire_client_core::retry::{Call, Failure, Next, RetryPolicy};
use sigwire_client_core::skew::{self, Observation};
use sigwire_client_core::{query, redirect, rejection};
use wasm_bindgen::prelude::*;

/// `Next::Done` as a number.
const DONE: f64 = -1.0;
/// `Next::Resign` as a number.
const RESIGN: f64 = -2.0;
/// `Next::SkewTooLarge` as a number (the offset is the observation's).
const SKEW_TOO_LARGE: f64 = -3.0;

/// Whole milliseconds (negative and NaN: zero; the cast saturates).
fn duration(ms: f64) -> Duration {
    Duration::from_millis(ms as u64)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A uniformly random `u64` from a JavaScript number in `[0, 1)` (`Math.random()`).
fn random_u64(unit: f64) -> u64 {
    (unit.clamp(0.0, 1.0) * 18_446_744_073_709_551_615.0) as u64
}

fn policy(settings: &[f64]) -> RetryPolicy {
    let get = |i: usize| settings.get(i).copied().unwrap_or(0.0);
    RetryPolicy::default()
        .max_attempts(get(0) as u32)
        .base_delay(duration(get(1)))
        .max_delay(duration(get(2)))
        .max_retry_after(duration(get(3)))
}

fn observation(kind: u8, offset: f64) -> Observation {
    let offset = offset as i64;
    match kind {
        1 => Observation::Kept(offset),
        2 => Observation::Applied {
            from: 0,
            to: offset,
        },
        3 => Observation::TooLarge(offset),
        _ => Observation::None,
    }
}

fn next(n: Next) -> f64 {
    match n {
        Next::Done => DONE,
        Next::Resign => RESIGN,
        Next::SkewTooLarge(_) => SKEW_TOO_LARGE,
        Next::Retry(d) => millis(d),
    }
}

/// The next step after a response: a delay in ms (≥ 0: retry after it), −1 done, −2 re-sign
/// with the corrected clock now, −3 clock skew too large. `settings`: `[maxAttempts,
/// baseDelayMs, maxDelayMs, maxRetryAfterMs]`; `observation`: 0 none, 1 kept, 2 applied,
/// 3 too large (`skewOffset` its offset); `random` in `[0, 1)` for the jitter.
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = ruleAfterResponse)]
pub fn after_response(
    settings: &[f64],
    method: &str,
    has_key: bool,
    retries: u32,
    skew_resigned: bool,
    status: u16,
    code: Option<String>,
    observation_kind: u8,
    skew_offset: f64,
    retry_after: Option<String>,
    date: Option<String>,
    now_ms: f64,
    random: f64,
) -> f64 {
    let policy = policy(settings);
    let delay = policy.retry_after_delay(retry_after.as_deref(), date.as_deref(), now_ms / 1000.0);
    let rejection = rejection::rejection_code(status, code.as_deref());
    next(
        Call::resume(method, has_key, retries, skew_resigned).after_response(
            &policy,
            status,
            rejection,
            observation(observation_kind, skew_offset),
            delay,
            random_u64(random),
        ),
    )
}

/// `Retry-After` in ms, uncapped: delta-seconds, or an HTTP-date measured against the
/// response's `Date` (else `nowMs`); `undefined` when absent or unreadable.
#[wasm_bindgen(js_name = ruleRetryAfterMs)]
pub fn retry_after_ms(
    retry_after: Option<String>,
    date: Option<String>,
    now_ms: f64,
) -> Option<f64> {
    sigwire_client_core::retry::parse_retry_after(
        retry_after.as_deref(),
        date.as_deref(),
        now_ms / 1000.0,
    )
    .map(millis)
}

/// The next step after a failure without a response (`retryable`: a connection, transport or
/// attempt-timeout failure): a delay in ms, or −1 done.
#[wasm_bindgen(js_name = ruleAfterFailure)]
pub fn after_failure(
    settings: &[f64],
    method: &str,
    has_key: bool,
    retries: u32,
    retryable: bool,
    random: f64,
) -> f64 {
    let failure = if retryable {
        Failure::Transport
    } else {
        Failure::Other
    };
    next(Call::resume(method, has_key, retries, false).after_failure(
        &policy(settings),
        failure,
        random_u64(random),
    ))
}

/// The clock observation of a signed hop's response: `[kind, offset]` with kind 0 none, 1 kept,
/// 2 applied (offset: the new offset), 3 too large (offset: the measured one). `sentMs` and
/// `receivedMs` are local wall-clock times; `current` the offset in use (seconds).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = ruleObserveClock)]
pub fn observe_clock(
    server_time: Option<String>,
    date: Option<String>,
    has_age: bool,
    sent_ms: f64,
    received_ms: f64,
    current: f64,
    threshold: f64,
    max: f64,
) -> Vec<f64> {
    let Some((server, _)) = skew::server_time(server_time.as_deref(), date.as_deref(), has_age)
    else {
        return vec![0.0, current];
    };
    let measured = skew::measure(server, sent_ms / 1000.0, received_ms / 1000.0);
    match skew::observe(current as i64, measured, threshold as u64, max as u64) {
        Observation::None => vec![0.0, current],
        Observation::Kept(o) => vec![1.0, o as f64],
        Observation::Applied { to, .. } => vec![2.0, to as f64],
        Observation::TooLarge(o) => vec![3.0, o as f64],
    }
}

/// The rejection code of a response (any status ≥ 400 whose body's `error` is a known code).
#[wasm_bindgen(js_name = ruleRejectionCode)]
pub fn rejection_code(status: u16, error: Option<String>) -> Option<String> {
    rejection::rejection_code(status, error.as_deref()).map(|c| c.as_str().to_owned())
}

/// The next redirect hop as bits: 16 a redirect the client follows (else 0), 1 becomes GET,
/// 2 drop the body, 4 drop credentials, 8 still signable.
#[wasm_bindgen(js_name = ruleNextHop)]
pub fn next_hop(
    status: u16,
    method: &str,
    cross_origin: bool,
    at_base_origin: bool,
    signable: bool,
) -> u8 {
    if !redirect::is_redirect(status) {
        return 0;
    }
    let hop = redirect::next_hop(status, method, cross_origin, at_base_origin, signable);
    16 | u8::from(hop.method != method)
        | u8::from(hop.drop_body) << 1
        | u8::from(hop.drop_credentials) << 2
        | u8::from(hop.signable) << 3
}

/// A query name or value percent-encoded as the Rust client does (RFC 3986 unreserved kept).
#[wasm_bindgen(js_name = ruleEncodeQuery)]
pub fn encode_query(text: &str) -> String {
    query::encode(text)
}

/// Whether a call with `method` gets a generated `Idempotency-Key` (`hasKey`: the caller set
/// one) under `settings` (`[maxAttempts, …]`) with keys on or off.
#[wasm_bindgen(js_name = ruleNeedsIdempotencyKey)]
pub fn needs_idempotency_key(settings: &[f64], keys: bool, method: &str, has_key: bool) -> bool {
    sigwire_client_core::idempotency::needs_key(
        method,
        &policy(settings).idempotency_keys(keys),
        has_key,
    )
}

/// A new idempotency key (128 random bits, as the Rust client makes them).
#[wasm_bindgen(js_name = ruleNewIdempotencyKey)]
pub fn new_idempotency_key() -> Result<String, crate::Failure> {
    sigwire_client_core::idempotency::new_key().map_err(crate::Failure::from)
}
