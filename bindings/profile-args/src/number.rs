//! Numbers from JavaScript (the Node and browser bindings): every time, window and count crosses
//! as an `f64`.

use sigwire_core::profiles::{ProfileError, ProfileErrorCode};

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A whole non-negative JavaScript number as `u64`; anything else (negative, fractional, NaN,
/// above 2^53 − 1) is `code`, with a message naming `what`.
///
/// ```
/// use sigwire_profile_args::{js_whole, ProfileErrorCode};
/// assert_eq!(js_whole(5000.0, "recvWindow", ProfileErrorCode::InvalidSettings)?, 5000);
/// assert!(js_whole(-1.0, "now", ProfileErrorCode::InvalidRequest).is_err());
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
pub fn js_whole(value: f64, what: &str, code: ProfileErrorCode) -> Result<u64, ProfileError> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&value) && value.fract() == 0.0 {
        // Exact: a whole number in [0, 2^53).
        Ok(value as u64)
    } else {
        Err(ProfileError::new(
            code,
            format!("{what} must be a non-negative integer of at most 2^53 - 1"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_only() {
        let c = ProfileErrorCode::InvalidRequest;
        assert_eq!(js_whole(0.0, "x", c).ok(), Some(0));
        assert_eq!(js_whole(MAX_SAFE_INTEGER, "x", c).ok(), Some((1 << 53) - 1));
        for bad in [-1.0, 0.5, f64::NAN, f64::INFINITY, MAX_SAFE_INTEGER + 2.0] {
            let e = js_whole(bad, "timestamp", c).err();
            assert_eq!(e.as_ref().map(|e| e.code()), Some(c), "{bad}");
            assert!(e.is_some_and(|e| e.message().contains("timestamp")));
        }
    }
}
