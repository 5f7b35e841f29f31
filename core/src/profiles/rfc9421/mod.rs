//! `rfc9421`: HTTP Message Signatures (RFC 9421) with `hmac-sha256`, for requests and responses.
//!
//! Covered components ([`Component`]): `@method`, `@authority`, `@scheme`, `@target-uri`,
//! `@request-target`, `@path`, `@query`, `@query-param`, `@status` and header fields; the body is
//! covered through `Content-Digest` (RFC 9530). `Signature-Input` and `Signature` are RFC 9651
//! dictionaries. Wire format and ambiguities: `docs/profiles/rfc9421.md`.

mod components;
mod digest;
mod scheme;
mod sfv;
mod verify;

use core::fmt;

use zeroize::Zeroizing;

use crate::freshness::ReplayPolicy;
use crate::profiles::crypto::{ct_eq, hmac_sha256};
use crate::profiles::error::{ProfileError, ProfileErrorCode};
use crate::profiles::ProfileKeys;
use crate::signing::{Param, SignableBody, SigningInput, SigningInstructions, SigningScheme};
use crate::Request;

pub use components::Component;
pub use digest::{check_content_digest, content_digest, ContentDigest};
pub use scheme::Rfc9421Scheme;

use sfv::{BareItem, Item, Params};

/// The only algorithm this profile offers.
pub const ALG_HMAC_SHA256: &str = "hmac-sha256";

/// A borrowed HTTP response: status, header lines in order, body bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response<'a> {
    status: u16,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
}

impl<'a> Response<'a> {
    /// A response with `status`, no headers and an empty body.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: &[],
        }
    }

    /// Adds a header line.
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds header lines.
    #[must_use]
    pub fn headers<I: IntoIterator<Item = (&'a str, &'a str)>>(mut self, headers: I) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Sets the body bytes.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The header lines.
    pub fn header_lines(&self) -> &[(&'a str, &'a str)] {
        &self.headers
    }

    /// The body bytes.
    pub fn body_bytes(&self) -> &'a [u8] {
        self.body
    }

    /// `@status` is a three-digit integer (RFC 9421 §2.2.9): a status outside 100–999 is
    /// `invalid_request`, for signing and verifying alike.
    fn check_status(&self) -> Result<(), ProfileError> {
        if (100..=999).contains(&self.status) {
            Ok(())
        } else {
            Err(ProfileError::invalid_request("status must be 100 to 999"))
        }
    }
}

/// A request or a response.
#[derive(Debug, Clone, Copy)]
pub enum Message<'m> {
    /// A request.
    Request(&'m Request<'m>),
    /// A response.
    Response(&'m Response<'m>),
}

impl Message<'_> {
    fn header_lines(&self) -> &[(&str, &str)] {
        match self {
            Message::Request(r) => r.header_lines(),
            Message::Response(r) => r.header_lines(),
        }
    }

    fn body(&self) -> &[u8] {
        match self {
            Message::Request(r) => r.body_bytes(),
            Message::Response(r) => r.body_bytes(),
        }
    }
}

/// A shared HMAC key and its `keyid`. The secret is zeroized on drop; `Debug` shows the key id only.
#[derive(Clone)]
pub struct Rfc9421Key {
    key_id: String,
    secret: Zeroizing<Vec<u8>>,
}

impl Rfc9421Key {
    /// A key; an empty secret or a key id that is not printable ASCII is `invalid_credentials`.
    pub fn new(
        key_id: impl Into<String>,
        secret: impl Into<Vec<u8>>,
    ) -> Result<Self, ProfileError> {
        let key_id = key_id.into();
        let secret = Zeroizing::new(secret.into());
        if secret.is_empty() {
            return Err(ProfileError::invalid_credentials(
                "the HMAC secret is empty",
            ));
        }
        if key_id.is_empty() || !key_id.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
            return Err(ProfileError::invalid_credentials(
                "keyid must be non-empty printable ASCII",
            ));
        }
        Ok(Rfc9421Key { key_id, secret })
    }

    /// The key id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

impl fmt::Debug for Rfc9421Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rfc9421Key")
            .field("key_id", &self.key_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

/// Signing and verification settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rfc9421Settings {
    /// The signature label. Default `sig1`.
    pub label: String,
    /// Covered components, in order. Default: `@method @authority @path @query content-digest`
    /// for requests; a response signer replaces derived request components by `@status`.
    pub components: Vec<Component>,
    /// `Content-Digest` the signer adds (and covers if listed). Default sha-256.
    pub content_digest: ContentDigest,
    /// Lifetime written as `expires = created + n`; `None` writes no `expires`. Default `None`.
    pub expires_in: Option<u64>,
    /// Whether `alg="hmac-sha256"` is written. Default `false` (the key implies the algorithm).
    pub include_alg: bool,
    /// An application `tag`. Default `None`.
    pub tag: Option<String>,
    /// Verification: components every accepted request signature must cover.
    /// Default `@method @authority @path`.
    pub required_request_components: Vec<Component>,
    /// Verification: components every accepted response signature must cover. Default `@status`.
    pub required_response_components: Vec<Component>,
    /// Verification: maximum age of `created`, seconds. Default 300.
    pub max_age: u64,
    /// Verification: how far in the future `created` may be, seconds. Default 60.
    pub max_ahead: u64,
}

impl Default for Rfc9421Settings {
    fn default() -> Self {
        Rfc9421Settings {
            label: "sig1".to_string(),
            components: vec![
                Component::Method,
                Component::Authority,
                Component::Path,
                Component::Query,
                Component::Header("content-digest".to_string()),
            ],
            content_digest: ContentDigest::Sha256,
            expires_in: None,
            include_alg: false,
            tag: None,
            required_request_components: vec![
                Component::Method,
                Component::Authority,
                Component::Path,
            ],
            required_response_components: vec![Component::Status],
            max_age: 300,
            max_ahead: 60,
        }
    }
}

/// Per-signature inputs: when it was created and an optional nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignatureInputs<'a> {
    /// `created`, Unix seconds.
    pub created: u64,
    /// `nonce`, if any.
    pub nonce: Option<&'a str>,
}

impl<'a> SignatureInputs<'a> {
    /// Inputs created at `created` without a nonce.
    pub fn at(created: u64) -> Self {
        SignatureInputs {
            created,
            nonce: None,
        }
    }

    /// With a nonce.
    #[must_use]
    pub fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }
}

/// The result of signing: instructions plus the signature base (for debugging).
#[derive(Debug, Clone)]
pub struct Rfc9421Output {
    instructions: SigningInstructions,
    signature_base: String,
}

impl Rfc9421Output {
    /// Headers to set: `Content-Digest` (when configured), `Signature-Input`, `Signature`.
    pub fn instructions(&self) -> &SigningInstructions {
        &self.instructions
    }

    /// The exact bytes that were MACed.
    pub fn signature_base(&self) -> &str {
        &self.signature_base
    }
}

/// An RFC 9421 `hmac-sha256` signer.
///
/// ```
/// use sigwire_core::Request;
/// use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Key, SignatureInputs};
///
/// let key = Rfc9421Key::new("client-1", b"a shared secret of 32 bytes....!".to_vec())?;
/// let signer = Rfc9421::new(key);
/// let request = Request::new("POST", "https://api.example.com/v1/items?x=1").body(b"{}");
/// let out = signer.sign_request(&request, SignatureInputs::at(1_700_000_000))?;
/// let input = out.instructions().header("signature-input").unwrap();
/// assert!(input.starts_with(r#"sig1=("@method" "@authority" "@path" "@query" "content-digest");created=1700000000"#));
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rfc9421 {
    key: Rfc9421Key,
    settings: Rfc9421Settings,
}

fn label_ok(label: &str) -> bool {
    let b = label.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_lowercase() || b[0] == b'*')
        && b.iter().all(|&c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*')
        })
}

impl Rfc9421 {
    /// A signer with the default settings.
    pub fn new(key: Rfc9421Key) -> Self {
        Rfc9421 {
            key,
            settings: Rfc9421Settings::default(),
        }
    }

    /// Replaces the settings.
    #[must_use]
    pub fn with_settings(mut self, settings: Rfc9421Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Signs a request (its body is covered through `Content-Digest`).
    pub fn sign_request(
        &self,
        request: &Request<'_>,
        inputs: SignatureInputs<'_>,
    ) -> Result<Rfc9421Output, ProfileError> {
        self.sign_message(
            &Message::Request(request),
            &self.settings.components,
            inputs,
        )
    }

    /// Signs a response. Request-only derived components in the settings are replaced by
    /// `@status` (once). A status outside 100–999 is `invalid_request`.
    pub fn sign_response(
        &self,
        response: &Response<'_>,
        inputs: SignatureInputs<'_>,
    ) -> Result<Rfc9421Output, ProfileError> {
        response.check_status()?;
        let mut comps: Vec<Component> = vec![Component::Status];
        for c in &self.settings.components {
            if matches!(c, Component::Header(_)) && !comps.contains(c) {
                comps.push(c.clone());
            }
        }
        self.sign_message(&Message::Response(response), &comps, inputs)
    }

    fn sign_message(
        &self,
        message: &Message<'_>,
        components: &[Component],
        inputs: SignatureInputs<'_>,
    ) -> Result<Rfc9421Output, ProfileError> {
        let s = &self.settings;
        if !label_ok(&s.label) {
            return Err(ProfileError::new(
                ProfileErrorCode::InvalidSettings,
                "label must be an RFC 9651 key (a-z, 0-9, _-.*)",
            ));
        }
        let digest = if components
            .iter()
            .any(|c| *c == Component::Header("content-digest".into()))
        {
            content_digest(s.content_digest, message.body())
        } else {
            None
        };
        let mut params: Params =
            vec![("created".into(), BareItem::Integer(to_int(inputs.created)?))];
        if let Some(e) = s.expires_in {
            params.push((
                "expires".into(),
                BareItem::Integer(to_int(inputs.created.saturating_add(e))?),
            ));
        }
        // Parameter order as in the RFC's examples (B.2.1, B.2.2): created, keyid, nonce, tag.
        params.push(("keyid".into(), BareItem::String(self.key.key_id.clone())));
        if let Some(n) = inputs.nonce {
            params.push(("nonce".into(), BareItem::String(n.to_string())));
        }
        if s.include_alg {
            params.push(("alg".into(), BareItem::String(ALG_HMAC_SHA256.into())));
        }
        if let Some(t) = &s.tag {
            params.push(("tag".into(), BareItem::String(t.clone())));
        }
        let items: Vec<Item> = components.iter().map(Component::to_item).collect();
        let sig_params = sfv::serialize_inner_list(&items, &params)?;
        let extra: Vec<(&str, &str)> = digest
            .iter()
            .map(|d| ("content-digest", d.as_str()))
            .collect();
        let base = components::signature_base(components, message, &extra, &sig_params)?;
        let mac = hmac_sha256(&self.key.secret, &[base.as_bytes()]);
        let mut ins = SigningInstructions::default();
        if let Some(d) = digest {
            ins.push_header(Param::new("Content-Digest", d, false));
        }
        ins.push_header(Param::new(
            "Signature-Input",
            format!("{}={sig_params}", s.label),
            false,
        ));
        let mut sig = format!("{}=", s.label);
        sfv::serialize_bare(&BareItem::Bytes(mac.to_vec()), &mut sig)?;
        ins.push_header(Param::new("Signature", sig, true));
        Ok(Rfc9421Output {
            instructions: ins,
            signature_base: base,
        })
    }
}

fn to_int(v: u64) -> Result<i64, ProfileError> {
    i64::try_from(v)
        .ok()
        .filter(|v| *v <= 999_999_999_999_999)
        .ok_or_else(|| ProfileError::invalid_request("timestamp too large"))
}

impl SigningScheme for Rfc9421 {
    type Credential = Rfc9421Key;
    type Error = ProfileError;

    fn name(&self) -> &'static str {
        "rfc9421"
    }

    fn credential(&self) -> &Rfc9421Key {
        &self.key
    }

    fn replay_policy(&self) -> ReplayPolicy {
        ReplayPolicy::RandomNonce
    }

    /// Signs with `created` from the input and its nonce. `body` must be `Bytes` (the digest is
    /// computed over it); a precomputed or unsigned body is `invalid_request`.
    fn sign(
        &self,
        request: &Request<'_>,
        body: SignableBody<'_>,
        input: &SigningInput<'_>,
    ) -> Result<SigningInstructions, ProfileError> {
        let request = crate::profiles::with_body_bytes(request, body, "rfc9421")?;
        let mut inputs = SignatureInputs::at(input.unix_ms / 1000);
        inputs.nonce = input.nonce;
        self.sign_request(&request, inputs).map(|o| o.instructions)
    }
}

/// What a verified signature proved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rfc9421Verified {
    /// The label that verified.
    pub label: String,
    /// The key id.
    pub key_id: String,
    /// `created`.
    pub created: u64,
    /// `expires`, if present.
    pub expires: Option<u64>,
    /// `nonce`, if present (check it against a replay store).
    pub nonce: Option<String>,
    /// `tag`, if present.
    pub tag: Option<String>,
    /// The covered components in order.
    pub components: Vec<Component>,
}

/// Verifies RFC 9421 `hmac-sha256` signatures, looking keys up by `keyid`.
///
/// ```
/// use sigwire_core::Request;
/// use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Key, Rfc9421Verifier, SignatureInputs};
///
/// let key = Rfc9421Key::new("k1", b"0123456789abcdef0123456789abcdef".to_vec())?;
/// let request = Request::new("GET", "https://h.example/a?b=c");
/// let out = Rfc9421::new(key.clone()).sign_request(&request, SignatureInputs::at(1_000))?;
/// let headers = out.instructions().apply_to_headers(&[]);
/// let signed = request.clone().headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
/// let verifier = Rfc9421Verifier::new(move |id: &str| (id == "k1").then(|| key.clone()));
/// assert_eq!(verifier.verify_request(&signed, 1_010)?.key_id, "k1");
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
pub struct Rfc9421Verifier<F> {
    lookup: F,
    settings: Rfc9421Settings,
    label: Option<String>,
}

impl<F> fmt::Debug for Rfc9421Verifier<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rfc9421Verifier")
            .field("settings", &self.settings)
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl<F> Rfc9421Verifier<F>
where
    F: ProfileKeys<Rfc9421Key>,
{
    /// A verifier with the default settings, accepting the first signature label present.
    /// `lookup` finds a `keyid`'s keys: a closure returning `Option<Rfc9421Key>`, or a
    /// [`ProfileKeys`] giving every live secret of a key id during a rotation (a signature made
    /// with any of them verifies).
    pub fn new(lookup: F) -> Self {
        Rfc9421Verifier {
            lookup,
            settings: Rfc9421Settings::default(),
            label: None,
        }
    }

    /// Replaces the settings (the verification fields are used).
    #[must_use]
    pub fn with_settings(mut self, settings: Rfc9421Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Only verifies the signature with this label.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The settings in use.
    pub fn settings(&self) -> &Rfc9421Settings {
        &self.settings
    }

    /// Until when (Unix seconds, inclusive) a replay store must remember the `nonce` of a
    /// signature this verifier accepted: the last second at which the same signature would
    /// still verify (`created + max_age`, or `expires` when that is earlier).
    pub fn nonce_expires_at(&self, verified: &Rfc9421Verified) -> u64 {
        let until = verified.created.saturating_add(self.settings.max_age);
        verified.expires.map_or(until, |e| e.min(until))
    }

    /// Verifies a request at `now` (Unix seconds).
    pub fn verify_request(
        &self,
        request: &Request<'_>,
        now: u64,
    ) -> Result<Rfc9421Verified, ProfileError> {
        self.verify(
            &Message::Request(request),
            &self.settings.required_request_components,
            now,
        )
    }

    /// Verifies a response at `now` (Unix seconds). A status outside 100–999 is
    /// `invalid_request`.
    pub fn verify_response(
        &self,
        response: &Response<'_>,
        now: u64,
    ) -> Result<Rfc9421Verified, ProfileError> {
        response.check_status()?;
        self.verify(
            &Message::Response(response),
            &self.settings.required_response_components,
            now,
        )
    }

    fn verify(
        &self,
        message: &Message<'_>,
        required: &[Component],
        now: u64,
    ) -> Result<Rfc9421Verified, ProfileError> {
        let parsed =
            verify::parse_signature(message.header_lines(), self.label.as_deref(), required)?;
        if parsed.created > now.saturating_add(self.settings.max_ahead)
            || now.saturating_sub(parsed.created) > self.settings.max_age
        {
            return Err(ProfileError::new(
                ProfileErrorCode::TimestampOutOfTolerance,
                "created is outside the accepted window",
            ));
        }
        if parsed.expires.is_some_and(|e| now > e) {
            return Err(ProfileError::new(
                ProfileErrorCode::SignatureExpired,
                "the signature has expired",
            ));
        }
        let mut keys = self.lookup.keys(&parsed.key_id).into_iter().peekable();
        if keys.peek().is_none() {
            return Err(ProfileError::new(
                ProfileErrorCode::UnknownKey,
                "keyid is not known",
            ));
        }
        let base = parsed.base(message)?;
        // Every live key is computed and compared: which one matched is not revealed by time.
        let mut ok = false;
        for key in keys {
            ok |= ct_eq(
                &hmac_sha256(&key.secret, &[base.as_bytes()]),
                &parsed.signature,
            );
        }
        if !ok {
            return Err(ProfileError::mismatch());
        }
        parsed.check_digest(message)?;
        Ok(parsed.into_verified())
    }
}
