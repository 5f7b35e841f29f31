//! SigV4 as a plug-in of the core [`Verifier`](crate::Verifier): the key store (with rotation)
//! holds secret access keys by access key id; the verifier enforces the time rules.

use std::sync::Arc;

use crate::credentials::Secret;
use crate::error::{Error, ErrorCode};
use crate::freshness::{Freshness, ReplayPolicy, Timestamp};
use crate::scheme::{Claim, Scheme};
use crate::Request;

use super::canonical::ALGORITHM;
use super::settings::AwsSigV4Settings;
use super::verify::{parse_request, ParsedSigV4};

/// Verifies SigV4 requests (header-signed and presigned) inside a core
/// [`Verifier`](crate::Verifier), for one region and service.
///
/// Header-signed requests are accepted within `max_clock_skew` of `X-Amz-Date` (default 900 s);
/// presigned URLs until `X-Amz-Date + X-Amz-Expires`. SigV4 has no nonce: a captured request can
/// be replayed inside that window (as with AWS itself). Session tokens are not checked here (the
/// key store holds secrets only): use [`AwsSigV4Verifier`](super::AwsSigV4Verifier) for them.
///
/// ```
/// use std::sync::Arc;
/// use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4, AwsSigV4Scheme, SignableBody};
/// use sigwire_core::{InMemoryKeyStore, Request, Verifier};
///
/// let keys = Arc::new(InMemoryKeyStore::new());
/// keys.insert("AKIDEXAMPLE", b"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_vec(), None)?;
/// let verifier = Verifier::builder(keys).scheme(Box::new(AwsSigV4Scheme::new("us-east-1", "execute-api"))).build();
///
/// let creds = AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").unwrap();
/// let signer = AwsSigV4::new(creds, "us-east-1", "execute-api").unwrap();
/// let request = Request::new("GET", "https://api.example.com/items");
/// let out = signer.sign(&request, SignableBody::Bytes(b""), 1_700_000_000).unwrap();
/// let headers = out.instructions().apply_to_headers(&[]);
/// let signed = request.clone().headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
/// assert_eq!(verifier.verify_at(&signed, 1_700_000_060)?.key_id, "AKIDEXAMPLE");
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AwsSigV4Scheme {
    region: String,
    service: String,
    settings: AwsSigV4Settings,
}

impl AwsSigV4Scheme {
    /// A scheme for `region` and `service` with the generic-service rules.
    pub fn new(region: impl Into<String>, service: impl Into<String>) -> Self {
        AwsSigV4Scheme {
            region: region.into(),
            service: service.into(),
            settings: AwsSigV4Settings::default(),
        }
    }

    /// Replaces the settings (path rules, session token mode and `max_clock_skew` are used).
    #[must_use]
    pub fn with_settings(mut self, settings: AwsSigV4Settings) -> Self {
        self.settings = settings;
        self
    }
}

struct SigV4Claim {
    parsed: ParsedSigV4,
    skew: u64,
}

impl Scheme for AwsSigV4Scheme {
    fn name(&self) -> &'static str {
        "aws-sigv4"
    }

    fn claims(&self, request: &Request<'_>) -> bool {
        let header = request
            .header_values("authorization")
            .any(|v| v.split_once(' ').is_some_and(|(alg, _)| alg == ALGORITHM));
        let query = request
            .url()
            .split_once('?')
            .is_some_and(|(_, q)| q.split('&').any(|p| p.starts_with("X-Amz-Algorithm=")));
        header || query
    }

    fn parse<'r>(&self, request: &'r Request<'r>) -> Result<Box<dyn Claim + 'r>, Error> {
        let parsed = parse_request(request, &self.region, &self.service, &self.settings)?;
        Ok(Box::new(SigV4Claim {
            parsed,
            skew: self.settings.max_clock_skew,
        }))
    }
}

impl Claim for SigV4Claim {
    fn key_id(&self) -> &str {
        &self.parsed.access_key_id
    }

    fn timestamp(&self) -> u64 {
        self.parsed.signed_at
    }

    fn nonce(&self) -> Option<&str> {
        None
    }

    fn freshness(&self) -> Freshness {
        let at = self.parsed.signed_at;
        match self.parsed.expires_in {
            Some(exp) => Freshness::Interval {
                not_before: Some(Timestamp::seconds(at.saturating_sub(self.skew))),
                expires: Timestamp::seconds(at.saturating_add(exp)),
            },
            None => Freshness::Created {
                at: Timestamp::seconds(at),
                max_age: Some(self.skew),
                max_ahead: Some(self.skew),
            },
        }
    }

    fn replay_policy(&self) -> ReplayPolicy {
        ReplayPolicy::None
    }

    fn check(&self, secrets: &[Arc<Secret>]) -> Result<(), Error> {
        let mut ok = false;
        for s in secrets {
            ok |= self.parsed.matches(s.expose());
        }
        if ok {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::SignatureMismatch,
                "the signature does not match the request",
            ))
        }
    }
}
