//! Slack: `X-Slack-Signature: v0=<hex>`, HMAC-SHA256 of `"v0:{X-Slack-Request-Timestamp}:{body}"`.

use crate::profiles::crypto::{hex, hex_decode, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::signing::SigningInstructions;

use super::{
    check_tolerance, first_match, headers, need_secrets, one_header, parse_timestamp,
    WebhookSecret, WebhookSettings, WebhookVerified,
};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "X-Slack-Signature";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "X-Slack-Request-Timestamp";

fn mac(secret: &WebhookSecret, ts: &str, body: &[u8]) -> [u8; 32] {
    hmac_sha256(secret.bytes(), &[b"v0:", ts.as_bytes(), b":", body])
}

/// The `v0=<hex>` signature of `body` at `timestamp`.
pub fn signature(secret: &WebhookSecret, timestamp: u64, body: &[u8]) -> String {
    format!("v0={}", hex(&mac(secret, &timestamp.to_string(), body)))
}

/// Signs as Slack does: both headers.
pub fn sign(secret: &WebhookSecret, timestamp: u64, body: &[u8]) -> SigningInstructions {
    headers(vec![
        (TIMESTAMP_HEADER, timestamp.to_string(), false),
        (SIGNATURE_HEADER, signature(secret, timestamp, body), true),
    ])
}

/// Verifies a Slack request (the timestamp is signed as the header's exact text).
pub fn verify(
    header_lines: &[(&str, &str)],
    body: &[u8],
    secrets: &[WebhookSecret],
    now: u64,
    settings: WebhookSettings,
) -> Result<WebhookVerified, ProfileError> {
    need_secrets(secrets)?;
    let ts_text = one_header(header_lines, TIMESTAMP_HEADER)?;
    let ts = parse_timestamp(ts_text)?;
    let sig = one_header(header_lines, SIGNATURE_HEADER)?
        .strip_prefix("v0=")
        .and_then(hex_decode)
        .filter(|b| b.len() == 32)
        .ok_or_else(|| ProfileError::malformed("X-Slack-Signature must be v0=<64 hex digits>"))?;
    check_tolerance(ts, now, settings.tolerance)?;
    let secret_index = first_match(secrets, &[sig], |s| mac(s, ts_text, body))?;
    Ok(WebhookVerified {
        timestamp: Some(ts),
        id: None,
        secret_index,
    })
}
