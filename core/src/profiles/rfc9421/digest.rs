//! `Content-Digest` (RFC 9530): `sha-256=:…:` / `sha-512=:…:` over the body bytes.

use crate::profiles::crypto::{b64, ct_eq, sha256, sha512};
use crate::profiles::error::{ProfileError, ProfileErrorCode};

use super::sfv::{parse_dictionary, BareItem, Member};

/// The digest algorithm of a `Content-Digest` the signer adds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ContentDigest {
    /// Do not add `Content-Digest`.
    None,
    /// `sha-256` (the default).
    #[default]
    Sha256,
    /// `sha-512`.
    Sha512,
}

/// The `Content-Digest` field value for `body`, or `None` for [`ContentDigest::None`].
pub fn content_digest(alg: ContentDigest, body: &[u8]) -> Option<String> {
    match alg {
        ContentDigest::None => None,
        ContentDigest::Sha256 => Some(format!("sha-256=:{}:", b64(&sha256(&[body])))),
        ContentDigest::Sha512 => Some(format!("sha-512=:{}:", b64(&sha512(body)))),
    }
}

/// Checks a received `Content-Digest` against `body`: every `sha-256`/`sha-512` member must
/// match, and at least one must be present. Other algorithms are ignored.
pub fn check_content_digest(field: &str, body: &[u8]) -> Result<(), ProfileError> {
    let dict = parse_dictionary(field)?;
    let mut checked = 0;
    for (alg, member) in &dict {
        let expected: Vec<u8> = match alg.as_str() {
            "sha-256" => sha256(&[body]).to_vec(),
            "sha-512" => sha512(body).to_vec(),
            _ => continue,
        };
        let Member::Item(item) = member else {
            return Err(ProfileError::malformed("Content-Digest member"));
        };
        let BareItem::Bytes(got) = &item.value else {
            return Err(ProfileError::malformed("Content-Digest member"));
        };
        if !ct_eq(got, &expected) {
            return Err(ProfileError::new(
                ProfileErrorCode::DigestMismatch,
                "Content-Digest does not match the body",
            ));
        }
        checked += 1;
    }
    if checked == 0 {
        return Err(ProfileError::new(
            ProfileErrorCode::UnsupportedAlgorithm,
            "Content-Digest has no sha-256 or sha-512 member",
        ));
    }
    Ok(())
}
