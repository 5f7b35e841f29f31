//! HMAC with the key schedule computed once per secret and kept in zeroizable memory.
//!
//! HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m)) (RFC 2104). The two 64- or 128-byte key blocks
//! are the same for every message, so their compressed states are computed when a secret is created
//! and reused: each MAC then costs the message blocks plus one outer block, not two more. The
//! states are derived key material, so they live in plain arrays that are zeroized on drop, which
//! the `hmac` crate's own state does not offer. Checked against RFC 4231 and against `hmac`.

use sha2::digest::generic_array::GenericArray;
use sha2::{compress256, compress512};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::algorithm::Algorithm;

const IV256: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];
const IV512: [u64; 8] = [
    0x6a09e667f3bcc908,
    0xbb67ae8584caa73b,
    0x3c6ef372fe94f82b,
    0xa54ff53a5f1d36f1,
    0x510e527fade682d1,
    0x9b05688c2b3e6c1f,
    0x1f83d9abfb41bd6b,
    0x5be0cd19137e2179,
];

/// Precomputed inner and outer HMAC states for one secret and algorithm.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) enum KeyedMac {
    /// HMAC-SHA-256: inner and outer states after one 64-byte key block each.
    Sha256 { inner: [u32; 8], outer: [u32; 8] },
    /// HMAC-SHA-512: inner and outer states after one 128-byte key block each.
    Sha512 { inner: [u64; 8], outer: [u64; 8] },
}

impl KeyedMac {
    /// Runs the key schedule for `key` (any length; longer than a block is hashed first).
    pub(crate) fn new(algorithm: Algorithm, key: &[u8]) -> Self {
        match algorithm {
            Algorithm::HmacSha256 => {
                let mut block = [0u8; 64];
                if key.len() > 64 {
                    let mut digest = [0u8; 64];
                    digest_into(algorithm, key, &mut digest);
                    block[..32].copy_from_slice(&digest[..32]);
                    digest.zeroize();
                } else {
                    block[..key.len()].copy_from_slice(key);
                }
                let (inner, outer) = schedule256(&mut block);
                block.zeroize();
                KeyedMac::Sha256 { inner, outer }
            }
            Algorithm::HmacSha512 => {
                let mut block = [0u8; 128];
                if key.len() > 128 {
                    let mut digest = [0u8; 64];
                    digest_into(algorithm, key, &mut digest);
                    block[..64].copy_from_slice(&digest);
                    digest.zeroize();
                } else {
                    block[..key.len()].copy_from_slice(key);
                }
                let (inner, outer) = schedule512(&mut block);
                block.zeroize();
                KeyedMac::Sha512 { inner, outer }
            }
        }
    }

    /// The MAC of `message` into `out` (32 or 64 bytes are written); returns the length.
    pub(crate) fn mac_into(&self, message: &[u8], out: &mut [u8; 64]) -> usize {
        MacStream::new(self).finish_into(message, out)
    }

    /// Checks `expected` against the MAC of `message` in constant time.
    pub(crate) fn verify(&self, message: &[u8], expected: &[u8]) -> bool {
        MacStream::new(self).verify(message, expected)
    }
}

/// An HMAC over a message that is still being written: [`absorb`](Self::absorb) compresses
/// each complete block of the message so far, so a caller that builds the message in a buffer
/// (the canonical string) can hand over blocks as they fill. A block's compression is a chain of
/// dependent instructions; started early, it runs while the processor works on the rest of the
/// message, instead of all blocks running one after the other once the message is done.
///
/// The inner state is derived from the key, so it is zeroized on drop.
#[derive(Zeroize, ZeroizeOnDrop)]
pub(crate) struct MacStream<'k> {
    #[zeroize(skip)]
    key: &'k KeyedMac,
    state: State,
    /// Bytes of the message compressed so far (whole blocks).
    absorbed: usize,
}

/// A SHA-256 or SHA-512 running state.
#[derive(Zeroize)]
enum State {
    Sha256([u32; 8]),
    Sha512([u64; 8]),
}

impl State {
    /// The block length in bytes.
    fn block(&self) -> usize {
        match self {
            State::Sha256(_) => 64,
            State::Sha512(_) => 128,
        }
    }

    /// Compresses `blocks` (a whole number of blocks), one block per call so that no block is
    /// copied (safe Rust cannot view a byte slice as a slice of blocks).
    fn compress(&mut self, blocks: &[u8]) {
        match self {
            State::Sha256(state) => {
                for block in blocks.chunks_exact(64) {
                    compress256(state, block256(block));
                }
            }
            State::Sha512(state) => {
                for block in blocks.chunks_exact(128) {
                    compress512(state, block512(block));
                }
            }
        }
    }

    /// Compresses `message[absorbed..]` and its padding, for a hash that absorbed `prefix`
    /// bytes before `message` and the first `absorbed` bytes of it (whole blocks).
    fn finish(&mut self, message: &[u8], absorbed: usize, prefix: usize) {
        let block = self.block();
        let full = whole_blocks(message.len(), block);
        let mut tail = Tail::new(message, block, prefix);
        if let Some(blocks) = message.get(absorbed..full) {
            self.compress(blocks);
        }
        self.compress(tail.blocks());
        tail.clear();
    }

    /// Writes the state big-endian into `out` (the digest); returns its length.
    fn write(&self, out: &mut [u8; 64]) -> usize {
        match self {
            State::Sha256(state) => {
                for (o, w) in out.chunks_exact_mut(4).zip(state.iter()) {
                    o.copy_from_slice(&w.to_be_bytes());
                }
                32
            }
            State::Sha512(state) => {
                for (o, w) in out.chunks_exact_mut(8).zip(state.iter()) {
                    o.copy_from_slice(&w.to_be_bytes());
                }
                64
            }
        }
    }
}

/// SHA-256 or SHA-512 of `message` into `out`; returns the digest's length. The same compression
/// calls as the HMAC, without `sha2`'s buffered `Digest` machinery (which the browser's module
/// then does not carry), and the padded tail is zeroized (it may hold the end of a long key).
pub(crate) fn digest_into(algorithm: Algorithm, message: &[u8], out: &mut [u8; 64]) -> usize {
    let mut state = match algorithm {
        Algorithm::HmacSha256 => State::Sha256(IV256),
        Algorithm::HmacSha512 => State::Sha512(IV512),
    };
    state.finish(message, 0, 0);
    let len = state.write(out);
    state.zeroize();
    len
}

impl<'k> MacStream<'k> {
    /// A MAC under `key` over a message not yet seen.
    pub(crate) fn new(key: &'k KeyedMac) -> Self {
        let state = match key {
            KeyedMac::Sha256 { inner, .. } => State::Sha256(*inner),
            KeyedMac::Sha512 { inner, .. } => State::Sha512(*inner),
        };
        MacStream {
            key,
            state,
            absorbed: 0,
        }
    }

    /// Compresses the complete blocks of `message` not compressed yet. `message` is the whole
    /// message so far: it must begin with every byte passed before (a buffer that only grows).
    /// Not inlined: the canonical string calls it at three places, which then share one copy
    /// (smaller hot code, and a smaller browser module).
    #[inline(never)]
    pub(crate) fn absorb(&mut self, message: &[u8]) {
        let end = whole_blocks(message.len(), self.state.block());
        if let Some(blocks) = message.get(self.absorbed..end) {
            self.state.compress(blocks);
            self.absorbed = end;
        }
    }

    /// The MAC of the whole `message` (which begins with everything absorbed) into `out` (32 or
    /// 64 bytes are written); returns the length.
    pub(crate) fn finish_into(mut self, message: &[u8], out: &mut [u8; 64]) -> usize {
        debug_assert!(self.absorbed <= message.len());
        // HMAC's inner hash absorbed one key block before the message.
        let block = self.state.block();
        let mut tail = Tail::new(message, block, block);
        self.absorb(&message[..whole_blocks(message.len(), block)]);
        // One arm per algorithm (not `State::compress`/`write`): the hot path then has no
        // second dispatch on the algorithm.
        let len = match (self.key, &mut self.state) {
            (KeyedMac::Sha256 { outer, .. }, State::Sha256(inner)) => {
                for block in tail.blocks().chunks_exact(64) {
                    compress256(inner, block256(block));
                }
                let mut mac = outer_block256(*outer, inner);
                for (o, w) in out.chunks_exact_mut(4).zip(mac.iter()) {
                    o.copy_from_slice(&w.to_be_bytes());
                }
                mac.zeroize();
                32
            }
            (KeyedMac::Sha512 { outer, .. }, State::Sha512(inner)) => {
                for block in tail.blocks().chunks_exact(128) {
                    compress512(inner, block512(block));
                }
                let mut mac = outer_block512(*outer, inner);
                for (o, w) in out.chunks_exact_mut(8).zip(mac.iter()) {
                    o.copy_from_slice(&w.to_be_bytes());
                }
                mac.zeroize();
                64
            }
            // `new` takes the state from the key: the two always match.
            _ => 0,
        };
        tail.clear();
        len
    }

    /// Checks `expected` against the MAC of the whole `message` in constant time.
    pub(crate) fn verify(self, message: &[u8], expected: &[u8]) -> bool {
        let mut mac = [0u8; 64];
        let len = self.finish_into(message, &mut mac);
        let ok = expected.len() == len && bool::from(ct_eq_words(&mac[..len], expected));
        mac[..len].zeroize();
        ok
    }
}

/// `len` rounded down to a whole number of `block`-byte blocks (`block` is 64 or 128). A mask,
/// not `%`: the block length is not a constant where this runs, and a division is tens of cycles.
#[inline]
fn whole_blocks(len: usize, block: usize) -> usize {
    debug_assert!(block.is_power_of_two());
    len & !(block - 1)
}

/// The padded last block or two of a message for a hash with `block`-byte blocks (64 for
/// SHA-256, 128 for SHA-512).
struct Tail {
    bytes: [u8; 256],
    used: usize,
}

impl Tail {
    /// Pads the message's last partial block, for a hash that absorbed `prefix` bytes before the
    /// message (HMAC's key block). Built before the message's remaining full blocks are
    /// compressed, so its byte stores have reached the cache when compression loads it (loading
    /// 16 bytes right after storing them piecemeal stalls on store forwarding).
    fn new(message: &[u8], block: usize, prefix: usize) -> Self {
        let rest = &message[whole_blocks(message.len(), block)..];
        let mut bytes = [0u8; 256];
        bytes[..rest.len()].copy_from_slice(rest);
        bytes[rest.len()] = 0x80;
        // The length field is the last 8 (SHA-256) or 16 (SHA-512) bytes of the padding.
        let used = if rest.len() < block - block / 8 {
            block
        } else {
            2 * block
        };
        // The length in bits, big-endian (it fits 64 bits; SHA-512's upper 8 length bytes stay
        // zero).
        let bits = ((prefix + message.len()) as u64) * 8;
        bytes[used - 8..used].copy_from_slice(&bits.to_be_bytes());
        Tail { bytes, used }
    }

    fn blocks(&self) -> &[u8] {
        &self.bytes[..self.used]
    }

    /// Zeroizes the blocks used (zeroize writes byte by byte: the untouched rest is skipped).
    fn clear(&mut self) {
        self.bytes[..self.used].zeroize();
    }
}

/// Constant-time equality of two slices, eight bytes per step: the differences are OR-ed
/// together without a branch, and only the total passes through `subtle`'s optimisation barrier
/// (`subtle` compares a byte slice one byte at a time, each behind a barrier). A tail shorter
/// than a word is compared bytewise.
pub(crate) fn ct_eq_words(a: &[u8], b: &[u8]) -> subtle::Choice {
    use subtle::ConstantTimeEq;
    let word = |w: &[u8]| {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(w);
        u64::from_ne_bytes(bytes)
    };
    let (mut wa, mut wb) = (a.chunks_exact(8), b.chunks_exact(8));
    let mut diff = 0u64;
    for (x, y) in (&mut wa).zip(&mut wb) {
        diff |= word(x) ^ word(y);
    }
    for (x, y) in wa.remainder().iter().zip(wb.remainder()) {
        diff |= u64::from(x ^ y);
    }
    subtle::Choice::from(u8::from(a.len() == b.len())) & diff.ct_eq(&0)
}

fn schedule256(key_block: &mut [u8; 64]) -> ([u32; 8], [u32; 8]) {
    let (mut inner, mut outer) = (IV256, IV256);
    let mut pad = [0u8; 64];
    for (p, k) in pad.iter_mut().zip(key_block.iter()) {
        *p = k ^ 0x36;
    }
    compress256(&mut inner, block256(&pad));
    for (p, k) in pad.iter_mut().zip(key_block.iter()) {
        *p = k ^ 0x5c;
    }
    compress256(&mut outer, block256(&pad));
    pad.zeroize();
    (inner, outer)
}

fn schedule512(key_block: &mut [u8; 128]) -> ([u64; 8], [u64; 8]) {
    let (mut inner, mut outer) = (IV512, IV512);
    let mut pad = [0u8; 128];
    for (p, k) in pad.iter_mut().zip(key_block.iter()) {
        *p = k ^ 0x36;
    }
    compress512(&mut inner, block512(&pad));
    for (p, k) in pad.iter_mut().zip(key_block.iter()) {
        *p = k ^ 0x5c;
    }
    compress512(&mut outer, block512(&pad));
    pad.zeroize();
    (inner, outer)
}

/// One SHA-256 block, borrowed as the compression function takes it (no copy).
fn block256(bytes: &[u8]) -> &[GenericArray<u8, sha2::digest::typenum::U64>] {
    core::slice::from_ref(GenericArray::from_slice(bytes))
}

/// The outer HMAC-SHA-256 hash from `outer` (which has absorbed the 64-byte key block) over
/// the inner digest, given as the inner hash's final state: one block, built straight from
/// the state's words.
fn outer_block256(mut outer: [u32; 8], inner: &[u32; 8]) -> [u32; 8] {
    let mut block = [0u8; 64];
    for (b, w) in block.chunks_exact_mut(4).zip(inner.iter()) {
        b.copy_from_slice(&w.to_be_bytes());
    }
    block[32] = 0x80;
    // 64 + 32 bytes, in bits: 768 = 0x0300.
    block[62] = 0x03;
    compress256(&mut outer, block256(&block));
    // Only the digest half is derived from the key; the rest is fixed padding.
    block[..32].zeroize();
    outer
}

/// One SHA-512 block, borrowed as the compression function takes it (no copy).
fn block512(bytes: &[u8]) -> &[GenericArray<u8, sha2::digest::typenum::U128>] {
    core::slice::from_ref(GenericArray::from_slice(bytes))
}

/// The outer HMAC-SHA-512 hash from `outer` over the inner digest, given as the inner hash's
/// final state: one block, built straight from the state's words.
fn outer_block512(mut outer: [u64; 8], inner: &[u64; 8]) -> [u64; 8] {
    let mut block = [0u8; 128];
    for (b, w) in block.chunks_exact_mut(8).zip(inner.iter()) {
        b.copy_from_slice(&w.to_be_bytes());
    }
    block[64] = 0x80;
    // 128 + 64 bytes, in bits: 1536 = 0x0600.
    block[126] = 0x06;
    compress512(&mut outer, block512(&block));
    // Only the digest half is derived from the key; the rest is fixed padding.
    block[..64].zeroize();
    outer
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn word_comparison_is_equality() {
        let a: Vec<u8> = (0..64u8).collect();
        for len in [0, 1, 7, 8, 9, 32, 63, 64] {
            assert!(bool::from(ct_eq_words(&a[..len], &a[..len])));
            for flip in 0..len {
                let mut b = a[..len].to_vec();
                b[flip] ^= 0x40;
                assert!(!bool::from(ct_eq_words(&a[..len], &b)), "{len} {flip}");
            }
        }
        assert!(!bool::from(ct_eq_words(&a[..32], &a[..31])));
    }

    fn mac(alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut out = [0u8; 64];
        let n = KeyedMac::new(alg, key).mac_into(msg, &mut out);
        out[..n].to_vec()
    }

    fn reference_mac(alg: Algorithm, key: &[u8], msg: &[u8]) -> Vec<u8> {
        use hmac::{Hmac, Mac};
        match alg {
            Algorithm::HmacSha256 => {
                let mut m = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).unwrap();
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
            Algorithm::HmacSha512 => {
                let mut m = <Hmac<sha2::Sha512> as Mac>::new_from_slice(key).unwrap();
                m.update(msg);
                m.finalize().into_bytes().to_vec()
            }
        }
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 is a truncated MAC).
    #[test]
    fn rfc4231() {
        let aa131 = vec![0xaa; 131];
        let cases: [(Vec<u8>, Vec<u8>, &str, &str); 6] = [
            (vec![0x0b; 20], b"Hi There".to_vec(),
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
             "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
            (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(),
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
             "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"),
            (vec![0xaa; 20], vec![0xdd; 50],
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
             "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"),
            ((1u8..=25).collect(), vec![0xcd; 50],
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
             "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"),
            (aa131.clone(), b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
             "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"),
            (aa131, b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
             "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"),
        ];
        for (key, msg, want256, want512) in cases {
            assert_eq!(mac(Algorithm::HmacSha256, &key, &msg), unhex(want256));
            assert_eq!(mac(Algorithm::HmacSha512, &key, &msg), unhex(want512));
        }
    }

    proptest! {
        /// Handing the message over in growing prefixes (as the canonical string is built) gives
        /// the MAC of the whole message, for cuts anywhere around block edges.
        #[test]
        fn streaming_equals_one_pass(
            key in prop::collection::vec(any::<u8>(), 0..200),
            msg in prop::collection::vec(any::<u8>(), 0..700),
            cuts in prop::collection::vec(0usize..700, 0..8),
        ) {
            let mut cuts = cuts;
            cuts.sort_unstable();
            for alg in [Algorithm::HmacSha256, Algorithm::HmacSha512] {
                let keyed = KeyedMac::new(alg, &key);
                let mut stream = MacStream::new(&keyed);
                for &cut in &cuts {
                    stream.absorb(&msg[..cut.min(msg.len())]);
                }
                let mut out = [0u8; 64];
                let n = stream.finish_into(&msg, &mut out);
                let reference = reference_mac(alg, &key, &msg);
                prop_assert_eq!(out[..n].to_vec(), reference.clone());
                let mut stream = MacStream::new(&keyed);
                stream.absorb(&msg[..cuts.first().copied().unwrap_or(0).min(msg.len())]);
                prop_assert!(stream.verify(&msg, &reference));
            }
        }

        /// The one-shot digest (the browser's body digest and long-key hash) equals `sha2`'s
        /// `Digest` for every length around block and padding edges.
        #[test]
        fn digest_equals_sha2(msg in prop::collection::vec(any::<u8>(), 0..400)) {
            use sha2::Digest;
            let mut out = [0u8; 64];
            let n = digest_into(Algorithm::HmacSha256, &msg, &mut out);
            prop_assert_eq!(out[..n].to_vec(), sha2::Sha256::digest(&msg).to_vec());
            let n = digest_into(Algorithm::HmacSha512, &msg, &mut out);
            prop_assert_eq!(out[..n].to_vec(), sha2::Sha512::digest(&msg).to_vec());
        }

        /// Same output as the `hmac` crate (a dev-dependency, the reference) for every key and
        /// message length around block edges.
        #[test]
        fn matches_hmac_crate(key in prop::collection::vec(any::<u8>(), 0..300), msg in prop::collection::vec(any::<u8>(), 0..400)) {
            for alg in [Algorithm::HmacSha256, Algorithm::HmacSha512] {
                let reference = reference_mac(alg, &key, &msg);
                prop_assert_eq!(mac(alg, &key, &msg), reference.clone());
                prop_assert_eq!(alg.mac(&key, &msg), reference.clone());
                prop_assert!(KeyedMac::new(alg, &key).verify(&msg, &reference));
                let mut wrong = reference.clone();
                wrong[0] ^= 1;
                prop_assert!(!KeyedMac::new(alg, &key).verify(&msg, &wrong));
                prop_assert!(!KeyedMac::new(alg, &key).verify(&msg, &reference[..reference.len() - 1]));
            }
        }
    }
}
