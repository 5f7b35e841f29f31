//! `WasmVerifier`: the core's verifier with its two steps exposed. `authenticate` runs every
//! check except replay and returns a [`WasmTicket`]; the ticket is settled once, by `commit` (the
//! verifier's in-memory store) or by `settle` with the answer of a store written in JavaScript
//! (Workers KV, a Durable Object, Redis), which is the core's `Verifier::settle`; so the replay
//! errors and their messages are the core's.

use std::cell::RefCell;
use std::sync::Arc;

use sigwire_core::{ErrorCode, InMemoryReplayStore, ReplayStore, ReplayTicket, Verified, Verifier};
use wasm_bindgen::prelude::*;

use crate::{optional_seconds, request, unpack, Failure, WasmKeyStore, WasmReplayStore};

// Settling with a JavaScript store's answer, one source for both JavaScript bindings.
#[path = "../../node/src/settle.rs"]
mod settle;

/// Verifies signed requests (`sigwire_core::Verifier`).
#[wasm_bindgen]
pub struct WasmVerifier {
    inner: Verifier,
}

fn window_of(window: Option<f64>) -> Result<Option<u64>, Failure> {
    optional_seconds(window, "windowSeconds", ErrorCode::InvalidConfig)
}

fn build(
    keys: &WasmKeyStore,
    store: Arc<dyn ReplayStore>,
    window: Option<f64>,
    required: Vec<String>,
) -> Result<WasmVerifier, Failure> {
    let mut builder = Verifier::builder(keys.inner.clone()).replay_store(store);
    if let Some(window) = window_of(window)? {
        builder = builder.window(window);
    }
    if !required.is_empty() {
        builder = builder.require_signed_headers(required)?;
    }
    Ok(WasmVerifier {
        inner: builder.build(),
    })
}

#[wasm_bindgen]
impl WasmVerifier {
    /// A verifier over `keys` and `replay` with a `window` (seconds, default 300); a header in
    /// `required` that is present but unsigned is refused (`unsigned_header`).
    /// The store objects stay usable from JavaScript (they are shared, not moved).
    #[wasm_bindgen(constructor)]
    pub fn new(
        keys: &WasmKeyStore,
        replay: &WasmReplayStore,
        window: Option<f64>,
        required: Vec<String>,
    ) -> Result<WasmVerifier, Failure> {
        build(keys, replay.inner.clone(), window, required)
    }

    /// A verifier whose nonces are claimed by a store written in JavaScript: use
    /// `authenticate`, then `settle` with that store's answer.
    #[wasm_bindgen(js_name = withExternalReplay)]
    pub fn with_external_replay(
        keys: &WasmKeyStore,
        window: Option<f64>,
        required: Vec<String>,
    ) -> Result<WasmVerifier, Failure> {
        build(
            keys,
            Arc::new(InMemoryReplayStore::with_capacity(1)),
            window,
            required,
        )
    }

    /// The window in seconds.
    #[wasm_bindgen(getter)]
    pub fn window(&self) -> f64 {
        self.inner.window() as f64
    }

    /// The verifier's clock (`Date.now()`), Unix seconds.
    pub fn now(&self) -> f64 {
        self.inner.now() as f64
    }

    /// Verifies a received request in one step (packed headers including `Authorization`) at
    /// `now` (default: the clock), claiming the nonce in the in-memory store.
    pub fn verify(
        &self,
        method: &str,
        url: &str,
        headers: &str,
        body: &[u8],
        now: Option<f64>,
    ) -> Result<WasmVerified, Failure> {
        let pieces = unpack(headers)?;
        let request = request(method, url, &pieces, body);
        let now = optional_seconds(now, "now", ErrorCode::InvalidConfig)?;
        let verified = match now {
            Some(now) => self.inner.verify_at(&request, now),
            None => self.inner.verify(&request),
        }?;
        Ok(verified.into())
    }

    /// The checks that need only the request head (no body): missing, malformed, unsupported
    /// algorithm, stale timestamp, unknown key. Returns what the head claims (not yet proven).
    pub fn precheck(
        &self,
        method: &str,
        url: &str,
        headers: &str,
        now: Option<f64>,
    ) -> Result<WasmVerified, Failure> {
        let pieces = unpack(headers)?;
        let request = request(method, url, &pieces, &[]);
        let now = optional_seconds(now, "now", ErrorCode::InvalidConfig)?
            .unwrap_or_else(|| self.inner.now());
        let p = self.inner.precheck(&request, now)?;
        Ok(WasmVerified {
            key_id: p.key_id,
            scheme: p.scheme,
            timestamp: p.timestamp,
        })
    }

    /// Step one: every check except replay; returns the ticket to settle once.
    pub fn authenticate(
        &self,
        method: &str,
        url: &str,
        headers: &str,
        body: &[u8],
        now: Option<f64>,
    ) -> Result<WasmTicket, Failure> {
        let pieces = unpack(headers)?;
        let request = request(method, url, &pieces, body);
        let now = optional_seconds(now, "now", ErrorCode::InvalidConfig)?
            .unwrap_or_else(|| self.inner.now());
        let ticket = self.inner.authenticate(&request, now)?;
        Ok(WasmTicket {
            authenticated_at: ticket.authenticated_at,
            ticket: RefCell::new(Some(ticket)),
        })
    }

    /// Step two in the verifier's own store: claims the ticket's nonce.
    pub fn commit(&self, ticket: &WasmTicket) -> Result<WasmVerified, Failure> {
        Ok(self.inner.commit(ticket.take()?)?.into())
    }

    /// Step two with a store written in JavaScript that has tried to claim the nonce: `outcome`
    /// is `"fresh"`, `"replayed"`, `"unavailable"` or `"before_epoch"` (a shared store refused
    /// a timestamp at or before its epoch); anything else counts as `"unavailable"`.
    pub fn settle(&self, ticket: &WasmTicket, outcome: &str) -> Result<WasmVerified, Failure> {
        let t = ticket.take()?;
        Ok(settle::settle(&self.inner, t, outcome)?.into())
    }
}

/// An authenticated request whose nonce is not yet claimed (the core's `ReplayTicket`).
#[wasm_bindgen]
pub struct WasmTicket {
    ticket: RefCell<Option<ReplayTicket>>,
    authenticated_at: u64,
}

impl WasmTicket {
    fn take(&self) -> Result<ReplayTicket, Failure> {
        self.ticket
            .borrow_mut()
            .take()
            .ok_or_else(|| settle::already_settled(self.authenticated_at).into())
    }

    fn read<T>(&self, f: impl FnOnce(&ReplayTicket) -> T) -> Option<T> {
        self.ticket.borrow().as_ref().map(f)
    }
}

#[wasm_bindgen]
impl WasmTicket {
    /// The key id whose secret matched (`undefined` once settled).
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> Option<String> {
        self.read(|t| t.key_id.clone())
    }

    /// The scheme that authenticated the request.
    #[wasm_bindgen(getter)]
    pub fn scheme(&self) -> Option<String> {
        self.read(|t| t.scheme.to_owned())
    }

    /// The nonce to claim.
    #[wasm_bindgen(getter)]
    pub fn nonce(&self) -> Option<String> {
        self.read(|t| t.nonce.clone()).flatten()
    }

    /// The request's signing time, Unix seconds.
    #[wasm_bindgen(getter)]
    pub fn timestamp(&self) -> Option<f64> {
        self.read(|t| t.timestamp as f64)
    }

    /// Keep the nonce until this Unix time (inclusive).
    #[wasm_bindgen(getter, js_name = expiresAt)]
    pub fn expires_at(&self) -> Option<f64> {
        self.read(|t| t.expires_at as f64)
    }

    /// The verifier time the request was authenticated at.
    #[wasm_bindgen(getter, js_name = authenticatedAt)]
    pub fn authenticated_at(&self) -> f64 {
        self.authenticated_at as f64
    }
}

/// What a successful verification (or a precheck, unproven) tells the server.
#[wasm_bindgen]
pub struct WasmVerified {
    key_id: String,
    scheme: &'static str,
    timestamp: u64,
}

impl From<Verified> for WasmVerified {
    fn from(v: Verified) -> Self {
        WasmVerified {
            key_id: v.key_id,
            scheme: v.scheme,
            timestamp: v.timestamp,
        }
    }
}

#[wasm_bindgen]
impl WasmVerified {
    /// The key id whose secret matched (for a precheck: the key id claimed).
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.key_id.clone()
    }

    /// The scheme, e.g. `"sigwire-v1"`.
    #[wasm_bindgen(getter)]
    pub fn scheme(&self) -> String {
        self.scheme.to_owned()
    }

    /// The request's signing time (Unix seconds).
    #[wasm_bindgen(getter)]
    pub fn timestamp(&self) -> f64 {
        self.timestamp as f64
    }
}
