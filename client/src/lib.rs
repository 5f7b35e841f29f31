#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

mod body;
mod client;
mod error;
mod exec;
pub mod no_echo;
mod profile;
mod redirect;
mod request;
mod response;
mod retry;
mod rt;
mod skew;

pub use body::Body;
pub use client::{Client, ClientBuilder, IDEMPOTENCY_KEY};
pub use error::{Error, TimeoutKind};
pub use redirect::SENSITIVE_HEADERS;
pub use request::RequestBuilder;
pub use response::Response;
pub use retry::RetryPolicy;

/// Re-exported so callers need not depend on these crates directly.
pub use http::{HeaderMap, HeaderValue, Method, StatusCode};
pub use reqwest::Url;
pub use sigwire_core::{Algorithm, ErrorCode};

/// The client's rules without I/O (retry, backoff, `Retry-After`, idempotency keys, clock skew,
/// redirects, rejections), which this crate drives with reqwest.
pub use sigwire_client_core as rules;
