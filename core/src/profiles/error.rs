//! Typed errors for every signing profile, each with a stable machine code.

use core::fmt;

/// The stable machine code of a [`ProfileError`].
///
/// The string form ([`ProfileErrorCode::as_str`]) is part of the contract: it is the same in every
/// language binding and may be sent to clients in error bodies. Messages never contain secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProfileErrorCode {
    /// The request cannot be signed or verified as given (bad URL, header or body).
    InvalidRequest,
    /// A credential is unusable (empty, not valid base64, wrong prefix, …).
    InvalidCredentials,
    /// A settings value is out of range (e.g. a presigned URL valid for more than 7 days).
    InvalidSettings,
    /// A header the profile requires is absent.
    MissingHeader,
    /// The request or webhook carries no signature.
    MissingSignature,
    /// A signature or signature header breaks the profile's syntax.
    MalformedSignature,
    /// The signature names an algorithm the profile does not accept.
    UnsupportedAlgorithm,
    /// The key (access key id, `keyid`) is not known to the verifier.
    UnknownKey,
    /// The credential scope (date, region, service) does not match the verifier's.
    CredentialScopeMismatch,
    /// The request timestamp is outside the verifier's tolerance.
    TimestampOutOfTolerance,
    /// A webhook timestamp is outside the verifier's tolerance.
    WebhookTimestampOutOfTolerance,
    /// A presigned URL or signature has expired (or is not yet valid).
    SignatureExpired,
    /// The declared payload hash or `Content-Digest` does not match the body.
    DigestMismatch,
    /// A component the verifier requires is not covered by the signature.
    InsufficientCoverage,
    /// The signature does not match.
    SignatureMismatch,
    /// The nonce was already used (reported by a replay store the caller consults).
    ReplayedNonce,
}

impl ProfileErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ProfileErrorCode; 16] = [
        ProfileErrorCode::InvalidRequest,
        ProfileErrorCode::InvalidCredentials,
        ProfileErrorCode::InvalidSettings,
        ProfileErrorCode::MissingHeader,
        ProfileErrorCode::MissingSignature,
        ProfileErrorCode::MalformedSignature,
        ProfileErrorCode::UnsupportedAlgorithm,
        ProfileErrorCode::UnknownKey,
        ProfileErrorCode::CredentialScopeMismatch,
        ProfileErrorCode::TimestampOutOfTolerance,
        ProfileErrorCode::WebhookTimestampOutOfTolerance,
        ProfileErrorCode::SignatureExpired,
        ProfileErrorCode::DigestMismatch,
        ProfileErrorCode::InsufficientCoverage,
        ProfileErrorCode::SignatureMismatch,
        ProfileErrorCode::ReplayedNonce,
    ];

    /// The machine code, e.g. `"signature_mismatch"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ProfileErrorCode::InvalidRequest => "invalid_request",
            ProfileErrorCode::InvalidCredentials => "invalid_credentials",
            ProfileErrorCode::InvalidSettings => "invalid_settings",
            ProfileErrorCode::MissingHeader => "missing_header",
            ProfileErrorCode::MissingSignature => "missing_signature",
            ProfileErrorCode::MalformedSignature => "malformed_signature",
            ProfileErrorCode::UnsupportedAlgorithm => "unsupported_algorithm",
            ProfileErrorCode::UnknownKey => "unknown_key",
            ProfileErrorCode::CredentialScopeMismatch => "credential_scope_mismatch",
            ProfileErrorCode::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
            ProfileErrorCode::WebhookTimestampOutOfTolerance => {
                "webhook_timestamp_out_of_tolerance"
            }
            ProfileErrorCode::SignatureExpired => "signature_expired",
            ProfileErrorCode::DigestMismatch => "digest_mismatch",
            ProfileErrorCode::InsufficientCoverage => "insufficient_coverage",
            ProfileErrorCode::SignatureMismatch => "signature_mismatch",
            ProfileErrorCode::ReplayedNonce => "replayed_nonce",
        }
    }

    /// Parses a machine code back into a [`ProfileErrorCode`].
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The HTTP status a server answers with: 400 for malformed input, 500 for configuration
    /// errors (a server bug), 401 for every authentication failure.
    pub const fn http_status(self) -> u16 {
        match self {
            ProfileErrorCode::InvalidRequest => 400,
            ProfileErrorCode::InvalidCredentials | ProfileErrorCode::InvalidSettings => 500,
            _ => 401,
        }
    }
}

impl fmt::Display for ProfileErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from a signing profile: a stable [`ProfileErrorCode`] and a message saying what to do.
///
/// The message never contains a secret or a signature value. Match on [`ProfileError::code`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ProfileError {
    code: ProfileErrorCode,
    message: String,
}

impl ProfileError {
    /// An error with `code` and a human-readable `message` (no secrets).
    pub fn new(code: ProfileErrorCode, message: impl Into<String>) -> Self {
        ProfileError {
            code,
            message: message.into(),
        }
    }

    /// The stable machine code.
    pub fn code(&self) -> ProfileErrorCode {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ProfileErrorCode::InvalidRequest, message)
    }

    pub(crate) fn invalid_credentials(message: impl Into<String>) -> Self {
        Self::new(ProfileErrorCode::InvalidCredentials, message)
    }

    pub(crate) fn malformed(message: impl Into<String>) -> Self {
        Self::new(ProfileErrorCode::MalformedSignature, message)
    }

    pub(crate) fn mismatch() -> Self {
        Self::new(
            ProfileErrorCode::SignatureMismatch,
            "the signature does not match the request",
        )
    }
}

/// Errors of the core (e.g. from [`crate::signing::sign_now`]'s nonce source) as profile errors,
/// keeping the message.
impl From<crate::Error> for ProfileError {
    fn from(e: crate::Error) -> Self {
        use crate::ErrorCode as C;
        let code = match e.code() {
            C::MissingAuthorization => ProfileErrorCode::MissingSignature,
            C::MalformedAuthorization => ProfileErrorCode::MalformedSignature,
            C::UnsupportedAlgorithm => ProfileErrorCode::UnsupportedAlgorithm,
            C::UnknownKey => ProfileErrorCode::UnknownKey,
            C::StaleTimestamp => ProfileErrorCode::TimestampOutOfTolerance,
            C::ReplayedNonce => ProfileErrorCode::ReplayedNonce,
            C::SignatureMismatch => ProfileErrorCode::SignatureMismatch,
            C::InvalidSecret | C::InvalidKeyId => ProfileErrorCode::InvalidCredentials,
            C::InvalidConfig => ProfileErrorCode::InvalidSettings,
            _ => ProfileErrorCode::InvalidRequest,
        };
        ProfileError::new(code, e.message())
    }
}

/// Profile errors as core errors (for profiles plugged into the core [`crate::Verifier`]), keeping
/// the message.
impl From<ProfileError> for crate::Error {
    fn from(e: ProfileError) -> Self {
        use crate::ErrorCode as C;
        let code = match e.code() {
            ProfileErrorCode::MissingSignature => C::MissingAuthorization,
            ProfileErrorCode::MalformedSignature
            | ProfileErrorCode::InsufficientCoverage
            | ProfileErrorCode::MissingHeader => C::MalformedAuthorization,
            ProfileErrorCode::UnsupportedAlgorithm => C::UnsupportedAlgorithm,
            ProfileErrorCode::UnknownKey | ProfileErrorCode::CredentialScopeMismatch => {
                C::UnknownKey
            }
            ProfileErrorCode::TimestampOutOfTolerance
            | ProfileErrorCode::WebhookTimestampOutOfTolerance
            | ProfileErrorCode::SignatureExpired => C::StaleTimestamp,
            ProfileErrorCode::DigestMismatch | ProfileErrorCode::SignatureMismatch => {
                C::SignatureMismatch
            }
            ProfileErrorCode::ReplayedNonce => C::ReplayedNonce,
            ProfileErrorCode::InvalidCredentials => C::InvalidSecret,
            ProfileErrorCode::InvalidSettings => C::InvalidConfig,
            ProfileErrorCode::InvalidRequest => C::InvalidRequest,
        };
        crate::Error::new(code, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for c in ProfileErrorCode::ALL {
            assert!(seen.insert(c.as_str()));
            assert_eq!(ProfileErrorCode::from_code(c.as_str()), Some(c));
        }
        assert_eq!(ProfileErrorCode::from_code("nope"), None);
    }

    #[test]
    fn display_leads_with_the_code() {
        let e = ProfileError::mismatch();
        assert!(e.to_string().starts_with("signature_mismatch: "));
        assert_eq!(e.code().http_status(), 401);
    }
}
