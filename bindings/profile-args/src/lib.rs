//! The arguments of the signing profiles (`sigwire_core::profiles`), checked and converted once
//! for every binding.
//!
//! A binding (Python `bindings/python/src/profiles.rs`, Node `bindings/node/src/profiles.rs`,
//! browser `bindings/wasm-ext/src/profiles.rs`) only maps host values into the plain option
//! structs here and maps [`ProfileError`] into its host's exception; which exchange a `kind`
//! names, how a `recvWindow` or a presign expiry reaches the settings, which secrets a webhook
//! provider reads as text, how a response status is checked — each is decided in this crate, so
//! every runtime refuses the same input with the same machine code.
//!
//! ```
//! use sigwire_profile_args::{Exchange, ExchangeOptions};
//! use sigwire_core::Request;
//!
//! let binance = Exchange::new("binance", "api-key", "secret", &ExchangeOptions::default())?;
//! let signed = binance.sign(&Request::new("GET", "https://api.binance.com/api/v3/account"), 1_700_000_000_000)?;
//! assert!(signed.apply_to_url("https://api.binance.com/api/v3/account").contains("&signature="));
//! # Ok::<(), sigwire_core::profiles::ProfileError>(())
//! ```

mod aws;
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
mod clock;
mod exchange;
mod number;
mod packed;
mod rfc9421;
mod webhook;

pub use aws::{aws_signer, aws_verifier, AwsLookup, AwsOptions, AwsSign};
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub use clock::unix_now;
pub use exchange::{kraken_body, Exchange, ExchangeOptions, RecvWindow};
pub use number::js_whole;
pub use packed::{error_codes, packed, pairs, sent, STAGES};
pub use rfc9421::{
    response, rfc9421_signer, rfc9421_verifier, signature_inputs, KeyLookup, Rfc9421Options,
};
pub use sigwire_core::profiles::{ProfileError, ProfileErrorCode};
pub use webhook::{sign_webhook, verify_webhook, webhook_secret, SecretArg};
