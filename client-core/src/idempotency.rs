//! Idempotency keys: which calls get one. A key is made once per logical call, reused by every
//! attempt and signed (so a retry of a `POST` is recognisably the same operation).

use sigwire_core::NonceSource as _;

use crate::retry::{is_idempotent, RetryPolicy};

/// The `Idempotency-Key` header name (lowercase).
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// Whether a call with `method` gets a generated key: a non-idempotent method, a policy that
/// generates keys, and no key set by the caller.
pub fn needs_key(method: &str, policy: &RetryPolicy, has_key: bool) -> bool {
    !is_idempotent(method) && policy.generates_idempotency_keys() && !has_key
}

/// A new key: 128 random bits from the OS, as a nonce (SPEC §4 nonce syntax, so it is a valid
/// header value). Errors: the OS random source failed.
pub fn new_key() -> Result<String, sigwire_core::Error> {
    sigwire_core::OsNonce.nonce()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_for_non_idempotent_calls_only() {
        let p = RetryPolicy::default();
        assert!(needs_key("POST", &p, false));
        assert!(needs_key("PATCH", &p, false));
        assert!(!needs_key("POST", &p, true));
        assert!(!needs_key("PUT", &p, false));
        assert!(!needs_key("POST", &RetryPolicy::none(), false));
        assert!(!needs_key(
            "POST",
            &p.clone().idempotency_keys(false),
            false
        ));
        let (a, b) = (new_key().unwrap(), new_key().unwrap());
        assert_ne!(a, b);
        assert!(a.len() >= 16 && a.bytes().all(|c| c.is_ascii_graphic()));
    }
}
