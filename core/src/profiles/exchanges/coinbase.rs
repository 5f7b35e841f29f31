//! Coinbase Exchange (`CB-ACCESS-*`): base64 HMAC-SHA256, keyed by the base64-decoded secret, of
//! `timestamp + METHOD + requestPath + body`.

use crate::profiles::error::ProfileError;
use crate::signing::SigningInstructions;
use crate::Request;

use super::ApiCredentials;

/// A Coinbase Exchange signer (credentials from [`ApiCredentials::from_base64_secret`] with a
/// passphrase).
#[derive(Debug, Clone)]
pub struct Coinbase {
    credentials: ApiCredentials,
}

impl Coinbase {
    /// A signer; the passphrase is required.
    pub fn new(credentials: ApiCredentials) -> Result<Self, ProfileError> {
        credentials.passphrase()?;
        Ok(Coinbase { credentials })
    }

    /// The prehash string: `timestamp + METHOD + requestPath(?query) + body`.
    pub fn prehash(request: &Request<'_>, timestamp: u64) -> Result<String, ProfileError> {
        super::prehash(request, &timestamp.to_string())
    }

    /// Signs at `timestamp` (Unix seconds).
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp: u64,
    ) -> Result<SigningInstructions, ProfileError> {
        super::passphrase_scheme_headers(
            &self.credentials,
            "CB-ACCESS",
            request,
            &timestamp.to_string(),
        )
    }
}

super::exchange_scheme!(Coinbase, "coinbase", Seconds, None, |s, r, i| {
    Coinbase::sign(s, r, i.unix_ms / 1000)
});
