//! Reading a signature out of `Signature-Input` / `Signature`: shared by [`super::Rfc9421Verifier`]
//! and the core verifier plug-in [`super::Rfc9421Scheme`].

use crate::profiles::error::{ProfileError, ProfileErrorCode};

use super::components::{self, Component};
use super::sfv::{self, BareItem, Item, Member};
use super::{check_content_digest, Message, Rfc9421Verified, ALG_HMAC_SHA256};

/// One signature read from a message, not yet checked.
#[derive(Debug, Clone)]
pub(crate) struct ParsedSignature {
    pub label: String,
    pub comps: Vec<Component>,
    pub sig_params: String,
    pub signature: Vec<u8>,
    pub created: u64,
    pub expires: Option<u64>,
    pub nonce: Option<String>,
    pub key_id: String,
    pub tag: Option<String>,
}

/// Reads the signature labelled `label` (or the first label present in both fields), checks its
/// syntax, algorithm and that it covers every `required` component.
pub(crate) fn parse_signature(
    lines: &[(&str, &str)],
    label: Option<&str>,
    required: &[Component],
) -> Result<ParsedSignature, ProfileError> {
    let (Some(input_field), Some(sig_field)) = (
        components::header_value(lines, "signature-input"),
        components::header_value(lines, "signature"),
    ) else {
        return Err(ProfileError::new(
            ProfileErrorCode::MissingSignature,
            "Signature-Input and Signature headers are required",
        ));
    };
    let inputs = sfv::parse_dictionary(&input_field)?;
    let sigs = sfv::parse_dictionary(&sig_field)?;
    let chosen = inputs
        .iter()
        .find(|(l, _)| label.map_or(true, |want| want == l) && sigs.iter().any(|(s, _)| s == l));
    let Some((label, Member::InnerList(items, params))) = chosen else {
        return match chosen {
            Some(_) => Err(ProfileError::malformed(
                "Signature-Input member must be an inner list",
            )),
            None => Err(ProfileError::new(
                ProfileErrorCode::MissingSignature,
                "no signature with a matching label",
            )),
        };
    };
    let signature = match sigs.iter().find(|(l, _)| l == label) {
        Some((
            _,
            Member::Item(Item {
                value: BareItem::Bytes(b),
                ..
            }),
        )) => b.clone(),
        _ => {
            return Err(ProfileError::malformed(
                "Signature member must be a byte sequence",
            ))
        }
    };
    let (mut created, mut expires, mut nonce, mut key_id, mut tag) = (None, None, None, None, None);
    for (k, v) in params {
        match (k.as_str(), v) {
            ("created", BareItem::Integer(i)) => created = u64::try_from(*i).ok(),
            ("expires", BareItem::Integer(i)) => expires = u64::try_from(*i).ok(),
            ("nonce", BareItem::String(s)) => nonce = Some(s.clone()),
            ("keyid", BareItem::String(s)) => key_id = Some(s.clone()),
            ("tag", BareItem::String(s)) => tag = Some(s.clone()),
            ("alg", BareItem::String(s)) if s == ALG_HMAC_SHA256 => {}
            ("alg", _) => {
                return Err(ProfileError::new(
                    ProfileErrorCode::UnsupportedAlgorithm,
                    "only alg=\"hmac-sha256\" is accepted",
                ))
            }
            ("created" | "expires" | "nonce" | "keyid" | "tag", _) => {
                return Err(ProfileError::malformed(format!(
                    "signature parameter {k} has the wrong type"
                )))
            }
            _ => {}
        }
    }
    let created = created.ok_or_else(|| ProfileError::malformed("created is required"))?;
    let key_id = key_id.ok_or_else(|| ProfileError::malformed("keyid is required"))?;
    let comps: Vec<Component> = items
        .iter()
        .map(Component::from_item)
        .collect::<Result<_, _>>()?;
    for (i, c) in comps.iter().enumerate() {
        if comps[..i].contains(c) {
            return Err(ProfileError::malformed("a component is covered twice"));
        }
    }
    if let Some(missing) = required.iter().find(|r| !comps.contains(r)) {
        let name = match &missing.to_item().value {
            BareItem::String(s) => s.clone(),
            _ => String::new(),
        };
        return Err(ProfileError::new(
            ProfileErrorCode::InsufficientCoverage,
            format!("the signature must cover {name}"),
        ));
    }
    Ok(ParsedSignature {
        label: label.clone(),
        comps,
        sig_params: sfv::serialize_inner_list(items, params)?,
        signature,
        created,
        expires,
        nonce,
        key_id,
        tag,
    })
}

impl ParsedSignature {
    /// The signature base this signature covers in `message`.
    pub(crate) fn base(&self, message: &Message<'_>) -> Result<String, ProfileError> {
        components::signature_base(&self.comps, message, &[], &self.sig_params)
    }

    /// When `content-digest` is covered, checks it against the body.
    pub(crate) fn check_digest(&self, message: &Message<'_>) -> Result<(), ProfileError> {
        if self
            .comps
            .contains(&Component::Header("content-digest".into()))
        {
            let field = components::header_value(message.header_lines(), "content-digest")
                .unwrap_or_default();
            check_content_digest(&field, message.body())?;
        }
        Ok(())
    }

    pub(crate) fn into_verified(self) -> Rfc9421Verified {
        Rfc9421Verified {
            label: self.label,
            key_id: self.key_id,
            created: self.created,
            expires: self.expires,
            nonce: self.nonce,
            tag: self.tag,
            components: self.comps,
        }
    }
}
