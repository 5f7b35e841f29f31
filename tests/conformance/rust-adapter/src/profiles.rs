//! The profile operations of the protocol (`profile_sign`, `profile_verify`,
//! `profile_sign_response`, `profile_verify_response`, `webhook_sign`, `webhook_verify`; see
//! `tests/conformance/README.md`, "Profile operations") over `sigwire_core::profiles`. Argument
//! conversion only, with the same defaults the bindings use.

use base64::Engine as _;
use serde_json::{Map, Value};
use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, AwsSigV4Verifier, SignatureLocation,
};
use sigwire_core::profiles::exchanges::{
    binance::Binance, bybit::Bybit, coinbase::Coinbase, kraken::Kraken, okx::Okx, ApiCredentials,
};
use sigwire_core::profiles::rfc9421::{
    Component, Response, Rfc9421, Rfc9421Key, Rfc9421Settings, Rfc9421Verifier, SignatureInputs,
};
use sigwire_core::profiles::webhooks::{
    github, sigwire as sigwire_webhook, slack, standard, stripe, WebhookSecret, WebhookSettings,
};
use sigwire_core::profiles::{ProfileError, ProfileErrorCode, SignableBody, SigningInstructions};
use sigwire_core::Request;

/// A profile operation's outcome: the success fields, or a failure.
pub type Outcome = Result<Map<String, Value>, Failure>;

/// Why a profile operation has no success answer.
pub enum Failure {
    /// A core profile error (its machine code is the answer).
    Profile(ProfileError),
    /// Input this adapter cannot read (reported as `adapter_error: …`).
    Protocol(String),
}

impl From<ProfileError> for Failure {
    fn from(e: ProfileError) -> Self {
        Failure::Profile(e)
    }
}

fn protocol(msg: impl Into<String>) -> Failure {
    Failure::Protocol(msg.into())
}

fn coded(code: ProfileErrorCode, msg: &str) -> Failure {
    Failure::Profile(ProfileError::new(code, msg))
}

fn field<'a>(v: &'a Value, name: &str) -> Result<&'a Value, Failure> {
    v.get(name)
        .ok_or_else(|| protocol(format!("missing field {name}")))
}

fn string<'a>(v: &'a Value, name: &str) -> Result<&'a str, Failure> {
    field(v, name)?
        .as_str()
        .ok_or_else(|| protocol(format!("{name} must be a string")))
}

fn opt_string<'a>(v: &'a Value, name: &str) -> Result<Option<&'a str>, Failure> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(protocol(format!("{name} must be a string or null"))),
    }
}

fn unsigned(v: &Value, name: &str, code: ProfileErrorCode) -> Result<u64, Failure> {
    match field(v, name)? {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| coded(code, "not a non-negative integer")),
        _ => Err(protocol(format!("{name} must be a number"))),
    }
}

fn opt_unsigned(v: &Value, name: &str, code: ProfileErrorCode) -> Result<Option<u64>, Failure> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(_) => unsigned(v, name, code).map(Some),
    }
}

fn flag(v: &Value, name: &str) -> bool {
    v.get(name).and_then(Value::as_bool).unwrap_or(false)
}

fn strings<'a>(v: &'a Value, name: &str) -> Result<Option<Vec<&'a str>>, Failure> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|s| {
                s.as_str()
                    .ok_or_else(|| protocol(format!("{name} must hold strings")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(protocol(format!("{name} must be a list"))),
    }
}

fn hex(text: &str) -> Result<Vec<u8>, Failure> {
    super::hex_decode(text).ok_or_else(|| {
        coded(
            ProfileErrorCode::InvalidCredentials,
            "secret_hex is not hex",
        )
    })
}

fn header_lines(op: &Value) -> Result<Vec<(String, String)>, Failure> {
    let list = field(op, "headers")?
        .as_array()
        .ok_or_else(|| protocol("headers must be a list"))?;
    list.iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(n), Value::String(v)]) => Ok((n.clone(), v.clone())),
            _ => Err(protocol(
                "each header must be a [name, value] pair of strings",
            )),
        })
        .collect()
}

fn body(op: &Value) -> Result<Vec<u8>, Failure> {
    base64::engine::general_purpose::STANDARD
        .decode(string(op, "body_b64")?)
        .map_err(|_| protocol("body_b64 is not base64"))
}

fn lines_json(lines: Vec<(String, String)>) -> Value {
    Value::Array(
        lines
            .into_iter()
            .map(|(n, v)| Value::Array(vec![n.into(), v.into()]))
            .collect(),
    )
}

fn signed(url: String, lines: Vec<(String, String)>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("url".into(), url.into());
    out.insert("headers".into(), lines_json(lines));
    out
}

/// `profile_sign`: the URL and header lines to send.
pub fn profile_sign(op: &Value) -> Outcome {
    let profile = string(op, "profile")?;
    let creds = field(op, "credentials")?;
    let settings = op.get("settings").cloned().unwrap_or(Value::Null);
    let lines = header_lines(op)?;
    let body = body(op)?;
    let url = string(op, "url")?;
    let time = unsigned(op, "time", ProfileErrorCode::InvalidRequest)?;
    let request = Request::new(string(op, "method")?, url)
        .headers(lines.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(&body);
    let apply =
        |ins: &SigningInstructions| signed(ins.apply_to_url(url), ins.apply_to_headers(&lines));
    let plain = || -> Result<ApiCredentials, Failure> {
        Ok(ApiCredentials::new(
            string(creds, "api_key")?,
            string(creds, "secret")?,
        )?)
    };
    let with_pass = |c: ApiCredentials| -> Result<ApiCredentials, Failure> {
        Ok(match opt_string(creds, "passphrase")? {
            Some(p) => c.with_passphrase(p),
            None => c,
        })
    };
    let b64 = || -> Result<ApiCredentials, Failure> {
        Ok(ApiCredentials::from_base64_secret(
            string(creds, "api_key")?,
            string(creds, "secret")?,
        )?)
    };
    match profile {
        "aws-sigv4" => {
            let mut c = AwsCredentials::new(
                string(creds, "access_key_id")?,
                string(creds, "secret_access_key")?,
            )?;
            if let Some(t) = opt_string(creds, "session_token")? {
                c = c.with_session_token(t);
            }
            let mut s = if flag(&settings, "s3") {
                AwsSigV4Settings::s3()
            } else {
                AwsSigV4Settings::default()
            };
            let presign = opt_unsigned(
                &settings,
                "presign_expires",
                ProfileErrorCode::InvalidSettings,
            )?;
            if let Some(expires) = presign {
                s.signature_location = SignatureLocation::QueryParams;
                s.expires_in = expires;
            }
            let signer = AwsSigV4::new(
                c,
                string(&settings, "region")?,
                string(&settings, "service")?,
            )?
            .with_settings(s);
            let payload = if presign.is_some() || flag(&settings, "unsigned_payload") {
                SignableBody::Unsigned
            } else {
                SignableBody::Bytes(&body)
            };
            if presign.is_some() {
                // A presigned URL carries no body: sign the request without one.
                let bare = Request::new(string(op, "method")?, url)
                    .headers(lines.iter().map(|(n, v)| (n.as_str(), v.as_str())));
                let out = signer.sign(&bare, payload, time)?;
                return Ok(signed(out.instructions().apply_to_url(url), lines.clone()));
            }
            let out = signer.sign(&request, payload, time)?;
            Ok(apply(out.instructions()))
        }
        "rfc9421" => {
            let out = rfc9421_signer(op)?.sign_request(&request, rfc9421_inputs(op, time)?)?;
            Ok(apply(out.instructions()))
        }
        "binance" => Ok(apply(&Binance::new(plain()?).sign(&request, time)?)),
        "coinbase" => Ok(apply(
            &Coinbase::new(with_pass(b64()?)?)?.sign(&request, time / 1000)?,
        )),
        "kraken" => Ok(apply(&Kraken::new(b64()?).sign(&request)?)),
        "okx" => Ok(apply(
            &Okx::new(with_pass(plain()?)?)?.sign(&request, time)?,
        )),
        "bybit" => Ok(apply(&Bybit::new(plain()?).sign(&request, time)?)),
        other => Err(coded(
            ProfileErrorCode::InvalidSettings,
            &format!("unknown profile {other:?}"),
        )),
    }
}

/// `profile_verify`: the key id that signed, or the error.
pub fn profile_verify(op: &Value) -> Outcome {
    let profile = string(op, "profile")?;
    let settings = op.get("settings").cloned().unwrap_or(Value::Null);
    let lines = header_lines(op)?;
    let body = body(op)?;
    let now = unsigned(op, "now", ProfileErrorCode::InvalidRequest)?;
    let request = Request::new(string(op, "method")?, string(op, "url")?)
        .headers(lines.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(&body);
    let keys = field(op, "keys")?
        .as_array()
        .ok_or_else(|| protocol("keys must be a list"))?;
    let key_id = match profile {
        "aws-sigv4" => {
            let mut creds = Vec::new();
            for k in keys {
                creds.push(AwsCredentials::new(
                    string(k, "key_id")?,
                    string(k, "secret")?,
                )?);
            }
            let mut s = if flag(&settings, "s3") {
                AwsSigV4Settings::s3()
            } else {
                AwsSigV4Settings::default()
            };
            if let Some(skew) = opt_unsigned(
                &settings,
                "max_clock_skew",
                ProfileErrorCode::InvalidSettings,
            )? {
                s.max_clock_skew = skew;
            }
            let lookup = move |id: &str| creds.iter().find(|c| c.access_key_id() == id).cloned();
            AwsSigV4Verifier::new(
                string(&settings, "region")?,
                string(&settings, "service")?,
                lookup,
            )
            .with_settings(s)
            .verify(&request, now)?
            .access_key_id
        }
        "rfc9421" => rfc9421_verifier(op)?.verify_request(&request, now)?.key_id,
        other => {
            return Err(coded(
                ProfileErrorCode::InvalidSettings,
                &format!("no verifier for profile {other:?}"),
            ))
        }
    };
    let mut out = Map::new();
    out.insert("ok".into(), true.into());
    out.insert("key_id".into(), key_id.into());
    Ok(out)
}

/// The RFC 9421 signer of a `profile_sign` / `profile_sign_response` operation.
fn rfc9421_signer(op: &Value) -> Result<Rfc9421, Failure> {
    let creds = field(op, "credentials")?;
    let settings = op.get("settings").cloned().unwrap_or(Value::Null);
    let key = Rfc9421Key::new(string(creds, "key_id")?, hex(string(creds, "secret_hex")?)?)?;
    let mut s = Rfc9421Settings::default();
    if let Some(l) = opt_string(&settings, "label")? {
        s.label = l.to_owned();
    }
    if let Some(c) = strings(&settings, "components")? {
        s.components = c
            .into_iter()
            .map(Component::parse)
            .collect::<Result<_, _>>()?;
    }
    Ok(Rfc9421::new(key).with_settings(s))
}

/// `created` = the operation's `time`, and its `nonce`.
fn rfc9421_inputs(op: &Value, time: u64) -> Result<SignatureInputs<'_>, Failure> {
    let inputs = SignatureInputs::at(time);
    Ok(match opt_string(op, "nonce")? {
        Some(n) => inputs.nonce(n),
        None => inputs,
    })
}

type KeyLookup = Box<dyn Fn(&str) -> Option<Rfc9421Key>>;

/// The RFC 9421 verifier of a `profile_verify` / `profile_verify_response` operation. One
/// `required_components` setting serves both kinds of message, as in the bindings: a list with
/// `@status` is what a response must cover, any other list what a request must cover.
fn rfc9421_verifier(op: &Value) -> Result<Rfc9421Verifier<KeyLookup>, Failure> {
    let settings = op.get("settings").cloned().unwrap_or(Value::Null);
    let keys = field(op, "keys")?
        .as_array()
        .ok_or_else(|| protocol("keys must be a list"))?;
    let mut ks = Vec::new();
    for k in keys {
        ks.push(Rfc9421Key::new(
            string(k, "key_id")?,
            hex(string(k, "secret")?)?,
        )?);
    }
    let mut s = Rfc9421Settings::default();
    if let Some(r) = strings(&settings, "required_components")? {
        let required: Vec<Component> = r
            .into_iter()
            .map(Component::parse)
            .collect::<Result<_, _>>()?;
        if required.contains(&Component::Status) {
            s.required_response_components = required;
        } else {
            s.required_request_components = required;
        }
    }
    if let Some(a) = opt_unsigned(&settings, "max_age", ProfileErrorCode::InvalidSettings)? {
        s.max_age = a;
    }
    if let Some(a) = opt_unsigned(&settings, "max_ahead", ProfileErrorCode::InvalidSettings)? {
        s.max_ahead = a;
    }
    let lookup: KeyLookup = Box::new(move |id: &str| ks.iter().find(|k| k.key_id() == id).cloned());
    let mut verifier = Rfc9421Verifier::new(lookup).with_settings(s);
    if let Some(l) = opt_string(&settings, "label")? {
        verifier = verifier.label(l);
    }
    Ok(verifier)
}

/// The response of a response operation: `status` (outside 0–65535 is `invalid_request`; the
/// core refuses anything outside 100–999 the same way), header lines and body.
fn response_status(op: &Value) -> Result<u16, Failure> {
    let status = unsigned(op, "status", ProfileErrorCode::InvalidRequest)?;
    u16::try_from(status).map_err(|_| {
        coded(
            ProfileErrorCode::InvalidRequest,
            "status must be 100 to 999",
        )
    })
}

fn only_rfc9421(op: &Value) -> Result<(), Failure> {
    match string(op, "profile")? {
        "rfc9421" => Ok(()),
        other => Err(coded(
            ProfileErrorCode::InvalidSettings,
            &format!("no response signing for profile {other:?}"),
        )),
    }
}

/// A response operation's `status`, header lines and body (after its profile is checked).
type ResponseParts = (u16, Vec<(String, String)>, Vec<u8>);

fn response_parts(op: &Value) -> Result<ResponseParts, Failure> {
    only_rfc9421(op)?;
    let lines = header_lines(op)?;
    let body = body(op)?;
    Ok((response_status(op)?, lines, body))
}

fn response((status, lines, body): &ResponseParts) -> Response<'_> {
    Response::new(*status)
        .headers(lines.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .body(body)
}

/// `profile_sign_response`: the header lines to send with the response.
pub fn profile_sign_response(op: &Value) -> Outcome {
    let parts = response_parts(op)?;
    let time = unsigned(op, "time", ProfileErrorCode::InvalidRequest)?;
    let signer = rfc9421_signer(op)?;
    let out = signer.sign_response(&response(&parts), rfc9421_inputs(op, time)?)?;
    let lines = parts.1;
    let mut answer = Map::new();
    answer.insert(
        "headers".into(),
        lines_json(out.instructions().apply_to_headers(&lines)),
    );
    Ok(answer)
}

/// `profile_verify_response`: the key id that signed the response, or the error.
pub fn profile_verify_response(op: &Value) -> Outcome {
    let parts = response_parts(op)?;
    let now = unsigned(op, "now", ProfileErrorCode::InvalidRequest)?;
    let verifier = rfc9421_verifier(op)?;
    let key_id = verifier.verify_response(&response(&parts), now)?.key_id;
    let mut out = Map::new();
    out.insert("ok".into(), true.into());
    out.insert("key_id".into(), key_id.into());
    Ok(out)
}

/// Secrets as given: Standard Webhooks reads `whsec_<base64>`, the others use the UTF-8 bytes.
fn webhook_secrets(provider: &str, op: &Value) -> Result<Vec<WebhookSecret>, Failure> {
    let list = strings(op, "secrets")?.ok_or_else(|| protocol("secrets must be a list"))?;
    list.into_iter()
        .map(|s| {
            if provider == "standard" {
                WebhookSecret::from_standard(s)
            } else {
                WebhookSecret::new(s.as_bytes().to_vec())
            }
            .map_err(Failure::from)
        })
        .collect()
}

fn unknown_provider(p: &str) -> Failure {
    coded(
        ProfileErrorCode::InvalidSettings,
        &format!("unknown webhook provider {p:?}"),
    )
}

/// `webhook_sign`: the header lines the provider would send.
pub fn webhook_sign(op: &Value) -> Outcome {
    let provider = string(op, "provider")?;
    let s = webhook_secrets(provider, op)?;
    let body = body(op)?;
    let timestamp = unsigned(op, "timestamp", ProfileErrorCode::InvalidRequest)?;
    let msg_id = opt_string(op, "msg_id")?;
    let need_id = || {
        msg_id.ok_or_else(|| {
            coded(
                ProfileErrorCode::InvalidRequest,
                "this provider needs a message id",
            )
        })
    };
    let one = || match s.as_slice() {
        [one] => Ok(one),
        _ => Err(coded(
            ProfileErrorCode::InvalidCredentials,
            "this provider signs with exactly one secret",
        )),
    };
    let ins = match provider {
        "stripe" => stripe::sign(&s, timestamp, &body)?,
        "github" => github::sign(one()?, &body),
        "slack" => slack::sign(one()?, timestamp, &body),
        "standard" => standard::sign(&s, need_id()?, timestamp, &body)?,
        "sigwire" => sigwire_webhook::sign(&s, need_id()?, timestamp, &body)?,
        other => return Err(unknown_provider(other)),
    };
    let mut out = Map::new();
    out.insert("headers".into(), lines_json(ins.apply_to_headers(&[])));
    Ok(out)
}

/// `webhook_verify`: what the delivery proved, or the error.
pub fn webhook_verify(op: &Value) -> Outcome {
    let provider = string(op, "provider")?;
    let s = webhook_secrets(provider, op)?;
    let lines = header_lines(op)?;
    let h: Vec<(&str, &str)> = lines
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let body = body(op)?;
    let now = unsigned(op, "now", ProfileErrorCode::InvalidRequest)?;
    let mut settings = WebhookSettings::default();
    settings.tolerance = unsigned(op, "tolerance", ProfileErrorCode::InvalidSettings)?;
    let v = match provider {
        "stripe" => stripe::verify(&h, &body, &s, now, settings)?,
        "github" => github::verify(&h, &body, &s)?,
        "slack" => slack::verify(&h, &body, &s, now, settings)?,
        "standard" => standard::verify(&h, &body, &s, now, settings)?,
        "sigwire" => sigwire_webhook::verify(&h, &body, &s, now, settings)?,
        other => return Err(unknown_provider(other)),
    };
    let mut out = Map::new();
    out.insert("ok".into(), true.into());
    out.insert(
        "timestamp".into(),
        v.timestamp.map_or(Value::Null, Value::from),
    );
    out.insert("msg_id".into(), v.id.map_or(Value::Null, Value::from));
    out.insert("secret_index".into(), v.secret_index.into());
    Ok(out)
}
