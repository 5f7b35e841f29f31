//! Settling a ticket with the answer of a replay store written in JavaScript (Redis, Workers KV,
//! a Durable Object): argument conversion only, shared by both JavaScript bindings
//! (`bindings/node` compiles it as `mod settle`; `bindings/wasm` includes this same file with
//! `#[path = "../../node/src/settle.rs"]`). The decision, its errors and their messages are the
//! core's `Verifier::settle`.

use sigwire_core::{Error, ErrorCode, ReplayAnswer, ReplayTicket, Verified, Verifier};

/// Step two with the JavaScript store's `outcome` for the ticket's nonce: `"fresh"`,
/// `"replayed"`, `"unavailable"` or `"before_epoch"`; anything else counts as `"unavailable"`
/// (never an accept).
pub(crate) fn settle(
    verifier: &Verifier,
    ticket: ReplayTicket,
    outcome: &str,
) -> Result<Verified, Error> {
    verifier.settle(ticket, ReplayAnswer::parse(outcome))
}

/// The refusal of a ticket settled a second time (`invalid_config`), with the server time of the
/// request's authentication.
pub(crate) fn already_settled(authenticated_at: u64) -> Error {
    Error::new(
        ErrorCode::InvalidConfig,
        "this ticket was already settled; authenticate the request again",
    )
    .with_server_time(authenticated_at)
}
