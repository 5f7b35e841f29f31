//! Server-side verification of a SigV4 request signed in headers or as a presigned URL.

use crate::profiles::crypto::{ct_eq, hex, hex_decode, sha256};
use crate::profiles::error::{ProfileError, ProfileErrorCode};
use crate::profiles::target::Target;
use crate::profiles::time::parse_amz_date;
use crate::profiles::ProfileKeys;
use crate::Request;

use super::canonical::{self, ALGORITHM};
use super::credentials::AwsCredentials;
use super::key_cache::{SigningKeyCache, VERIFIER_CAPACITY};
use super::settings::{AwsSigV4Settings, SessionTokenMode, UNSIGNED_PAYLOAD};
use super::sign::MAX_EXPIRES_IN;
use super::signing_key::SigningKey;

/// What a verified request proved.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsVerified {
    /// The access key id that signed.
    pub access_key_id: String,
    /// The lowercase names of the signed headers.
    pub signed_headers: Vec<String>,
    /// Whether the signature came from a presigned URL.
    pub presigned: bool,
    /// The request time (`X-Amz-Date`) in Unix seconds.
    pub signed_at: u64,
    /// Presigned: the last second (Unix) the URL is accepted, `X-Amz-Date + X-Amz-Expires`;
    /// `None` when signed in headers.
    pub expires_at: Option<u64>,
}

/// Verifies SigV4 requests for one region and service, looking credentials up by access key id.
///
/// Derived signing keys are cached (at most 64, least recently used evicted, zeroized on
/// eviction and drop), keyed by the secret's identity, date, region and service.
///
/// ```
/// use sigwire_core::Request;
/// use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4, AwsSigV4Verifier, SignableBody};
///
/// let creds = AwsCredentials::new("AKID", "secret")?;
/// let signer = AwsSigV4::new(creds.clone(), "eu-west-1", "execute-api")?;
/// let request = Request::new("GET", "https://api.example.com/items?a=1");
/// let out = signer.sign(&request, SignableBody::Bytes(b""), 1_700_000_000)?;
/// let headers: Vec<(String, String)> = out.instructions().apply_to_headers(&[]);
/// let signed = request.clone().headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
///
/// let verifier = AwsSigV4Verifier::new("eu-west-1", "execute-api", move |id: &str| {
///     (id == "AKID").then(|| creds.clone())
/// });
/// assert_eq!(verifier.verify(&signed, 1_700_000_030)?.access_key_id, "AKID");
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
pub struct AwsSigV4Verifier<F> {
    lookup: F,
    region: String,
    service: String,
    settings: AwsSigV4Settings,
    keys: SigningKeyCache,
}

impl<F> core::fmt::Debug for AwsSigV4Verifier<F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AwsSigV4Verifier")
            .field("region", &self.region)
            .field("service", &self.service)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

struct Parsed<'a> {
    credential: &'a str,
    signed_headers: &'a str,
    signature: &'a str,
    date: &'a str,
    expires: Option<&'a str>,
}

fn malformed(what: &str) -> ProfileError {
    ProfileError::malformed(format!("SigV4 {what} is malformed"))
}

fn parse_authorization(value: &str) -> Result<(&str, &str, &str), ProfileError> {
    let rest = match value.split_once(' ') {
        Some((alg, rest)) if alg == ALGORITHM => rest,
        Some(_) | None => {
            return Err(ProfileError::new(
                ProfileErrorCode::UnsupportedAlgorithm,
                "Authorization is not AWS4-HMAC-SHA256",
            ))
        }
    };
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| malformed("Authorization header"))?;
        let slot = match k {
            "Credential" => &mut credential,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut signature,
            _ => return Err(malformed("Authorization header")),
        };
        if slot.replace(v).is_some() {
            return Err(malformed("Authorization header"));
        }
    }
    match (credential, signed, signature) {
        (Some(c), Some(h), Some(s)) => Ok((c, h, s)),
        _ => Err(malformed("Authorization header")),
    }
}

impl<F> AwsSigV4Verifier<F>
where
    F: ProfileKeys<AwsCredentials>,
{
    /// A verifier for `region` and `service` with the default (generic service) settings.
    /// `lookup` returns the credentials of an access key id (`None`: unknown), or is a
    /// [`ProfileKeys`] giving every live secret of a key id during a rotation.
    pub fn new(region: impl Into<String>, service: impl Into<String>, lookup: F) -> Self {
        AwsSigV4Verifier {
            lookup,
            region: region.into(),
            service: service.into(),
            settings: AwsSigV4Settings::default(),
            keys: SigningKeyCache::new(VERIFIER_CAPACITY),
        }
    }

    /// Replaces the settings (path rules, excluded headers and `max_clock_skew` are used).
    #[must_use]
    pub fn with_settings(mut self, settings: AwsSigV4Settings) -> Self {
        self.settings = settings;
        self
    }

    /// Verifies `request` at `unix_now`. The body must be the exact bytes received.
    pub fn verify(
        &self,
        request: &Request<'_>,
        unix_now: u64,
    ) -> Result<AwsVerified, ProfileError> {
        let parsed = parse_request(request, &self.region, &self.service, &self.settings)?;
        parsed.check_time(unix_now, self.settings.max_clock_skew)?;
        let (mut known, mut token_ok, mut ok) = (false, false, false);
        // Every live credential of the key id is tried (rotation); all are computed.
        for creds in self.lookup.keys(&parsed.access_key_id) {
            known = true;
            if let Some(expected) = creds.session_token() {
                if !parsed
                    .session_token
                    .as_deref()
                    .is_some_and(|t| ct_eq(t, expected.as_bytes()))
                {
                    continue;
                }
            }
            token_ok = true;
            let key = self
                .keys
                .signing_key(&creds, &parsed.date, &parsed.region, &parsed.service);
            ok |= parsed.matches_key(&key);
        }
        if !known {
            return Err(ProfileError::new(
                ProfileErrorCode::UnknownKey,
                "the access key id is not known",
            ));
        }
        if !token_ok {
            return Err(ProfileError::new(
                ProfileErrorCode::UnknownKey,
                "the session token is missing or not valid",
            ));
        }
        if !ok {
            return Err(ProfileError::mismatch());
        }
        Ok(parsed.into_verified())
    }
}

/// A SigV4 signature read from a request: everything that needs no secret is checked, and the
/// canonical requests it may have signed are built.
#[derive(Clone)]
pub(crate) struct ParsedSigV4 {
    pub access_key_id: String,
    date: String,
    date_time: String,
    region: String,
    service: String,
    pub signed_at: u64,
    pub expires_in: Option<u64>,
    names: Vec<String>,
    signature: Vec<u8>,
    canonical_requests: Vec<String>,
    session_token: Option<Vec<u8>>,
}

/// Reads and checks a SigV4 signature (header or presigned) for `region` and `service`.
pub(crate) fn parse_request(
    request: &Request<'_>,
    region: &str,
    service: &str,
    settings: &AwsSigV4Settings,
) -> Result<ParsedSigV4, ProfileError> {
    let target = Target::parse(request.url())?;
    let raw_pairs = target.raw_pairs();
    let param = |name: &str| -> Result<Option<&str>, ProfileError> {
        let mut it = raw_pairs
            .iter()
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| *v);
        let first = it.next();
        if it.next().is_some() {
            return Err(malformed(&format!("{name} parameter (repeated)")));
        }
        Ok(first)
    };
    let mut auth_headers = request.header_values("authorization");
    let parsed = match (auth_headers.next(), param("X-Amz-Algorithm")?) {
        (Some(_), _) if auth_headers.next().is_some() => {
            return Err(malformed("Authorization header (repeated)"))
        }
        (Some(value), None) => {
            let (credential, signed_headers, signature) = parse_authorization(value)?;
            let mut dates = request.header_values("x-amz-date");
            let date = dates.next().ok_or_else(|| {
                ProfileError::new(
                    ProfileErrorCode::MissingHeader,
                    "X-Amz-Date header is required",
                )
            })?;
            if dates.next().is_some() {
                return Err(malformed("X-Amz-Date header (repeated)"));
            }
            Parsed {
                credential,
                signed_headers,
                signature,
                date,
                expires: None,
            }
        }
        (None, Some(alg)) => {
            if alg != ALGORITHM {
                return Err(ProfileError::new(
                    ProfileErrorCode::UnsupportedAlgorithm,
                    "X-Amz-Algorithm is not AWS4-HMAC-SHA256",
                ));
            }
            let need = |n: &str| -> Result<&str, ProfileError> {
                param(n)?.ok_or_else(|| malformed(&format!("presigned URL (no {n})")))
            };
            Parsed {
                credential: need("X-Amz-Credential")?,
                signed_headers: need("X-Amz-SignedHeaders")?,
                signature: need("X-Amz-Signature")?,
                date: need("X-Amz-Date")?,
                expires: Some(need("X-Amz-Expires")?),
            }
        }
        (Some(_), Some(_)) => return Err(malformed("request (signed in both header and query)")),
        (None, None) => {
            return Err(ProfileError::new(
                ProfileErrorCode::MissingSignature,
                "no Authorization header or X-Amz-Signature",
            ))
        }
    };
    let presigned = parsed.expires.is_some();
    // Query values arrive percent-encoded.
    let decode = |s: &str| {
        String::from_utf8(crate::profiles::percent::decode(s)).map_err(|_| malformed("parameter"))
    };
    let (credential, signed_headers_list, date_time) = if presigned {
        (
            decode(parsed.credential)?,
            decode(parsed.signed_headers)?,
            decode(parsed.date)?,
        )
    } else {
        (
            parsed.credential.to_string(),
            parsed.signed_headers.to_string(),
            parsed.date.to_string(),
        )
    };
    let signature = hex_decode(parsed.signature)
        .filter(|s| s.len() == 32)
        .ok_or_else(|| malformed("signature"))?;

    let mut cred_parts = credential.rsplitn(5, '/');
    let (term, cred_service, cred_region, date, access_key_id) = match (
        cred_parts.next(),
        cred_parts.next(),
        cred_parts.next(),
        cred_parts.next(),
        cred_parts.next(),
    ) {
        (Some(t), Some(s), Some(r), Some(d), Some(a)) => (t, s, r, d, a),
        _ => return Err(malformed("Credential")),
    };
    if term != "aws4_request" {
        return Err(malformed("Credential"));
    }
    let signed_at = parse_amz_date(&date_time).ok_or_else(|| malformed("X-Amz-Date"))?;
    if date != &date_time[..8] || cred_region != region || cred_service != service {
        return Err(ProfileError::new(
            ProfileErrorCode::CredentialScopeMismatch,
            format!("credential scope must be <date>/{region}/{service}/aws4_request for the request date"),
        ));
    }
    let expires_in = match parsed.expires {
        Some(e) => Some(
            e.parse::<u64>()
                .ok()
                .filter(|e| (1..=MAX_EXPIRES_IN).contains(e))
                .ok_or_else(|| malformed("X-Amz-Expires"))?,
        ),
        None => None,
    };

    let names: Vec<&str> = signed_headers_list.split(';').collect();
    if names
        .iter()
        .any(|n| n.is_empty() || n.bytes().any(|b| b.is_ascii_uppercase()))
        || names.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(malformed(
            "SignedHeaders (must be sorted, lowercase, unique)",
        ));
    }
    if !names.contains(&"host") {
        return Err(ProfileError::new(
            ProfileErrorCode::InsufficientCoverage,
            "the Host header must be signed",
        ));
    }
    let host = target.host();
    let mut to_sign: Vec<(&str, &str)> = Vec::new();
    for name in &names {
        let before = to_sign.len();
        to_sign.extend(
            request
                .header_lines()
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .copied(),
        );
        if to_sign.len() == before {
            if *name == "host" {
                to_sign.push(("host", &host));
            } else {
                return Err(ProfileError::invalid_request(format!(
                    "signed header {name} is not in the request"
                )));
            }
        }
    }
    let (headers_block, signed) = canonical::canonical_headers(&to_sign);

    let body_hash = hex(&sha256(&[request.body_bytes()]));
    let mut payload_hashes: Vec<String> = Vec::new();
    match request.header_values("x-amz-content-sha256").next() {
        Some(declared) if declared == UNSIGNED_PAYLOAD || declared.starts_with("STREAMING-") => {
            payload_hashes.push(declared.to_string())
        }
        Some(declared) => {
            if !ct_eq(
                declared.to_ascii_lowercase().as_bytes(),
                body_hash.as_bytes(),
            ) {
                return Err(ProfileError::new(
                    ProfileErrorCode::DigestMismatch,
                    "x-amz-content-sha256 does not match the body",
                ));
            }
            payload_hashes.push(declared.to_string());
        }
        None => {
            payload_hashes.push(body_hash);
            if presigned {
                payload_hashes.push(UNSIGNED_PAYLOAD.to_string());
            }
        }
    }
    let token_unsigned = settings.session_token_mode == SessionTokenMode::Exclude;
    let kept: Vec<(&str, &str)> = raw_pairs
        .iter()
        .filter(|(k, _)| {
            !(presigned
                && (*k == "X-Amz-Signature" || (token_unsigned && *k == "X-Amz-Security-Token")))
        })
        .copied()
        .collect();
    let path = canonical::canonical_path(target.path, settings);
    let query = canonical::canonical_query(&kept, &[]);
    let canonical_requests = payload_hashes
        .iter()
        .map(|h| {
            canonical::canonical_request(
                request.method(),
                &path,
                &query,
                &headers_block,
                &signed,
                h,
            )
        })
        .collect();
    let session_token = if presigned {
        param("X-Amz-Security-Token")?.map(crate::profiles::percent::decode)
    } else {
        request
            .header_values("x-amz-security-token")
            .next()
            .map(|t| t.trim().as_bytes().to_vec())
    };
    Ok(ParsedSigV4 {
        access_key_id: access_key_id.to_string(),
        date: date.to_string(),
        date_time,
        region: region.to_string(),
        service: service.to_string(),
        signed_at,
        expires_in,
        names: names.iter().map(|s| (*s).to_string()).collect(),
        signature,
        canonical_requests,
        session_token,
    })
}

impl ParsedSigV4 {
    /// Header-signed: `|now - X-Amz-Date| <= skew`. Presigned: not expired, not signed more than
    /// `skew` in the future.
    pub(crate) fn check_time(&self, now: u64, skew: u64) -> Result<(), ProfileError> {
        match self.expires_in {
            Some(exp) => {
                if now > self.signed_at.saturating_add(exp) {
                    return Err(ProfileError::new(
                        ProfileErrorCode::SignatureExpired,
                        "the presigned URL has expired",
                    ));
                }
                if self.signed_at > now.saturating_add(skew) {
                    return Err(ProfileError::new(
                        ProfileErrorCode::TimestampOutOfTolerance,
                        "X-Amz-Date is in the future",
                    ));
                }
            }
            None if self.signed_at.abs_diff(now) > skew => {
                return Err(ProfileError::new(
                    ProfileErrorCode::TimestampOutOfTolerance,
                    format!("X-Amz-Date is more than {skew} s from the server's clock"),
                ))
            }
            None => {}
        }
        Ok(())
    }

    /// Whether the signature was made with `secret` (every candidate is computed and compared in
    /// constant time).
    pub(crate) fn matches(&self, secret: &[u8]) -> bool {
        let key = canonical::signing_key(secret, &self.date, &self.region, &self.service);
        self.matches_key(&SigningKey::new(&key))
    }

    /// Whether the signature was made with the derived signing `key` of this request's scope.
    pub(crate) fn matches_key(&self, key: &SigningKey) -> bool {
        let mut sts = String::with_capacity(128);
        let mut ok = false;
        for creq in &self.canonical_requests {
            sts.clear();
            canonical::push_string_to_sign(
                &mut sts,
                &self.date_time,
                &self.date,
                &self.region,
                &self.service,
                &sha256(&[creq.as_bytes()]),
            );
            ok |= ct_eq(&key.mac(sts.as_bytes()), &self.signature);
        }
        ok
    }

    pub(crate) fn into_verified(self) -> AwsVerified {
        AwsVerified {
            access_key_id: self.access_key_id,
            signed_headers: self.names,
            presigned: self.expires_in.is_some(),
            signed_at: self.signed_at,
            expires_at: self.expires_in.map(|e| self.signed_at.saturating_add(e)),
        }
    }
}
