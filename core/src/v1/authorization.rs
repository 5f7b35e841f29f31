//! The `Authorization: HMAC …` header of `sigwire-v1` (SPEC §5): formatting and strict parsing.

use crate::error::{Error, ErrorCode};

/// Largest accepted header value in bytes.
pub const MAX_HEADER_LEN: usize = 4096;

/// The authentication scheme token.
pub const AUTH_SCHEME: &str = "HMAC";

/// The six parameters of a `sigwire-v1` `Authorization` header, as received (not yet checked
/// against a key or the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization<'a> {
    /// `apiKey`: the key id.
    pub key_id: &'a str,
    /// `algorithm`: the wire name (may be unsupported; checked by the verifier).
    pub algorithm: &'a str,
    /// `timestamp`: Unix seconds.
    pub timestamp: u64,
    /// `nonce`.
    pub nonce: &'a str,
    /// `signedHeaders`: names joined by `;`.
    pub signed_headers: &'a str,
    /// `signature`: lowercase hex.
    pub signature: &'a str,
}

impl Authorization<'_> {
    /// Formats the header value exactly as SPEC §5 prescribes.
    pub fn to_header_value(&self) -> String {
        let parts: [(&str, &str); 5] = [
            (" apiKey=\"", self.key_id),
            ("\", algorithm=\"", self.algorithm),
            ("\", nonce=\"", self.nonce),
            ("\", signedHeaders=\"", self.signed_headers),
            ("\", signature=\"", self.signature),
        ];
        const TIMESTAMP: &str = "\", timestamp=\"";
        let len = AUTH_SCHEME.len()
            + TIMESTAMP.len()
            + 12
            + 1
            + parts.iter().map(|(a, b)| a.len() + b.len()).sum::<usize>();
        let mut out = String::with_capacity(len);
        out.push_str(AUTH_SCHEME);
        for (i, (label, value)) in parts.into_iter().enumerate() {
            if i == 2 {
                // SPEC §5 order: apiKey, algorithm, timestamp, nonce, signedHeaders, signature.
                out.push_str(TIMESTAMP);
                super::canonical::push_u64(&mut out, self.timestamp);
            }
            out.push_str(label);
            out.push_str(value);
        }
        out.push('"');
        out
    }
}

/// Whether `value` starts with the `HMAC` scheme token and a space, so this scheme should
/// handle it (RFC 9110 §11.4: `auth-scheme 1*SP …`).
pub(crate) fn claims(value: &str) -> bool {
    let v = value.trim_start_matches([' ', '\t']);
    v.len() > AUTH_SCHEME.len()
        && v.as_bytes()[..AUTH_SCHEME.len()].eq_ignore_ascii_case(AUTH_SCHEME.as_bytes())
        && v.as_bytes()[AUTH_SCHEME.len()] == b' '
}

/// Parses a header value strictly (SPEC §5.1). Every failure is `malformed_authorization`,
/// except that a well-formed header naming an unknown algorithm is left for the verifier.
///
/// The hot path of every verification, so it reads the header in few passes: one branch-free
/// pass for non-ASCII bytes and backslashes over the whole value, then the layout signers write
/// ([`signer_layout`]: fixed labels, each value ended by a word-at-a-time search for its closing
/// quote), and only for any other layout the general reading ([`parameters`]), whose errors name
/// the first problem from the left, as a byte-by-byte reading would.
pub(crate) fn parse(value: &str) -> Result<Authorization<'_>, Error> {
    parse_with_digits(value).map(|(auth, _)| auth)
}

/// [`parse`], also returning the timestamp as the header spelled it: the canonical decimal of
/// `timestamp` (1 to 12 digits, no leading zero), which the verifier copies into the canonical
/// string instead of formatting the number again.
pub(crate) fn parse_with_digits(value: &str) -> Result<(Authorization<'_>, &str), Error> {
    let value = value.trim_matches([' ', '\t']);
    if value.len() > MAX_HEADER_LEN {
        return Err(Error::malformed(format!(
            "Authorization header is longer than {MAX_HEADER_LEN} bytes"
        )));
    }
    let (high, backslash) = value
        .bytes()
        .fold((0u8, false), |(high, bs), b| (high | b, bs | (b == b'\\')));
    if high >= 0x80 {
        return Err(Error::malformed(
            "Authorization header contains non-ASCII bytes",
        ));
    }
    if !claims(value) {
        return Err(Error::malformed(
            "Authorization header must start with \"HMAC \"",
        ));
    }
    let rest = value[AUTH_SCHEME.len()..].trim_start_matches(' ');
    let layout = if backslash { None } else { signer_layout(rest) };
    let [key_id, algorithm, timestamp, nonce, signed_headers, signature] = match layout {
        Some(values) => values,
        None => parameters(rest, backslash)?,
    };
    if !crate::credentials::is_valid_key_id(key_id) {
        return Err(Error::malformed("apiKey breaks the key id rules"));
    }
    if !super::canonical::is_token(algorithm) {
        return Err(Error::malformed("algorithm must be a token"));
    }
    let digits = timestamp;
    let timestamp = super::canonical::parse_timestamp(timestamp).ok_or_else(|| {
        Error::malformed("timestamp must be 1 to 12 decimal digits without a leading zero")
    })?;
    super::canonical::check_nonce(nonce).map_err(|e| Error::malformed(e.message().to_owned()))?;
    if signature.is_empty() || !crate::hex::is_lower_hex(signature) {
        return Err(Error::malformed("signature must be lowercase hex"));
    }
    Ok((
        Authorization {
            key_id,
            algorithm,
            timestamp,
            nonce,
            signed_headers,
            signature,
        },
        digits,
    ))
}

/// The parameters in the layout every signer writes ([`Authorization::to_header_value`]):
/// `apiKey="…", algorithm="…", timestamp="…", nonce="…", signedHeaders="…", signature="…"`,
/// read without looking names up. `None` for any other layout, which [`parameters`] then reads
/// (it finds the same values in this one). The caller has checked there is no backslash.
fn signer_layout(rest: &str) -> Option<[&str; 6]> {
    const LABELS: [&str; 6] = [
        "apiKey=\"",
        "\", algorithm=\"",
        "\", timestamp=\"",
        "\", nonce=\"",
        "\", signedHeaders=\"",
        "\", signature=\"",
    ];
    let mut values = [""; 6];
    let mut at = rest;
    for (value, label) in values.iter_mut().zip(LABELS) {
        at = at.strip_prefix(label)?;
        let close = crate::scan::find_byte(at.as_bytes(), b'"')?;
        (*value, at) = at.split_at(close);
    }
    (at == "\"").then_some(values)
}

/// The six parameters in any order and spacing (SPEC §5.1): `name="value"` pairs separated by
/// OWS `,` OWS. `backslash`: whether `rest` holds one anywhere (then each value is checked).
fn parameters(rest: &str, backslash: bool) -> Result<[&str; 6], Error> {
    let mut slots: [Option<&str>; 6] = [None; 6];
    // name '=' '"' value '"' (OWS ',' OWS name …)*.
    let bytes = rest.as_bytes();
    let mut i = 0;
    loop {
        let Some(eq) = bytes[i..].iter().position(|&b| b == b'=') else {
            return Err(Error::malformed("expected name=\"value\""));
        };
        let name = &rest[i..i + eq];
        let Some(index) = NAMES.iter().position(|n| *n == name) else {
            return Err(Error::malformed(format!(
                "unknown parameter {}",
                quoted(name)
            )));
        };
        let value_start = i + eq + 2;
        if bytes.get(value_start - 1) != Some(&b'"') {
            return Err(Error::malformed(format!("value of {name} must be quoted")));
        }
        let tail = &bytes[value_start..];
        let close = crate::scan::find_byte(tail, b'"');
        // A backslash before the closing quote (or before the end, when there is none).
        if backslash && tail[..close.unwrap_or(tail.len())].contains(&b'\\') {
            return Err(Error::malformed(format!(
                "value of {name} must not contain a backslash"
            )));
        }
        let Some(close) = close else {
            return Err(Error::malformed(format!(
                "value of {name} has no closing quote"
            )));
        };
        i = value_start + close;
        if slots[index].replace(&rest[value_start..i]).is_some() {
            return Err(Error::malformed(format!(
                "parameter {name} appears more than once"
            )));
        }
        i += 1;
        i += skip_ows(&bytes[i..]);
        if i == bytes.len() {
            break;
        }
        if bytes[i] != b',' {
            return Err(Error::malformed("parameters must be separated by ','"));
        }
        i += 1;
        i += skip_ows(&bytes[i..]);
        if i == bytes.len() {
            return Err(Error::malformed("trailing ',' after the last parameter"));
        }
    }
    let [Some(key_id), Some(algorithm), Some(timestamp), Some(nonce), Some(signed_headers), Some(signature)] =
        slots
    else {
        let missing: Vec<&str> = NAMES
            .iter()
            .zip(slots)
            .filter(|(_, s)| s.is_none())
            .map(|(n, _)| *n)
            .collect();
        return Err(Error::malformed(format!(
            "missing parameter(s): {}",
            missing.join(", ")
        )));
    };
    Ok([
        key_id,
        algorithm,
        timestamp,
        nonce,
        signed_headers,
        signature,
    ])
}

/// The parameter names, in SPEC §5 order (the order of [`parse`]'s slots).
const NAMES: [&str; 6] = [
    "apiKey",
    "algorithm",
    "timestamp",
    "nonce",
    "signedHeaders",
    "signature",
];

/// How many spaces and tabs `bytes` starts with.
fn skip_ows(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| !matches!(b, b' ' | b'\t'))
        .unwrap_or(bytes.len())
}

/// A decoded MAC of up to 64 bytes, kept on the stack.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MacBytes {
    bytes: [u8; 64],
    len: usize,
}

impl MacBytes {
    /// The MAC bytes.
    pub(crate) fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// Checks that the signature's length fits `algorithm` (once the algorithm is known); [`parse`]
/// has checked it is lowercase hex. Decode it with [`decode_signature`] when it is compared.
pub(crate) fn check_signature_len(
    signature: &str,
    algorithm: crate::Algorithm,
) -> Result<(), Error> {
    if signature.len() == algorithm.mac_len() * 2 {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::MalformedAuthorization,
            format!(
                "signature must be {} lowercase hex characters for {algorithm}",
                algorithm.mac_len() * 2
            ),
        ))
    }
}

/// The signature's bytes, for a signature [`parse`] and [`check_signature_len`] accepted for
/// `algorithm` (`None` otherwise). Decoded where it is compared, so the parsed claim stays small
/// (it is moved between the parser and the checks; the decoded MAC is not).
pub(crate) fn decode_signature(signature: &str, algorithm: crate::Algorithm) -> Option<MacBytes> {
    let mut out = MacBytes {
        bytes: [0; 64],
        len: algorithm.mac_len(),
    };
    crate::hex::decode_lower_into(signature, &mut out.bytes[..out.len]).then_some(out)
}

/// The first 32 bytes of `name` quoted as `{:?}` would show them. [`parse`] has refused non-ASCII
/// bytes by then, so only ASCII is escaped here, which keeps `str`'s `Debug` (and the Unicode
/// tables it needs) out of the browser's WebAssembly module.
fn quoted(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(32) + 2);
    out.push('"');
    for &b in name.as_bytes().iter().take(32) {
        match b {
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\0' => out.push_str("\\0"),
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                // `\u{1f}`: lowercase hex without leading zeros.
                out.push_str("\\u{");
                for digit in [b >> 4, b & 0x0f].into_iter().skip(usize::from(b < 0x10)) {
                    out.push(char::from_digit(u32::from(digit), 16).unwrap_or('0'));
                }
                out.push('}');
            }
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"HMAC apiKey="k1", algorithm="hmac-sha256", timestamp="1700000000", nonce="AAAAAAAAAAAAAAAAAAAAAA", signedHeaders="host", signature="00ff""#;

    #[test]
    fn parses_and_round_trips() {
        let a = parse(GOOD).unwrap();
        assert_eq!(a.key_id, "k1");
        assert_eq!(a.timestamp, 1_700_000_000);
        assert_eq!(a.to_header_value(), GOOD);
    }

    #[test]
    fn signer_layout_agrees_with_the_general_reading() {
        let rest = GOOD.strip_prefix("HMAC ").unwrap();
        assert_eq!(signer_layout(rest), Some(parameters(rest, false).unwrap()));
        // Anything else is left to the general reading, which finds the same values.
        for other in [
            rest.replacen(", ", ",", 1),
            rest.replacen("\", ", "\",  ", 1),
            format!("{rest} "),
            rest.replacen("apiKey", "apikey", 1),
            rest.replacen("signature=\"00ff\"", "signature=\"00ff", 1),
        ] {
            assert_eq!(signer_layout(&other), None, "{other}");
        }
        assert_eq!(
            parse(&GOOD.replacen(", ", " ,\t", 2)).unwrap(),
            parse(GOOD).unwrap()
        );
    }

    #[test]
    fn any_order_and_spacing() {
        let v = r#"hmac   signature="00ff",apiKey="k1" ,	algorithm="hmac-sha256",timestamp="1",nonce="AAAAAAAAAAAAAAAAAAAAAA",signedHeaders="host""#;
        assert_eq!(parse(v).unwrap().signature, "00ff");
        // Only spaces may follow the scheme token.
        assert!(parse(&v.replacen("hmac   ", "hmac\t", 1)).is_err());
    }

    #[test]
    fn quoting_errors_name_the_first_problem() {
        let message = |v: &str| parse(v).unwrap_err().message().to_owned();
        // A backslash before the closing quote, or before the end when there is none.
        let with_backslash = GOOD.replace(r#"apiKey="k1""#, r#"apiKey="k\1""#);
        assert_eq!(
            message(&with_backslash),
            "value of apiKey must not contain a backslash"
        );
        let unclosed = r#"HMAC apiKey="k\1, algorithm="#;
        assert_eq!(
            message(unclosed),
            "value of apiKey must not contain a backslash"
        );
        assert_eq!(
            message(r#"HMAC apiKey="k1"#),
            "value of apiKey has no closing quote"
        );
        // A backslash after the closing quote belongs to the next (malformed) parameter.
        assert_eq!(
            message(r#"HMAC apiKey="k1", \x"#),
            "expected name=\"value\""
        );
        assert_eq!(message(r#"HMAC apiKey"#), "expected name=\"value\"");
    }

    #[test]
    fn unknown_parameters_are_quoted_as_debug_would() {
        for b in 0u8..0x80 {
            let name = format!("a{}b", char::from(b));
            assert_eq!(quoted(&name), format!("{name:?}"), "byte {b:#x}");
        }
        let long = "x".repeat(40);
        assert_eq!(quoted(&long), format!("{:?}", &long[..32]));
        let message = parse("HMAC api\u{1}Key=\"k1\"")
            .unwrap_err()
            .message()
            .to_owned();
        assert_eq!(message, r#"unknown parameter "api\u{1}Key""#);
    }

    #[test]
    fn rejects() {
        let cases = [
            GOOD.replace("apiKey=\"k1\", ", ""),
            GOOD.replace("nonce=", "apiKey=\"k2\", nonce="),
            GOOD.replace("HMAC ", "Bearer "),
            GOOD.replace("\"00ff\"", "\"00FF\""),
            GOOD.replace("\"00ff\"", "00ff"),
            format!("{GOOD},"),
            format!("{GOOD}, extra=\"1\""),
            GOOD.replace("k1", "k\\1"),
            GOOD.replace("k1", "kü"),
            GOOD.replace("1700000000", "01700000000"),
            format!("{GOOD}{}", " ".repeat(5000))
                .replace(", signature", &format!(",{} signature", " ".repeat(5000))),
            String::new(),
            "HMAC".to_owned(),
            "HMAC ".to_owned(),
        ];
        for c in cases {
            assert_eq!(
                parse(&c).unwrap_err().code(),
                ErrorCode::MalformedAuthorization,
                "{c}"
            );
        }
    }
}
