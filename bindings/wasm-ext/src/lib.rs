//! The browser SDK's second WebAssembly module (`sigwire_wasm_ext_bg.wasm`), loaded lazily by
//! `sdk-wasm` the first time something needs it (the HTTP `Client`), so a page that only signs
//! or verifies downloads just the main module (`bindings/wasm`, with its own size budget).
//!
//! What it holds, each a thin forwarding layer over a Rust crate:
//! - [`client_rules`]: the HTTP client's decisions (crate `sigwire-client-core`, the same rules
//!   the Rust client runs) for `sdk-wasm/src/client.js`, which is only a `fetch` loop;
//! - [`profiles`]: the signing profiles of `sigwire_core::profiles` (exchange presets, AWS SigV4,
//!   RFC 9421, webhooks) for `sdk-wasm/src/profiles.js`;
//! - [`body`]: the streaming body digest and signing from it, for `sdk-wasm/src/stream.js`.
//!
//! No function here panics on any input: every conversion returns a [`Failure`] (thrown in
//! JavaScript, then mapped to a typed error by `sdk-wasm/src/ext.js`).

mod body;
mod client_rules;
mod profiles;

use sigwire_core::profiles::ProfileError;
use sigwire_core::Error;
use wasm_bindgen::prelude::*;

/// An error from a Rust crate (or from argument conversion), thrown to JavaScript.
///
/// The wrapper reads its fields and throws the matching `SigwireError` subclass instead.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    status: u16,
    message: String,
}

#[wasm_bindgen]
impl Failure {
    /// The stable machine code, e.g. `"invalid_request"`.
    #[wasm_bindgen(getter)]
    pub fn code(&self) -> String {
        self.code.to_owned()
    }

    /// The human-readable message (never contains a secret).
    #[wasm_bindgen(getter)]
    pub fn message(&self) -> String {
        self.message.clone()
    }

    /// The HTTP status a server answers with.
    #[wasm_bindgen(getter, js_name = httpStatus)]
    pub fn http_status(&self) -> u16 {
        self.status
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: e.code().as_str(),
            status: e.code().http_status(),
            message: e.message().to_owned(),
        }
    }
}

impl From<ProfileError> for Failure {
    fn from(e: ProfileError) -> Self {
        Failure {
            code: e.code().as_str(),
            status: e.code().http_status(),
            message: e.message().to_owned(),
        }
    }
}
