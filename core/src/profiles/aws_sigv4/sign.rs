//! Signing a request: headers (`Authorization`) or a presigned URL (`X-Amz-Signature`).

use crate::freshness::ReplayPolicy;
use crate::profiles::crypto::{hex, hmac_sha256, sha256};
use crate::profiles::error::{ProfileError, ProfileErrorCode};
use crate::profiles::target::Target;
use crate::profiles::time::amz_date;
use crate::signing::{Param, SignableBody, SigningInput, SigningInstructions, SigningScheme};
use crate::Request;

use super::canonical::{self, ALGORITHM};
use super::credentials::AwsCredentials;
use super::key_cache::{SigningKeyCache, SIGNER_CAPACITY};
use super::settings::{
    AwsSigV4Settings, PayloadChecksumKind, SessionTokenMode, SignatureLocation, UNSIGNED_PAYLOAD,
};

/// The longest lifetime of a presigned URL AWS accepts (7 days).
pub const MAX_EXPIRES_IN: u64 = 604_800;

/// A SigV4 signer for one set of credentials, region and service.
///
/// The derived signing key (four HMACs) is computed once per UTC day and reused; clones share
/// that cache, and its keys are zeroized when replaced or dropped.
///
/// ```
/// use sigwire_core::Request;
/// use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4, SignableBody};
///
/// let creds = AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
/// let signer = AwsSigV4::new(creds, "us-east-1", "service")?;
/// let request = Request::new("GET", "https://example.amazonaws.com/");
/// let out = signer.sign(&request, SignableBody::Bytes(b""), 1_440_938_160)?;
/// assert_eq!(out.signature(), "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
/// assert_eq!(out.instructions().header("X-Amz-Date"), Some("20150830T123600Z"));
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
#[derive(Debug, Clone)]
pub struct AwsSigV4 {
    credentials: AwsCredentials,
    region: String,
    service: String,
    settings: AwsSigV4Settings,
    keys: std::sync::Arc<SigningKeyCache>,
}

/// The result of signing: what to add to the request, and every intermediate stage (for
/// debugging a `SignatureDoesNotMatch`: compare with the canonical request AWS returns).
/// `Debug` leaves out the signature (a presigned URL's signature grants access) and the canonical
/// request (it holds the session token when there is one).
#[derive(Clone)]
pub struct AwsSigningOutput {
    instructions: SigningInstructions,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

impl core::fmt::Debug for AwsSigningOutput {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AwsSigningOutput")
            .field("instructions", &self.instructions)
            .field(
                "canonical_request",
                &format_args!(
                    "[{} bytes, may hold the session token]",
                    self.canonical_request.len()
                ),
            )
            .field("string_to_sign", &self.string_to_sign)
            .field("signature", &"[redacted]")
            .finish()
    }
}

impl AwsSigningOutput {
    /// Headers to set or query parameters to append.
    pub fn instructions(&self) -> &SigningInstructions {
        &self.instructions
    }

    /// The canonical request that was signed. It contains the session token, if any: do not log
    /// it where the token must not appear.
    pub fn canonical_request(&self) -> &str {
        &self.canonical_request
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.string_to_sign
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        &self.signature
    }
}

fn check_scope_part(what: &str, value: &str) -> Result<(), ProfileError> {
    if value.is_empty() || value.bytes().any(|b| b == b'/' || !b.is_ascii_graphic()) {
        return Err(ProfileError::new(
            ProfileErrorCode::InvalidSettings,
            format!("{what} must be non-empty printable ASCII without '/'"),
        ));
    }
    Ok(())
}

impl AwsSigV4 {
    /// A signer with the default (generic service) settings.
    pub fn new(
        credentials: AwsCredentials,
        region: impl Into<String>,
        service: impl Into<String>,
    ) -> Result<Self, ProfileError> {
        let (region, service) = (region.into(), service.into());
        check_scope_part("region", &region)?;
        check_scope_part("service", &service)?;
        Ok(AwsSigV4 {
            credentials,
            region,
            service,
            settings: AwsSigV4Settings::default(),
            keys: std::sync::Arc::new(SigningKeyCache::new(SIGNER_CAPACITY)),
        })
    }

    /// Replaces the settings (e.g. [`AwsSigV4Settings::s3`]).
    #[must_use]
    pub fn with_settings(mut self, settings: AwsSigV4Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The settings in use.
    pub fn settings(&self) -> &AwsSigV4Settings {
        &self.settings
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        self.credentials.access_key_id()
    }

    /// Signs `request` at `unix_time` (seconds). The request is not changed: apply the returned
    /// instructions. `body` says what the payload hash covers (usually
    /// `SignableBody::Bytes(request.body_bytes())`).
    pub fn sign(
        &self,
        request: &Request<'_>,
        body: SignableBody<'_>,
        unix_time: u64,
    ) -> Result<AwsSigningOutput, ProfileError> {
        let s = &self.settings;
        let target = Target::parse(request.url())?;
        let query_mode = s.signature_location == SignatureLocation::QueryParams;
        if query_mode && !(1..=MAX_EXPIRES_IN).contains(&s.expires_in) {
            return Err(ProfileError::new(
                ProfileErrorCode::InvalidSettings,
                format!("expires_in must be 1 to {MAX_EXPIRES_IN} seconds"),
            ));
        }
        let date_time = amz_date(unix_time);
        let date = &date_time[..8];
        let scope = canonical::scope(date, &self.region, &self.service);
        let payload_hash = match body {
            SignableBody::Bytes(b) => hex(&sha256(&[b])),
            SignableBody::Unsigned => UNSIGNED_PAYLOAD.to_string(),
            SignableBody::Precomputed(h) => h.to_string(),
        };
        let token = self.credentials.session_token();
        let sign_token = token.is_some() && s.session_token_mode == SessionTokenMode::Include;
        let add_checksum =
            !query_mode && s.payload_checksum_kind == PayloadChecksumKind::XAmzSha256;

        // Headers we set ourselves replace any the caller supplied.
        let ours = |n: &str| {
            n.eq_ignore_ascii_case("x-amz-date")
                || (token.is_some() && n.eq_ignore_ascii_case("x-amz-security-token"))
                || (add_checksum && n.eq_ignore_ascii_case("x-amz-content-sha256"))
        };
        let host = target.host();
        let mut to_sign: Vec<(&str, &str)> = Vec::with_capacity(request.header_lines().len() + 4);
        if !request.has_header("host") {
            to_sign.push(("host", host.as_str()));
        }
        for &(n, v) in request.header_lines() {
            if !ours(n) && !s.excluded_headers.iter().any(|x| x.eq_ignore_ascii_case(n)) {
                if n.is_empty() || n.bytes().any(|b| !b.is_ascii_graphic() || b == b':') {
                    return Err(ProfileError::invalid_request(
                        "a header name is empty or not a token",
                    ));
                }
                to_sign.push((n, v));
            }
        }
        let mut ins = SigningInstructions::default();
        if !query_mode {
            to_sign.push(("x-amz-date", &date_time));
            if let (true, Some(t)) = (sign_token, token) {
                to_sign.push(("x-amz-security-token", t));
            }
            if add_checksum {
                to_sign.push(("x-amz-content-sha256", &payload_hash));
            }
        }
        let (headers_block, signed_headers) = canonical::canonical_headers(&to_sign);

        let credential = format!("{}/{scope}", self.credentials.access_key_id());
        let expires = if query_mode {
            s.expires_in.to_string()
        } else {
            String::new()
        };
        let mut extra: Vec<(&str, &str)> = Vec::new();
        if query_mode {
            extra.push(("X-Amz-Algorithm", ALGORITHM));
            extra.push(("X-Amz-Credential", &credential));
            extra.push(("X-Amz-Date", &date_time));
            extra.push(("X-Amz-SignedHeaders", &signed_headers));
            extra.push(("X-Amz-Expires", &expires));
            if let (true, Some(t)) = (sign_token, token) {
                extra.push(("X-Amz-Security-Token", t));
            }
        }
        let path = canonical::canonical_path(target.path, s);
        let query = canonical::canonical_query(&target.raw_pairs(), &extra);
        let canonical_request = canonical::canonical_request(
            request.method(),
            &path,
            &query,
            &headers_block,
            &signed_headers,
            &payload_hash,
        );
        let string_to_sign = canonical::string_to_sign(&date_time, &scope, &canonical_request);
        let key = self
            .keys
            .signing_key(&self.credentials, date, &self.region, &self.service);
        let signature = hex(&hmac_sha256(&*key, &[string_to_sign.as_bytes()]));

        if query_mode {
            for (n, v) in &extra {
                let sensitive = *n == "X-Amz-Security-Token";
                ins.push_query(Param::new(*n, *v, sensitive));
            }
            // An unsigned token still goes before the signature (the aws-c-auth order).
            if let (false, Some(t)) = (sign_token, token) {
                ins.push_query(Param::new("X-Amz-Security-Token", t, true));
            }
            ins.push_query(Param::new("X-Amz-Signature", signature.clone(), true));
        } else {
            ins.push_header(Param::new("X-Amz-Date", date_time.clone(), false));
            if let Some(t) = token {
                ins.push_header(Param::new("X-Amz-Security-Token", t, true));
            }
            if add_checksum {
                ins.push_header(Param::new(
                    "x-amz-content-sha256",
                    payload_hash.clone(),
                    false,
                ));
            }
            let authorization =
                format!("{ALGORITHM} Credential={credential}, SignedHeaders={signed_headers}, Signature={signature}");
            ins.push_header(Param::new("Authorization", authorization, true));
        }
        Ok(AwsSigningOutput {
            instructions: ins,
            canonical_request,
            string_to_sign,
            signature,
        })
    }
}

impl SigningScheme for AwsSigV4 {
    type Credential = AwsCredentials;
    type Error = ProfileError;

    fn name(&self) -> &'static str {
        "aws-sigv4"
    }

    fn credential(&self) -> &AwsCredentials {
        &self.credentials
    }

    fn replay_policy(&self) -> ReplayPolicy {
        ReplayPolicy::None
    }

    fn sign(
        &self,
        request: &Request<'_>,
        body: SignableBody<'_>,
        input: &SigningInput<'_>,
    ) -> Result<SigningInstructions, ProfileError> {
        AwsSigV4::sign(self, request, body, input.unix_ms / 1000).map(|o| o.instructions)
    }
}
