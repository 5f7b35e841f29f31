//! RFC 3986 percent-encoding as the profiles need it: unreserved characters kept, all else `%XX`.

const UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Whether `b` is an RFC 3986 unreserved character (`A-Z a-z 0-9 - . _ ~`): the core's table
/// ([`crate::encoding::is_unreserved`], one load per byte on the signing path).
pub(crate) fn is_unreserved(b: u8) -> bool {
    crate::encoding::is_unreserved(b)
}

/// Appends `s` to `out` as [`encode_into`] does; a string with nothing to encode (the usual path
/// segment, query name or value) is copied whole.
pub(crate) fn encode_str_into(s: &str, keep: &[u8], out: &mut String) {
    if s.bytes().all(|b| is_unreserved(b) || keep.contains(&b)) {
        out.push_str(s);
    } else {
        encode_into(s.as_bytes(), keep, out);
    }
}

/// Appends `bytes` to `out`, keeping unreserved characters (and every byte in `keep`), encoding the
/// rest as uppercase `%XX`.
pub(crate) fn encode_into(bytes: &[u8], keep: &[u8], out: &mut String) {
    for &b in bytes {
        if is_unreserved(b) || keep.contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(UPPER[usize::from(b >> 4)]));
            out.push(char::from(UPPER[usize::from(b & 0x0f)]));
        }
    }
}

/// `bytes` with everything but unreserved characters (and `keep`) percent-encoded.
pub(crate) fn encode(bytes: &[u8], keep: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    encode_into(bytes, keep, &mut s);
    s
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `s` keeping valid `%XX` escapes exactly as written and encoding every other byte outside
/// the unreserved set and `keep` (a path "URI-encoded once", as S3 signs it).
#[cfg(test)]
pub(crate) fn encode_keeping_escapes(s: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    encode_keeping_escapes_into(s, keep, &mut out);
    out
}

/// Appends `s` to `out` as [`encode_keeping_escapes`] returns it.
pub(crate) fn encode_keeping_escapes_into(s: &str, keep: &[u8], out: &mut String) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if escape_at(b, i).is_some() {
            out.push_str(&s[i..i + 3]);
            i += 3;
            continue;
        }
        encode_into(&b[i..=i], keep, out);
        i += 1;
    }
}

/// The byte a valid `%XX` escape at `b[i]` stands for, if there is one.
fn escape_at(b: &[u8], i: usize) -> Option<u8> {
    if b[i] == b'%' && i + 2 < b.len() {
        if let (Some(h), Some(l)) = (hex_val(b[i + 1]), hex_val(b[i + 2])) {
            return Some(h << 4 | l);
        }
    }
    None
}

/// Calls `f` with each byte of `s` after decoding `%XX` escapes (see [`decode`]).
fn for_each_decoded(s: &str, mut f: impl FnMut(u8)) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match escape_at(b, i) {
            Some(d) => {
                f(d);
                i += 3;
            }
            None => {
                f(b[i]);
                i += 1;
            }
        }
    }
}

/// Decodes `%XX` escapes; a `%` not followed by two hex digits is kept literally. `+` stays `+`.
pub(crate) fn decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for_each_decoded(s, |b| out.push(b));
    out
}

/// Appends `s` decoded once (see [`decode`]) and encoded again (see [`encode_into`], nothing
/// kept beyond the unreserved set) to `out`, without an intermediate buffer.
pub(crate) fn reencode_into(s: &str, out: &mut String) {
    // Only unreserved bytes (so no `%`): decoding and encoding give `s` back.
    if s.bytes().all(is_unreserved) {
        out.push_str(s);
        return;
    }
    for_each_decoded(s, |b| encode_into(&[b], b"", out));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode(b"a b+c/~%", b""), "a%20b%2Bc%2F~%25");
        assert_eq!(encode(b"a b/c", b"/"), "a%20b/c");
        assert_eq!(encode("ሴ".as_bytes(), b""), "%E1%88%B4");
    }

    #[test]
    fn table_and_str_paths_equal_the_byte_rules() {
        for b in 0..=255u8 {
            let rule = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
            assert_eq!(is_unreserved(b), rule, "{b}");
        }
        for s in [
            "orders", "v1", "a b", "a/b", "~x-y_z.", "%41", "", "é", "a+b",
        ] {
            for keep in [&b""[..], b"/"] {
                let mut whole = String::new();
                encode_str_into(s, keep, &mut whole);
                assert_eq!(whole, encode(s.as_bytes(), keep), "{s}");
            }
        }
    }

    #[test]
    fn keeps_existing_escapes() {
        assert_eq!(
            encode_keeping_escapes("/a%2Fb c@%7e%zz%4", b"/"),
            "/a%2Fb%20c%40%7e%25zz%254"
        );
    }

    #[test]
    fn reencodes_like_decode_then_encode() {
        for s in [
            "a%2fb",
            "%E1%88%B4+x y",
            "%zz%4",
            "%41%",
            "~%7e%7E",
            "",
            "%",
            "account",
            "42",
            "a-b_c.d~e",
        ] {
            let mut out = String::new();
            reencode_into(s, &mut out);
            assert_eq!(out, encode(&decode(s), b""), "{s}");
        }
    }

    #[test]
    fn decodes_leniently() {
        assert_eq!(decode("%E1%88%B4"), "ሴ".as_bytes());
        assert_eq!(decode("a+b%2"), b"a+b%2");
        assert_eq!(decode("%zz%41"), b"%zzA");
        assert_eq!(decode("%4"), b"%4");
        assert_eq!(decode("%41"), b"A");
    }
}
