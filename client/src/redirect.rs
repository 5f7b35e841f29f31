//! The redirect policy of [`sigwire_client_core::redirect`] (read it for the rules) on `http`
//! and `url` types: origins compared by `url`, headers stripped from a `HeaderMap`.

use http::{HeaderMap, Method, StatusCode};
use reqwest::Url;

pub use sigwire_client_core::redirect::SENSITIVE_HEADERS;

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
    let hop = sigwire_client_core::redirect::next_hop(
        status.as_u16(),
        method.as_str(),
        to.origin() != from.origin(),
        to.origin() == base.origin(),
        signable,
    );
    Hop {
        method: Method::from_bytes(hop.method.as_bytes()).unwrap_or_else(|_| method.clone()),
        drop_body: hop.drop_body,
        drop_credentials: hop.drop_credentials,
        signable: hop.signable,
    }
}

/// Removes the sensitive headers: the default list, `extra` (lowercase names) and any value
/// marked sensitive.
pub(crate) fn strip_credentials(headers: &mut HeaderMap, extra: &[String]) {
    let doomed: Vec<_> = headers
        .iter()
        .filter(|(name, value)| {
            value.is_sensitive()
                || sigwire_client_core::redirect::is_sensitive(name.as_str(), extra)
        })
        .map(|(name, _)| name.clone())
        .collect();
    for name in doomed {
        headers.remove(name);
    }
}

/// Removes the body's own headers (the body itself is the caller's to drop).
pub(crate) fn strip_body_headers(headers: &mut HeaderMap) {
    for name in sigwire_client_core::redirect::BODY_HEADERS {
        headers.remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn origins_by_scheme_host_and_port() {
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
        let see_other = next_hop(StatusCode::SEE_OTHER, &Method::POST, &a, &back, &a, true);
        assert_eq!((see_other.method, see_other.signable), (Method::GET, true));
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
            ("content-type", "text/plain"),
        ] {
            h.insert(n, HeaderValue::from_static(v));
        }
        let mut marked = HeaderValue::from_static("t");
        marked.set_sensitive(true);
        h.insert("x-marked", marked);
        strip_credentials(&mut h, &["x-mine".to_owned()]);
        strip_body_headers(&mut h);
        assert_eq!(h.keys().map(|k| k.as_str()).collect::<Vec<_>>(), ["accept"]);
    }
}
