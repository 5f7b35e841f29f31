//! AWS credentials: access key id, secret access key and optional session token.

use core::fmt;

use std::sync::OnceLock;

use zeroize::Zeroizing;

use crate::profiles::crypto::hmac_sha256;
use crate::profiles::error::ProfileError;

/// A random key, drawn once per process, under which secrets are fingerprinted: the fingerprint
/// identifies a secret (for the signing-key cache) without being a plain hash of it.
fn fingerprint_key() -> &'static [u8; 32] {
    static KEY: OnceLock<[u8; 32]> = OnceLock::new();
    KEY.get_or_init(|| {
        let mut key = [0u8; 32];
        // Without OS randomness the fingerprint is an unkeyed HMAC: still an identity.
        let _ = getrandom::fill(&mut key);
        key
    })
}

/// AWS credentials. The secret key and session token are zeroized on drop and never printed:
/// `Debug` shows only the access key id.
///
/// ```
/// use sigwire_core::profiles::aws_sigv4::AwsCredentials;
///
/// let c = AwsCredentials::new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")?
///     .with_session_token("token");
/// assert!(!format!("{c:?}").contains("EXAMPLEKEY"));
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
#[derive(Clone)]
pub struct AwsCredentials {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    /// HMAC-SHA-256 of the secret under [`fingerprint_key`]: the secret's identity.
    fingerprint: Zeroizing<[u8; 32]>,
    session_token: Option<Zeroizing<String>>,
}

impl AwsCredentials {
    /// Long-term or temporary credentials; an empty key id or secret, or a key id containing `/`,
    /// `,`, `=` or whitespace, is `invalid_credentials`.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> Result<Self, ProfileError> {
        let access_key_id = access_key_id.into();
        let secret_access_key = Zeroizing::new(secret_access_key.into());
        if access_key_id.is_empty()
            || access_key_id.bytes().any(|b| {
                matches!(b, b'/' | b',' | b'=') || b.is_ascii_whitespace() || b.is_ascii_control()
            })
        {
            return Err(ProfileError::invalid_credentials(
                "access key id must be non-empty and contain no '/', ',', '=' or whitespace",
            ));
        }
        if secret_access_key.is_empty() {
            return Err(ProfileError::invalid_credentials(
                "secret access key is empty",
            ));
        }
        let fingerprint = Zeroizing::new(hmac_sha256(
            fingerprint_key(),
            &[secret_access_key.as_bytes()],
        ));
        Ok(AwsCredentials {
            access_key_id,
            secret_access_key,
            fingerprint,
            session_token: None,
        })
    }

    /// Adds the session token of temporary (STS) credentials.
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> Self {
        self.session_token = Some(Zeroizing::new(token.into()));
        self
    }

    /// The access key id (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    pub(crate) fn secret(&self) -> &str {
        &self.secret_access_key
    }

    /// The secret's identity (equal for equal secrets within this process).
    pub(crate) fn fingerprint(&self) -> &[u8; 32] {
        &self.fingerprint
    }

    pub(crate) fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref().map(String::as_str)
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}
