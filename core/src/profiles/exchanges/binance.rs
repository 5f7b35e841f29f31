//! Binance (spot `/api/v3`, futures `/fapi`): HMAC-SHA256 hex of the query string followed
//! directly by the body (`totalParams`), `signature` appended last, key in `X-MBX-APIKEY`.

use crate::profiles::crypto::{hex, hmac_sha256};
use crate::profiles::error::ProfileError;
use crate::profiles::target::{split_pairs, Target};
use crate::signing::{Param, SigningInstructions};
use crate::Request;

use super::{body_text, ApiCredentials};

/// Binance settings.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BinanceSettings {
    /// `recvWindow` in milliseconds added when the request has none; `None` adds none (the server
    /// default, 5000). Default `Some(5000)`. Binance caps it at 60 000.
    pub recv_window: Option<u64>,
}

impl Default for BinanceSettings {
    fn default() -> Self {
        BinanceSettings {
            recv_window: Some(5000),
        }
    }
}

/// A Binance signer.
///
/// ```
/// use sigwire_core::Request;
/// use sigwire_core::profiles::exchanges::{binance::Binance, ApiCredentials};
///
/// let b = Binance::new(ApiCredentials::new("my-api-key", "my-secret")?);
/// let request = Request::new("GET", "https://api.binance.com/api/v3/openOrders?symbol=BTCUSDT");
/// let ins = b.sign(&request, 1_700_000_000_000)?;
/// let url = ins.apply_to_url(request.url());
/// assert!(url.starts_with("https://api.binance.com/api/v3/openOrders?symbol=BTCUSDT&recvWindow=5000&timestamp=1700000000000&signature="));
/// assert_eq!(ins.header("X-MBX-APIKEY"), Some("my-api-key"));
/// # Ok::<(), sigwire_core::profiles::ProfileError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Binance {
    credentials: ApiCredentials,
    settings: BinanceSettings,
}

impl Binance {
    /// A signer with default settings.
    pub fn new(credentials: ApiCredentials) -> Self {
        Binance {
            credentials,
            settings: BinanceSettings::default(),
        }
    }

    /// Replaces the settings.
    #[must_use]
    pub fn with_settings(mut self, settings: BinanceSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Signs at `timestamp_ms`. `recvWindow` and `timestamp` are appended to the query unless the
    /// query or body already has them; `signature` is appended to the query last. The body (a
    /// form body for POST/PUT/DELETE) is signed as sent, directly after the query.
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp_ms: u64,
    ) -> Result<SigningInstructions, ProfileError> {
        let target = Target::parse(request.url())?;
        let query = target.query.unwrap_or("");
        let body = body_text(request)?;
        if query
            .split('&')
            .chain(body.split('&'))
            .any(|p| p.starts_with("signature="))
        {
            return Err(ProfileError::invalid_request(
                "the request is already signed (has signature=)",
            ));
        }
        let has = |name: &str| {
            split_pairs(query)
                .iter()
                .chain(split_pairs(body).iter())
                .any(|(k, _)| *k == name)
        };
        let mut added: Vec<(&str, String)> = Vec::new();
        if let Some(w) = self.settings.recv_window.filter(|_| !has("recvWindow")) {
            added.push(("recvWindow", w.to_string()));
        }
        if !has("timestamp") {
            added.push(("timestamp", timestamp_ms.to_string()));
        }
        let mut total = query.to_string();
        for (k, v) in &added {
            if !(total.is_empty() || total.ends_with('&')) {
                total.push('&');
            }
            total.push_str(k);
            total.push('=');
            total.push_str(v);
        }
        total.push_str(body);
        let signature = hex(&hmac_sha256(self.credentials.secret(), &[total.as_bytes()]));
        let mut ins = SigningInstructions::default();
        ins.push_header(Param::new(
            "X-MBX-APIKEY",
            self.credentials.api_key(),
            false,
        ));
        for (k, v) in added {
            ins.push_query(Param::new(k, v, false));
        }
        ins.push_query(Param::new("signature", signature, true));
        Ok(ins)
    }
}

super::exchange_scheme!(Binance, "binance", Milliseconds, None, |s, r, i| {
    Binance::sign(s, r, i.unix_ms)
});
