//! Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`, HMAC-SHA256 of `"{t}.{body}"`.

use crate::profiles::crypto::{hex, hex_decode, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::signing::SigningInstructions;

use super::{
    check_tolerance, first_match, headers, need_secrets, one_header, parse_timestamp,
    WebhookSecret, WebhookSettings, WebhookVerified,
};

/// The header name.
pub const HEADER: &str = "Stripe-Signature";

/// The `v1` signature (hex) of `body` at `timestamp`.
pub fn signature(secret: &WebhookSecret, timestamp: u64, body: &[u8]) -> String {
    hex(&hmac_sha256(
        secret.bytes(),
        &[timestamp.to_string().as_bytes(), b".", body],
    ))
}

/// Signs as Stripe does: one `Stripe-Signature` header with `t` and one `v1` per secret.
pub fn sign(
    secrets: &[WebhookSecret],
    timestamp: u64,
    body: &[u8],
) -> Result<SigningInstructions, ProfileError> {
    need_secrets(secrets)?;
    let mut value = format!("t={timestamp}");
    for s in secrets {
        value.push_str(",v1=");
        value.push_str(&signature(s, timestamp, body));
    }
    Ok(headers(vec![(HEADER, value, true)]))
}

/// Verifies a Stripe webhook: any `v1` matching any secret, timestamp within tolerance. Other
/// schemes in the header (`v0`, future ones) are ignored.
///
/// ```
/// use sigwire_core::profiles::webhooks::{stripe, WebhookSecret, WebhookSettings};
///
/// let secret = WebhookSecret::new("whsec_test_secret")?;
/// let body = br#"{"id":"evt_1","object":"event"}"#;
/// let ins = stripe::sign(&[secret.clone()], 1_700_000_000, body)?;
/// let header = ins.header("stripe-signature").unwrap();
/// let ok = stripe::verify(&[("Stripe-Signature", header)], body, &[secret], 1_700_000_100, WebhookSettings::default())?;
/// assert_eq!(ok.timestamp, Some(1_700_000_000));
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
pub fn verify(
    header_lines: &[(&str, &str)],
    body: &[u8],
    secrets: &[WebhookSecret],
    now: u64,
    settings: WebhookSettings,
) -> Result<WebhookVerified, ProfileError> {
    need_secrets(secrets)?;
    let value = one_header(header_lines, HEADER)?;
    let mut t = None;
    let mut sigs: Vec<Vec<u8>> = Vec::new();
    for part in value.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| ProfileError::malformed("Stripe-Signature item without '='"))?;
        match k {
            "t" if t.is_none() => t = Some((parse_timestamp(v)?, v)),
            "t" => {
                return Err(ProfileError::malformed(
                    "Stripe-Signature has two timestamps",
                ))
            }
            "v1" => sigs.push(
                hex_decode(v)
                    .filter(|b| b.len() == 32)
                    .ok_or_else(|| ProfileError::malformed("v1 is not 64 hex digits"))?,
            ),
            _ => {}
        }
    }
    let t = t.ok_or_else(|| ProfileError::malformed("Stripe-Signature has no t="))?;
    if sigs.is_empty() {
        return Err(ProfileError::malformed(
            "Stripe-Signature has no v1= signature",
        ));
    }
    let (t, t_text) = t;
    check_tolerance(t, now, settings.tolerance)?;
    // The timestamp is signed as the header's text, exactly as received.
    let secret_index = first_match(secrets, &sigs, |s| {
        hmac_sha256(s.bytes(), &[t_text.as_bytes(), b".", body])
    })?;
    Ok(WebhookVerified {
        timestamp: Some(t),
        id: None,
        secret_index,
    })
}
