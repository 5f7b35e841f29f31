//! Query encoding: names and values percent-encoded byte by byte, RFC 3986 unreserved
//! (`A–Z a–z 0–9 - . _ ~`) kept, everything else `%XX` (space as `%20`, `+` as `%2B`), as
//! SPEC §3.3 canonicalises — unlike JavaScript's `encodeURIComponent`, which keeps `!'()*`.

/// Appends `name=value` pairs, encoded, to `query` (which may already hold a query, without `?`).
///
/// ```
/// let q = sigwire_client_core::query::append("a=1", [("q", "a b+c"), ("é", "~/!")]);
/// assert_eq!(q, "a=1&q=a%20b%2Bc&%C3%A9=~%2F%21");
/// ```
pub fn append<'a>(query: &str, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = query.to_owned();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, name);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

/// `text` percent-encoded as a query name or value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    encode_into(&mut out, text);
    out
}

fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreserved_only() {
        assert_eq!(encode("!'()*"), "%21%27%28%29%2A");
        assert_eq!(encode("AZaz09-._~"), "AZaz09-._~");
        assert_eq!(encode("a b+c=&"), "a%20b%2Bc%3D%26");
        assert_eq!(append("", [("k", "")]), "k=");
    }
}
