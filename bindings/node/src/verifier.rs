//! The server side: `NativeVerifier` with the core's two-step verification, its replay store and
//! the ticket JavaScript holds between the steps.
//!
//! `authenticate` runs every check except replay and returns a [`NativeTicket`]. The ticket is
//! then settled exactly once, either by [`NativeVerifier::commit`] (the nonce is claimed in the
//! verifier's own in-memory store) or by [`NativeVerifier::settle`] with the answer of a store the
//! JavaScript side owns (Redis, say), which goes through the core's `Verifier::settle`. So the
//! `replayed_nonce` and `replay_store_unavailable` errors, their messages and server time are the
//! core's, never rebuilt in JavaScript.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigwire_core::{
    ErrorCode, InMemoryReplayStore, ReplayStore, ReplayTicket, Request, Verified, Verifier,
    DEFAULT_REPLAY_CAPACITY,
};

use crate::settle;
use crate::{err, request, to_js, whole, NativeKeyStore};

/// A bounded in-memory replay store (wraps the core's `InMemoryReplayStore`).
#[napi]
pub struct NativeReplayStore {
    inner: Arc<InMemoryReplayStore>,
}

#[napi]
impl NativeReplayStore {
    /// A store holding at most `capacity` live nonces (default 1 000 000).
    #[napi(constructor, catch_unwind)]
    pub fn new(capacity: Option<f64>) -> Result<Self> {
        let capacity = match capacity {
            None => DEFAULT_REPLAY_CAPACITY,
            Some(c) => {
                let c = whole(c, "capacity", ErrorCode::InvalidConfig)?;
                usize::try_from(c)
                    .map_err(|_| err(ErrorCode::InvalidConfig, "capacity is too large"))?
            }
        };
        if capacity == 0 {
            return Err(err(ErrorCode::InvalidConfig, "capacity must be at least 1"));
        }
        Ok(NativeReplayStore {
            inner: Arc::new(InMemoryReplayStore::with_capacity(capacity)),
        })
    }

    /// Records `(keyId, nonce)` until `expiresAt`; `true` when new, `false` for a replay.
    #[napi(catch_unwind)]
    pub fn check_and_record(
        &self,
        key_id: String,
        nonce: String,
        expires_at: f64,
        now: f64,
    ) -> Result<bool> {
        let expires_at = whole(expires_at, "expiresAt", ErrorCode::InvalidConfig)?;
        let now = whole(now, "now", ErrorCode::InvalidConfig)?;
        self.inner
            .check_and_record(&key_id, &nonce, expires_at, now)
            .map_err(to_js)
    }

    /// Number of nonces currently held.
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> f64 {
        self.inner.len() as f64
    }
}

/// A successful verification.
#[napi(object)]
pub struct NativeVerified {
    /// The key id whose secret matched.
    pub key_id: String,
    /// The scheme, e.g. `"sigwire-v1"`.
    pub scheme: String,
    /// The request's signing time.
    pub timestamp: f64,
}

impl From<Verified> for NativeVerified {
    fn from(v: Verified) -> Self {
        NativeVerified {
            key_id: v.key_id,
            scheme: v.scheme.to_owned(),
            // Timestamps have at most 12 digits (SPEC §2), exact in an f64.
            timestamp: v.timestamp as f64,
        }
    }
}

/// What the request head alone showed (`precheck`): the claimed key exists and the timestamp is
/// inside the window. Not proof of anything: the signature is checked with the body.
#[napi(object)]
pub struct NativePrechecked {
    /// The key id the request claims.
    pub key_id: String,
    /// The scheme that will verify the request.
    pub scheme: String,
    /// The request's signing time.
    pub timestamp: f64,
    /// `hmac-sha256` or `hmac-sha512`: what to hash a streamed body with before verifying by
    /// digest (the core's reading of `Authorization`; absent when the scheme needs the bytes).
    pub body_algorithm: Option<String>,
}

/// An authenticated request whose nonce is not yet claimed (the core's `ReplayTicket`).
///
/// Settle it once with `NativeVerifier.commit` or `NativeVerifier.settle`; a settled ticket is
/// refused the second time (`invalid_config`).
#[napi]
pub struct NativeTicket {
    ticket: Mutex<Option<ReplayTicket>>,
    key_id: String,
    scheme: &'static str,
    nonce: Option<String>,
    timestamp: u64,
    expires_at: u64,
    authenticated_at: u64,
}

#[napi]
impl NativeTicket {
    /// The key id whose secret matched.
    #[napi(getter, catch_unwind)]
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// The scheme that authenticated the request.
    #[napi(getter, catch_unwind)]
    pub fn scheme(&self) -> String {
        self.scheme.to_owned()
    }

    /// The nonce to claim (`null` when the scheme has none).
    #[napi(getter, catch_unwind)]
    pub fn nonce(&self) -> Option<String> {
        self.nonce.clone()
    }

    /// The request's signing time, Unix seconds.
    #[napi(getter, catch_unwind)]
    pub fn timestamp(&self) -> f64 {
        self.timestamp as f64
    }

    /// Keep the nonce until this Unix time (inclusive): timestamp + window.
    #[napi(getter, catch_unwind)]
    pub fn expires_at(&self) -> f64 {
        self.expires_at as f64
    }

    /// The verifier time the request was authenticated at (the server time of any error).
    #[napi(getter, catch_unwind)]
    pub fn authenticated_at(&self) -> f64 {
        self.authenticated_at as f64
    }
}

impl From<ReplayTicket> for NativeTicket {
    fn from(t: ReplayTicket) -> Self {
        NativeTicket {
            key_id: t.key_id.clone(),
            scheme: t.scheme,
            nonce: t.nonce.clone(),
            timestamp: t.timestamp,
            expires_at: t.expires_at,
            authenticated_at: t.authenticated_at,
            ticket: Mutex::new(Some(t)),
        }
    }
}

impl NativeTicket {
    fn take(&self) -> Result<ReplayTicket> {
        self.ticket
            .lock()
            .map_err(|_| err(ErrorCode::InvalidConfig, "the ticket's lock is poisoned"))?
            .take()
            .ok_or_else(|| to_js(settle::already_settled(self.authenticated_at)))
    }
}

/// Verifies signed requests against a key store, a window and a replay store.
#[napi]
pub struct NativeVerifier {
    inner: Verifier,
}

#[napi]
impl NativeVerifier {
    /// `new NativeVerifier(keys, windowSeconds, replayStore?, requireSignedHeaders?)`: `commit`
    /// and `verify` claim nonces in `replayStore` (default: a new in-memory store of the core's
    /// default capacity); a header named in `requireSignedHeaders` that is present but unsigned
    /// is refused with `unsigned_header`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        keys: &NativeKeyStore,
        window_seconds: f64,
        replay_store: Option<&NativeReplayStore>,
        require_signed_headers: Option<Vec<String>>,
    ) -> Result<Self> {
        let window = whole(window_seconds, "windowSeconds", ErrorCode::InvalidConfig)?;
        let store: Arc<dyn ReplayStore> = match replay_store {
            Some(s) => s.inner.clone(),
            None => Arc::new(InMemoryReplayStore::default()),
        };
        let mut builder = Verifier::builder(keys.inner.clone())
            .window(window)
            .replay_store(store);
        if let Some(names) = require_signed_headers {
            builder = builder.require_signed_headers(names).map_err(to_js)?;
        }
        let inner = builder.build();
        Ok(NativeVerifier { inner })
    }

    /// The window in seconds.
    #[napi(getter, catch_unwind)]
    pub fn window_seconds(&self) -> f64 {
        self.inner.window() as f64
    }

    /// The verifier's clock (Unix seconds), for the server time header.
    #[napi(catch_unwind)]
    pub fn now(&self) -> f64 {
        self.inner.now() as f64
    }

    /// Verifies a request in one step with the in-memory store; returns only the key id.
    #[napi(catch_unwind)]
    pub fn verify_key_id(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: Option<f64>,
    ) -> Result<String> {
        self.verify_once(&method, &url, &headers, body, now)
            .map(|v| v.key_id)
    }

    /// Verifies a request in one step with the in-memory store (at `now` when given).
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: Option<f64>,
    ) -> Result<NativeVerified> {
        self.verify_once(&method, &url, &headers, body, now)
            .map(NativeVerified::from)
    }

    /// [`verify`](Self::verify) for a body given by its digest (`NativeBodyHasher.finish()` of
    /// the body as it was spooled, with the algorithm the request names).
    #[napi(catch_unwind)]
    pub fn verify_digest(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        algorithm: String,
        hex: String,
        now: Option<f64>,
    ) -> Result<NativeVerified> {
        let req = crate::body::digest_request(&method, &url, &headers, &algorithm, &hex)?;
        self.verify_request(&req, now).map(NativeVerified::from)
    }

    /// [`authenticate`](Self::authenticate) for a body given by its digest.
    #[napi(catch_unwind)]
    pub fn authenticate_digest(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        algorithm: String,
        hex: String,
        now: Option<f64>,
    ) -> Result<NativeTicket> {
        let req = crate::body::digest_request(&method, &url, &headers, &algorithm, &hex)?;
        let now = self.at(now)?;
        let t = self.inner.authenticate(&req, now).map_err(to_js)?;
        Ok(NativeTicket::from(t))
    }

    /// The checks that need only the request head (no body): missing, malformed, unsupported
    /// algorithm, stale timestamp, unknown key. A server answers these before reading the body.
    #[napi(catch_unwind)]
    pub fn precheck(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        now: Option<f64>,
    ) -> Result<NativePrechecked> {
        let req = request(&method, &url, &headers, &[])?;
        let now = self.at(now)?;
        let p = self.inner.precheck(&req, now).map_err(to_js)?;
        Ok(NativePrechecked {
            key_id: p.key_id,
            scheme: p.scheme.to_owned(),
            timestamp: p.timestamp as f64,
            body_algorithm: p.body_algorithm.map(|a| a.as_str().to_owned()),
        })
    }

    /// Step one: every check except replay. Returns the ticket to settle.
    #[napi(catch_unwind)]
    pub fn authenticate(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: Option<f64>,
    ) -> Result<NativeTicket> {
        let req = request(&method, &url, &headers, body)?;
        let now = self.at(now)?;
        let t = self.inner.authenticate(&req, now).map_err(to_js)?;
        Ok(NativeTicket::from(t))
    }

    /// Step two, in the verifier's own store: claims the ticket's nonce.
    #[napi(catch_unwind)]
    pub fn commit(&self, ticket: &NativeTicket) -> Result<NativeVerified> {
        let t = ticket.take()?;
        self.inner
            .commit(t)
            .map(NativeVerified::from)
            .map_err(to_js)
    }

    /// Step two, with a store owned by JavaScript that has already tried to claim the nonce:
    /// `outcome` is `"fresh"` (recorded now), `"replayed"` (already there), `"unavailable"` (the
    /// store failed) or `"before_epoch"` (a shared store refused a timestamp at or before its
    /// epoch, docs/redis-layout.md §3). Anything else counts as `"unavailable"`: never an accept.
    #[napi(catch_unwind)]
    pub fn settle(&self, ticket: &NativeTicket, outcome: String) -> Result<NativeVerified> {
        let t = ticket.take()?;
        settle::settle(&self.inner, t, &outcome)
            .map(NativeVerified::from)
            .map_err(to_js)
    }
}

impl NativeVerifier {
    fn at(&self, now: Option<f64>) -> Result<u64> {
        match now {
            Some(t) => whole(t, "now", ErrorCode::InvalidConfig),
            None => Ok(self.inner.now()),
        }
    }

    fn verify_once(
        &self,
        method: &str,
        url: &str,
        headers: &[String],
        body: &[u8],
        now: Option<f64>,
    ) -> Result<Verified> {
        let req = request(method, url, headers, body)?;
        self.verify_request(&req, now)
    }

    /// One-step verification of a built request, at `now` when given.
    fn verify_request(&self, req: &Request<'_>, now: Option<f64>) -> Result<Verified> {
        match now {
            Some(t) => self
                .inner
                .verify_at(req, whole(t, "now", ErrorCode::InvalidConfig)?),
            None => self.inner.verify(req),
        }
        .map_err(to_js)
    }
}
