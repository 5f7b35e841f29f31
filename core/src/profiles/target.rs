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
        // A fold, not `any`: no early exit, so the compiler checks many bytes at a time.
        if url
            .bytes()
            .fold(false, |bad, b| bad | (b < 0x20) | (b == 0x7f))
        {
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
        // One pass over the bytes (URLs are short; a search per delimiter costs more than the
        // bytes): the authority ends at the first `/`, `?` or `#`, the path at the first `?` or
        // `#`, the query at the first `#` (the fragment is dropped). Every cut is at an ASCII
        // byte, so each slice is a valid `str`.
        let b = rest.as_bytes();
        fn scan(b: &[u8], from: usize, stop: impl Fn(u8) -> bool) -> usize {
            b[from..]
                .iter()
                .position(|&c| stop(c))
                .map_or(b.len(), |i| from + i)
        }
        let authority_end = scan(b, 0, |c| matches!(c, b'/' | b'?' | b'#'));
        let authority = &rest[..authority_end];
        if authority.is_empty() {
            return Err(ProfileError::invalid_request("URL has no host"));
        }
        if authority.bytes().fold(false, |at, c| at | (c == b'@')) {
            return Err(ProfileError::invalid_request(
                "credentials in the URL (user@host) are not allowed",
            ));
        }
        let path_end = scan(b, authority_end, |c| matches!(c, b'?' | b'#'));
        let path = &rest[authority_end..path_end];
        let query = (b.get(path_end) == Some(&b'?')).then(|| {
            let query_end = scan(b, path_end + 1, |c| c == b'#');
            &rest[path_end + 1..query_end]
        });
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

/// The pairs of [`split_pairs`], without collecting them (cut by byte: `str::split` on a char
/// costs a searcher per piece, more than these short pieces' bytes).
pub(crate) fn split_pairs_iter(query: &str) -> impl Iterator<Item = (&str, &str)> {
    let mut rest = query;
    core::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        let b = rest.as_bytes();
        let end = b.iter().position(|&c| c == b'&').unwrap_or(b.len());
        let piece = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        if piece.is_empty() {
            continue;
        }
        return Some(match piece.bytes().position(|c| c == b'=') {
            Some(eq) => (&piece[..eq], &piece[eq + 1..]),
            None => (piece, ""),
        });
    })
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
    fn one_pass_equals_splitting_by_delimiter() {
        // The byte scan against the delimiter-by-delimiter reading it replaced.
        fn by_split(url: &str) -> Option<(&str, &str, Option<&str>)> {
            let rest = url.split_once("://")?.1;
            let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            let (authority, pq) = rest.split_at(end);
            let (path, query) = match pq.split_once('?') {
                Some((p, q)) => (p, Some(q)),
                None => (pq, None),
            };
            Some((authority, path, query))
        }
        for url in [
            "https://h/a/b?x=1&y#f",
            "https://h?x#y?z",
            "https://h#f/a?b",
            "https://h:8443/p%20q?",
            "http://h/é?ü=1",
            "https://h/a?b?c#d#e",
            "https://h",
            "https://h/",
        ] {
            let t = Target::parse(url).unwrap();
            assert_eq!(Some((t.authority, t.path, t.query)), by_split(url), "{url}");
        }
        for query in ["a=1&&b=2=3&c", "", "&", "=", "a", "é=ü&x=", "&&a&"] {
            let split: Vec<(&str, &str)> = query
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|p| p.split_once('=').unwrap_or((p, "")))
                .collect();
            assert_eq!(split_pairs(query), split, "{query}");
        }
    }

    #[test]
    fn rejects_bad_urls() {
        assert!(Target::parse("/relative").is_err());
        assert!(Target::parse("https://u:p@h/").is_err());
        assert!(Target::parse("https:///x").is_err());
        assert!(Target::parse("https://h/\n").is_err());
    }
}
