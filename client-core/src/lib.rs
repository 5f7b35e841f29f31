#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod date;
pub mod idempotency;
pub mod query;
pub mod redirect;
pub mod rejection;
pub mod retry;
pub mod skew;

pub use idempotency::IDEMPOTENCY_KEY;
pub use redirect::SENSITIVE_HEADERS;
pub use retry::RetryPolicy;
