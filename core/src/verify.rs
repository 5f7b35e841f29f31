//! [`Verifier`]: the server side. Window, keys with rotation, constant-time check, replay store.

use std::sync::Arc;

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorCode};
use crate::keys::KeyStore;
use crate::replay::{InMemoryReplayStore, ReplayStore};
use crate::request::Request;
use crate::scheme::Scheme;
use crate::v1::SigwireV1;

/// The default timestamp window, in seconds either side of the server's clock.
pub const DEFAULT_WINDOW: u64 = 300;

/// What a successful verification tells the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The key id whose secret matched.
    pub key_id: String,
    /// The scheme that verified the request, e.g. `"sigwire-v1"`.
    pub scheme: &'static str,
    /// The request's signing time.
    pub timestamp: u64,
}

/// Verifies signed requests.
///
/// ```
/// use std::sync::Arc;
/// use sigwire_core::{InMemoryKeyStore, Request, SignOptions, Signer, Verifier};
///
/// let secret = b"0123456789abcdef0123456789abcdef".to_vec();
/// let keys = Arc::new(InMemoryKeyStore::new());
/// keys.insert("client-1", secret.clone(), None)?;
/// let verifier = Verifier::builder(keys).window(300).build();
///
/// let request = Request::new("GET", "https://api.example.com/v1/orders");
/// let signed = Signer::new("client-1", secret)?.sign(&request)?;
/// let received = request.clone().header("Authorization", &signed.authorization);
/// assert_eq!(verifier.verify(&received)?.key_id, "client-1");
/// // The same request again is a replay.
/// assert_eq!(verifier.verify(&received).unwrap_err().code().as_str(), "replayed_nonce");
/// # Ok::<(), sigwire_core::Error>(())
/// ```
pub struct Verifier {
    keys: Arc<dyn KeyStore>,
    replay: Arc<dyn ReplayStore>,
    clock: Arc<dyn Clock>,
    window: u64,
    schemes: Vec<Box<dyn Scheme>>,
}

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let schemes: Vec<&str> = self.schemes.iter().map(|s| s.name()).collect();
        f.debug_struct("Verifier").field("window", &self.window).field("schemes", &schemes).finish_non_exhaustive()
    }
}

/// Builds a [`Verifier`].
pub struct VerifierBuilder {
    keys: Arc<dyn KeyStore>,
    replay: Option<Arc<dyn ReplayStore>>,
    clock: Arc<dyn Clock>,
    window: u64,
    schemes: Vec<Box<dyn Scheme>>,
}

impl VerifierBuilder {
    /// The timestamp window in seconds (default 300).
    #[must_use]
    pub fn window(mut self, seconds: u64) -> Self {
        self.window = seconds;
        self
    }

    /// The replay store (default: an [`InMemoryReplayStore`] for this process).
    #[must_use]
    pub fn replay_store(mut self, store: Arc<dyn ReplayStore>) -> Self {
        self.replay = Some(store);
        self
    }

    /// The clock (default: the system clock).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Adds a scheme beside `sigwire-v1`; schemes are tried in the order added.
    #[must_use]
    pub fn scheme(mut self, scheme: Box<dyn Scheme>) -> Self {
        self.schemes.push(scheme);
        self
    }

    /// The verifier.
    pub fn build(self) -> Verifier {
        Verifier {
            keys: self.keys,
            replay: self.replay.unwrap_or_else(|| Arc::new(InMemoryReplayStore::default())),
            clock: self.clock,
            window: self.window,
            schemes: self.schemes,
        }
    }
}

impl Verifier {
    /// A builder with `sigwire-v1`, a 300 s window, the system clock and an in-memory replay store.
    pub fn builder(keys: Arc<dyn KeyStore>) -> VerifierBuilder {
        VerifierBuilder {
            keys,
            replay: None,
            clock: Arc::new(SystemClock),
            window: DEFAULT_WINDOW,
            schemes: vec![Box::new(SigwireV1)],
        }
    }

    /// The window in seconds.
    pub fn window(&self) -> u64 {
        self.window
    }

    /// The verifier's current time (for the server time header).
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Verifies `request` at the clock's current time.
    ///
    /// Every error carries the server time ([`Error::server_time`]).
    pub fn verify(&self, request: &Request<'_>) -> Result<Verified, Error> {
        let now = self.clock.now();
        self.verify_at(request, now)
    }

    /// Verifies `request` as if the time were `now` (SPEC §6).
    pub fn verify_at(&self, request: &Request<'_>, now: u64) -> Result<Verified, Error> {
        self.verify_inner(request, now).map_err(|e| e.with_server_time(now))
    }

    fn verify_inner(&self, request: &Request<'_>, now: u64) -> Result<Verified, Error> {
        if !request.has_header("authorization") {
            return Err(Error::new(ErrorCode::MissingAuthorization, "the request has no Authorization header"));
        }
        let scheme = self.schemes.iter().find(|s| s.claims(request)).ok_or_else(|| {
            Error::malformed("the Authorization header uses no scheme this server accepts (expected \"HMAC …\")")
        })?;
        let claim = scheme.parse(request)?;

        let timestamp = claim.timestamp();
        let skew = i128::from(timestamp) - i128::from(now);
        if skew.unsigned_abs() > u128::from(self.window) {
            let skew = i64::try_from(skew).unwrap_or(if skew > 0 { i64::MAX } else { i64::MIN });
            return Err(Error::stale(skew, self.window));
        }

        let secrets = self.keys.active_secrets(claim.key_id(), now)?;
        if secrets.is_empty() {
            return Err(Error::new(ErrorCode::UnknownKey, "the key id is unknown or its secrets are retired"));
        }
        claim.check(&secrets)?;

        if let Some(nonce) = claim.nonce() {
            let expires_at = timestamp.saturating_add(self.window);
            if !self.replay.check_and_record(claim.key_id(), nonce, expires_at, now)? {
                return Err(Error::new(ErrorCode::ReplayedNonce, "this nonce was already used; sign each request afresh"));
            }
        }
        Ok(Verified { key_id: claim.key_id().to_owned(), scheme: scheme.name(), timestamp })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FixedClock, InMemoryKeyStore, SignOptions, Signer};

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: u64 = 1_700_000_000;

    fn setup() -> (Verifier, Signer, Arc<InMemoryKeyStore>) {
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k1", SECRET.to_vec(), None).unwrap();
        let v = Verifier::builder(keys.clone()).clock(Arc::new(FixedClock::new(NOW))).build();
        (v, Signer::new("k1", SECRET.to_vec()).unwrap(), keys)
    }

    fn signed_at(signer: &Signer, ts: u64, nonce: &str) -> String {
        signer
            .sign_with(&Request::new("GET", "https://h/x"), &SignOptions::fixed(ts, nonce))
            .unwrap()
            .authorization
    }

    #[test]
    fn accepts_then_rejects_replay() {
        let (v, s, _) = setup();
        let auth = signed_at(&s, NOW, "AAAAAAAAAAAAAAAAAAAAAA");
        let r = Request::new("GET", "https://h/x").header("authorization", &auth);
        assert_eq!(v.verify(&r).unwrap().key_id, "k1");
        let e = v.verify(&r).unwrap_err();
        assert_eq!(e.code(), ErrorCode::ReplayedNonce);
        assert_eq!(e.server_time(), Some(NOW));
    }

    #[test]
    fn window_edges() {
        let (v, s, _) = setup();
        let ok = signed_at(&s, NOW + 300, "BBBBBBBBBBBBBBBBBBBBBB");
        assert!(v.verify(&Request::new("GET", "https://h/x").header("authorization", &ok)).is_ok());
        let late = signed_at(&s, NOW - 301, "CCCCCCCCCCCCCCCCCCCCCC");
        let e = v.verify(&Request::new("GET", "https://h/x").header("authorization", &late)).unwrap_err();
        assert_eq!((e.code(), e.skew_seconds()), (ErrorCode::StaleTimestamp, Some(-301)));
    }

    #[test]
    fn rotation() {
        let (v, _, keys) = setup();
        keys.rotate("k1", b"fedcba9876543210fedcba9876543210".to_vec(), NOW + 10).unwrap();
        let old = Signer::new("k1", SECRET.to_vec()).unwrap();
        let new = Signer::new("k1", b"fedcba9876543210fedcba9876543210".to_vec()).unwrap();
        for (i, s) in [old, new].iter().enumerate() {
            let auth = signed_at(s, NOW, &format!("DDDDDDDDDDDDDDDDDDDDD{i}"));
            assert!(v.verify(&Request::new("GET", "https://h/x").header("authorization", &auth)).is_ok());
        }
        let auth = signed_at(&Signer::new("k1", SECRET.to_vec()).unwrap(), NOW + 11, "EEEEEEEEEEEEEEEEEEEEEE");
        let e = v.verify_at(&Request::new("GET", "https://h/x").header("authorization", &auth), NOW + 11);
        assert_eq!(e.unwrap_err().code(), ErrorCode::SignatureMismatch);
    }

    #[test]
    fn missing_and_foreign_authorization() {
        let (v, _, _) = setup();
        assert_eq!(v.verify(&Request::new("GET", "https://h/")).unwrap_err().code(), ErrorCode::MissingAuthorization);
        let r = Request::new("GET", "https://h/").header("Authorization", "Bearer abc");
        assert_eq!(v.verify(&r).unwrap_err().code(), ErrorCode::MalformedAuthorization);
    }
}
