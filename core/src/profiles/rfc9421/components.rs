//! Covered components (RFC 9421 §2) and the signature base (§2.5).

use core::fmt;

use crate::profiles::error::ProfileError;
use crate::profiles::percent;
use crate::profiles::target::{split_pairs, Target};

use super::sfv::{self, serialize_string, BareItem, Item};
use super::Message;

/// A component a signature covers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Component {
    /// `@method`: the request method.
    Method,
    /// `@authority`: host and non-default port, lowercase.
    Authority,
    /// `@scheme`: `http` or `https`.
    Scheme,
    /// `@target-uri`: the full request URI.
    TargetUri,
    /// `@request-target`: path and query as on the request line.
    RequestTarget,
    /// `@path`: the path (`/` when empty).
    Path,
    /// `@query`: `?` and the query (`?` alone when there is none).
    Query,
    /// `@query-param;name="…"`: one query parameter's value, re-encoded.
    QueryParam(String),
    /// `@status`: the response status code.
    Status,
    /// A header field, by lowercase name (e.g. `content-digest`).
    Header(String),
}

impl Component {
    /// Parses an identifier as the bindings and settings write it: a derived component
    /// (`@method`, `@path`, …), a lowercase header field name (`content-type`), or
    /// `@query-param;name="x"` — the name optionally quoted as in `Signature-Input`
    /// (`"@query-param";name="x"`), the parameter an RFC 9651 string.
    ///
    /// ```
    /// use sigwire_core::profiles::rfc9421::Component;
    /// assert_eq!(
    ///     Component::parse(r#"@query-param;name="Pet""#).unwrap(),
    ///     Component::QueryParam("Pet".into())
    /// );
    /// assert_eq!(Component::parse("@method").unwrap(), Component::Method);
    /// assert!(Component::parse("@query-param").is_err());
    /// ```
    pub fn parse(id: &str) -> Result<Component, ProfileError> {
        if id.starts_with('"') {
            return Component::from_item(&sfv::parse_item(id)?);
        }
        match id.find(';') {
            Some(i) => Component::from_parts(&id[..i], &sfv::parse_params(&id[i..])?),
            None => Component::from_parts(id, &[]),
        }
    }

    /// The component identifier as an RFC 9651 item (name and parameters).
    pub(crate) fn to_item(&self) -> Item {
        let (name, params) = match self {
            Component::QueryParam(n) => (
                "@query-param",
                vec![("name".to_string(), BareItem::String(n.clone()))],
            ),
            other => (other.name(), vec![]),
        };
        Item {
            value: BareItem::String(name.to_string()),
            params,
        }
    }

    /// The identifier's name without parameters (`@query-param` for every query parameter).
    fn name(&self) -> &str {
        match self {
            Component::Method => "@method",
            Component::Authority => "@authority",
            Component::Scheme => "@scheme",
            Component::TargetUri => "@target-uri",
            Component::RequestTarget => "@request-target",
            Component::Path => "@path",
            Component::Query => "@query",
            Component::Status => "@status",
            Component::QueryParam(_) => "@query-param",
            Component::Header(h) => h.as_str(),
        }
    }

    /// The component named by a parsed `Signature-Input` item.
    pub(crate) fn from_item(item: &Item) -> Result<Component, ProfileError> {
        let BareItem::String(name) = &item.value else {
            return Err(ProfileError::malformed(
                "covered components must be strings",
            ));
        };
        Component::from_parts(name, &item.params)
    }

    /// The component for a name and its parameters.
    fn from_parts(name: &str, params: &[(String, BareItem)]) -> Result<Component, ProfileError> {
        if name == "@query-param" {
            return match params {
                [(k, BareItem::String(v))] if k == "name" => Ok(Component::QueryParam(v.clone())),
                _ => Err(ProfileError::malformed(
                    "@query-param needs exactly a name parameter: @query-param;name=\"x\"",
                )),
            };
        }
        if !params.is_empty() {
            return Err(ProfileError::malformed(format!(
                "component parameters (sf, key, bs, req, tr) on {name} are not supported"
            )));
        }
        Ok(match name {
            "@method" => Component::Method,
            "@authority" => Component::Authority,
            "@scheme" => Component::Scheme,
            "@target-uri" => Component::TargetUri,
            "@request-target" => Component::RequestTarget,
            "@path" => Component::Path,
            "@query" => Component::Query,
            "@status" => Component::Status,
            s if s.starts_with('@') => {
                return Err(ProfileError::malformed(format!(
                    "derived component {s} is not supported"
                )))
            }
            s if !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase() && b != b'"') =>
            {
                Component::Header(s.to_string())
            }
            _ => {
                return Err(ProfileError::malformed(
                    "component names must be lowercase field names",
                ))
            }
        })
    }
}

/// The identifier [`Component::parse`] reads back: `@method`, `content-type`,
/// `@query-param;name="x"` (`"` and `\` in the name escaped).
impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        if let Component::QueryParam(n) = self {
            f.write_str(";name=\"")?;
            for c in n.chars() {
                if c == '"' || c == '\\' {
                    f.write_str("\\")?;
                }
                write!(f, "{c}")?;
            }
            f.write_str("\"")?;
        }
        Ok(())
    }
}

/// `application/x-www-form-urlencoded` percent-encoding as RFC 9421 §2.2.8 requires (WHATWG
/// set: ASCII alphanumerics and `*-._` kept, space as `%20`).
fn form_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'*' | b'-' | b'.' | b'_') {
            s.push(char::from(b));
        } else {
            s.push_str(&percent::encode(&[b], b""));
        }
    }
    s
}

fn form_decode(s: &str) -> Vec<u8> {
    percent::decode(&s.replace('+', " "))
}

/// The value of a header component: every line with that name, trimmed, joined with `, `;
/// obsolete line folding becomes a space. `Ok(None)` when absent.
pub(crate) fn header_value(lines: &[(&str, &str)], name: &str) -> Option<String> {
    let values: Vec<String> = lines
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| {
            let v = v.trim_matches(|c: char| c == ' ' || c == '\t');
            if v.contains('\n') || v.contains('\r') {
                v.split(['\r', '\n'])
                    .map(|p| p.trim_matches(|c: char| c == ' ' || c == '\t'))
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                v.to_string()
            }
        })
        .collect();
    if values.is_empty() {
        None
    } else {
        Some(values.join(", "))
    }
}

/// The value of `component` in `message`; `extra` holds header lines about to be set (the
/// signer's own `Content-Digest`).
pub(crate) fn value(
    component: &Component,
    message: &Message<'_>,
    extra: &[(&str, &str)],
) -> Result<String, ProfileError> {
    let request_only =
        |what: &str| ProfileError::invalid_request(format!("{what} applies to requests only"));
    let target = match message {
        Message::Request(r) => Some(Target::parse(r.url())?),
        Message::Response(_) => None,
    };
    Ok(match component {
        Component::Method => match message {
            Message::Request(r) => r.method().to_string(),
            Message::Response(_) => return Err(request_only("@method")),
        },
        Component::Authority => target
            .ok_or_else(|| request_only("@authority"))?
            .host()
            .into_owned(),
        Component::Scheme => target
            .ok_or_else(|| request_only("@scheme"))?
            .scheme
            .to_string(),
        Component::TargetUri => {
            let t = target.ok_or_else(|| request_only("@target-uri"))?;
            let mut s = format!(
                "{}://{}{}",
                t.scheme,
                t.authority,
                if t.path.is_empty() { "/" } else { t.path }
            );
            if let Some(q) = t.query {
                s.push('?');
                s.push_str(q);
            }
            s
        }
        Component::RequestTarget => {
            let t = target.ok_or_else(|| request_only("@request-target"))?;
            let mut s = if t.path.is_empty() {
                "/".to_string()
            } else {
                t.path.to_string()
            };
            if let Some(q) = t.query {
                s.push('?');
                s.push_str(q);
            }
            s
        }
        Component::Path => {
            let t = target.ok_or_else(|| request_only("@path"))?;
            if t.path.is_empty() {
                "/".to_string()
            } else {
                t.path.to_string()
            }
        }
        Component::Query => format!(
            "?{}",
            target
                .ok_or_else(|| request_only("@query"))?
                .query
                .unwrap_or("")
        ),
        Component::QueryParam(name) => {
            let t = target.ok_or_else(|| request_only("@query-param"))?;
            let wanted = form_decode(name);
            let mut found = split_pairs(t.query.unwrap_or(""))
                .into_iter()
                .filter(|(k, _)| form_decode(k) == wanted);
            let first = found.next().ok_or_else(|| {
                ProfileError::invalid_request(format!("query parameter {name} is absent"))
            })?;
            if found.next().is_some() {
                return Err(ProfileError::invalid_request(format!(
                    "query parameter {name} is repeated; it cannot be covered"
                )));
            }
            form_encode(&form_decode(first.1))
        }
        Component::Status => match message {
            Message::Response(r) => format!("{:03}", r.status()),
            Message::Request(_) => {
                return Err(ProfileError::invalid_request(
                    "@status applies to responses only",
                ))
            }
        },
        Component::Header(name) => {
            let lines = match message {
                Message::Request(r) => r.header_lines(),
                Message::Response(r) => r.header_lines(),
            };
            let from_extra: Vec<(&str, &str)> = extra.to_vec();
            header_value(&from_extra, name)
                .or_else(|| header_value(lines, name))
                .ok_or_else(|| {
                    ProfileError::invalid_request(format!("covered header {name} is absent"))
                })?
        }
    })
}

/// The signature base (§2.5): one `"id": value` line per component, then `"@signature-params"`.
pub(crate) fn signature_base(
    components: &[Component],
    message: &Message<'_>,
    extra: &[(&str, &str)],
    signature_params: &str,
) -> Result<String, ProfileError> {
    let mut base = String::new();
    for c in components {
        let item = c.to_item();
        let BareItem::String(name) = &item.value else {
            continue;
        };
        serialize_string(name, &mut base)?;
        super::sfv::serialize_params(&item.params, &mut base)?;
        base.push_str(": ");
        let v = value(c, message, extra)?;
        if v.bytes().any(|b| b == b'\n' || b == b'\r') {
            return Err(ProfileError::invalid_request(
                "a component value contains a line break",
            ));
        }
        base.push_str(&v);
        base.push('\n');
    }
    base.push_str("\"@signature-params\": ");
    base.push_str(signature_params);
    Ok(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_param_in_both_spellings() {
        let want = Component::QueryParam("b%20c".into());
        assert_eq!(
            Component::parse(r#"@query-param;name="b%20c""#).unwrap(),
            want
        );
        assert_eq!(
            Component::parse(r#""@query-param";name="b%20c""#).unwrap(),
            want
        );
        assert_eq!(
            Component::parse(r#"@query-param;name="a\"b""#).unwrap(),
            Component::QueryParam("a\"b".into())
        );
    }

    #[test]
    fn display_reads_back_through_parse() {
        for c in [
            Component::Method,
            Component::TargetUri,
            Component::Status,
            Component::Header("content-digest".into()),
            Component::QueryParam("Pet".into()),
            Component::QueryParam(r#"q"\x"#.into()),
            Component::QueryParam(String::new()),
        ] {
            assert_eq!(Component::parse(&c.to_string()).unwrap(), c, "{c}");
        }
        assert_eq!(
            Component::QueryParam("Pet".into()).to_string(),
            r#"@query-param;name="Pet""#
        );
    }

    #[test]
    fn refuses_malformed_query_param_identifiers() {
        for bad in [
            "@query-param",
            "@query-param;name=x",
            "@query-param;name=\"x",
            "@query-param;name=\"x\";extra=1",
            "@query-param;key=\"x\"",
            "@query-param;name=\"x\" trailing",
            "\"@query-param\";name=\"x\" trailing",
            "@method;sf",
            "content-type;bs",
            "\"unterminated",
        ] {
            let err = Component::parse(bad).unwrap_err();
            assert_eq!(
                err.code(),
                crate::profiles::ProfileErrorCode::MalformedSignature,
                "{bad}"
            );
        }
    }
}
