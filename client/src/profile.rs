//! Signing with any [`SigningScheme`] (AWS SigV4, RFC 9421, the exchange presets, or your own)
//! instead of `sigwire-v1`: [`ClientBuilder::profile`](crate::ClientBuilder::profile).
//!
//! The client treats a profile exactly like `sigwire-v1`: every attempt (and every same-origin
//! redirect hop) is signed last, with the corrected clock and a fresh nonce when the scheme asks
//! for one, and the instructions are applied to that attempt only — retries start again from the
//! unsigned request, so a query signature (Binance) is never appended twice.

use std::sync::Arc;

use sigwire_core::signing::{sign_now, SignableBody, SigningInstructions, SigningScheme};
use sigwire_core::{Clock, OsNonce, Request};

/// A [`SigningScheme`] with its types erased, as the client stores it.
pub(crate) trait DynScheme: Send + Sync {
    /// The scheme's stable name (`"binance"`, `"aws-sigv4"`, …).
    fn name(&self) -> &'static str;

    /// Signs with the time from `clock` (and a nonce when the scheme needs one).
    fn sign_now(
        &self,
        request: &Request<'_>,
        body: &[u8],
        clock: &dyn Clock,
    ) -> Result<SigningInstructions, sigwire_core::Error>;
}

struct Erased<S>(S);

impl<S> DynScheme for Erased<S>
where
    S: SigningScheme + Send + Sync,
    S::Error: From<sigwire_core::Error> + Into<sigwire_core::Error>,
{
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn sign_now(
        &self,
        request: &Request<'_>,
        body: &[u8],
        clock: &dyn Clock,
    ) -> Result<SigningInstructions, sigwire_core::Error> {
        sign_now(&self.0, request, SignableBody::Bytes(body), clock, &OsNonce).map_err(Into::into)
    }
}

/// Erases `scheme` for storage in the client.
pub(crate) fn erase<S>(scheme: S) -> Arc<dyn DynScheme>
where
    S: SigningScheme + Send + Sync + 'static,
    S::Error: From<sigwire_core::Error> + Into<sigwire_core::Error>,
{
    Arc::new(Erased(scheme))
}

impl std::fmt::Debug for dyn DynScheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The name only: a scheme's credential never reaches a log.
        write!(f, "Profile({})", self.name())
    }
}
