//! Bybit v5 (`X-BAPI-*`): hex HMAC-SHA256 of `timestamp + apiKey + recvWindow + payload`, where the
//! payload is the query string (GET, DELETE) or the raw JSON body (POST, PUT).

use crate::profiles::crypto::{hex, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::profiles::target::Target;
use crate::signing::{Param, SigningInstructions};
use crate::Request;

use super::{body_text, ApiCredentials};

/// Bybit settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BybitSettings {
    /// `X-BAPI-RECV-WINDOW` in milliseconds. Default 5000.
    pub recv_window: u64,
}

impl Default for BybitSettings {
    fn default() -> Self {
        BybitSettings { recv_window: 5000 }
    }
}

/// A Bybit v5 signer.
#[derive(Debug, Clone)]
pub struct Bybit {
    credentials: ApiCredentials,
    settings: BybitSettings,
}

impl Bybit {
    /// A signer with default settings.
    pub fn new(credentials: ApiCredentials) -> Self {
        Bybit {
            credentials,
            settings: BybitSettings::default(),
        }
    }

    /// Replaces the settings.
    #[must_use]
    pub fn with_settings(mut self, settings: BybitSettings) -> Self {
        self.settings = settings;
        self
    }

    /// The string signed: `timestamp + apiKey + recvWindow + (query | body)`.
    pub fn prehash(
        &self,
        request: &Request<'_>,
        timestamp_ms: u64,
    ) -> Result<String, ProfileError> {
        let payload = if matches!(
            request.method().to_ascii_uppercase().as_str(),
            "GET" | "DELETE"
        ) {
            Target::parse(request.url())?
                .query
                .unwrap_or("")
                .to_string()
        } else {
            body_text(request)?.to_string()
        };
        Ok(format!(
            "{timestamp_ms}{}{}{payload}",
            self.credentials.api_key(),
            self.settings.recv_window
        ))
    }

    /// Signs at `timestamp_ms`.
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp_ms: u64,
    ) -> Result<SigningInstructions, ProfileError> {
        let sig = hex(&hmac_sha256(
            self.credentials.secret(),
            &[self.prehash(request, timestamp_ms)?.as_bytes()],
        ));
        let mut ins = SigningInstructions::default();
        ins.push_header(Param::new(
            "X-BAPI-API-KEY",
            self.credentials.api_key(),
            false,
        ));
        ins.push_header(Param::new(
            "X-BAPI-TIMESTAMP",
            timestamp_ms.to_string(),
            false,
        ));
        ins.push_header(Param::new(
            "X-BAPI-RECV-WINDOW",
            self.settings.recv_window.to_string(),
            false,
        ));
        ins.push_header(Param::new("X-BAPI-SIGN-TYPE", "2", false));
        ins.push_header(Param::new("X-BAPI-SIGN", sig, true));
        Ok(ins)
    }
}

super::exchange_scheme!(Bybit, "bybit", Milliseconds, None, |s, r, i| Bybit::sign(
    s, r, i.unix_ms
));
