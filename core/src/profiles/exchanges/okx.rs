//! OKX v5 (`OK-ACCESS-*`): base64 HMAC-SHA256 of `timestamp + METHOD + requestPath + body`, the
//! timestamp in ISO 8601 with milliseconds (`2020-12-08T09:08:57.715Z`).

use crate::profiles::error::ProfileError;
use crate::profiles::time::iso8601_millis;
use crate::signing::{Param, SigningInstructions};
use crate::Request;

use super::ApiCredentials;

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
        super::prehash(request, &iso8601_millis(timestamp_ms))
    }

    /// Signs at `timestamp_ms`.
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp_ms: u64,
    ) -> Result<SigningInstructions, ProfileError> {
        let mut ins = super::passphrase_scheme_headers(
            &self.credentials,
            "OK-ACCESS",
            request,
            &iso8601_millis(timestamp_ms),
        )?;
        if self.settings.simulated_trading {
            ins.push_header(Param::new("x-simulated-trading", "1", false));
        }
        Ok(ins)
    }
}

super::exchange_scheme!(Okx, "okx", Milliseconds, None, |s, r, i| Okx::sign(
    s, r, i.unix_ms
));
