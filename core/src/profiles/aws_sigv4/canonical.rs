//! The canonical request, string to sign and signing key of SigV4, each a small pure function.

use crate::profiles::crypto::hmac_sha256;
use crate::profiles::percent;

use super::settings::{AwsSigV4Settings, PercentEncodingMode, UriPathNormalizationMode};

/// The signing algorithm name.
pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Removes `.` and `..` segments and empty segments, keeping a leading and a trailing `/`
/// (botocore's `normalize_url_path`, the aws-c-auth behaviour). An empty path becomes `/`.
pub(crate) fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_string();
    }
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = String::with_capacity(path.len());
    if path.starts_with('/') {
        s.push('/');
    }
    s.push_str(&out.join("/"));
    if path.ends_with('/') && !out.is_empty() {
        s.push('/');
    }
    s
}

/// The canonical URI of `path` under `settings` (see [`PercentEncodingMode`]).
pub(crate) fn canonical_path(path: &str, settings: &AwsSigV4Settings) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let normalized;
    let path = match settings.uri_path_normalization_mode {
        UriPathNormalizationMode::Enabled => {
            normalized = normalize_path(path);
            normalized.as_str()
        }
        UriPathNormalizationMode::Disabled => path,
    };
    match settings.percent_encoding_mode {
        PercentEncodingMode::Double => percent::encode(path.as_bytes(), b"/"),
        PercentEncodingMode::Single => percent::encode_keeping_escapes(path, b"/"),
    }
}

/// The canonical query string: every raw pair decoded once and re-encoded (RFC 3986 unreserved
/// kept), plus `extra` pairs (unencoded), sorted by encoded name then encoded value.
pub(crate) fn canonical_query(raw: &[(&str, &str)], extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(String, String)> = raw
        .iter()
        .map(|(k, v)| {
            (
                percent::encode(&percent::decode(k), b""),
                percent::encode(&percent::decode(v), b""),
            )
        })
        .chain(extra.iter().map(|(k, v)| {
            (
                percent::encode(k.as_bytes(), b""),
                percent::encode(v.as_bytes(), b""),
            )
        }))
        .collect();
    pairs.sort();
    let mut s = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            s.push('&');
        }
        s.push_str(k);
        s.push('=');
        s.push_str(v);
    }
    s
}

/// A header value as SigV4 signs it: trimmed, each run of whitespace (including folded line
/// breaks) collapsed to one space.
pub(crate) fn canonical_header_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    push_header_value(&mut out, value);
    out
}

/// Appends `value` as SigV4 signs it (see [`canonical_header_value`]) to `out`, in one pass.
fn push_header_value(out: &mut String, value: &str) {
    for (i, word) in value.split_ascii_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
}

/// The canonical headers block (`name:value\n` per name, sorted, repeated names joined with `,`)
/// and the signed-headers list (`a;b;c`).
pub(crate) fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut merged: Vec<(String, String)> = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        match merged
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some((_, v)) => {
                v.push(',');
                push_header_value(v, value);
            }
            None => merged.push((name.to_ascii_lowercase(), canonical_header_value(value))),
        }
    }
    merged.sort_by(|a, b| a.0.cmp(&b.0));
    let size: usize = merged.iter().map(|(n, v)| n.len() + v.len() + 2).sum();
    let mut block = String::with_capacity(size);
    let mut signed = String::with_capacity(size);
    for (i, (n, v)) in merged.iter().enumerate() {
        block.push_str(n);
        block.push(':');
        block.push_str(v);
        block.push('\n');
        if i > 0 {
            signed.push(';');
        }
        signed.push_str(n);
    }
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

/// `date/region/service/aws4_request`.
pub(crate) fn scope(date: &str, region: &str, service: &str) -> String {
    format!("{date}/{region}/{service}/aws4_request")
}

/// The string to sign of a canonical request.
pub(crate) fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    let hash = crate::profiles::crypto::sha256(&[canonical_request.as_bytes()]);
    let mut out = String::with_capacity(ALGORITHM.len() + amz_date.len() + scope.len() + 67);
    for part in [ALGORITHM, amz_date, scope] {
        out.push_str(part);
        out.push('\n');
    }
    crate::hex::encode_into(&hash, &mut out);
    out
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
    fn headers_merge_and_collapse() {
        let (block, signed) = canonical_headers(&[("B", " x   y "), ("a", "1"), ("b", "z\n  w")]);
        assert_eq!(block, "a:1\nb:x y,z w\n");
        assert_eq!(signed, "a;b");
    }
}
