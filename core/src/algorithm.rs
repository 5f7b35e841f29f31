//! The HMAC algorithms `sigwire-v1` offers, each paired with its body digest.

use core::fmt;
use core::str::FromStr;

#[cfg(not(target_arch = "wasm32"))]
use sha2::{Digest, Sha256, Sha512};

use crate::error::{Error, ErrorCode};
use crate::hex;
use crate::keyed_mac::KeyedMac;

/// An HMAC algorithm and the digest used for the body.
///
/// MD5 and SHA-1 are deliberately absent: naming them is an `unsupported_algorithm` error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA-256 with a SHA-256 body digest (the default).
    #[default]
    HmacSha256,
    /// HMAC-SHA-512 with a SHA-512 body digest.
    HmacSha512,
}

impl Algorithm {
    /// The wire name, e.g. `"hmac-sha256"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Algorithm::HmacSha256 => "hmac-sha256",
            Algorithm::HmacSha512 => "hmac-sha512",
        }
    }

    /// Length of the MAC in bytes (32 or 64).
    pub const fn mac_len(self) -> usize {
        match self {
            Algorithm::HmacSha256 => 32,
            Algorithm::HmacSha512 => 64,
        }
    }

    /// Lowercase hex of the body digest (SHA-256 or SHA-512) over `body`.
    pub fn body_digest_hex(self, body: &[u8]) -> String {
        let mut out = String::with_capacity(self.mac_len() * 2);
        self.push_body_digest_hex(body, &mut out);
        out
    }

    /// Appends the lowercase hex of the body digest to `out` (no intermediate allocation).
    pub(crate) fn push_body_digest_hex(self, body: &[u8], out: &mut String) {
        // Most GETs have no body, and the digest of zero bytes is a constant (checked in tests).
        match (self, body.is_empty()) {
            (Algorithm::HmacSha256, true) => return out.push_str(EMPTY_SHA256_HEX),
            (Algorithm::HmacSha512, true) => return out.push_str(EMPTY_SHA512_HEX),
            _ => {}
        }
        // Natively, `sha2`'s `Digest` hands the compression function all full blocks at once,
        // which hashes a long body faster; in WebAssembly (software SHA-2, where a call per block
        // costs nothing measurable) the core's own one-shot digest keeps that machinery out of
        // the browser's module. Both give the same digest (tested).
        #[cfg(not(target_arch = "wasm32"))]
        match self {
            Algorithm::HmacSha256 => hex::encode_into(&Sha256::digest(body), out),
            Algorithm::HmacSha512 => hex::encode_into(&Sha512::digest(body), out),
        }
        #[cfg(target_arch = "wasm32")]
        {
            let mut digest = [0u8; 64];
            let len = crate::keyed_mac::digest_into(self, body, &mut digest);
            hex::encode_into(&digest[..len], out);
        }
    }

    /// The raw HMAC of `message` under `key`: the same implementation the signer and verifier
    /// use (precomputed key schedule over SHA-2 compression), for callers that need a bare MAC.
    pub fn mac(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        let mut out = [0u8; 64];
        let len = KeyedMac::new(self, key).mac_into(message, &mut out);
        let mac = out[..len].to_vec();
        zeroize::Zeroize::zeroize(&mut out);
        mac
    }

    /// Checks in constant time that `expected` is the HMAC of `message` under `key`.
    pub fn verify_mac(self, key: &[u8], message: &[u8], expected: &[u8]) -> bool {
        KeyedMac::new(self, key).verify(message, expected)
    }
}

/// SHA-256 of zero bytes, lowercase hex.
const EMPTY_SHA256_HEX: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// SHA-512 of zero bytes, lowercase hex.
const EMPTY_SHA512_HEX: &str = "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e";

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Algorithm {
    type Err = Error;

    /// Parses a wire name. Only the exact lowercase names are accepted.
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "hmac-sha256" => Ok(Algorithm::HmacSha256),
            "hmac-sha512" => Ok(Algorithm::HmacSha512),
            // The value is not echoed: a secret passed in the wrong argument would be printed.
            _ => Err(Error::new(
                ErrorCode::UnsupportedAlgorithm,
                "algorithm is not offered; use \"hmac-sha256\" or \"hmac-sha512\"",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_body_digests_are_the_hash_of_zero_bytes() {
        use sha2::{Digest, Sha256, Sha512};
        assert_eq!(EMPTY_SHA256_HEX, crate::hex::encode(&Sha256::digest(b"")));
        assert_eq!(EMPTY_SHA512_HEX, crate::hex::encode(&Sha512::digest(b"")));
    }

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let mac = Algorithm::HmacSha256.mac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mac = Algorithm::HmacSha512.mac(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(&mac),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
        assert!(Algorithm::HmacSha256.verify_mac(
            b"Jefe",
            b"what do ya want for nothing?",
            &Algorithm::HmacSha256.mac(b"Jefe", b"what do ya want for nothing?")
        ));
        assert!(!Algorithm::HmacSha256.verify_mac(
            b"Jefe",
            b"what do ya want for nothing!",
            &mac[..32]
        ));
    }

    #[test]
    fn unknown_algorithm_is_not_echoed() {
        let e = "my-very-secret-signing-key-0001"
            .parse::<Algorithm>()
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnsupportedAlgorithm);
        assert!(!e.to_string().contains("my-very-secret"), "{e}");
    }

    #[test]
    fn empty_body_digest() {
        assert_eq!(
            Algorithm::HmacSha256.body_digest_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn md5_and_sha1_refused() {
        for name in ["hmac-md5", "hmac-sha1", "HMAC-SHA256", ""] {
            let err = name.parse::<Algorithm>().unwrap_err();
            assert_eq!(err.code(), ErrorCode::UnsupportedAlgorithm);
        }
    }
}
