//! RFC 9421 as a plug-in of the core [`Verifier`](crate::Verifier): key store with rotation,
//! freshness window and nonce replay store come from the verifier; this scheme reads and checks
//! the signature.

use std::sync::Arc;

use crate::algorithm::Algorithm;
use crate::credentials::Secret;
use crate::error::Error;
use crate::freshness::{Freshness, Timestamp};
use crate::scheme::{Claim, Scheme};
use crate::Request;

use super::components::Component;
use super::verify::{parse_signature, ParsedSignature};
use super::Message;

/// Verifies RFC 9421 `hmac-sha256` request signatures inside a core [`Verifier`](crate::Verifier).
///
/// The `keyid` is looked up in the verifier's key store (every secret of a key is tried, for
/// rotation); `created` must be inside the verifier's window, or, with `expires`, the time must be
/// before `expires`; a `nonce` goes to the verifier's replay store.
///
/// ```
/// use std::sync::Arc;
/// use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Key, Rfc9421Scheme, SignatureInputs};
/// use sigwire_core::{FixedClock, InMemoryKeyStore, Request, Verifier};
///
/// let secret = b"0123456789abcdef0123456789abcdef".to_vec();
/// let keys = Arc::new(InMemoryKeyStore::new());
/// keys.insert("client-1", secret.clone(), None)?;
/// let verifier = Verifier::builder(keys)
///     .scheme(Box::new(Rfc9421Scheme::new()))
///     .clock(Arc::new(FixedClock::new(1_700_000_010)))
///     .build();
///
/// let signer = Rfc9421::new(Rfc9421Key::new("client-1", secret).unwrap());
/// let request = Request::new("GET", "https://api.example.com/v1/items");
/// let out = signer.sign_request(&request, SignatureInputs::at(1_700_000_000).nonce("n-1")).unwrap();
/// let headers = out.instructions().apply_to_headers(&[]);
/// let signed = request.clone().headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
/// assert_eq!(verifier.verify(&signed)?.key_id, "client-1");
/// assert_eq!(verifier.verify(&signed).unwrap_err().code().as_str(), "replayed_nonce");
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Rfc9421Scheme {
    label: Option<String>,
    required: Vec<Component>,
}

impl Default for Rfc9421Scheme {
    fn default() -> Self {
        Self::new()
    }
}

impl Rfc9421Scheme {
    /// Accepts the first label present; requires `@method`, `@authority` and `@path` coverage.
    pub fn new() -> Self {
        Rfc9421Scheme {
            label: None,
            required: vec![Component::Method, Component::Authority, Component::Path],
        }
    }

    /// Only verifies the signature with this label.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Replaces the components every accepted signature must cover.
    #[must_use]
    pub fn require(mut self, components: Vec<Component>) -> Self {
        self.required = components;
        self
    }
}

struct Rfc9421Claim<'r> {
    parsed: ParsedSignature,
    request: &'r Request<'r>,
}

impl Scheme for Rfc9421Scheme {
    fn name(&self) -> &'static str {
        "rfc9421"
    }

    fn claims(&self, request: &Request<'_>) -> bool {
        request.has_header("signature-input") && request.has_header("signature")
    }

    fn parse<'r>(&self, request: &'r Request<'r>) -> Result<Box<dyn Claim + 'r>, Error> {
        let parsed = parse_signature(
            request.header_lines(),
            self.label.as_deref(),
            &self.required,
        )?;
        Ok(Box::new(Rfc9421Claim { parsed, request }))
    }
}

impl Claim for Rfc9421Claim<'_> {
    fn key_id(&self) -> &str {
        &self.parsed.key_id
    }

    fn timestamp(&self) -> u64 {
        self.parsed.created
    }

    fn nonce(&self) -> Option<&str> {
        self.parsed.nonce.as_deref()
    }

    fn freshness(&self) -> Freshness {
        match self.parsed.expires {
            Some(e) => Freshness::Interval {
                not_before: None,
                expires: Timestamp::seconds(e),
            },
            None => Freshness::Created {
                at: Timestamp::seconds(self.parsed.created),
                max_age: None,
                max_ahead: None,
            },
        }
    }

    fn check(&self, secrets: &[Arc<Secret>]) -> Result<(), Error> {
        let message = Message::Request(self.request);
        let base = self.parsed.base(&message)?;
        let mut ok = false;
        for s in secrets {
            ok |= s
                .keyed(Algorithm::HmacSha256)
                .verify(base.as_bytes(), &self.parsed.signature);
        }
        if !ok {
            return Err(Error::new(
                crate::ErrorCode::SignatureMismatch,
                "the signature does not match the request",
            ));
        }
        self.parsed.check_digest(&message)?;
        Ok(())
    }
}
