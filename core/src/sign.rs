//! [`Signer`]: the `sigwire-v1` [`SigningScheme`](crate::signing::SigningScheme) with a clock and
//! a nonce source: signs requests as they are sent.

use std::sync::Arc;

use crate::algorithm::Algorithm;
use crate::clock::{Clock, SystemClock};
use crate::error::Error;
use crate::nonce::{NonceSource, OsNonce};
use crate::request::Request;
use crate::signing::{SignableBody, SigningScheme as _};
use crate::v1::{
    HeaderCoverage, Signature, SignedHeaderPolicy, SigningSettings, SigwireV1Signing, V1Credential,
};

/// Per-call overrides; by default the signer's clock and nonce source are used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOptions<'a> {
    /// Use this Unix timestamp instead of the clock.
    pub timestamp: Option<u64>,
    /// Use this nonce instead of a fresh random one (must follow SPEC §2).
    pub nonce: Option<&'a str>,
}

impl<'a> SignOptions<'a> {
    /// Options with a fixed timestamp and nonce (deterministic signatures, as in the vectors).
    pub fn fixed(timestamp: u64, nonce: &'a str) -> Self {
        SignOptions {
            timestamp: Some(timestamp),
            nonce: Some(nonce),
        }
    }
}

/// Signs requests for one key id.
///
/// ```
/// use sigwire_core::{Request, SignOptions, Signer};
///
/// let signer = Signer::new("client-1", b"0123456789abcdef0123456789abcdef".to_vec())?;
/// let request = Request::new("GET", "https://api.example.com/v1/orders?limit=10");
/// let signed = signer.sign_with(&request, &SignOptions::fixed(1_700_000_000, "AAAAAAAAAAAAAAAAAAAAAA"))?;
/// assert!(signed.authorization.starts_with("HMAC apiKey=\"client-1\", algorithm=\"hmac-sha256\""));
/// // A real call: current time, fresh 128-bit nonce.
/// let live = signer.sign(&request)?;
/// assert_eq!(live.nonce.len(), 22);
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    scheme: SigwireV1Signing,
    clock: Arc<dyn Clock>,
    nonces: Arc<dyn NonceSource>,
}

impl core::fmt::Debug for Signer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let credential = self.scheme.credential();
        f.debug_struct("Signer")
            .field("key_id", &credential.key_id())
            .field("algorithm", &self.algorithm())
            .field("secret", &"[redacted]")
            .field("signed_headers", &self.signed_headers())
            .field("header_policy", &self.header_policy())
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer using `hmac-sha256`. Errors: `invalid_key_id`, `invalid_secret`.
    pub fn new(key_id: &str, secret: impl Into<Vec<u8>>) -> Result<Self, Error> {
        let credential = V1Credential::new(key_id, secret)?;
        Ok(Signer::from_scheme(SigwireV1Signing::new(
            credential,
            SigningSettings::default(),
        )))
    }

    /// A signer over a configured [`SigwireV1Signing`] scheme, with the system clock and OS
    /// nonces. Errors: `invalid_request` for settings that [`SigningSettings::validate`] refuses.
    pub fn with_settings(
        credential: V1Credential,
        settings: SigningSettings,
    ) -> Result<Self, Error> {
        settings.validate()?;
        Ok(Signer::from_scheme(SigwireV1Signing::new(
            credential, settings,
        )))
    }

    fn from_scheme(scheme: SigwireV1Signing) -> Self {
        Signer {
            scheme,
            clock: Arc::new(SystemClock),
            nonces: Arc::new(OsNonce),
        }
    }

    /// Uses `algorithm` instead of the default `hmac-sha256`.
    #[must_use]
    pub fn with_algorithm(mut self, algorithm: Algorithm) -> Self {
        self.scheme.settings_mut().algorithm = algorithm;
        self
    }

    /// Signs these headers too, after `host` and `content-type` (names are checked at sign time;
    /// each must then be present in the request). Errors: `invalid_request` for a bad name.
    pub fn with_signed_headers<I, S>(mut self, names: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        let coverage = if names.is_empty() {
            HeaderCoverage::Required
        } else {
            HeaderCoverage::Also(names)
        };
        let settings = SigningSettings {
            signed_headers: coverage,
            ..self.scheme.settings().clone()
        };
        // Validate once now, so mistakes surface at construction.
        settings.validate()?;
        *self.scheme.settings_mut() = settings;
        Ok(self)
    }

    /// Chooses whether every other end-to-end header present on a request is signed too
    /// ([`SignedHeaderPolicy::AllEndToEnd`]) or only the listed ones (the default). See SPEC §3.5
    /// for the headers never signed, and §8 for the trade-off.
    #[must_use]
    pub fn with_header_policy(mut self, policy: SignedHeaderPolicy) -> Self {
        self.scheme.settings_mut().header_policy = policy;
        self
    }

    /// The signed-header policy.
    pub fn header_policy(&self) -> SignedHeaderPolicy {
        self.scheme.settings().header_policy
    }

    /// Uses `clock` for timestamps (tests, or a skew-corrected clock).
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `nonces` for nonces.
    #[must_use]
    pub fn with_nonce_source(mut self, nonces: Arc<dyn NonceSource>) -> Self {
        self.nonces = nonces;
        self
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        self.scheme.credential().key_id()
    }

    /// The extra header names signed after `host` and `content-type`, as configured.
    pub fn signed_headers(&self) -> &[String] {
        self.scheme.settings().signed_headers.extra()
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.scheme.settings().algorithm
    }

    /// The signing scheme underneath (credential and settings), for code that works with any
    /// [`SigningScheme`](crate::signing::SigningScheme).
    pub fn scheme(&self) -> &SigwireV1Signing {
        &self.scheme
    }

    /// Signs with the current time and a fresh nonce.
    pub fn sign(&self, request: &Request<'_>) -> Result<Signature, Error> {
        self.sign_with(request, &SignOptions::default())
    }

    /// Signs with optional fixed timestamp and nonce.
    pub fn sign_with(
        &self,
        request: &Request<'_>,
        options: &SignOptions<'_>,
    ) -> Result<Signature, Error> {
        self.sign_body(request, SignableBody::Bytes(request.body_bytes()), options)
    }

    /// Signs with `body` in place of the request's body bytes, e.g. the digest of a body streamed
    /// elsewhere ([`SignableBody::Precomputed`]); see [`SigwireV1Signing::sign_detailed`].
    pub fn sign_body(
        &self,
        request: &Request<'_>,
        body: SignableBody<'_>,
        options: &SignOptions<'_>,
    ) -> Result<Signature, Error> {
        let generated;
        let nonce = match options.nonce {
            Some(n) => n,
            None => {
                generated = self.nonces.nonce()?;
                generated.as_str()
            }
        };
        let timestamp = options.timestamp.unwrap_or_else(|| self.clock.now());
        self.scheme.sign_detailed(request, body, timestamp, nonce)
    }

    /// The canonical string that would be signed (for debugging "signature invalid").
    pub fn canonical_string(
        &self,
        request: &Request<'_>,
        options: &SignOptions<'_>,
    ) -> Result<String, Error> {
        self.sign_with(request, options).map(|s| s.canonical_string)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn debug_hides_secret() {
        let s = Signer::new("k", b"very-secret-bytes-here".to_vec()).unwrap();
        let d = format!("{s:?}");
        assert!(
            d.contains("[redacted]") && !d.contains("very-secret"),
            "{d}"
        );
    }

    #[test]
    fn construction_errors_are_typed() {
        assert_eq!(
            Signer::new("k", b"short".to_vec()).unwrap_err().code(),
            ErrorCode::InvalidSecret
        );
        assert_eq!(
            Signer::new("", vec![0u8; 16]).unwrap_err().code(),
            ErrorCode::InvalidKeyId
        );
        let s = Signer::new("k", vec![0u8; 16]).unwrap();
        assert_eq!(
            s.with_signed_headers(["bad name"]).unwrap_err().code(),
            ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn uses_injected_clock() {
        let clock = Arc::new(crate::FixedClock::new(1234));
        let s = Signer::new("k", vec![0u8; 16]).unwrap().with_clock(clock);
        let sig = s.sign(&Request::new("GET", "https://h/")).unwrap();
        assert_eq!(sig.timestamp, 1234);
    }

    #[test]
    fn bad_nonce_refused() {
        let s = Signer::new("k", vec![0u8; 16]).unwrap();
        let e = s
            .sign_with(
                &Request::new("GET", "https://h/"),
                &SignOptions::fixed(1, "bad nonce!"),
            )
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidRequest);
    }
}
