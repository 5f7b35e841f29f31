//! The signing profiles of `sigwire_core::profiles` (AWS SigV4, RFC 9421, exchange presets,
//! webhooks) for Node.
//!
//! Argument conversion and error mapping only; the JavaScript API (`profiles.Binance`,
//! `profiles.verifyWebhook`, …) is `sdk-node/lib/profiles.js`. A [`ProfileError`] crosses the
//! boundary as the same encoded record as core errors (`sigwire␟code␟status␟␟␟message`, see
//! [`crate::ERROR_MARKER`]), decoded by `profiles.js` into a `ProfileError` subclass. Messages come
//! from the core and never contain a secret.

use std::collections::HashMap;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, AwsSigV4Verifier, SessionTokenMode,
    SignatureLocation,
};
use sigwire_core::profiles::exchanges::{
    binance::{Binance, BinanceSettings},
    bybit::{Bybit, BybitSettings},
    coinbase::Coinbase,
    kraken::{Kraken, KrakenNonce},
    okx::{Okx, OkxSettings},
    ApiCredentials,
};
use sigwire_core::profiles::rfc9421::{
    Component, Response, Rfc9421, Rfc9421Key, Rfc9421Settings, Rfc9421Verified, Rfc9421Verifier,
    SignatureInputs,
};
use sigwire_core::profiles::webhooks::{
    github, sigwire as sigwire_webhook, slack, standard, stripe, WebhookSecret, WebhookSettings,
};
use sigwire_core::profiles::{
    Param, ProfileError, ProfileErrorCode, SignableBody, SigningInstructions,
};
use sigwire_core::{ErrorCode, Request};

use sigwire_client::Error as ClientError;

use crate::client::{build_with, made, NativeClient, NativeClientError, NativeClientOptions};
use crate::{request, whole, ERROR_MARKER};

const SEP: char = '\u{1f}';

/// Encodes a profile error for the JavaScript layer (the record format of [`crate::to_js`]).
fn perr(e: ProfileError) -> napi::Error {
    let message: String = e.message().chars().filter(|&c| c != SEP).collect();
    napi::Error::new(
        Status::GenericFailure,
        format!(
            "{ERROR_MARKER}{SEP}{}{SEP}{}{SEP}{SEP}{SEP}{message}",
            e.code().as_str(),
            e.code().http_status()
        ),
    )
}

fn bad(code: ProfileErrorCode, message: impl Into<String>) -> napi::Error {
    perr(ProfileError::new(code, message))
}

fn time(value: f64, what: &str) -> Result<u64> {
    whole(value, what, ErrorCode::InvalidRequest)
}

/// A signed request (or response), packed into one array of strings: building a JavaScript object
/// per parameter cost more than the signature itself (every property name is interned per call).
/// `sdk-node/lib/profiles.js` (`unpack`) reads it back. Layout:
///
/// `[url, canonicalRequest, stringToSign, signatureBase, L, H, Q,
///   …2L header line strings (name, value), …3H header params, …3Q query params]`
///
/// where `L`, `H`, `Q` are decimal counts, a param is `name, value, "1"|"0"` (sensitive), and the
/// three stage strings are empty when the scheme has none (AWS: the first two; RFC 9421: the
/// third).
struct Packed(Vec<String>);

const STAGES: usize = 3;

fn push_params(out: &mut Vec<String>, params: &[Param]) {
    for p in params {
        out.push(p.name().to_owned());
        out.push(p.value().to_owned());
        out.push(if p.sensitive() { "1" } else { "0" }.to_owned());
    }
}

impl Packed {
    /// What crosses to JavaScript: the fields joined with U+001F — one string costs one N-API
    /// call where an array costs one per element (~0.15 µs each, most of a SigV4 signature's
    /// binding overhead) — or the array itself when a field holds U+001F.
    fn into_js(self) -> Either<String, Vec<String>> {
        if self.0.iter().any(|f| f.contains(SEP)) {
            return Either::B(self.0);
        }
        let mut joined = String::with_capacity(self.0.iter().map(|f| f.len() + 1).sum());
        for (i, f) in self.0.iter().enumerate() {
            if i > 0 {
                joined.push(SEP);
            }
            joined.push_str(f);
        }
        Either::A(joined)
    }

    fn set_stage(&mut self, index: usize, value: &str) {
        if let Some(slot) = self.0.get_mut(1 + index) {
            value.clone_into(slot);
        }
    }
}

fn pairs(flat: &[String]) -> Vec<(String, String)> {
    flat.chunks_exact(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect()
}

fn flat(lines: Vec<(String, String)>) -> Vec<String> {
    lines.into_iter().flat_map(|(n, v)| [n, v]).collect()
}

/// A request as a signer's JavaScript side packs it (`packRequest` in `profiles.js`):
/// `[method, url, name, value, …]` joined with U+001F — one N-API string instead of two strings
/// and an array of them — or the array when a field holds U+001F. Borrowed fields, in order.
fn fields(packed: &Either<String, Vec<String>>) -> Vec<&str> {
    match packed {
        Either::A(joined) => joined.split(SEP).collect(),
        Either::B(list) => list.iter().map(String::as_str).collect(),
    }
}

/// The core request of packed `fields` (see [`fields`]): method, URL and header pairs.
fn packed_request<'a>(fields: &'a [&'a str], body: &'a [u8]) -> Result<Request<'a>> {
    let [method, url, headers @ ..] = fields else {
        return Err(bad(
            ProfileErrorCode::InvalidRequest,
            "a request needs a method and a URL",
        ));
    };
    if !headers.len().is_multiple_of(2) {
        return Err(bad(
            ProfileErrorCode::InvalidRequest,
            "headers must be name/value pairs",
        ));
    }
    Ok(Request::new(method, url)
        .headers(headers.chunks_exact(2).map(|p| (p[0], p[1])))
        .body(body))
}

fn signed(ins: &SigningInstructions, url: &str, headers: &[&str]) -> Packed {
    let lines = ins.apply_to_headers(
        &headers
            .chunks_exact(2)
            .map(|p| (p[0].to_owned(), p[1].to_owned()))
            .collect::<Vec<_>>(),
    );
    let (h, q) = (ins.headers(), ins.query_params());
    let mut out = Vec::with_capacity(4 + STAGES + 2 * lines.len() + 3 * (h.len() + q.len()));
    out.push(ins.apply_to_url(url));
    out.extend(std::iter::repeat_with(String::new).take(STAGES));
    out.push(lines.len().to_string());
    out.push(h.len().to_string());
    out.push(q.len().to_string());
    for (n, v) in lines {
        out.push(n);
        out.push(v);
    }
    push_params(&mut out, h);
    push_params(&mut out, q);
    Packed(out)
}

// ---------------------------------------------------------------------------------------------
// Exchanges

enum ExchangeKind {
    Binance(Binance),
    Coinbase(Coinbase),
    Kraken(Kraken, KrakenNonce),
    Okx(Okx),
    Bybit(Bybit),
}

/// Options of an exchange preset.
#[napi(object)]
pub struct ExchangeOptions {
    /// Coinbase, OKX: the API passphrase.
    pub passphrase: Option<String>,
    /// Binance (`null`/absent: 5000; negative: none), Bybit: `recvWindow` in ms.
    pub recv_window: Option<f64>,
    /// OKX: adds `x-simulated-trading: 1`.
    pub simulated_trading: Option<bool>,
}

/// One exchange preset: `binance`, `coinbase`, `kraken`, `okx` or `bybit`.
#[napi]
pub struct NativeExchange {
    inner: ExchangeKind,
}

#[napi]
impl NativeExchange {
    /// `new NativeExchange(kind, apiKey, secret, options)`; Coinbase and Kraken secrets are base64.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        kind: String,
        api_key: String,
        secret: String,
        options: Option<ExchangeOptions>,
    ) -> Result<Self> {
        let o = options.unwrap_or(ExchangeOptions {
            passphrase: None,
            recv_window: None,
            simulated_trading: None,
        });
        let recv = match o.recv_window {
            Some(w) if w < 0.0 => None,
            Some(w) => Some(whole(w, "recvWindow", ErrorCode::InvalidConfig)?),
            None => Some(5000),
        };
        let plain = || ApiCredentials::new(api_key.as_str(), secret.as_str()).map_err(perr);
        let b64 = || ApiCredentials::from_base64_secret(api_key.as_str(), &secret).map_err(perr);
        let with_pass = |c: ApiCredentials| match &o.passphrase {
            Some(p) => c.with_passphrase(p.as_str()),
            None => c,
        };
        let inner = match kind.as_str() {
            "binance" => {
                let mut s = BinanceSettings::default();
                s.recv_window = recv;
                ExchangeKind::Binance(Binance::new(plain()?).with_settings(s))
            }
            "coinbase" => ExchangeKind::Coinbase(Coinbase::new(with_pass(b64()?)).map_err(perr)?),
            "kraken" => ExchangeKind::Kraken(Kraken::new(b64()?), KrakenNonce::new()),
            "okx" => {
                let mut s = OkxSettings::default();
                s.simulated_trading = o.simulated_trading.unwrap_or(false);
                ExchangeKind::Okx(
                    Okx::new(with_pass(plain()?))
                        .map_err(perr)?
                        .with_settings(s),
                )
            }
            "bybit" => {
                let mut s = BybitSettings::default();
                if let Some(w) = recv {
                    s.recv_window = w;
                }
                ExchangeKind::Bybit(Bybit::new(plain()?).with_settings(s))
            }
            other => {
                return Err(bad(
                    ProfileErrorCode::InvalidSettings,
                    format!("unknown exchange {other:?}"),
                ))
            }
        };
        Ok(NativeExchange { inner })
    }

    /// Signs the packed request (`[method, url, name, value, …]`, see `fields`) at
    /// `timestampMs` (Coinbase uses its whole seconds).
    #[napi(catch_unwind)]
    pub fn sign(
        &self,
        request: Either<String, Vec<String>>,
        body: &[u8],
        timestamp_ms: f64,
    ) -> Result<Either<String, Vec<String>>> {
        let ts = time(timestamp_ms, "timestampMs")?;
        let f = fields(&request);
        let r = packed_request(&f, body)?;
        let ins = match &self.inner {
            ExchangeKind::Binance(b) => b.sign(&r, ts),
            ExchangeKind::Coinbase(c) => c.sign(&r, ts / 1000),
            ExchangeKind::Kraken(k, _) => k.sign(&r),
            ExchangeKind::Okx(o) => o.sign(&r, ts),
            ExchangeKind::Bybit(b) => b.sign(&r, ts),
        }
        .map_err(perr)?;
        Ok(signed(&ins, f[1], &f[2..]).into_js())
    }

    /// Kraken: the next strictly increasing nonce at `nowMs`.
    #[napi(catch_unwind)]
    pub fn next_nonce(&self, now_ms: f64) -> Result<f64> {
        match &self.inner {
            // Nonces stay below 2^53 for the next 285 000 years of milliseconds.
            ExchangeKind::Kraken(_, n) => Ok(n.next(time(now_ms, "nowMs")?) as f64),
            _ => Err(bad(
                ProfileErrorCode::InvalidRequest,
                "only Kraken uses a nonce source",
            )),
        }
    }

    /// `new Client({ baseUrl, profile })`: an HTTP client that signs every attempt with this
    /// preset. Kraken is refused (its nonce lives in the body, which the client does not build).
    #[napi(catch_unwind)]
    pub fn create_client(
        &self,
        options: NativeClientOptions,
    ) -> Either<NativeClient, NativeClientError> {
        made(build_with(options, |b| {
            Ok(match &self.inner {
                ExchangeKind::Binance(x) => b.profile(x.clone()),
                ExchangeKind::Coinbase(x) => b.profile(x.clone()),
                ExchangeKind::Okx(x) => b.profile(x.clone()),
                ExchangeKind::Bybit(x) => b.profile(x.clone()),
                ExchangeKind::Kraken(..) => {
                    return Err(ClientError::Config {
                        message: "Kraken signs a nonce inside the body: build it with \
                                  Kraken.body(), sign with Kraken.sign() and send the signed \
                                  request"
                            .to_owned(),
                    })
                }
            })
        }))
    }

    /// The API key (not secret).
    #[napi(getter, catch_unwind)]
    pub fn api_key(&self) -> String {
        use sigwire_core::signing::SigningScheme;
        match &self.inner {
            ExchangeKind::Binance(s) => s.credential().api_key().to_owned(),
            ExchangeKind::Coinbase(s) => s.credential().api_key().to_owned(),
            ExchangeKind::Kraken(s, _) => s.credential().api_key().to_owned(),
            ExchangeKind::Okx(s) => s.credential().api_key().to_owned(),
            ExchangeKind::Bybit(s) => s.credential().api_key().to_owned(),
        }
    }
}

/// Kraken: the form body `nonce=<nonce>&k=v…` (flat `[k, v, …]`) to send and sign.
#[napi(catch_unwind)]
pub fn kraken_body(nonce: f64, params: Vec<String>) -> Result<String> {
    let nonce = time(nonce, "nonce")?;
    let p = pairs(&params);
    let refs: Vec<(&str, &str)> = p.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Ok(Kraken::body_with_nonce(nonce, &refs))
}

// ---------------------------------------------------------------------------------------------
// AWS SigV4

fn aws_settings(s3: bool, sign_session_token: bool) -> AwsSigV4Settings {
    let mut s = if s3 {
        AwsSigV4Settings::s3()
    } else {
        AwsSigV4Settings::default()
    };
    if !sign_session_token {
        s.session_token_mode = SessionTokenMode::Exclude;
    }
    s
}

/// AWS SigV4 for one set of credentials, region and service.
#[napi]
pub struct NativeAwsSigV4 {
    inner: AwsSigV4,
}

#[napi]
impl NativeAwsSigV4 {
    /// `new NativeAwsSigV4(accessKeyId, secretAccessKey, region, service, sessionToken, s3, signSessionToken)`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        access_key_id: String,
        secret_access_key: String,
        region: String,
        service: String,
        session_token: Option<String>,
        s3: bool,
        sign_session_token: bool,
    ) -> Result<Self> {
        let mut creds = AwsCredentials::new(access_key_id, secret_access_key).map_err(perr)?;
        if let Some(t) = session_token {
            creds = creds.with_session_token(t);
        }
        let inner = AwsSigV4::new(creds, region, service)
            .map_err(perr)?
            .with_settings(aws_settings(s3, sign_session_token));
        Ok(NativeAwsSigV4 { inner })
    }

    /// `new Client({ baseUrl, profile })`: an HTTP client that signs every attempt with SigV4.
    #[napi(catch_unwind)]
    pub fn create_client(
        &self,
        options: NativeClientOptions,
    ) -> Either<NativeClient, NativeClientError> {
        made(build_with(options, |b| Ok(b.profile(self.inner.clone()))))
    }

    /// Signs the packed request (`[method, url, name, value, …]`, see `fields`) at `unixTime`
    /// seconds; `presignExpires` makes a presigned URL.
    #[napi(catch_unwind)]
    pub fn sign(
        &self,
        request: Either<String, Vec<String>>,
        body: &[u8],
        unix_time: f64,
        unsigned_payload: bool,
        presign_expires: Option<f64>,
    ) -> Result<Either<String, Vec<String>>> {
        let t = time(unix_time, "timestamp")?;
        let f = fields(&request);
        let r = packed_request(&f, body)?;
        let signer = match presign_expires {
            Some(e) => {
                let mut s = self.inner.settings().clone();
                s.signature_location = SignatureLocation::QueryParams;
                s.expires_in = whole(e, "expiresIn", ErrorCode::InvalidConfig)?;
                std::borrow::Cow::Owned(self.inner.clone().with_settings(s))
            }
            None => std::borrow::Cow::Borrowed(&self.inner),
        };
        let b = if unsigned_payload {
            SignableBody::Unsigned
        } else {
            SignableBody::Bytes(body)
        };
        let out = signer.sign(&r, b, t).map_err(perr)?;
        let mut s = signed(out.instructions(), f[1], &f[2..]);
        s.set_stage(0, out.canonical_request());
        s.set_stage(1, out.string_to_sign());
        Ok(s.into_js())
    }

    /// The access key id.
    #[napi(getter, catch_unwind)]
    pub fn access_key_id(&self) -> String {
        self.inner.access_key_id().to_owned()
    }
}

type AwsLookup = Box<dyn Fn(&str) -> Option<AwsCredentials> + Send + Sync>;

/// What a verified SigV4 request proved.
#[napi(object)]
pub struct AwsVerifiedJs {
    /// The access key id that signed.
    pub access_key_id: String,
    /// The signed header names, lowercase.
    pub signed_headers: Vec<String>,
    /// Whether it was a presigned URL.
    pub presigned: bool,
    /// `X-Amz-Date` in Unix seconds.
    pub signed_at: f64,
}

/// Verifies SigV4 requests for one region and service.
#[napi]
pub struct NativeAwsVerifier {
    inner: AwsSigV4Verifier<AwsLookup>,
}

#[napi]
impl NativeAwsVerifier {
    /// `credentials` is flat `[accessKeyId, secret, …]`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        region: String,
        service: String,
        credentials: Vec<String>,
        s3: bool,
        max_clock_skew: Option<f64>,
    ) -> Result<Self> {
        let mut keys = HashMap::new();
        for (id, secret) in pairs(&credentials) {
            let c = AwsCredentials::new(id.clone(), secret).map_err(perr)?;
            keys.insert(id, c);
        }
        let mut s = aws_settings(s3, true);
        if let Some(m) = max_clock_skew {
            s.max_clock_skew = whole(m, "maxClockSkew", ErrorCode::InvalidConfig)?;
        }
        let lookup: AwsLookup = Box::new(move |id: &str| keys.get(id).cloned());
        Ok(NativeAwsVerifier {
            inner: AwsSigV4Verifier::new(region, service, lookup).with_settings(s),
        })
    }

    /// Verifies at `now` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<AwsVerifiedJs> {
        let now = time(now, "now")?;
        let r = request(&method, &url, &headers, body)?;
        let v = self.inner.verify(&r, now).map_err(perr)?;
        Ok(AwsVerifiedJs {
            access_key_id: v.access_key_id,
            signed_headers: v.signed_headers,
            presigned: v.presigned,
            signed_at: v.signed_at as f64,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 9421

fn components(ids: &[String]) -> Result<Vec<Component>> {
    ids.iter()
        .map(|s| Component::parse(s).map_err(perr))
        .collect()
}

/// RFC 9421 options (signer and verifier).
#[napi(object)]
pub struct Rfc9421Options {
    /// Signature label (default `sig1`).
    pub label: Option<String>,
    /// Signer: covered components.
    pub components: Option<Vec<String>>,
    /// Signer: `expires = created + expiresIn`.
    pub expires_in: Option<f64>,
    /// Signer: write `alg="hmac-sha256"`.
    pub include_alg: Option<bool>,
    /// Signer: `tag`.
    pub tag: Option<String>,
    /// Verifier: required components (a list with `@status` is for responses).
    pub required_components: Option<Vec<String>>,
    /// Verifier: max age of `created`, seconds.
    pub max_age: Option<f64>,
    /// Verifier: how far ahead `created` may be, seconds.
    pub max_ahead: Option<f64>,
}

fn rfc9421_settings(o: &Rfc9421Options) -> Result<Rfc9421Settings> {
    let mut s = Rfc9421Settings::default();
    if let Some(l) = &o.label {
        s.label = l.clone();
    }
    if let Some(c) = &o.components {
        s.components = components(c)?;
    }
    s.expires_in = o
        .expires_in
        .map(|e| whole(e, "expiresIn", ErrorCode::InvalidConfig))
        .transpose()?;
    s.include_alg = o.include_alg.unwrap_or(false);
    s.tag = o.tag.clone();
    if let Some(r) = &o.required_components {
        let r = components(r)?;
        if r.contains(&Component::Status) {
            s.required_response_components = r;
        } else {
            s.required_request_components = r;
        }
    }
    if let Some(a) = o.max_age {
        s.max_age = whole(a, "maxAge", ErrorCode::InvalidConfig)?;
    }
    if let Some(a) = o.max_ahead {
        s.max_ahead = whole(a, "maxAhead", ErrorCode::InvalidConfig)?;
    }
    Ok(s)
}

fn inputs<'a>(created: f64, nonce: Option<&'a str>) -> Result<SignatureInputs<'a>> {
    let mut i = SignatureInputs::at(time(created, "created")?);
    if let Some(n) = nonce {
        i = i.nonce(n);
    }
    Ok(i)
}

/// An RFC 9421 `hmac-sha256` signer.
#[napi]
pub struct NativeRfc9421 {
    inner: Rfc9421,
}

#[napi]
impl NativeRfc9421 {
    /// `new NativeRfc9421(keyId, secret, options)`.
    #[napi(constructor, catch_unwind)]
    pub fn new(key_id: String, secret: &[u8], options: Option<Rfc9421Options>) -> Result<Self> {
        let key = Rfc9421Key::new(key_id, secret.to_vec()).map_err(perr)?;
        let settings = match &options {
            Some(o) => rfc9421_settings(o)?,
            None => Rfc9421Settings::default(),
        };
        Ok(NativeRfc9421 {
            inner: Rfc9421::new(key).with_settings(settings),
        })
    }

    /// `new Client({ baseUrl, profile })`: an HTTP client that signs every attempt with
    /// RFC 9421 (`created` from the client's corrected clock).
    #[napi(catch_unwind)]
    pub fn create_client(
        &self,
        options: NativeClientOptions,
    ) -> Either<NativeClient, NativeClientError> {
        made(build_with(options, |b| Ok(b.profile(self.inner.clone()))))
    }

    /// Signs the packed request (`[method, url, name, value, …]`, see `fields`) created at
    /// `created` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn sign_request(
        &self,
        request: Either<String, Vec<String>>,
        body: &[u8],
        created: f64,
        nonce: Option<String>,
    ) -> Result<Either<String, Vec<String>>> {
        let f = fields(&request);
        let r = packed_request(&f, body)?;
        let out = self
            .inner
            .sign_request(&r, inputs(created, nonce.as_deref())?)
            .map_err(perr)?;
        let mut s = signed(out.instructions(), f[1], &f[2..]);
        s.set_stage(2, out.signature_base());
        Ok(s.into_js())
    }

    /// Signs a response (`url` of the result is empty).
    #[napi(catch_unwind)]
    pub fn sign_response(
        &self,
        status: u32,
        headers: Vec<String>,
        body: &[u8],
        created: f64,
        nonce: Option<String>,
    ) -> Result<Either<String, Vec<String>>> {
        let lines = pairs(&headers);
        let response = response(status, &lines, body)?;
        let out = self
            .inner
            .sign_response(&response, inputs(created, nonce.as_deref())?)
            .map_err(perr)?;
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let mut s = signed(out.instructions(), "", &refs);
        if let Some(url) = s.0.first_mut() {
            url.clear();
        }
        s.set_stage(2, out.signature_base());
        Ok(s.into_js())
    }
}

fn response<'a>(
    status: u32,
    lines: &'a [(String, String)],
    body: &'a [u8],
) -> Result<Response<'a>> {
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| {
            bad(
                ProfileErrorCode::InvalidRequest,
                "status must be 100 to 999",
            )
        })?;
    Ok(Response::new(status)
        .headers(lines.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(body))
}

/// What a verified RFC 9421 signature proved.
#[napi(object)]
pub struct Rfc9421VerifiedJs {
    /// The label that verified.
    pub label: String,
    /// The key id.
    pub key_id: String,
    /// `created`.
    pub created: f64,
    /// `expires`, if present.
    pub expires: Option<f64>,
    /// `nonce`, if present (check it against a replay store).
    pub nonce: Option<String>,
    /// `tag`, if present.
    pub tag: Option<String>,
    /// The covered components.
    pub components: Vec<String>,
}

fn verified(v: Rfc9421Verified) -> Rfc9421VerifiedJs {
    Rfc9421VerifiedJs {
        label: v.label,
        key_id: v.key_id,
        created: v.created as f64,
        expires: v.expires.map(|e| e as f64),
        nonce: v.nonce,
        tag: v.tag,
        components: v.components.iter().map(Component::to_string).collect(),
    }
}

type KeyLookup = Box<dyn Fn(&str) -> Option<Rfc9421Key> + Send + Sync>;

/// Verifies RFC 9421 signatures with keys looked up by `keyid`.
#[napi]
pub struct NativeRfc9421Verifier {
    inner: Rfc9421Verifier<KeyLookup>,
}

#[napi]
impl NativeRfc9421Verifier {
    /// `keyIds[i]` has secret `secrets[i]`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        key_ids: Vec<String>,
        secrets: Vec<Buffer>,
        options: Option<Rfc9421Options>,
    ) -> Result<Self> {
        if key_ids.len() != secrets.len() {
            return Err(bad(
                ProfileErrorCode::InvalidCredentials,
                "one secret per key id",
            ));
        }
        let mut map = HashMap::new();
        for (id, s) in key_ids.into_iter().zip(secrets.iter()) {
            let key = Rfc9421Key::new(id.clone(), s.to_vec()).map_err(perr)?;
            map.insert(id, key);
        }
        let settings = match &options {
            Some(o) => rfc9421_settings(o)?,
            None => Rfc9421Settings::default(),
        };
        let lookup: KeyLookup = Box::new(move |id: &str| map.get(id).cloned());
        let mut inner = Rfc9421Verifier::new(lookup).with_settings(settings);
        if let Some(l) = options.and_then(|o| o.label) {
            inner = inner.label(l);
        }
        Ok(NativeRfc9421Verifier { inner })
    }

    /// Verifies a request at `now` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn verify_request(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Rfc9421VerifiedJs> {
        let r = request(&method, &url, &headers, body)?;
        self.inner
            .verify_request(&r, time(now, "now")?)
            .map(verified)
            .map_err(perr)
    }

    /// Verifies a response at `now` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn verify_response(
        &self,
        status: u32,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Rfc9421VerifiedJs> {
        let lines = pairs(&headers);
        let r = response(status, &lines, body)?;
        self.inner
            .verify_response(&r, time(now, "now")?)
            .map(verified)
            .map_err(perr)
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// Secrets as bytes; `text[i]` says secret `i` was given as a string (Standard Webhooks reads a
/// string as `whsec_<base64>`).
fn webhook_secrets(
    provider: &str,
    secrets: &[Buffer],
    text: &[bool],
) -> Result<Vec<WebhookSecret>> {
    secrets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if provider == "standard" && text.get(i).copied().unwrap_or(false) {
                let t = std::str::from_utf8(s).map_err(|_| {
                    bad(
                        ProfileErrorCode::InvalidCredentials,
                        "the secret is not UTF-8",
                    )
                })?;
                return WebhookSecret::from_standard(t).map_err(perr);
            }
            WebhookSecret::new(s.to_vec()).map_err(perr)
        })
        .collect()
}

fn unknown_provider(p: &str) -> ProfileError {
    ProfileError::new(
        ProfileErrorCode::InvalidSettings,
        format!("unknown webhook provider {p:?} (stripe, github, slack, standard, sigwire)"),
    )
}

/// What a verified webhook proved.
#[napi(object)]
pub struct WebhookVerifiedJs {
    /// The signed timestamp, when the scheme has one.
    pub timestamp: Option<f64>,
    /// The message id (for de-duplication).
    pub id: Option<String>,
    /// Which secret matched.
    pub secret_index: u32,
}

/// Verifies a webhook over the raw body.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn verify_webhook_native(
    provider: String,
    secrets: Vec<Buffer>,
    secret_is_text: Vec<bool>,
    headers: Vec<String>,
    body: &[u8],
    now: f64,
    tolerance: f64,
) -> Result<WebhookVerifiedJs> {
    let secrets = webhook_secrets(&provider, &secrets, &secret_is_text)?;
    let now = time(now, "now")?;
    let mut settings = WebhookSettings::default();
    settings.tolerance = whole(tolerance, "tolerance", ErrorCode::InvalidConfig)?;
    let lines = pairs(&headers);
    let h: Vec<(&str, &str)> = lines
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let v = match provider.as_str() {
        "stripe" => stripe::verify(&h, body, &secrets, now, settings),
        "github" => github::verify(&h, body, &secrets),
        "slack" => slack::verify(&h, body, &secrets, now, settings),
        "standard" => standard::verify(&h, body, &secrets, now, settings),
        "sigwire" => sigwire_webhook::verify(&h, body, &secrets, now, settings),
        other => Err(unknown_provider(other)),
    }
    .map_err(perr)?;
    Ok(WebhookVerifiedJs {
        timestamp: v.timestamp.map(|t| t as f64),
        id: v.id,
        secret_index: u32::try_from(v.secret_index).unwrap_or(u32::MAX),
    })
}

/// Signs a webhook as a provider would: flat `[name, value, …]` headers.
#[napi(catch_unwind)]
pub fn sign_webhook_native(
    provider: String,
    secrets: Vec<Buffer>,
    secret_is_text: Vec<bool>,
    body: &[u8],
    timestamp: f64,
    id: Option<String>,
) -> Result<Vec<String>> {
    let secrets = webhook_secrets(&provider, &secrets, &secret_is_text)?;
    let ts = time(timestamp, "timestamp")?;
    let need_id = || {
        id.as_deref().ok_or_else(|| {
            ProfileError::new(
                ProfileErrorCode::InvalidRequest,
                format!("{provider} webhooks need a message id"),
            )
        })
    };
    let one = || match secrets.as_slice() {
        [s] => Ok(s),
        _ => Err(ProfileError::new(
            ProfileErrorCode::InvalidCredentials,
            format!("{provider} signs with exactly one secret"),
        )),
    };
    let ins = match provider.as_str() {
        "stripe" => stripe::sign(&secrets, ts, body),
        "github" => one().map(|s| github::sign(s, body)),
        "slack" => one().map(|s| slack::sign(s, ts, body)),
        "standard" => need_id().and_then(|id| standard::sign(&secrets, id, ts, body)),
        "sigwire" => need_id().and_then(|id| sigwire_webhook::sign(&secrets, id, ts, body)),
        other => Err(unknown_provider(other)),
    }
    .map_err(perr)?;
    Ok(flat(ins.apply_to_headers(&[])))
}

/// Every profile machine code, flat `[code, status, …]`.
#[napi(catch_unwind)]
pub fn profile_error_codes() -> Vec<String> {
    ProfileErrorCode::ALL
        .iter()
        .flat_map(|c| [c.as_str().to_owned(), c.http_status().to_string()])
        .collect()
}
