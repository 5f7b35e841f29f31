//! AWS SigV4 signers and verifiers from the arguments every binding receives.

use std::borrow::Cow;
use std::collections::HashMap;

use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, AwsSigV4Verifier, AwsSigningOutput,
    SessionTokenMode, SignatureLocation,
};
use sigwire_core::profiles::{ProfileError, SignableBody};
use sigwire_core::Request;

/// The SigV4 options shared by signers and verifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsOptions {
    /// S3's rules (no double URI-encoding, no path normalisation) instead of the generic ones.
    pub s3: bool,
    /// Sign `X-Amz-Security-Token` (default); `false` adds it after signing (some services).
    pub sign_session_token: bool,
    /// Verifier: the accepted clock difference in seconds (`None`: the core's default).
    pub max_clock_skew: Option<u64>,
}

impl Default for AwsOptions {
    fn default() -> Self {
        AwsOptions {
            s3: false,
            sign_session_token: true,
            max_clock_skew: None,
        }
    }
}

impl AwsOptions {
    /// Options from the values a binding receives.
    pub fn new(s3: bool, sign_session_token: bool, max_clock_skew: Option<u64>) -> Self {
        AwsOptions {
            s3,
            sign_session_token,
            max_clock_skew,
        }
    }

    fn settings(&self) -> AwsSigV4Settings {
        let mut s = if self.s3 {
            AwsSigV4Settings::s3()
        } else {
            AwsSigV4Settings::default()
        };
        if !self.sign_session_token {
            s.session_token_mode = SessionTokenMode::Exclude;
        }
        if let Some(m) = self.max_clock_skew {
            s.max_clock_skew = m;
        }
        s
    }
}

/// A SigV4 signer for one set of credentials, region and service.
pub fn aws_signer(
    access_key_id: impl Into<String>,
    secret_access_key: impl Into<String>,
    session_token: Option<String>,
    region: impl Into<String>,
    service: impl Into<String>,
    options: &AwsOptions,
) -> Result<AwsSigV4, ProfileError> {
    let mut creds = AwsCredentials::new(access_key_id, secret_access_key)?;
    if let Some(t) = session_token {
        creds = creds.with_session_token(t);
    }
    Ok(AwsSigV4::new(creds, region, service)?.with_settings(options.settings()))
}

/// How one SigV4 signature is made: in headers (default) or as a presigned URL, over the body's
/// hash or `UNSIGNED-PAYLOAD`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsSign {
    /// Sign `UNSIGNED-PAYLOAD` instead of the body's SHA-256.
    pub unsigned_payload: bool,
    /// A presigned URL valid this many seconds (1 to 604 800, else `invalid_settings`).
    pub presign_expires: Option<u64>,
}

impl AwsSign {
    /// The two choices a binding receives.
    pub fn new(unsigned_payload: bool, presign_expires: Option<u64>) -> Self {
        AwsSign {
            unsigned_payload,
            presign_expires,
        }
    }

    /// Signs `request` at `unix_time` (seconds) with `signer` as asked.
    pub fn sign(
        &self,
        signer: &AwsSigV4,
        request: &Request<'_>,
        unix_time: u64,
    ) -> Result<AwsSigningOutput, ProfileError> {
        let signer = match self.presign_expires {
            Some(expires) => {
                let mut s = signer.settings().clone();
                s.signature_location = SignatureLocation::QueryParams;
                s.expires_in = expires;
                // The clone shares the signer's derived-key cache.
                Cow::Owned(signer.clone().with_settings(s))
            }
            None => Cow::Borrowed(signer),
        };
        let body = if self.unsigned_payload {
            SignableBody::Unsigned
        } else {
            SignableBody::Bytes(request.body_bytes())
        };
        signer.sign(request, body, unix_time)
    }
}

/// The credential lookup of a verifier built by [`aws_verifier`].
pub type AwsLookup = Box<dyn Fn(&str) -> Option<AwsCredentials> + Send + Sync>;

/// A SigV4 verifier for one region and service over `credentials` (access key id, secret);
/// a bad pair fails here, not at the first request.
pub fn aws_verifier<I, K, S>(
    region: impl Into<String>,
    service: impl Into<String>,
    credentials: I,
    options: &AwsOptions,
) -> Result<AwsSigV4Verifier<AwsLookup>, ProfileError>
where
    I: IntoIterator<Item = (K, S)>,
    K: Into<String>,
    S: Into<String>,
{
    let mut keys = HashMap::new();
    for (id, secret) in credentials {
        let id = id.into();
        let c = AwsCredentials::new(id.clone(), secret)?;
        keys.insert(id, c);
    }
    let lookup: AwsLookup = Box::new(move |id: &str| keys.get(id).cloned());
    Ok(AwsSigV4Verifier::new(region, service, lookup).with_settings(options.settings()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigwire_core::profiles::ProfileErrorCode;

    const AKID: &str = "AKIAIOSFODNN7EXAMPLE";
    const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    #[test]
    fn s3_presigned_example_and_verify() {
        let o = AwsOptions::new(true, true, None);
        let url = "https://examplebucket.s3.amazonaws.com/test.txt";
        let signed = aws_signer(AKID, SECRET, None, "us-east-1", "s3", &o)
            .and_then(|s| {
                AwsSign::new(true, Some(86_400)).sign(&s, &Request::new("GET", url), 1_369_353_600)
            })
            .map(|out| out.instructions().apply_to_url(url))
            .unwrap_or_default();
        assert!(signed.ends_with(
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"
        ));
        let v = aws_verifier("us-east-1", "s3", [(AKID, SECRET)], &o);
        let ok = v.as_ref().map(|v| {
            v.verify(&Request::new("GET", &signed), 1_369_353_600 + 86_400)
                .is_ok()
        });
        assert_eq!(ok.ok(), Some(true));
        let late = v.map(|v| {
            v.verify(&Request::new("GET", &signed), 1_369_353_600 + 86_401)
                .err()
                .map(|e| e.code())
        });
        assert_eq!(
            late.ok().flatten(),
            Some(ProfileErrorCode::SignatureExpired)
        );
    }

    #[test]
    fn bad_input_is_typed() {
        let o = AwsOptions::default();
        let code = |r: Result<AwsSigV4, ProfileError>| r.err().map(|e| e.code());
        assert_eq!(
            code(aws_signer("", "s", None, "r", "s", &o)),
            Some(ProfileErrorCode::InvalidCredentials)
        );
        let s = aws_signer("a", "s", None, "r", "s", &o);
        let too_long = s.map(|s| {
            AwsSign::new(true, Some(604_801))
                .sign(&s, &Request::new("GET", "https://h/"), 1)
                .err()
                .map(|e| e.code())
        });
        assert_eq!(
            too_long.ok().flatten(),
            Some(ProfileErrorCode::InvalidSettings)
        );
        assert!(aws_verifier("r", "s", [("bad id", "s")], &o).is_err());
    }
}
