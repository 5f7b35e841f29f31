//! The plug-in point for signature schemes.
//!
//! A [`Verifier`](crate::Verifier) owns the plumbing every HMAC scheme shares — timestamp window,
//! key lookup with rotation, constant-time comparison, replay store — and asks a [`Scheme`] only
//! for what differs: which requests it handles, and how to read and check their credentials.
//! `sigwire-v1` is the first scheme; RFC 9421 (hmac-sha256) and AWS SigV4 plug in beside it.

use std::sync::Arc;

use crate::credentials::Secret;
use crate::error::Error;
use crate::request::Request;

/// A signature scheme a verifier can check.
pub trait Scheme: Send + Sync {
    /// A stable name, e.g. `"sigwire-v1"`.
    fn name(&self) -> &'static str;

    /// Whether this scheme should handle `request` (e.g. by its `Authorization` scheme token).
    fn claims(&self, request: &Request<'_>) -> bool;

    /// Reads the request's credentials without touching any secret. Syntax errors are
    /// `malformed_authorization`; an algorithm the scheme does not offer is `unsupported_algorithm`.
    fn parse<'r>(&self, request: &'r Request<'r>) -> Result<Box<dyn Claim + 'r>, Error>;
}

/// Credentials read from one request, to be checked against the key id's secrets.
pub trait Claim {
    /// The key id the request claims.
    fn key_id(&self) -> &str;

    /// The signing time, Unix seconds.
    fn timestamp(&self) -> u64;

    /// The nonce, if the scheme carries one (then replay protection applies).
    fn nonce(&self) -> Option<&str>;

    /// Rebuilds what was signed and checks the signature against each secret, in constant time.
    /// `Ok(())` when one matches; otherwise `signature_mismatch` (or `invalid_request` when the
    /// request cannot be canonicalised).
    fn check(&self, secrets: &[Arc<Secret>]) -> Result<(), Error>;
}
