//! The redirect policy, without I/O: which hops are signed, and what a hop to another origin
//! keeps (issue 12, items 5 and 6).
//!
//! * **Signing.** A chain is signed only while every hop so far is at the client's base origin.
//!   Once a redirect leaves it, no later hop is signed — not even one that comes back: a foreign
//!   server must not choose a URL on the origin (`A → C → A/admin/delete?confirm=yes`) and get it
//!   signed with the caller's body. Such a hop is sent unsigned (so the origin refuses it if it
//!   requires a signature) and the response is returned as usual.
//! * **Credentials.** A hop to an origin other than the current one drops every sensitive header:
//!   [`SENSITIVE_HEADERS`], the caller's own list and any value marked sensitive. They stay
//!   dropped for the rest of the chain.
//! * **Body.** A hop to another origin never carries the body: 307 and 308 keep the method but
//!   the body (and its `Content-Type`, `Content-Length`) is dropped; 303, and 301/302 after a
//!   POST, become a bodiless GET as usual.
//!
//! Origins are compared by the driver's own URL parser (scheme, host and port).

/// Header names never sent to another origin on a redirect (lowercase): credentials and
/// session tokens in common use. Callers add their own.
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

/// The headers describing a body, dropped with it (lowercase).
pub const BODY_HEADERS: [&str; 2] = ["content-type", "content-length"];

/// Whether `status` is a redirect the client follows (301, 302, 303, 307, 308).
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// Whether header `name` (any case) is dropped on a change of origin: in
/// [`SENSITIVE_HEADERS`] or in `extra` (lowercase names).
pub fn is_sensitive(name: &str, extra: &[String]) -> bool {
    let lower = name.to_ascii_lowercase();
    SENSITIVE_HEADERS.contains(&lower.as_str()) || extra.contains(&lower)
}

/// What the next hop of a redirect chain sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The method of the next hop.
    pub method: String,
    /// Whether the body (and its content headers) is dropped from here on.
    pub drop_body: bool,
    /// Whether the sensitive headers are dropped from here on (a change of origin).
    pub drop_credentials: bool,
    /// Whether the chain may still be signed (every hop so far at the base origin).
    pub signable: bool,
}

/// The next hop after a `status` redirect sent with `method`, to a URL whose origin differs
/// from the current hop's (`cross_origin`) and is the client's base origin or not
/// (`at_base_origin`), in a chain that is `signable` so far.
pub fn next_hop(
    status: u16,
    method: &str,
    cross_origin: bool,
    at_base_origin: bool,
    signable: bool,
) -> Hop {
    let to_get =
        status == 303 && method != "HEAD" || matches!(status, 301 | 302) && method == "POST";
    Hop {
        method: if to_get { "GET" } else { method }.to_owned(),
        drop_body: to_get || cross_origin,
        drop_credentials: cross_origin,
        signable: signable && at_base_origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_that_left_the_origin_is_never_signed_again() {
        // a.test → c.test
        let hop = next_hop(307, "POST", true, false, true);
        assert_eq!(
            (hop.signable, hop.drop_body, hop.drop_credentials),
            (false, true, true)
        );
        assert_eq!(hop.method, "POST");
        // c.test → back to a.test
        let hop = next_hop(307, "POST", true, true, hop.signable);
        assert!(!hop.signable, "back at the origin, still unsigned");
        let same = next_hop(308, "PUT", false, true, true);
        assert_eq!(
            (same.signable, same.drop_body, same.drop_credentials),
            (true, false, false)
        );
    }

    #[test]
    fn see_other_becomes_get() {
        let hop = next_hop(303, "POST", false, true, true);
        assert_eq!(
            (hop.method.as_str(), hop.drop_body, hop.signable),
            ("GET", true, true)
        );
        assert_eq!(next_hop(303, "HEAD", false, true, true).method, "HEAD");
        assert_eq!(next_hop(302, "POST", false, true, true).method, "GET");
        assert_eq!(next_hop(302, "PUT", false, true, true).method, "PUT");
        let hop = next_hop(302, "GET", true, false, true);
        assert!(hop.drop_credentials && !hop.signable);
    }

    #[test]
    fn sensitive_names() {
        assert!(is_sensitive("Authorization", &[]));
        assert!(is_sensitive("X-API-Key", &[]));
        assert!(is_sensitive("X-Mine", &["x-mine".to_owned()]));
        assert!(!is_sensitive("accept", &["x-mine".to_owned()]));
        assert!(is_redirect(308) && !is_redirect(304) && !is_redirect(300));
    }
}
