//! `sigwire-v1` as a [`SigningScheme`]: its credential, its settings and the signing function.

use core::fmt;

use crate::algorithm::Algorithm;
use crate::credentials::{KeyId, Secret};
use crate::error::Error;
use crate::freshness::{ClockUnit, ReplayPolicy};
use crate::request::Request;
use crate::signing::{SignableBody, SigningInput, SigningInstructions, SigningScheme};

use super::canonical::{self, canonical_string, SignedHeaders, SigningParams};
use super::header_policy::{end_to_end_names, SignedHeaderPolicy};
use super::Signature;

/// The key material of `sigwire-v1`: a key id and its HMAC secret (zeroized on drop; `Debug`
/// prints the key id only).
#[derive(Clone)]
pub struct V1Credential {
    key_id: KeyId,
    secret: Secret,
}

impl V1Credential {
    /// Validates both. Errors: `invalid_key_id`, `invalid_secret`.
    pub fn new(key_id: &str, secret: impl Into<Vec<u8>>) -> Result<Self, Error> {
        Ok(V1Credential {
            key_id: KeyId::new(key_id)?,
            secret: Secret::new(secret)?,
        })
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        self.key_id.as_str()
    }

    pub(crate) fn secret(&self) -> &Secret {
        &self.secret
    }
}

impl fmt::Debug for V1Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("V1Credential")
            .field("key_id", &self.key_id)
            .field("secret", &self.secret)
            .finish()
    }
}

/// Which headers a `sigwire-v1` signature covers besides the ones it always covers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum HeaderCoverage {
    /// `host`, and `content-type` when there is a body (the default, SPEC §3.5).
    #[default]
    Required,
    /// The required headers, then these names (lowercased, in order; each must be present in
    /// the request at signing time).
    Also(Vec<String>),
}

impl HeaderCoverage {
    /// The extra names after the required ones.
    pub fn extra(&self) -> &[String] {
        match self {
            HeaderCoverage::Required => &[],
            HeaderCoverage::Also(names) => names,
        }
    }
}

/// Every `sigwire-v1` signing setting, one enum each; defaults in `impl Default`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SigningSettings {
    /// The HMAC algorithm and body digest (default `hmac-sha256`).
    pub algorithm: Algorithm,
    /// The headers covered (default: [`HeaderCoverage::Required`]).
    pub signed_headers: HeaderCoverage,
    /// Whether every other end-to-end header present is signed too (default:
    /// [`SignedHeaderPolicy::Listed`], no).
    pub header_policy: SignedHeaderPolicy,
}

impl SigningSettings {
    /// Checks the settings (header names are tokens, `authorization` is never signed, at most
    /// 32 names). Errors are `invalid_request`.
    pub fn validate(&self) -> Result<(), Error> {
        SignedHeaders::for_request(
            &Request::new("GET", "https://h/"),
            self.signed_headers.extra(),
        )
        .map(|_| ())
    }
}

/// The `sigwire-v1` signing scheme: a credential and settings.
///
/// Timestamps are Unix seconds; each request needs a fresh random nonce (SPEC §2).
#[derive(Debug, Clone)]
pub struct SigwireV1Signing {
    credential: V1Credential,
    settings: SigningSettings,
}

impl SigwireV1Signing {
    /// The scheme with `credential` and `settings` (check them with
    /// [`SigningSettings::validate`]; a bad header name otherwise fails at signing time).
    pub fn new(credential: V1Credential, settings: SigningSettings) -> Self {
        SigwireV1Signing {
            credential,
            settings,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &SigningSettings {
        &self.settings
    }

    pub(crate) fn settings_mut(&mut self) -> &mut SigningSettings {
        &mut self.settings
    }

    /// Signs and returns every intermediate value (canonical string, signature, header).
    ///
    /// `body` replaces the request's body bytes: [`SignableBody::Precomputed`] takes the
    /// lowercase hex digest of the algorithm's body hash (SHA-256 or SHA-512) of a body streamed
    /// elsewhere; [`SignableBody::Unsigned`] is refused (`invalid_request`): `sigwire-v1` always
    /// covers the body. A non-empty body with a `Content-Type` header signs `content-type`.
    pub fn sign_detailed(
        &self,
        request: &Request<'_>,
        body: SignableBody<'_>,
        timestamp: u64,
        nonce: &str,
    ) -> Result<Signature, Error> {
        let algorithm = self.settings.algorithm;
        let params = SigningParams {
            algorithm,
            key_id: self.credential.key_id(),
            timestamp,
            nonce,
        };
        let listed = self.settings.signed_headers.extra();
        let mut extra: Vec<&str> = listed.iter().map(String::as_str).collect();
        if self.settings.header_policy == SignedHeaderPolicy::AllEndToEnd {
            extra.extend(end_to_end_names(request));
        }
        match body {
            SignableBody::Bytes(bytes) => {
                // The usual call signs the request's own body: no copy of the request then.
                let with_body;
                let request = if core::ptr::eq(bytes, request.body_bytes()) {
                    request
                } else {
                    with_body = request.clone().body(bytes);
                    &with_body
                };
                let signed = SignedHeaders::for_request(request, &extra)?;
                super::sign(&params, self.credential.secret(), request, &signed)
            }
            SignableBody::Precomputed(digest) => {
                let hex_len = algorithm.mac_len() * 2;
                if digest.len() != hex_len
                    || !digest
                        .bytes()
                        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                {
                    return Err(Error::invalid_request(format!(
                        "a precomputed body digest for {algorithm} is {hex_len} lowercase hex characters"
                    )));
                }
                if timestamp > canonical::MAX_TIMESTAMP {
                    return Err(Error::invalid_request("timestamp has more than 12 digits"));
                }
                // Canonicalise as for an empty body, then put the given digest in place of the
                // empty body's (the digest is the canonical string's last line).
                let empty = request.clone().body(b"");
                let has_body = digest != algorithm.body_digest_hex(b"");
                let mut names: Vec<&str> = Vec::with_capacity(extra.len() + 1);
                if has_body && request.has_header("content-type") {
                    names.push("content-type");
                }
                names.extend(extra.iter().copied());
                let signed = SignedHeaders::for_request(&empty, &names)?;
                let mut canonical = canonical_string(&params, &empty, &signed)?;
                canonical.truncate(canonical.len().saturating_sub(hex_len));
                canonical.push_str(digest);
                Ok(super::finish(
                    &params,
                    self.credential.secret(),
                    canonical,
                    &signed,
                ))
            }
            SignableBody::Unsigned => Err(Error::invalid_request(
                "sigwire-v1 always signs the body; pass its bytes or its digest",
            )),
        }
    }
}

impl SigningScheme for SigwireV1Signing {
    type Credential = V1Credential;
    type Error = Error;

    fn name(&self) -> &'static str {
        super::NAME
    }

    fn credential(&self) -> &V1Credential {
        &self.credential
    }

    fn clock_unit(&self) -> ClockUnit {
        ClockUnit::Seconds
    }

    fn replay_policy(&self) -> ReplayPolicy {
        ReplayPolicy::RandomNonce
    }

    /// One sensitive `Authorization` header. A missing nonce is `invalid_request`.
    fn sign(
        &self,
        request: &Request<'_>,
        body: SignableBody<'_>,
        input: &SigningInput<'_>,
    ) -> Result<SigningInstructions, Error> {
        let nonce = input
            .nonce
            .ok_or_else(|| Error::invalid_request("sigwire-v1 needs a nonce (SPEC §2)"))?;
        let timestamp = input.time_in(ClockUnit::Seconds);
        self.sign_detailed(request, body, timestamp, nonce)
            .map(|s| s.instructions())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    const NONCE: &str = "AAAAAAAAAAAAAAAAAAAAAA";

    fn scheme(settings: SigningSettings) -> SigwireV1Signing {
        SigwireV1Signing::new(V1Credential::new("k1", vec![9u8; 32]).unwrap(), settings)
    }

    #[test]
    fn precomputed_digest_signs_like_the_bytes() {
        let body = b"{\"a\":1}";
        let request =
            Request::new("POST", "https://h/x").header("Content-Type", "application/json");
        for algorithm in [Algorithm::HmacSha256, Algorithm::HmacSha512] {
            let s = scheme(SigningSettings {
                algorithm,
                signed_headers: HeaderCoverage::Also(vec!["X-A".into()]),
                ..Default::default()
            });
            let request = request.clone().header("x-a", "1");
            let bytes = s
                .sign_detailed(&request, SignableBody::Bytes(body), 1_700_000_000, NONCE)
                .unwrap();
            let digest = algorithm.body_digest_hex(body);
            let pre = s
                .sign_detailed(
                    &request,
                    SignableBody::Precomputed(&digest),
                    1_700_000_000,
                    NONCE,
                )
                .unwrap();
            assert_eq!(bytes, pre);
            assert_eq!(bytes.signed_headers, "host;content-type;x-a");
            let empty = algorithm.body_digest_hex(b"");
            let none = s
                .sign_detailed(
                    &request,
                    SignableBody::Precomputed(&empty),
                    1_700_000_000,
                    NONCE,
                )
                .unwrap();
            assert_eq!(
                none,
                s.sign_detailed(&request, SignableBody::Bytes(b""), 1_700_000_000, NONCE)
                    .unwrap()
            );
        }
    }

    #[test]
    fn refusals_are_typed() {
        let s = scheme(SigningSettings::default());
        let r = Request::new("GET", "https://h/");
        let code = |b| s.sign_detailed(&r, b, 1, NONCE).unwrap_err().code();
        assert_eq!(code(SignableBody::Unsigned), ErrorCode::InvalidRequest);
        assert_eq!(
            code(SignableBody::Precomputed("ABC")),
            ErrorCode::InvalidRequest
        );
        let no_nonce = s
            .sign(&r, SignableBody::Bytes(b""), &SigningInput::at_seconds(1))
            .unwrap_err();
        assert_eq!(no_nonce.code(), ErrorCode::InvalidRequest);
        let bad = SigningSettings {
            signed_headers: HeaderCoverage::Also(vec!["Authorization".into()]),
            ..Default::default()
        };
        assert_eq!(
            bad.validate().unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn credential_debug_shows_no_secret() {
        let c = V1Credential::new("k1", b"super-secret-bytes-0001".to_vec()).unwrap();
        let shown = format!("{c:?}");
        assert!(
            shown.contains("k1") && !shown.contains("super-secret"),
            "{shown}"
        );
    }
}
