//! [`Verifier`]: the server side. Window, keys with rotation, constant-time check, replay store.

use std::sync::{Arc, OnceLock};

use crate::clock::{Clock, SystemClock};
use crate::counter::{CounterStore, InMemoryCounterStore};
use crate::credentials::Secret;
use crate::error::{Error, ErrorCode};
use crate::freshness::{ClockUnit, Freshness, ReplayPolicy, Timestamp};
use crate::keys::KeyStore;
use crate::replay::{InMemoryReplayStore, ReplayStore};
use crate::request::Request;
use crate::scheme::{Claim, Scheme};
use crate::v1::{RequiredHeaders, SigwireV1};

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
    /// The nonce that was claimed in the replay store (`None` for a scheme without nonces).
    pub nonce: Option<String>,
}

/// Proof that a request is authentic and fresh, waiting for its nonce to be claimed.
///
/// [`Verifier::authenticate`] returns it after every check except replay; then either
/// [`Verifier::commit`] claims the nonce in the verifier's own [`ReplayStore`], or a caller with
/// its own (asynchronous) store claims `(key_id, nonce)` until [`expires_at`](Self::expires_at)
/// itself and calls [`into_verified`](Self::into_verified). Only a verifier makes tickets (the
/// struct is `#[non_exhaustive]`), so holding one means the signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplayTicket {
    /// The key id whose secret matched.
    pub key_id: String,
    /// The scheme that authenticated the request, e.g. `"sigwire-v1"`.
    pub scheme: &'static str,
    /// The request's signing time, Unix seconds.
    pub timestamp: u64,
    /// The nonce to claim; `None` when the scheme carries none (nothing to claim).
    pub nonce: Option<String>,
    /// Keep the nonce until this Unix time (inclusive): `timestamp + window`. After it, the
    /// timestamp is outside the window, so the request is refused as stale anyway.
    pub expires_at: u64,
    /// The verifier time the request was authenticated at; [`Verifier::commit`] uses it as
    /// `now` for the store, and errors carry it as the server time.
    pub authenticated_at: u64,
    /// How the nonce is claimed: [`ReplayPolicy::RandomNonce`] — record `(key_id, nonce)` until
    /// `expires_at`, refuse if present; [`ReplayPolicy::IncreasingNonce`] — the decimal nonce
    /// must exceed the key's previous one; [`ReplayPolicy::None`] — nothing to claim.
    pub replay: ReplayPolicy,
}

impl ReplayTicket {
    /// The result, for a caller that has claimed the nonce in its own store (or whose scheme
    /// has no nonce). Never call this without having claimed the nonce: that would accept replays.
    pub fn into_verified(self) -> Verified {
        Verified {
            key_id: self.key_id,
            scheme: self.scheme,
            timestamp: self.timestamp,
            nonce: self.nonce,
        }
    }
}

/// What [`Verifier::precheck`] learned from the headers alone.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Prechecked {
    /// The key id the request claims (known to the key store, not yet proven).
    pub key_id: String,
    /// The scheme that will verify the request.
    pub scheme: &'static str,
    /// The request's signing time (inside the window).
    pub timestamp: u64,
    /// The digest the signature covers the body with, when the scheme says
    /// ([`Claim::body_algorithm`](crate::scheme::Claim::body_algorithm)): hash a streamed body
    /// with it and verify with [`Request::precomputed_body_digest`].
    pub body_algorithm: Option<crate::Algorithm>,
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
    counters: Arc<dyn CounterStore>,
    clock: Arc<dyn Clock>,
    window: u64,
    schemes: Vec<Box<dyn Scheme>>,
    required: RequiredHeaders,
}

impl core::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let schemes: Vec<&str> = self.schemes.iter().map(|s| s.name()).collect();
        f.debug_struct("Verifier")
            .field("window", &self.window)
            .field("schemes", &schemes)
            .field("required_signed_headers", &self.required.names())
            .finish_non_exhaustive()
    }
}

/// Builds a [`Verifier`].
pub struct VerifierBuilder {
    keys: Arc<dyn KeyStore>,
    replay: Option<Arc<dyn ReplayStore>>,
    counters: Option<Arc<dyn CounterStore>>,
    clock: Arc<dyn Clock>,
    window: u64,
    schemes: Vec<Box<dyn Scheme>>,
    required: RequiredHeaders,
}

impl VerifierBuilder {
    /// Headers that must be signed whenever a request carries them: a request with one of them
    /// that its signature does not cover is refused with `unsigned_header` (401), before the
    /// body is needed ([`Verifier::precheck`] checks it too). A request without them is not
    /// affected. Use it for headers that change what your application does, e.g.
    /// `X-HTTP-Method-Override` (issue 12 item 11; SPEC §6 step 1, §8).
    ///
    /// Names are matched ignoring case. Errors: `invalid_config` for a name that is not an HTTP
    /// token, or `authorization` (never signed). Calling it again replaces the list.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sigwire_core::{ErrorCode, InMemoryKeyStore, Request, SignOptions, Signer, Verifier};
    ///
    /// let secret = b"0123456789abcdef0123456789abcdef".to_vec();
    /// let keys = Arc::new(InMemoryKeyStore::new());
    /// keys.insert("client-1", secret.clone(), None)?;
    /// let verifier = Verifier::builder(keys)
    ///     .require_signed_headers(["X-HTTP-Method-Override"])?
    ///     .build();
    /// let request = Request::new("POST", "https://api.example.com/v1/orders/7");
    /// let signed = Signer::new("client-1", secret)?.sign(&request)?;
    /// // Someone on the path turns the POST into a DELETE for frameworks that obey the override.
    /// let tampered = request
    ///     .header("Authorization", &signed.authorization)
    ///     .header("X-HTTP-Method-Override", "DELETE");
    /// assert_eq!(verifier.verify(&tampered).unwrap_err().code(), ErrorCode::UnsignedHeader);
    /// # Ok::<(), sigwire_core::Error>(())
    /// ```
    pub fn require_signed_headers<I, S>(mut self, names: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.required = RequiredHeaders::new(names)?;
        Ok(self)
    }

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

    /// The store of increasing nonces, for schemes with [`ReplayPolicy::IncreasingNonce`]
    /// (default: an [`InMemoryCounterStore`] for this process).
    #[must_use]
    pub fn counter_store(mut self, store: Arc<dyn CounterStore>) -> Self {
        self.counters = Some(store);
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
            replay: self
                .replay
                .unwrap_or_else(|| Arc::new(InMemoryReplayStore::default())),
            counters: self
                .counters
                .unwrap_or_else(|| Arc::new(InMemoryCounterStore::default())),
            clock: self.clock,
            window: self.window,
            schemes: self.schemes,
            required: self.required,
        }
    }
}

impl Verifier {
    /// A builder with `sigwire-v1`, a 300 s window, the system clock and an in-memory replay store.
    pub fn builder(keys: Arc<dyn KeyStore>) -> VerifierBuilder {
        VerifierBuilder {
            keys,
            replay: None,
            counters: None,
            clock: Arc::new(SystemClock),
            window: DEFAULT_WINDOW,
            schemes: vec![Box::new(SigwireV1)],
            required: RequiredHeaders::default(),
        }
    }

    /// The window in seconds.
    pub fn window(&self) -> u64 {
        self.window
    }

    /// The headers that must be signed when present
    /// ([`VerifierBuilder::require_signed_headers`]), lowercased.
    pub fn required_signed_headers(&self) -> &[String] {
        self.required.names()
    }

    /// The verifier's current time (for the server time header).
    pub fn now(&self) -> u64 {
        self.clock.now()
    }

    /// Verifies `request` at the clock's current time: [`authenticate`](Self::authenticate)
    /// then [`commit`](Self::commit). (Schemes in milliseconds see the clock's milliseconds.)
    ///
    /// Every error carries the server time ([`Error::server_time`]).
    pub fn verify(&self, request: &Request<'_>) -> Result<Verified, Error> {
        let ticket = self.authenticate_ms(request, self.clock.now_ms())?;
        self.commit(ticket)
    }

    /// Verifies `request` as if the time were `now`, Unix seconds (SPEC §6).
    pub fn verify_at(&self, request: &Request<'_>, now: u64) -> Result<Verified, Error> {
        let ticket = self.authenticate(request, now)?;
        self.commit(ticket)
    }

    /// Step one of two: every check except replay, at time `now` (Unix seconds).
    ///
    /// In order: an `Authorization` header is present (`missing_authorization`), a configured
    /// scheme claims it and it parses (`malformed_authorization`, `unsupported_algorithm`), every
    /// header the verifier requires to be signed that the request carries is signed
    /// (`unsigned_header`), the claim is fresh by its own [`Freshness`] rule (`stale_timestamp`), the key id has an active
    /// secret (`unknown_key`), and the signature matches the method, URL, headers and body,
    /// compared in constant time (`signature_mismatch`, or `invalid_request` when the request
    /// cannot be canonicalised). Nothing is recorded: claim the ticket's nonce with
    /// [`commit`](Self::commit), or in your own store and then
    /// [`ReplayTicket::into_verified`].
    ///
    /// An unknown key id costs the same as a known key with a wrong signature: the signature is
    /// computed against a dummy secret before `unknown_key` is returned, so response time does not
    /// tell which key ids exist (the code itself does, by design: SPEC's error codes).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sigwire_core::{InMemoryKeyStore, Request, Signer, Verifier};
    ///
    /// let secret = b"0123456789abcdef0123456789abcdef".to_vec();
    /// let keys = Arc::new(InMemoryKeyStore::new());
    /// keys.insert("client-1", secret.clone(), None)?;
    /// let verifier = Verifier::builder(keys).build();
    /// let request = Request::new("GET", "https://api.example.com/v1/orders");
    /// let signed = Signer::new("client-1", secret)?.sign(&request)?;
    /// let received = request.clone().header("Authorization", &signed.authorization);
    ///
    /// let ticket = verifier.authenticate(&received, verifier.now())?;
    /// // An async store would claim (ticket.key_id, ticket.nonce) until ticket.expires_at here.
    /// assert_eq!(ticket.expires_at, ticket.timestamp + verifier.window());
    /// let verified = verifier.commit(ticket)?;
    /// assert_eq!(verified.nonce.as_deref(), Some(signed.nonce.as_str()));
    /// # Ok::<(), sigwire_core::Error>(())
    /// ```
    pub fn authenticate(&self, request: &Request<'_>, now: u64) -> Result<ReplayTicket, Error> {
        self.authenticate_ms(request, now.saturating_mul(1000))
    }

    /// [`authenticate`](Self::authenticate) at `now_ms`, Unix milliseconds (for schemes that
    /// sign in milliseconds; seconds schemes see `now_ms / 1000`).
    pub fn authenticate_ms(
        &self,
        request: &Request<'_>,
        now_ms: u64,
    ) -> Result<ReplayTicket, Error> {
        self.authenticate_inner(request, now_ms)
            .map_err(|e| e.with_server_time(now_ms / 1000))
    }

    /// Step two of two: claims the ticket's nonce as its [`ReplayPolicy`] says — in the
    /// configured [`ReplayStore`] until `expires_at` (random nonces) or the [`CounterStore`]
    /// (increasing nonces). `replayed_nonce` when it was already claimed (or is not larger),
    /// `replay_store_unavailable` when the store cannot record it (never an accept). Errors carry
    /// the ticket's `authenticated_at` as the server time.
    pub fn commit(&self, ticket: ReplayTicket) -> Result<Verified, Error> {
        let now = ticket.authenticated_at;
        let fresh = match (ticket.replay, ticket.nonce.as_deref()) {
            (ReplayPolicy::None, _) => true,
            (ReplayPolicy::IncreasingNonce, Some(nonce)) => self
                .counters
                .advance(
                    &ticket.key_id,
                    parse_counter(nonce).map_err(|e| e.with_server_time(now))?,
                )
                .map_err(|e| e.with_server_time(now))?,
            (_, Some(nonce)) => self
                .replay
                .check_and_record(&ticket.key_id, nonce, ticket.expires_at, now)
                .map_err(|e| e.with_server_time(now))?,
            (_, None) => {
                return Err(Error::malformed("the scheme's replay policy needs a nonce")
                    .with_server_time(now));
            }
        };
        if !fresh {
            return Err(Error::new(
                ErrorCode::ReplayedNonce,
                "this nonce was already used; sign each request afresh",
            )
            .with_server_time(now));
        }
        Ok(ticket.into_verified())
    }

    /// The checks that need only the request line and headers, so a server can answer before it
    /// reads (or accepts, with `Expect: 100-continue`) the body.
    ///
    /// Pass the request without its body. Checked: an `Authorization` header is present
    /// (`missing_authorization`), exactly one, claimed by a configured scheme and well formed,
    /// including the signature's length and the `signedHeaders` syntax
    /// (`malformed_authorization`); the algorithm is offered (`unsupported_algorithm`); the
    /// required headers present are signed (`unsigned_header`); the timestamp is fresh (`stale_timestamp`); the key id has an active secret (`unknown_key`).
    /// Not checked, because they need the body or must follow the signature: the signature
    /// itself (with the presence of each signed header), `content-type` being signed when there
    /// is a body, and replay. A request that passes still goes through [`verify`](Self::verify)
    /// or [`authenticate`](Self::authenticate) with its body; nothing is recorded here.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sigwire_core::{ErrorCode, InMemoryKeyStore, Request, Verifier};
    ///
    /// let keys = Arc::new(InMemoryKeyStore::new());
    /// let verifier = Verifier::builder(keys).build();
    /// let headers_only = Request::new("POST", "https://api.example.com/upload");
    /// let e = verifier.precheck(&headers_only, verifier.now()).unwrap_err();
    /// assert_eq!(e.code(), ErrorCode::MissingAuthorization); // answer 401 without reading the body
    /// ```
    pub fn precheck(&self, request: &Request<'_>, now: u64) -> Result<Prechecked, Error> {
        self.precheck_inner(request, now.saturating_mul(1000))
            .map_err(|e| e.with_server_time(now))
    }

    fn precheck_inner(&self, request: &Request<'_>, now_ms: u64) -> Result<Prechecked, Error> {
        self.with_claim(request, |scheme, claim| {
            self.precheck_claim(scheme, claim, request, now_ms)
        })
    }

    fn precheck_claim(
        &self,
        scheme: &dyn Scheme,
        claim: &dyn Claim,
        request: &Request<'_>,
        now_ms: u64,
    ) -> Result<Prechecked, Error> {
        self.required
            .check(request, |name| claim.signs_header(name))?;
        self.check_fresh(claim.freshness(), now_ms)?;
        let mut known = false;
        self.keys
            .with_active_secrets(claim.key_id(), now_ms / 1000, &mut |secrets| {
                known = !secrets.is_empty();
            })?;
        if !known {
            return Err(unknown_key());
        }
        Ok(Prechecked {
            key_id: claim.key_id().to_owned(),
            scheme: scheme.name(),
            timestamp: claim.timestamp(),
            body_algorithm: claim.body_algorithm(),
        })
    }

    /// Finds the scheme for `request` (the first that claims it), parses its credentials and
    /// hands them to `then` ([`Scheme::with_claim`]: `sigwire-v1` keeps its claim on the stack).
    fn with_claim<'r, T>(
        &self,
        request: &'r Request<'r>,
        then: impl FnOnce(&dyn Scheme, &dyn Claim) -> Result<T, Error>,
    ) -> Result<T, Error> {
        // Schemes first: RFC 9421 (Signature-Input) and presigned URLs (query) carry no
        // Authorization header. With none claiming, the answer is as SPEC §6 orders it.
        let (mut then, mut out) = (Some(then), None);
        for scheme in &self.schemes {
            let scheme: &dyn Scheme = scheme.as_ref();
            let Some(read) = scheme.with_claim_if_claimed(request, &mut |claim| {
                if let Some(then) = then.take() {
                    out = Some(then(scheme, claim));
                }
            }) else {
                continue;
            };
            read?;
            return out.unwrap_or_else(|| {
                Err(Error::malformed(
                    "the scheme read no credentials from the request",
                ))
            });
        }
        if !request.has_header("authorization") {
            return Err(Error::new(
                ErrorCode::MissingAuthorization,
                "the request has no Authorization header",
            ));
        }
        Err(Error::malformed(
            "the Authorization header uses no scheme this server accepts (expected \"HMAC …\")",
        ))
    }

    /// Enforces a claim's freshness at `now_ms`; returns until when (Unix seconds, inclusive)
    /// its nonce must be remembered.
    fn check_fresh(&self, freshness: Freshness, now_ms: u64) -> Result<u64, Error> {
        match freshness {
            Freshness::Created {
                at,
                max_age,
                max_ahead,
            } => {
                let unit = at.unit;
                let now = unit.from_ms(now_ms);
                let window = self.window.saturating_mul(1000 / unit.ms_per_unit());
                let (max_age, max_ahead) = (max_age.unwrap_or(window), max_ahead.unwrap_or(window));
                let skew = i128::from(at.value) - i128::from(now);
                if skew > i128::from(max_ahead) || -skew > i128::from(max_age) {
                    return Err(stale(
                        skew,
                        unit,
                        if skew > 0 { max_ahead } else { max_age },
                    ));
                }
                Ok(ceil_seconds(Timestamp {
                    value: at.value.saturating_add(max_age),
                    unit,
                }))
            }
            Freshness::Interval {
                not_before,
                expires,
            } => {
                if let Some(nb) = not_before {
                    let skew = i128::from(nb.value) - i128::from(nb.unit.from_ms(now_ms));
                    if skew > 0 {
                        return Err(stale(skew, nb.unit, 0));
                    }
                }
                let skew = i128::from(expires.value) - i128::from(expires.unit.from_ms(now_ms));
                if skew < 0 {
                    return Err(stale(skew, expires.unit, 0));
                }
                Ok(ceil_seconds(expires))
            }
            Freshness::Untimed => Ok(u64::MAX),
        }
    }

    fn authenticate_inner(
        &self,
        request: &Request<'_>,
        now_ms: u64,
    ) -> Result<ReplayTicket, Error> {
        self.with_claim(request, |scheme, claim| {
            self.authenticate_claim(scheme, claim, request, now_ms)
        })
    }

    fn authenticate_claim(
        &self,
        scheme: &dyn Scheme,
        claim: &dyn Claim,
        request: &Request<'_>,
        now_ms: u64,
    ) -> Result<ReplayTicket, Error> {
        let now = now_ms / 1000;
        self.required
            .check(request, |name| claim.signs_header(name))?;
        let expires_at = self.check_fresh(claim.freshness(), now_ms)?;
        let replay = claim.replay_policy();
        match (replay, claim.nonce()) {
            (ReplayPolicy::IncreasingNonce, Some(nonce)) => {
                parse_counter(nonce)?;
            }
            (ReplayPolicy::RandomNonce, Some(_)) => {
                if expires_at == u64::MAX {
                    // A random nonce must be remembered until the request expires: never.
                    return Err(Error::new(
                        ErrorCode::InvalidConfig,
                        "a scheme without time must use increasing nonces or none",
                    ));
                }
            }
            (ReplayPolicy::None, _) => {}
            (_, None) => return Err(Error::malformed("the request carries no nonce")),
        }

        // The key store lends the secrets (no list, no reference counts for the in-memory one).
        let mut checked = None;
        self.keys
            .with_active_secrets(claim.key_id(), now, &mut |secrets| {
                if !secrets.is_empty() {
                    checked = Some(claim.check(secrets));
                }
            })?;
        // No active secret lent (or a store that never called back): the key is unknown. Same
        // work as a known key with a wrong signature, so timing does not reveal which key ids
        // exist; the result is ignored.
        checked.unwrap_or_else(|| {
            let _ = claim.check(dummy_secret());
            Err(unknown_key())
        })?;
        Ok(ReplayTicket {
            key_id: claim.key_id().to_owned(),
            scheme: scheme.name(),
            timestamp: claim.timestamp(),
            nonce: claim.nonce().map(str::to_owned),
            expires_at,
            authenticated_at: now,
            replay,
        })
    }
}

/// A `stale_timestamp` error for a skew in `unit`s and a limit in `unit`s.
fn stale(skew: i128, unit: ClockUnit, limit: u64) -> Error {
    let per = i128::from(unit.ms_per_unit());
    let seconds = skew * per / 1000;
    let seconds = i64::try_from(seconds).unwrap_or(if seconds > 0 { i64::MAX } else { i64::MIN });
    Error::stale(seconds, limit.saturating_mul(unit.ms_per_unit()) / 1000)
}

/// `t` in Unix seconds, rounded up.
fn ceil_seconds(t: Timestamp) -> u64 {
    match t.unit {
        ClockUnit::Seconds => t.value,
        ClockUnit::Milliseconds => t.value.div_ceil(1000),
    }
}

/// An increasing nonce: 1 to 20 decimal digits.
fn parse_counter(nonce: &str) -> Result<u64, Error> {
    if nonce.is_empty() || nonce.len() > 20 || !nonce.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::malformed(
            "an increasing nonce must be a decimal number",
        ));
    }
    nonce
        .parse()
        .map_err(|_| Error::malformed("an increasing nonce must fit 64 bits"))
}

fn unknown_key() -> Error {
    Error::new(
        ErrorCode::UnknownKey,
        "the key id is unknown or its secrets are retired",
    )
}

/// A per-process random secret that no client holds: checked against when the key id is
/// unknown, to spend the time a real check takes.
fn dummy_secret() -> &'static [Arc<Secret>] {
    static DUMMY: OnceLock<Vec<Arc<Secret>>> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut bytes = vec![0x5a_u8; 32];
        // If the OS random source fails, a fixed secret still costs the same time; a match is
        // ignored anyway (the caller returns `unknown_key` whatever the outcome).
        let _ = getrandom::fill(&mut bytes);
        Secret::new(bytes).map(Arc::new).into_iter().collect()
    })
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
        let v = Verifier::builder(keys.clone())
            .clock(Arc::new(FixedClock::new(NOW)))
            .build();
        (v, Signer::new("k1", SECRET.to_vec()).unwrap(), keys)
    }

    fn signed_at(signer: &Signer, ts: u64, nonce: &str) -> String {
        signer
            .sign_with(
                &Request::new("GET", "https://h/x"),
                &SignOptions::fixed(ts, nonce),
            )
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
        assert!(v
            .verify(&Request::new("GET", "https://h/x").header("authorization", &ok))
            .is_ok());
        let late = signed_at(&s, NOW - 301, "CCCCCCCCCCCCCCCCCCCCCC");
        let e = v
            .verify(&Request::new("GET", "https://h/x").header("authorization", &late))
            .unwrap_err();
        assert_eq!(
            (e.code(), e.skew_seconds()),
            (ErrorCode::StaleTimestamp, Some(-301))
        );
    }

    #[test]
    fn rotation() {
        let (v, _, keys) = setup();
        keys.rotate("k1", b"fedcba9876543210fedcba9876543210".to_vec(), NOW + 10)
            .unwrap();
        let old = Signer::new("k1", SECRET.to_vec()).unwrap();
        let new = Signer::new("k1", b"fedcba9876543210fedcba9876543210".to_vec()).unwrap();
        for (i, s) in [old, new].iter().enumerate() {
            let auth = signed_at(s, NOW, &format!("DDDDDDDDDDDDDDDDDDDDD{i}"));
            assert!(v
                .verify(&Request::new("GET", "https://h/x").header("authorization", &auth))
                .is_ok());
        }
        let auth = signed_at(
            &Signer::new("k1", SECRET.to_vec()).unwrap(),
            NOW + 11,
            "EEEEEEEEEEEEEEEEEEEEEE",
        );
        let e = v.verify_at(
            &Request::new("GET", "https://h/x").header("authorization", &auth),
            NOW + 11,
        );
        assert_eq!(e.unwrap_err().code(), ErrorCode::SignatureMismatch);
    }

    #[test]
    fn missing_and_foreign_authorization() {
        let (v, _, _) = setup();
        assert_eq!(
            v.verify(&Request::new("GET", "https://h/"))
                .unwrap_err()
                .code(),
            ErrorCode::MissingAuthorization
        );
        let r = Request::new("GET", "https://h/").header("Authorization", "Bearer abc");
        assert_eq!(
            v.verify(&r).unwrap_err().code(),
            ErrorCode::MalformedAuthorization
        );
    }

    fn received(auth: &str) -> Request<'_> {
        Request::new("GET", "https://h/x").header("authorization", auth)
    }

    #[test]
    fn two_steps_expose_the_ticket_and_commit_once() {
        let (v, s, _) = setup();
        let auth = signed_at(&s, NOW - 10, "FFFFFFFFFFFFFFFFFFFFFF");
        let ticket = v.authenticate(&received(&auth), NOW).unwrap();
        assert_eq!(ticket.key_id, "k1");
        assert_eq!(ticket.nonce.as_deref(), Some("FFFFFFFFFFFFFFFFFFFFFF"));
        assert_eq!(
            (ticket.timestamp, ticket.expires_at, ticket.authenticated_at),
            (NOW - 10, NOW + 290, NOW)
        );
        // Authenticating records nothing: the same request authenticates again.
        let again = v.authenticate(&received(&auth), NOW).unwrap();
        let verified = v.commit(ticket).unwrap();
        assert_eq!(verified.nonce.as_deref(), Some("FFFFFFFFFFFFFFFFFFFFFF"));
        let e = v.commit(again).unwrap_err();
        assert_eq!(
            (e.code(), e.server_time()),
            (ErrorCode::ReplayedNonce, Some(NOW))
        );
        assert_eq!(
            v.verify(&received(&auth)).unwrap_err().code(),
            ErrorCode::ReplayedNonce
        );
    }

    #[test]
    fn a_caller_with_its_own_store_claims_the_nonce_itself() {
        let (v, s, _) = setup();
        let own = crate::InMemoryReplayStore::with_capacity(10);
        let auth = signed_at(&s, NOW, "GGGGGGGGGGGGGGGGGGGGGG");
        let claim = |t: &ReplayTicket| {
            own.check_and_record(
                &t.key_id,
                t.nonce.as_deref().unwrap(),
                t.expires_at,
                t.authenticated_at,
            )
            .unwrap()
        };
        let first = v.authenticate(&received(&auth), NOW).unwrap();
        assert!(claim(&first));
        assert_eq!(first.into_verified().key_id, "k1");
        let second = v.authenticate(&received(&auth), NOW + 1).unwrap();
        assert!(!claim(&second), "the caller's store sees the replay");
    }

    #[test]
    fn precheck_answers_from_headers_alone() {
        let (v, s, _) = setup();
        let headers_only = |auth: &str| {
            let owned = auth.to_owned();
            move |v: &Verifier| {
                v.precheck(
                    &Request::new("POST", "https://h/x").header("authorization", &owned),
                    NOW,
                )
            }
        };
        assert_eq!(
            v.precheck(&Request::new("POST", "https://h/x"), NOW)
                .unwrap_err()
                .code(),
            ErrorCode::MissingAuthorization
        );
        assert_eq!(
            headers_only("Bearer x")(&v).unwrap_err().code(),
            ErrorCode::MalformedAuthorization
        );
        let stale = signed_at(&s, NOW - 301, "HHHHHHHHHHHHHHHHHHHHHH");
        let e = headers_only(&stale)(&v).unwrap_err();
        assert_eq!(
            (e.code(), e.server_time()),
            (ErrorCode::StaleTimestamp, Some(NOW))
        );
        let other = Signer::new("nobody", SECRET.to_vec()).unwrap();
        let unknown = signed_at(&other, NOW, "IIIIIIIIIIIIIIIIIIIIII");
        assert_eq!(
            headers_only(&unknown)(&v).unwrap_err().code(),
            ErrorCode::UnknownKey
        );
        let sha1 = signed_at(&s, NOW, "JJJJJJJJJJJJJJJJJJJJJJ").replace("hmac-sha256", "hmac-sha1");
        assert_eq!(
            headers_only(&sha1)(&v).unwrap_err().code(),
            ErrorCode::UnsupportedAlgorithm
        );
        // A good header passes whatever the (absent) body, and nothing is recorded.
        let good = signed_at(&s, NOW, "KKKKKKKKKKKKKKKKKKKKKK");
        let pre = headers_only(&good)(&v).unwrap();
        assert_eq!((pre.key_id.as_str(), pre.timestamp), ("k1", NOW));
        assert!(
            v.verify(&received(&good)).is_ok(),
            "precheck did not claim the nonce"
        );
    }

    /// A scheme whose claims count how often a signature is computed.
    struct Counting(Arc<std::sync::atomic::AtomicUsize>);
    struct CountingClaim(Arc<std::sync::atomic::AtomicUsize>);
    impl Scheme for Counting {
        fn name(&self) -> &'static str {
            "counting"
        }
        fn claims(&self, _: &Request<'_>) -> bool {
            true
        }
        fn parse<'r>(&self, _: &'r Request<'r>) -> Result<Box<dyn Claim + 'r>, Error> {
            Ok(Box::new(CountingClaim(Arc::clone(&self.0))))
        }
    }
    impl Claim for CountingClaim {
        fn key_id(&self) -> &str {
            "unknown-key"
        }
        fn timestamp(&self) -> u64 {
            NOW
        }
        fn nonce(&self) -> Option<&str> {
            None
        }
        fn check(&self, secrets: &[Arc<Secret>]) -> Result<(), Error> {
            self.0
                .fetch_add(secrets.len(), std::sync::atomic::Ordering::SeqCst);
            Err(Error::new(ErrorCode::SignatureMismatch, "counting"))
        }
    }

    #[test]
    fn unknown_key_costs_a_signature_check() {
        // Issue 12 item 12: before, an unknown key id returned without computing any HMAC, so it
        // answered measurably faster than a known key with a wrong signature.
        let checks = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let keys = Arc::new(InMemoryKeyStore::new());
        let mut builder = Verifier::builder(keys).clock(Arc::new(FixedClock::new(NOW)));
        builder.schemes.clear();
        let v = builder
            .scheme(Box::new(Counting(Arc::clone(&checks))))
            .build();
        let e = v
            .verify(&Request::new("GET", "https://h/").header("authorization", "x"))
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownKey);
        assert_eq!(
            checks.load(std::sync::atomic::Ordering::SeqCst),
            1,
            "one check against the dummy secret"
        );
    }

    /// A scheme whose claim is fixed by the test: freshness, replay policy, nonce.
    #[derive(Clone, Copy)]
    struct Stated {
        freshness: Freshness,
        replay: ReplayPolicy,
        nonce: Option<&'static str>,
    }
    impl Scheme for Stated {
        fn name(&self) -> &'static str {
            "stated"
        }
        fn claims(&self, _: &Request<'_>) -> bool {
            true
        }
        fn parse<'r>(&self, _: &'r Request<'r>) -> Result<Box<dyn Claim + 'r>, Error> {
            Ok(Box::new(*self))
        }
    }
    impl Claim for Stated {
        fn key_id(&self) -> &str {
            "k1"
        }
        fn timestamp(&self) -> u64 {
            NOW
        }
        fn nonce(&self) -> Option<&str> {
            self.nonce
        }
        fn freshness(&self) -> Freshness {
            self.freshness
        }
        fn replay_policy(&self) -> ReplayPolicy {
            self.replay
        }
        fn check(&self, _: &[Arc<Secret>]) -> Result<(), Error> {
            Ok(())
        }
    }

    fn stated(scheme: Stated) -> Verifier {
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k1", SECRET.to_vec(), None).unwrap();
        let mut builder = Verifier::builder(keys);
        builder.schemes.clear();
        builder.scheme(Box::new(scheme)).build()
    }

    fn code_at(v: &Verifier, now_ms: u64) -> Result<ReplayTicket, ErrorCode> {
        v.authenticate_ms(
            &Request::new("GET", "https://h/").header("authorization", "x"),
            now_ms,
        )
        .map_err(|e| e.code())
    }

    #[test]
    fn millisecond_claims_with_a_receive_window() {
        // Binance: accepted while timestamp < server + 1000 ms and server − timestamp ≤ recvWindow.
        let at = NOW * 1000 + 250;
        let v = stated(Stated {
            freshness: Freshness::Created {
                at: Timestamp::millis(at),
                max_age: Some(5000),
                max_ahead: Some(1000),
            },
            replay: ReplayPolicy::None,
            nonce: None,
        });
        assert!(code_at(&v, at + 5000).is_ok());
        assert_eq!(
            code_at(&v, at + 5001).unwrap_err(),
            ErrorCode::StaleTimestamp
        );
        assert!(code_at(&v, at - 1000).is_ok());
        assert_eq!(
            code_at(&v, at - 1001).unwrap_err(),
            ErrorCode::StaleTimestamp
        );
        let t = code_at(&v, at).unwrap();
        assert_eq!(
            (t.expires_at, t.replay),
            (NOW + 6, ReplayPolicy::None),
            "5.25 s rounded up"
        );
        assert!(
            v.commit(t.clone()).is_ok() && v.commit(t).is_ok(),
            "no nonce: nothing to claim"
        );
    }

    #[test]
    fn intervals_and_untimed_claims() {
        let v = stated(Stated {
            freshness: Freshness::Interval {
                not_before: Some(Timestamp::seconds(NOW)),
                expires: Timestamp::seconds(NOW + 60),
            },
            replay: ReplayPolicy::RandomNonce,
            nonce: Some("n-1"),
        });
        assert_eq!(
            code_at(&v, (NOW - 1) * 1000).unwrap_err(),
            ErrorCode::StaleTimestamp
        );
        assert_eq!(
            code_at(&v, (NOW + 61) * 1000).unwrap_err(),
            ErrorCode::StaleTimestamp
        );
        let t = code_at(&v, (NOW + 60) * 1000).unwrap();
        assert_eq!(t.expires_at, NOW + 60);
        // A random nonce without any time could never be forgotten: refused as a scheme bug.
        let v = stated(Stated {
            freshness: Freshness::Untimed,
            replay: ReplayPolicy::RandomNonce,
            nonce: Some("n"),
        });
        assert_eq!(code_at(&v, 0).unwrap_err(), ErrorCode::InvalidConfig);
    }

    #[test]
    fn increasing_nonces_must_grow_per_key() {
        let shared: Arc<dyn CounterStore> = Arc::new(InMemoryCounterStore::default());
        let with = |nonce: &'static str| {
            let keys = Arc::new(InMemoryKeyStore::new());
            keys.insert("k1", SECRET.to_vec(), None).unwrap();
            let mut b = Verifier::builder(keys).counter_store(Arc::clone(&shared));
            b.schemes.clear();
            let claim = Stated {
                freshness: Freshness::Untimed,
                replay: ReplayPolicy::IncreasingNonce,
                nonce: Some(nonce),
            };
            b.scheme(Box::new(claim)).build()
        };
        let commit = |nonce| {
            let v = with(nonce);
            let t = code_at(&v, NOW * 1000).unwrap();
            v.commit(t).map_err(|e| e.code())
        };
        assert!(commit("100").is_ok());
        assert_eq!(commit("100").unwrap_err(), ErrorCode::ReplayedNonce);
        assert_eq!(commit("99").unwrap_err(), ErrorCode::ReplayedNonce);
        assert!(commit("101").is_ok());
        assert_eq!(
            code_at(&with("12a"), NOW * 1000).unwrap_err(),
            ErrorCode::MalformedAuthorization
        );
    }

    /// A scheme that reads its credentials from elsewhere (RFC 9421 `Signature-Input`).
    struct HeaderScheme;
    impl Scheme for HeaderScheme {
        fn name(&self) -> &'static str {
            "signature-input"
        }
        fn claims(&self, request: &Request<'_>) -> bool {
            request.has_header("signature-input")
        }
        fn parse<'r>(&self, _: &'r Request<'r>) -> Result<Box<dyn Claim + 'r>, Error> {
            Ok(Box::new(Stated {
                freshness: Freshness::Created {
                    at: Timestamp::seconds(NOW),
                    max_age: None,
                    max_ahead: None,
                },
                replay: ReplayPolicy::None,
                nonce: None,
            }))
        }
    }

    #[test]
    fn schemes_are_asked_before_authorization_is_required() {
        let keys = Arc::new(InMemoryKeyStore::new());
        keys.insert("k1", SECRET.to_vec(), None).unwrap();
        let v = Verifier::builder(keys)
            .clock(Arc::new(FixedClock::new(NOW)))
            .scheme(Box::new(HeaderScheme))
            .build();
        let r = Request::new("GET", "https://h/").header("Signature-Input", "sig1=()");
        assert_eq!(v.verify(&r).unwrap().scheme, "signature-input");
        let none = v.verify(&Request::new("GET", "https://h/")).unwrap_err();
        assert_eq!(none.code(), ErrorCode::MissingAuthorization);
    }
}
