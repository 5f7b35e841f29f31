//! Signing a request: headers (`Authorization`) or a presigned URL (`X-Amz-Signature`).

use crate::freshness::ReplayPolicy;
use crate::profiles::crypto::{sha256, Hex32};
use crate::profiles::error::{ProfileError, ProfileErrorCode};
use crate::profiles::target::Target;
use crate::profiles::time::AmzDate;
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
    /// The canonical request, then the string to sign (one buffer: one allocation).
    stages: String,
    /// Where the string to sign starts in `stages`.
    string_to_sign_at: usize,
    signature: Hex32,
}

impl core::fmt::Debug for AwsSigningOutput {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AwsSigningOutput")
            .field("instructions", &self.instructions)
            .field(
                "canonical_request",
                &format_args!(
                    "[{} bytes, may hold the session token]",
                    self.canonical_request().len()
                ),
            )
            .field("string_to_sign", &self.string_to_sign())
            .field("signature", &"[redacted]")
            .finish()
    }
}

impl AwsSigningOutput {
    /// Headers to set or query parameters to append.
    pub fn instructions(&self) -> &SigningInstructions {
        &self.instructions
    }

    /// Takes the instructions (a signer that needs only them avoids a copy).
    pub fn into_instructions(self) -> SigningInstructions {
        self.instructions
    }

    /// The canonical request that was signed. It contains the session token, if any: do not log
    /// it where the token must not appear.
    pub fn canonical_request(&self) -> &str {
        &self.stages[..self.string_to_sign_at]
    }

    /// The string to sign.
    pub fn string_to_sign(&self) -> &str {
        &self.stages[self.string_to_sign_at..]
    }

    /// The hex signature.
    pub fn signature(&self) -> &str {
        self.signature.as_str()
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

    /// Whether signing in headers adds `x-amz-content-sha256` (the S3 rules).
    fn adds_checksum(&self) -> bool {
        self.settings.signature_location != SignatureLocation::QueryParams
            && self.settings.payload_checksum_kind == PayloadChecksumKind::XAmzSha256
    }

    /// The names of the headers [`sign`](Self::sign) sets, in its order: `X-Amz-Date`,
    /// `X-Amz-Security-Token` (with a session token), `x-amz-content-sha256` (when the settings
    /// add it), `Authorization`; none when the settings presign (query parameters). They depend
    /// only on the signer, so a binding can learn them once and pass only the values per call.
    ///
    /// ```
    /// use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4};
    ///
    /// let creds = AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?;
    /// let signer = AwsSigV4::new(creds, "us-east-1", "execute-api")?;
    /// assert_eq!(signer.header_names(), ["X-Amz-Date", "Authorization"]);
    /// # Ok::<(), sigwire_core::profiles::ProfileError>(())
    /// ```
    pub fn header_names(&self) -> Vec<&'static str> {
        if self.settings.signature_location == SignatureLocation::QueryParams {
            return Vec::new();
        }
        let mut names = vec!["X-Amz-Date"];
        if self.credentials.session_token().is_some() {
            names.push("X-Amz-Security-Token");
        }
        if self.adds_checksum() {
            names.push("x-amz-content-sha256");
        }
        names.push("Authorization");
        names
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
        let amz_date = AmzDate::new(unix_time);
        let date_time = amz_date.as_str();
        let date = &date_time[..8];
        let body_hash;
        let payload_hash = match body {
            SignableBody::Bytes(b) => {
                body_hash = Hex32::new(&sha256(&[b]));
                body_hash.as_str()
            }
            SignableBody::Unsigned => UNSIGNED_PAYLOAD,
            SignableBody::Precomputed(h) => h,
        };
        let token = self.credentials.session_token();
        let sign_token = token.is_some() && s.session_token_mode == SessionTokenMode::Include;
        let add_checksum = self.adds_checksum();

        // Headers we set ourselves replace any the caller supplied.
        let ours = |n: &str| {
            n.eq_ignore_ascii_case("x-amz-date")
                || (token.is_some() && n.eq_ignore_ascii_case("x-amz-security-token"))
                || (add_checksum && n.eq_ignore_ascii_case("x-amz-content-sha256"))
        };
        let host = target.host();
        let mut to_sign: Vec<(&str, &str)> = Vec::with_capacity(request.header_lines().len() + 4);
        if !request.has_header("host") {
            to_sign.push(("host", &host));
        }
        for &(n, v) in request.header_lines() {
            if !ours(n) && !s.excluded_headers.iter().any(|x| x.eq_ignore_ascii_case(n)) {
                // A fold, not `any`: no early exit, so many bytes are tested at once.
                let bad = n
                    .bytes()
                    .fold(false, |bad, b| bad | !b.is_ascii_graphic() | (b == b':'));
                if n.is_empty() || bad {
                    return Err(ProfileError::invalid_request(
                        "a header name is empty or not a token",
                    ));
                }
                to_sign.push((n, v));
            }
        }
        if !query_mode {
            to_sign.push(("x-amz-date", date_time));
            if let (true, Some(t)) = (sign_token, token) {
                to_sign.push(("x-amz-security-token", t));
            }
            if add_checksum {
                to_sign.push(("x-amz-content-sha256", payload_hash));
            }
        }
        canonical::sort_headers(&mut to_sign);

        // The canonical request, then the string to sign, in one buffer.
        let headers_len: usize = to_sign.iter().map(|(n, v)| 2 * n.len() + v.len() + 2).sum();
        let mut buf = String::with_capacity(
            request.method().len()
                + 3 * (target.path.len() + target.query.map_or(0, str::len))
                + if query_mode { 512 } else { 0 }
                + headers_len
                + 2 * payload_hash.len()
                + 2 * (self.region.len() + self.service.len())
                + 160,
        );
        buf.push_str(request.method());
        buf.push('\n');
        canonical::push_path(&mut buf, target.path, s);
        buf.push('\n');
        let raw_query = crate::profiles::target::split_pairs_iter(target.query.unwrap_or(""));
        // Query signing: the signed headers and credential are query parameters.
        let mut extra_params = String::new();
        if query_mode {
            extra_params.push_str(self.credentials.access_key_id());
            extra_params.push('/');
            canonical::push_scope(&mut extra_params, date, &self.region, &self.service);
            let credential_end = extra_params.len();
            canonical::push_signed_headers(&mut extra_params, &to_sign);
            let signed_end = extra_params.len();
            let expires = s.expires_in.to_string();
            extra_params.push_str(&expires);
            let (credential, rest) = extra_params.split_at(credential_end);
            let (signed_headers, expires) = rest.split_at(signed_end - credential_end);
            let mut extra: Vec<(&'static str, &str)> = vec![
                ("X-Amz-Algorithm", ALGORITHM),
                ("X-Amz-Credential", credential),
                ("X-Amz-Date", date_time),
                ("X-Amz-SignedHeaders", signed_headers),
                ("X-Amz-Expires", expires),
            ];
            if let (true, Some(t)) = (sign_token, token) {
                extra.push(("X-Amz-Security-Token", t));
            }
            canonical::push_query(&mut buf, raw_query, &extra);
            let mut ins = SigningInstructions::default();
            for &(n, v) in &extra {
                ins.push_query(Param::named(n, v, n == "X-Amz-Security-Token"));
            }
            let (stages, at, signature, _) = self.finish(buf, &to_sign, payload_hash, date_time);
            // An unsigned token still goes before the signature (the aws-c-auth order).
            if let (false, Some(t)) = (sign_token, token) {
                ins.push_query(Param::named("X-Amz-Security-Token", t, true));
            }
            ins.push_query(Param::named("X-Amz-Signature", signature.as_str(), true));
            return Ok(AwsSigningOutput {
                instructions: ins,
                stages,
                string_to_sign_at: at,
                signature,
            });
        }
        canonical::push_query(&mut buf, raw_query, &[]);
        let (stages, at, signature, signed) = self.finish(buf, &to_sign, payload_hash, date_time);

        let mut ins = SigningInstructions::default();
        ins.push_header(Param::named("X-Amz-Date", date_time, false));
        if let Some(t) = token {
            ins.push_header(Param::named("X-Amz-Security-Token", t, true));
        }
        if add_checksum {
            ins.push_header(Param::named("x-amz-content-sha256", payload_hash, false));
        }
        let id = self.credentials.access_key_id();
        // `AWS4-HMAC-SHA256 Credential=<id>/<date>/<region>/<service>/aws4_request,
        // SignedHeaders=<list>, Signature=<64 hex>`: exactly this many bytes.
        let mut authorization = String::with_capacity(
            ALGORITHM.len()
                + " Credential=/".len()
                + id.len()
                + "YYYYMMDD//".len()
                + self.region.len()
                + self.service.len()
                + "/aws4_request, SignedHeaders=".len()
                + signed.len()
                + ", Signature=".len()
                + 64,
        );
        authorization.push_str(ALGORITHM);
        authorization.push_str(" Credential=");
        authorization.push_str(id);
        authorization.push('/');
        canonical::push_scope(&mut authorization, date, &self.region, &self.service);
        authorization.push_str(", SignedHeaders=");
        // The list the canonical request holds, copied (it is written once).
        authorization.push_str(&stages[signed]);
        authorization.push_str(", Signature=");
        authorization.push_str(signature.as_str());
        ins.push_header(Param::named("Authorization", authorization, true));
        Ok(AwsSigningOutput {
            instructions: ins,
            stages,
            string_to_sign_at: at,
            signature,
        })
    }

    /// Completes a canonical request whose method, path and query are in `buf`: appends the
    /// headers block, the signed headers and the payload hash, then the string to sign, and
    /// signs. Returns the buffer, where the string to sign starts, the signature, and where the
    /// signed-headers list is in the buffer.
    fn finish(
        &self,
        mut buf: String,
        sorted_headers: &[(&str, &str)],
        payload_hash: &str,
        date_time: &str,
    ) -> (String, usize, Hex32, core::ops::Range<usize>) {
        buf.push('\n');
        canonical::push_headers(&mut buf, sorted_headers);
        buf.push('\n');
        let signed_start = buf.len();
        canonical::push_signed_headers(&mut buf, sorted_headers);
        let signed = signed_start..buf.len();
        buf.push('\n');
        buf.push_str(payload_hash);
        let at = buf.len();
        let date = &date_time[..8];
        let hash = sha256(&[buf.as_bytes()]);
        canonical::push_string_to_sign(
            &mut buf,
            date_time,
            date,
            &self.region,
            &self.service,
            &hash,
        );
        let key = self
            .keys
            .signing_key(&self.credentials, date, &self.region, &self.service);
        let signature = Hex32::new(&key.mac(&buf.as_bytes()[at..]));
        (buf, at, signature, signed)
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
