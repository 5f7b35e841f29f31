//! [`Verifier`]: forwards to `sigwire_core::Verifier`.

use std::fmt;
use std::sync::Arc;

use crate::error::SigwireError;
use crate::keys::{HostReplayStore, KeyStore, ReplayStore};
use crate::request::SigwireRequest;

/// What a successful verification tells the server.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Verified {
    /// The key id whose secret matched: the authenticated client.
    pub key_id: String,
    /// The scheme that verified the request, `"sigwire-v1"`.
    pub scheme: String,
    /// The request's signing time (Unix seconds).
    pub timestamp: u64,
}

impl From<sigwire_core::Verified> for Verified {
    fn from(v: sigwire_core::Verified) -> Self {
        Verified {
            key_id: v.key_id,
            scheme: v.scheme.to_owned(),
            timestamp: v.timestamp,
        }
    }
}

/// Verifies signed requests (server side): syntax, timestamp window, key lookup with rotation,
/// constant-time signature check, then replay protection.
#[derive(uniffi::Object)]
#[uniffi::export(Display)]
pub struct Verifier {
    inner: sigwire_core::Verifier,
}

impl fmt::Display for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Verifier(window={})", self.inner.window())
    }
}

#[uniffi::export]
impl Verifier {
    /// A verifier over `keys` accepting timestamps within `window` seconds either side of the
    /// system clock (default 300), recording nonces in `replay_store` (default: a new in-memory
    /// store for this verifier). A header named in `require_signed_headers` (e.g.
    /// `x-http-method-override`) that is present but unsigned is refused with `UnsignedHeader`.
    /// Errors: `InvalidConfig` (`authorization` or a name that is not a header token).
    #[uniffi::constructor(default(window = 300, replay_store = None, require_signed_headers = []))]
    pub fn new(
        keys: Arc<KeyStore>,
        window: u64,
        replay_store: Option<Arc<dyn ReplayStore>>,
        require_signed_headers: Vec<String>,
    ) -> Result<Arc<Self>, SigwireError> {
        let mut builder = sigwire_core::Verifier::builder(keys.inner.clone()).window(window);
        if let Some(store) = replay_store {
            builder = builder.replay_store(Arc::new(HostReplayStore(store)));
        }
        if !require_signed_headers.is_empty() {
            builder = builder.require_signed_headers(require_signed_headers)?;
        }
        Ok(Arc::new(Verifier {
            inner: builder.build(),
        }))
    }

    /// Verifies `request` (its headers must include `Authorization`) at the system clock's time.
    ///
    /// Every error carries `server_time`; answer with `http_status()`, `public_body()` and the
    /// `X-Sigwire-Server-Time` header.
    pub fn verify(&self, request: &SigwireRequest) -> Result<Verified, SigwireError> {
        Ok(request.with_core(|r| self.inner.verify(r))?.into())
    }

    /// Verifies `request` as if the time were `now` (Unix seconds).
    pub fn verify_at(&self, request: &SigwireRequest, now: u64) -> Result<Verified, SigwireError> {
        Ok(request.with_core(|r| self.inner.verify_at(r, now))?.into())
    }

    /// The window in seconds.
    pub fn window(&self) -> u64 {
        self.inner.window()
    }

    /// The verifier's current Unix time, for the `X-Sigwire-Server-Time` header.
    pub fn now(&self) -> u64 {
        self.inner.now()
    }
}
