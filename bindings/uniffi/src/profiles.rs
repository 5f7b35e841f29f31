//! The signing profiles of `sigwire_core::profiles` for Kotlin and Swift: exchange presets, AWS
//! SigV4 (headers and presigned URLs), RFC 9421 requests, and webhook signing and verification.
//!
//! Argument conversion and error mapping only. Errors are one enum, [`ProfileError`] (Kotlin
//! `ProfileException`, one subclass per machine code, each with `code` and `detail`); messages come
//! from the core and never contain a secret. Signing results are objects, not records, so that no
//! generated `toString()` prints a signature or passphrase.

use std::sync::Arc;

use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, SignatureLocation,
};
use sigwire_core::profiles::exchanges::{
    binance::Binance, bybit::Bybit, coinbase::Coinbase, okx::Okx, ApiCredentials,
};
use sigwire_core::profiles::rfc9421::{
    Component, Rfc9421, Rfc9421Key, Rfc9421Settings, SignatureInputs,
};
use sigwire_core::profiles::webhooks::{
    github, sigwire as sigwire_webhook, slack, standard, stripe, WebhookSecret, WebhookSettings,
};
use sigwire_core::profiles::{ProfileErrorCode, SignableBody, SigningInstructions};

use crate::request::{Header, SigwireRequest};

macro_rules! profile_error {
    ($($variant:ident => $code:ident, $doc:literal;)*) => {
        /// A signing-profile error; `code` is the stable machine code (the same in every language).
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
        #[uniffi::export(Display)]
        pub enum ProfileError {
            $(
                #[doc = $doc]
                #[error("{code}: {detail}")]
                $variant {
                    /// The machine code.
                    code: String,
                    /// What went wrong and what to do (never a secret).
                    detail: String,
                },
            )*
        }

        impl From<sigwire_core::profiles::ProfileError> for ProfileError {
            fn from(e: sigwire_core::profiles::ProfileError) -> Self {
                let code = e.code().as_str().to_owned();
                let detail = e.message().to_owned();
                match e.code() {
                    $(ProfileErrorCode::$code => ProfileError::$variant { code, detail },)*
                    _ => ProfileError::InvalidRequest { code, detail },
                }
            }
        }
    };
}

profile_error! {
    InvalidRequest => InvalidRequest, "`invalid_request`: the request cannot be signed or verified as given.";
    InvalidCredentials => InvalidCredentials, "`invalid_credentials`: empty secret, bad base64, missing passphrase.";
    InvalidSettings => InvalidSettings, "`invalid_settings`: a setting is out of range.";
    MissingHeader => MissingHeader, "`missing_header`: a header the scheme requires is absent.";
    MissingSignature => MissingSignature, "`missing_signature`: no signature at all.";
    MalformedSignature => MalformedSignature, "`malformed_signature`: the signature breaks the scheme's syntax.";
    UnsupportedAlgorithm => UnsupportedAlgorithm, "`unsupported_algorithm`.";
    UnknownKey => UnknownKey, "`unknown_key`.";
    CredentialScopeMismatch => CredentialScopeMismatch, "`credential_scope_mismatch` (SigV4).";
    TimestampOutOfTolerance => TimestampOutOfTolerance, "`timestamp_out_of_tolerance`.";
    WebhookTimestampOutOfTolerance => WebhookTimestampOutOfTolerance, "`webhook_timestamp_out_of_tolerance`.";
    SignatureExpired => SignatureExpired, "`signature_expired`.";
    DigestMismatch => DigestMismatch, "`digest_mismatch`.";
    InsufficientCoverage => InsufficientCoverage, "`insufficient_coverage`.";
    SignatureMismatch => SignatureMismatch, "`signature_mismatch`.";
    ReplayedNonce => ReplayedNonce, "`replayed_nonce`.";
}

fn err(code: ProfileErrorCode, message: impl Into<String>) -> ProfileError {
    sigwire_core::profiles::ProfileError::new(code, message).into()
}

/// A signed request: the URL to send (query parameters may have been appended) and the header
/// lines to send. An object, so no generated `toString()` prints the signature.
#[derive(uniffi::Object)]
pub struct ProfileSignedRequest {
    url: String,
    headers: Vec<Header>,
}

#[uniffi::export]
impl ProfileSignedRequest {
    /// The URL to send.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The header lines to send, in order.
    pub fn headers(&self) -> Vec<Header> {
        self.headers.clone()
    }

    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: String) -> Option<String> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(&name))
            .map(|h| h.value.clone())
    }
}

fn signed(ins: &SigningInstructions, request: &SigwireRequest) -> Arc<ProfileSignedRequest> {
    let lines: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|h| (h.name.clone(), h.value.clone()))
        .collect();
    Arc::new(ProfileSignedRequest {
        url: ins.apply_to_url(&request.url),
        headers: ins
            .apply_to_headers(&lines)
            .into_iter()
            .map(|(name, value)| Header { name, value })
            .collect(),
    })
}

enum Kind {
    Binance(Binance),
    Coinbase(Coinbase),
    Okx(Okx),
    Bybit(Bybit),
}

/// An exchange preset: `binance`, `coinbase` (base64 secret + passphrase), `okx` (passphrase) or
/// `bybit`. Kotlin: `ExchangeSigner("binance", apiKey, secret, null).sign(request, timestampMs)`.
#[derive(uniffi::Object)]
pub struct ExchangeSigner {
    inner: Kind,
}

#[uniffi::export]
impl ExchangeSigner {
    /// A signer; bad credentials are `InvalidCredentials`, an unknown kind `InvalidSettings`.
    #[uniffi::constructor]
    pub fn new(
        kind: String,
        api_key: String,
        secret: String,
        passphrase: Option<String>,
    ) -> Result<Arc<Self>, ProfileError> {
        let with_pass = |c: ApiCredentials| match &passphrase {
            Some(p) => c.with_passphrase(p.as_str()),
            None => c,
        };
        let inner = match kind.as_str() {
            "binance" => Kind::Binance(Binance::new(ApiCredentials::new(api_key, secret)?)),
            "coinbase" => Kind::Coinbase(Coinbase::new(with_pass(
                ApiCredentials::from_base64_secret(api_key, &secret)?,
            ))?),
            "okx" => Kind::Okx(Okx::new(with_pass(ApiCredentials::new(api_key, secret)?))?),
            "bybit" => Kind::Bybit(Bybit::new(ApiCredentials::new(api_key, secret)?)),
            other => {
                return Err(err(
                    ProfileErrorCode::InvalidSettings,
                    format!("unknown exchange {other:?} (binance, coinbase, okx, bybit)"),
                ))
            }
        };
        Ok(Arc::new(ExchangeSigner { inner }))
    }

    /// Signs `request` exactly as it will be sent, at `timestamp_ms` (Unix milliseconds).
    pub fn sign(
        &self,
        request: SigwireRequest,
        timestamp_ms: u64,
    ) -> Result<Arc<ProfileSignedRequest>, ProfileError> {
        let ins = request.with_core(|r| match &self.inner {
            Kind::Binance(b) => b.sign(r, timestamp_ms),
            Kind::Coinbase(c) => c.sign(r, timestamp_ms / 1000),
            Kind::Okx(o) => o.sign(r, timestamp_ms),
            Kind::Bybit(b) => b.sign(r, timestamp_ms),
        })?;
        Ok(signed(&ins, &request))
    }
}

/// AWS Signature Version 4 (`s3 = true`: the S3 rules).
#[derive(uniffi::Object)]
pub struct AwsSigV4Signer {
    inner: AwsSigV4,
}

#[uniffi::export]
impl AwsSigV4Signer {
    /// A signer for one set of credentials, region and service.
    #[uniffi::constructor]
    pub fn new(
        access_key_id: String,
        secret_access_key: String,
        region: String,
        service: String,
        session_token: Option<String>,
        s3: bool,
    ) -> Result<Arc<Self>, ProfileError> {
        let mut creds = AwsCredentials::new(access_key_id, secret_access_key)?;
        if let Some(t) = session_token {
            creds = creds.with_session_token(t);
        }
        let settings = if s3 {
            AwsSigV4Settings::s3()
        } else {
            AwsSigV4Settings::default()
        };
        Ok(Arc::new(AwsSigV4Signer {
            inner: AwsSigV4::new(creds, region, service)?.with_settings(settings),
        }))
    }

    /// Signs in headers at `unix_time` (seconds).
    pub fn sign(
        &self,
        request: SigwireRequest,
        unix_time: u64,
        unsigned_payload: bool,
    ) -> Result<Arc<ProfileSignedRequest>, ProfileError> {
        let out = request.with_core(|r| {
            let body = if unsigned_payload {
                SignableBody::Unsigned
            } else {
                SignableBody::Bytes(r.body_bytes())
            };
            self.inner.sign(r, body, unix_time)
        })?;
        Ok(signed(out.instructions(), &request))
    }

    /// A presigned URL valid `expires_in` seconds (1 to 604 800), payload `UNSIGNED-PAYLOAD`.
    pub fn presign(
        &self,
        request: SigwireRequest,
        unix_time: u64,
        expires_in: u64,
    ) -> Result<String, ProfileError> {
        let mut s = self.inner.settings().clone();
        s.signature_location = SignatureLocation::QueryParams;
        s.expires_in = expires_in;
        let signer = self.inner.clone().with_settings(s);
        let out = request.with_core(|r| signer.sign(r, SignableBody::Unsigned, unix_time))?;
        Ok(out.instructions().apply_to_url(&request.url))
    }
}

/// RFC 9421 HTTP Message Signatures (`hmac-sha256`) for requests.
#[derive(uniffi::Object)]
pub struct Rfc9421Signer {
    inner: Rfc9421,
}

#[uniffi::export]
impl Rfc9421Signer {
    /// A signer; `components` as written in `Signature-Input` (empty: the default
    /// `@method @authority @path @query content-digest`), `label` default `sig1`.
    #[uniffi::constructor]
    pub fn new(
        key_id: String,
        secret: Vec<u8>,
        label: Option<String>,
        components: Vec<String>,
    ) -> Result<Arc<Self>, ProfileError> {
        let mut s = Rfc9421Settings::default();
        if let Some(l) = label {
            s.label = l;
        }
        if !components.is_empty() {
            s.components = components
                .iter()
                .map(|c| Component::parse(c))
                .collect::<Result<_, _>>()?;
        }
        Ok(Arc::new(Rfc9421Signer {
            inner: Rfc9421::new(Rfc9421Key::new(key_id, secret)?).with_settings(s),
        }))
    }

    /// Signs a request created at `created` (Unix seconds).
    pub fn sign(
        &self,
        request: SigwireRequest,
        created: u64,
        nonce: Option<String>,
    ) -> Result<Arc<ProfileSignedRequest>, ProfileError> {
        let mut inputs = SignatureInputs::at(created);
        if let Some(n) = nonce.as_deref() {
            inputs = inputs.nonce(n);
        }
        let out = request.with_core(|r| self.inner.sign_request(r, inputs))?;
        Ok(signed(out.instructions(), &request))
    }
}

/// What a verified webhook proved.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct WebhookVerified {
    /// The signed timestamp (Unix seconds), when the scheme has one.
    pub timestamp: Option<u64>,
    /// The message id, for de-duplication.
    pub id: Option<String>,
    /// Which of the secrets matched.
    pub secret_index: u32,
}

/// Secrets as given: Standard Webhooks reads `whsec_<base64>`, the others use the UTF-8 bytes.
fn secrets(provider: &str, secrets: &[String]) -> Result<Vec<WebhookSecret>, ProfileError> {
    secrets
        .iter()
        .map(|s| {
            if provider == "standard" {
                WebhookSecret::from_standard(s)
            } else {
                WebhookSecret::new(s.as_bytes().to_vec())
            }
            .map_err(Into::into)
        })
        .collect()
}

fn unknown_provider(p: &str) -> ProfileError {
    err(
        ProfileErrorCode::InvalidSettings,
        format!("unknown webhook provider {p:?} (stripe, github, slack, standard, sigwire)"),
    )
}

/// Verifies a webhook from `provider` (`stripe`, `github`, `slack`, `standard`, `sigwire`) over
/// the raw body bytes as received, at `now` (Unix seconds), `tolerance` seconds either side.
#[uniffi::export]
pub fn verify_webhook(
    provider: String,
    secret_list: Vec<String>,
    headers: Vec<Header>,
    body: Vec<u8>,
    now: u64,
    tolerance: u64,
) -> Result<WebhookVerified, ProfileError> {
    let s = secrets(&provider, &secret_list)?;
    let mut settings = WebhookSettings::default();
    settings.tolerance = tolerance;
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    let v = match provider.as_str() {
        "stripe" => stripe::verify(&h, &body, &s, now, settings)?,
        "github" => github::verify(&h, &body, &s)?,
        "slack" => slack::verify(&h, &body, &s, now, settings)?,
        "standard" => standard::verify(&h, &body, &s, now, settings)?,
        "sigwire" => sigwire_webhook::verify(&h, &body, &s, now, settings)?,
        other => return Err(unknown_provider(other)),
    };
    Ok(WebhookVerified {
        timestamp: v.timestamp,
        id: v.id,
        secret_index: u32::try_from(v.secret_index).unwrap_or(u32::MAX),
    })
}

/// The headers `provider` would send with `body` (`standard` and `sigwire` need `id`; `github`
/// and `slack` sign with exactly one secret).
#[uniffi::export]
pub fn sign_webhook(
    provider: String,
    secret_list: Vec<String>,
    body: Vec<u8>,
    timestamp: u64,
    id: Option<String>,
) -> Result<Vec<Header>, ProfileError> {
    let s = secrets(&provider, &secret_list)?;
    let need_id = || {
        id.as_deref().ok_or_else(|| {
            err(
                ProfileErrorCode::InvalidRequest,
                format!("{provider} webhooks need a message id"),
            )
        })
    };
    let one = || match s.as_slice() {
        [one] => Ok(one),
        _ => Err(err(
            ProfileErrorCode::InvalidCredentials,
            format!("{provider} signs with exactly one secret"),
        )),
    };
    let ins = match provider.as_str() {
        "stripe" => stripe::sign(&s, timestamp, &body)?,
        "github" => github::sign(one()?, &body),
        "slack" => slack::sign(one()?, timestamp, &body),
        "standard" => standard::sign(&s, need_id()?, timestamp, &body)?,
        "sigwire" => sigwire_webhook::sign(&s, need_id()?, timestamp, &body)?,
        other => return Err(unknown_provider(other)),
    };
    Ok(ins
        .apply_to_headers(&[])
        .into_iter()
        .map(|(name, value)| Header { name, value })
        .collect())
}

/// Every profile machine code, in documentation order.
#[uniffi::export]
pub fn profile_error_codes() -> Vec<String> {
    ProfileErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect()
}
