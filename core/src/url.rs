//! Splits an absolute `http(s)` URL into canonical host, raw path and raw query (SPEC §3.2).
//!
//! This is deliberately not a general URL parser: it never removes dot segments, never collapses
//! slashes and never re-encodes, because the signature must cover the bytes that are sent.

use std::borrow::Cow;
use std::net::Ipv6Addr;

use crate::encoding::is_unreserved_cmp;
use crate::error::Error;
use crate::scan;

/// An absolute URL split for signing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitUrl<'a> {
    /// `http` or `https`, lowercased.
    pub scheme: &'static str,
    /// The canonical host: lowercase name or RFC 5952 IPv6 literal in brackets, then `:port`
    /// unless the port is the scheme's default.
    pub host: Cow<'a, str>,
    /// The raw path, possibly empty.
    pub path: &'a str,
    /// The raw query without `?`, if a `?` was present.
    pub query: Option<&'a str>,
}

/// Maximum accepted URL length in bytes.
pub(crate) const MAX_URL_LEN: usize = 16 * 1024;

/// Splits `url` (SPEC §3.2). Errors are `invalid_request`.
pub(crate) fn split(url: &str) -> Result<SplitUrl<'_>, Error> {
    if url.len() > MAX_URL_LEN {
        return Err(Error::invalid_request(format!(
            "URL is longer than {MAX_URL_LEN} bytes"
        )));
    }
    // Branch-free over the whole URL, so the compiler checks many bytes per step.
    let control = url.bytes().fold(false, |bad, b| {
        bad | ((b < 0x21) & (b != b' ')) | (b == 0x7f)
    });
    if control {
        return Err(Error::invalid_request("URL contains a control character"));
    }
    let has_prefix = |p: &str| {
        url.len() >= p.len() && url.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    };
    let (scheme, rest) = if has_prefix("https://") {
        ("https", &url[8..])
    } else if has_prefix("http://") {
        ("http", &url[7..])
    } else {
        return Err(Error::invalid_request(
            "URL must be absolute and start with http:// or https://",
        ));
    };
    // Drop the fragment: it is never sent.
    let rest = scan::split_once(rest, b'#').map_or(rest, |(before, _)| before);
    let authority_end = rest
        .bytes()
        .position(|b| b == b'/' || b == b'?')
        .unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_end);
    let (path, query) = match scan::split_once(path_and_query, b'?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let host = canonical_authority(authority, scheme)?;
    Ok(SplitUrl {
        scheme,
        host,
        path,
        query,
    })
}

/// Canonicalises an authority (`host[:port]`) for `scheme`: the value of the signed `host` line.
pub(crate) fn canonical_authority<'a>(
    authority: &'a str,
    scheme: &str,
) -> Result<Cow<'a, str>, Error> {
    // The usual authority, a lowercase name without a port, in one pass: every byte unreserved
    // (so no `@`, `:` or `[`) and none uppercase. Anything else takes the general reading below,
    // which gives the same result for this case.
    let (unreserved, upper) = authority.bytes().fold((true, false), |(ok, up), b| {
        (ok & is_unreserved_cmp(b), up | b.is_ascii_uppercase())
    });
    if unreserved && !upper && !authority.is_empty() && authority.len() <= 253 {
        return Ok(Cow::Borrowed(authority));
    }
    general_authority(authority, scheme)
}

/// [`canonical_authority`] for any authority: credentials refused, then a bracketed IPv6
/// literal or a name (length, characters, lowercased), then the port after the last `:`.
fn general_authority<'a>(authority: &'a str, scheme: &str) -> Result<Cow<'a, str>, Error> {
    if scan::find_byte(authority.as_bytes(), b'@').is_some() {
        return Err(Error::invalid_request(
            "credentials in the URL (user@host) are not allowed",
        ));
    }
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest
            .split_once(']')
            .ok_or_else(|| Error::invalid_request("IPv6 host is missing its closing ']'"))?;
        let addr: Ipv6Addr = inside
            .parse()
            .map_err(|_| Error::invalid_request("host in brackets is not an IPv6 address"))?;
        let port = match after {
            "" => None,
            p => Some(
                p.strip_prefix(':')
                    .ok_or_else(|| Error::invalid_request("unexpected text after the IPv6 host"))?,
            ),
        };
        (Cow::Owned(format!("[{addr}]")), port)
    } else {
        let (name, port) = match authority.bytes().rposition(|b| b == b':') {
            Some(colon) => (&authority[..colon], Some(&authority[colon + 1..])),
            None => (authority, None),
        };
        if name.is_empty() || name.len() > 253 {
            return Err(Error::invalid_request(
                "URL host is empty or longer than 253 characters",
            ));
        }
        if !crate::encoding::all_in(name, crate::encoding::UNRESERVED) {
            return Err(Error::invalid_request(
                "URL host may only contain A-Z a-z 0-9 - . _ ~ (use punycode for international names)",
            ));
        }
        let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(name.to_ascii_lowercase())
        } else {
            Cow::Borrowed(name)
        };
        (name, port)
    };
    let default = if scheme == "https" { 443 } else { 80 };
    match port {
        None | Some("") => Ok(host),
        Some(p) => {
            let n = parse_port(p)?;
            if n == default {
                Ok(host)
            } else if matches!(host, Cow::Borrowed(_)) && !p.starts_with('0') {
                // Already canonical: borrow `host:port` as written.
                Ok(Cow::Borrowed(authority))
            } else {
                Ok(Cow::Owned(format!("{host}:{n}")))
            }
        }
    }
}

fn parse_port(p: &str) -> Result<u16, Error> {
    let err = || Error::invalid_request("URL port must be a number from 1 to 65535");
    if p.is_empty() || p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    match p.parse::<u32>() {
        Ok(n @ 1..=65535) => u16::try_from(n).map_err(|_| err()),
        _ => Err(err()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_parts() {
        let u = split("HTTPS://API.Example.com:443/a/b?x=1&y#frag").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "api.example.com");
        assert_eq!(u.path, "/a/b");
        assert_eq!(u.query, Some("x=1&y"));
    }

    #[test]
    fn ports() {
        assert_eq!(split("http://h:80").unwrap().host, "h");
        assert_eq!(split("http://h:443/").unwrap().host, "h:443");
        assert_eq!(split("https://h:08443/").unwrap().host, "h:8443");
        assert_eq!(split("https://h:/").unwrap().host, "h");
        for bad in [
            "https://h:0/",
            "https://h:65536/",
            "https://h:x/",
            "https://h:123456/",
        ] {
            assert!(split(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ipv6() {
        assert_eq!(split("http://[0:0::1]:8080/").unwrap().host, "[::1]:8080");
        assert_eq!(
            split("https://[2001:DB8::A]/").unwrap().host,
            "[2001:db8::a]"
        );
        assert_eq!(
            split("https://[::FFFF:192.0.2.1]:443").unwrap().host,
            "[::ffff:192.0.2.1]"
        );
        // Only IPv4-mapped addresses keep the dotted form (SPEC §3.2).
        assert_eq!(
            split("https://[::192.0.2.1]/").unwrap().host,
            "[::c000:201]"
        );
        assert_eq!(
            split("https://[64:ff9b::192.0.2.1]/").unwrap().host,
            "[64:ff9b::c000:201]"
        );
        for bad in [
            "http://[::1/",
            "http://[zz]/",
            "http://[fe80::1%25eth0]/",
            "http://[::1]x/",
        ] {
            assert!(split(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn refusals() {
        for bad in [
            "ftp://h/",
            "/relative",
            "https://user:pw@h/",
            "https:///path",
            "https://bad host/",
            "https://h/\n",
            "https://exämple.com/",
        ] {
            assert!(split(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        /// The one-pass reading of a lowercase name gives what the general reading gives, for
        /// authorities mixing every kind of byte it looks at.
        #[test]
        fn fast_authority_equals_the_general_reading(
            a in "[a-zA-Z0-9._~@:\\[\\] %-]{0,12}",
            long in proptest::bool::weighted(0.05),
        ) {
            let a = if long { a.repeat(30) } else { a };
            for scheme in ["http", "https"] {
                let fast = canonical_authority(&a, scheme).map_err(|e| e.message().to_owned());
                let general = general_authority(&a, scheme).map_err(|e| e.message().to_owned());
                proptest::prop_assert_eq!(fast, general);
            }
        }
    }

    /// The authority checks run in order: credentials first (also inside a
    /// bracketed host), then the name's length, then its characters; the port after the last ':'.
    #[test]
    fn authority_checks_in_order() {
        let msg = |a: &str| {
            canonical_authority(a, "https")
                .unwrap_err()
                .message()
                .to_owned()
        };
        assert!(msg("u@[::1]").contains("credentials"));
        assert!(msg("bad host@h").contains("credentials"));
        assert!(msg(":443").contains("empty"));
        assert!(msg(&"a".repeat(254)).contains("253"));
        assert!(msg("ex ample.com:443").contains("may only contain"));
        assert!(msg("a:b:443").contains("may only contain"));
        assert!(msg("h:x").contains("port"));
        assert_eq!(
            canonical_authority("Ex.COM:8443", "https").unwrap(),
            "ex.com:8443"
        );
        assert_eq!(
            canonical_authority("ex.com:443", "https").unwrap(),
            "ex.com"
        );
        assert!(matches!(
            canonical_authority("ex.com:8443", "https").unwrap(),
            Cow::Borrowed("ex.com:8443")
        ));
    }

    #[test]
    fn empty_path_and_query() {
        let u = split("https://h").unwrap();
        assert_eq!((u.path, u.query), ("", None));
        let u = split("https://h?").unwrap();
        assert_eq!((u.path, u.query), ("", Some("")));
    }
}
