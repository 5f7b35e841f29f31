//! Key ids and secrets: validated on construction, secrets zeroized and never printed.

use core::fmt;

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::algorithm::Algorithm;
use crate::error::{Error, ErrorCode};
use crate::keyed_mac::KeyedMac;

/// The minimum secret length in bytes.
pub const MIN_SECRET_LEN: usize = 16;

/// The maximum key id length in characters.
pub const MAX_KEY_ID_LEN: usize = 128;

/// A shared HMAC secret.
///
/// The bytes, and the HMAC key schedules derived from them for both algorithms, are zeroized when
/// the value is dropped; `Debug` prints `Secret([redacted])`. There is deliberately no `Display`
/// and no accessor returning the bytes outside this crate.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret {
    bytes: Vec<u8>,
    sha256: KeyedMac,
    sha512: KeyedMac,
}

impl Secret {
    /// Wraps secret bytes; fewer than [`MIN_SECRET_LEN`] bytes is an `invalid_secret` error.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let mut bytes = bytes.into();
        if bytes.len() < MIN_SECRET_LEN {
            let len = bytes.len();
            bytes.zeroize();
            return Err(Error::new(
                ErrorCode::InvalidSecret,
                format!("secret is {len} bytes; at least {MIN_SECRET_LEN} bytes are required"),
            ));
        }
        Ok(Secret {
            sha256: KeyedMac::new(Algorithm::HmacSha256, &bytes),
            sha512: KeyedMac::new(Algorithm::HmacSha512, &bytes),
            bytes,
        })
    }

    /// Decodes a secret from hex (either case), as the shared vectors store it. No copy of the
    /// secret is left behind: the bytes are decoded straight into the buffer the `Secret` owns
    /// (zeroized if decoding fails half-way).
    pub fn from_hex(hex: &str) -> Result<Self, Error> {
        match crate::hex::decode_either_case(hex) {
            Some(bytes) => Secret::new(bytes),
            None => Err(Error::new(
                ErrorCode::InvalidSecret,
                "secret hex is not valid hexadecimal",
            )),
        }
    }

    /// The secret bytes, inside the crate only: for schemes that derive their own keys from the
    /// secret (AWS SigV4's `"AWS4" + secret`), which a precomputed HMAC key schedule cannot give.
    #[cfg_attr(not(test), allow(dead_code))] // until a verifying SigV4 scheme lands in profiles
    pub(crate) fn expose(&self) -> &[u8] {
        &self.bytes
    }

    /// The precomputed HMAC key schedule for `algorithm`.
    pub(crate) fn keyed(&self, algorithm: Algorithm) -> &KeyedMac {
        match algorithm {
            Algorithm::HmacSha256 => &self.sha256,
            Algorithm::HmacSha512 => &self.sha512,
        }
    }

    /// Length in bytes (safe to show).
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Always false: a secret has at least [`MIN_SECRET_LEN`] bytes.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A validated key id (the public "API key"): 1 to 128 characters of
/// `A-Z a-z 0-9 - . _ ~ + / = : @`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(String);

impl KeyId {
    /// Validates a key id; anything else is an `invalid_key_id` error.
    pub fn new(id: impl Into<String>) -> Result<Self, Error> {
        let id = id.into();
        if is_valid_key_id(&id) {
            Ok(KeyId(id))
        } else {
            Err(Error::new(
                ErrorCode::InvalidKeyId,
                format!(
                    "key id must be 1 to {MAX_KEY_ID_LEN} characters of A-Z a-z 0-9 - . _ ~ + / = : @"
                ),
            ))
        }
    }

    /// The key id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyId({:?})", self.0)
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `id` follows the key id rules (SPEC §1).
pub(crate) fn is_valid_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_KEY_ID_LEN
        && crate::encoding::all_in(id, crate::encoding::KEY_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_secret_refused() {
        let err = Secret::new(b"short".to_vec()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidSecret);
        assert!(Secret::new(vec![7u8; 16]).is_ok());
    }

    #[test]
    fn debug_is_redacted() {
        let s = Secret::new(b"super-secret-value-123".to_vec()).unwrap();
        let shown = format!("{s:?}");
        assert_eq!(shown, "Secret([redacted])");
        assert!(!shown.contains("super"));
    }

    #[test]
    fn from_hex_takes_either_case() {
        let s = Secret::from_hex("000102030405060708090A0B0C0D0E0f").unwrap();
        assert_eq!(s.expose(), (0u8..16).collect::<Vec<u8>>().as_slice());
        for bad in ["0g", "abc", "00 1"] {
            assert_eq!(
                Secret::from_hex(bad).unwrap_err().code(),
                ErrorCode::InvalidSecret
            );
        }
        assert_eq!(
            Secret::from_hex("00").unwrap_err().code(),
            ErrorCode::InvalidSecret,
            "too short"
        );
    }

    #[test]
    fn key_id_rules() {
        assert!(KeyId::new("AKIA-test_1.~+/=:@").is_ok());
        for bad in ["", "has space", "quote\"", "é", &"x".repeat(129)] {
            assert_eq!(KeyId::new(bad).unwrap_err().code(), ErrorCode::InvalidKeyId);
        }
    }
}
