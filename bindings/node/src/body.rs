//! Streamed bodies: the core's incremental body digest (`sigwire_core::signing::BodyHasher`) as
//! `NativeBodyHasher`, signing from a precomputed digest, and the request a verifier checks
//! against one — so Node signs and verifies `Readable`, `fs` stream and `Blob` bodies in bounded
//! memory, hashed in the core like every other runtime's.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use sigwire_client::no_echo;
use sigwire_core::signing::{self, SignableBody};
use sigwire_core::{Algorithm, ErrorCode, Request, SignOptions};

use crate::{err, request, to_js, whole, NativeSigner, SIGNED_HEADERS};

/// A finished body digest (`finish()` of a `NativeBodyHasher`).
#[napi(object)]
pub struct NativeBodyDigest {
    /// `hmac-sha256` or `hmac-sha512`: the algorithm the digest is for.
    pub algorithm: String,
    /// The digest, lowercase hex.
    pub hex: String,
    /// The body's length in bytes.
    pub size: f64,
}

/// An incremental body digest: `update(chunk)` any number of times, then `finish()`.
#[napi]
pub struct NativeBodyHasher {
    inner: Option<signing::BodyHasher>,
}

#[napi]
impl NativeBodyHasher {
    /// `new NativeBodyHasher(algorithm?)`: `hmac-sha256` (default) or `hmac-sha512`.
    #[napi(constructor, catch_unwind)]
    pub fn new(algorithm: Option<String>) -> Result<Self> {
        let algorithm = match algorithm {
            Some(name) => no_echo::algorithm(&name).map_err(to_js)?,
            None => Algorithm::default(),
        };
        Ok(NativeBodyHasher {
            inner: Some(signing::BodyHasher::new(algorithm)),
        })
    }

    /// Adds the next bytes of the body. `invalid_request` after `finish()`.
    #[napi(catch_unwind)]
    pub fn update(&mut self, chunk: &[u8]) -> Result<()> {
        let hasher = self.inner.as_mut().ok_or_else(finished)?;
        hasher.update(chunk);
        Ok(())
    }

    /// Bytes added so far.
    #[napi(getter, catch_unwind)]
    pub fn size(&self) -> f64 {
        self.inner.as_ref().map_or(0.0, |h| h.len() as f64)
    }

    /// The digest of every byte added; the hasher cannot be used afterwards.
    #[napi(catch_unwind)]
    pub fn finish(&mut self) -> Result<NativeBodyDigest> {
        let digest = self.inner.take().ok_or_else(finished)?.finish();
        Ok(NativeBodyDigest {
            algorithm: digest.algorithm().as_str().to_owned(),
            hex: digest.as_str().to_owned(),
            size: digest.len() as f64,
        })
    }
}

fn finished() -> napi::Error {
    err(
        ErrorCode::InvalidRequest,
        "this BodyHasher is finished; make a new one for another body",
    )
}

/// The algorithm of a digest given back by JavaScript.
fn digest_algorithm(name: &str) -> Result<Algorithm> {
    no_echo::algorithm(name).map_err(to_js)
}

/// The request a verifier checks against a body it never held whole: the head (`method`, `url`,
/// `headers` as flat pairs) and the body's `algorithm` digest `hex`.
pub(crate) fn digest_request<'a>(
    method: &'a str,
    url: &'a str,
    headers: &'a [String],
    algorithm: &str,
    hex: &'a str,
) -> Result<Request<'a>> {
    let algorithm = digest_algorithm(algorithm)?;
    Ok(request(method, url, headers, &[])?.precomputed_body_digest(algorithm, hex))
}

#[napi]
impl NativeSigner {
    /// Signs a request whose body is given by its digest (`NativeBodyHasher.finish()`, same
    /// algorithm as this signer's) and returns the `Authorization` value.
    #[napi(catch_unwind)]
    #[allow(clippy::too_many_arguments)]
    pub fn authorization_for_digest(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        algorithm: String,
        hex: String,
        timestamp: Option<f64>,
        nonce: Option<String>,
    ) -> Result<String> {
        let given = digest_algorithm(&algorithm)?;
        if given != self.inner.algorithm() {
            return Err(err(
                ErrorCode::InvalidRequest,
                format!(
                    "the body digest is for {} but this signer signs with {}; hash the body with new BodyHasher('{}')",
                    given.as_str(),
                    self.inner.algorithm().as_str(),
                    self.inner.algorithm().as_str()
                ),
            ));
        }
        let head = request(&method, &url, &headers, &[])?;
        let mut options = SignOptions::default();
        options.timestamp = timestamp
            .map(|t| whole(t, "timestamp", ErrorCode::InvalidRequest))
            .transpose()?;
        options.nonce = nonce.as_deref();
        self.inner
            .sign_body(&head, SignableBody::Precomputed(&hex), &options)
            .map(|s| s.authorization)
            .map_err(|e| {
                to_js(no_echo::header_names(
                    e,
                    &self.signed_headers,
                    SIGNED_HEADERS,
                ))
            })
    }
}
