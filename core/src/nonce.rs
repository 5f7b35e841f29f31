//! Nonce generation: 128 bits from the operating system's CSPRNG, base64url without padding.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::error::{Error, ErrorCode};

/// A source of nonces.
pub trait NonceSource: Send + Sync {
    /// A fresh nonce following SPEC §2.
    fn nonce(&self) -> Result<String, Error>;
}

/// Nonces from the OS CSPRNG (`getrandom`; `crypto.getRandomValues` in browsers).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsNonce;

impl NonceSource for OsNonce {
    fn nonce(&self) -> Result<String, Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| {
            Error::new(
                ErrorCode::InvalidConfig,
                format!("the operating system's random source failed: {e}"),
            )
        })?;
        Ok(URL_SAFE_NO_PAD.encode(bytes))
    }
}

/// Encodes 16 bytes as a nonce (for callers with their own randomness).
pub fn nonce_from_bytes(bytes: [u8; 16]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_nonces_are_22_chars_and_distinct() {
        let a = OsNonce.nonce().unwrap();
        let b = OsNonce.nonce().unwrap();
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
        assert!(crate::v1::canonical::check_nonce(&a).is_ok());
        assert_eq!(nonce_from_bytes([0; 16]), "AAAAAAAAAAAAAAAAAAAAAA");
    }
}
