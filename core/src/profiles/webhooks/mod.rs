//! Webhook signatures: sign (as a provider) and verify (as a receiver) over the raw body bytes.
//!
//! Every verifier takes the body exactly as received (never a re-serialised JSON value), the
//! header lines, and `now` in Unix seconds; it compares in constant time, accepts any of several
//! secrets (rotation) and any of several signatures in one header, and fails with a stable code:
//! `missing_header`, `malformed_signature`, `webhook_timestamp_out_of_tolerance`,
//! `signature_mismatch`. Wire formats: `docs/profiles/` (one page per provider).

pub mod github;
pub mod sigwire;
pub mod slack;
pub mod standard;
pub mod stripe;

use core::fmt;

use zeroize::Zeroizing;

use crate::profiles::crypto::b64_decode;
use crate::profiles::error::{ProfileError, ProfileErrorCode};
use crate::signing::SigningInstructions;

/// A webhook signing secret (raw bytes). Zeroized on drop; `Debug` prints nothing of it.
#[derive(Clone)]
pub struct WebhookSecret(Zeroizing<Vec<u8>>);

impl WebhookSecret {
    /// A secret from raw bytes (Stripe, GitHub and Slack use the secret string's bytes);
    /// empty is `invalid_credentials`.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Result<Self, ProfileError> {
        let bytes = Zeroizing::new(bytes.into());
        if bytes.is_empty() {
            return Err(ProfileError::invalid_credentials(
                "the webhook secret is empty",
            ));
        }
        Ok(WebhookSecret(bytes))
    }

    /// A Standard Webhooks secret `whsec_<base64>` (the prefix is optional); the key is the
    /// decoded base64.
    pub fn from_standard(secret: &str) -> Result<Self, ProfileError> {
        let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
        let bytes = b64_decode(b64).ok_or_else(|| {
            ProfileError::invalid_credentials("the whsec_ secret is not valid base64")
        })?;
        WebhookSecret::new(bytes)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// Settings shared by the webhook verifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookSettings {
    /// How far the signed timestamp may be from `now`, either way, in seconds. Default 300
    /// (Stripe, Slack and Standard Webhooks all use five minutes). GitHub signs no timestamp.
    pub tolerance: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings { tolerance: 300 }
    }
}

/// What a verified webhook proved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookVerified {
    /// The signed timestamp (Unix seconds), when the scheme has one.
    pub timestamp: Option<u64>,
    /// The message id (Standard Webhooks, Sigwire), for de-duplication.
    pub id: Option<String>,
    /// Which of the verifier's secrets matched (index into the list given).
    pub secret_index: usize,
}

/// The single value of header `name`; absent is `missing_header`, repeated is malformed.
pub(crate) fn one_header<'a>(
    headers: &[(&'a str, &'a str)],
    name: &str,
) -> Result<&'a str, ProfileError> {
    let mut it = headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case(name));
    match (it.next(), it.next()) {
        (Some((_, v)), None) => Ok(v.trim()),
        (Some(_), Some(_)) => Err(ProfileError::malformed(format!(
            "{name} header is repeated"
        ))),
        (None, _) => Err(ProfileError::new(
            ProfileErrorCode::MissingHeader,
            format!("{name} header is required"),
        )),
    }
}

/// Parses a decimal Unix timestamp.
pub(crate) fn parse_timestamp(s: &str) -> Result<u64, ProfileError> {
    if s.is_empty() || s.len() > 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ProfileError::malformed(
            "webhook timestamp is not a decimal Unix time",
        ));
    }
    s.parse()
        .map_err(|_| ProfileError::malformed("webhook timestamp is not a decimal Unix time"))
}

/// `webhook_timestamp_out_of_tolerance` unless `|now - ts| <= tolerance`.
pub(crate) fn check_tolerance(ts: u64, now: u64, tolerance: u64) -> Result<(), ProfileError> {
    if ts.abs_diff(now) > tolerance {
        return Err(ProfileError::new(
            ProfileErrorCode::WebhookTimestampOutOfTolerance,
            format!("webhook timestamp is more than {tolerance} s from now: check the clock, or it is a replay"),
        ));
    }
    Ok(())
}

/// At least one secret is required to verify.
pub(crate) fn need_secrets(secrets: &[WebhookSecret]) -> Result<(), ProfileError> {
    if secrets.is_empty() {
        return Err(ProfileError::invalid_credentials(
            "at least one webhook secret is required",
        ));
    }
    Ok(())
}

/// The index of the first secret whose MAC (from `mac`) equals any of `sigs`, compared in
/// constant time; `signature_mismatch` if none does. Every secret and signature is compared (no
/// early exit), so timing does not reveal which one matched.
pub(crate) fn first_match(
    secrets: &[WebhookSecret],
    sigs: &[Vec<u8>],
    mac: impl Fn(&WebhookSecret) -> [u8; 32],
) -> Result<usize, ProfileError> {
    let mut found = None;
    for (i, s) in secrets.iter().enumerate() {
        let m = mac(s);
        for sig in sigs {
            if crate::profiles::crypto::ct_eq(&m, sig) && found.is_none() {
                found = Some(i);
            }
        }
    }
    found.ok_or_else(ProfileError::mismatch)
}

/// The id, timestamp (text and value) and signature header values of the id + timestamp +
/// signature shape (Standard Webhooks, Sigwire).
pub(crate) struct IdTimestampSignature<'a> {
    pub id: &'a str,
    pub ts_text: &'a str,
    pub ts: u64,
    pub signature: &'a str,
}

/// Reads the three headers of the id + timestamp + signature shape.
pub(crate) fn read_id_timestamp_signature<'a>(
    lines: &[(&'a str, &'a str)],
    names: [&str; 3],
) -> Result<IdTimestampSignature<'a>, ProfileError> {
    let id = one_header(lines, names[0])?;
    let ts_text = one_header(lines, names[1])?;
    let ts = parse_timestamp(ts_text)?;
    let signature = one_header(lines, names[2])?;
    Ok(IdTimestampSignature {
        id,
        ts_text,
        ts,
        signature,
    })
}

/// The instructions of the id + timestamp + signature shape: one signature per secret, joined
/// with `separator`, in the third header.
pub(crate) fn id_timestamp_signature_headers(
    names: [&'static str; 3],
    id: &str,
    timestamp: u64,
    secrets: &[WebhookSecret],
    separator: &str,
    sign: impl Fn(&WebhookSecret, &str) -> String,
) -> SigningInstructions {
    let ts = timestamp.to_string();
    let sigs: Vec<String> = secrets.iter().map(|s| sign(s, &ts)).collect();
    headers(vec![
        (names[0], id.to_string(), false),
        (names[1], ts, false),
        (names[2], sigs.join(separator), true),
    ])
}

/// Instructions holding header `(name, value)` pairs.
pub(crate) fn headers(pairs: Vec<(&str, String, bool)>) -> SigningInstructions {
    let mut ins = SigningInstructions::default();
    for (n, v, sensitive) in pairs {
        ins.push_header(crate::signing::Param::new(n, v, sensitive));
    }
    ins
}
