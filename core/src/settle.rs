//! Step two of verification with a replay store the caller owns: [`Verifier::settle`] turns the
//! store's answer ([`ReplayAnswer`]) into the result, so a JavaScript or asynchronous Python store
//! (Redis, Workers KV, a Durable Object) only reports what it did and every binding refuses with
//! the core's errors, messages and server time.
//!
//! ```
//! use std::sync::Arc;
//! use sigwire_core::{ErrorCode, InMemoryKeyStore, ReplayAnswer, Request, Signer, Verifier};
//!
//! let secret = b"0123456789abcdef0123456789abcdef".to_vec();
//! let keys = Arc::new(InMemoryKeyStore::new());
//! keys.insert("client-1", secret.clone(), None)?;
//! let verifier = Verifier::builder(keys).build();
//! let request = Request::new("GET", "https://api.example.com/v1/orders");
//! let signed = Signer::new("client-1", secret)?.sign(&request)?;
//! let received = request.clone().header("Authorization", &signed.authorization);
//!
//! let ticket = verifier.authenticate(&received, verifier.now())?;
//! // Your store claims (ticket.key_id, ticket.nonce) until ticket.expires_at, then answers.
//! let again = ticket.clone();
//! assert_eq!(verifier.settle(ticket, ReplayAnswer::parse("fresh"))?.key_id, "client-1");
//! let e = verifier.settle(again, ReplayAnswer::Replayed).unwrap_err();
//! assert_eq!(e.code(), ErrorCode::ReplayedNonce);
//! # Ok::<(), sigwire_core::Error>(())
//! ```

use crate::error::{Error, ErrorCode};
use crate::freshness::ReplayPolicy;
use crate::verify::{ReplayTicket, Verified, Verifier};

/// What a replay store owned by the caller answered when it tried to claim a ticket's nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplayAnswer {
    /// Recorded now: the request is accepted.
    Fresh,
    /// Already recorded: `replayed_nonce`.
    Replayed,
    /// The store failed or did not answer: `replay_store_unavailable` (fail closed).
    Unavailable,
    /// A shared store refused a timestamp at or before its epoch (it is new or lost its data,
    /// docs/redis-layout.md §3): `stale_timestamp`, so the client signs again.
    BeforeEpoch,
}

impl ReplayAnswer {
    /// The answer named `"fresh"`, `"replayed"`, `"unavailable"` or `"before_epoch"` (what the
    /// JavaScript and Python stores return). Anything else is [`Unavailable`](Self::Unavailable):
    /// an unknown answer is never an accept.
    ///
    /// ```
    /// use sigwire_core::ReplayAnswer;
    /// assert_eq!(ReplayAnswer::parse("fresh"), ReplayAnswer::Fresh);
    /// assert_eq!(ReplayAnswer::parse("FRESH"), ReplayAnswer::Unavailable);
    /// assert_eq!(ReplayAnswer::parse(""), ReplayAnswer::Unavailable);
    /// ```
    pub fn parse(answer: &str) -> Self {
        match answer {
            "fresh" => ReplayAnswer::Fresh,
            "replayed" => ReplayAnswer::Replayed,
            "before_epoch" => ReplayAnswer::BeforeEpoch,
            _ => ReplayAnswer::Unavailable,
        }
    }

    /// The answer's name, as [`parse`](Self::parse) reads it.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplayAnswer::Fresh => "fresh",
            ReplayAnswer::Replayed => "replayed",
            ReplayAnswer::Unavailable => "unavailable",
            ReplayAnswer::BeforeEpoch => "before_epoch",
        }
    }
}

impl From<&str> for ReplayAnswer {
    /// [`ReplayAnswer::parse`]: anything unknown is `Unavailable`.
    fn from(answer: &str) -> Self {
        ReplayAnswer::parse(answer)
    }
}

impl Verifier {
    /// Step two of two with a replay store the caller owns, which has tried to claim the
    /// ticket's random nonce until [`expires_at`](ReplayTicket::expires_at) and reports `answer`.
    ///
    /// - [`BeforeEpoch`](ReplayAnswer::BeforeEpoch): `stale_timestamp` (sign again), for any ticket.
    /// - A ticket with a random nonce: [`Fresh`](ReplayAnswer::Fresh) accepts,
    ///   [`Replayed`](ReplayAnswer::Replayed) is `replayed_nonce`,
    ///   [`Unavailable`](ReplayAnswer::Unavailable) is `replay_store_unavailable`.
    /// - A ticket with nothing for the caller's store to claim (no nonce, or an increasing nonce
    ///   kept in this verifier's [`CounterStore`](crate::CounterStore)): the answer is not
    ///   asked, the ticket goes through [`commit`](Self::commit).
    ///
    /// Every error carries the ticket's `authenticated_at` as the server time.
    pub fn settle(&self, ticket: ReplayTicket, answer: ReplayAnswer) -> Result<Verified, Error> {
        let now = ticket.authenticated_at;
        if answer == ReplayAnswer::BeforeEpoch {
            return Err(Error::new(
                ErrorCode::StaleTimestamp,
                "the request was signed at or before the replay store's epoch (the store is new or lost its data); sign it again",
            )
            .with_server_time(now));
        }
        if ticket.replay != ReplayPolicy::RandomNonce || ticket.nonce.is_none() {
            return self.commit(ticket);
        }
        match answer {
            ReplayAnswer::Fresh => Ok(ticket.into_verified()),
            ReplayAnswer::Replayed => Err(Error::replayed_nonce().with_server_time(now)),
            ReplayAnswer::Unavailable | ReplayAnswer::BeforeEpoch => Err(Error::new(
                ErrorCode::ReplayStoreUnavailable,
                "the replay store could not record the nonce (it failed or did not answer)",
            )
            .with_server_time(now)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::{FixedClock, InMemoryKeyStore, Request, Signer};

    const NOW: u64 = 1_700_000_000;

    fn setup() -> (Verifier, Request<'static>) {
        let secret = b"0123456789abcdef0123456789abcdef".to_vec();
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k", secret.clone(), None).expect("key");
        let verifier = Verifier::builder(keys)
            .clock(Arc::new(FixedClock::new(NOW)))
            .build();
        let request = Request::new("GET", "https://api.example.com/v1/orders");
        let signed = Signer::new("k", secret)
            .expect("signer")
            .with_clock(Arc::new(FixedClock::new(NOW)))
            .sign(&request)
            .expect("sign");
        let auth: &'static str = Box::leak(signed.authorization.into_boxed_str());
        (verifier, request.header("Authorization", auth))
    }

    #[test]
    fn each_answer_decides_once() {
        let (verifier, request) = setup();
        let ticket = || verifier.authenticate(&request, NOW).expect("ticket");
        let ok = verifier
            .settle(ticket(), ReplayAnswer::Fresh)
            .expect("fresh");
        assert_eq!(ok.key_id, "k");
        for (answer, code) in [
            (ReplayAnswer::Replayed, ErrorCode::ReplayedNonce),
            (ReplayAnswer::Unavailable, ErrorCode::ReplayStoreUnavailable),
            (ReplayAnswer::BeforeEpoch, ErrorCode::StaleTimestamp),
        ] {
            let e = verifier.settle(ticket(), answer).expect_err("refused");
            assert_eq!((e.code(), e.server_time()), (code, Some(NOW)), "{answer:?}");
        }
    }

    #[test]
    fn the_callers_answer_never_touches_the_verifiers_store() {
        let (verifier, request) = setup();
        let ticket = verifier.authenticate(&request, NOW).expect("ticket");
        verifier
            .settle(ticket.clone(), ReplayAnswer::Fresh)
            .expect("fresh");
        // The nonce was claimed by the caller's store, not this verifier's: commit still takes it.
        verifier
            .commit(ticket.clone())
            .expect("own store was not written");
        let e = verifier.commit(ticket).expect_err("now it is");
        assert_eq!(e.code(), ErrorCode::ReplayedNonce);
    }

    #[test]
    fn unknown_answers_fail_closed() {
        for word in [
            "",
            "Fresh",
            "fresh ",
            "ok",
            "true",
            "1",
            "unavailable",
            "nope",
        ] {
            assert_eq!(
                ReplayAnswer::parse(word),
                ReplayAnswer::Unavailable,
                "{word:?}"
            );
        }
        for a in [
            ReplayAnswer::Fresh,
            ReplayAnswer::Replayed,
            ReplayAnswer::Unavailable,
            ReplayAnswer::BeforeEpoch,
        ] {
            assert_eq!(ReplayAnswer::from(a.as_str()), a);
        }
    }
}
