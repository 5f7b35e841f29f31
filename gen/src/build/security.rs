//! `x-sigwire` on security schemes, security requirements → [`Signing`], and
//! `x-sigwire-pagination` → [`Pagination`] (both specified in docs/x-sigwire.md).

use serde_json::Value;

use super::{escape, Builder};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{PageStyle, Pagination, Signing, SigningScheme};

/// The signing profiles this generator knows.
pub const PROFILES: &[&str] = &["sigwire-v1"];
/// The algorithms of `sigwire-v1`.
pub const ALGORITHMS: &[&str] = &["hmac-sha256", "hmac-sha512"];

impl Builder<'_> {
    /// Reads every security scheme carrying `x-sigwire`.
    pub(crate) fn security_schemes(&mut self) -> Result<()> {
        let Some(schemes) = self.src.doc().pointer("/components/securitySchemes").and_then(Value::as_object) else {
            return Ok(());
        };
        for (name, scheme) in schemes {
            let at = format!("/components/securitySchemes/{}", escape(name));
            let scheme = match scheme.get("$ref").and_then(Value::as_str) {
                Some(r) => self.src.lookup(&self.src.root, r).map_err(|e| e.at(at.clone()))?.value,
                None => scheme,
            };
            let Some(ext) = scheme.get("x-sigwire") else {
                continue;
            };
            let at = format!("{at}/x-sigwire");
            let Some(ext) = ext.as_object() else {
                return Err(Error::new(ErrorKind::Invalid, "`x-sigwire` must be an object").at(at));
            };
            for key in ext.keys() {
                if !["scheme", "algorithm", "signedHeaders"].contains(&key.as_str()) && !key.starts_with("x-") {
                    self.degrade(&format!("{at}/{}", escape(key)), "unknown x-sigwire field: ignored");
                }
            }
            let profile = ext.get("scheme").and_then(Value::as_str).unwrap_or("");
            if !PROFILES.contains(&profile) {
                return Err(Error::new(
                    ErrorKind::Invalid,
                    format!("unknown signing scheme `{profile}` (known: {})", PROFILES.join(", ")),
                )
                .at(format!("{at}/scheme")));
            }
            let algorithm = match ext.get("algorithm") {
                None => "hmac-sha256",
                Some(Value::String(a)) if ALGORITHMS.contains(&a.as_str()) => a.as_str(),
                Some(other) => {
                    return Err(Error::new(
                        ErrorKind::Invalid,
                        format!("unknown algorithm {other} for sigwire-v1 (known: {})", ALGORITHMS.join(", ")),
                    )
                    .at(format!("{at}/algorithm")))
                }
            };
            let mut signed_headers = Vec::new();
            match ext.get("signedHeaders") {
                None => {}
                Some(Value::Array(items)) => {
                    for (i, h) in items.iter().enumerate() {
                        match h.as_str() {
                            Some(h) if is_token(h) => signed_headers.push(h.to_ascii_lowercase()),
                            _ => {
                                return Err(Error::new(
                                    ErrorKind::Invalid,
                                    "signedHeaders entries must be header names",
                                )
                                .at(format!("{at}/signedHeaders/{i}")))
                            }
                        }
                    }
                }
                Some(_) => {
                    return Err(Error::new(ErrorKind::Invalid, "`signedHeaders` must be an array of header names")
                        .at(format!("{at}/signedHeaders")))
                }
            }
            self.api.signing_schemes.push(SigningScheme {
                name: name.clone(),
                scheme: profile.to_owned(),
                algorithm: algorithm.to_owned(),
                signed_headers,
            });
        }
        Ok(())
    }

    /// The signing of an operation: its own `security`, else the document's.
    pub(crate) fn signing(&mut self, op: &Value, pointer: &str) -> Signing {
        let (requirements, at) = match op.get("security") {
            Some(s) => (Some(s), format!("{pointer}/security")),
            None => (self.src.doc().get("security"), "/security".to_owned()),
        };
        let Some(Value::Array(reqs)) = requirements else {
            return Signing::Unsigned;
        };
        if reqs.is_empty() {
            return Signing::Unsigned;
        }
        let mut others = Vec::new();
        for req in reqs {
            let Some(req) = req.as_object() else { continue };
            if req.is_empty() {
                // `{}`: authentication is optional; prefer a signing alternative if listed.
                continue;
            }
            for name in req.keys() {
                if let Some(i) = self.api.signing_schemes.iter().position(|s| &s.name == name) {
                    return Signing::Signed(i);
                }
                others.push(name.clone());
            }
        }
        if !others.is_empty() {
            self.degrade(
                &at,
                &format!("security scheme(s) {} carry no x-sigwire: requests are sent unsigned", others.join(", ")),
            );
        }
        Signing::Unsigned
    }

    /// Reads `x-sigwire-pagination` of an operation.
    pub(crate) fn pagination(
        &mut self,
        op: &Value,
        pointer: &str,
        query: &[String],
    ) -> Result<Option<(PageStyle, Vec<String>)>> {
        let Some(p) = op.get("x-sigwire-pagination") else {
            return Ok(None);
        };
        let at = format!("{pointer}/x-sigwire-pagination");
        let err = |m: &str, k: &str| Error::new(ErrorKind::Invalid, m.to_owned()).at(format!("{at}{k}"));
        let Some(p) = p.as_object() else {
            return Err(err("`x-sigwire-pagination` must be an object", ""));
        };
        let path = |key: &str| -> Option<Vec<String>> {
            p.get(key)
                .and_then(Value::as_str)
                .map(|s| s.split('.').filter(|x| !x.is_empty()).map(str::to_owned).collect())
        };
        let param = |key: &str| -> Result<String> {
            let Some(name) = p.get(key).and_then(Value::as_str) else {
                return Err(err(&format!("`{key}` (a query parameter name) is required for this style"), ""));
            };
            if !query.iter().any(|q| q == name) {
                return Err(err(
                    &format!("`{key}: {name}` is not a query parameter of the operation"),
                    &format!("/{key}"),
                ));
            }
            Ok(name.to_owned())
        };
        let items = path("items").unwrap_or_default();
        let style = match p.get("style").and_then(Value::as_str).unwrap_or("") {
            "cursor" => PageStyle::Cursor {
                param: param("cursorParam")?,
                next: path("nextCursor")
                    .ok_or_else(|| err("`nextCursor` (the response field with the next cursor) is required", ""))?,
            },
            "offset" => PageStyle::Offset {
                param: param("offsetParam")?,
                limit: if p.contains_key("limitParam") { Some(param("limitParam")?) } else { None },
            },
            "page" => PageStyle::Page {
                param: param("pageParam")?,
                start: p.get("start").and_then(Value::as_i64).unwrap_or(1),
            },
            "next-link" => PageStyle::NextLink { next: path("nextLink").unwrap_or_default() },
            other => {
                return Err(err(
                    &format!("unknown pagination style `{other}` (cursor, offset, page, next-link)"),
                    "/style",
                ))
            }
        };
        Ok(Some((style, items)))
    }
}

/// Whether `s` is an HTTP header name (RFC 9110 token).
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Wraps pagination of an operation with its item type.
pub(crate) fn page(style: PageStyle, items: Vec<String>, item_ty: crate::ir::TypeRef) -> Pagination {
    Pagination { style, items, item_ty }
}
