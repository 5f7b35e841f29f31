//! [`RequestBuilder`]: one logical call (which may take several attempts).

use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_TYPE};
use http::{HeaderMap, Method};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::Url;
use serde::Serialize;
use sigwire_core::NonceSource as _;

use crate::body::Body;
use crate::client::{Client, IDEMPOTENCY_KEY};
use crate::error::Error;
use crate::exec::Call;
use crate::response::Response;
use crate::retry::{is_idempotent, RetryPolicy};

/// Bytes left as they are in query names and values: RFC 3986 unreserved. Everything else is
/// percent-encoded (space as `%20`, `+` as `%2B`), as SPEC §3.3 canonicalises.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Builds one call; [`RequestBuilder::send`] runs it.
///
/// The body is serialised once; every attempt signs those exact bytes, last, right before it is
/// sent (after any backoff sleep), with a fresh timestamp and nonce.
#[derive(Debug)]
#[must_use = "a request does nothing until `send` is awaited"]
pub struct RequestBuilder {
    client: Client,
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
    /// A body set with [`body_stream`](Self::body_stream), read when the call is sent.
    stream: Option<Body>,
    error: Option<Error>,
    attempt_timeout: Option<Option<Duration>>,
    total_timeout: Option<Option<Duration>>,
    retry: Option<RetryPolicy>,
    sign: bool,
}

impl RequestBuilder {
    pub(crate) fn new(client: Client, method: Method, path: &str) -> Self {
        RequestBuilder {
            client,
            method,
            path: path.to_owned(),
            query: Vec::new(),
            headers: HeaderMap::new(),
            body: Bytes::new(),
            stream: None,
            error: None,
            attempt_timeout: None,
            total_timeout: None,
            retry: None,
            sign: true,
        }
    }

    fn fail(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
    }

    /// Appends query parameters (percent-encoded; space is `%20`, `+` is `%2B`).
    pub fn query<I, K, V>(mut self, pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        self.query.extend(
            pairs
                .into_iter()
                .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())),
        );
        self
    }

    /// Adds a header line (repeats are kept; a name set here replaces the client's default).
    pub fn header<N, V>(mut self, name: N, value: V) -> Self
    where
        N: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        match (name.try_into(), value.try_into()) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
                self
            }
            _ => self.fail(Error::invalid("invalid header name or value")),
        }
    }

    /// Adds every header of `headers`.
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        for (name, value) in &headers {
            self.headers.append(name.clone(), value.clone());
        }
        self
    }

    /// The body: `value` as JSON, with `Content-Type: application/json` unless one is set.
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(bytes) => {
                if !self.headers.contains_key(CONTENT_TYPE) {
                    self.headers
                        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                }
                self.body = Bytes::from(bytes);
                self.stream = None;
                self
            }
            Err(e) => self.fail(Error::invalid(format!(
                "cannot serialise the JSON body: {e}"
            ))),
        }
    }

    /// The body bytes, sent and signed exactly as given.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self.stream = None;
        self
    }

    /// The body from a file or a stream ([`Body::file`], [`Body::reader`], [`Body::stream`]),
    /// never held whole in memory: read once when the call is sent (a stream is spooled to a
    /// temporary file while it is hashed), then each attempt signs its digest afresh and sends
    /// it from disk. Set `Content-Type` with [`header`](Self::header).
    pub fn body_stream(mut self, body: Body) -> Self {
        self.body = Bytes::new();
        self.stream = Some(body);
        self
    }

    /// The `Idempotency-Key` to send on every attempt (instead of a generated one).
    pub fn idempotency_key(self, key: &str) -> Self {
        match HeaderValue::from_str(key) {
            Ok(v) => {
                let mut this = self;
                this.headers.insert(IDEMPOTENCY_KEY, v);
                this
            }
            Err(_) => self.fail(Error::invalid("invalid Idempotency-Key")),
        }
    }

    /// The attempt time limit for this call (overrides the client's).
    pub fn attempt_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.attempt_timeout = Some(limit.into());
        self
    }

    /// The total time limit for this call (overrides the client's).
    pub fn total_timeout(mut self, limit: impl Into<Option<Duration>>) -> Self {
        self.total_timeout = Some(limit.into());
        self
    }

    /// The retry policy for this call (overrides the client's).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends this call without signing it: no `Authorization` on any attempt, everything else
    /// (base URL, default headers, retries, timeouts, redirects) unchanged. For endpoints that
    /// take no signature, such as a public health check or a token exchange.
    pub fn unsigned(mut self) -> Self {
        self.sign = false;
        self
    }

    /// Sends the request (with retries, skew correction and redirects) and reads the response.
    ///
    /// A status of 400 or more is an error: [`Error::SignatureRejected`] when the body is a
    /// Sigwire `{"error": code}` with a known machine code, else [`Error::Status`] with the body.
    pub async fn send(mut self) -> Result<Response, Error> {
        let stream = self.stream.take();
        let mut call = self.into_call()?;
        if let Some(body) = stream {
            call.set_body(body).await?;
        }
        crate::exec::execute(&call).await
    }

    fn into_call(self) -> Result<Call, Error> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let inner = &self.client.inner;
        let mut url = resolve(&inner.base, &self.path)?;
        if !self.query.is_empty() {
            let mut query = url.query().unwrap_or("").to_owned();
            for (k, v) in &self.query {
                if !query.is_empty() {
                    query.push('&');
                }
                query.extend(utf8_percent_encode(k, QUERY));
                query.push('=');
                query.extend(utf8_percent_encode(v, QUERY));
            }
            url.set_query(Some(&query));
        }
        let mut headers = self.headers;
        for (name, value) in &inner.default_headers {
            if !headers.contains_key(name) {
                headers.append(name.clone(), value.clone());
            }
        }
        let retry = self.retry.unwrap_or_else(|| inner.retry.clone());
        if !is_idempotent(&self.method)
            && retry.generates_idempotency_keys()
            && !headers.contains_key(IDEMPOTENCY_KEY)
        {
            // Once per logical call, reused by every attempt.
            let key = sigwire_core::OsNonce.nonce()?;
            let value =
                HeaderValue::from_str(&key).map_err(|_| Error::invalid("idempotency key"))?;
            headers.insert(IDEMPOTENCY_KEY, value);
        }
        Ok(Call {
            client: self.client.clone(),
            method: self.method,
            url,
            headers,
            body: self.body,
            spooled: None,
            retry,
            attempt_timeout: self.attempt_timeout.unwrap_or(inner.timeouts.attempt),
            total_timeout: self.total_timeout.unwrap_or(inner.timeouts.total),
            sign: self.sign,
        })
    }
}

/// `path` under `base`, or `path` itself when it is an absolute http(s) URL.
fn resolve(base: &Url, path: &str) -> Result<Url, Error> {
    let lower = path.get(..8).unwrap_or(path).to_ascii_lowercase();
    let text = if lower.starts_with("http://") || lower.starts_with("https://") {
        path.to_owned()
    } else {
        format!(
            "{}/{}",
            base.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    };
    let url = Url::parse(&text).map_err(|e| Error::invalid(format!("URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::invalid("only http and https URLs are supported"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Client {
        Client::builder()
            .base_url(base)
            .credentials("k", vec![7u8; 16])
            .build()
            .unwrap()
    }

    #[test]
    fn paths_join_the_base() {
        let base = Url::parse("https://api.test/v1/").unwrap();
        assert_eq!(
            resolve(&base, "/orders").unwrap().as_str(),
            "https://api.test/v1/orders"
        );
        assert_eq!(
            resolve(&base, "orders?x=1").unwrap().as_str(),
            "https://api.test/v1/orders?x=1"
        );
        let root = Url::parse("https://api.test").unwrap();
        assert_eq!(resolve(&root, "/a").unwrap().as_str(), "https://api.test/a");
        assert_eq!(
            resolve(&root, "HTTP://other.test/b").unwrap().as_str(),
            "http://other.test/b"
        );
        assert!(
            resolve(&root, "ftp://x/").is_ok_and(|u| u.as_str().starts_with("https://api.test/"))
        );
    }

    #[test]
    fn query_is_percent_encoded_like_the_spec() {
        let call = client("http://h.test")
            .get("/s?a=1")
            .query([("q", "a b+c"), ("é", "~/")])
            .into_call()
            .unwrap();
        assert_eq!(
            call.url.as_str(),
            "http://h.test/s?a=1&q=a%20b%2Bc&%C3%A9=~%2F"
        );
    }

    #[test]
    fn post_gets_one_idempotency_key_get_does_not() {
        let c = client("http://h.test");
        let post = c
            .post("/p")
            .json(&serde_json::json!({"a": 1}))
            .into_call()
            .unwrap();
        let key = post.headers[IDEMPOTENCY_KEY].to_str().unwrap();
        assert_eq!(key.len(), 22);
        assert_eq!(post.headers[CONTENT_TYPE], "application/json");
        assert_eq!(&post.body[..], br#"{"a":1}"#);
        assert!(!c
            .get("/g")
            .into_call()
            .unwrap()
            .headers
            .contains_key(IDEMPOTENCY_KEY));
        let no_retry = c.post("/p").retry(RetryPolicy::none()).into_call().unwrap();
        assert!(!no_retry.headers.contains_key(IDEMPOTENCY_KEY));
        let own = c.post("/p").idempotency_key("mine-1").into_call().unwrap();
        assert_eq!(own.headers[IDEMPOTENCY_KEY], "mine-1");
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let c = client("http://h.test");
        assert_eq!(
            c.get("/")
                .header("bad name", "v")
                .into_call()
                .unwrap_err()
                .kind(),
            "invalid_request"
        );
        assert_eq!(
            c.get("/")
                .header("x", "a\nb")
                .into_call()
                .unwrap_err()
                .kind(),
            "invalid_request"
        );
        assert_eq!(
            c.post("/")
                .idempotency_key("\u{0}")
                .into_call()
                .unwrap_err()
                .kind(),
            "invalid_request"
        );
        assert_eq!(
            c.get("http://[::1").into_call().unwrap_err().kind(),
            "invalid_request"
        );
    }

    #[test]
    fn default_headers_yield_to_request_headers() {
        let c = Client::builder()
            .base_url("http://h.test")
            .credentials("k", vec![7u8; 16])
            .default_header("x-tenant", "a")
            .default_header("x-env", "prod")
            .build()
            .unwrap();
        let call = c.get("/").header("x-tenant", "b").into_call().unwrap();
        assert_eq!(
            call.headers.get_all("x-tenant").iter().collect::<Vec<_>>(),
            ["b"]
        );
        assert_eq!(call.headers["x-env"], "prod");
    }
}
