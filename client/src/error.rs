//! Typed client errors. None of them ever holds a secret or an `Authorization` value.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use sigwire_core::ErrorCode;

/// Which time limit fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// Establishing the connection took longer than the connect timeout.
    Connect,
    /// One attempt (send, redirects and reading the body) took longer than the attempt timeout.
    Attempt,
    /// The whole call, retries and backoff sleeps included, hit the total deadline.
    Total,
}

impl TimeoutKind {
    /// `"connect"`, `"attempt"` or `"total"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Attempt => "attempt",
            TimeoutKind::Total => "total",
        }
    }
}

impl std::fmt::Display for TimeoutKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from building a client or making a call.
///
/// Match on the variant or on [`Error::kind`]; messages are for humans. Display and Debug never
/// contain the secret, the signature or the `Authorization` header.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client configuration is invalid (bad base URL, missing credentials, …).
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// The request could not be built (bad header, path or query, body serialisation, …).
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
    },
    /// The core refused to sign the request (e.g. a signed header is missing or not visible ASCII).
    #[error("signing failed: {0}")]
    Sign(#[source] sigwire_core::Error),
    /// A time limit fired.
    #[error("{kind} timeout after {attempts} attempt(s)")]
    Timeout {
        /// Which limit.
        kind: TimeoutKind,
        /// Attempts made.
        attempts: u32,
    },
    /// No connection could be established (refused, DNS, TLS handshake).
    #[error("cannot connect after {attempts} attempt(s): {message}")]
    Connect {
        /// The transport's description.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The connection failed after it was established (dropped mid-response, protocol error).
    #[error("transport error after {attempts} attempt(s): {message}")]
    Transport {
        /// The transport's description.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The server answered with an error status (4xx/5xx) that is not a signature rejection.
    #[error("HTTP {status} after {attempts} attempt(s)")]
    Status {
        /// The status.
        status: StatusCode,
        /// The response headers.
        headers: Box<HeaderMap>,
        /// The response body.
        body: Bytes,
        /// Attempts made.
        attempts: u32,
    },
    /// The server refused the signature; `code` is its machine code (`signature_mismatch`,
    /// `stale_timestamp`, `unknown_key`, …; SPEC §7).
    #[error("the server rejected the signature: {code} (HTTP {status})")]
    SignatureRejected {
        /// The response status (401, or 400/503 for `invalid_request`/`replay_store_unavailable`).
        status: StatusCode,
        /// The server's machine code from `{"error": code}`.
        code: String,
        /// The server's clock from `X-Sigwire-Server-Time`, if sent.
        server_time: Option<u64>,
    },
    /// The measured clock offset to the server is larger than the client accepts to correct.
    #[error("clock skew of {offset_seconds}s to the server exceeds the {max_seconds}s the client corrects")]
    ClockSkewTooLarge {
        /// Server time minus local time, in seconds.
        offset_seconds: i64,
        /// The configured maximum.
        max_seconds: u64,
    },
    /// More redirects than the limit.
    #[error("more than {limit} redirect(s)")]
    TooManyRedirects {
        /// The configured limit.
        limit: usize,
    },
    /// The response body could not be read as asked (not UTF-8, not the expected JSON).
    #[error("cannot decode the response body: {message}")]
    Decode {
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// A stable short name of the variant: `config`, `invalid_request`, `sign`, `timeout`,
    /// `connect`, `transport`, `http_status`, `signature_rejected`, `clock_skew_too_large`,
    /// `too_many_redirects`, `decode`. Bindings expose it as the error's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Config { .. } => "config",
            Error::InvalidRequest { .. } => "invalid_request",
            Error::Sign(_) => "sign",
            Error::Timeout { .. } => "timeout",
            Error::Connect { .. } => "connect",
            Error::Transport { .. } => "transport",
            Error::Status { .. } => "http_status",
            Error::SignatureRejected { .. } => "signature_rejected",
            Error::ClockSkewTooLarge { .. } => "clock_skew_too_large",
            Error::TooManyRedirects { .. } => "too_many_redirects",
            Error::Decode { .. } => "decode",
        }
    }

    /// The HTTP status, for `Status` and `SignatureRejected`.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Status { status, .. } | Error::SignatureRejected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's machine code for `SignatureRejected` (e.g. `"signature_mismatch"`).
    pub fn server_code(&self) -> Option<&str> {
        match self {
            Error::SignatureRejected { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The server's machine code as a core [`ErrorCode`], when it is one.
    pub fn error_code(&self) -> Option<ErrorCode> {
        match self {
            Error::Sign(e) => Some(e.code()),
            _ => self.server_code().and_then(ErrorCode::from_code),
        }
    }

    /// Whether this is a timeout (of any kind).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// The timeout kind, for `Timeout`.
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        match self {
            Error::Timeout { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// Attempts made before this error, where counted.
    pub fn attempts(&self) -> Option<u32> {
        match self {
            Error::Timeout { attempts, .. }
            | Error::Connect { attempts, .. }
            | Error::Transport { attempts, .. }
            | Error::Status { attempts, .. } => Some(*attempts),
            _ => None,
        }
    }

    /// The response body, for `Status`.
    pub fn body(&self) -> Option<&Bytes> {
        match self {
            Error::Status { body, .. } => Some(body),
            _ => None,
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Error::Config {
            message: message.into(),
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
        }
    }

    pub(crate) fn set_attempts(&mut self, n: u32) {
        if let Error::Timeout { attempts, .. }
        | Error::Connect { attempts, .. }
        | Error::Transport { attempts, .. }
        | Error::Status { attempts, .. } = self
        {
            *attempts = n;
        }
    }
}

impl From<sigwire_core::Error> for Error {
    fn from(e: sigwire_core::Error) -> Self {
        Error::Sign(e)
    }
}

/// Describes a transport error without the request's URL query or headers.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    // The URL is left out: a caller may put something sensitive in a query string.
    let mut message = e.to_string();
    if let Some(url) = e.url() {
        message = message.replace(url.as_str(), "<url>");
    }
    let mut source = e.source();
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    message
}
