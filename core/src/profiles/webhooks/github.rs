//! GitHub: `X-Hub-Signature-256: sha256=<hex>`, HMAC-SHA256 of the body. No timestamp: pair it
//! with `X-GitHub-Delivery` de-duplication to refuse replays.

use crate::profiles::crypto::{hex, hex_decode, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::signing::SigningInstructions;

use super::{first_match, headers, need_secrets, one_header, WebhookSecret, WebhookVerified};

/// The header name.
pub const HEADER: &str = "X-Hub-Signature-256";

/// The header value `sha256=<hex>` for `body`.
pub fn signature(secret: &WebhookSecret, body: &[u8]) -> String {
    format!("sha256={}", hex(&hmac_sha256(secret.bytes(), &[body])))
}

/// Signs as GitHub does.
pub fn sign(secret: &WebhookSecret, body: &[u8]) -> SigningInstructions {
    headers(vec![(HEADER, signature(secret, body), true)])
}

/// Verifies `X-Hub-Signature-256` against any of `secrets`.
pub fn verify(
    header_lines: &[(&str, &str)],
    body: &[u8],
    secrets: &[WebhookSecret],
) -> Result<WebhookVerified, ProfileError> {
    need_secrets(secrets)?;
    let value = one_header(header_lines, HEADER)?;
    let sig = value
        .strip_prefix("sha256=")
        .and_then(hex_decode)
        .filter(|b| b.len() == 32)
        .ok_or_else(|| {
            ProfileError::malformed("X-Hub-Signature-256 must be sha256=<64 hex digits>")
        })?;
    let secret_index = first_match(secrets, &[sig], |s| hmac_sha256(s.bytes(), &[body]))?;
    let id = header_lines
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("x-github-delivery"))
        .map(|(_, v)| v.trim().to_string());
    Ok(WebhookVerified {
        timestamp: None,
        id,
        secret_index,
    })
}
