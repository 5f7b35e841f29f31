//! An algorithm name parsed without echoing it (issue 12, item 10): a secret passed as the
//! algorithm (`new Signer({ keyId, secret, algorithm: secret })`) must never reach an error
//! message. The core names signed headers by position, so only the algorithm needs this; the
//! browser SDK's tests (`test/node/no-echo.test.js`) check every option.

use sigwire_core::{Algorithm, Error, ErrorCode};

/// Parses an algorithm name; anything else is `unsupported_algorithm` without the value.
pub(crate) fn algorithm(name: &str) -> Result<Algorithm, Error> {
    match name {
        "hmac-sha256" => Ok(Algorithm::HmacSha256),
        "hmac-sha512" => Ok(Algorithm::HmacSha512),
        _ => Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            "algorithm is not offered; use \"hmac-sha256\" or \"hmac-sha512\" (the value given is not shown)",
        )),
    }
}
