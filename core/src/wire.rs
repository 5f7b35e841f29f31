//! What every server adapter answers and rebuilds, in one place: the rejection response (status,
//! headers, JSON body, including `413 body_too_large`), the signed URL rebuilt from what the server
//! received, and the audience check (the authorities a server declares it serves).
//!
//! The tower layer, the gateway and the Python and Node middleware call these, so an oversized,
//! misdirected or badly signed request gets the same answer from every stack.
//!
//! ```
//! use sigwire_core::wire::{self, Audience, Rejection};
//!
//! // Rebuild the URL the client signed from what the server saw.
//! let url = wire::request_url("https", "API.example.com:443", "/v1/orders?limit=2")?;
//! assert_eq!(url, "https://api.example.com/v1/orders?limit=2");
//!
//! // Refuse requests meant for another service that shares the key.
//! let audience = Audience::new(["api.example.com"], "https")?;
//! assert!(audience.allows("API.example.com:443"));
//! assert!(!audience.allows("billing.example.com"));
//!
//! // One answer for every adapter.
//! let r = Rejection::body_too_large(1_700_000_000);
//! assert_eq!((r.status(), r.body().as_str()), (413, r#"{"error":"body_too_large"}"#));
//! assert!(r.headers().iter().any(|(n, v)| *n == "X-Sigwire-Server-Time" && v == "1700000000"));
//! # Ok::<(), sigwire_core::Error>(())
//! ```

use std::borrow::Cow;

use crate::error::{Error, ErrorCode, SERVER_TIME_HEADER};

/// The machine code in the 413 body when the body exceeds the server's limit.
pub const BODY_TOO_LARGE: &str = "body_too_large";

/// The machine code in the 421 body when the request's `Host` is not one the server serves.
pub const MISDIRECTED_REQUEST: &str = "misdirected_request";

/// A failure response: status, machine code and the server time for the clock-skew header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rejection {
    status: u16,
    code: &'static str,
    server_time: u64,
}

impl Rejection {
    /// The response for a verification error: [`Error::http_status`] (401, 400, 503, 500), its
    /// code, and its server time (or `now` when it carries none).
    pub fn from_error(error: &Error, now: u64) -> Self {
        Rejection {
            status: error.http_status(),
            code: error.code().as_str(),
            server_time: error.server_time().unwrap_or(now),
        }
    }

    /// 413 `body_too_large`: the declared or received body exceeds the server's limit.
    pub fn body_too_large(now: u64) -> Self {
        Rejection {
            status: 413,
            code: BODY_TOO_LARGE,
            server_time: now,
        }
    }

    /// 400 `invalid_request`: the request cannot be verified at all (no host, unreadable body,
    /// bad `Content-Length`).
    pub fn invalid_request(now: u64) -> Self {
        Rejection {
            status: 400,
            code: ErrorCode::InvalidRequest.as_str(),
            server_time: now,
        }
    }

    /// 421 `misdirected_request`: the `Host` is not one of the server's declared authorities.
    pub fn misdirected(now: u64) -> Self {
        Rejection {
            status: 421,
            code: MISDIRECTED_REQUEST,
            server_time: now,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The machine code, e.g. `"signature_mismatch"`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The server time sent in `X-Sigwire-Server-Time`, Unix seconds.
    pub fn server_time(&self) -> u64 {
        self.server_time
    }

    /// The response headers: JSON content type, `no-store`, and the server time.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            ("Content-Type", "application/json".to_owned()),
            ("Cache-Control", "no-store".to_owned()),
            (SERVER_TIME_HEADER, self.server_time.to_string()),
        ]
    }

    /// The response body: `{"error":"<code>"}` (nothing about keys or the expected signature).
    pub fn body(&self) -> String {
        format!("{{\"error\":\"{}\"}}", self.code)
    }
}

/// Checks a declared `Content-Length` against `limit` before any byte is read: 413 above it,
/// 400 when the value is not a decimal number (or several lines disagree).
pub fn check_declared_length<'a, I>(
    values: I,
    limit: usize,
    now: u64,
) -> Result<Option<u64>, Rejection>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut declared: Option<u64> = None;
    for value in values {
        let value = value.trim_matches([' ', '\t']);
        if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Rejection::invalid_request(now));
        }
        let n: u64 = value.parse().map_err(|_| Rejection::invalid_request(now))?;
        if declared.is_some_and(|d| d != n) {
            return Err(Rejection::invalid_request(now));
        }
        declared = Some(n);
    }
    match declared {
        Some(n) if n > limit as u64 => Err(Rejection::body_too_large(now)),
        other => Ok(other),
    }
}

/// The absolute URL a client signed, rebuilt from what a server received: the scheme clients use
/// (`http`/`https`, after any TLS-terminating proxy), the authority (`Host`, or the HTTP/2
/// `:authority`) and the request target as received: origin form (`/v1/x?a=1`) or absolute
/// form (`http://api.example.com/v1/x?a=1`, whose authority then replaces `authority`, as
/// RFC 9112 §3.2.2 says a server must; the tower layer reads it from the URI the same way).
///
/// The authority is canonicalised as in the signed `host` line (lowercase, the scheme's default
/// port dropped, IPv6 in RFC 5952 form). Errors are `invalid_request`.
pub fn request_url(scheme: &str, authority: &str, request_target: &str) -> Result<String, Error> {
    let scheme = canonical_scheme(scheme)?;
    let (authority, path_and_query, absolute) = match absolute_form(request_target) {
        Some((authority, rest)) => (authority, rest, true),
        None => (authority, request_target, false),
    };
    let host = crate::url::canonical_authority(authority.trim_matches([' ', '\t']), scheme)?;
    if absolute && path_and_query.starts_with('?') {
        // `http://h?q`: an empty absolute path is `/` (RFC 9112 §3.2.2).
        return request_url(scheme, &host, &format!("/{path_and_query}"));
    }
    let target = if path_and_query.is_empty() {
        "/"
    } else {
        path_and_query
    };
    if !target.starts_with('/') {
        return Err(Error::invalid_request(
            "the request target must start with '/' (origin form)",
        ));
    }
    if target.contains('#') {
        return Err(Error::invalid_request(
            "the request target must not contain '#'",
        ));
    }
    Ok(format!("{scheme}://{host}{target}"))
}

/// An absolute-form request target (`http://authority/path?query`, any case of the scheme) split
/// into its authority and its path and query (empty when there is none).
fn absolute_form(target: &str) -> Option<(&str, &str)> {
    let after = ["http://", "https://"].iter().find_map(|prefix| {
        let head = target.get(..prefix.len())?;
        head.eq_ignore_ascii_case(prefix)
            .then(|| &target[prefix.len()..])
    })?;
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let (authority, rest) = after.split_at(end);
    Some((authority, rest))
}

fn canonical_scheme(scheme: &str) -> Result<&'static str, Error> {
    if scheme.eq_ignore_ascii_case("https") {
        Ok("https")
    } else if scheme.eq_ignore_ascii_case("http") {
        Ok("http")
    } else {
        Err(Error::invalid_request("the scheme must be http or https"))
    }
}

/// The authorities (`host[:port]`) a server declares it serves, canonicalised for one scheme.
///
/// A request whose `Host` is not among them was meant for another service: answer
/// [`Rejection::misdirected`] before verifying, so a request signed for service A is never
/// accepted by service B when the two share a key (issue 12 item 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    scheme: &'static str,
    authorities: Vec<String>,
}

impl Audience {
    /// Canonicalises each authority for `scheme`. Errors: `invalid_config` when the list is empty
    /// or an authority is not a valid `host[:port]`.
    pub fn new<I, S>(authorities: I, scheme: &str) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let config = |m: &str| Error::new(ErrorCode::InvalidConfig, m.to_owned());
        let scheme = canonical_scheme(scheme).map_err(|e| config(e.message()))?;
        let mut list = Vec::new();
        for authority in authorities {
            let canonical = crate::url::canonical_authority(authority.as_ref(), scheme)
                .map_err(|e| config(&format!("declared authority: {}", e.message())))?;
            if !list.iter().any(|a: &String| *a == canonical) {
                list.push(canonical.into_owned());
            }
        }
        if list.is_empty() {
            return Err(config(
                "declare at least one authority (host[:port]) the server serves",
            ));
        }
        Ok(Audience {
            scheme,
            authorities: list,
        })
    }

    /// The canonical authorities, in order.
    pub fn authorities(&self) -> &[String] {
        &self.authorities
    }

    /// The scheme they were canonicalised for.
    pub fn scheme(&self) -> &'static str {
        self.scheme
    }

    /// Whether `authority` (as received) is one of the declared ones.
    pub fn allows(&self, authority: &str) -> bool {
        match crate::url::canonical_authority(authority.trim_matches([' ', '\t']), self.scheme) {
            Ok(canonical) => self
                .authorities
                .iter()
                .any(|a| Cow::Borrowed(a.as_str()) == canonical),
            Err(_) => false,
        }
    }
}

/// The nonce a `sigwire-v1` `Authorization` value carries, read without verifying anything, for
/// request logs and test recorders; `None` when the value is not a well-formed `sigwire-v1`
/// header. Never use it to accept a request: that is [`Verifier`](crate::Verifier)'s job.
///
/// ```
/// use sigwire_core::{wire, Request, Signer};
///
/// let signed = Signer::new("client-1", b"0123456789abcdef0123456789abcdef".to_vec())?
///     .sign(&Request::new("GET", "https://api.example.com/v1/orders"))?;
/// assert_eq!(wire::claimed_nonce(&signed.authorization), Some(signed.nonce.as_str()));
/// assert_eq!(wire::claimed_nonce("Bearer x"), None);
/// # Ok::<(), sigwire_core::Error>(())
/// ```
pub fn claimed_nonce(authorization: &str) -> Option<&str> {
    crate::v1::authorization::parse(authorization)
        .ok()
        .map(|auth| auth.nonce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejections_map_each_error_once() {
        let e = Error::new(ErrorCode::ReplayStoreUnavailable, "full").with_server_time(5);
        let r = Rejection::from_error(&e, 9);
        assert_eq!(
            (r.status(), r.code(), r.server_time()),
            (503, "replay_store_unavailable", 5)
        );
        let r = Rejection::from_error(&Error::new(ErrorCode::SignatureMismatch, "x"), 9);
        assert_eq!(
            (r.status(), r.body().as_str(), r.server_time()),
            (401, r#"{"error":"signature_mismatch"}"#, 9)
        );
        assert_eq!(Rejection::invalid_request(1).status(), 400);
        assert_eq!(
            Rejection::misdirected(1).body(),
            r#"{"error":"misdirected_request"}"#
        );
        let headers = Rejection::misdirected(1).headers();
        assert_eq!(headers[0], ("Content-Type", "application/json".to_owned()));
    }

    #[test]
    fn declared_length() {
        assert_eq!(check_declared_length(["10"], 10, 0), Ok(Some(10)));
        assert_eq!(check_declared_length([], 10, 0), Ok(None));
        assert_eq!(
            check_declared_length(["11"], 10, 0).unwrap_err().status(),
            413
        );
        for bad in [
            &["-1"][..],
            &["1e3"],
            &[""],
            &["5", "6"],
            &["99999999999999999999999"],
        ] {
            assert_eq!(
                check_declared_length(bad.iter().copied(), 10, 0)
                    .unwrap_err()
                    .status(),
                400,
                "{bad:?}"
            );
        }
        assert_eq!(check_declared_length(["5", " 5 "], 10, 0), Ok(Some(5)));
    }

    #[test]
    fn urls_are_rebuilt_with_the_default_port_rule() {
        assert_eq!(
            request_url("HTTP", "h:80", "/x?a=1").unwrap(),
            "http://h/x?a=1"
        );
        assert_eq!(request_url("https", "h:80", "").unwrap(), "https://h:80/");
        assert_eq!(
            request_url("https", "[0::1]:443", "/").unwrap(),
            "https://[::1]/"
        );
        // Absolute form: the target's authority replaces the Host (RFC 9112 §3.2.2).
        for (target, want) in [
            (
                "http://API.example.com:80/v1/x?a=1",
                "http://api.example.com/v1/x?a=1",
            ),
            ("HTTP://other:8080", "http://other:8080/"),
            ("https://h?q=1", "http://h/?q=1"),
        ] {
            assert_eq!(request_url("http", "ignored", target).unwrap(), want);
        }
        for (s, a, p) in [
            ("ftp", "h", "/"),
            ("http", "", "/"),
            ("http", "u@h", "/"),
            ("http", "h", "x"),
            ("http", "h", "/#f"),
            ("http", "h", "http://"),
            ("http", "h", "http://u@h/"),
            ("http", "h", "http://h/#f"),
            ("http", "h", "ftp://h/"),
        ] {
            assert_eq!(
                request_url(s, a, p).unwrap_err().code(),
                ErrorCode::InvalidRequest,
                "{s} {a} {p}"
            );
        }
    }

    #[test]
    fn audience() {
        let a = Audience::new(
            ["API.example.com:443", "api.example.com", "127.0.0.1:8080"],
            "https",
        )
        .unwrap();
        assert_eq!(a.authorities(), ["api.example.com", "127.0.0.1:8080"]);
        assert!(
            a.allows("api.example.com")
                && a.allows("api.EXAMPLE.com:443")
                && a.allows("127.0.0.1:8080")
        );
        assert!(
            !a.allows("api.example.com:8443") && !a.allows("evil.example") && !a.allows("bad host")
        );
        assert_eq!(
            Audience::new(Vec::<String>::new(), "http")
                .unwrap_err()
                .code(),
            ErrorCode::InvalidConfig
        );
        assert_eq!(
            Audience::new(["a b"], "http").unwrap_err().code(),
            ErrorCode::InvalidConfig
        );
    }
}
