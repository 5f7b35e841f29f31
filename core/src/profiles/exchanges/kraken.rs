//! Kraken spot REST: `API-Sign` = base64(HMAC-SHA512(base64-decoded secret,
//! uri_path + SHA-256(nonce + POST data))), `API-Key` header; the nonce is the body's `nonce`
//! field and must strictly increase per API key ([`KrakenNonce`]).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::profiles::crypto::{b64, hmac_sha512, sha256};
use crate::profiles::error::ProfileError;
use crate::profiles::target::{split_pairs, Target};
use crate::signing::{Param, SigningInstructions};
use crate::Request;

use super::{body_text, ApiCredentials};

/// A strictly increasing nonce source for one API key, safe to share between threads: each call
/// returns `max(now_ms, previous + 1)`, so concurrent callers never get the same value and a
/// clock step backwards never makes it decrease.
///
/// ```
/// use sigwire_core::profiles::exchanges::kraken::KrakenNonce;
///
/// let nonces = KrakenNonce::new();
/// let a = nonces.next(1_700_000_000_000);
/// let b = nonces.next(1_700_000_000_000); // same millisecond
/// assert!(b > a);
/// ```
#[derive(Debug, Default)]
pub struct KrakenNonce {
    last: AtomicU64,
}

impl KrakenNonce {
    /// A source starting at zero.
    pub fn new() -> Self {
        KrakenNonce {
            last: AtomicU64::new(0),
        }
    }

    /// A source that continues after `last` (e.g. persisted across restarts).
    pub fn starting_after(last: u64) -> Self {
        KrakenNonce {
            last: AtomicU64::new(last),
        }
    }

    /// The next nonce given the current time in milliseconds.
    pub fn next(&self, now_ms: u64) -> u64 {
        let mut prev = self.last.load(Ordering::Relaxed);
        loop {
            let next = now_ms.max(prev.saturating_add(1));
            match self
                .last
                .compare_exchange_weak(prev, next, Ordering::AcqRel, Ordering::Relaxed)
            {
                Ok(_) => return next,
                Err(actual) => prev = actual,
            }
        }
    }
}

/// A Kraken signer (credentials from [`ApiCredentials::from_base64_secret`]).
#[derive(Debug, Clone)]
pub struct Kraken {
    credentials: ApiCredentials,
}

impl Kraken {
    /// A signer.
    pub fn new(credentials: ApiCredentials) -> Self {
        Kraken { credentials }
    }

    /// The form body `nonce=<nonce>&k=v…` (the nonce first, values percent-encoded) to send and sign.
    pub fn body_with_nonce(nonce: u64, params: &[(&str, &str)]) -> String {
        let mut s = format!("nonce={nonce}");
        for (k, v) in params {
            s.push('&');
            s.push_str(&crate::profiles::percent::encode(k.as_bytes(), b""));
            s.push('=');
            s.push_str(&crate::profiles::percent::encode(v.as_bytes(), b""));
        }
        s
    }

    /// Signs a POST whose form body carries `nonce=` (see [`Kraken::body_with_nonce`]).
    pub fn sign(&self, request: &Request<'_>) -> Result<SigningInstructions, ProfileError> {
        let body = body_text(request)?;
        let nonce = split_pairs(body)
            .into_iter()
            .find(|(k, _)| *k == "nonce")
            .map(|(_, v)| v)
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| {
                ProfileError::invalid_request("the Kraken body must carry a decimal nonce= field")
            })?;
        let target = Target::parse(request.url())?;
        let inner = sha256(&[nonce.as_bytes(), body.as_bytes()]);
        let sig = b64(&hmac_sha512(
            self.credentials.secret(),
            &[target.path.as_bytes(), &inner],
        ));
        let mut ins = SigningInstructions::default();
        ins.push_header(Param::new("API-Key", self.credentials.api_key(), false));
        ins.push_header(Param::new("API-Sign", sig, true));
        Ok(ins)
    }
}

// The nonce is read from the body, which the caller builds: instructions cannot change the
// body, so the input's nonce is not used.
super::exchange_scheme!(
    Kraken,
    "kraken",
    Milliseconds,
    IncreasingNonce,
    |s, r, _| Kraken::sign(s, r)
);
