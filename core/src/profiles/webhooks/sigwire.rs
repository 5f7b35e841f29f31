//! The Sigwire webhook form (defined in `docs/profiles/sigwire-webhook.md`):
//!
//! ```text
//! Sigwire-Webhook-Id: <id>                 printable ASCII, no '\n'
//! Sigwire-Webhook-Timestamp: <unix seconds>
//! Sigwire-Webhook-Signature: v1=<hex>[,v1=<hex>…]
//! v1 = hex(HMAC-SHA256(secret, "sigwire-webhook-v1\n" + id + "\n" + timestamp + "\n" + body))
//! ```
//!
//! The version prefix in the signed string binds the scheme; the id makes de-duplication
//! possible; several `v1` entries allow secret rotation.

use crate::profiles::crypto::{hex, hex_decode, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::signing::SigningInstructions;

use super::{
    check_tolerance, first_match, id_timestamp_signature_headers, need_secrets,
    read_id_timestamp_signature, WebhookSecret, WebhookSettings, WebhookVerified,
};

/// The id header.
pub const ID_HEADER: &str = "Sigwire-Webhook-Id";
/// The timestamp header.
pub const TIMESTAMP_HEADER: &str = "Sigwire-Webhook-Timestamp";
/// The signature header.
pub const SIGNATURE_HEADER: &str = "Sigwire-Webhook-Signature";

const HEADERS: [&str; 3] = [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER];

fn mac(secret: &WebhookSecret, id: &str, ts: &str, body: &[u8]) -> [u8; 32] {
    hmac_sha256(
        secret.bytes(),
        &[
            b"sigwire-webhook-v1\n",
            id.as_bytes(),
            b"\n",
            ts.as_bytes(),
            b"\n",
            body,
        ],
    )
}

/// Signs with every secret (comma-separated `v1=` entries).
pub fn sign(
    secrets: &[WebhookSecret],
    id: &str,
    timestamp: u64,
    body: &[u8],
) -> Result<SigningInstructions, ProfileError> {
    need_secrets(secrets)?;
    if id.is_empty() || !id.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err(ProfileError::invalid_request(
            "webhook id must be printable ASCII",
        ));
    }
    Ok(id_timestamp_signature_headers(
        HEADERS,
        id,
        timestamp,
        secrets,
        ",",
        |s, ts| format!("v1={}", hex(&mac(s, id, ts, body))),
    ))
}

/// Verifies a Sigwire webhook.
pub fn verify(
    header_lines: &[(&str, &str)],
    body: &[u8],
    secrets: &[WebhookSecret],
    now: u64,
    settings: WebhookSettings,
) -> Result<WebhookVerified, ProfileError> {
    need_secrets(secrets)?;
    let h = read_id_timestamp_signature(header_lines, HEADERS)?;
    let mut sigs = Vec::new();
    for item in h.signature.split(',') {
        let hexsig = item
            .trim()
            .strip_prefix("v1=")
            .ok_or_else(|| ProfileError::malformed("signature entries must be v1=<hex>"))?;
        sigs.push(
            hex_decode(hexsig)
                .filter(|b| b.len() == 32)
                .ok_or_else(|| ProfileError::malformed("v1 is not 64 hex digits"))?,
        );
    }
    check_tolerance(h.ts, now, settings.tolerance)?;
    let secret_index = first_match(secrets, &sigs, |s| mac(s, h.id, h.ts_text, body))?;
    Ok(WebhookVerified {
        timestamp: Some(h.ts),
        id: Some(h.id.to_string()),
        secret_index,
    })
}
