//! [`Response`]: status, headers and the whole body, read within the attempt.

use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use reqwest::Url;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// A successful (status below 400) response, body already read.
#[derive(Debug, Clone)]
pub struct Response {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    pub(crate) url: Url,
    pub(crate) attempts: u32,
}

impl Response {
    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The URL that answered (after redirects).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// Attempts the call took (1 when the first attempt succeeded; a clock-skew re-sign counts).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// The body bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.body
    }

    /// The body bytes, consuming the response.
    pub fn into_bytes(self) -> Bytes {
        self.body
    }

    /// The body as UTF-8 text. Errors: `Decode` if it is not UTF-8.
    pub fn text(&self) -> Result<String, Error> {
        String::from_utf8(self.body.to_vec()).map_err(|e| Error::Decode {
            message: e.to_string(),
        })
    }

    /// The body parsed as JSON into `T`. Errors: `Decode`.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode {
            message: e.to_string(),
        })
    }
}
