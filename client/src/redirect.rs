//! The redirect policy, without I/O: which hops are signed, and what a hop to another origin
//! keeps (issue 12, items 5 and 6).
//!
//! * **Signing.** A chain is signed only while every hop so far is at the client's base origin.
//!   Once a redirect leaves it, no later hop is signed — not even one that comes back: a foreign
//!   server must not choose a URL on the origin (`A → C → A/admin/delete?confirm=yes`) and get it
//!   signed with the caller's body. Such a hop is sent unsigned (so the origin refuses it if it
//!   requires a signature) and the response is returned as usual.
//! * **Credentials.** A hop to an origin other than the current one drops every sensitive header:
//!   [`SENSITIVE_HEADERS`], the caller's own list
//!   ([`ClientBuilder::sensitive_headers`](crate::ClientBuilder::sensitive_headers)) and any
//!   value marked sensitive. They stay dropped for the rest of the chain.
//! * **Body.** A hop to another origin never carries the body: 307 and 308 keep the method but
//!   the body (and its `Content-Type`, `Content-Length`) is dropped; 303, and 301/302 after a
//!   POST, become a bodiless GET as usual.

use http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Method, StatusCode};
use reqwest::Url;

/// Header names never sent to another origin on a redirect (lowercase): credentials and
/// session tokens in common use. Callers add their own with
/// [`ClientBuilder::sensitive_headers`](crate::ClientBuilder::sensitive_headers).
pub const SENSITIVE_HEADERS: [&str; 10] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
    "x-auth-token",
    "x-access-token",
    "x-amz-security-token",
    "x-csrf-token",
    "x-xsrf-token",
    "x-goog-api-key",
];

/// What the next hop of a redirect chain sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    pub(crate) method: Method,
    /// Whether the body (and its content headers) is dropped from here on.
    pub(crate) drop_body: bool,
    /// Whether the sensitive headers are dropped from here on (a change of origin).
    pub(crate) drop_credentials: bool,
    /// Whether the chain may still be signed (every hop so far at the base origin).
    pub(crate) signable: bool,
}

/// The next hop after a `status` redirect from `from` (sent with `method`) to `to`, in a chain
/// that is `signable` so far, for a client whose base origin is `base`.
pub(crate) fn next_hop(
    status: StatusCode,
    method: &Method,
    from: &Url,
    to: &Url,
    base: &Url,
    signable: bool,
) -> Hop {
    let to_get = status == StatusCode::SEE_OTHER && method != Method::HEAD
        || matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND)
            && method == Method::POST;
    let cross = to.origin() != from.origin();
    Hop {
        method: if to_get { Method::GET } else { method.clone() },
        drop_body: to_get || cross,
        drop_credentials: cross,
        signable: signable && to.origin() == base.origin(),
    }
}

/// Removes the sensitive headers: the default list, `extra` (lowercase names) and any value
/// marked sensitive.
pub(crate) fn strip_credentials(headers: &mut HeaderMap, extra: &[String]) {
    let doomed: Vec<_> = headers
        .iter()
        .filter(|(name, value)| {
            value.is_sensitive()
                || SENSITIVE_HEADERS.contains(&name.as_str())
                || extra.iter().any(|e| e == name.as_str())
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in doomed {
        headers.remove(name);
    }
}

/// Removes the body's own headers (the body itself is the caller's to drop).
pub(crate) fn strip_body_headers(headers: &mut HeaderMap) {
    headers.remove(CONTENT_TYPE);
    headers.remove(CONTENT_LENGTH);
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn a_chain_that_left_the_origin_is_never_signed_again() {
        let a = u("https://a.test/x");
        let c = u("https://c.test/y");
        let back = u("https://a.test/admin/delete?confirm=yes");
        let hop = next_hop(
            StatusCode::TEMPORARY_REDIRECT,
            &Method::POST,
            &a,
            &c,
            &a,
            true,
        );
        assert_eq!(
            (hop.signable, hop.drop_body, hop.drop_credentials),
            (false, true, true)
        );
        assert_eq!(hop.method, Method::POST);
        let hop = next_hop(
            StatusCode::TEMPORARY_REDIRECT,
            &Method::POST,
            &c,
            &back,
            &a,
            hop.signable,
        );
        assert!(!hop.signable, "back at the origin, still unsigned");
        let same = next_hop(
            StatusCode::PERMANENT_REDIRECT,
            &Method::PUT,
            &a,
            &back,
            &a,
            true,
        );
        assert_eq!(
            (same.signable, same.drop_body, same.drop_credentials),
            (true, false, false)
        );
    }

    #[test]
    fn see_other_becomes_get_and_scheme_or_port_change_is_cross_origin() {
        let a = u("https://a.test/x");
        let hop = next_hop(
            StatusCode::SEE_OTHER,
            &Method::POST,
            &a,
            &u("https://a.test/done"),
            &a,
            true,
        );
        assert_eq!(
            (hop.method, hop.drop_body, hop.signable),
            (Method::GET, true, true)
        );
        for other in ["http://a.test/x", "https://a.test:8443/x"] {
            let hop = next_hop(StatusCode::FOUND, &Method::GET, &a, &u(other), &a, true);
            assert!(hop.drop_credentials && !hop.signable, "{other}");
        }
    }

    #[test]
    fn credentials_are_stripped_by_list_and_mark() {
        let mut h = HeaderMap::new();
        for (n, v) in [
            ("cookie", "s=1"),
            ("x-api-key", "k"),
            ("proxy-authorization", "p"),
            ("x-mine", "m"),
            ("accept", "*/*"),
        ] {
            h.insert(n, HeaderValue::from_static(v));
        }
        let mut marked = HeaderValue::from_static("t");
        marked.set_sensitive(true);
        h.insert("x-marked", marked);
        strip_credentials(&mut h, &["x-mine".to_owned()]);
        assert_eq!(h.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["accept"]);
    }
}
