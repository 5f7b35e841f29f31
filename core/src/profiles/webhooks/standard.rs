//! Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp`,
//! `webhook-signature: v1,<base64> [v1,<base64> …]`, HMAC-SHA256 of `"{id}.{timestamp}.{body}"`
//! keyed by the base64-decoded `whsec_` secret.

use crate::profiles::crypto::{b64, b64_decode, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::signing::SigningInstructions;

use super::{
    check_tolerance, first_match, id_timestamp_signature_headers, need_secrets,
    read_id_timestamp_signature, WebhookSecret, WebhookSettings, WebhookVerified,
};

/// The id header.
pub const ID_HEADER: &str = "webhook-id";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The signature header.
pub const SIGNATURE_HEADER: &str = "webhook-signature";

const HEADERS: [&str; 3] = [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER];

fn mac(secret: &WebhookSecret, id: &str, ts: &str, body: &[u8]) -> [u8; 32] {
    hmac_sha256(
        secret.bytes(),
        &[id.as_bytes(), b".", ts.as_bytes(), b".", body],
    )
}

/// The `v1,<base64>` signature.
pub fn signature(secret: &WebhookSecret, id: &str, timestamp: u64, body: &[u8]) -> String {
    format!("v1,{}", b64(&mac(secret, id, &timestamp.to_string(), body)))
}

/// Signs with every secret (rotation: old and new), space-separated in one header.
pub fn sign(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: u64,
    body: &[u8],
) -> Result<SigningInstructions, ProfileError> {
    need_secrets(secrets)?;
    if id.is_empty() || id.contains('.') || !id.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ProfileError::invalid_request(
            "webhook-id must be printable ASCII without '.'",
        ));
    }
    Ok(id_timestamp_signature_headers(
        HEADERS,
        id,
        timestamp,
        secrets,
        " ",
        |s, _| signature(s, id, timestamp, body),
    ))
}

/// Verifies: any `v1` signature against any secret; other versions are ignored.
pub fn verify(
    header_lines: &[(&str, &str)],
    body: &[u8],
    secrets: &[WebhookSecret],
    now: u64,
    settings: WebhookSettings,
) -> Result<WebhookVerified, ProfileError> {
    need_secrets(secrets)?;
    let h = read_id_timestamp_signature(header_lines, HEADERS)?;
    let mut sigs: Vec<Vec<u8>> = Vec::new();
    for item in h.signature.split(' ').filter(|s| !s.is_empty()) {
        let (version, sig) = item.split_once(',').ok_or_else(|| {
            ProfileError::malformed("webhook-signature item must be <version>,<base64>")
        })?;
        if version == "v1" {
            sigs.push(
                b64_decode(sig)
                    .ok_or_else(|| ProfileError::malformed("webhook-signature v1 is not base64"))?,
            );
        }
    }
    if sigs.is_empty() {
        return Err(ProfileError::malformed(
            "webhook-signature has no v1 signature",
        ));
    }
    check_tolerance(h.ts, now, settings.tolerance)?;
    let secret_index = first_match(secrets, &sigs, |s| mac(s, h.id, h.ts_text, body))?;
    Ok(WebhookVerified {
        timestamp: Some(h.ts),
        id: Some(h.id.to_string()),
        secret_index,
    })
}
