//! The slice of RFC 9651 (Structured Field Values) that HTTP Message Signatures use: dictionaries
//! whose members are inner lists of strings or byte sequences, with parameters.

use crate::profiles::crypto::{b64, b64_decode};
use crate::profiles::error::ProfileError;

/// A bare item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BareItem {
    /// `"…"` (printable ASCII; `\` and `"` escaped).
    String(String),
    /// A decimal integer (at most 15 digits).
    Integer(i64),
    /// A token (`alg`-style bare word).
    Token(String),
    /// `?1` / `?0`.
    Boolean(bool),
    /// `:base64:`.
    Bytes(Vec<u8>),
}

/// Parameters in order: `;name=value`.
pub type Params = Vec<(String, BareItem)>;

/// An item with parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The bare item.
    pub value: BareItem,
    /// Its parameters.
    pub params: Params,
}

/// A dictionary member: an item or an inner list, each with parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Member {
    /// A single item.
    Item(Item),
    /// `(a b c);params`.
    InnerList(Vec<Item>, Params),
}

fn bad(what: &str) -> ProfileError {
    ProfileError::malformed(format!("structured field: {what}"))
}

/// Serialises a string item; `None` if it holds a byte outside printable ASCII.
pub fn serialize_string(s: &str, out: &mut String) -> Result<(), ProfileError> {
    out.push('"');
    for c in s.bytes() {
        if !(0x20..=0x7e).contains(&c) {
            return Err(ProfileError::invalid_request(
                "a structured-field string must be printable ASCII",
            ));
        }
        if c == b'"' || c == b'\\' {
            out.push('\\');
        }
        out.push(char::from(c));
    }
    out.push('"');
    Ok(())
}

/// Serialises a bare item.
pub fn serialize_bare(item: &BareItem, out: &mut String) -> Result<(), ProfileError> {
    match item {
        BareItem::String(s) => serialize_string(s, out)?,
        BareItem::Integer(i) => {
            if i.unsigned_abs() > 999_999_999_999_999 {
                return Err(ProfileError::invalid_request(
                    "a structured-field integer has at most 15 digits",
                ));
            }
            out.push_str(&i.to_string());
        }
        BareItem::Token(t) => out.push_str(t),
        BareItem::Boolean(b) => out.push_str(if *b { "?1" } else { "?0" }),
        BareItem::Bytes(b) => {
            out.push(':');
            out.push_str(&b64(b));
            out.push(':');
        }
    }
    Ok(())
}

/// Serialises parameters (`;key` for `?1`, `;key=value` otherwise).
pub fn serialize_params(params: &Params, out: &mut String) -> Result<(), ProfileError> {
    for (k, v) in params {
        out.push(';');
        out.push_str(k);
        if *v != BareItem::Boolean(true) {
            out.push('=');
            serialize_bare(v, out)?;
        }
    }
    Ok(())
}

/// Serialises an inner list with its parameters.
pub fn serialize_inner_list(items: &[Item], params: &Params) -> Result<String, ProfileError> {
    let mut out = String::from("(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        serialize_bare(&item.value, &mut out)?;
        serialize_params(&item.params, &mut out)?;
    }
    out.push(')');
    serialize_params(params, &mut out)?;
    Ok(out)
}

struct Parser<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn skip_sp(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn key(&mut self) -> Result<String, ProfileError> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => self.i += 1,
            _ => return Err(bad("key must start with a-z or *")),
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'.' | b'*'))
        {
            self.i += 1;
        }
        Ok(String::from_utf8_lossy(&self.b[start..self.i]).into_owned())
    }

    fn bare(&mut self) -> Result<BareItem, ProfileError> {
        match self.peek() {
            Some(b'"') => {
                self.i += 1;
                let mut s = String::new();
                loop {
                    match self.peek() {
                        None => return Err(bad("unterminated string")),
                        Some(b'"') => {
                            self.i += 1;
                            return Ok(BareItem::String(s));
                        }
                        Some(b'\\') => {
                            self.i += 1;
                            match self.peek() {
                                Some(c @ (b'"' | b'\\')) => s.push(char::from(c)),
                                _ => return Err(bad("bad escape in string")),
                            }
                            self.i += 1;
                        }
                        Some(c) if (0x20..=0x7e).contains(&c) => {
                            s.push(char::from(c));
                            self.i += 1;
                        }
                        Some(_) => return Err(bad("string must be printable ASCII")),
                    }
                }
            }
            Some(b':') => {
                self.i += 1;
                let start = self.i;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
                {
                    self.i += 1;
                }
                if self.peek() != Some(b':') {
                    return Err(bad("unterminated byte sequence"));
                }
                let text = core::str::from_utf8(&self.b[start..self.i])
                    .map_err(|_| bad("byte sequence"))?;
                self.i += 1;
                b64_decode(text)
                    .map(BareItem::Bytes)
                    .ok_or_else(|| bad("byte sequence is not base64"))
            }
            Some(b'?') => {
                self.i += 1;
                let v = match self.peek() {
                    Some(b'1') => true,
                    Some(b'0') => false,
                    _ => return Err(bad("boolean")),
                };
                self.i += 1;
                Ok(BareItem::Boolean(v))
            }
            Some(c) if c == b'-' || c.is_ascii_digit() => {
                let start = self.i;
                self.i += 1;
                while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
                    self.i += 1;
                }
                if self.peek() == Some(b'.') {
                    return Err(bad("decimals are not used by HTTP Message Signatures"));
                }
                let text =
                    core::str::from_utf8(&self.b[start..self.i]).map_err(|_| bad("integer"))?;
                if text.trim_start_matches('-').is_empty()
                    || text.trim_start_matches('-').len() > 15
                {
                    return Err(bad("integer"));
                }
                text.parse()
                    .map(BareItem::Integer)
                    .map_err(|_| bad("integer"))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => {
                let start = self.i;
                while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c))
                {
                    self.i += 1;
                }
                Ok(BareItem::Token(
                    String::from_utf8_lossy(&self.b[start..self.i]).into_owned(),
                ))
            }
            _ => Err(bad("unexpected character")),
        }
    }

    fn params(&mut self) -> Result<Params, ProfileError> {
        let mut params: Params = Vec::new();
        while self.peek() == Some(b';') {
            self.i += 1;
            self.skip_sp();
            let k = self.key()?;
            let v = if self.peek() == Some(b'=') {
                self.i += 1;
                self.bare()?
            } else {
                BareItem::Boolean(true)
            };
            match params.iter_mut().find(|(n, _)| *n == k) {
                Some(slot) => slot.1 = v,
                None => params.push((k, v)),
            }
        }
        Ok(params)
    }

    fn member(&mut self) -> Result<Member, ProfileError> {
        if self.peek() == Some(b'(') {
            self.i += 1;
            let mut items = Vec::new();
            loop {
                self.skip_sp();
                if self.peek() == Some(b')') {
                    self.i += 1;
                    break;
                }
                let value = self.bare()?;
                let params = self.params()?;
                items.push(Item { value, params });
                match self.peek() {
                    Some(b' ' | b')') => {}
                    _ => return Err(bad("inner list")),
                }
            }
            let params = self.params()?;
            Ok(Member::InnerList(items, params))
        } else {
            let value = self.bare()?;
            let params = self.params()?;
            Ok(Member::Item(Item { value, params }))
        }
    }
}

impl Parser<'_> {
    /// Fails unless the whole input was read.
    fn end(&self) -> Result<(), ProfileError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(bad("unexpected text after the item")),
        }
    }
}

/// Parses one item with parameters (`"@query-param";name="x"`), the whole input.
pub fn parse_item(input: &str) -> Result<Item, ProfileError> {
    let mut p = Parser {
        b: input.as_bytes(),
        i: 0,
    };
    let value = p.bare()?;
    let params = p.params()?;
    p.end()?;
    Ok(Item { value, params })
}

/// Parses parameters (`;name="x";…`), the whole input.
pub fn parse_params(input: &str) -> Result<Params, ProfileError> {
    let mut p = Parser {
        b: input.as_bytes(),
        i: 0,
    };
    let params = p.params()?;
    p.end()?;
    Ok(params)
}

/// Parses a dictionary field value (all field lines joined with `,`). A repeated key keeps the
/// last value, in the position of the first (RFC 9651 §4.2.2).
pub fn parse_dictionary(input: &str) -> Result<Vec<(String, Member)>, ProfileError> {
    let mut p = Parser {
        b: input.as_bytes(),
        i: 0,
    };
    let mut out: Vec<(String, Member)> = Vec::new();
    p.skip_sp();
    if p.peek().is_none() {
        return Ok(out);
    }
    loop {
        let k = p.key()?;
        let m = if p.peek() == Some(b'=') {
            p.i += 1;
            p.member()?
        } else {
            Member::Item(Item {
                value: BareItem::Boolean(true),
                params: p.params()?,
            })
        };
        match out.iter_mut().find(|(n, _)| *n == k) {
            Some(slot) => slot.1 = m,
            None => out.push((k, m)),
        }
        p.skip_ows();
        match p.peek() {
            None => return Ok(out),
            Some(b',') => {
                p.i += 1;
                p.skip_ows();
                if p.peek().is_none() {
                    return Err(bad("trailing comma"));
                }
            }
            Some(_) => return Err(bad("expected ','")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_signature_input() {
        let text = r#"sig-b25=("date" "@authority" "@query-param";name="Pet");created=1618884473;keyid="test-shared-secret", x=:AAE=:"#;
        let d = parse_dictionary(text).unwrap();
        assert_eq!(d.len(), 2);
        let Member::InnerList(items, params) = &d[0].1 else {
            panic!("inner list")
        };
        assert_eq!(items.len(), 3);
        assert_eq!(
            serialize_inner_list(items, params).unwrap(),
            r#"("date" "@authority" "@query-param";name="Pet");created=1618884473;keyid="test-shared-secret""#
        );
        assert_eq!(
            d[1].1,
            Member::Item(Item {
                value: BareItem::Bytes(vec![0, 1]),
                params: vec![]
            })
        );
    }

    #[test]
    fn rejects_malformed_input() {
        for bad in [
            "A=1",
            "a=(\"x\"",
            "a=\"\\q\"",
            "a=1,",
            "a=:!!:",
            "a=1.5",
            "a=1234567890123456",
        ] {
            assert!(parse_dictionary(bad).is_err(), "{bad}");
        }
        let mut s = String::new();
        assert!(serialize_string("é", &mut s).is_err());
        let mut s = String::new();
        serialize_string(r#"a"b\c"#, &mut s).unwrap();
        assert_eq!(s, r#""a\"b\\c""#);
    }
}
