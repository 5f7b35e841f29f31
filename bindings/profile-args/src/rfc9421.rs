//! RFC 9421 signers and verifiers from the arguments every binding receives.

use std::collections::HashMap;

use sigwire_core::profiles::rfc9421::{
    Component, Response, Rfc9421, Rfc9421Key, Rfc9421Settings, Rfc9421Verifier, SignatureInputs,
};
use sigwire_core::profiles::{ProfileError, ProfileErrorCode};

/// RFC 9421 options of signers and verifiers, as the host gives them (component identifiers as
/// text). Each side reads its own fields.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Rfc9421Options {
    /// Signature label (default `sig1`); a verifier checks only this label when given.
    pub label: Option<String>,
    /// Signer: the covered components (default: the core's).
    pub components: Option<Vec<String>>,
    /// Signer: `expires = created + expires_in`.
    pub expires_in: Option<u64>,
    /// Signer: write `alg="hmac-sha256"`.
    pub include_alg: bool,
    /// Signer: `tag`.
    pub tag: Option<String>,
    /// Verifier: components a signature must cover (a list with `@status` is for responses).
    pub required_components: Option<Vec<String>>,
    /// Verifier: the oldest `created` accepted, seconds.
    pub max_age: Option<u64>,
    /// Verifier: how far ahead `created` may be, seconds.
    pub max_ahead: Option<u64>,
}

fn components(ids: &[String]) -> Result<Vec<Component>, ProfileError> {
    ids.iter().map(|s| Component::parse(s)).collect()
}

impl Rfc9421Options {
    /// A signer's options.
    pub fn signer(
        label: Option<String>,
        components: Option<Vec<String>>,
        expires_in: Option<u64>,
        include_alg: bool,
        tag: Option<String>,
    ) -> Self {
        Rfc9421Options {
            label,
            components,
            expires_in,
            include_alg,
            tag,
            ..Rfc9421Options::default()
        }
    }

    /// A verifier's options.
    pub fn verifier(
        label: Option<String>,
        required_components: Option<Vec<String>>,
        max_age: Option<u64>,
        max_ahead: Option<u64>,
    ) -> Self {
        Rfc9421Options {
            label,
            required_components,
            max_age,
            max_ahead,
            ..Rfc9421Options::default()
        }
    }

    /// The core settings; a malformed component identifier is `malformed_signature`.
    pub fn settings(&self) -> Result<Rfc9421Settings, ProfileError> {
        let mut s = Rfc9421Settings::default();
        if let Some(l) = &self.label {
            s.label.clone_from(l);
        }
        if let Some(c) = &self.components {
            s.components = components(c)?;
        }
        s.expires_in = self.expires_in;
        s.include_alg = self.include_alg;
        s.tag.clone_from(&self.tag);
        if let Some(r) = &self.required_components {
            let r = components(r)?;
            if r.contains(&Component::Status) {
                s.required_response_components = r;
            } else {
                s.required_request_components = r;
            }
        }
        if let Some(a) = self.max_age {
            s.max_age = a;
        }
        if let Some(a) = self.max_ahead {
            s.max_ahead = a;
        }
        Ok(s)
    }
}

/// An RFC 9421 `hmac-sha256` signer. The key is checked before the options (every runtime
/// reports the same error for doubly wrong input).
pub fn rfc9421_signer(
    key_id: impl Into<String>,
    secret: impl Into<Vec<u8>>,
    options: &Rfc9421Options,
) -> Result<Rfc9421, ProfileError> {
    let key = Rfc9421Key::new(key_id, secret)?;
    Ok(Rfc9421::new(key).with_settings(options.settings()?))
}

/// The key lookup of a verifier built by [`rfc9421_verifier`].
pub type KeyLookup = Box<dyn Fn(&str) -> Option<Rfc9421Key> + Send + Sync>;

/// An RFC 9421 verifier over `keys` (keyid, secret); keys are checked before the options.
pub fn rfc9421_verifier<I, K, S>(
    keys: I,
    options: &Rfc9421Options,
) -> Result<Rfc9421Verifier<KeyLookup>, ProfileError>
where
    I: IntoIterator<Item = (K, S)>,
    K: Into<String>,
    S: Into<Vec<u8>>,
{
    let mut map = HashMap::new();
    for (id, secret) in keys {
        let id = id.into();
        let key = Rfc9421Key::new(id.clone(), secret)?;
        map.insert(id, key);
    }
    let settings = options.settings()?;
    let lookup: KeyLookup = Box::new(move |id: &str| map.get(id).cloned());
    let verifier = Rfc9421Verifier::new(lookup).with_settings(settings);
    Ok(match &options.label {
        Some(l) => verifier.label(l.as_str()),
        None => verifier,
    })
}

/// The signature parameters of one signing: `created` and an optional `nonce`.
pub fn signature_inputs(created: u64, nonce: Option<&str>) -> SignatureInputs<'_> {
    let inputs = SignatureInputs::at(created);
    match nonce {
        Some(n) => inputs.nonce(n),
        None => inputs,
    }
}

/// A response to sign or verify; a status outside 100–999 is `invalid_request`.
pub fn response<'a>(
    status: u64,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    body: &'a [u8],
) -> Result<Response<'a>, ProfileError> {
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (100..=999).contains(s))
        .ok_or_else(|| {
            ProfileError::new(
                ProfileErrorCode::InvalidRequest,
                "status must be 100 to 999",
            )
        })?;
    Ok(Response::new(status).headers(headers).body(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigwire_core::Request;

    fn code<T>(r: Result<T, ProfileError>) -> Option<ProfileErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn key_before_options_and_typed_errors() {
        let bad = Rfc9421Options {
            components: Some(vec!["@nope".into()]),
            ..Rfc9421Options::default()
        };
        assert_eq!(
            code(rfc9421_signer("k", Vec::new(), &bad)),
            Some(ProfileErrorCode::InvalidCredentials)
        );
        assert_eq!(
            code(rfc9421_signer("k", b"s".to_vec(), &bad)),
            Some(ProfileErrorCode::MalformedSignature)
        );
        assert_eq!(
            code(response(42, [], b"")),
            Some(ProfileErrorCode::InvalidRequest)
        );
        assert_eq!(
            code(response(1000, [], b"")),
            Some(ProfileErrorCode::InvalidRequest)
        );
        assert!(response(200, [], b"").is_ok());
    }

    #[test]
    fn signs_and_verifies_requests_and_responses() {
        let o = Rfc9421Options::default();
        let secret = b"0123456789abcdef0123456789abcdef".to_vec();
        let url = "https://api.example.com/v1/items?x=1";
        let signer = rfc9421_signer("k1", secret.clone(), &o);
        let verifier = rfc9421_verifier([("k1", secret)], &o);
        let (Ok(signer), Ok(verifier)) = (signer, verifier) else {
            panic!("valid key");
        };
        let req = Request::new("POST", url).body(b"{}");
        let out = signer.sign_request(&req, signature_inputs(1_700_000_000, Some("n1")));
        let lines = out
            .map(|o| o.instructions().apply_to_headers(&[]))
            .unwrap_or_default();
        let signed = Request::new("POST", url)
            .headers(lines.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .body(b"{}");
        let v = verifier.verify_request(&signed, 1_700_000_001);
        assert_eq!(v.ok().and_then(|v| v.nonce), Some("n1".to_owned()));

        let res = response(200, [], b"{}")
            .and_then(|r| signer.sign_response(&r, signature_inputs(1_700_000_000, None)));
        let lines = res
            .map(|o| o.instructions().apply_to_headers(&[]))
            .unwrap_or_default();
        let refs = || lines.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let ok =
            response(200, refs(), b"{}").and_then(|r| verifier.verify_response(&r, 1_700_000_000));
        assert!(ok.is_ok());
        let tampered =
            response(500, refs(), b"{}").and_then(|r| verifier.verify_response(&r, 1_700_000_000));
        assert_eq!(code(tampered), Some(ProfileErrorCode::SignatureMismatch));
    }
}
