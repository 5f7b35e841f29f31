//! The `sigwire-v1` canonical string (SPEC §3–§4): the exact bytes that are HMAC'd.

use std::borrow::Cow;

use crate::algorithm::Algorithm;
use crate::credentials::is_valid_key_id;
use crate::encoding::{
    all_in, is_canonical, is_canonical_or, normalize_into, Component, BASE64URL, FIELD_VALUE, TCHAR,
};
use crate::error::Error;
use crate::keyed_mac::MacStream;
use crate::request::Request;
use crate::url;

/// First line of every canonical string.
pub const SCHEME_LINE: &str = "sigwire-v1";

/// Maximum number of signed headers.
pub const MAX_SIGNED_HEADERS: usize = 32;

/// Maximum method length.
pub const MAX_METHOD_LEN: usize = 32;

/// Nonce length bounds (characters of base64url).
pub const NONCE_LEN: core::ops::RangeInclusive<usize> = 16..=128;

/// Everything besides the request that goes into the canonical string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningParams<'a> {
    /// The HMAC algorithm.
    pub algorithm: Algorithm,
    /// The key id (`apiKey`).
    pub key_id: &'a str,
    /// Unix seconds.
    pub timestamp: u64,
    /// The nonce (SPEC §2).
    pub nonce: &'a str,
}

/// The ordered, validated list of signed header names (SPEC §3.5): lowercase tokens,
/// `host` included, no repeats, never `authorization`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders<'a>(Names<'a>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Names<'a> {
    /// Built by a signer: `host` first.
    Listed(Vec<Cow<'a, str>>),
    /// A received `signedHeaders` value, checked: kept as the `;`-joined text it arrived as, so
    /// verifying allocates no list.
    Wire(&'a str),
}

impl<'a> SignedHeaders<'a> {
    /// The names a signer uses for `request`: `host`, then `content-type` when the body is
    /// non-empty and a `Content-Type` header is present, then `extra` (lowercased, in order,
    /// repeats dropped). Errors are `invalid_request`.
    pub fn for_request<S: AsRef<str>>(
        request: &Request<'_>,
        extra: &'a [S],
    ) -> Result<Self, Error> {
        let mut names: Vec<Cow<'a, str>> = Vec::with_capacity(2 + extra.len());
        names.push(Cow::Borrowed("host"));
        if request.has_body() && request.has_header("content-type") {
            names.push(Cow::Borrowed("content-type"));
        }
        for (i, name) in extra.iter().enumerate() {
            let name = name.as_ref();
            if !is_token(name) {
                return Err(Error::invalid_request(format!(
                    "signed header #{} of the signer's list is not a valid header name",
                    i + 1
                )));
            }
            let lower: Cow<'a, str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(name.to_ascii_lowercase())
            } else {
                Cow::Borrowed(name)
            };
            if lower == "authorization" {
                return Err(Error::invalid_request(
                    "the authorization header cannot be signed",
                ));
            }
            if !names.contains(&lower) {
                names.push(lower);
            }
        }
        if names.len() > MAX_SIGNED_HEADERS {
            return Err(Error::invalid_request(format!(
                "at most {MAX_SIGNED_HEADERS} headers can be signed"
            )));
        }
        Ok(SignedHeaders(Names::Listed(names)))
    }

    /// Parses the `signedHeaders` parameter of a received header (strict; errors are
    /// `malformed_authorization`), and checks it covers what `request` requires.
    ///
    /// Each name is checked in order (a token, lowercase, not `authorization`, not named
    /// before); repeats are looked for among the first [`MAX_SIGNED_HEADERS`] + 1 names only,
    /// since a longer list is refused anyway, so a 4 KiB header costs linear time.
    pub fn from_wire(value: &'a str, request: &Request<'_>) -> Result<Self, Error> {
        let (mut count, mut start) = (0usize, 0usize);
        let (mut host, mut content_type) = (false, false);
        for name in NameIter::Wire(Some(value)) {
            if !is_token(name) || name.bytes().any(|b| b.is_ascii_uppercase()) {
                return Err(Error::malformed(
                    "signedHeaders must be lowercase header names separated by ';'",
                ));
            }
            if name == "authorization" {
                return Err(Error::malformed(
                    "signedHeaders must not include authorization",
                ));
            }
            if count <= MAX_SIGNED_HEADERS
                && start > 0
                && NameIter::Wire(Some(&value[..start - 1])).any(|n| n == name)
            {
                return Err(Error::malformed("signedHeaders names a header twice"));
            }
            host |= name == "host";
            content_type |= name == "content-type";
            count += 1;
            start += name.len() + 1;
        }
        if count > MAX_SIGNED_HEADERS {
            return Err(Error::malformed(format!(
                "signedHeaders lists more than {MAX_SIGNED_HEADERS} names"
            )));
        }
        if !host {
            return Err(Error::malformed("signedHeaders must include host"));
        }
        if request.has_body() && request.has_header("content-type") && !content_type {
            return Err(Error::malformed(
                "signedHeaders must include content-type when the request has a body",
            ));
        }
        Ok(SignedHeaders(Names::Wire(value)))
    }

    /// The names in order.
    pub fn names(&self) -> NameIter<'_> {
        match &self.0 {
            Names::Listed(names) => NameIter::Listed(names.iter()),
            Names::Wire(joined) => NameIter::Wire(Some(joined)),
        }
    }

    /// The names joined with `;`, as on the wire and in the canonical string.
    pub fn joined(&self) -> String {
        let mut out = String::with_capacity(match &self.0 {
            Names::Listed(names) => names.iter().map(|n| n.len() + 1).sum(),
            Names::Wire(joined) => joined.len(),
        });
        self.push_joined(&mut out);
        out
    }

    /// Appends the names joined with `;` to `out`.
    fn push_joined(&self, out: &mut String) {
        match &self.0 {
            Names::Listed(names) => {
                for (i, name) in names.iter().enumerate() {
                    if i > 0 {
                        out.push(';');
                    }
                    out.push_str(name);
                }
            }
            Names::Wire(joined) => out.push_str(joined),
        }
    }
}

/// The names of a [`SignedHeaders`], in order.
pub enum NameIter<'s> {
    /// A signer's list.
    Listed(core::slice::Iter<'s, Cow<'s, str>>),
    /// The rest of a `;`-joined list (`str::split(';')`, with a word-at-a-time search).
    Wire(Option<&'s str>),
}

impl<'s> Iterator for NameIter<'s> {
    type Item = &'s str;

    fn next(&mut self) -> Option<&'s str> {
        match self {
            NameIter::Listed(names) => names.next().map(|n| n.as_ref()),
            NameIter::Wire(rest) => {
                let joined = rest.take()?;
                match crate::scan::split_once(joined, b';') {
                    Some((name, after)) => {
                        *rest = Some(after);
                        Some(name)
                    }
                    None => Some(joined),
                }
            }
        }
    }
}

/// Builds the canonical string for `request` (SPEC §4).
///
/// Errors are `invalid_request` (bad method, URL, header value, nonce, …).
pub fn canonical_string(
    params: &SigningParams<'_>,
    request: &Request<'_>,
    signed: &SignedHeaders<'_>,
) -> Result<String, Error> {
    canonical_string_streamed(params, request, signed, None)
}

/// [`canonical_string`], handing each complete block to `mac` (when given) as it fills, so the
/// HMAC's compression runs while the rest is built ([`MacStream`]); finish it over the returned
/// string. The signer's path.
pub(crate) fn canonical_string_streamed(
    params: &SigningParams<'_>,
    request: &Request<'_>,
    signed: &SignedHeaders<'_>,
    mac: Option<&mut MacStream<'_>>,
) -> Result<String, Error> {
    check_params(params)?;
    let mut out = String::new();
    canonical_into(&mut out, params, None, request, signed, mac)?;
    Ok(out)
}

/// The key id and nonce rules (SPEC §1, §2), as a signer must check them.
fn check_params(params: &SigningParams<'_>) -> Result<(), Error> {
    if !is_valid_key_id(params.key_id) {
        return Err(Error::new(
            crate::ErrorCode::InvalidKeyId,
            "key id breaks the key id rules",
        ));
    }
    check_nonce(params.nonce)
}

/// The canonical string (SPEC §4) into `out`, which is cleared first (a buffer the caller
/// reuses), for parameters already checked: by [`canonical_string_streamed`], or read by
/// [`super::authorization::parse`], which checked the key id and the nonce by the same rules
/// (refusing them as `malformed_authorization` first), so the verify path does not check them
/// twice. Two shortcuts for the hot paths:
///
/// - `timestamp_digits`: the timestamp as the header carried it (the verify path), which
///   [`parse_timestamp`] accepted, so it is already the canonical decimal; `None` formats
///   `params.timestamp`.
/// - `mac`: handed each complete block of the string as it fills ([`MacStream`]).
pub(crate) fn canonical_into(
    out: &mut String,
    params: &SigningParams<'_>,
    timestamp_digits: Option<&str>,
    request: &Request<'_>,
    signed: &SignedHeaders<'_>,
    mut mac: Option<&mut MacStream<'_>>,
) -> Result<(), Error> {
    let method = request.method();
    if method.len() > MAX_METHOD_LEN || !is_token(method) {
        return Err(Error::invalid_request(
            "method must be an HTTP token of at most 32 characters",
        ));
    }
    let values_len: usize = request
        .header_lines()
        .iter()
        .map(|(_, v)| v.len() + 32)
        .sum();
    out.clear();
    out.reserve(300 + 3 * request.url().len() + values_len);
    out.push_str(SCHEME_LINE);
    out.push('\n');
    out.push_str(params.algorithm.as_str());
    out.push('\n');
    out.push_str(params.key_id);
    out.push('\n');
    match timestamp_digits {
        Some(digits) => out.push_str(digits),
        None => push_u64(out, params.timestamp),
    }
    out.push('\n');
    out.push_str(params.nonce);
    out.push('\n');
    // The lines so far fill the first block (64 bytes) whenever the nonce is not tiny.
    if let Some(mac) = mac.as_deref_mut() {
        mac.absorb(out.as_bytes());
    }
    let url = url::split(request.url())?;
    // Methods are case-sensitive (RFC 9110 §9.1): `get` is not `GET` to Go, hyper or Java.
    out.push_str(method);
    out.push('\n');
    out.push_str(url.scheme);
    out.push('\n');
    if url.path.is_empty() {
        out.push('/');
    } else {
        normalize_into(out, url.path, Component::Path)?;
    }
    out.push('\n');
    push_query(out, url.query.unwrap_or(""))?;
    out.push('\n');
    signed.push_joined(out);
    out.push('\n');
    if let Some(mac) = mac.as_deref_mut() {
        mac.absorb(out.as_bytes());
    }
    for (i, name) in signed.names().enumerate() {
        out.push_str(name);
        out.push(':');
        if name == "host" {
            push_host(out, request, url.scheme, &url.host)?;
        } else {
            push_header_value(out, request, name, i + 1)?;
        }
        out.push('\n');
    }
    if let Some(mac) = mac {
        mac.absorb(out.as_bytes());
    }
    request.push_body_digest_hex(params.algorithm, out);
    Ok(())
}

/// Runs `f` with an empty `String` whose memory is reused by later calls on this thread: the
/// verifier's canonical string, which is built, MACed and dropped on every request, then costs
/// no allocation. A buffer grown past 4 KiB is not kept. (Canonical strings hold no secret.)
pub(crate) fn with_scratch<T>(f: impl FnOnce(&mut String) -> T) -> T {
    thread_local! {
        static SCRATCH: std::cell::Cell<String> = const { std::cell::Cell::new(String::new()) };
    }
    // `try_with`: during thread teardown the slot may be gone; a fresh String serves then.
    let mut buf = SCRATCH.try_with(std::cell::Cell::take).unwrap_or_default();
    buf.clear();
    let result = f(&mut buf);
    if buf.capacity() <= 4096 {
        let _ = SCRATCH.try_with(|slot| slot.set(buf));
    }
    result
}

/// Checks a nonce against SPEC §2 (`invalid_request` otherwise).
pub fn check_nonce(nonce: &str) -> Result<(), Error> {
    if NONCE_LEN.contains(&nonce.len()) && all_in(nonce, BASE64URL) {
        Ok(())
    } else {
        Err(Error::invalid_request(
            "nonce must be 16 to 128 characters of base64url (A-Z a-z 0-9 - _)",
        ))
    }
}

/// Parses a wire timestamp (SPEC §2): 1–12 decimal digits, no leading zero.
pub fn parse_timestamp(s: &str) -> Option<u64> {
    let bytes = s.as_bytes();
    if bytes.is_empty() || bytes.len() > 12 || (bytes[0] == b'0' && bytes.len() > 1) {
        return None;
    }
    // At most 12 digits: the sum cannot overflow a u64.
    bytes.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
    })
}

/// Largest timestamp that fits the 12-digit rule.
pub const MAX_TIMESTAMP: u64 = 999_999_999_999;

/// Whether `s` is a non-empty RFC 9110 token.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && all_in(s, TCHAR)
}

pub(crate) fn push_u64(out: &mut String, mut n: u64) {
    // Two digits per division (a timestamp is ten digits: five steps, not ten).
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839\
        4041424344454647484950515253545556575859\
        6061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899";
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while n >= 100 {
        let pair = usize::from((n % 100) as u8) * 2;
        n /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = usize::from(n as u8) * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&PAIRS[pair..pair + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + n as u8;
    }
    // Only ASCII digits were written, so this never fails.
    out.push_str(core::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn push_query(out: &mut String, raw: &str) -> Result<(), Error> {
    // SPEC §3.4: pieces keep the order they were sent in (frameworks take the first or the last
    // of repeated names, and PHP/qs read `a[]`/`a[0]` by position); only empty pieces are dropped.
    if query_is_canonical(raw) {
        // The common case (every byte emitted as itself, no empty piece): the query as sent.
        out.push_str(raw);
        return Ok(());
    }
    push_query_pieces(out, raw)
}

/// [`push_query`] piece by piece (any query; the fast path's result must equal this one's).
fn push_query_pieces(out: &mut String, raw: &str) -> Result<(), Error> {
    let mut first = true;
    for piece in raw.split('&').filter(|p| !p.is_empty()) {
        if !first {
            out.push('&');
        }
        first = false;
        match piece.split_once('=') {
            // Already canonical `name=value`: copy it.
            Some((name, value))
                if is_canonical(name, Component::Query)
                    && is_canonical(value, Component::Query) =>
            {
                out.push_str(piece);
            }
            Some((name, value)) => {
                normalize_into(out, name, Component::Query)?;
                out.push('=');
                normalize_into(out, value, Component::Query)?;
            }
            // `a` and `a=` differ (Rack reads nil and ""), so a bare name stays bare.
            None => normalize_into(out, piece, Component::Query)?,
        }
    }
    Ok(())
}

/// Whether [`push_query`] would emit `raw` unchanged: no empty piece (no leading, trailing or
/// doubled `&`) and every other byte emitted as itself in a query (`=` is one of them, so each
/// piece's name and value are canonical however it splits). One pass, no early exit, so the
/// compiler can vectorise the byte test.
fn query_is_canonical(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return true;
    };
    let doubled = bytes
        .iter()
        .zip(&bytes[1..])
        .fold(false, |seen, (&a, &b)| seen | ((a == b'&') & (b == b'&')));
    first != b'&' && last != b'&' && !doubled && is_canonical_or(raw, Component::Query, b'&')
}

fn push_host(
    out: &mut String,
    request: &Request<'_>,
    scheme: &str,
    url_host: &str,
) -> Result<(), Error> {
    let mut hosts = request.header_values("host");
    if let Some(given) = hosts.next() {
        if hosts.next().is_some() {
            return Err(Error::invalid_request(
                "the request has more than one Host header",
            ));
        }
        let given = url::canonical_authority(given.trim_matches([' ', '\t']), scheme)?;
        if given != url_host {
            return Err(Error::invalid_request(
                "the Host header does not match the URL's host",
            ));
        }
    }
    out.push_str(url_host);
    Ok(())
}

/// `position` is the header's 1-based place in the signed-headers list: messages name the place,
/// never the name, because a signer's list comes from configuration where a misplaced secret can land.
fn push_header_value(
    out: &mut String,
    request: &Request<'_>,
    name: &str,
    position: usize,
) -> Result<(), Error> {
    let mut found = false;
    for value in request.header_values(name) {
        if found {
            // Servers differ on a repeated field: Go's `Get`, Rust's `HeaderMap::get` and Java's
            // `getHeader` read the first line, others join them. Refuse rather than guess.
            return Err(Error::invalid_request(format!(
                "signed header #{position} occurs on more than one line; send it as one line"
            )));
        }
        found = true;
        let value = value.trim_matches([' ', '\t']);
        if !all_in(value, FIELD_VALUE) {
            return Err(Error::invalid_request(format!(
                "signed header #{position} has a control or non-ASCII character in its value"
            )));
        }
        out.push_str(value);
    }
    if found {
        Ok(())
    } else {
        Err(Error::invalid_request(format!(
            "signed header #{position} is missing from the request"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONCE: &str = "AAAAAAAAAAAAAAAAAAAAAA";

    fn canon(request: &Request<'_>) -> Result<String, Error> {
        let params = SigningParams {
            algorithm: Algorithm::HmacSha256,
            key_id: "key-1",
            timestamp: 1_700_000_000,
            nonce: NONCE,
        };
        let signed = SignedHeaders::for_request(request, &[] as &[&str])?;
        canonical_string(&params, request, &signed)
    }

    fn lines(s: &str) -> Vec<&str> {
        s.split('\n').collect()
    }

    #[test]
    fn full_layout() {
        let r = Request::new("POST", "https://API.example.com/v1/pay?b=2&a=1")
            .header("Content-Type", "application/json")
            .body(b"{}");
        let c = canon(&r).unwrap();
        assert_eq!(
            lines(&c),
            [
                "sigwire-v1",
                "hmac-sha256",
                "key-1",
                "1700000000",
                NONCE,
                "POST",
                "https",
                "/v1/pay",
                "b=2&a=1",
                "host;content-type",
                "host:api.example.com",
                "content-type:application/json",
                "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
            ]
        );
    }

    #[test]
    fn method_case_and_scheme_are_signed() {
        let l = |m: &str, url: &str| canon(&Request::new(m, url)).unwrap();
        assert_ne!(l("get", "https://h/"), l("GET", "https://h/"));
        assert_eq!(lines(&l("get", "https://h/"))[5], "get");
        assert_ne!(l("GET", "http://h/"), l("GET", "https://h/"));
        assert_eq!(lines(&l("GET", "HTTP://h/"))[6], "http");
    }

    #[test]
    fn query_rules() {
        let q = |url: &str| lines(&canon(&Request::new("GET", url)).unwrap())[8].to_owned();
        assert_eq!(q("https://h/?a"), "a");
        assert_eq!(q("https://h/?a="), "a=");
        assert_eq!(q("https://h/?a=2&a=1&a"), "a=2&a=1&a");
        assert_eq!(q("https://h/?role=user&role=admin"), "role=user&role=admin");
        assert_ne!(
            q("https://h/?role=user&role=admin"),
            q("https://h/?role=admin&role=user")
        );
        assert_eq!(q("https://h/?&&b=%7e&&"), "b=~");
        assert_eq!(q("https://h/?q=a+b c"), "q=a+b%20c");
        assert_eq!(q("https://h/?q=a%2bb"), "q=a%2Bb");
        assert_eq!(q("https://h/?x=1=2&y=1%3D2"), "x=1=2&y=1%3D2");
        assert_eq!(q("https://h/?a=1;b=2"), "a=1;b=2");
        assert_eq!(q("https://h/"), "");
    }

    #[test]
    fn query_fast_path_equals_piece_by_piece() {
        for raw in [
            "",
            "a",
            "a=",
            "=",
            "a=1&b=2",
            "&a",
            "a&",
            "a&&b",
            "&",
            "&&",
            "x=1=2",
            "a;b=c,d:e+f",
            "a%41",
            "a/b",
            "q=a b",
            "~-._",
            "A=Z&0=9",
            "a=%2b",
            "é=1",
        ] {
            let (mut fast, mut slow) = (String::new(), String::new());
            let fast_ok = push_query(&mut fast, raw).is_ok();
            let slow_ok = push_query_pieces(&mut slow, raw).is_ok();
            assert_eq!((fast_ok, &fast), (slow_ok, &slow), "{raw:?}");
        }
    }

    #[test]
    fn push_u64_writes_decimal() {
        for n in [
            0u64,
            7,
            9,
            10,
            99,
            100,
            101,
            1_700_000_000,
            MAX_TIMESTAMP,
            u64::MAX,
        ] {
            let mut s = String::from("x");
            push_u64(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
    }

    #[test]
    fn repeated_signed_header_is_refused() {
        let r = Request::new("GET", "https://h/")
            .header("X-Role", "user")
            .header("x-role", "admin");
        let signed = SignedHeaders::for_request(&r, &["x-role"]).unwrap();
        let params = SigningParams {
            algorithm: Algorithm::HmacSha256,
            key_id: "k",
            timestamp: 1,
            nonce: NONCE,
        };
        let err = canonical_string(&params, &r, &signed).unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::InvalidRequest);
        // A repeated header that is not signed is not examined.
        assert!(canon(&r).is_ok());
    }

    #[test]
    fn signing_errors_never_echo_header_names() {
        let secretish = "my-very-secret-signing-key-0001";
        let r = Request::new("GET", "https://h/")
            .header("x-a", "bad\r\nvalue")
            .header("x-b", "1")
            .header("x-b", "2");
        let params = SigningParams {
            algorithm: Algorithm::HmacSha256,
            key_id: "k",
            timestamp: 1,
            nonce: NONCE,
        };
        let bad_name = format!("{secretish} x");
        let errors = [
            SignedHeaders::for_request(&r, &[bad_name.as_str()]).unwrap_err(),
            canonical_string(
                &params,
                &r,
                &SignedHeaders::for_request(&r, &[secretish]).unwrap(),
            )
            .unwrap_err(),
            canonical_string(
                &params,
                &r,
                &SignedHeaders::for_request(&r, &["x-a"]).unwrap(),
            )
            .unwrap_err(),
            canonical_string(
                &params,
                &r,
                &SignedHeaders::for_request(&r, &["x-b"]).unwrap(),
            )
            .unwrap_err(),
        ];
        for e in errors {
            assert_eq!(e.code(), crate::ErrorCode::InvalidRequest);
            let shown = format!("{e} {e:?}");
            assert!(
                !shown.contains(secretish) && !shown.contains("x-a") && !shown.contains("x-b"),
                "{shown}"
            );
        }
    }

    #[test]
    fn raw_backslash_in_path_is_refused() {
        assert_eq!(
            canon(&Request::new("GET", "https://h/a\\b"))
                .unwrap_err()
                .code(),
            crate::ErrorCode::InvalidRequest
        );
        assert!(canon(&Request::new("GET", "https://h/a%5Cb?x=\\")).is_ok());
    }

    #[test]
    fn header_rules() {
        let r = Request::new("GET", "https://h/").header("X-Multi", " one,  two \t");
        let signed = SignedHeaders::for_request(&r, &["X-Multi"]).unwrap();
        let params = SigningParams {
            algorithm: Algorithm::HmacSha256,
            key_id: "k",
            timestamp: 1,
            nonce: NONCE,
        };
        let c = canonical_string(&params, &r, &signed).unwrap();
        assert!(
            c.contains("\nhost;x-multi\nhost:h\nx-multi:one,  two\n"),
            "{c}"
        );
    }

    #[test]
    fn host_header_must_match() {
        let ok = Request::new("GET", "https://h:443/").header("Host", "H");
        assert!(canon(&ok).is_ok());
        let bad = Request::new("GET", "https://h/").header("Host", "evil");
        assert_eq!(
            canon(&bad).unwrap_err().code(),
            crate::ErrorCode::InvalidRequest
        );
    }

    #[test]
    fn missing_signed_header_and_bad_values() {
        let r = Request::new("GET", "https://h/");
        let signed = SignedHeaders::for_request(&r, &["x-absent"]).unwrap();
        let params = SigningParams {
            algorithm: Algorithm::HmacSha256,
            key_id: "k",
            timestamp: 1,
            nonce: NONCE,
        };
        assert!(canonical_string(&params, &r, &signed).is_err());
        let r = Request::new("GET", "https://h/").header("x-a", "bad\r\nvalue");
        let signed = SignedHeaders::for_request(&r, &["x-a"]).unwrap();
        assert!(canonical_string(&params, &r, &signed).is_err());
        assert!(SignedHeaders::for_request(&r, &["Authorization"]).is_err());
        assert!(SignedHeaders::for_request(&r, &["bad name"]).is_err());
    }

    #[test]
    fn wire_signed_headers() {
        let r = Request::new("POST", "https://h/")
            .header("content-type", "text/plain")
            .body(b"x");
        assert!(SignedHeaders::from_wire("host;content-type", &r).is_ok());
        for bad in [
            "host",
            "content-type",
            "host;host;content-type",
            "Host;content-type",
            "host;;content-type",
            "",
        ] {
            assert!(SignedHeaders::from_wire(bad, &r).is_err(), "{bad}");
        }
    }

    #[test]
    fn wire_names_split_like_str_split() {
        for joined in [
            "host",
            "host;content-type",
            "",
            ";",
            "a;;b;",
            "x-a;x-b;x-c;x-d;x-e;x-f",
        ] {
            let ours: Vec<&str> = NameIter::Wire(Some(joined)).collect();
            assert_eq!(ours, joined.split(';').collect::<Vec<_>>(), "{joined:?}");
        }
        let r = Request::new("GET", "https://h/");
        let signed = SignedHeaders::from_wire("host;x-a", &r).unwrap();
        assert_eq!(signed.names().collect::<Vec<_>>(), ["host", "x-a"]);
        assert_eq!(signed.joined(), "host;x-a");
        // A repeat among the first 33 names is named as such; past 32 names the length is.
        let dup = SignedHeaders::from_wire("host;x-a;x-a", &r).unwrap_err();
        assert_eq!(dup.message(), "signedHeaders names a header twice");
        let many: Vec<String> = (0..40).map(|i| format!("x-{i}")).collect();
        let long = format!("host;{}", many.join(";"));
        let e = SignedHeaders::from_wire(&long, &r).unwrap_err();
        assert_eq!(e.message(), "signedHeaders lists more than 32 names");
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1700000000"), Some(1_700_000_000));
        assert_eq!(parse_timestamp("0"), Some(0));
        for bad in ["", "01", "-1", "1.0", "1234567890123", " 1"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn nonces() {
        assert!(check_nonce(NONCE).is_ok());
        for bad in [
            "short",
            "AAAAAAAAAAAAAAAAAAAAA=",
            "AAAAAAAAAAAAAAAA AAAAA",
            &"A".repeat(129),
        ] {
            assert!(check_nonce(bad).is_err(), "{bad}");
        }
    }
}
