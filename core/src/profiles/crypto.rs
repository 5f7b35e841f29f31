//! The primitives every profile uses: HMAC, SHA-2, hex and constant-time comparison.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

/// HMAC-SHA-256 over the concatenation of `parts`.
pub(crate) fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // `new_from_slice` accepts keys of any length for HMAC; the error branch is unreachable.
    let mut mac = match Hmac::<Sha256>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0u8; 32],
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA-512 over the concatenation of `parts`.
pub(crate) fn hmac_sha512(key: &[u8], parts: &[&[u8]]) -> [u8; 64] {
    let mut mac = match Hmac::<Sha512>::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0u8; 64],
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// SHA-256 of the concatenation of `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// SHA-512 of `data`.
pub(crate) fn sha512(data: &[u8]) -> [u8; 64] {
    Sha512::digest(data).into()
}

/// Lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    crate::hex::encode_into(bytes, &mut s);
    s
}

/// The lowercase hex of a 32-byte digest, on the stack (a signature or payload hash per request
/// needs no allocation).
#[derive(Clone, Copy)]
pub(crate) struct Hex32([u8; 64]);

impl Hex32 {
    /// Encodes `bytes`.
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        Hex32(crate::hex::encode32(bytes))
    }

    /// The 64 hex digits.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits were written.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Decodes hex in either case; `None` on any other byte or odd length.
pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    crate::hex::decode_lower(&s.to_ascii_lowercase())
}

/// Constant-time equality of two byte strings (the length is not secret): the core's word-wise
/// comparison ([`crate::keyed_mac::ct_eq_words`]: the XOR of every 8-byte word OR-ed into one
/// word, tested once in constant time, not every byte through `subtle`'s barrier).
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(crate::keyed_mac::ct_eq_words(a, b))
}

/// Standard base64 with padding.
pub(crate) fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 with padding.
pub(crate) fn b64_decode(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
        let mac = hmac_sha256(b"Jefe", &[b"what do ya ", b"want for nothing?"]);
        assert_eq!(
            hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        let mac = hmac_sha512(b"Jefe", &[b"what do ya want for nothing?"]);
        assert!(hex(&mac)
            .starts_with("164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"));
    }

    #[test]
    fn stack_hex_equals_hex() {
        let mut bytes = [0u8; 32];
        for start in [0u8, 32, 64, 96, 128, 160, 192, 224] {
            for (i, b) in bytes.iter_mut().enumerate() {
                *b = start.wrapping_add(i as u8);
            }
            assert_eq!(Hex32::new(&bytes).as_str(), hex(&bytes));
        }
    }

    #[test]
    fn ct_eq_checks_length_and_bytes() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
        // Every length around the 8-byte words, every position and bit of a difference.
        let a: Vec<u8> = (0u8..40).map(|i| i.wrapping_mul(37)).collect();
        for len in 0..=a.len() {
            assert!(ct_eq(&a[..len], &a[..len]));
            for at in 0..len {
                for bit in 0..8 {
                    let mut b = a[..len].to_vec();
                    b[at] ^= 1 << bit;
                    assert!(!ct_eq(&a[..len], &b), "{len} {at} {bit}");
                }
            }
        }
    }
}
