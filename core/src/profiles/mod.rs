//! Signing profiles: third-party HMAC schemes people already call, implemented once.
//!
//! Each profile is one module with its own credential type (secrets zeroized, `Debug` redacted),
//! a `#[non_exhaustive]` settings struct with `Default`, and a signing output of
//! [`SigningInstructions`] (headers to set, query parameters to add, each marked sensitive or not).
//! Time is always an argument (Unix seconds or milliseconds): nothing here reads a clock or does
//! I/O. Verification compares in constant time and fails with a [`ProfileError`] whose
//! [`ProfileErrorCode`] is a stable machine code. Request profiles implement
//! [`SigningScheme`](crate::signing::SigningScheme).
//!
//! | Module | Scheme |
//! |---|---|
//! | [`aws_sigv4`] | AWS Signature Version 4, headers and presigned URLs, generic and S3 rules |
//! | [`rfc9421`] | HTTP Message Signatures (RFC 9421), `hmac-sha256`, requests and responses |
//! | [`exchanges`] | Binance, Coinbase Exchange, Kraken, OKX and Bybit presets |
//! | [`webhooks`] | Stripe, GitHub, Slack, Standard Webhooks and the Sigwire webhook form |

pub mod aws_sigv4;
mod crypto;
mod error;
pub mod exchanges;
mod keys;
mod percent;
pub mod rfc9421;
mod target;
mod time;
pub mod webhooks;

pub use crate::signing::{Param, SignableBody, SigningInstructions};

/// `request` with its body set to `body`'s bytes, for profiles that sign the exact body bytes
/// (a precomputed digest or an unsigned body is `invalid_request` for them).
pub(crate) fn with_body_bytes<'a>(
    request: &crate::Request<'a>,
    body: SignableBody<'a>,
    profile: &str,
) -> Result<crate::Request<'a>, ProfileError> {
    match body {
        SignableBody::Bytes(bytes) => Ok(request.clone().body(bytes)),
        _ => Err(ProfileError::invalid_request(format!(
            "{profile} signs the body bytes: pass SignableBody::Bytes"
        ))),
    }
}
pub use error::{ProfileError, ProfileErrorCode};
pub use keys::ProfileKeys;
