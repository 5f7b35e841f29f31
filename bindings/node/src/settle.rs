//! Settling a [`ReplayTicket`] with the answer of a replay store written in JavaScript (Redis,
//! Workers KV, a Durable Object): one source for both JavaScript bindings. `bindings/node`
//! compiles it as `mod settle`; `bindings/wasm` includes this same file
//! (`#[path = "../../node/src/settle.rs"]`).
//!
//! The verifier is built over a [`Handoff`] store. [`Handoff::settle`] hands the JavaScript store's
//! answer to the core's `Verifier::commit`, so the `replayed_nonce` and `replay_store_unavailable`
//! errors, their messages and server time are the core's, never rebuilt in JavaScript; with no
//! answer pending (`commit`, one-step `verify`) the hand-off asks the in-memory store it wraps.

use std::sync::{Arc, Mutex};

use sigwire_core::{Error, ErrorCode, ReplayStore, ReplayTicket, Verified, Verifier};

/// What a replay store written in JavaScript answered for a ticket's nonce.
#[derive(Debug, Clone, Copy)]
enum Answer {
    /// Recorded now: accept.
    Fresh,
    /// Already recorded: `replayed_nonce`.
    Replayed,
    /// The store could not answer: `replay_store_unavailable`.
    Unavailable,
}

/// The verifier's replay store: the JavaScript store's answer for the ticket being settled, or
/// else the in-memory store it wraps.
pub(crate) struct Handoff {
    store: Arc<dyn ReplayStore>,
    answer: Mutex<Option<Answer>>,
}

impl Handoff {
    /// A hand-off over `store` (asked when no JavaScript answer is pending).
    pub(crate) fn new(store: Arc<dyn ReplayStore>) -> Arc<Handoff> {
        Arc::new(Handoff {
            store,
            answer: Mutex::new(None),
        })
    }

    /// Step two with a store written in JavaScript that has tried to claim the nonce of `ticket`
    /// (authenticated by `verifier`, which must be built over this hand-off): `outcome` is
    /// `"fresh"` (recorded now), `"replayed"` (already there), `"unavailable"` (the store failed)
    /// or `"before_epoch"` (a shared store refused a timestamp at or before its epoch,
    /// docs/redis-layout.md §3). Anything else counts as `"unavailable"`: never an accept.
    pub(crate) fn settle(
        &self,
        verifier: &Verifier,
        ticket: ReplayTicket,
        outcome: &str,
    ) -> Result<Verified, Error> {
        let answer = match outcome {
            "fresh" => Answer::Fresh,
            "replayed" => Answer::Replayed,
            "before_epoch" => {
                return Err(Error::new(
                    ErrorCode::StaleTimestamp,
                    "the request was signed at or before the replay store's epoch (the store is new or lost its data); sign it again",
                )
                .with_server_time(ticket.authenticated_at));
            }
            _ => Answer::Unavailable,
        };
        *self.answer.lock().map_err(|_| poisoned())? = Some(answer);
        let result = verifier.commit(ticket);
        // A scheme without nonces never asks the store: do not leave the answer for the next one.
        if let Ok(mut slot) = self.answer.lock() {
            slot.take();
        }
        result
    }
}

fn poisoned() -> Error {
    Error::new(
        ErrorCode::ReplayStoreUnavailable,
        "the replay hand-off lock is poisoned",
    )
}

impl ReplayStore for Handoff {
    fn check_and_record(
        &self,
        key_id: &str,
        nonce: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, Error> {
        let answer = self.answer.lock().map_err(|_| poisoned())?.take();
        match answer {
            Some(Answer::Fresh) => Ok(true),
            Some(Answer::Replayed) => Ok(false),
            Some(Answer::Unavailable) => Err(Error::new(
                ErrorCode::ReplayStoreUnavailable,
                "the replay store could not record the nonce (it failed or did not answer)",
            )),
            None => self.store.check_and_record(key_id, nonce, expires_at, now),
        }
    }
}
