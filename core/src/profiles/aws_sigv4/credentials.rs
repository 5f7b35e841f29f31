//! AWS credentials: access key id, secret access key and optional session token.

use core::fmt;

use zeroize::Zeroizing;

use crate::profiles::error::ProfileError;

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
        Ok(AwsCredentials {
            access_key_id,
            secret_access_key,
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
