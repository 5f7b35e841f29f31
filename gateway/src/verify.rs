//! Verification split in two steps so the replay claim can go to an async store (Redis):
//! [`authenticate`] checks syntax, window, key and signature (CPU only, no store), and returns the
//! replay ticket (key id, nonce, timestamp, expiry) that the caller then claims with
//! [`crate::replay::ReplayGuard::claim`] before forwarding anything.

use sigwire_core::scheme::Scheme as _;
use sigwire_core::v1::SigwireV1;
use sigwire_core::{Error, ErrorCode, KeyStore, Request};

/// A request whose signature verified, not yet claimed against replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The key id whose secret matched.
    pub key_id: String,
    /// The nonce to claim.
    pub nonce: String,
    /// The request's signing time (Unix seconds).
    pub timestamp: u64,
    /// Last second at which the nonce must still be remembered: `timestamp + window`.
    pub expires_at: u64,
    /// `timestamp − now`, seconds.
    pub skew: i64,
}

/// Why authentication failed, with the key id the request claimed when it could be read.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// The core error (code, message, skew).
    pub error: Error,
    /// The claimed key id, for the per-key failure limit and the log.
    pub claimed_key_id: Option<String>,
}

/// Reads the key id a request claims, without checking anything else (for the failure limit).
pub fn claimed_key_id(request: &Request<'_>) -> Option<String> {
    let scheme = SigwireV1;
    if !scheme.claims(request) {
        return None;
    }
    scheme.parse(request).ok().map(|c| c.key_id().to_owned())
}

/// Steps 1–4 of SPEC §6 (parse, window, key lookup, signature) at time `now`.
pub fn authenticate(
    request: &Request<'_>,
    keys: &dyn KeyStore,
    window: u64,
    now: u64,
) -> Result<Authenticated, Rejected> {
    let reject = |error: Error, claimed_key_id: Option<String>| Rejected { error, claimed_key_id };
    if !request.has_header("authorization") {
        return Err(reject(
            Error::new(ErrorCode::MissingAuthorization, "the request has no Authorization header"),
            None,
        ));
    }
    let scheme = SigwireV1;
    if !scheme.claims(request) {
        let e =
            Error::new(ErrorCode::MalformedAuthorization, "the Authorization header is not an HMAC sigwire-v1 header");
        return Err(reject(e, None));
    }
    let claim = scheme.parse(request).map_err(|e| reject(e, None))?;
    let key_id = claim.key_id().to_owned();
    let timestamp = claim.timestamp();
    let skew = i128::from(timestamp) - i128::from(now);
    let skew = i64::try_from(skew).unwrap_or(if skew > 0 { i64::MAX } else { i64::MIN });
    if skew.unsigned_abs() > window {
        return Err(reject(Error::stale(skew, window), Some(key_id)));
    }
    let secrets = keys.active_secrets(&key_id, now).map_err(|e| reject(e, Some(key_id.clone())))?;
    if secrets.is_empty() {
        let e = Error::new(ErrorCode::UnknownKey, "the key id is unknown or its secrets are retired");
        return Err(reject(e, Some(key_id)));
    }
    claim.check(&secrets).map_err(|e| reject(e, Some(key_id.clone())))?;
    let Some(nonce) = claim.nonce().map(str::to_owned) else {
        let e = Error::new(ErrorCode::MalformedAuthorization, "the request carries no nonce");
        return Err(reject(e, Some(key_id)));
    };
    Ok(Authenticated { key_id, nonce, timestamp, expires_at: timestamp.saturating_add(window), skew })
}
