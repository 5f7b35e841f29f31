//! The canonical request, string to sign and signing key of SigV4, each a small pure function.

use crate::profiles::crypto::hmac_sha256;
use crate::profiles::percent;

use super::settings::{AwsSigV4Settings, PercentEncodingMode, UriPathNormalizationMode};

/// The signing algorithm name.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Removes `.` and `..` segments and empty segments, keeping a leading and a trailing `/`
/// (botocore's `normalize_url_path`, the aws-c-auth behaviour). An empty path becomes `/`.
#[cfg(test)]
pub(crate) fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    push_normalized(
        &mut out,
        if path.is_empty() { "/" } else { path },
        |seg, out| out.push_str(seg),
    );
    out
}

/// Appends `path` normalised to `out` (`.`, `..` and empty segments removed, a leading and a
/// trailing `/` kept: botocore's `normalize_url_path`, the aws-c-auth behaviour), each kept segment written by
/// `push_segment` (which must not write `/`), in one pass: `..` truncates `out` back to the
/// previous separator.
fn push_normalized(out: &mut String, path: &str, push_segment: impl Fn(&str, &mut String)) {
    if path.starts_with('/') {
        out.push('/');
    }
    let root = out.len();
    let mut kept = 0usize;
    // The segments between '/' (a byte loop: paths are short, and `str::split` costs more per
    // segment than the bytes do). Every cut is at an ASCII '/', so each slice is valid UTF-8.
    let bytes = path.as_bytes();
    let mut start = 0;
    for end in (0..=bytes.len()).filter(|&i| i == bytes.len() || bytes[i] == b'/') {
        let seg = &path[start..end];
        start = end + 1;
        match seg {
            "" | "." => {}
            ".." => {
                if kept > 0 {
                    kept -= 1;
                    let cut = out[root..].rfind('/').map_or(root, |i| root + i);
                    out.truncate(cut);
                }
            }
            s => {
                if kept > 0 {
                    out.push('/');
                }
                push_segment(s, out);
                kept += 1;
            }
        }
    }
    if path.ends_with('/') && kept > 0 {
        out.push('/');
    }
}

/// Appends the canonical URI of `path` under `settings` (see [`PercentEncodingMode`]) to `out`.
pub(crate) fn push_path(out: &mut String, path: &str, settings: &AwsSigV4Settings) {
    let path = if path.is_empty() { "/" } else { path };
    let encode = |s: &str, out: &mut String| match settings.percent_encoding_mode {
        PercentEncodingMode::Double => percent::encode_str_into(s, b"/", out),
        PercentEncodingMode::Single => percent::encode_keeping_escapes_into(s, b"/", out),
    };
    match settings.uri_path_normalization_mode {
        UriPathNormalizationMode::Enabled => push_normalized(out, path, encode),
        UriPathNormalizationMode::Disabled => encode(path, out),
    }
}

/// The canonical URI of `path` under `settings` (see [`PercentEncodingMode`]).
pub(crate) fn canonical_path(path: &str, settings: &AwsSigV4Settings) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    push_path(&mut out, path, settings);
    out
}

/// Appends the canonical query string to `out`: every raw `(name, value)` pair decoded once and
/// re-encoded (RFC 3986 unreserved kept), plus `extra` pairs (unencoded), sorted by encoded name
/// then encoded value. A single pair is written straight into `out`; more are encoded into one
/// scratch string and sorted as ranges of it.
pub(crate) fn push_query<'a>(
    out: &mut String,
    raw: impl IntoIterator<Item = (&'a str, &'a str)>,
    extra: &[(&str, &str)],
) {
    let mut raw = raw.into_iter().peekable();
    let Some(&(k, v)) = raw.peek() else {
        if extra.is_empty() {
            return;
        }
        return push_sorted_query(out, raw, extra);
    };
    raw.next();
    if extra.is_empty() && raw.peek().is_none() {
        // One pair, nothing to sort: encoded straight into `out` (no scratch buffers).
        percent::reencode_into(k, out);
        out.push('=');
        percent::reencode_into(v, out);
        return;
    }
    push_sorted_query(out, core::iter::once((k, v)).chain(raw), extra);
}

/// [`push_query`] in general: the pairs encoded into one scratch string, sorted as ranges of it.
fn push_sorted_query<'a>(
    out: &mut String,
    raw: impl Iterator<Item = (&'a str, &'a str)>,
    extra: &[(&str, &str)],
) {
    let extra_len: usize = extra.iter().map(|(k, v)| k.len() + v.len()).sum();
    let mut enc = String::with_capacity(64 + 3 * extra_len);
    // (name start, name end = value start, value end) in `enc`.
    let mut pairs: Vec<(usize, usize, usize)> = Vec::with_capacity(extra.len() + 8);
    for (k, v) in raw {
        let start = enc.len();
        percent::reencode_into(k, &mut enc);
        let mid = enc.len();
        percent::reencode_into(v, &mut enc);
        pairs.push((start, mid, enc.len()));
    }
    for (k, v) in extra {
        let start = enc.len();
        percent::encode_into(k.as_bytes(), b"", &mut enc);
        let mid = enc.len();
        percent::encode_into(v.as_bytes(), b"", &mut enc);
        pairs.push((start, mid, enc.len()));
    }
    pairs.sort_unstable_by(|a, b| {
        (&enc[a.0..a.1], &enc[a.1..a.2]).cmp(&(&enc[b.0..b.1], &enc[b.1..b.2]))
    });
    for (i, &(start, mid, end)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&enc[start..mid]);
        out.push('=');
        out.push_str(&enc[mid..end]);
    }
}

/// The canonical query string (see [`push_query`]) of raw `(name, value)` pairs.
pub(crate) fn canonical_query(raw: &[(&str, &str)], extra: &[(&str, &str)]) -> String {
    let mut out = String::new();
    push_query(&mut out, raw.iter().copied(), extra);
    out
}

/// Appends `value` as SigV4 signs it to `out`, in one pass: trimmed, each run of whitespace
/// (including folded line breaks) collapsed to one space.
fn push_header_value(out: &mut String, value: &str) {
    // Most values have no whitespace at all: nothing to trim or collapse, copied whole.
    // (A fold, not `any`: no early exit, so many bytes are tested at once.)
    if !value
        .bytes()
        .fold(false, |space, b| space | b.is_ascii_whitespace())
    {
        out.push_str(value);
        return;
    }
    for (i, word) in value.split_ascii_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// Orders header names as SigV4 does: by their ASCII-lowercase bytes.
fn cmp_lower(a: &str, b: &str) -> core::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// Appends `name` lowercased (ASCII) to `out`.
fn push_lower(out: &mut String, name: &str) {
    let start = out.len();
    out.push_str(name);
    out[start..].make_ascii_lowercase();
}

/// Sorts `headers` by lowercased name (stable: repeated names keep their order).
pub(crate) fn sort_headers(headers: &mut [(&str, &str)]) {
    headers.sort_by(|a, b| cmp_lower(a.0, b.0));
}

/// Appends the canonical headers block of `sorted` (see [`sort_headers`]) to `out`: `name:value\n`
/// per name, repeated names joined with `,`.
pub(crate) fn push_headers(out: &mut String, sorted: &[(&str, &str)]) {
    let mut i = 0;
    while i < sorted.len() {
        let name = sorted[i].0;
        push_lower(out, name);
        out.push(':');
        push_header_value(out, sorted[i].1);
        i += 1;
        while i < sorted.len() && sorted[i].0.eq_ignore_ascii_case(name) {
            out.push(',');
            push_header_value(out, sorted[i].1);
            i += 1;
        }
        out.push('\n');
    }
}

/// Appends the signed-headers list of `sorted` (see [`sort_headers`]) to `out`: `a;b;c`.
pub(crate) fn push_signed_headers(out: &mut String, sorted: &[(&str, &str)]) {
    for (i, (name, _)) in sorted.iter().enumerate() {
        if i > 0 && name.eq_ignore_ascii_case(sorted[i - 1].0) {
            continue;
        }
        if i > 0 {
            out.push(';');
        }
        push_lower(out, name);
    }
}

/// The canonical headers block (`name:value\n` per name, sorted, repeated names joined with `,`)
/// and the signed-headers list (`a;b;c`).
pub(crate) fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut sorted = headers.to_vec();
    sort_headers(&mut sorted);
    let size: usize = sorted.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut block = String::with_capacity(size);
    let mut signed = String::with_capacity(size);
    push_headers(&mut block, &sorted);
    push_signed_headers(&mut signed, &sorted);
    (block, signed)
}

/// The six-line canonical request.
pub(crate) fn canonical_request(
    method: &str,
    path: &str,
    query: &str,
    headers_block: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    let parts = [
        method,
        path,
        query,
        headers_block,
        signed_headers,
        payload_hash,
    ];
    let mut out = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(part);
    }
    out
}

/// Appends `date/region/service/aws4_request` to `out`.
pub(crate) fn push_scope(out: &mut String, date: &str, region: &str, service: &str) {
    for part in [date, "/", region, "/", service, "/aws4_request"] {
        out.push_str(part);
    }
}

/// Appends the string to sign of the canonical request whose SHA-256 is `hash` to `out`.
pub(crate) fn push_string_to_sign(
    out: &mut String,
    amz_date: &str,
    date: &str,
    region: &str,
    service: &str,
    hash: &[u8; 32],
) {
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(amz_date);
    out.push('\n');
    push_scope(out, date, region, service);
    out.push('\n');
    out.push_str(crate::profiles::crypto::Hex32::new(hash).as_str());
}

/// The derived signing key: HMAC chain over date, region, service and `aws4_request`, starting
/// from `"AWS4" + secret`.
pub(crate) fn signing_key(
    secret: &[u8],
    date: &str,
    region: &str,
    service: &str,
) -> zeroize::Zeroizing<[u8; 32]> {
    let mut first = zeroize::Zeroizing::new(Vec::with_capacity(4 + secret.len()));
    first.extend_from_slice(b"AWS4");
    first.extend_from_slice(secret);
    let k_date = zeroize::Zeroizing::new(hmac_sha256(&first, &[date.as_bytes()]));
    let k_region = zeroize::Zeroizing::new(hmac_sha256(&*k_date, &[region.as_bytes()]));
    let k_service = zeroize::Zeroizing::new(hmac_sha256(&*k_region, &[service.as_bytes()]));
    zeroize::Zeroizing::new(hmac_sha256(&*k_service, &[b"aws4_request"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_botocore() {
        assert_eq!(normalize_path(""), "/");
        assert_eq!(normalize_path("/example/.."), "/");
        assert_eq!(normalize_path("/example/../.."), "/");
        assert_eq!(normalize_path("//example//"), "/example/");
        assert_eq!(normalize_path("/./a/./b/../c"), "/a/c");
        assert_eq!(normalize_path("/a/b/"), "/a/b/");
    }

    #[test]
    fn s3_and_generic_paths_differ_only_where_they_should() {
        let generic = AwsSigV4Settings::default();
        let s3 = AwsSigV4Settings::s3();
        assert_eq!(canonical_path("/a%20b//c", &generic), "/a%2520b/c");
        assert_eq!(canonical_path("/a%20b//c", &s3), "/a%20b//c");
        assert_eq!(canonical_path("/a b/../c~", &s3), "/a%20b/../c~");
        assert_eq!(canonical_path("/a%7Eb%2f@", &s3), "/a%7Eb%2f%40");
        assert_eq!(canonical_path("", &s3), "/");
    }

    #[test]
    fn query_is_decoded_once_and_sorted() {
        let q = canonical_query(
            &[("b", "2"), ("a+", "x y"), ("a", "%7e"), ("a", "")],
            &[("X-Amz-Date", "1")],
        );
        assert_eq!(q, "X-Amz-Date=1&a=&a=~&a%2B=x%20y&b=2");
    }

    #[test]
    fn dot_segments_pop_encoded_segments() {
        let generic = AwsSigV4Settings::default();
        assert_eq!(canonical_path("/a b/c%2F d/../e", &generic), "/a%20b/e");
        assert_eq!(canonical_path("/a/../../b/./", &generic), "/b/");
        assert_eq!(canonical_path("/%7E/..", &generic), "/");
        assert_eq!(canonical_path("/ü/x/..", &generic), "/%C3%BC");
    }

    #[test]
    fn one_pair_is_encoded_as_in_the_sorted_path() {
        for (k, v) in [
            ("a", "1"),
            ("a+b", "x y"),
            ("%7e", "%2f/"),
            ("", ""),
            ("k", "é"),
        ] {
            let mut one = String::from("x");
            push_query(&mut one, [(k, v)], &[]);
            // The same pair through the general path (an extra pair sorts after it).
            let mut two = String::from("x");
            push_query(&mut two, [(k, v), ("~~", "")], &[]);
            assert_eq!(format!("{one}&~~="), two, "{k:?}={v:?}");
        }
        let mut empty = String::new();
        push_query(&mut empty, [], &[]);
        assert_eq!(empty, "");
        assert_eq!(canonical_query(&[], &[("X-Amz-Date", "1")]), "X-Amz-Date=1");
    }

    #[test]
    fn header_values_without_whitespace_are_copied_whole() {
        let mut out = String::new();
        for v in ["application/json", "", "a\tb", " a ", "a  b", "a\r\n b"] {
            out.clear();
            push_header_value(&mut out, v);
            let collapsed: Vec<&str> = v.split_ascii_whitespace().collect();
            assert_eq!(out, collapsed.join(" "), "{v:?}");
        }
    }

    #[test]
    fn query_pairs_without_values_and_empty_pieces() {
        let mut out = String::new();
        push_query(
            &mut out,
            crate::profiles::target::split_pairs_iter("&b&a=1=2&&=x"),
            &[],
        );
        assert_eq!(out, "=x&a=1%3D2&b=");
    }

    #[test]
    fn headers_sort_case_insensitively_and_keep_repeat_order() {
        let (block, signed) =
            canonical_headers(&[("X-B", "2"), ("x-a", "1"), ("x-b", "3"), ("X-A", " 0 ")]);
        assert_eq!(block, "x-a:1,0\nx-b:2,3\n");
        assert_eq!(signed, "x-a;x-b");
    }

    #[test]
    fn headers_merge_and_collapse() {
        let (block, signed) = canonical_headers(&[("B", " x   y "), ("a", "1"), ("b", "z\n  w")]);
        assert_eq!(block, "a:1\nb:x y,z w\n");
        assert_eq!(signed, "a;b");
    }
}
