//! SipHash over whole 64-bit words, keyed per process: the replay store's keyed hash.
//!
//! The same pseudorandom function as the standard library's `HashMap` default (SipHash-1-3),
//! but fed whole words instead of through [`std::hash::Hasher::write`]'s byte buffering: a
//! string is written as its bytes in little-endian words, the last one zero-padded, followed by
//! one word holding its length. That encoding is injective for any sequence of strings (read it
//! back from the end), and what is hashed is the standard SipHash of the encoded bytes (every
//! message is a whole number of words, so the final block carries only the length byte). The
//! tests check the construction against the standard library's SipHash-2-4.
//!
//! Why a pseudorandom function: nonces are chosen by whoever holds a key. Without the random
//! per-process key, nobody can predict where a nonce lands in the table, so nobody can make
//! probe chains long (the store holds one lock for every key) or aim for a collision.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;

/// SipHash-c-d state over a message of whole 64-bit words.
#[derive(Clone, Debug)]
pub(crate) struct Sip<const C: usize, const D: usize> {
    v: [u64; 4],
    /// Bytes absorbed so far (only the low 8 bits reach the hash, as the algorithm says).
    len: u64,
}

/// SipHash-1-3, the standard library's choice for hash tables.
pub(crate) type Sip13 = Sip<1, 3>;

/// A random 128-bit key for [`Sip`], drawn once per store.
#[derive(Clone, Copy)]
pub(crate) struct SipKey([u64; 2]);

impl std::fmt::Debug for SipKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SipKey(..)")
    }
}

impl SipKey {
    /// A fresh random key. The standard library seeds each `RandomState` from the operating
    /// system's generator; two of its outputs on distinct inputs are two secret,
    /// independent-looking 64-bit words.
    pub(crate) fn random() -> Self {
        let seed = RandomState::new();
        SipKey([seed.hash_one(0u64), seed.hash_one(1u64)])
    }
}

impl<const C: usize, const D: usize> Sip<C, D> {
    /// The initial state for `key`.
    pub(crate) fn new(key: SipKey) -> Self {
        let [k0, k1] = key.0;
        Sip {
            v: [
                k0 ^ 0x736f_6d65_7073_6575,
                k1 ^ 0x646f_7261_6e64_6f6d,
                k0 ^ 0x6c79_6765_6e65_7261,
                k1 ^ 0x7465_6462_7974_6573,
            ],
            len: 0,
        }
    }

    #[inline(always)]
    fn round(&mut self) {
        let [mut v0, mut v1, mut v2, mut v3] = self.v;
        v0 = v0.wrapping_add(v1);
        v1 = v1.rotate_left(13) ^ v0;
        v0 = v0.rotate_left(32);
        v2 = v2.wrapping_add(v3);
        v3 = v3.rotate_left(16) ^ v2;
        v0 = v0.wrapping_add(v3);
        v3 = v3.rotate_left(21) ^ v0;
        v2 = v2.wrapping_add(v1);
        v1 = v1.rotate_left(17) ^ v2;
        v2 = v2.rotate_left(32);
        self.v = [v0, v1, v2, v3];
    }

    /// Absorbs one message word (8 bytes, little-endian).
    #[inline(always)]
    pub(crate) fn word(&mut self, m: u64) {
        self.v[3] ^= m;
        for _ in 0..C {
            self.round();
        }
        self.v[0] ^= m;
        self.len = self.len.wrapping_add(8);
    }

    /// Absorbs `s` as its bytes in zero-padded little-endian words, then its length.
    #[inline]
    pub(crate) fn write_str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            let mut b = [0u8; 8];
            b.copy_from_slice(w);
            self.word(u64::from_le_bytes(b));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            // Shifted in byte by byte: copying the tail into a zeroed buffer and loading it as a
            // word stalls on store forwarding (a visible share of the replay store's time).
            let m = tail.iter().rev().fold(0u64, |m, &b| m << 8 | u64::from(b));
            self.word(m);
        }
        self.word(bytes.len() as u64);
    }

    /// The hash of the message absorbed so far (the state is left as it was, so more can be
    /// absorbed and hashed again).
    #[inline]
    pub(crate) fn finish(&self) -> u64 {
        let mut s = self.clone();
        // The final block: no tail bytes (whole words only), the length byte on top.
        let b = (s.len & 0xff) << 56;
        s.v[3] ^= b;
        for _ in 0..C {
            s.round();
        }
        s.v[0] ^= b;
        s.v[2] ^= 0xff;
        for _ in 0..D {
            s.round();
        }
        s.v[0] ^ s.v[1] ^ s.v[2] ^ s.v[3]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The standard library's SipHash-2-4 (deprecated as a public hasher, kept as a reference).
    #[allow(deprecated)]
    fn std_sip24(key: SipKey, bytes: &[u8]) -> u64 {
        use std::hash::Hasher;
        let mut h = std::hash::SipHasher::new_with_keys(key.0[0], key.0[1]);
        h.write(bytes);
        h.finish()
    }

    fn encode(strings: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for s in strings {
            out.extend_from_slice(s.as_bytes());
            out.resize(out.len().next_multiple_of(8), 0);
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
        }
        out
    }

    #[test]
    fn equals_the_standard_siphash_of_the_encoding() {
        let keys = [
            SipKey([0, 0]),
            SipKey([0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908]),
            SipKey::random(),
        ];
        let cases: [&[&str]; 6] = [
            &[""],
            &["k"],
            &["tenant-07", "AbCdEfGhIjKlMnOpQrStUv"],
            &["12345678", "1234567812345678"],
            &["key-with-ü", ""],
            &["a", "b", "c"],
        ];
        for key in keys {
            for strings in cases {
                let mut sip = Sip::<2, 4>::new(key);
                for s in strings {
                    sip.write_str(s);
                }
                assert_eq!(
                    sip.finish(),
                    std_sip24(key, &encode(strings)),
                    "{strings:?}"
                );
                // Finishing midway and continuing gives each prefix's own hash.
                let mut sip = Sip::<2, 4>::new(key);
                sip.write_str(strings[0]);
                assert_eq!(sip.finish(), std_sip24(key, &encode(&strings[..1])));
                for s in &strings[1..] {
                    sip.write_str(s);
                }
                assert_eq!(sip.finish(), std_sip24(key, &encode(strings)));
            }
        }
    }

    #[test]
    fn the_encoding_separates_strings() {
        let key = SipKey::random();
        let hash = |strings: &[&str]| {
            let mut sip = Sip13::new(key);
            for s in strings {
                sip.write_str(s);
            }
            sip.finish()
        };
        assert_ne!(hash(&["ab", "c"]), hash(&["a", "bc"]));
        assert_ne!(hash(&["a\0", ""]), hash(&["a", "\0"]));
        assert_ne!(hash(&["k", "n"]), hash(&["k", "m"]));
        assert_ne!(
            Sip13::new(key).finish(),
            Sip13::new(SipKey::random()).finish()
        );
    }

    #[test]
    fn key_debug_prints_nothing() {
        assert_eq!(format!("{:?}", SipKey([1, 2])), "SipKey(..)");
    }
}
