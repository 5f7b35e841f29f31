//! Coinbase Exchange (`CB-ACCESS-*`): base64 HMAC-SHA256, keyed by the base64-decoded secret, of
//! `timestamp + METHOD + requestPath + body`.

use crate::profiles::crypto::{b64, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::signing::{Param, SigningInstructions};
use crate::Request;

use super::{body_text, request_path, ApiCredentials};

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
        Ok(format!(
            "{timestamp}{}{}{}",
            request.method().to_ascii_uppercase(),
            request_path(request)?,
            body_text(request)?
        ))
    }

    /// Signs at `timestamp` (Unix seconds).
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp: u64,
    ) -> Result<SigningInstructions, ProfileError> {
        let sig = b64(&hmac_sha256(
            self.credentials.secret(),
            &[Self::prehash(request, timestamp)?.as_bytes()],
        ));
        let mut ins = SigningInstructions::default();
        ins.push_header(Param::new(
            "CB-ACCESS-KEY",
            self.credentials.api_key(),
            false,
        ));
        ins.push_header(Param::new("CB-ACCESS-SIGN", sig, true));
        ins.push_header(Param::new(
            "CB-ACCESS-TIMESTAMP",
            timestamp.to_string(),
            false,
        ));
        ins.push_header(Param::new(
            "CB-ACCESS-PASSPHRASE",
            self.credentials.passphrase()?,
            true,
        ));
        Ok(ins)
    }
}

super::exchange_scheme!(Coinbase, "coinbase", Seconds, None, |s, r, i| {
    Coinbase::sign(s, r, i.unix_ms / 1000)
});
