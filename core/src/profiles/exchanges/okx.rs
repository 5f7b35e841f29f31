//! OKX v5 (`OK-ACCESS-*`): base64 HMAC-SHA256 of `timestamp + METHOD + requestPath + body`, the
//! timestamp in ISO 8601 with milliseconds (`2020-12-08T09:08:57.715Z`).

use crate::profiles::crypto::{b64, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::profiles::time::iso8601_millis;
use crate::signing::{Param, SigningInstructions};
use crate::Request;

use super::{body_text, request_path, ApiCredentials};

/// OKX settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OkxSettings {
    /// Adds `x-simulated-trading: 1` (demo trading). Default false.
    pub simulated_trading: bool,
}

/// An OKX signer (credentials with a passphrase; the secret is used as its UTF-8 bytes).
#[derive(Debug, Clone)]
pub struct Okx {
    credentials: ApiCredentials,
    settings: OkxSettings,
}

impl Okx {
    /// A signer; the passphrase is required.
    pub fn new(credentials: ApiCredentials) -> Result<Self, ProfileError> {
        credentials.passphrase()?;
        Ok(Okx {
            credentials,
            settings: OkxSettings::default(),
        })
    }

    /// Replaces the settings.
    #[must_use]
    pub fn with_settings(mut self, settings: OkxSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The prehash string: `timestamp + METHOD + requestPath(?query) + body`.
    pub fn prehash(request: &Request<'_>, timestamp_ms: u64) -> Result<String, ProfileError> {
        Ok(format!(
            "{}{}{}{}",
            iso8601_millis(timestamp_ms),
            request.method().to_ascii_uppercase(),
            request_path(request)?,
            body_text(request)?
        ))
    }

    /// Signs at `timestamp_ms`.
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp_ms: u64,
    ) -> Result<SigningInstructions, ProfileError> {
        let sig = b64(&hmac_sha256(
            self.credentials.secret(),
            &[Self::prehash(request, timestamp_ms)?.as_bytes()],
        ));
        let mut ins = SigningInstructions::default();
        ins.push_header(Param::new(
            "OK-ACCESS-KEY",
            self.credentials.api_key(),
            false,
        ));
        ins.push_header(Param::new("OK-ACCESS-SIGN", sig, true));
        ins.push_header(Param::new(
            "OK-ACCESS-TIMESTAMP",
            iso8601_millis(timestamp_ms),
            false,
        ));
        ins.push_header(Param::new(
            "OK-ACCESS-PASSPHRASE",
            self.credentials.passphrase()?,
            true,
        ));
        if self.settings.simulated_trading {
            ins.push_header(Param::new("x-simulated-trading", "1", false));
        }
        Ok(ins)
    }
}

super::exchange_scheme!(Okx, "okx", Milliseconds, None, |s, r, i| Okx::sign(
    s, r, i.unix_ms
));
