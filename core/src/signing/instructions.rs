//! The output of signing: headers to set and query parameters to add, each marked sensitive or not.
//!
//! Modelled on smithy-rs `aws-sigv4` `SigningInstructions`: a scheme never mutates a request, it
//! says what to add, and one function applies it, so every runtime applies it the same way.

use core::fmt;
use std::borrow::Cow;

/// One header or query parameter to add.
///
/// `Debug` prints `[redacted]` instead of the value when the parameter is sensitive (an
/// `Authorization` value, a session token, a presigned signature).
#[derive(Clone, PartialEq, Eq)]
pub struct Param {
    name: Cow<'static, str>,
    value: String,
    sensitive: bool,
}

impl Param {
    /// A parameter; `sensitive` marks values that grant access and must not be logged.
    pub fn new(name: impl Into<String>, value: impl Into<String>, sensitive: bool) -> Self {
        Param {
            name: Cow::Owned(name.into()),
            value: value.into(),
            sensitive,
        }
    }

    /// A parameter with a fixed name (no allocation for the name: signers add a few per request).
    pub fn named(name: &'static str, value: impl Into<String>, sensitive: bool) -> Self {
        Param {
            name: Cow::Borrowed(name),
            value: value.into(),
            sensitive,
        }
    }

    /// The header or query parameter name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The value (for query parameters: not yet percent-encoded).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Whether the value grants access and must be kept out of logs.
    pub fn sensitive(&self) -> bool {
        self.sensitive
    }
}

impl fmt::Debug for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if self.sensitive {
            &"[redacted]"
        } else {
            &self.value
        };
        f.debug_struct("Param")
            .field("name", &self.name)
            .field("value", value)
            .field("sensitive", &self.sensitive)
            .finish()
    }
}

/// What to add to a request to sign it: headers to set (replacing any of the same name) and
/// query parameters to append, in order.
///
/// ```
/// use sigwire_core::signing::{Param, SigningInstructions};
///
/// let mut ins = SigningInstructions::default();
/// ins.push_header(Param::new("X-Api-Key", "k1", false));
/// ins.push_query(Param::new("signature", "ab cd", true));
/// assert_eq!(ins.apply_to_url("https://h/p?a=1#x"), "https://h/p?a=1&signature=ab%20cd#x");
/// assert!(format!("{ins:?}").contains("[redacted]"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SigningInstructions {
    headers: Vec<Param>,
    query: Vec<Param>,
}

impl SigningInstructions {
    /// Headers to set, in order.
    pub fn headers(&self) -> &[Param] {
        &self.headers
    }

    /// Query parameters to append, in order.
    pub fn query_params(&self) -> &[Param] {
        &self.query
    }

    /// The value of the header instruction named `name` (ASCII case-insensitive), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }

    /// The value of the query instruction named `name` (exact match), if any.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }

    /// Adds a header instruction.
    pub fn push_header(&mut self, param: Param) {
        self.headers.push(param);
    }

    /// Adds a query parameter instruction.
    pub fn push_query(&mut self, param: Param) {
        self.query.push(param);
    }

    /// `url` with the query parameters appended (names and values percent-encoded: every byte but
    /// RFC 3986 unreserved characters), keeping any fragment at the end.
    pub fn apply_to_url(&self, url: &str) -> String {
        if self.query.is_empty() {
            return url.to_owned();
        }
        let (base, fragment) = match url.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (url, None),
        };
        let mut out = String::with_capacity(base.len() + 64 * self.query.len());
        out.push_str(base);
        let mut first = !base.contains('?') || base.ends_with('?') || base.ends_with('&');
        if !base.contains('?') {
            out.push('?');
        }
        for p in &self.query {
            if !first {
                out.push('&');
            }
            first = false;
            encode_unreserved(p.name.as_bytes(), &mut out);
            out.push('=');
            encode_unreserved(p.value.as_bytes(), &mut out);
        }
        if let Some(f) = fragment {
            out.push('#');
            out.push_str(f);
        }
        out
    }

    /// `headers` with every header instruction applied: lines with the same name (ASCII
    /// case-insensitive) are removed, then the instructions are appended in order.
    pub fn apply_to_headers(&self, headers: &[(String, String)]) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = headers
            .iter()
            .filter(|(n, _)| !self.headers.iter().any(|p| p.name.eq_ignore_ascii_case(n)))
            .cloned()
            .collect();
        out.extend(
            self.headers
                .iter()
                .map(|p| (p.name.to_string(), p.value.clone())),
        );
        out
    }
}

/// Percent-encodes every byte but RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
fn encode_unreserved(bytes: &[u8], out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_separators_and_encoding() {
        let mut ins = SigningInstructions::default();
        ins.push_query(Param::new("a", "1", false));
        ins.push_query(Param::new("b/", "x+y é!*'()", false));
        let q = "a=1&b%2F=x%2By%20%C3%A9%21%2A%27%28%29";
        assert_eq!(ins.apply_to_url("https://h/"), format!("https://h/?{q}"));
        assert_eq!(ins.apply_to_url("https://h/?"), format!("https://h/?{q}"));
        assert_eq!(
            ins.apply_to_url("https://h/?z"),
            format!("https://h/?z&{q}")
        );
        assert_eq!(
            ins.apply_to_url("https://h/?z&"),
            format!("https://h/?z&{q}")
        );
        assert_eq!(
            SigningInstructions::default().apply_to_url("https://h/#f"),
            "https://h/#f"
        );
    }

    #[test]
    fn headers_replace_same_name() {
        let mut ins = SigningInstructions::default();
        ins.push_header(Param::new("Authorization", "HMAC x", true));
        let out = ins.apply_to_headers(&[
            ("authorization".into(), "old".into()),
            ("a".into(), "b".into()),
        ]);
        assert_eq!(
            out,
            vec![
                ("a".into(), "b".into()),
                ("Authorization".into(), "HMAC x".into())
            ]
        );
        assert_eq!(ins.header("AUTHORIZATION"), Some("HMAC x"));
        assert!(!format!("{ins:?}").contains("HMAC x"));
    }
}
