//! Bodies never whole in memory, in the browser (issue 17): the core's incremental body digest
//! ([`WasmBodyHasher`] over `sigwire_core::signing::BodyHasher`) fed chunk by chunk from a `Blob`,
//! `File` or `ReadableStream` by `sdk-wasm/src/stream.js`, and sigwire-v1 signing from that digest
//! ([`WasmDigestSigner`]: `Request::precomputed_body_digest`), so the signature equals the one of
//! the whole body in memory.

use sigwire_core::signing::BodyHasher;
use sigwire_core::{Algorithm, Error, ErrorCode, Request, SignOptions, Signer};
use wasm_bindgen::prelude::*;

use crate::Failure;

/// Largest integer a JavaScript number holds exactly (2^53 − 1).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

fn failure(code: ErrorCode, message: &str) -> Failure {
    Error::new(code, message).into()
}

/// An algorithm name, never echoed (a misplaced secret must not reach a message).
fn algorithm(name: Option<&str>) -> Result<Algorithm, Failure> {
    match name {
        None | Some("hmac-sha256") => Ok(Algorithm::HmacSha256),
        Some("hmac-sha512") => Ok(Algorithm::HmacSha512),
        Some(_) => Err(failure(
            ErrorCode::UnsupportedAlgorithm,
            "algorithm is not offered; use \"hmac-sha256\" or \"hmac-sha512\" (the value given is not shown)",
        )),
    }
}

/// An incremental body digest: `update` any number of times, then `finish` once.
#[wasm_bindgen]
pub struct WasmBodyHasher {
    inner: Option<BodyHasher>,
    size: u64,
}

#[wasm_bindgen]
impl WasmBodyHasher {
    /// A hasher for `algorithm` (`hmac-sha256` by default: the digest its canonical string uses).
    #[wasm_bindgen(constructor)]
    pub fn new(algorithm_name: Option<String>) -> Result<WasmBodyHasher, Failure> {
        Ok(WasmBodyHasher {
            inner: Some(BodyHasher::new(algorithm(algorithm_name.as_deref())?)),
            size: 0,
        })
    }

    /// Adds the next bytes.
    pub fn update(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let h = self.inner.as_mut().ok_or_else(finished)?;
        h.update(bytes);
        self.size = h.len();
        Ok(())
    }

    /// Bytes added so far.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> f64 {
        self.size as f64
    }

    /// `[algorithm, hex, size]`; the hasher cannot be used afterwards.
    pub fn finish(&mut self) -> Result<Vec<String>, Failure> {
        let d = self.inner.take().ok_or_else(finished)?.finish();
        Ok(vec![
            d.algorithm().as_str().to_owned(),
            d.as_str().to_owned(),
            d.len().to_string(),
        ])
    }
}

fn finished() -> Failure {
    failure(
        ErrorCode::InvalidRequest,
        "this BodyHasher is finished; start a new one",
    )
}

/// Signs sigwire-v1 requests whose body is given by its digest.
#[wasm_bindgen]
pub struct WasmDigestSigner {
    inner: Signer,
}

#[wasm_bindgen]
impl WasmDigestSigner {
    /// The same arguments as the main module's `WasmSigner`: `secret` is moved into Rust memory
    /// (zeroized when freed); `policy` is `"listed"` (default) or `"all-end-to-end"`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        key_id: &str,
        secret: Vec<u8>,
        algorithm_name: Option<String>,
        signed_headers: Vec<String>,
        policy: Option<String>,
    ) -> Result<WasmDigestSigner, Failure> {
        let mut signer = Signer::new(key_id, secret)?;
        if let Some(p) = policy {
            signer = signer.with_header_policy(p.parse()?);
        }
        signer = signer.with_algorithm(algorithm(algorithm_name.as_deref())?);
        if !signed_headers.is_empty() {
            signer = signer.with_signed_headers(signed_headers)?;
        }
        Ok(WasmDigestSigner { inner: signer })
    }

    /// The `Authorization` value for a request whose body has digest `hex` (`digestAlgorithm`:
    /// the hasher's); `headers` flat `[name, value, …]`; `timestamp` (Unix seconds) and `nonce`
    /// default to now and a fresh random nonce.
    #[allow(clippy::too_many_arguments)]
    pub fn authorization(
        &self,
        method: &str,
        url: &str,
        headers: Vec<String>,
        digest_algorithm: &str,
        hex: &str,
        timestamp: Option<f64>,
        nonce: Option<String>,
    ) -> Result<String, Failure> {
        if headers.len() & 1 == 1 {
            return Err(failure(
                ErrorCode::InvalidRequest,
                "headers must be name/value pairs",
            ));
        }
        let pairs = headers.chunks_exact(2).filter_map(|p| match p {
            [n, v] => Some((n.as_str(), v.as_str())),
            _ => None,
        });
        let request = Request::new(method, url)
            .headers(pairs)
            .precomputed_body_digest(algorithm(Some(digest_algorithm))?, hex);
        let mut options = SignOptions::default();
        options.timestamp = match timestamp {
            Some(t) if (0.0..=MAX_SAFE_INTEGER).contains(&t) && t.fract() == 0.0 => Some(t as u64),
            Some(_) => {
                return Err(failure(
                    ErrorCode::InvalidRequest,
                    "timestamp must be a non-negative integer of at most 2^53 - 1",
                ))
            }
            None => None,
        };
        options.nonce = nonce.as_deref();
        Ok(self.inner.sign_with(&request, &options)?.authorization)
    }
}
