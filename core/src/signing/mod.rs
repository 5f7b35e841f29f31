//! The signing plug-in point: a [`SigningScheme`] turns a request into [`SigningInstructions`].
//!
//! The shape follows smithy-rs `aws-sigv4` (`sign.rs`, `settings.rs`) and opendal `reqsign`:
//!
//! - each scheme has its own credential type ([`SigningScheme::Credential`]) and one
//!   `#[non_exhaustive]` settings struct with an enum per setting and defaults in `impl Default`
//!   (`sigwire-v1`: [`crate::v1::SigningSettings`]);
//! - the body is a [`SignableBody`]: bytes, a digest computed elsewhere (a streamed body, hashed
//!   piece by piece with [`BodyHasher`]), or unsigned;
//! - time and nonces are inputs ([`SigningInput`]), never read inside a scheme, so every runtime
//!   signs the same bytes; [`sign_now`] is the small driver that fills them from a
//!   [`Clock`] and a [`NonceSource`] as the scheme asks
//!   ([`SigningScheme::clock_unit`], [`SigningScheme::replay_policy`]);
//! - the output says what to add — headers to set, query parameters to append, each marked
//!   sensitive — and [`SigningInstructions`] applies it.
//!
//! `sigwire-v1` is one implementation ([`crate::v1::SigwireV1Signing`], under [`crate::Signer`]);
//! the profiles (AWS SigV4, RFC 9421, exchange presets, webhooks) are others.
//!
//! ```
//! use sigwire_core::signing::{SignableBody, SigningInput, SigningScheme};
//! use sigwire_core::v1::{SigningSettings, SigwireV1Signing, V1Credential};
//! use sigwire_core::Request;
//!
//! let credential = V1Credential::new("client-1", b"0123456789abcdef0123456789abcdef".to_vec())?;
//! let scheme = SigwireV1Signing::new(credential, SigningSettings::default());
//! let request = Request::new("GET", "https://api.example.com/v1/orders");
//! let input = SigningInput::at_seconds(1_700_000_000).nonce("AAAAAAAAAAAAAAAAAAAAAA");
//! let instructions = scheme.sign(&request, SignableBody::Bytes(b""), &input)?;
//! assert!(instructions.header("authorization").is_some_and(|v| v.starts_with("HMAC ")));
//! assert!(instructions.headers()[0].sensitive());
//! # Ok::<(), sigwire_core::Error>(())
//! ```

mod body;
mod instructions;

pub use body::{BodyDigest, BodyHasher};
pub use instructions::{Param, SigningInstructions};

use crate::clock::Clock;
use crate::error::Error;
use crate::freshness::{ClockUnit, ReplayPolicy};
use crate::nonce::NonceSource;
use crate::request::Request;

/// What the signature covers of the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignableBody<'a> {
    /// These exact bytes (the scheme digests them).
    Bytes(&'a [u8]),
    /// The body's digest, lowercase hex, computed elsewhere (a streamed upload); the digest
    /// algorithm is the scheme's (SHA-256 for `hmac-sha256`, SHA-512 for `hmac-sha512`).
    Precomputed(&'a str),
    /// The body is not covered (only schemes that define it, e.g. SigV4 `UNSIGNED-PAYLOAD`;
    /// `sigwire-v1` always covers the body and refuses this with `invalid_request`).
    Unsigned,
}

/// The per-call inputs of signing: the time, and the nonce when the scheme uses one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningInput<'a> {
    /// The signing time, Unix milliseconds (a scheme in seconds rounds down).
    pub unix_ms: u64,
    /// The nonce: random (SPEC §2 for `sigwire-v1`) or a decimal counter, as the scheme's
    /// [`ReplayPolicy`] says. `None` for a scheme without nonces.
    pub nonce: Option<&'a str>,
}

impl<'a> SigningInput<'a> {
    /// Inputs at `unix_seconds`, without a nonce.
    pub const fn at_seconds(unix_seconds: u64) -> Self {
        SigningInput {
            unix_ms: unix_seconds.saturating_mul(1000),
            nonce: None,
        }
    }

    /// Inputs at `unix_ms`, without a nonce.
    pub const fn at_millis(unix_ms: u64) -> Self {
        SigningInput {
            unix_ms,
            nonce: None,
        }
    }

    /// The same inputs with `nonce`.
    #[must_use]
    pub const fn nonce(mut self, nonce: &'a str) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// The time in `unit`.
    pub const fn time_in(&self, unit: ClockUnit) -> u64 {
        unit.from_ms(self.unix_ms)
    }
}

/// A signing scheme holding its credential and settings: one implementation per scheme.
///
/// Implementations are pure: no clock, no randomness, no I/O. Equal inputs give equal output.
pub trait SigningScheme {
    /// The scheme's key material (`sigwire-v1`: key id + HMAC secret; SigV4: access key id,
    /// secret access key and session token; …), zeroized and redacted in `Debug`.
    type Credential;
    /// The scheme's error (`sigwire_core::Error`, or the profiles' `ProfileError`).
    type Error: core::fmt::Debug + core::fmt::Display;

    /// A stable name, e.g. `"sigwire-v1"`.
    fn name(&self) -> &'static str;

    /// The credential this scheme signs with.
    fn credential(&self) -> &Self::Credential;

    /// The unit the scheme writes timestamps in (default: seconds).
    fn clock_unit(&self) -> ClockUnit {
        ClockUnit::Seconds
    }

    /// What nonce the scheme needs in [`SigningInput::nonce`] (default: a random one).
    fn replay_policy(&self) -> ReplayPolicy {
        ReplayPolicy::RandomNonce
    }

    /// Signs `request` (method, URL and headers; its body bytes are ignored in favour of `body`).
    fn sign(
        &self,
        request: &Request<'_>,
        body: SignableBody<'_>,
        input: &SigningInput<'_>,
    ) -> Result<SigningInstructions, Self::Error>;
}

/// Signs with the time from `clock` and, when the scheme asks for a random nonce, one from
/// `nonces`. A scheme with increasing nonces gets the time in its unit as the nonce (strictly
/// increasing for one signer as long as it signs at most once per unit; keep your own counter
/// otherwise).
pub fn sign_now<S>(
    scheme: &S,
    request: &Request<'_>,
    body: SignableBody<'_>,
    clock: &dyn Clock,
    nonces: &dyn NonceSource,
) -> Result<SigningInstructions, S::Error>
where
    S: SigningScheme + ?Sized,
    S::Error: From<Error>,
{
    let unix_ms = clock.now_ms();
    let nonce = match scheme.replay_policy() {
        ReplayPolicy::RandomNonce => Some(nonces.nonce()?),
        ReplayPolicy::IncreasingNonce => Some(scheme.clock_unit().from_ms(unix_ms).to_string()),
        ReplayPolicy::None => None,
    };
    let mut input = SigningInput::at_millis(unix_ms);
    input.nonce = nonce.as_deref();
    scheme.sign(request, body, &input)
}

#[cfg(test)]
mod tests {
    //! A Binance-style scheme written against the trait, to show that query signatures,
    //! an API-key header and millisecond timestamps fit it.
    use super::*;
    use crate::{FixedClock, OsNonce};

    struct QueryHmac {
        key: (String, Vec<u8>),
    }

    impl SigningScheme for QueryHmac {
        type Credential = (String, Vec<u8>);
        type Error = Error;
        fn name(&self) -> &'static str {
            "query-hmac"
        }
        fn credential(&self) -> &Self::Credential {
            &self.key
        }
        fn clock_unit(&self) -> ClockUnit {
            ClockUnit::Milliseconds
        }
        fn replay_policy(&self) -> ReplayPolicy {
            ReplayPolicy::None
        }
        fn sign(
            &self,
            request: &Request<'_>,
            _: SignableBody<'_>,
            input: &SigningInput<'_>,
        ) -> Result<SigningInstructions, Error> {
            let query = request.url().split_once('?').map_or("", |(_, q)| q);
            let ts = input.time_in(self.clock_unit());
            let payload = format!("{query}&timestamp={ts}");
            let secret = crate::Secret::new(self.key.1.clone())?;
            let mut mac = [0u8; 64];
            let n = secret
                .keyed(crate::Algorithm::HmacSha256)
                .mac_into(payload.as_bytes(), &mut mac);
            let mut out = SigningInstructions::default();
            out.push_header(Param::new("X-MBX-APIKEY", self.key.0.clone(), false));
            out.push_query(Param::new("timestamp", ts.to_string(), false));
            let mut hex = String::new();
            crate::hex::encode_into(&mac[..n], &mut hex);
            out.push_query(Param::new("signature", hex, true));
            Ok(out)
        }
    }

    #[test]
    fn a_query_signing_scheme_in_milliseconds_fits() {
        let scheme = QueryHmac {
            key: ("api-key".into(), vec![7u8; 32]),
        };
        let clock = FixedClock::new(1_700_000_000);
        let request = Request::new("GET", "https://api.test/v3/order?symbol=BTCUSDT");
        let out = sign_now(
            &scheme,
            &request,
            SignableBody::Bytes(b""),
            &clock,
            &OsNonce,
        )
        .unwrap();
        assert_eq!(out.query_param("timestamp"), Some("1700000000000"));
        assert_eq!(out.header("x-mbx-apikey"), Some("api-key"));
        let url = out.apply_to_url(request.url());
        assert!(
            url.starts_with(
                "https://api.test/v3/order?symbol=BTCUSDT&timestamp=1700000000000&signature="
            ),
            "{url}"
        );
        assert_eq!(out.query_param("signature").map(str::len), Some(64));
    }

    #[test]
    fn inputs_convert_units() {
        let i = SigningInput::at_seconds(12).nonce("n");
        assert_eq!(
            (
                i.time_in(ClockUnit::Seconds),
                i.time_in(ClockUnit::Milliseconds),
                i.nonce
            ),
            (12, 12_000, Some("n"))
        );
        assert_eq!(
            SigningInput::at_millis(12_999).time_in(ClockUnit::Seconds),
            12
        );
    }
}
