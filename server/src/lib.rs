#![doc = include_str!("../README.md")]
// Lints (missing_docs, unsafe_code = forbid, clippy::unwrap_used) come from the workspace
// Cargo.toml's [workspace.lints].

mod front;
mod layer;
mod profile_layer;
#[cfg(feature = "reference")]
pub mod reference;
pub mod spool;

pub use layer::{SigwireBody, SigwireLayer, SigwireService, BODY_TOO_LARGE, DEFAULT_BODY_LIMIT};
pub use profile_layer::{ProfileLayer, ProfileService, ProfileVerifier};
pub use sigwire_core::wire::MISDIRECTED_REQUEST;
pub use sigwire_core::{Verified, SERVER_TIME_HEADER};
/// The request body the inner service of a [`SigwireLayer`] receives once the signature holds:
/// the verified bytes, from memory or replayed from the spool file.
pub use spool::SpooledBody as VerifiedBody;
pub use spool::DEFAULT_SPOOL_THRESHOLD;
