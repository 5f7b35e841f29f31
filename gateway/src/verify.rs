//! Verification with the core's two steps, so the replay claim can go to an async store (Redis):
//! [`Authenticator::precheck`] answers before the body is read (missing or malformed header,
//! stale timestamp, unknown key); [`Authenticator::authenticate`] checks the signature and returns
//! the replay ticket, which the caller claims in Redis ([`crate::admission::admit`]) or in this
//! process ([`Authenticator::commit_in_memory`]) before anything is forwarded.

use std::sync::Arc;

use sigwire_core::scheme::Scheme as _;
use sigwire_core::v1::SigwireV1;
use sigwire_core::{
    Error, ErrorCode, InMemoryReplayStore, KeyStore, ReplayTicket, Request, Verifier,
};

/// A request whose signature verified, not yet claimed against replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The core's ticket: key id, nonce, timestamp, expiry.
    pub ticket: ReplayTicket,
    /// The nonce to claim.
    pub nonce: String,
    /// `timestamp − now`, seconds.
    pub skew: i64,
}

/// Why verification failed, with the key id the request claimed when it could be read.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// The core error (code, message, skew).
    pub error: Error,
    /// The claimed key id, for the per-key failure limit and the log.
    pub claimed_key_id: Option<String>,
}

/// Reads the key id a request claims, checking nothing else (for the failure limit and the log).
pub fn claimed_key_id(request: &Request<'_>) -> Option<String> {
    let scheme = SigwireV1;
    if !scheme.claims(request) {
        return None;
    }
    scheme.parse(request).ok().map(|c| c.key_id().to_owned())
}

/// The core verifier over the gateway's live keys.
#[derive(Debug)]
pub struct Authenticator {
    verifier: Verifier,
}

fn skew(timestamp: u64, now: u64) -> i64 {
    let s = i128::from(timestamp) - i128::from(now);
    i64::try_from(s).unwrap_or(if s > 0 { i64::MAX } else { i64::MIN })
}

impl Authenticator {
    /// A verifier with `window`, reading `keys`, recording nonces in `memory` when
    /// [`commit_in_memory`](Self::commit_in_memory) is used.
    ///
    /// `require_signed_headers` were checked with the same core call when the configuration was
    /// read; a name refused here anyway is an error, never ignored.
    pub fn new(
        keys: Arc<dyn KeyStore>,
        window: u64,
        memory: Arc<InMemoryReplayStore>,
        require_signed_headers: &[String],
    ) -> Result<Self, Error> {
        Ok(Authenticator {
            verifier: Verifier::builder(keys)
                .window(window)
                .replay_store(memory)
                .require_signed_headers(require_signed_headers)?
                .build(),
        })
    }

    /// The checks that need no body. Returns the claimed key id and the digest algorithm the
    /// signature covers the body with (to hash a spooled body with), when the scheme names one.
    pub fn precheck(
        &self,
        headers_only: &Request<'_>,
        now: u64,
    ) -> Result<(String, Option<sigwire_core::Algorithm>), Rejected> {
        self.verifier
            .precheck(headers_only, now)
            .map(|p| (p.key_id, p.body_algorithm))
            .map_err(|error| Rejected {
                error,
                claimed_key_id: claimed_key_id(headers_only),
            })
    }

    /// Everything but replay (SPEC §6 steps 1–4) on the full request.
    pub fn authenticate(&self, request: &Request<'_>, now: u64) -> Result<Authenticated, Rejected> {
        let ticket = self
            .verifier
            .authenticate(request, now)
            .map_err(|error| Rejected {
                error,
                claimed_key_id: claimed_key_id(request),
            })?;
        let Some(nonce) = ticket.nonce.clone() else {
            // sigwire-v1 always carries a nonce; a scheme without one is not accepted here.
            let error = Error::new(
                ErrorCode::MalformedAuthorization,
                "the request carries no nonce",
            );
            return Err(Rejected {
                error,
                claimed_key_id: Some(ticket.key_id),
            });
        };
        let skew = skew(ticket.timestamp, now);
        Ok(Authenticated {
            ticket,
            nonce,
            skew,
        })
    }

    /// Claims the nonce in this process's store (single-instance mode).
    pub fn commit_in_memory(&self, authenticated: Authenticated) -> Result<(), Error> {
        self.verifier.commit(authenticated.ticket).map(|_| ())
    }
}
