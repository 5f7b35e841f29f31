//! Percent-encoding normalisation (SPEC §3.3): one canonical spelling per byte.

use crate::error::Error;

const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Where a component comes from: a path keeps `/` as a separator, a query encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Component {
    /// A URL path: `/` is emitted as is.
    Path,
    /// A query name or value: every byte but the unreserved ones is encoded.
    Query,
}

/// Byte classes, looked up in one table on the hot path.
pub(crate) const UNRESERVED: u8 = 1;
/// RFC 9110 `tchar`.
pub(crate) const TCHAR: u8 = 2;
/// Key id characters (SPEC §1).
pub(crate) const KEY_ID: u8 = 4;
/// HTAB, SP and visible ASCII: allowed in a header value.
pub(crate) const FIELD_VALUE: u8 = 8;
/// Base64url alphabet (nonces).
pub(crate) const BASE64URL: u8 = 16;

const fn class_of(b: u8) -> u8 {
    let alnum = b.is_ascii_alphanumeric();
    let mut c = 0;
    if alnum || matches!(b, b'-' | b'.' | b'_' | b'~') {
        c |= UNRESERVED;
    }
    if alnum || matches!(b, b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~') {
        c |= TCHAR;
    }
    if alnum || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b':' | b'@') {
        c |= KEY_ID;
    }
    if b == b'\t' || (b >= 0x20 && b < 0x7f) {
        c |= FIELD_VALUE;
    }
    if alnum || b == b'-' || b == b'_' {
        c |= BASE64URL;
    }
    c
}

const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = class_of(i as u8);
        i += 1;
    }
    t
};

/// Whether every byte of `s` is in `class`.
#[inline]
pub(crate) fn all_in(s: &str, class: u8) -> bool {
    s.bytes().all(|b| CLASSES[usize::from(b)] & class != 0)
}

/// Whether `b` is an RFC 3986 unreserved byte (`A-Z a-z 0-9 - . _ ~`).
#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    CLASSES[usize::from(b)] & UNRESERVED != 0
}

#[inline]
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[inline]
fn push_byte(out: &mut String, b: u8, component: Component) {
    if is_unreserved(b) || (b == b'/' && component == Component::Path) {
        out.push(b as char);
    } else {
        out.push('%');
        out.push(UPPER_HEX[usize::from(b >> 4)] as char);
        out.push(UPPER_HEX[usize::from(b & 0x0f)] as char);
    }
}

/// Appends the normalised form of `raw` to `out`.
///
/// An escape `%XY` is decoded to one byte and re-emitted canonically (unreserved bytes as
/// themselves, everything else as uppercase `%XY`); a decoded `/` in a path stays `%2F`.
/// A `%` that does not start a valid escape is an `invalid_request` error.
pub(crate) fn normalize_into(out: &mut String, raw: &str, component: Component) -> Result<(), Error> {
    let bytes = raw.as_bytes();
    // Fast path: nothing to rewrite.
    if bytes.iter().all(|&b| is_unreserved(b) || (b == b'/' && component == Component::Path)) {
        out.push_str(raw);
        return Ok(());
    }
    out.reserve(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let decoded = match (bytes.get(i + 1), bytes.get(i + 2)) {
                (Some(&h), Some(&l)) => hex_value(h).zip(hex_value(l)).map(|(h, l)| h << 4 | l),
                _ => None,
            };
            let Some(d) = decoded else {
                return Err(Error::invalid_request(
                    "invalid percent-encoding: '%' must be followed by two hex digits",
                ));
            };
            if is_unreserved(d) {
                out.push(d as char);
            } else {
                // A decoded '/' is data, never a separator: always re-encode it.
                out.push('%');
                out.push(UPPER_HEX[usize::from(d >> 4)] as char);
                out.push(UPPER_HEX[usize::from(d & 0x0f)] as char);
            }
            i += 3;
        } else {
            push_byte(out, b, component);
            i += 1;
        }
    }
    Ok(())
}

/// The normalised form of `raw` as a new string.
#[cfg(test)]
pub(crate) fn normalize(raw: &str, component: Component) -> Result<String, Error> {
    let mut out = String::with_capacity(raw.len());
    normalize_into(&mut out, raw, component)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(s: &str) -> String {
        normalize(s, Component::Path).unwrap()
    }
    fn query(s: &str) -> String {
        normalize(s, Component::Query).unwrap()
    }

    #[test]
    fn unreserved_never_encoded() {
        assert_eq!(path("/a-b.c_d~e"), "/a-b.c_d~e");
        assert_eq!(path("/%7e%7E%41"), "/~~A");
    }

    #[test]
    fn reserved_encoded_uppercase() {
        assert_eq!(query("a+b c!'()*@:/"), "a%2Bb%20c%21%27%28%29%2A%40%3A%2F");
        assert_eq!(path("/a+b/c d"), "/a%2Bb/c%20d");
        assert_eq!(path("/%2f%2b"), "/%2F%2B");
    }

    #[test]
    fn encoded_slash_stays_distinct() {
        assert_eq!(path("/a%2Fb"), "/a%2Fb");
        assert_ne!(path("/a%2Fb"), path("/a/b"));
    }

    #[test]
    fn utf8_bytes_encoded() {
        assert_eq!(path("/é"), "/%C3%A9");
        assert_eq!(path("/%c3%a9"), "/%C3%A9");
    }

    #[test]
    fn bad_escape_rejected() {
        for bad in ["%", "%4", "%zz", "a%g1"] {
            assert!(normalize(bad, Component::Query).is_err(), "{bad}");
        }
    }
}
