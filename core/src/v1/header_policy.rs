//! Which headers a signer covers beyond its list ([`SignedHeaderPolicy`]), and which headers a
//! verifier insists are signed when present ([`RequiredHeaders`]) — SPEC §3.5 and §8, issue 12
//! item 11: an unsigned `X-HTTP-Method-Override: DELETE` added to a signed POST must not verify
//! where the application would obey it.

use core::fmt;
use core::str::FromStr;

use crate::error::{Error, ErrorCode};
use crate::request::Request;

use super::canonical::is_token;

/// Which headers a `sigwire-v1` signer signs besides `host`, `content-type` (with a body) and
/// its own list.
///
/// ```
/// use sigwire_core::{Request, SignOptions, SignedHeaderPolicy, Signer};
///
/// let signer = Signer::new("client-1", b"0123456789abcdef0123456789abcdef".to_vec())?
///     .with_header_policy(SignedHeaderPolicy::AllEndToEnd);
/// let request = Request::new("POST", "https://api.example.com/v1/orders")
///     .header("X-HTTP-Method-Override", "PATCH")
///     .header("Connection", "keep-alive")          // hop-by-hop: never signed
///     .header("Content-Length", "0");              // the body digest covers the body
/// let s = signer.sign_with(&request, &SignOptions::fixed(1_700_000_000, "AAAAAAAAAAAAAAAAAAAAAA"))?;
/// assert_eq!(s.signed_headers, "host;x-http-method-override");
/// # Ok::<(), sigwire_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum SignedHeaderPolicy {
    /// Only the required headers and the signer's list (the default). Headers outside the list
    /// can be added or changed on the path (SPEC §8): list every header your server reads.
    #[default]
    Listed,
    /// The required headers, the signer's list, then every other end-to-end header present on
    /// the request at signing time, lowercased, in the order sent. Never signed: `authorization`,
    /// the hop-by-hop headers of RFC 9110 §7.6.1 (`connection`, `keep-alive`, `proxy-*`, `te`,
    /// `trailer`, `transfer-encoding`, `upgrade`, and every name the `Connection` header lists),
    /// and `content-length` and `expect` (the body digest covers the body; proxies re-frame
    /// bodies and answer `Expect` themselves). A header on several lines, a value with bytes
    /// outside visible ASCII, or more than 32 names in all is `invalid_request`: refused rather
    /// than left unsigned.
    AllEndToEnd,
}

impl SignedHeaderPolicy {
    /// The name used by every binding: `"listed"` or `"all-end-to-end"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SignedHeaderPolicy::Listed => "listed",
            SignedHeaderPolicy::AllEndToEnd => "all-end-to-end",
        }
    }
}

impl fmt::Display for SignedHeaderPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SignedHeaderPolicy {
    type Err = Error;

    /// `"listed"` or `"all-end-to-end"`; anything else is `invalid_config` (the value is not
    /// echoed: it comes from configuration, where a misplaced secret can land).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "listed" => Ok(SignedHeaderPolicy::Listed),
            "all-end-to-end" => Ok(SignedHeaderPolicy::AllEndToEnd),
            _ => Err(Error::new(
                ErrorCode::InvalidConfig,
                "the signed-header policy is \"listed\" or \"all-end-to-end\"",
            )),
        }
    }
}

/// Names never signed by [`SignedHeaderPolicy::AllEndToEnd`] (besides `proxy-*` and the names
/// `Connection` lists).
const NEVER_SIGNED: [&str; 9] = [
    "authorization",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "expect",
];

/// The end-to-end header names of `request` in the order first sent, as given (not lowercased;
/// the caller lowercases and drops repeats). Bad names are left for the caller to refuse.
pub(crate) fn end_to_end_names<'a>(request: &Request<'a>) -> Vec<&'a str> {
    let listed_by_connection = |name: &str| {
        request.header_values("connection").any(|v| {
            v.split(',')
                .any(|n| n.trim_matches([' ', '\t']).eq_ignore_ascii_case(name))
        })
    };
    let mut out: Vec<&'a str> = Vec::new();
    for &(name, _) in request.header_lines() {
        let hop = NEVER_SIGNED.iter().any(|n| n.eq_ignore_ascii_case(name))
            || name
                .get(..6)
                .is_some_and(|p| p.eq_ignore_ascii_case("proxy-"))
            || listed_by_connection(name);
        if !hop && !out.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            out.push(name);
        }
    }
    out
}

/// Header names a verifier requires to be signed whenever they are present on a request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RequiredHeaders(Vec<String>);

impl RequiredHeaders {
    /// Lowercases and checks `names`. Errors: `invalid_config` for a name that is not a token
    /// or is `authorization` (never signed).
    pub(crate) fn new<I, S>(names: I) -> Result<Self, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut out: Vec<String> = Vec::new();
        for (i, name) in names.into_iter().enumerate() {
            let name = name.as_ref();
            if !is_token(name) {
                return Err(Error::new(
                    ErrorCode::InvalidConfig,
                    format!(
                        "required signed header #{} is not a valid header name",
                        i + 1
                    ),
                ));
            }
            let lower = name.to_ascii_lowercase();
            if lower == "authorization" {
                return Err(Error::new(
                    ErrorCode::InvalidConfig,
                    "the authorization header is never signed, so it cannot be required",
                ));
            }
            if !out.contains(&lower) {
                out.push(lower);
            }
        }
        Ok(RequiredHeaders(out))
    }

    /// The names, lowercased, in order.
    pub(crate) fn names(&self) -> &[String] {
        &self.0
    }

    /// `unsigned_header` when a required header is present on `request` and `signs` says the
    /// signature does not cover it.
    pub(crate) fn check(
        &self,
        request: &Request<'_>,
        signs: impl Fn(&str) -> bool,
    ) -> Result<(), Error> {
        for name in &self.0 {
            if request.has_header(name) && !signs(name) {
                return Err(Error::new(
                    ErrorCode::UnsignedHeader,
                    "the request carries a header this server requires to be signed, and the \
                     signature does not cover it; add it to the signed headers",
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_and_framing_headers_are_left_out() {
        let r = Request::new("GET", "https://h/")
            .header("Connection", "close, X-Trace")
            .header("X-Trace", "1")
            .header("Keep-Alive", "timeout=5")
            .header("Proxy-Authorization", "Basic x")
            .header("TE", "trailers")
            .header("Trailer", "x")
            .header("Transfer-Encoding", "chunked")
            .header("Upgrade", "h2c")
            .header("Content-Length", "0")
            .header("Expect", "100-continue")
            .header("Authorization", "HMAC …")
            .header("Accept", "*/*")
            .header("X-HTTP-Method-Override", "DELETE")
            .header("accept", "text/plain");
        assert_eq!(end_to_end_names(&r), ["Accept", "X-HTTP-Method-Override"]);
    }

    #[test]
    fn policy_names_round_trip() {
        for p in [SignedHeaderPolicy::Listed, SignedHeaderPolicy::AllEndToEnd] {
            assert_eq!(p.as_str().parse::<SignedHeaderPolicy>().unwrap(), p);
        }
        let e = "my-secret-value".parse::<SignedHeaderPolicy>().unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(!e.to_string().contains("my-secret-value"));
    }

    #[test]
    fn required_headers_apply_only_when_present() {
        let req =
            RequiredHeaders::new(["X-HTTP-Method-Override", "x-http-method-override"]).unwrap();
        assert_eq!(req.names(), ["x-http-method-override"]);
        let plain = Request::new("POST", "https://h/");
        assert!(req.check(&plain, |_| false).is_ok());
        let added = plain.clone().header("x-HTTP-method-override", "DELETE");
        assert_eq!(
            req.check(&added, |_| false).unwrap_err().code(),
            ErrorCode::UnsignedHeader
        );
        assert!(req.check(&added, |n| n == "x-http-method-override").is_ok());
        for bad in ["Authorization", "bad name", ""] {
            assert_eq!(
                RequiredHeaders::new([bad]).unwrap_err().code(),
                ErrorCode::InvalidConfig
            );
        }
    }
}
