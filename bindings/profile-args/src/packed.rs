//! What the JavaScript bindings (Node and browser) exchange with their one JavaScript source
//! (`sdk-node/lib/common/profiles.js`, `unpack`): flat string lists, one crossing instead of an
//! object per field.

use std::borrow::Cow;

use sigwire_core::profiles::{Param, ProfileError, ProfileErrorCode, SigningInstructions};

/// Stage strings in a packed result: the AWS canonical request and string to sign, the RFC 9421
/// signature base (empty where the scheme has none).
pub const STAGES: usize = 3;

fn push_params(out: &mut Vec<String>, params: &[Param]) {
    for p in params {
        out.push(p.name().to_owned());
        out.push(p.value().to_owned());
        out.push(if p.sensitive() { "1" } else { "0" }.to_owned());
    }
}

/// A signed request (or response) as one flat list:
///
/// `[url, canonicalRequest, stringToSign, signatureBase, L, H, Q, …2L header line strings (name,
/// value), …3H header params, …3Q query params]`
///
/// where `L`, `H`, `Q` are decimal counts and a param is `name, value, "1"|"0"` (sensitive).
/// `url` is the signed URL (`instructions` applied to `url`), the header lines `lines` with the
/// instructions applied.
pub fn packed(
    instructions: &SigningInstructions,
    url: &str,
    lines: &[(&str, &str)],
    stages: [&str; STAGES],
) -> Vec<String> {
    let owned: Vec<(String, String)> = lines
        .iter()
        .map(|&(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let lines = instructions.apply_to_headers(&owned);
    let (h, q) = (instructions.headers(), instructions.query_params());
    let mut out = Vec::with_capacity(4 + STAGES + 2 * lines.len() + 3 * (h.len() + q.len()));
    out.push(instructions.apply_to_url(url));
    out.extend(stages.iter().map(|&s| s.to_owned()));
    out.push(lines.len().to_string());
    out.push(h.len().to_string());
    out.push(q.len().to_string());
    for (n, v) in lines {
        out.push(n);
        out.push(v);
    }
    push_params(&mut out, h);
    push_params(&mut out, q);
    out
}

/// What a caller sends, the fast path of the JavaScript bindings (no stages, no param lists; a
/// caller who reads those gets them from [`packed`] by signing again at the same time, which
/// gives the same bytes): `[url, …2L header line strings (name, value)]`, borrowed.
///
/// `url` is the signed URL (borrowed when the instructions add no query parameter), the header
/// lines `lines` with the instructions applied by the rule of
/// [`SigningInstructions::apply_to_headers`]: a line named like an instruction header (ASCII
/// case-insensitive) is dropped, the instruction headers follow in order.
pub fn sent<'a>(
    instructions: &'a SigningInstructions,
    url: &'a str,
    lines: &'a [(&'a str, &'a str)],
) -> (Cow<'a, str>, Vec<&'a str>) {
    let url = if instructions.query_params().is_empty() {
        Cow::Borrowed(url)
    } else {
        Cow::Owned(instructions.apply_to_url(url))
    };
    let h = instructions.headers();
    let mut fields = Vec::with_capacity(2 * (lines.len() + h.len()));
    for &(n, v) in lines {
        if !h.iter().any(|p| p.name().eq_ignore_ascii_case(n)) {
            fields.push(n);
            fields.push(v);
        }
    }
    for p in h {
        fields.push(p.name());
        fields.push(p.value());
    }
    (url, fields)
}

/// `[name, value, …]` as borrowed pairs; an odd count is `invalid_request`.
pub fn pairs<S: AsRef<str>>(flat: &[S]) -> Result<Vec<(&str, &str)>, ProfileError> {
    if flat.len() % 2 == 1 {
        return Err(ProfileError::new(
            ProfileErrorCode::InvalidRequest,
            "headers must be name/value pairs",
        ));
    }
    Ok(flat
        .chunks_exact(2)
        .filter_map(|p| match p {
            [n, v] => Some((n.as_ref(), v.as_ref())),
            _ => None,
        })
        .collect())
}

/// Every profile machine code with its HTTP status, flat `[code, status, …]`.
pub fn error_codes() -> Vec<String> {
    ProfileErrorCode::ALL
        .iter()
        .flat_map(|c| [c.as_str().to_owned(), c.http_status().to_string()])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sigwire_core::profiles::webhooks::{github, WebhookSecret};

    #[test]
    fn layout() {
        let Ok(secret) = WebhookSecret::new(b"k".to_vec()) else {
            panic!("a valid secret");
        };
        let ins = github::sign(&secret, b"");
        let p = packed(&ins, "https://h/", &[("A", "1")], ["", "", "base"]);
        assert_eq!(
            p.get(..7).map(<[String]>::to_vec),
            Some(
                ["https://h/", "", "", "base", "2", "1", "0"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(p.get(7..9), Some(&["A".to_owned(), "1".to_owned()][..]));
        assert_eq!(p.get(9).map(String::as_str), Some("X-Hub-Signature-256"));
        assert_eq!(p.len(), 7 + 4 + 3);
    }

    #[test]
    fn sent_is_the_packed_url_and_lines() {
        let Ok(secret) = WebhookSecret::new(b"k".to_vec()) else {
            panic!("a valid secret");
        };
        let ins = github::sign(&secret, b"");
        // A caller's line named like an instruction header (any case) is replaced, as in `packed`.
        let lines = [("A", "1"), ("x-hub-signature-256", "old"), ("B", "2")];
        let full = packed(&ins, "https://h/?q", &lines, ["", "", ""]);
        let (url, fields) = sent(&ins, "https://h/?q", &lines);
        assert_eq!(url, full[0]);
        assert_eq!(fields.len(), 2 * 3);
        assert_eq!(fields[..], full[7..7 + fields.len()]);
        assert_eq!(fields[..4], ["A", "1", "B", "2"]);
    }

    #[test]
    fn pairs_and_codes() {
        assert_eq!(pairs(&["a", "1"]).ok(), Some(vec![("a", "1")]));
        assert!(pairs(&["a"]).is_err());
        let codes = error_codes();
        assert_eq!(codes.len(), 2 * ProfileErrorCode::ALL.len());
        assert!(codes.chunks(2).any(|c| c == ["invalid_request", "400"]));
    }
}
