//! Typed errors with stable machine codes shared by every language binding.

use core::fmt;

/// The stable machine code of an [`Error`].
///
/// The string form ([`ErrorCode::as_str`]) is part of the wire contract: servers put it in
/// their 401 bodies, and every SDK exposes it unchanged (`.code` in Python and JavaScript,
/// the variant name in Kotlin and Swift).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request carries no `Authorization` header.
    MissingAuthorization,
    /// The `Authorization` header breaks the scheme's syntax rules.
    MalformedAuthorization,
    /// The algorithm is not offered (MD5 and SHA-1 never are).
    UnsupportedAlgorithm,
    /// The key id is unknown, or all of its secrets are retired.
    UnknownKey,
    /// The timestamp is outside the verifier's window.
    StaleTimestamp,
    /// The nonce was already used with this key inside the window.
    ReplayedNonce,
    /// The signature does not match the request.
    SignatureMismatch,
    /// The request cannot be canonicalised (bad URL, header, nonce, …).
    InvalidRequest,
    /// A secret is shorter than the 16-byte minimum.
    InvalidSecret,
    /// A key id breaks the key id rules.
    InvalidKeyId,
    /// Any other configuration error.
    InvalidConfig,
    /// The replay store could not record the nonce.
    ReplayStoreUnavailable,
    /// The request carries a header the verifier requires to be signed, and the signature does
    /// not cover it (SPEC §6 step 1, [`VerifierBuilder::require_signed_headers`](crate::VerifierBuilder::require_signed_headers)).
    UnsignedHeader,
}

impl ErrorCode {
    /// Every code the core can produce, in documentation order; each language binding maps
    /// each one to its own error class (`unsigned_header` occurs only when a verifier requires
    /// signed headers, SPEC §6 step 1).
    pub const EVERY: [ErrorCode; 13] = [
        ErrorCode::MissingAuthorization,
        ErrorCode::MalformedAuthorization,
        ErrorCode::UnsupportedAlgorithm,
        ErrorCode::UnknownKey,
        ErrorCode::StaleTimestamp,
        ErrorCode::ReplayedNonce,
        ErrorCode::SignatureMismatch,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidSecret,
        ErrorCode::InvalidKeyId,
        ErrorCode::InvalidConfig,
        ErrorCode::ReplayStoreUnavailable,
        ErrorCode::UnsignedHeader,
    ];

    /// The machine code, e.g. `"signature_mismatch"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MissingAuthorization => "missing_authorization",
            ErrorCode::MalformedAuthorization => "malformed_authorization",
            ErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            ErrorCode::UnknownKey => "unknown_key",
            ErrorCode::StaleTimestamp => "stale_timestamp",
            ErrorCode::ReplayedNonce => "replayed_nonce",
            ErrorCode::SignatureMismatch => "signature_mismatch",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidSecret => "invalid_secret",
            ErrorCode::InvalidKeyId => "invalid_key_id",
            ErrorCode::InvalidConfig => "invalid_config",
            ErrorCode::ReplayStoreUnavailable => "replay_store_unavailable",
            ErrorCode::UnsignedHeader => "unsigned_header",
        }
    }

    /// Parses a machine code back into an [`ErrorCode`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::EVERY.into_iter().find(|c| c.as_str() == code)
    }

    /// The HTTP status a server answers with for this code.
    ///
    /// 400 for `invalid_request`, 503 for `replay_store_unavailable`, 500 for configuration
    /// codes (a server bug, not the client's), 401 for everything else.
    pub const fn http_status(self) -> u16 {
        match self {
            ErrorCode::InvalidRequest => 400,
            ErrorCode::ReplayStoreUnavailable => 503,
            ErrorCode::InvalidSecret | ErrorCode::InvalidKeyId | ErrorCode::InvalidConfig => 500,
            _ => 401,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from signing, verifying or configuring.
///
/// The message says what went wrong and what to do; it never contains a secret or a signature.
/// Match on [`Error::code`] rather than on the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Error {
    code: ErrorCode,
    message: String,
    skew_seconds: Option<i64>,
    server_time: Option<u64>,
}

impl Error {
    /// Builds an error with a code and a human-readable message.
    // Errors are the rare path: these constructors are cold and out of line, so the code that
    // builds an error is moved off its caller's hot path (a verification's code then fits in
    // fewer instruction-cache lines) and is not copied into every caller (a smaller browser
    // module).
    #[cold]
    #[inline(never)]
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            skew_seconds: None,
            server_time: None,
        }
    }

    /// A `stale_timestamp` error carrying the skew (`timestamp − now`, seconds).
    #[cold]
    #[inline(never)]
    pub fn stale(skew_seconds: i64, window: u64) -> Self {
        let direction = if skew_seconds > 0 {
            "ahead of"
        } else {
            "behind"
        };
        Error {
            code: ErrorCode::StaleTimestamp,
            message: format!(
                "timestamp is {}s {direction} the server clock, outside the {window}s window; \
                 correct the client clock (see the server time header)",
                skew_seconds.unsigned_abs()
            ),
            skew_seconds: Some(skew_seconds),
            server_time: None,
        }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidRequest, message)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::MalformedAuthorization, message)
    }

    /// `replayed_nonce`, as [`Verifier::commit`](crate::Verifier::commit) and
    /// [`Verifier::settle`](crate::Verifier::settle) refuse a nonce already claimed.
    #[cold]
    #[inline(never)]
    pub(crate) fn replayed_nonce() -> Self {
        Error::new(
            ErrorCode::ReplayedNonce,
            "this nonce was already used; sign each request afresh",
        )
    }

    /// The stable machine code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message (without the code prefix). Never contains secrets.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For `stale_timestamp`: the request's timestamp minus the server's time, in seconds.
    pub fn skew_seconds(&self) -> Option<i64> {
        self.skew_seconds
    }

    /// Attaches the verifier's clock reading (Unix seconds) to the error.
    #[must_use]
    pub fn with_server_time(mut self, now: u64) -> Self {
        self.server_time = Some(now);
        self
    }

    /// For errors from a verifier: its Unix time when it verified, for the server time header,
    /// so that clients can correct their clock.
    pub fn server_time(&self) -> Option<u64> {
        self.server_time
    }

    /// The HTTP status a server answers with (see [`ErrorCode::http_status`]).
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The JSON body a server returns for this error: `{"error":"<code>"}`.
    ///
    /// Only the machine code is included, so nothing about keys or the expected signature leaks.
    pub fn public_body(&self) -> String {
        format!("{{\"error\":\"{}\"}}", self.code.as_str())
    }
}

/// The header a verifying server adds to failure responses, carrying its Unix time in seconds.
pub const SERVER_TIME_HEADER: &str = "X-Sigwire-Server-Time";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in ErrorCode::EVERY {
            assert_eq!(ErrorCode::from_code(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::UnsignedHeader.as_str(), "unsigned_header");
        assert_eq!(ErrorCode::UnsignedHeader.http_status(), 401);
        assert_eq!(ErrorCode::from_code("nope"), None);
    }

    #[test]
    fn stale_carries_skew() {
        let e = Error::stale(-400, 300);
        assert_eq!(e.code(), ErrorCode::StaleTimestamp);
        assert_eq!(e.skew_seconds(), Some(-400));
        assert!(e.to_string().contains("400s behind"));
        assert_eq!(e.public_body(), r#"{"error":"stale_timestamp"}"#);
        assert_eq!(e.http_status(), 401);
    }
}
