//! The signing time a native binding uses when the caller gives none.

/// Now, in whole Unix seconds (0 if the system clock is before 1970). Native bindings read the
/// clock here rather than in Python or JavaScript: one call fewer across the boundary per
/// signature. Not in the browser build (`wasm32-unknown-unknown` has no system clock; the
/// browser's `Date.now()` is read in JavaScript).
///
/// ```
/// assert!(sigwire_profile_args::unix_now() > 1_700_000_000);
/// ```
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
