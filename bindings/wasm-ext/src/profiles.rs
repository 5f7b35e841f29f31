//! The signing profiles of `sigwire_core::profiles` (exchange presets, AWS SigV4, RFC 9421
//! requests and responses, webhooks) for the browser: the WebAssembly profile back end of
//! `sdk-node/lib/common/profiles.js` (the one JavaScript source of both packages), installed by
//! `sdk-wasm/src/profiles.js`.
//!
//! Host-value mapping only: every argument is checked and converted by `sigwire-profile-args`
//! (the same crate under the Node and Python bindings). Requests cross as `method, url, [name,
//! value, …], body`; signed results as the flat list of `sigwire_profile_args::packed`; verified
//! records as flat string lists. A [`ProfileError`] becomes a [`Failure`] with its stable code;
//! messages come from the core and never contain a secret.

use sigwire_core::profiles::aws_sigv4::{AwsSigV4, AwsSigV4Verifier};
use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Verified, Rfc9421Verifier};
use sigwire_core::profiles::webhooks::WebhookSecret;
use sigwire_core::profiles::{ProfileError, ProfileErrorCode};
use sigwire_core::Request;
use sigwire_profile_args as args;
use wasm_bindgen::prelude::*;

use crate::Failure;

fn time(value: f64, what: &str) -> Result<u64, Failure> {
    Ok(args::js_whole(
        value,
        what,
        ProfileErrorCode::InvalidRequest,
    )?)
}

fn setting(value: Option<f64>, what: &str) -> Result<Option<u64>, Failure> {
    Ok(value
        .map(|v| args::js_whole(v, what, ProfileErrorCode::InvalidSettings))
        .transpose()?)
}

fn request<'a>(
    method: &'a str,
    url: &'a str,
    lines: &[(&'a str, &'a str)],
    body: &'a [u8],
) -> Request<'a> {
    Request::new(method, url)
        .headers(lines.iter().copied())
        .body(body)
}

// ---------------------------------------------------------------------------------------------
// Exchanges

/// One exchange preset: `binance`, `coinbase`, `kraken`, `okx` or `bybit`.
#[wasm_bindgen]
pub struct NativeExchange {
    inner: args::Exchange,
}

#[wasm_bindgen]
impl NativeExchange {
    /// `new NativeExchange(kind, apiKey, secret, passphrase, recvWindow, simulatedTrading)`;
    /// Coinbase and Kraken secrets are base64; `recvWindow` (Binance, Bybit; ms): absent 5000,
    /// negative none (Binance).
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
            None => args::RecvWindow::Default,
            Some(w) if w < 0.0 => args::RecvWindow::Omit,
            Some(w) => args::RecvWindow::Millis(args::js_whole(
                w,
                "recvWindow",
                ProfileErrorCode::InvalidSettings,
            )?),
        };
        let options =
            args::ExchangeOptions::new(passphrase, recv, simulated_trading.unwrap_or(false));
        Ok(NativeExchange {
            inner: args::Exchange::new(kind, api_key, secret, &options)?,
        })
    }

    /// Signs the request at `timestampMs` (Coinbase uses its whole seconds; Kraken the body's
    /// `nonce=`): the packed result of `args::packed`.
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        timestamp_ms: f64,
    ) -> Result<Vec<String>, Failure> {
        let ts = time(timestamp_ms, "timestampMs")?;
        let lines = args::pairs(&headers)?;
        let ins = self.inner.sign(&request(method, url, &lines, body), ts)?;
        Ok(args::packed(&ins, url, &lines, ["", "", ""]))
    }

    /// Kraken: the next strictly increasing nonce at `nowMs`.
    #[wasm_bindgen(js_name = nextNonce)]
    pub fn next_nonce(&self, now_ms: f64) -> Result<f64, Failure> {
        // Nonces stay below 2^53 for the next 285 000 years of milliseconds.
        Ok(self.inner.next_nonce(time(now_ms, "nowMs")?)? as f64)
    }

    /// The API key (not secret).
    #[wasm_bindgen(getter, js_name = apiKey)]
    pub fn api_key(&self) -> String {
        self.inner.api_key().to_owned()
    }
}

/// Kraken: the form body `nonce=<nonce>&k=v…` (flat `[k, v, …]`) to send and sign.
#[wasm_bindgen(js_name = krakenBody)]
pub fn kraken_body(nonce: f64, params: Vec<String>) -> Result<String, Failure> {
    Ok(args::kraken_body(
        time(nonce, "nonce")?,
        &args::pairs(&params)?,
    ))
}

// ---------------------------------------------------------------------------------------------
// AWS SigV4

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
        let o = args::AwsOptions::new(s3, sign_session_token, None);
        let inner = args::aws_signer(
            access_key_id,
            secret_access_key,
            session_token,
            region,
            service,
            &o,
        )?;
        Ok(NativeAwsSigV4 { inner })
    }

    /// Signs the request at `unixTime` seconds (`presignExpires`: a presigned URL valid that
    /// many seconds): the packed result with the canonical request and string to sign as its
    /// first two stages.
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
        let how = args::AwsSign::new(unsigned_payload, setting(presign_expires, "expiresIn")?);
        let lines = args::pairs(&headers)?;
        let out = how.sign(&self.inner, &request(method, url, &lines, body), t)?;
        Ok(args::packed(
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

/// Verifies SigV4 requests for one region and service.
#[wasm_bindgen]
pub struct NativeAwsVerifier {
    inner: AwsSigV4Verifier<args::AwsLookup>,
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
        let o = args::AwsOptions::new(s3, true, setting(max_clock_skew, "maxClockSkew")?);
        let inner = args::aws_verifier(region, service, args::pairs(&credentials)?, &o)?;
        Ok(NativeAwsVerifier { inner })
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
        let lines = args::pairs(&headers)?;
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
        components: Option<Vec<String>>,
        expires_in: Option<f64>,
        include_alg: bool,
        tag: Option<String>,
    ) -> Result<NativeRfc9421, Failure> {
        let expires_in = setting(expires_in, "expiresIn")?;
        let o = args::Rfc9421Options::signer(label, components, expires_in, include_alg, tag);
        Ok(NativeRfc9421 {
            inner: args::rfc9421_signer(key_id, secret, &o)?,
        })
    }

    /// Signs the request created at `created` (Unix seconds): the packed result with the
    /// signature base as its third stage.
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
        let lines = args::pairs(&headers)?;
        let inputs = args::signature_inputs(time(created, "created")?, nonce.as_deref());
        let out = self
            .inner
            .sign_request(&request(method, url, &lines, body), inputs)?;
        Ok(args::packed(
            out.instructions(),
            url,
            &lines,
            ["", "", out.signature_base()],
        ))
    }

    /// Signs a response created at `created`: the packed result (empty URL) with the signature
    /// base as its third stage.
    #[wasm_bindgen(js_name = signResponse)]
    pub fn sign_response(
        &self,
        status: f64,
        headers: Vec<String>,
        body: &[u8],
        created: f64,
        nonce: Option<String>,
    ) -> Result<Vec<String>, Failure> {
        let lines = args::pairs(&headers)?;
        let response = args::response(time(status, "status")?, lines.iter().copied(), body)?;
        let inputs = args::signature_inputs(time(created, "created")?, nonce.as_deref());
        let out = self.inner.sign_response(&response, inputs)?;
        Ok(args::packed(
            out.instructions(),
            "",
            &lines,
            ["", "", out.signature_base()],
        ))
    }
}

/// Verifies RFC 9421 signatures with keys looked up by `keyid`.
#[wasm_bindgen]
pub struct NativeRfc9421Verifier {
    inner: Rfc9421Verifier<args::KeyLookup>,
}

/// `[label, keyId, created, expires, nonce, tag, …components]` (absent values empty).
fn verified(v: Rfc9421Verified) -> Vec<String> {
    let mut out = vec![
        v.label,
        v.key_id,
        v.created.to_string(),
        v.expires.map(|e| e.to_string()).unwrap_or_default(),
        v.nonce.unwrap_or_default(),
        v.tag.unwrap_or_default(),
    ];
    out.extend(v.components.iter().map(ToString::to_string));
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
        if offsets.len() != key_ids.len() + 1 {
            return Err(bad("one secret per key id"));
        }
        let keys = key_ids
            .into_iter()
            .enumerate()
            .map(|(i, id)| slice(secrets, offsets, i).map(|s| (id, s.to_vec())))
            .collect::<Result<Vec<_>, Failure>>()?;
        let o = args::Rfc9421Options::verifier(
            label,
            required,
            setting(max_age, "maxAge")?,
            setting(max_ahead, "maxAhead")?,
        );
        Ok(NativeRfc9421Verifier {
            inner: args::rfc9421_verifier(keys, &o)?,
        })
    }

    /// Verifies a request at `now` (Unix seconds): see [`verified`].
    #[wasm_bindgen(js_name = verifyRequest)]
    pub fn verify_request(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Vec<String>, Failure> {
        let lines = args::pairs(&headers)?;
        let v = self
            .inner
            .verify_request(&request(method, url, &lines, body), time(now, "now")?)?;
        Ok(verified(v))
    }

    /// Verifies a response at `now` (Unix seconds): see [`verified`].
    #[wasm_bindgen(js_name = verifyResponse)]
    pub fn verify_response(
        &self,
        status: f64,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Vec<String>, Failure> {
        let lines = args::pairs(&headers)?;
        let r = args::response(time(status, "status")?, lines, body)?;
        Ok(verified(self.inner.verify_response(&r, time(now, "now")?)?))
    }
}

fn bad(message: &str) -> Failure {
    ProfileError::new(ProfileErrorCode::InvalidCredentials, message).into()
}

/// Piece `i` of concatenated byte strings (`offsets` has one more entry than there are pieces).
fn slice<'a>(bytes: &'a [u8], offsets: &[u32], i: usize) -> Result<&'a [u8], Failure> {
    let (Some(&a), Some(&b)) = (offsets.get(i), offsets.get(i + 1)) else {
        return Err(bad("one secret per key id"));
    };
    bytes
        .get(a as usize..b as usize)
        .ok_or_else(|| bad("secrets are not packed as the wrapper packs them"))
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// Secrets (concatenated, split at `offsets`) as `provider` reads them; `text[i]` says secret
/// `i` was given as a string.
fn webhook_secrets(
    provider: &str,
    secrets: &[u8],
    offsets: &[u32],
    text: &[u8],
) -> Result<Vec<WebhookSecret>, Failure> {
    (0..offsets.len().saturating_sub(1))
        .map(|i| {
            let was_text = text.get(i).is_some_and(|&t| t != 0);
            let arg = args::SecretArg::flagged(slice(secrets, offsets, i)?, was_text)?;
            Ok(args::webhook_secret(provider, arg)?)
        })
        .collect()
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
    let tolerance = setting(Some(tolerance), "tolerance")?.unwrap_or_default();
    let lines = args::pairs(&headers)?;
    let v = args::verify_webhook(provider, &lines, body, &secrets, now, tolerance)?;
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
    let ins = args::sign_webhook(provider, &secrets, body, ts, id.as_deref())?;
    Ok(ins
        .apply_to_headers(&[])
        .into_iter()
        .flat_map(|(n, v)| [n, v])
        .collect())
}

/// Every profile machine code, flat `[code, status, …]`.
#[wasm_bindgen(js_name = profileErrorCodes)]
pub fn profile_error_codes() -> Vec<String> {
    args::error_codes()
}
