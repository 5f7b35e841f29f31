//! What the Express and Fastify middleware share with every other server adapter
//! (`sigwire_core::wire`): the signed URL rebuilt from what the server received, and the audience
//! check (the authorities a server declares it serves, 421 `misdirected_request` otherwise).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigwire_core::wire::{self, Audience};

use crate::to_js;

/// The authorities (`host[:port]`) a server serves, canonicalised for the scheme clients sign.
#[napi]
pub struct NativeAudience {
    inner: Audience,
}

#[napi]
impl NativeAudience {
    /// `new NativeAudience(authorities, scheme)`; `invalid_config` when the list is empty or an
    /// authority is not a valid `host[:port]`.
    #[napi(constructor, catch_unwind)]
    pub fn new(authorities: Vec<String>, scheme: String) -> Result<Self> {
        Ok(NativeAudience {
            inner: Audience::new(&authorities, &scheme).map_err(to_js)?,
        })
    }

    /// Whether `authority` (a `Host` as received) is one of the declared authorities.
    #[napi(catch_unwind)]
    pub fn allows(&self, authority: String) -> bool {
        self.inner.allows(&authority)
    }

    /// The canonical authorities, in order.
    #[napi(getter, catch_unwind)]
    pub fn authorities(&self) -> Vec<String> {
        self.inner.authorities().to_vec()
    }
}

/// The absolute URL a client signed, from the scheme, the `Host` and the request target
/// (`invalid_request` when they cannot form one).
#[napi(catch_unwind)]
pub fn request_url(scheme: String, authority: String, path_and_query: String) -> Result<String> {
    wire::request_url(&scheme, &authority, &path_and_query).map_err(to_js)
}

/// The machine code of the 421 answer for a `Host` the server does not serve.
#[napi(catch_unwind)]
pub fn misdirected_request_code() -> String {
    wire::MISDIRECTED_REQUEST.to_owned()
}

/// The machine code of the 413 answer for a body over the limit.
#[napi(catch_unwind)]
pub fn body_too_large_code() -> String {
    wire::BODY_TOO_LARGE.to_owned()
}
