//! Exchange presets (Binance, Coinbase, Kraken, OKX, Bybit) from the arguments every binding
//! receives: a kind name, the API key, the secret as issued and a few options.

use sigwire_core::profiles::exchanges::{
    binance::{Binance, BinanceSettings},
    bybit::{Bybit, BybitSettings},
    coinbase::Coinbase,
    kraken::{Kraken, KrakenNonce},
    okx::{Okx, OkxSettings},
    ApiCredentials,
};
use sigwire_core::profiles::{ProfileError, ProfileErrorCode, SigningInstructions};
use sigwire_core::signing::SigningScheme;
use sigwire_core::Request;

/// The `recvWindow` option of Binance and Bybit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RecvWindow {
    /// The preset's default (5000 ms for both).
    #[default]
    Default,
    /// Binance: add no `recvWindow` (the server's default applies). Bybit always sends one: its
    /// default.
    Omit,
    /// This many milliseconds.
    Millis(u64),
}

/// Options of an exchange preset; each preset reads the ones it has.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ExchangeOptions {
    /// Coinbase, OKX: the API passphrase (OKX requires one).
    pub passphrase: Option<String>,
    /// Binance, Bybit: `recvWindow`.
    pub recv_window: RecvWindow,
    /// OKX: add `x-simulated-trading: 1`.
    pub simulated_trading: bool,
}

impl ExchangeOptions {
    /// Options from the three values a binding receives.
    pub fn new(
        passphrase: Option<String>,
        recv_window: RecvWindow,
        simulated_trading: bool,
    ) -> Self {
        ExchangeOptions {
            passphrase,
            recv_window,
            simulated_trading,
        }
    }
}

/// One exchange preset, built from its kind name (`binance`, `coinbase`, `kraken`, `okx`,
/// `bybit`). Kraken carries its strictly increasing nonce source.
pub enum Exchange {
    /// Binance (`X-MBX-APIKEY`, `signature` last).
    Binance(Binance),
    /// Coinbase Exchange (`CB-ACCESS-*`).
    Coinbase(Coinbase),
    /// Kraken spot REST (`API-Sign`) and its nonce source.
    Kraken(Kraken, KrakenNonce),
    /// OKX v5 (`OK-ACCESS-*`).
    Okx(Okx),
    /// Bybit v5 (`X-BAPI-*`).
    Bybit(Bybit),
}

impl Exchange {
    /// The preset `kind` for `api_key` and `secret` as the exchange issues it (Coinbase and
    /// Kraken: base64). An unknown kind is `invalid_settings`; bad credentials are
    /// `invalid_credentials` (the core's checks, never echoing the secret).
    pub fn new(
        kind: &str,
        api_key: &str,
        secret: &str,
        options: &ExchangeOptions,
    ) -> Result<Self, ProfileError> {
        let plain = || ApiCredentials::new(api_key, secret);
        let b64 = || ApiCredentials::from_base64_secret(api_key, secret);
        let with_pass = |c: ApiCredentials| match &options.passphrase {
            Some(p) => c.with_passphrase(p.as_str()),
            None => c,
        };
        Ok(match kind {
            "binance" => {
                let mut s = BinanceSettings::default();
                match options.recv_window {
                    RecvWindow::Default => {}
                    RecvWindow::Omit => s.recv_window = None,
                    RecvWindow::Millis(w) => s.recv_window = Some(w),
                }
                Exchange::Binance(Binance::new(plain()?).with_settings(s))
            }
            "coinbase" => Exchange::Coinbase(Coinbase::new(with_pass(b64()?))?),
            "kraken" => Exchange::Kraken(Kraken::new(b64()?), KrakenNonce::new()),
            "okx" => {
                let mut s = OkxSettings::default();
                s.simulated_trading = options.simulated_trading;
                Exchange::Okx(Okx::new(with_pass(plain()?))?.with_settings(s))
            }
            "bybit" => {
                let mut s = BybitSettings::default();
                if let RecvWindow::Millis(w) = options.recv_window {
                    s.recv_window = w;
                }
                Exchange::Bybit(Bybit::new(plain()?).with_settings(s))
            }
            other => {
                return Err(ProfileError::new(
                    ProfileErrorCode::InvalidSettings,
                    format!("unknown exchange {other:?} (binance, coinbase, kraken, okx, bybit)"),
                ))
            }
        })
    }

    /// Signs `request` at `timestamp_ms` (Unix milliseconds; Coinbase signs its whole seconds,
    /// Kraken the `nonce=` of the body).
    pub fn sign(
        &self,
        request: &Request<'_>,
        timestamp_ms: u64,
    ) -> Result<SigningInstructions, ProfileError> {
        match self {
            Exchange::Binance(b) => b.sign(request, timestamp_ms),
            Exchange::Coinbase(c) => c.sign(request, timestamp_ms / 1000),
            Exchange::Kraken(k, _) => k.sign(request),
            Exchange::Okx(o) => o.sign(request, timestamp_ms),
            Exchange::Bybit(b) => b.sign(request, timestamp_ms),
        }
    }

    /// Kraken: the next strictly increasing nonce at `now_ms`; any other preset is
    /// `invalid_request`.
    pub fn next_nonce(&self, now_ms: u64) -> Result<u64, ProfileError> {
        match self {
            Exchange::Kraken(_, n) => Ok(n.next(now_ms)),
            _ => Err(ProfileError::new(
                ProfileErrorCode::InvalidRequest,
                "only Kraken uses a nonce source",
            )),
        }
    }

    /// The API key (not secret).
    pub fn api_key(&self) -> &str {
        match self {
            Exchange::Binance(s) => s.credential().api_key(),
            Exchange::Coinbase(s) => s.credential().api_key(),
            Exchange::Kraken(s, _) => s.credential().api_key(),
            Exchange::Okx(s) => s.credential().api_key(),
            Exchange::Bybit(s) => s.credential().api_key(),
        }
    }

    /// Why an HTTP client cannot sign with this preset (Kraken: its nonce lives in the body,
    /// which a client does not build), or `None`.
    pub fn client_refusal(&self) -> Option<&'static str> {
        match self {
            Exchange::Kraken(..) => Some(
                "Kraken signs a nonce inside the body: build it with Kraken.body(), sign with \
                 Kraken.sign() and send the signed request",
            ),
            _ => None,
        }
    }
}

/// Kraken: the form body `nonce=<nonce>&k=v…` to send and sign.
pub fn kraken_body(nonce: u64, params: &[(&str, &str)]) -> String {
    Kraken::body_with_nonce(nonce, params)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<Exchange, ProfileError>) -> Option<ProfileErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn kinds_and_refusals() {
        let o = ExchangeOptions::default();
        assert_eq!(
            code(Exchange::new("nope", "k", "s", &o)),
            Some(ProfileErrorCode::InvalidSettings)
        );
        assert_eq!(
            code(Exchange::new("kraken", "k", "not base64!", &o)),
            Some(ProfileErrorCode::InvalidCredentials)
        );
        assert_eq!(
            code(Exchange::new("okx", "k", "s", &o)),
            Some(ProfileErrorCode::InvalidCredentials)
        );
        let b = Exchange::new("binance", "key", "s", &o).ok();
        assert_eq!(b.as_ref().map(Exchange::api_key), Some("key"));
        assert!(b.as_ref().is_some_and(|b| b.client_refusal().is_none()));
        assert_eq!(
            b.map(|b| b.next_nonce(1).err().map(|e| e.code())),
            Some(Some(ProfileErrorCode::InvalidRequest))
        );
    }

    #[test]
    fn recv_window_reaches_the_signature() {
        let url = "https://h/x";
        let sign = |w: RecvWindow| {
            let o = ExchangeOptions::new(None, w, false);
            Exchange::new("binance", "k", "s", &o)
                .and_then(|b| b.sign(&Request::new("GET", url), 5))
                .map(|ins| ins.apply_to_url(url))
                .unwrap_or_default()
        };
        assert!(sign(RecvWindow::Default).contains("recvWindow=5000&"));
        assert!(sign(RecvWindow::Millis(7)).contains("recvWindow=7&"));
        assert!(!sign(RecvWindow::Omit).contains("recvWindow"));
    }

    #[test]
    fn kraken_nonces_increase() {
        let k = Exchange::new(
            "kraken",
            "k",
            "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
            &ExchangeOptions::default(),
        )
        .ok();
        let a = k.as_ref().and_then(|k| k.next_nonce(10).ok());
        let b = k.as_ref().and_then(|k| k.next_nonce(10).ok());
        assert!(a.is_some() && b > a);
        assert!(k.is_some_and(|k| k.client_refusal().is_some()));
        assert_eq!(kraken_body(3, &[("a", "1")]), "nonce=3&a=1");
    }
}
