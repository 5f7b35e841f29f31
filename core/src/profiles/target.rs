//! Splits an absolute URL into scheme, authority, raw path and raw query, exactly as sent.
//!
//! Nothing is decoded, normalised or re-encoded here: each profile decides that itself.

use super::error::ProfileError;

/// An absolute `http(s)` URL split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    /// `http` or `https`, lowercased.
    pub scheme: &'static str,
    /// The authority as written (`host[:port]`).
    pub authority: &'a str,
    /// The raw path (may be empty).
    pub path: &'a str,
    /// The raw query without `?`, if a `?` was present.
    pub query: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// Splits `url`; errors are `invalid_request`.
    pub fn parse(url: &'a str) -> Result<Self, ProfileError> {
        if url.bytes().any(|b| b < 0x20 || b == 0x7f) {
            return Err(ProfileError::invalid_request(
                "URL contains a control character",
            ));
        }
        let lower_prefix = |p: &str| {
            url.len() >= p.len() && url.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        };
        let (scheme, rest) = if lower_prefix("https://") {
            ("https", &url[8..])
        } else if lower_prefix("http://") {
            ("http", &url[7..])
        } else {
            return Err(ProfileError::invalid_request(
                "URL must be absolute and start with http:// or https://",
            ));
        };
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        let end = rest
            .bytes()
            .position(|b| b == b'/' || b == b'?')
            .unwrap_or(rest.len());
        let (authority, path_and_query) = rest.split_at(end);
        if authority.is_empty() {
            return Err(ProfileError::invalid_request("URL has no host"));
        }
        if authority.contains('@') {
            return Err(ProfileError::invalid_request(
                "credentials in the URL (user@host) are not allowed",
            ));
        }
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        Ok(Target {
            scheme,
            authority,
            path,
            query,
        })
    }

    /// The authority lowercased, without the scheme's default port: the `Host` value to sign.
    /// Borrowed from the URL unless it has to be lowercased.
    pub fn host(&self) -> std::borrow::Cow<'a, str> {
        let default = if self.scheme == "https" {
            ":443"
        } else {
            ":80"
        };
        let host = match self.authority.strip_suffix(default) {
            Some(h) if !h.ends_with(':') => h,
            _ => self.authority,
        };
        if host.bytes().any(|b| b.is_ascii_uppercase()) {
            std::borrow::Cow::Owned(host.to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(host)
        }
    }

    /// The raw query split into `(name, value)` pairs at `&` and the first `=`; empty pieces are
    /// skipped and a missing `=` gives an empty value. Nothing is decoded.
    pub fn raw_pairs(&self) -> Vec<(&'a str, &'a str)> {
        split_pairs(self.query.unwrap_or(""))
    }
}

/// Splits a raw `a=1&b=2` string into pairs (see [`Target::raw_pairs`]).
pub(crate) fn split_pairs(query: &str) -> Vec<(&str, &str)> {
    split_pairs_iter(query).collect()
}

/// The pairs of [`split_pairs`], without collecting them.
pub(crate) fn split_pairs_iter(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_without_touching_bytes() {
        let t = Target::parse("HTTPS://Example.com:443/a%2Fb/../c?x=1&&y#frag").unwrap();
        assert_eq!(t.scheme, "https");
        assert_eq!(t.host(), "example.com");
        assert_eq!(t.path, "/a%2Fb/../c");
        assert_eq!(t.raw_pairs(), vec![("x", "1"), ("y", "")]);
        let t = Target::parse("http://h:8080").unwrap();
        assert_eq!((&*t.host(), t.path, t.query), ("h:8080", "", None));
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(Target::parse("/relative").is_err());
        assert!(Target::parse("https://u:p@h/").is_err());
        assert!(Target::parse("https:///x").is_err());
        assert!(Target::parse("https://h/\n").is_err());
    }
}
