//! The body digest of SPEC §3.6 computed incrementally: [`BodyHasher`] takes a body in pieces
//! (a file, a socket, a stream of chunks) and gives the same [`BodyDigest`] as the one-shot
//! digest of the whole body, so bodies of any size are signed and verified in bounded memory.

use sha2::{Digest, Sha256, Sha512};

use crate::algorithm::Algorithm;
use crate::hex;
use crate::signing::SignableBody;

/// An incremental body digest for one [`Algorithm`] (SHA-256 for `hmac-sha256`, SHA-512 for
/// `hmac-sha512`): feed the body with [`update`](Self::update) in any number of pieces of any
/// size, then [`finish`](Self::finish).
///
/// The bindings expose the same object (`update(bytes)`, `finish() -> hex`), so Python, Node and
/// the browser hash streamed uploads in the core too.
///
/// ```
/// use sigwire_core::signing::{BodyHasher, SignableBody};
/// use sigwire_core::{Algorithm, Request, SignOptions, Signer};
///
/// let mut hasher = BodyHasher::new(Algorithm::HmacSha256);
/// for chunk in [&b"{\"amount\":"[..], b"100}"] {
///     hasher.update(chunk);
/// }
/// let digest = hasher.finish();
/// assert_eq!(digest.len(), 14);
/// assert_eq!(digest.as_str(), Algorithm::HmacSha256.body_digest_hex(b"{\"amount\":100}"));
///
/// // Sign without the bytes: same signature as signing the whole body.
/// let signer = Signer::new("client-1", b"0123456789abcdef0123456789abcdef".to_vec())?;
/// let head = Request::new("POST", "https://api.example.com/v1/payments")
///     .header("Content-Type", "application/json");
/// let options = SignOptions::fixed(1_700_000_000, "AAAAAAAAAAAAAAAAAAAAAA");
/// let streamed = signer.sign_body(&head, digest.signable(), &options)?;
/// let whole = signer.sign_with(&head.clone().body(b"{\"amount\":100}"), &options)?;
/// assert_eq!(streamed.authorization, whole.authorization);
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Clone)]
pub struct BodyHasher {
    state: State,
    len: u64,
}

#[derive(Clone)]
enum State {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl core::fmt::Debug for BodyHasher {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BodyHasher")
            .field("algorithm", &self.algorithm())
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl BodyHasher {
    /// A hasher for `algorithm`'s body digest, at zero bytes.
    pub fn new(algorithm: Algorithm) -> Self {
        let state = match algorithm {
            Algorithm::HmacSha256 => State::Sha256(Sha256::new()),
            Algorithm::HmacSha512 => State::Sha512(Sha512::new()),
        };
        BodyHasher { state, len: 0 }
    }

    /// The algorithm whose digest this computes.
    pub fn algorithm(&self) -> Algorithm {
        match self.state {
            State::Sha256(_) => Algorithm::HmacSha256,
            State::Sha512(_) => Algorithm::HmacSha512,
        }
    }

    /// Adds the next `bytes` of the body.
    pub fn update(&mut self, bytes: &[u8]) {
        match &mut self.state {
            State::Sha256(h) => h.update(bytes),
            State::Sha512(h) => h.update(bytes),
        }
        self.len = self.len.saturating_add(bytes.len() as u64);
    }

    /// How many body bytes were added so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte was added yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digest of every byte added, in order.
    pub fn finish(self) -> BodyDigest {
        let mut hex_digest = String::with_capacity(self.algorithm().mac_len() * 2);
        let algorithm = self.algorithm();
        match self.state {
            State::Sha256(h) => hex::encode_into(&h.finalize(), &mut hex_digest),
            State::Sha512(h) => hex::encode_into(&h.finalize(), &mut hex_digest),
        }
        BodyDigest {
            algorithm,
            hex: hex_digest,
            len: self.len,
        }
    }
}

/// A finished body digest: the algorithm, the lowercase hex the canonical string carries, and
/// the body's length in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyDigest {
    algorithm: Algorithm,
    hex: String,
    len: u64,
}

impl BodyDigest {
    /// The algorithm the digest belongs to.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The digest, lowercase hex (64 characters for SHA-256, 128 for SHA-512).
    pub fn as_str(&self) -> &str {
        &self.hex
    }

    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the body was empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The digest as the body to sign ([`SignableBody::Precomputed`]).
    pub fn signable(&self) -> SignableBody<'_> {
        SignableBody::Precomputed(&self.hex)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn streamed(algorithm: Algorithm, body: &[u8], cuts: &[usize]) -> BodyDigest {
        let mut hasher = BodyHasher::new(algorithm);
        let mut rest = body;
        for &cut in cuts {
            let (piece, tail) = rest.split_at(cut.min(rest.len()));
            hasher.update(piece);
            rest = tail;
        }
        hasher.update(rest);
        hasher.finish()
    }

    proptest! {
        #[test]
        fn chunked_equals_one_shot(
            body in proptest::collection::vec(any::<u8>(), 0..5000),
            cuts in proptest::collection::vec(0usize..700, 0..20),
        ) {
            for algorithm in [Algorithm::HmacSha256, Algorithm::HmacSha512] {
                let digest = streamed(algorithm, &body, &cuts);
                prop_assert_eq!(digest.as_str(), algorithm.body_digest_hex(&body));
                prop_assert_eq!(digest.len(), body.len() as u64);
                prop_assert_eq!(digest.algorithm(), algorithm);
            }
        }
    }

    #[test]
    fn empty_body_is_the_spec_constant() {
        let digest = BodyHasher::new(Algorithm::HmacSha256).finish();
        assert_eq!(
            digest.as_str(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert!(digest.is_empty());
    }

    #[test]
    fn one_mebibyte_in_odd_pieces() {
        let body: Vec<u8> = (0..1_048_583u32).map(|i| (i * 31 % 251) as u8).collect();
        let cuts: Vec<usize> = (1..200).map(|i| i * 37 % 9000).collect();
        let digest = streamed(Algorithm::HmacSha256, &body, &cuts);
        assert_eq!(
            digest.as_str(),
            Algorithm::HmacSha256.body_digest_hex(&body)
        );
    }
}
