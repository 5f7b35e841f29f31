//! UniFFI binding of `sigwire-core` and `sigwire-client` for Kotlin (JVM, Android) and Swift (iOS, macOS).
//!
//! Library mode with proc-macros: the interface is declared here, the metadata is embedded in the
//! built library, and `uniffi-bindgen generate --library` writes the Kotlin and Swift sources (see
//! `sdk-kotlin/` and `sdk-swift/`). This crate is thin on purpose: it converts arguments, forwards
//! to the core and maps errors; every rule of the scheme lives once, in `sigwire-core`.
//!
//! Exported:
//! * [`Signer`], [`Verifier`], [`KeyStore`] (with rotation) and the [`ReplayStore`] trait, which
//!   Kotlin and Swift code may implement (e.g. over Redis); [`in_memory_replay_store`] makes the
//!   built-in one;
//! * [`HttpClient`] (records [`HttpClientOptions`], [`HttpResponse`]): the `sigwire-client` HTTP
//!   runtime, blocking calls on a library-owned tokio runtime; [`HttpClient::with_profile`] with a
//!   [`ClientProfile`] signs with a signing profile instead of sigwire-v1;
//! * the records [`SigwireRequest`], [`Header`], [`Signature`], [`Verified`];
//! * a plain C function for allocation-free signing from the JVM (`fast`, used by the Kotlin
//!   `FastSigner`; not part of the UniFFI interface);
//! * the signing profiles ([`ExchangeSigner`], [`AwsSigV4Signer`], [`Rfc9421Signer`],
//!   [`verify_webhook`], [`sign_webhook`]) with their own error enum, [`ProfileError`] (Kotlin
//!   `ProfileException`);
//! * one error enum, [`SigwireError`]: Kotlin `SigwireException` (a sealed class, one subclass per
//!   machine code), Swift `SigwireError` (an `Error` enum, one case per machine code).

uniffi::setup_scaffolding!("sigwire");

mod client;
mod error;
mod fast;
mod keys;
mod profiles;
mod request;
mod signer;
mod verifier;

pub use client::{ClientProfile, HttpClient, HttpClientOptions, HttpResponse};
pub use error::SigwireError;
pub use keys::{in_memory_replay_store, KeyStore, ReplayStore};
pub use profiles::{
    profile_error_codes, sign_webhook, verify_webhook, AwsSigV4Signer, ExchangeSigner,
    ProfileError, ProfileSignedRequest, ProfileSignedResponse, Rfc9421Signer, WebhookVerified,
};
pub use request::{Header, SigwireRequest};
pub use signer::{Signature, Signer};
pub use verifier::{Verified, Verifier};

/// Every machine code the core can produce, in documentation order (`"missing_authorization"`, …).
///
/// Each has its own [`SigwireError`] variant; the list lets host-language tests check that.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    sigwire_core::ErrorCode::EVERY
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}

/// The header a verifying server adds to failure responses, carrying its Unix time in seconds:
/// `"X-Sigwire-Server-Time"`.
#[uniffi::export]
pub fn server_time_header() -> String {
    sigwire_core::SERVER_TIME_HEADER.to_owned()
}

/// The default timestamp window of a [`Verifier`], in seconds either side of its clock (300).
#[uniffi::export]
pub fn default_window() -> u64 {
    sigwire_core::DEFAULT_WINDOW
}
