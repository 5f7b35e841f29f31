//! The signing profiles of `sigwire_core::profiles` for Kotlin and Swift: exchange presets, AWS
//! SigV4 (headers and presigned URLs), RFC 9421 requests, and webhook signing and verification.
//!
//! Argument conversion and error mapping only. Errors are one enum, [`ProfileError`] (Kotlin
//! `ProfileException`, one subclass per machine code, each with `code` and `detail`); messages come
//! from the core and never contain a secret. Signing results are objects, not records, so that no
//! generated `toString()` prints a signature or passphrase.

use std::collections::HashMap;
use std::sync::Arc;

use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, AwsSigV4Verifier as CoreAwsVerifier,
    SignatureLocation,
};
use sigwire_core::profiles::exchanges::{
    binance::Binance,
    bybit::Bybit,
    coinbase::Coinbase,
    kraken::{Kraken, KrakenNonce},
    okx::Okx,
    ApiCredentials,
};
use sigwire_core::profiles::rfc9421::{
    Component, Response, Rfc9421, Rfc9421Key, Rfc9421Settings,
    Rfc9421Verifier as CoreRfc9421Verifier, SignatureInputs,
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
        header_value(&self.headers, &name)
    }
}

/// The first value of header `name` (case-insensitive) among `headers`.
fn header_value(headers: &[Header], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.clone())
}

/// A signed response: the header lines to send (the given ones, then `Signature-Input`,
/// `Signature` and any `Content-Digest` the signature covers). An object, so no generated
/// `toString()` prints the signature.
#[derive(uniffi::Object)]
pub struct ProfileSignedResponse {
    headers: Vec<Header>,
}

#[uniffi::export]
impl ProfileSignedResponse {
    /// The header lines to send, in order.
    pub fn headers(&self) -> Vec<Header> {
        self.headers.clone()
    }

    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: String) -> Option<String> {
        header_value(&self.headers, &name)
    }
}

/// The core's view of a response: `status`, header lines in order, body bytes.
fn response<'a>(status: u16, lines: &'a [Header], body: &'a [u8]) -> Response<'a> {
    Response::new(status)
        .headers(lines.iter().map(|h| (h.name.as_str(), h.value.as_str())))
        .body(body)
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
    Kraken(Kraken, KrakenNonce),
    Okx(Okx),
    Bybit(Bybit),
}

/// An exchange preset: `binance`, `coinbase` (base64 secret + passphrase), `kraken` (base64
/// secret), `okx` (passphrase) or `bybit`.
/// Kotlin: `ExchangeSigner("binance", apiKey, secret, null).sign(request, timestampMs)`; Kraken:
/// `val body = krakenBody(signer.nextNonce(nowMs), params)`, then `signer.sign(request, 0u)` (the
/// nonce in the body is what Kraken signs; the timestamp argument is not used).
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
            "kraken" => Kind::Kraken(
                Kraken::new(ApiCredentials::from_base64_secret(api_key, &secret)?),
                KrakenNonce::new(),
            ),
            "okx" => Kind::Okx(Okx::new(with_pass(ApiCredentials::new(api_key, secret)?))?),
            "bybit" => Kind::Bybit(Bybit::new(ApiCredentials::new(api_key, secret)?)),
            other => {
                return Err(err(
                    ProfileErrorCode::InvalidSettings,
                    format!("unknown exchange {other:?} (binance, coinbase, kraken, okx, bybit)"),
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
            Kind::Kraken(k, _) => k.sign(r),
            Kind::Okx(o) => o.sign(r, timestamp_ms),
            Kind::Bybit(b) => b.sign(r, timestamp_ms),
        })?;
        Ok(signed(&ins, &request))
    }

    /// Kraken: the next nonce at `now_ms`, strictly greater than every earlier one from this
    /// signer, also under concurrent calls. Other presets: `InvalidRequest`.
    pub fn next_nonce(&self, now_ms: u64) -> Result<u64, ProfileError> {
        match &self.inner {
            Kind::Kraken(_, n) => Ok(n.next(now_ms)),
            _ => Err(err(
                ProfileErrorCode::InvalidRequest,
                "only Kraken uses a nonce source",
            )),
        }
    }
}

/// Kraken: the form body `nonce=<nonce>&k=v…` to send and sign, `params` form-encoded in order.
#[uniffi::export]
pub fn kraken_body(nonce: u64, params: Vec<Header>) -> String {
    let p: Vec<(&str, &str)> = params
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    Kraken::body_with_nonce(nonce, &p)
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
        // The key first, then the settings: the same order (and so the same error for input that
        // is wrong twice) as the other runtimes.
        let key = Rfc9421Key::new(key_id, secret)?;
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
            inner: Rfc9421::new(key).with_settings(s),
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

    /// Signs a response created at `created` (Unix seconds): `@status` plus the header
    /// components of the settings (derived request components do not apply to a response;
    /// `;req` components are not supported). A status outside 100–999 is `InvalidRequest`.
    pub fn sign_response(
        &self,
        status: u16,
        headers: Vec<Header>,
        body: Vec<u8>,
        created: u64,
        nonce: Option<String>,
    ) -> Result<Arc<ProfileSignedResponse>, ProfileError> {
        let mut inputs = SignatureInputs::at(created);
        if let Some(n) = nonce.as_deref() {
            inputs = inputs.nonce(n);
        }
        let out = self
            .inner
            .sign_response(&response(status, &headers, &body), inputs)?;
        let lines: Vec<(String, String)> = headers.into_iter().map(|h| (h.name, h.value)).collect();
        Ok(Arc::new(ProfileSignedResponse {
            headers: out
                .instructions()
                .apply_to_headers(&lines)
                .into_iter()
                .map(|(name, value)| Header { name, value })
                .collect(),
        }))
    }
}

/// What a verified SigV4 request proved.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AwsVerified {
    /// The access key id that signed.
    pub access_key_id: String,
    /// The lowercase names of the signed headers.
    pub signed_headers: Vec<String>,
    /// Whether the signature came from a presigned URL.
    pub presigned: bool,
    /// When it was signed (Unix seconds).
    pub signed_at: u64,
}

type AwsLookup = Box<dyn Fn(&str) -> Option<AwsCredentials> + Send + Sync>;

/// Verifies SigV4 requests (headers or presigned URLs) for one region and service.
/// Kotlin: `AwsSigV4Verifier("eu-west-1", "execute-api", mapOf(akid to secret), false, null)`.
#[derive(uniffi::Object)]
pub struct AwsSigV4Verifier {
    inner: CoreAwsVerifier<AwsLookup>,
}

#[uniffi::export]
impl AwsSigV4Verifier {
    /// A verifier; `credentials` maps access key ids to secret access keys, `s3` selects the S3
    /// rules, `max_clock_skew` (seconds, default 900) bounds the signing time.
    #[uniffi::constructor]
    pub fn new(
        region: String,
        service: String,
        credentials: HashMap<String, String>,
        s3: bool,
        max_clock_skew: Option<u64>,
    ) -> Result<Arc<Self>, ProfileError> {
        let mut keys = HashMap::with_capacity(credentials.len());
        for (id, secret) in credentials {
            let c = AwsCredentials::new(id.clone(), secret)?;
            keys.insert(id, c);
        }
        let mut s = if s3 {
            AwsSigV4Settings::s3()
        } else {
            AwsSigV4Settings::default()
        };
        if let Some(m) = max_clock_skew {
            s.max_clock_skew = m;
        }
        let lookup: AwsLookup = Box::new(move |id: &str| keys.get(id).cloned());
        Ok(Arc::new(AwsSigV4Verifier {
            inner: CoreAwsVerifier::new(region, service, lookup).with_settings(s),
        }))
    }

    /// Verifies `request` exactly as received, at `now` (Unix seconds).
    pub fn verify(&self, request: SigwireRequest, now: u64) -> Result<AwsVerified, ProfileError> {
        let v = request.with_core(|r| self.inner.verify(r, now))?;
        Ok(AwsVerified {
            access_key_id: v.access_key_id,
            signed_headers: v.signed_headers,
            presigned: v.presigned,
            signed_at: v.signed_at,
        })
    }
}

/// What a verified RFC 9421 signature proved.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Rfc9421Verified {
    /// The label that verified.
    pub label: String,
    /// The key id.
    pub key_id: String,
    /// `created` (Unix seconds).
    pub created: u64,
    /// `expires`, if present.
    pub expires: Option<u64>,
    /// `nonce`, if present (the caller checks it against replays).
    pub nonce: Option<String>,
    /// `tag`, if present.
    pub tag: Option<String>,
    /// The covered components as written in `Signature-Input` (`@query-param;name="x"`).
    pub components: Vec<String>,
}

type KeyLookup = Box<dyn Fn(&str) -> Option<Rfc9421Key> + Send + Sync>;

/// Verifies RFC 9421 `hmac-sha256` request signatures.
/// Kotlin: `Rfc9421Verifier(mapOf("key-1" to secretBytes), null, null, null, null)`.
#[derive(uniffi::Object)]
pub struct Rfc9421Verifier {
    inner: CoreRfc9421Verifier<KeyLookup>,
}

#[uniffi::export]
impl Rfc9421Verifier {
    /// A verifier; `keys` maps key ids to secrets; `label` picks one signature (default: the
    /// first); `required_components` as written in `Signature-Input` (`null`: the defaults,
    /// `@method @authority @path` for requests and `@status` for responses; an empty list
    /// requires nothing of a request, as in every runtime; a list with `@status` is what a
    /// response must cover, the request defaults staying as they are);
    /// `max_age` / `max_ahead` in seconds (defaults 300 / 60).
    #[uniffi::constructor]
    pub fn new(
        keys: HashMap<String, Vec<u8>>,
        label: Option<String>,
        required_components: Option<Vec<String>>,
        max_age: Option<u64>,
        max_ahead: Option<u64>,
    ) -> Result<Arc<Self>, ProfileError> {
        let mut ks = HashMap::with_capacity(keys.len());
        for (id, secret) in keys {
            let k = Rfc9421Key::new(id.clone(), secret)?;
            ks.insert(id, k);
        }
        let mut s = Rfc9421Settings::default();
        if let Some(required_components) = required_components {
            let required: Vec<Component> = required_components
                .iter()
                .map(|c| Component::parse(c))
                .collect::<Result<_, _>>()?;
            // One setting for both kinds of message, read as the other runtimes read it.
            if required.contains(&Component::Status) {
                s.required_response_components = required;
            } else {
                s.required_request_components = required;
            }
        }
        if let Some(a) = max_age {
            s.max_age = a;
        }
        if let Some(a) = max_ahead {
            s.max_ahead = a;
        }
        let lookup: KeyLookup = Box::new(move |id: &str| ks.get(id).cloned());
        let mut inner = CoreRfc9421Verifier::new(lookup).with_settings(s);
        if let Some(l) = label {
            inner = inner.label(l);
        }
        Ok(Arc::new(Rfc9421Verifier { inner }))
    }

    /// Verifies `request` exactly as received, at `now` (Unix seconds).
    pub fn verify(
        &self,
        request: SigwireRequest,
        now: u64,
    ) -> Result<Rfc9421Verified, ProfileError> {
        let v = request.with_core(|r| self.inner.verify_request(r, now))?;
        Ok(verified(v))
    }

    /// Verifies a response exactly as received (`status`, header lines, raw body bytes) at
    /// `now` (Unix seconds). A status outside 100–999 is `InvalidRequest`.
    pub fn verify_response(
        &self,
        status: u16,
        headers: Vec<Header>,
        body: Vec<u8>,
        now: u64,
    ) -> Result<Rfc9421Verified, ProfileError> {
        let v = self
            .inner
            .verify_response(&response(status, &headers, &body), now)?;
        Ok(verified(v))
    }
}

fn verified(v: sigwire_core::profiles::rfc9421::Rfc9421Verified) -> Rfc9421Verified {
    Rfc9421Verified {
        label: v.label,
        key_id: v.key_id,
        created: v.created,
        expires: v.expires,
        nonce: v.nonce,
        tag: v.tag,
        components: v.components.iter().map(ToString::to_string).collect(),
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

// The HttpClient's profile hooks (crate::client::HttpClient::with_profile): not exported.

impl ExchangeSigner {
    /// The [`HttpClient`](crate::HttpClient) builder signing with this preset. Kraken is refused
    /// (the message says why): its nonce lives inside the body, which the client does not build.
    pub(crate) fn client_profile(
        &self,
        builder: sigwire_client::ClientBuilder,
    ) -> Result<sigwire_client::ClientBuilder, &'static str> {
        Ok(match &self.inner {
            Kind::Binance(b) => builder.profile(b.clone()),
            Kind::Coinbase(c) => builder.profile(c.clone()),
            Kind::Okx(o) => builder.profile(o.clone()),
            Kind::Bybit(b) => builder.profile(b.clone()),
            Kind::Kraken(..) => {
                return Err(
                    "Kraken signs a nonce inside the body, which the HttpClient does not \
                     build: make the body with krakenBody(signer.nextNonce(nowMs), params), sign \
                     it with ExchangeSigner.sign and send the signed request",
                )
            }
        })
    }
}

impl AwsSigV4Signer {
    /// The [`HttpClient`](crate::HttpClient) builder signing every attempt with this signer.
    pub(crate) fn client_profile(
        &self,
        builder: sigwire_client::ClientBuilder,
    ) -> sigwire_client::ClientBuilder {
        builder.profile(self.inner.clone())
    }
}

impl Rfc9421Signer {
    /// The [`HttpClient`](crate::HttpClient) builder signing every attempt with this signer
    /// (`created` from the client's corrected clock, a fresh `nonce` per attempt).
    pub(crate) fn client_profile(
        &self,
        builder: sigwire_client::ClientBuilder,
    ) -> sigwire_client::ClientBuilder {
        builder.profile(self.inner.clone())
    }
}
