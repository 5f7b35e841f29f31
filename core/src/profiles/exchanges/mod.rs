//! Exchange presets: the signing schemes of Binance, Coinbase Exchange, Kraken, OKX and Bybit.
//!
//! Each signs the exact bytes sent (query string as written, raw body), never a re-encoded or
//! re-serialised copy: the classic cause of "invalid signature" (Binance -1022) is signing a
//! different string than the one on the wire. Time is an argument in Unix milliseconds.
//! Wire formats and ambiguities: `docs/profiles/` (`binance.md`, `coinbase.md`, `kraken.md`, `okx.md`, `bybit.md`).

pub mod binance;
pub mod bybit;
pub mod coinbase;
pub mod kraken;
pub mod okx;

use core::fmt;

use zeroize::Zeroizing;

use crate::profiles::error::ProfileError;
use crate::profiles::target::Target;
use crate::signing::{Param, SigningInstructions};
use crate::Request;

/// An API key, its secret and (for Coinbase and OKX) a passphrase. The secret and passphrase are
/// zeroized on drop; `Debug` shows the API key only.
#[derive(Clone)]
pub struct ApiCredentials {
    api_key: String,
    secret: Zeroizing<Vec<u8>>,
    passphrase: Option<Zeroizing<String>>,
}

impl ApiCredentials {
    /// Credentials whose secret is used as its UTF-8 bytes (Binance, OKX, Bybit).
    pub fn new(
        api_key: impl Into<String>,
        secret: impl Into<String>,
    ) -> Result<Self, ProfileError> {
        let secret: String = secret.into();
        Self::from_bytes(api_key, secret.into_bytes())
    }

    /// Credentials whose secret is given base64-encoded and used decoded (Coinbase, Kraken).
    pub fn from_base64_secret(
        api_key: impl Into<String>,
        secret_b64: &str,
    ) -> Result<Self, ProfileError> {
        let bytes = crate::profiles::crypto::b64_decode(secret_b64.trim()).ok_or_else(|| {
            ProfileError::invalid_credentials("the API secret is not valid base64")
        })?;
        Self::from_bytes(api_key, bytes)
    }

    fn from_bytes(api_key: impl Into<String>, secret: Vec<u8>) -> Result<Self, ProfileError> {
        let api_key = api_key.into();
        let secret = Zeroizing::new(secret);
        if api_key.is_empty() || !api_key.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(ProfileError::invalid_credentials(
                "the API key must be non-empty printable ASCII",
            ));
        }
        if secret.is_empty() {
            return Err(ProfileError::invalid_credentials("the API secret is empty"));
        }
        Ok(ApiCredentials {
            api_key,
            secret,
            passphrase: None,
        })
    }

    /// Adds the passphrase (Coinbase Exchange, OKX).
    #[must_use]
    pub fn with_passphrase(mut self, passphrase: impl Into<String>) -> Self {
        self.passphrase = Some(Zeroizing::new(passphrase.into()));
        self
    }

    /// The API key (not secret).
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    pub(crate) fn secret(&self) -> &[u8] {
        &self.secret
    }

    pub(crate) fn passphrase(&self) -> Result<&str, ProfileError> {
        self.passphrase
            .as_deref()
            .map(String::as_str)
            .ok_or_else(|| {
                ProfileError::invalid_credentials("this exchange needs the API passphrase")
            })
    }
}

impl fmt::Debug for ApiCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiCredentials")
            .field("api_key", &self.api_key)
            .field("secret", &"[redacted]")
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// Implements [`SigningScheme`](crate::signing::SigningScheme) for an exchange preset holding
/// `credentials: ApiCredentials`: name, clock unit, replay policy, and `$sign(preset, request with
/// the body bytes, input)`.
macro_rules! exchange_scheme {
    ($ty:ident, $name:literal, $unit:ident, $replay:ident, $sign:expr) => {
        impl crate::signing::SigningScheme for $ty {
            type Credential = super::ApiCredentials;
            type Error = crate::profiles::ProfileError;

            fn name(&self) -> &'static str {
                $name
            }

            fn credential(&self) -> &super::ApiCredentials {
                &self.credentials
            }

            fn clock_unit(&self) -> crate::freshness::ClockUnit {
                crate::freshness::ClockUnit::$unit
            }

            fn replay_policy(&self) -> crate::freshness::ReplayPolicy {
                crate::freshness::ReplayPolicy::$replay
            }

            fn sign(
                &self,
                request: &crate::Request<'_>,
                body: crate::signing::SignableBody<'_>,
                input: &crate::signing::SigningInput<'_>,
            ) -> Result<crate::signing::SigningInstructions, crate::profiles::ProfileError> {
                let request = crate::profiles::with_body_bytes(request, body, $name)?;
                let sign: fn(
                    &Self,
                    &crate::Request<'_>,
                    &crate::signing::SigningInput<'_>,
                ) -> Result<
                    crate::signing::SigningInstructions,
                    crate::profiles::ProfileError,
                > = $sign;
                sign(self, &request, input)
            }
        }
    };
}
pub(crate) use exchange_scheme;

/// The request path and query as sent (`/path?query`), the "requestPath" of Coinbase and OKX.
pub(crate) fn request_path(request: &Request<'_>) -> Result<String, ProfileError> {
    let t = Target::parse(request.url())?;
    let mut s = if t.path.is_empty() {
        "/".to_string()
    } else {
        t.path.to_string()
    };
    if let Some(q) = t.query.filter(|q| !q.is_empty()) {
        s.push('?');
        s.push_str(q);
    }
    Ok(s)
}

/// The prehash of Coinbase Exchange and OKX: `timestamp + METHOD + requestPath(?query) + body`.
pub(crate) fn prehash(request: &Request<'_>, timestamp: &str) -> Result<String, ProfileError> {
    Ok(format!(
        "{timestamp}{}{}{}",
        request.method().to_ascii_uppercase(),
        request_path(request)?,
        body_text(request)?
    ))
}

/// The Coinbase Exchange / OKX header set: `<prefix>-KEY`, `<prefix>-SIGN` =
/// base64(HMAC-SHA256(secret, prehash)), `<prefix>-TIMESTAMP`, `<prefix>-PASSPHRASE`.
pub(crate) fn passphrase_scheme_headers(
    credentials: &ApiCredentials,
    prefix: &str,
    request: &Request<'_>,
    timestamp: &str,
) -> Result<SigningInstructions, ProfileError> {
    use crate::profiles::crypto::{b64, hmac_sha256};
    let sig = b64(&hmac_sha256(
        credentials.secret(),
        &[prehash(request, timestamp)?.as_bytes()],
    ));
    let mut ins = SigningInstructions::default();
    ins.push_header(Param::new(
        format!("{prefix}-KEY"),
        credentials.api_key(),
        false,
    ));
    ins.push_header(Param::new(format!("{prefix}-SIGN"), sig, true));
    ins.push_header(Param::new(format!("{prefix}-TIMESTAMP"), timestamp, false));
    ins.push_header(Param::new(
        format!("{prefix}-PASSPHRASE"),
        credentials.passphrase()?,
        true,
    ));
    Ok(ins)
}

/// The body as UTF-8 (every exchange here signs text bodies).
pub(crate) fn body_text<'a>(request: &Request<'a>) -> Result<&'a str, ProfileError> {
    core::str::from_utf8(request.body_bytes())
        .map_err(|_| ProfileError::invalid_request("the body must be UTF-8 text"))
}
