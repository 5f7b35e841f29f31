//! [`SigwireRequest`] and [`Header`]: the request as the host language hands it over.

use sigwire_core::Request;

/// One header line, name and value exactly as sent.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Header {
    /// The header name (any case).
    pub name: String,
    /// The header value.
    pub value: String,
}

/// An HTTP request to sign or verify: method, the final URL (query included), the header lines
/// in order (repeated names allowed) and the exact body bytes sent.
///
/// To verify, the headers must include `Authorization`. To sign, they must include every signed
/// header (`content-type` is signed whenever present).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SigwireRequest {
    /// The method, e.g. `"POST"`.
    pub method: String,
    /// The absolute URL, exactly as sent, e.g. `"https://api.example.com/v1/orders?limit=10"`.
    pub url: String,
    /// The header lines in order.
    #[uniffi(default = [])]
    pub headers: Vec<Header>,
    /// The body bytes exactly as sent (empty for none).
    pub body: Vec<u8>,
}

impl SigwireRequest {
    /// Runs `f` on a borrowed core [`Request`] over this request's data.
    pub(crate) fn with_core<T>(&self, f: impl FnOnce(&Request<'_>) -> T) -> T {
        let request = Request::new(&self.method, &self.url)
            .headers(
                self.headers
                    .iter()
                    .map(|h| (h.name.as_str(), h.value.as_str())),
            )
            .body(&self.body);
        f(&request)
    }
}
