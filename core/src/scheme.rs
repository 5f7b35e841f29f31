//! The verifying plug-in point for signature schemes (the signing one is
//! [`signing::SigningScheme`](crate::signing::SigningScheme)).
//!
//! A [`Verifier`](crate::Verifier) owns the plumbing every HMAC scheme shares — freshness, key
//! lookup with rotation, constant-time comparison, replay store — and asks a [`Scheme`] only for
//! what differs: which requests it handles, and how to read and check their credentials. Each
//! [`Claim`] states its own freshness rule ([`Freshness`]: created ± window, an interval, or
//! none; seconds or milliseconds) and replay policy ([`ReplayPolicy`]: random nonce, increasing
//! nonce, none), and the verifier enforces them. `sigwire-v1` is the first scheme.

use std::sync::Arc;

use crate::credentials::Secret;
use crate::error::Error;
use crate::freshness::{Freshness, ReplayPolicy, Timestamp};
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

    /// Parses `request` as [`parse`](Self::parse) does and lends the claim to `visit` (called
    /// once on success, not at all on error): what a [`Verifier`](crate::Verifier) uses. The
    /// default boxes `parse`'s claim; a scheme may override it to keep the claim on the stack
    /// (`sigwire-v1` does, saving an allocation per verification). Same errors as `parse`.
    fn with_claim<'r>(
        &self,
        request: &'r Request<'r>,
        visit: &mut dyn FnMut(&dyn Claim),
    ) -> Result<(), Error> {
        let claim = self.parse(request)?;
        visit(&*claim);
        Ok(())
    }

    /// [`claims`](Self::claims) and [`with_claim`](Self::with_claim) in one step, as a
    /// [`Verifier`](crate::Verifier) asks them: `None` when this scheme does not handle `request`
    /// (`visit` is not called), otherwise `Some` of what `with_claim` returns. The default asks
    /// the two in turn; a scheme may override it to read its header once for both (`sigwire-v1`
    /// does). It must answer as the two would.
    fn with_claim_if_claimed<'r>(
        &self,
        request: &'r Request<'r>,
        visit: &mut dyn FnMut(&dyn Claim),
    ) -> Option<Result<(), Error>> {
        self.claims(request)
            .then(|| self.with_claim(request, visit))
    }
}

/// Credentials read from one request, to be checked against the key id's secrets.
pub trait Claim {
    /// The key id the request claims.
    fn key_id(&self) -> &str;

    /// The signing time, Unix seconds (reported in [`Verified`](crate::Verified)).
    fn timestamp(&self) -> u64;

    /// The nonce, if the scheme carries one (then replay protection applies).
    fn nonce(&self) -> Option<&str>;

    /// When the request may be accepted. The default: signed at [`timestamp`](Self::timestamp)
    /// seconds, accepted within the verifier's window either side (the `sigwire-v1` rule).
    fn freshness(&self) -> Freshness {
        Freshness::Created {
            at: Timestamp::seconds(self.timestamp()),
            max_age: None,
            max_ahead: None,
        }
    }

    /// How replays are refused. The default: a random nonce when [`nonce`](Self::nonce) is
    /// `Some`, nothing otherwise. With [`ReplayPolicy::IncreasingNonce`] the nonce must be a
    /// decimal number larger than the key's previous one.
    fn replay_policy(&self) -> ReplayPolicy {
        if self.nonce().is_some() {
            ReplayPolicy::RandomNonce
        } else {
            ReplayPolicy::None
        }
    }

    /// Whether the signature covers the header `name` (lowercase), for verifiers that require
    /// some headers to be signed when present
    /// ([`require_signed_headers`](crate::VerifierBuilder::require_signed_headers)). The default,
    /// for schemes that cannot tell, is `false`: such a request carrying a required header is
    /// refused (`unsigned_header`), never accepted on a guess.
    fn signs_header(&self, name: &str) -> bool {
        let _ = name;
        false
    }

    /// Which body digest the signature covers (`sigwire-v1`: the claimed algorithm's), so a
    /// server can hash a streamed body as it arrives and verify with
    /// [`Request::precomputed_body_digest`](crate::Request::precomputed_body_digest). The
    /// default, `None`: the scheme needs the body bytes.
    fn body_algorithm(&self) -> Option<crate::Algorithm> {
        None
    }

    /// Rebuilds what was signed and checks the signature against each secret, in constant time.
    /// `Ok(())` when one matches; otherwise `signature_mismatch` (or `invalid_request` when the
    /// request cannot be canonicalised).
    fn check(&self, secrets: &[Arc<Secret>]) -> Result<(), Error>;
}
