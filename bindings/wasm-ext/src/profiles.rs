//! The signing profiles of `sigwire_core::profiles` (exchange presets, AWS SigV4, RFC 9421,
//! webhooks) for the browser; the JavaScript API (`profiles.Binance`, `profiles.verifyWebhook`, …,
//! the same as the Node package's) is `sdk-wasm/src/profiles.js`.
//!
//! Argument conversion and error mapping only, mirroring `bindings/node/src/profiles.rs` (the
//! same names, `Native…`, and the same packed result layout, so one JavaScript reading of it
//! serves both). Requests cross as `method, url, [name, value, …], body`; results as one flat
//! string array (see [`signed`]). A [`ProfileError`] becomes a [`Failure`] with its stable code;
//! messages come from the core and never contain a secret.

use std::collections::HashMap;

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
    Component, Rfc9421, Rfc9421Key, Rfc9421Settings, Rfc9421Verified, Rfc9421Verifier,
    SignatureInputs,
};
use sigwire_core::profiles::webhooks::{
    github, sigwire as sigwire_webhook, slack, standard, stripe, WebhookSecret, WebhookSettings,
};
use sigwire_core::profiles::{
    Param, ProfileError, ProfileErrorCode, SignableBody, SigningInstructions,
};
use sigwire_core::Request;
use wasm_bindgen::prelude::*;

use crate::Failure;

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn bad(code: ProfileErrorCode, message: impl Into<String>) -> Failure {
    ProfileError::new(code, message).into()
}

/// A whole non-negative JavaScript number (time, window, count) as `u64`.
fn whole(value: f64, what: &str, code: ProfileErrorCode) -> Result<u64, Failure> {
    if (0.0..=MAX_SAFE_INTEGER).contains(&value) && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(bad(
            code,
            format!("{what} must be a non-negative integer of at most 2^53 - 1"),
        ))
    }
}

fn time(value: f64, what: &str) -> Result<u64, Failure> {
    whole(value, what, ProfileErrorCode::InvalidRequest)
}

fn config(value: f64, what: &str) -> Result<u64, Failure> {
    whole(value, what, ProfileErrorCode::InvalidSettings)
}

/// `[name, value, …]` as borrowed pairs; an odd count is `invalid_request`.
fn pairs(flat: &[String]) -> Result<Vec<(&str, &str)>, Failure> {
    if flat.len() & 1 == 1 {
        return Err(bad(
            ProfileErrorCode::InvalidRequest,
            "headers must be name/value pairs",
        ));
    }
    Ok(flat
        .chunks_exact(2)
        .filter_map(|p| match p {
            [n, v] => Some((n.as_str(), v.as_str())),
            _ => None,
        })
        .collect())
}

fn request<'a>(
    method: &'a str,
    url: &'a str,
    lines: &'a [(&'a str, &'a str)],
    body: &'a [u8],
) -> Request<'a> {
    Request::new(method, url)
        .headers(lines.iter().copied())
        .body(body)
}

/// Stage strings of a signed result (AWS: canonical request, string to sign; RFC 9421: base).
const STAGES: usize = 3;

fn push_params(out: &mut Vec<String>, params: &[Param]) {
    for p in params {
        out.push(p.name().to_owned());
        out.push(p.value().to_owned());
        out.push(if p.sensitive() { "1" } else { "0" }.to_owned());
    }
}

/// A signed request as one flat array (bindings/node/src/profiles.rs `Packed`, the same layout):
/// `[url, canonicalRequest, stringToSign, signatureBase, L, H, Q, …2L header line strings,
/// …3H header params, …3Q query params]`; a param is `name, value, "1"|"0"` (sensitive).
fn signed(
    ins: &SigningInstructions,
    url: &str,
    lines: &[(&str, &str)],
    stages: [&str; STAGES],
) -> Vec<String> {
    let owned: Vec<(String, String)> = lines
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect();
    let lines = ins.apply_to_headers(&owned);
    let (h, q) = (ins.headers(), ins.query_params());
    let mut out = Vec::with_capacity(4 + STAGES + 2 * lines.len() + 3 * (h.len() + q.len()));
    out.push(ins.apply_to_url(url));
    out.extend(stages.iter().map(|s| (*s).to_owned()));
    out.push(lines.len().to_string());
    out.push(h.len().to_string());
    out.push(q.len().to_string());
    for (n, v) in lines {
        out.push(n);
        out.push(v);
    }
    push_params(&mut out, h);
    push_params(&mut out, q);
    out
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

/// One exchange preset: `binance`, `coinbase`, `kraken`, `okx` or `bybit`.
#[wasm_bindgen]
pub struct NativeExchange {
    inner: ExchangeKind,
}

#[wasm_bindgen]
impl NativeExchange {
    /// `new NativeExchange(kind, apiKey, secret, passphrase, recvWindow, simulatedTrading)`;
    /// Coinbase and Kraken secrets are base64; `recvWindow` (Binance, Bybit; ms): absent 5000,
    /// negative none.
    #[wasm_bindgen(constructor)]
    pub fn new(
        kind: &str,
        api_key: &str,
        secret: &str,
        passphrase: Option<String>,
        recv_window: Option<f64>,
        simulated_trading: Option<bool>,
    ) -> Result<NativeExchange, Failure> {
        let recv = match recv_window {
            Some(w) if w < 0.0 => None,
            Some(w) => Some(config(w, "recvWindow")?),
            None => Some(5000),
        };
        let plain = || ApiCredentials::new(api_key, secret).map_err(Failure::from);
        let b64 = || ApiCredentials::from_base64_secret(api_key, secret).map_err(Failure::from);
        let with_pass = |c: ApiCredentials| match &passphrase {
            Some(p) => c.with_passphrase(p.as_str()),
            None => c,
        };
        let inner = match kind {
            "binance" => {
                let mut s = BinanceSettings::default();
                s.recv_window = recv;
                ExchangeKind::Binance(Binance::new(plain()?).with_settings(s))
            }
            "coinbase" => ExchangeKind::Coinbase(Coinbase::new(with_pass(b64()?))?),
            "kraken" => ExchangeKind::Kraken(Kraken::new(b64()?), KrakenNonce::new()),
            "okx" => {
                let mut s = OkxSettings::default();
                s.simulated_trading = simulated_trading.unwrap_or(false);
                ExchangeKind::Okx(Okx::new(with_pass(plain()?))?.with_settings(s))
            }
            "bybit" => {
                let mut s = BybitSettings::default();
                if let Some(w) = recv {
                    s.recv_window = w;
                }
                ExchangeKind::Bybit(Bybit::new(plain()?).with_settings(s))
            }
            _ => {
                return Err(bad(
                    ProfileErrorCode::InvalidSettings,
                    "unknown exchange (binance, coinbase, kraken, okx, bybit)",
                ))
            }
        };
        Ok(NativeExchange { inner })
    }

    /// Signs the request at `timestampMs` (Coinbase uses its whole seconds; Kraken the body's
    /// `nonce=`): the packed result of [`signed`].
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        timestamp_ms: f64,
    ) -> Result<Vec<String>, Failure> {
        let ts = time(timestamp_ms, "timestampMs")?;
        let lines = pairs(&headers)?;
        let r = request(method, url, &lines, body);
        let ins = match &self.inner {
            ExchangeKind::Binance(b) => b.sign(&r, ts),
            ExchangeKind::Coinbase(c) => c.sign(&r, ts / 1000),
            ExchangeKind::Kraken(k, _) => k.sign(&r),
            ExchangeKind::Okx(o) => o.sign(&r, ts),
            ExchangeKind::Bybit(b) => b.sign(&r, ts),
        }?;
        Ok(signed(&ins, url, &lines, ["", "", ""]))
    }

    /// Kraken: the next strictly increasing nonce at `nowMs`.
    #[wasm_bindgen(js_name = nextNonce)]
    pub fn next_nonce(&self, now_ms: f64) -> Result<f64, Failure> {
        match &self.inner {
            // Nonces stay below 2^53 for the next 285 000 years of milliseconds.
            ExchangeKind::Kraken(_, n) => Ok(n.next(time(now_ms, "nowMs")?) as f64),
            _ => Err(bad(
                ProfileErrorCode::InvalidRequest,
                "only Kraken uses a nonce source",
            )),
        }
    }

    /// The API key (not secret).
    #[wasm_bindgen(getter, js_name = apiKey)]
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
#[wasm_bindgen(js_name = krakenBody)]
pub fn kraken_body(nonce: f64, params: Vec<String>) -> Result<String, Failure> {
    let nonce = time(nonce, "nonce")?;
    Ok(Kraken::body_with_nonce(nonce, &pairs(&params)?))
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
#[wasm_bindgen]
pub struct NativeAwsSigV4 {
    inner: AwsSigV4,
}

#[wasm_bindgen]
impl NativeAwsSigV4 {
    /// `new NativeAwsSigV4(accessKeyId, secretAccessKey, region, service, sessionToken, s3,
    /// signSessionToken)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        access_key_id: String,
        secret_access_key: String,
        region: String,
        service: String,
        session_token: Option<String>,
        s3: bool,
        sign_session_token: bool,
    ) -> Result<NativeAwsSigV4, Failure> {
        let mut creds = AwsCredentials::new(access_key_id, secret_access_key)?;
        if let Some(t) = session_token {
            creds = creds.with_session_token(t);
        }
        let inner = AwsSigV4::new(creds, region, service)?
            .with_settings(aws_settings(s3, sign_session_token));
        Ok(NativeAwsSigV4 { inner })
    }

    /// Signs the request at `unixTime` seconds (`presignExpires`: a presigned URL valid that
    /// many seconds): the packed result of [`signed`] with the canonical request and string to
    /// sign as its first two stages.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        unix_time: f64,
        unsigned_payload: bool,
        presign_expires: Option<f64>,
    ) -> Result<Vec<String>, Failure> {
        let t = time(unix_time, "timestamp")?;
        let lines = pairs(&headers)?;
        let r = request(method, url, &lines, body);
        let presigned;
        let signer = match presign_expires {
            Some(e) => {
                let mut s = self.inner.settings().clone();
                s.signature_location = SignatureLocation::QueryParams;
                s.expires_in = config(e, "expiresIn")?;
                presigned = self.inner.clone().with_settings(s);
                &presigned
            }
            None => &self.inner,
        };
        let b = if unsigned_payload {
            SignableBody::Unsigned
        } else {
            SignableBody::Bytes(body)
        };
        let out = signer.sign(&r, b, t)?;
        Ok(signed(
            out.instructions(),
            url,
            &lines,
            [out.canonical_request(), out.string_to_sign(), ""],
        ))
    }

    /// The access key id.
    #[wasm_bindgen(getter, js_name = accessKeyId)]
    pub fn access_key_id(&self) -> String {
        self.inner.access_key_id().to_owned()
    }
}

type AwsLookup = Box<dyn Fn(&str) -> Option<AwsCredentials> + Send + Sync>;

/// Verifies SigV4 requests for one region and service.
#[wasm_bindgen]
pub struct NativeAwsVerifier {
    inner: AwsSigV4Verifier<AwsLookup>,
}

#[wasm_bindgen]
impl NativeAwsVerifier {
    /// `credentials` is flat `[accessKeyId, secret, …]`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        region: String,
        service: String,
        credentials: Vec<String>,
        s3: bool,
        max_clock_skew: Option<f64>,
    ) -> Result<NativeAwsVerifier, Failure> {
        let mut keys = HashMap::new();
        for (id, secret) in pairs(&credentials)? {
            keys.insert(id.to_owned(), AwsCredentials::new(id, secret)?);
        }
        let mut s = aws_settings(s3, true);
        if let Some(m) = max_clock_skew {
            s.max_clock_skew = config(m, "maxClockSkew")?;
        }
        let lookup: AwsLookup = Box::new(move |id: &str| keys.get(id).cloned());
        Ok(NativeAwsVerifier {
            inner: AwsSigV4Verifier::new(region, service, lookup).with_settings(s),
        })
    }

    /// Verifies at `now` (Unix seconds): `[accessKeyId, presigned "1"|"0", signedAt,
    /// …signed header names]`.
    pub fn verify(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Vec<String>, Failure> {
        let now = time(now, "now")?;
        let lines = pairs(&headers)?;
        let v = self
            .inner
            .verify(&request(method, url, &lines, body), now)?;
        let mut out = vec![
            v.access_key_id,
            if v.presigned { "1" } else { "0" }.to_owned(),
            v.signed_at.to_string(),
        ];
        out.extend(v.signed_headers);
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 9421

fn components(ids: &[String]) -> Result<Vec<Component>, Failure> {
    ids.iter()
        .map(|s| Component::parse(s).map_err(Failure::from))
        .collect()
}

/// RFC 9421 settings from the options the JavaScript side passes one by one.
#[allow(clippy::too_many_arguments)]
fn rfc9421_settings(
    label: Option<String>,
    components_list: Option<Vec<String>>,
    expires_in: Option<f64>,
    include_alg: bool,
    tag: Option<String>,
    required: Option<Vec<String>>,
    max_age: Option<f64>,
    max_ahead: Option<f64>,
) -> Result<Rfc9421Settings, Failure> {
    let mut s = Rfc9421Settings::default();
    if let Some(l) = label {
        s.label = l;
    }
    if let Some(c) = components_list {
        s.components = components(&c)?;
    }
    s.expires_in = expires_in.map(|e| config(e, "expiresIn")).transpose()?;
    s.include_alg = include_alg;
    s.tag = tag;
    if let Some(r) = required {
        let r = components(&r)?;
        if r.contains(&Component::Status) {
            s.required_response_components = r;
        } else {
            s.required_request_components = r;
        }
    }
    if let Some(a) = max_age {
        s.max_age = config(a, "maxAge")?;
    }
    if let Some(a) = max_ahead {
        s.max_ahead = config(a, "maxAhead")?;
    }
    Ok(s)
}

/// An RFC 9421 `hmac-sha256` signer.
#[wasm_bindgen]
pub struct NativeRfc9421 {
    inner: Rfc9421,
}

#[wasm_bindgen]
impl NativeRfc9421 {
    /// `new NativeRfc9421(keyId, secret, label, components, expiresIn, includeAlg, tag)`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        key_id: String,
        secret: Vec<u8>,
        label: Option<String>,
        components_list: Option<Vec<String>>,
        expires_in: Option<f64>,
        include_alg: bool,
        tag: Option<String>,
    ) -> Result<NativeRfc9421, Failure> {
        let key = Rfc9421Key::new(key_id, secret)?;
        let settings = rfc9421_settings(
            label,
            components_list,
            expires_in,
            include_alg,
            tag,
            None,
            None,
            None,
        )?;
        Ok(NativeRfc9421 {
            inner: Rfc9421::new(key).with_settings(settings),
        })
    }

    /// Signs the request created at `created` (Unix seconds): the packed result of [`signed`]
    /// with the signature base as its third stage.
    #[wasm_bindgen(js_name = signRequest)]
    pub fn sign_request(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        created: f64,
        nonce: Option<String>,
    ) -> Result<Vec<String>, Failure> {
        let lines = pairs(&headers)?;
        let r = request(method, url, &lines, body);
        let mut inputs = SignatureInputs::at(time(created, "created")?);
        if let Some(n) = nonce.as_deref() {
            inputs = inputs.nonce(n);
        }
        let out = self.inner.sign_request(&r, inputs)?;
        Ok(signed(
            out.instructions(),
            url,
            &lines,
            ["", "", out.signature_base()],
        ))
    }
}

type KeyLookup = Box<dyn Fn(&str) -> Option<Rfc9421Key> + Send + Sync>;

/// Verifies RFC 9421 signatures with keys looked up by `keyid`.
#[wasm_bindgen]
pub struct NativeRfc9421Verifier {
    inner: Rfc9421Verifier<KeyLookup>,
}

fn verified(v: Rfc9421Verified) -> Vec<String> {
    let mut out = vec![
        v.label,
        v.key_id,
        v.created.to_string(),
        v.expires.map(|e| e.to_string()).unwrap_or_default(),
        v.nonce.unwrap_or_default(),
        v.tag.unwrap_or_default(),
    ];
    out.extend(v.components.iter().map(Component::to_string));
    out
}

#[wasm_bindgen]
impl NativeRfc9421Verifier {
    /// `keyIds[i]` has secret `secrets` bytes `offsets[i]..offsets[i + 1]` (concatenated).
    #[allow(clippy::too_many_arguments)]
    #[wasm_bindgen(constructor)]
    pub fn new(
        key_ids: Vec<String>,
        secrets: &[u8],
        offsets: &[u32],
        label: Option<String>,
        required: Option<Vec<String>>,
        max_age: Option<f64>,
        max_ahead: Option<f64>,
    ) -> Result<NativeRfc9421Verifier, Failure> {
        let mut map = HashMap::new();
        for (i, id) in key_ids.into_iter().enumerate() {
            let secret = slice(secrets, offsets, i)?;
            map.insert(id.clone(), Rfc9421Key::new(id, secret.to_vec())?);
        }
        let settings = rfc9421_settings(
            label.clone(),
            None,
            None,
            false,
            None,
            required,
            max_age,
            max_ahead,
        )?;
        let lookup: KeyLookup = Box::new(move |id: &str| map.get(id).cloned());
        let mut inner = Rfc9421Verifier::new(lookup).with_settings(settings);
        if let Some(l) = label {
            inner = inner.label(l);
        }
        Ok(NativeRfc9421Verifier { inner })
    }

    /// Verifies a request at `now` (Unix seconds): `[label, keyId, created, expires, nonce,
    /// tag, …components]` (absent values empty).
    #[wasm_bindgen(js_name = verifyRequest)]
    pub fn verify_request(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Vec<String>, Failure> {
        let lines = pairs(&headers)?;
        let v = self
            .inner
            .verify_request(&request(method, url, &lines, body), time(now, "now")?)?;
        Ok(verified(v))
    }
}

/// Piece `i` of concatenated byte strings (`offsets` has one more entry than there are pieces).
fn slice<'a>(bytes: &'a [u8], offsets: &[u32], i: usize) -> Result<&'a [u8], Failure> {
    let (Some(&a), Some(&b)) = (offsets.get(i), offsets.get(i + 1)) else {
        return Err(bad(
            ProfileErrorCode::InvalidCredentials,
            "one secret per key id",
        ));
    };
    bytes.get(a as usize..b as usize).ok_or_else(|| {
        bad(
            ProfileErrorCode::InvalidCredentials,
            "secrets are not packed as the wrapper packs them",
        )
    })
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// Secrets (concatenated, split at `offsets`) as webhook secrets; `text[i]` says secret `i` was
/// given as a string (Standard Webhooks reads a string as `whsec_<base64>`).
fn webhook_secrets(
    provider: &str,
    secrets: &[u8],
    offsets: &[u32],
    text: &[u8],
) -> Result<Vec<WebhookSecret>, Failure> {
    (0..offsets.len().saturating_sub(1))
        .map(|i| {
            let s = slice(secrets, offsets, i)?;
            if provider == "standard" && text.get(i).copied().unwrap_or(0) != 0 {
                let t = std::str::from_utf8(s).map_err(|_| {
                    bad(
                        ProfileErrorCode::InvalidCredentials,
                        "the secret is not UTF-8",
                    )
                })?;
                return WebhookSecret::from_standard(t).map_err(Failure::from);
            }
            WebhookSecret::new(s.to_vec()).map_err(Failure::from)
        })
        .collect()
}

fn unknown_provider() -> ProfileError {
    ProfileError::new(
        ProfileErrorCode::InvalidSettings,
        "unknown webhook provider (stripe, github, slack, standard, sigwire)",
    )
}

/// Verifies a webhook over the raw body: `[timestamp, id, secretIndex]` (absent values empty).
#[allow(clippy::too_many_arguments)]
#[wasm_bindgen(js_name = verifyWebhookNative)]
pub fn verify_webhook_native(
    provider: &str,
    secrets: &[u8],
    offsets: &[u32],
    secret_is_text: &[u8],
    headers: Vec<String>,
    body: &[u8],
    now: f64,
    tolerance: f64,
) -> Result<Vec<String>, Failure> {
    let secrets = webhook_secrets(provider, secrets, offsets, secret_is_text)?;
    let now = time(now, "now")?;
    let mut settings = WebhookSettings::default();
    settings.tolerance = config(tolerance, "tolerance")?;
    let h = pairs(&headers)?;
    let v = match provider {
        "stripe" => stripe::verify(&h, body, &secrets, now, settings),
        "github" => github::verify(&h, body, &secrets),
        "slack" => slack::verify(&h, body, &secrets, now, settings),
        "standard" => standard::verify(&h, body, &secrets, now, settings),
        "sigwire" => sigwire_webhook::verify(&h, body, &secrets, now, settings),
        _ => Err(unknown_provider()),
    }?;
    Ok(vec![
        v.timestamp.map(|t| t.to_string()).unwrap_or_default(),
        v.id.unwrap_or_default(),
        v.secret_index.to_string(),
    ])
}

/// Signs a webhook as a provider would: flat `[name, value, …]` headers.
#[wasm_bindgen(js_name = signWebhookNative)]
pub fn sign_webhook_native(
    provider: &str,
    secrets: &[u8],
    offsets: &[u32],
    secret_is_text: &[u8],
    body: &[u8],
    timestamp: f64,
    id: Option<String>,
) -> Result<Vec<String>, Failure> {
    let secrets = webhook_secrets(provider, secrets, offsets, secret_is_text)?;
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
    let ins = match provider {
        "stripe" => stripe::sign(&secrets, ts, body),
        "github" => one().map(|s| github::sign(s, body)),
        "slack" => one().map(|s| slack::sign(s, ts, body)),
        "standard" => need_id().and_then(|id| standard::sign(&secrets, id, ts, body)),
        "sigwire" => need_id().and_then(|id| sigwire_webhook::sign(&secrets, id, ts, body)),
        _ => Err(unknown_provider()),
    }?;
    Ok(ins
        .apply_to_headers(&[])
        .into_iter()
        .flat_map(|(n, v)| [n, v])
        .collect())
}

/// Every profile machine code, flat `[code, status, …]`.
#[wasm_bindgen(js_name = profileErrorCodes)]
pub fn profile_error_codes() -> Vec<String> {
    ProfileErrorCode::ALL
        .iter()
        .flat_map(|c| [c.as_str().to_owned(), c.http_status().to_string()])
        .collect()
}
