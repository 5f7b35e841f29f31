//! The HTTP request as it is signed or verified: method, URL, header lines and body bytes (or,
//! for a body streamed elsewhere, its digest).

use crate::algorithm::Algorithm;

/// A borrowed view of an HTTP request.
///
/// Header lines are kept in order, with their original names; repeated names are allowed.
/// The body must be the exact bytes that go on the wire.
///
/// ```
/// use sigwire_core::Request;
///
/// let body = br#"{"amount":100}"#;
/// let request = Request::new("POST", "https://api.example.com/v1/payments?dry_run=true")
///     .header("Content-Type", "application/json")
///     .body(body);
/// assert_eq!(request.header_values("content-type").collect::<Vec<_>>(), ["application/json"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request<'a> {
    method: &'a str,
    url: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: &'a [u8],
    /// The digest of a body that is not in memory (streamed, spooled), in place of `body`.
    body_digest: Option<(Algorithm, &'a str)>,
}

impl<'a> Request<'a> {
    /// A request with no headers and an empty body.
    pub fn new(method: &'a str, url: &'a str) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: &[],
            body_digest: None,
        }
    }

    /// Adds one header line (kept in order; repeats allowed).
    #[must_use]
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds several header lines in order.
    #[must_use]
    pub fn headers<I>(mut self, headers: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        self.headers.extend(headers);
        self
    }

    /// Sets the body bytes exactly as sent.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = body;
        self
    }

    /// Stands for a body that is not in memory by its digest (lowercase hex of `algorithm`'s
    /// body digest, e.g. from a [`BodyHasher`](crate::signing::BodyHasher) fed while the body was
    /// spooled): a verifier checks the signature against it instead of the body bytes.
    ///
    /// A request signed with another algorithm than `algorithm` does not match (the digest of its
    /// body is unknown here): hash with the algorithm the `Authorization` header names.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use sigwire_core::signing::BodyHasher;
    /// use sigwire_core::{Algorithm, InMemoryKeyStore, Request, Signer, Verifier};
    ///
    /// let secret = b"0123456789abcdef0123456789abcdef".to_vec();
    /// let keys = Arc::new(InMemoryKeyStore::new());
    /// keys.insert("client-1", secret.clone(), None)?;
    /// let verifier = Verifier::builder(keys).build();
    /// let body = vec![7u8; 100_000];
    /// let sent = Request::new("PUT", "https://api.example.com/blob").body(&body);
    /// let signed = Signer::new("client-1", secret)?.sign(&sent)?;
    ///
    /// // The server hashes the body as it arrives, keeping none of it in memory.
    /// let mut hasher = BodyHasher::new(Algorithm::HmacSha256);
    /// body.chunks(8192).for_each(|c| hasher.update(c));
    /// let digest = hasher.finish();
    /// let received = Request::new("PUT", "https://api.example.com/blob")
    ///     .header("Authorization", &signed.authorization)
    ///     .precomputed_body_digest(digest.algorithm(), digest.as_str());
    /// assert!(verifier.verify(&received).is_ok());
    /// # Ok::<(), sigwire_core::Error>(())
    /// ```
    #[must_use]
    pub fn precomputed_body_digest(mut self, algorithm: Algorithm, digest_hex: &'a str) -> Self {
        self.body_digest = Some((algorithm, digest_hex));
        self
    }

    /// Whether the request has a non-empty body: body bytes, or a precomputed digest other than
    /// the digest of zero bytes.
    pub(crate) fn has_body(&self) -> bool {
        match self.body_digest {
            Some((algorithm, hex)) => hex != algorithm.body_digest_hex(b""),
            None => !self.body.is_empty(),
        }
    }

    /// Appends the body digest for `algorithm` (SPEC §3.6) to `out`: the precomputed one when it
    /// is for `algorithm`, else the digest of the body bytes.
    pub(crate) fn push_body_digest_hex(&self, algorithm: Algorithm, out: &mut String) {
        match self.body_digest {
            Some((given, hex)) if given == algorithm => out.push_str(hex),
            _ => algorithm.push_body_digest_hex(self.body, out),
        }
    }

    /// The method as given.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The URL as given.
    pub fn url(&self) -> &'a str {
        self.url
    }

    /// The header lines as given.
    pub fn header_lines(&self) -> &[(&'a str, &'a str)] {
        &self.headers
    }

    /// The body bytes.
    pub fn body_bytes(&self) -> &'a [u8] {
        self.body
    }

    /// Values of every header line whose name equals `name`, ignoring ASCII case, in order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }

    /// Whether at least one header line is named `name` (ASCII case-insensitive).
    pub fn has_header(&self, name: &str) -> bool {
        self.header_values(name).next().is_some()
    }
}
