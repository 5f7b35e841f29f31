#![doc = include_str!("../README.md")]
// Lints (missing_docs, unsafe_code = forbid, clippy::unwrap_used) come from the workspace
// Cargo.toml's [workspace.lints].

mod algorithm;
mod clock;
mod counter;
mod credentials;
mod encoding;
pub mod error;
mod freshness;
mod hex;
mod keyed_mac;
mod keys;
mod nonce;
pub mod profiles;
mod replay;
mod request;
mod scan;
pub mod scheme;
mod settle;
mod sign;
pub mod signing;
mod sip;
mod url;
pub mod v1;
mod verify;
pub mod wire;

/// Internals the fuzz targets in `core/fuzz` drive directly. `cargo fuzz` builds with
/// `--cfg fuzzing`; in every other build this module is empty.
#[doc(hidden)]
#[allow(unexpected_cfgs)]
pub mod fuzzing {
    /// The URL splitter (SPEC §3.2) behind signing and verifying.
    #[cfg(fuzzing)]
    pub fn split(url: &str) -> Result<(), crate::Error> {
        crate::url::split(url).map(|_| ())
    }

    /// The strict `Authorization` parser (SPEC §5.1).
    #[cfg(fuzzing)]
    pub fn parse(value: &str) -> Result<crate::v1::authorization::Authorization<'_>, crate::Error> {
        crate::v1::authorization::parse(value)
    }
}

pub use algorithm::Algorithm;
pub use clock::{Clock, FixedClock, SystemClock};
pub use counter::{CounterStore, InMemoryCounterStore};
pub use credentials::{KeyId, Secret, MAX_KEY_ID_LEN, MIN_SECRET_LEN};
pub use error::{Error, ErrorCode, SERVER_TIME_HEADER};
pub use freshness::{ClockUnit, Freshness, ReplayPolicy, Timestamp};
pub use keys::{InMemoryKeyStore, KeyStore};
pub use nonce::{nonce_from_bytes, NonceSource, OsNonce};
pub use replay::{InMemoryReplayStore, ReplayStore, DEFAULT_REPLAY_CAPACITY};
pub use request::Request;
pub use settle::ReplayAnswer;
pub use sign::{SignOptions, Signer};
pub use v1::{Signature, SignedHeaderPolicy};
pub use verify::{Prechecked, ReplayTicket, Verified, Verifier, VerifierBuilder, DEFAULT_WINDOW};

/// The repository README's examples, compiled and run as doctests (blocks that need other
/// crates, such as the signed client's, are fenced `rust,ignore`).
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct RepositoryReadme;
