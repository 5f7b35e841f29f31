//! [`SigwireError`]: the one error type, a variant per stable machine code.

use sigwire_core::{Error, ErrorCode};

/// An error from signing, verifying or configuring, one variant per stable machine code.
///
/// Kotlin sees `SigwireException` with a subclass per variant (`SigwireException.SignatureMismatch`,
/// …); Swift sees `enum SigwireError: Error` with a case per variant. Every variant carries:
/// * `code`: the machine code, e.g. `"signature_mismatch"` (identical in every SDK and in the
///   `{"error": "<code>"}` body servers return);
/// * `detail`: what went wrong and what to do (never contains a secret or a signature);
/// * `server_time`: for errors from a verifier, its Unix time, for the `X-Sigwire-Server-Time`
///   header (`None` for errors from a signer or a key store).
///
/// `StaleTimestamp` also carries `skew_seconds` (request timestamp minus server time).
///
/// The [`HttpClient`](crate::HttpClient) adds `Timeout`, `Connect`, `Transport`, `HttpStatus`,
/// `ClockSkewTooLarge` and `TooManyRedirects` (codes `timeout`, `connect`, `transport`,
/// `http_status`, `clock_skew_too_large`, `too_many_redirects`, as in the Python and Node SDKs); a
/// server's signature rejection is the variant of its machine code (`SignatureMismatch`, …).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi::export(Display)]
pub enum SigwireError {
    /// `missing_authorization`: the request carries no `Authorization` header.
    #[error("{code}: {detail}")]
    MissingAuthorization {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `malformed_authorization`: the `Authorization` header breaks the scheme's syntax rules.
    #[error("{code}: {detail}")]
    MalformedAuthorization {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `unsupported_algorithm`: the algorithm is not offered (MD5 and SHA-1 never are).
    #[error("{code}: {detail}")]
    UnsupportedAlgorithm {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `unknown_key`: the key id is unknown, or all of its secrets are retired.
    #[error("{code}: {detail}")]
    UnknownKey {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `stale_timestamp`: the timestamp is outside the verifier's window.
    #[error("{code}: {detail}")]
    StaleTimestamp {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
        /// The request's timestamp minus the server's time, in seconds (negative: behind).
        skew_seconds: i64,
    },
    /// `replayed_nonce`: the nonce was already used with this key inside the window.
    #[error("{code}: {detail}")]
    ReplayedNonce {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `signature_mismatch`: the signature does not match the request.
    #[error("{code}: {detail}")]
    SignatureMismatch {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `invalid_request`: the request cannot be canonicalised (bad URL, header, nonce, …).
    #[error("{code}: {detail}")]
    InvalidRequest {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `invalid_secret`: a secret is shorter than the 16-byte minimum.
    #[error("{code}: {detail}")]
    InvalidSecret {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `invalid_key_id`: a key id breaks the key id rules.
    #[error("{code}: {detail}")]
    InvalidKeyId {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `invalid_config`: any other configuration error.
    #[error("{code}: {detail}")]
    InvalidConfig {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `replay_store_unavailable`: the replay store could not record the nonce (answer 503).
    #[error("{code}: {detail}")]
    ReplayStoreUnavailable {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `unsigned_header`: a header the verifier requires to be signed is present but unsigned
    /// (e.g. `X-HTTP-Method-Override` added to a signed request; answer 401).
    #[error("{code}: {detail}")]
    UnsignedHeader {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
    /// `timeout` ([`HttpClient`](crate::HttpClient)): a time limit fired; `kind` is `connect`,
    /// `attempt` or `total`.
    #[error("{code}: {detail}")]
    Timeout {
        /// The machine code, `"timeout"`.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// Always `None` (not a verifier error).
        server_time: Option<u64>,
        /// Which limit fired: `"connect"`, `"attempt"` or `"total"`.
        kind: String,
        /// Attempts made.
        attempts: u32,
    },
    /// `connect` ([`HttpClient`](crate::HttpClient)): no connection could be established
    /// (refused, DNS, TLS handshake), after every allowed attempt.
    #[error("{code}: {detail}")]
    Connect {
        /// The machine code, `"connect"`.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// Always `None` (not a verifier error).
        server_time: Option<u64>,
        /// Attempts made.
        attempts: u32,
    },
    /// `transport` ([`HttpClient`](crate::HttpClient)): the connection failed after it was
    /// established (dropped mid-response, protocol error).
    #[error("{code}: {detail}")]
    Transport {
        /// The machine code, `"transport"`.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// Always `None` (not a verifier error).
        server_time: Option<u64>,
        /// Attempts made.
        attempts: u32,
    },
    /// `http_status` ([`HttpClient`](crate::HttpClient)): the server answered 4xx/5xx with
    /// something other than a signature rejection (those map to the variant of their machine code).
    #[error("{code}: {detail}")]
    HttpStatus {
        /// The machine code, `"http_status"`.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// Always `None` (not a verifier error).
        server_time: Option<u64>,
        /// The HTTP status.
        status: u16,
        /// The response body.
        body: Vec<u8>,
        /// The response header lines, in order (repeated names kept; values read as Latin-1).
        headers: Vec<crate::request::Header>,
        /// Attempts made.
        attempts: u32,
    },
    /// `clock_skew_too_large` ([`HttpClient`](crate::HttpClient)): the measured offset to the
    /// server's clock is larger than the client corrects.
    #[error("{code}: {detail}")]
    ClockSkewTooLarge {
        /// The machine code, `"clock_skew_too_large"`.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// Always `None` (not a verifier error).
        server_time: Option<u64>,
        /// Server time minus local time, in seconds.
        offset_seconds: i64,
        /// The largest offset the client corrects, in seconds.
        max_seconds: u64,
    },
    /// `too_many_redirects` ([`HttpClient`](crate::HttpClient)): more redirects than the limit.
    #[error("{code}: {detail}")]
    TooManyRedirects {
        /// The machine code, `"too_many_redirects"`.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// Always `None` (not a verifier error).
        server_time: Option<u64>,
        /// The redirect limit.
        limit: u32,
    },
    /// A machine code added to the core after this binding was built (`code` tells which).
    #[error("{code}: {detail}")]
    Other {
        /// The machine code.
        code: String,
        /// Human-readable explanation.
        detail: String,
        /// The verifier's Unix time, when a verifier raised the error.
        server_time: Option<u64>,
    },
}

#[uniffi::export]
impl SigwireError {
    /// The stable machine code, e.g. `"signature_mismatch"` (the `code` of every variant).
    pub fn error_code(&self) -> String {
        self.parts().0.to_owned()
    }

    /// The human-readable explanation (the `detail` of every variant).
    pub fn error_detail(&self) -> String {
        self.parts().1.to_owned()
    }

    /// For errors from a verifier, its Unix time when it verified (the `server_time` of every
    /// variant): send it in the `X-Sigwire-Server-Time` header so clients can fix their clock.
    pub fn error_server_time(&self) -> Option<u64> {
        self.parts().2
    }

    /// The HTTP status a server answers with: 400 for `invalid_request`, 503 for
    /// `replay_store_unavailable`, 500 for configuration codes, 401 for the rest (500 for the
    /// client-side codes such as `timeout`; for `http_status`, the status received).
    pub fn http_status(&self) -> u16 {
        if let SigwireError::HttpStatus { status, .. } = self {
            return *status;
        }
        ErrorCode::from_code(self.parts().0).map_or(500, ErrorCode::http_status)
    }

    /// The JSON body a server returns for this error: `{"error":"<code>"}` (nothing else leaks).
    pub fn public_body(&self) -> String {
        match ErrorCode::from_code(self.parts().0) {
            Some(code) => Error::new(code, "").public_body(),
            None => Error::new(ErrorCode::InvalidConfig, "").public_body(),
        }
    }
}

impl SigwireError {
    /// `(code, detail, server_time)` of any variant.
    fn parts(&self) -> (&str, &str, Option<u64>) {
        use SigwireError::*;
        match self {
            MissingAuthorization {
                code,
                detail,
                server_time,
            }
            | MalformedAuthorization {
                code,
                detail,
                server_time,
            }
            | UnsupportedAlgorithm {
                code,
                detail,
                server_time,
            }
            | UnknownKey {
                code,
                detail,
                server_time,
            }
            | StaleTimestamp {
                code,
                detail,
                server_time,
                ..
            }
            | ReplayedNonce {
                code,
                detail,
                server_time,
            }
            | SignatureMismatch {
                code,
                detail,
                server_time,
            }
            | InvalidRequest {
                code,
                detail,
                server_time,
            }
            | InvalidSecret {
                code,
                detail,
                server_time,
            }
            | InvalidKeyId {
                code,
                detail,
                server_time,
            }
            | InvalidConfig {
                code,
                detail,
                server_time,
            }
            | ReplayStoreUnavailable {
                code,
                detail,
                server_time,
            }
            | UnsignedHeader {
                code,
                detail,
                server_time,
            }
            | Timeout {
                code,
                detail,
                server_time,
                ..
            }
            | Connect {
                code,
                detail,
                server_time,
                ..
            }
            | Transport {
                code,
                detail,
                server_time,
                ..
            }
            | HttpStatus {
                code,
                detail,
                server_time,
                ..
            }
            | ClockSkewTooLarge {
                code,
                detail,
                server_time,
                ..
            }
            | TooManyRedirects {
                code,
                detail,
                server_time,
                ..
            }
            | Other {
                code,
                detail,
                server_time,
            } => (code, detail, *server_time),
        }
    }

    /// A `replay_store_unavailable` error (a host-language replay store failed).
    pub(crate) fn replay_store_unavailable(detail: impl Into<String>) -> Self {
        SigwireError::from(Error::new(ErrorCode::ReplayStoreUnavailable, detail))
    }
}

impl From<Error> for SigwireError {
    fn from(e: Error) -> Self {
        let code = e.code().as_str().to_owned();
        let detail = e.message().to_owned();
        let server_time = e.server_time();
        match e.code() {
            ErrorCode::MissingAuthorization => Self::MissingAuthorization {
                code,
                detail,
                server_time,
            },
            ErrorCode::MalformedAuthorization => Self::MalformedAuthorization {
                code,
                detail,
                server_time,
            },
            ErrorCode::UnsupportedAlgorithm => Self::UnsupportedAlgorithm {
                code,
                detail,
                server_time,
            },
            ErrorCode::UnknownKey => Self::UnknownKey {
                code,
                detail,
                server_time,
            },
            ErrorCode::StaleTimestamp => Self::StaleTimestamp {
                code,
                detail,
                server_time,
                skew_seconds: e.skew_seconds().unwrap_or_default(),
            },
            ErrorCode::ReplayedNonce => Self::ReplayedNonce {
                code,
                detail,
                server_time,
            },
            ErrorCode::SignatureMismatch => Self::SignatureMismatch {
                code,
                detail,
                server_time,
            },
            ErrorCode::InvalidRequest => Self::InvalidRequest {
                code,
                detail,
                server_time,
            },
            ErrorCode::InvalidSecret => Self::InvalidSecret {
                code,
                detail,
                server_time,
            },
            ErrorCode::InvalidKeyId => Self::InvalidKeyId {
                code,
                detail,
                server_time,
            },
            ErrorCode::InvalidConfig => Self::InvalidConfig {
                code,
                detail,
                server_time,
            },
            ErrorCode::ReplayStoreUnavailable => Self::ReplayStoreUnavailable {
                code,
                detail,
                server_time,
            },
            ErrorCode::UnsignedHeader => Self::UnsignedHeader {
                code,
                detail,
                server_time,
            },
            _ => Self::Other {
                code,
                detail,
                server_time,
            },
        }
    }
}

/// A host-language replay store threw something other than a `SigwireError`: fail closed.
///
/// The foreign exception's text is left out: it may hold a stack trace or a connection string.
impl From<uniffi::UnexpectedUniFFICallbackError> for SigwireError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SigwireError::replay_store_unavailable("the replay store threw an unexpected exception")
    }
}
