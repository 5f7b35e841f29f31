#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

mod layer;
#[cfg(feature = "reference")]
pub mod reference;

pub use layer::{SigwireBody, SigwireLayer, SigwireService, BODY_TOO_LARGE, DEFAULT_BODY_LIMIT};
pub use sigwire_core::wire::MISDIRECTED_REQUEST;
pub use sigwire_core::{Verified, SERVER_TIME_HEADER};
