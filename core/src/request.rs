//! The HTTP request as it is signed or verified: method, URL, header lines and body bytes.

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
}

impl<'a> Request<'a> {
    /// A request with no headers and an empty body.
    pub fn new(method: &'a str, url: &'a str) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            body: &[],
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
