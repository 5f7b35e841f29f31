//! Reading OpenAPI documents: JSON or YAML text to `serde_json::Value` (key order kept), the
//! version check (3.0.x / 3.1.x; Swagger 2.0 refused), and `$ref` resolution inside a document
//! and to files relative to it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value;

use crate::error::{Error, ErrorKind, Result};

/// The OpenAPI major/minor version of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// OpenAPI 3.0.x (`nullable`, JSON Schema draft-04/05 subset).
    V30,
    /// OpenAPI 3.1.x (JSON Schema 2020-12: `type: [T, "null"]`, `const`, `$defs`).
    V31,
}

/// A loaded document and every file its `$ref`s reach.
#[derive(Debug)]
pub struct Source {
    /// The root file's key.
    pub root: String,
    /// The version of the root document.
    pub version: Version,
    files: IndexMap<String, Value>,
}

/// The target of a resolved `$ref`: the file key, the JSON Pointer inside it, and the value.
#[derive(Debug, Clone)]
pub struct Target<'a> {
    /// The file the value is in.
    pub file: &'a str,
    /// The JSON Pointer of the value in that file (`""` for the whole file).
    pub pointer: String,
    /// The value.
    pub value: &'a Value,
}

/// Parses JSON or YAML text. JSON is tried first when the text starts with `{` or `[`, so JSON
/// with tabs is never misread as YAML.
pub fn parse_text(text: &str, file: &str) -> Result<Value> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return serde_json::from_str(trimmed)
            .map_err(|e| Error::new(ErrorKind::Syntax, format!("invalid JSON: {e}")).in_file(file).line(e.line()));
    }
    let value: Value = yaml_serde::from_str(trimmed).map_err(|e| {
        let mut err = Error::new(ErrorKind::Syntax, format!("invalid YAML: {e}")).in_file(file);
        if let Some(loc) = e.location() {
            err = err.line(loc.line());
        }
        err
    })?;
    Ok(value)
}

/// Checks the `openapi`/`swagger` field and returns the version.
pub fn detect_version(doc: &Value, file: &str) -> Result<Version> {
    let Some(obj) = doc.as_object() else {
        return Err(Error::new(ErrorKind::Invalid, "the document is not an object").in_file(file).at(""));
    };
    if let Some(s) = obj.get("swagger") {
        let v = scalar_text(s);
        return Err(Error::new(
            ErrorKind::UnsupportedVersion,
            format!("this is Swagger {v}; sigwire-gen reads OpenAPI 3.0.x and 3.1.x (convert it first, e.g. with swagger2openapi)"),
        )
        .in_file(file)
        .at("/swagger"));
    }
    let Some(v) = obj.get("openapi") else {
        return Err(Error::new(ErrorKind::UnsupportedVersion, "no `openapi` field: not an OpenAPI 3 document")
            .in_file(file)
            .at(""));
    };
    let v = scalar_text(v);
    if v == "3.0" || v.starts_with("3.0.") {
        Ok(Version::V30)
    } else if v == "3.1" || v.starts_with("3.1.") {
        Ok(Version::V31)
    } else {
        Err(Error::new(
            ErrorKind::UnsupportedVersion,
            format!("OpenAPI {v} is not supported; sigwire-gen reads OpenAPI 3.0.x and 3.1.x"),
        )
        .in_file(file)
        .at("/openapi"))
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Source {
    /// Loads the document at `path` and every file its `$ref`s name (relative to the file that
    /// holds the `$ref`).
    pub fn load(path: &Path) -> Result<Source> {
        let root = path.to_string_lossy().into_owned();
        let text = read(path)?;
        let doc = parse_text(&text, &root)?;
        let version = detect_version(&doc, &root)?;
        let mut files = IndexMap::new();
        files.insert(root.clone(), doc);
        let mut queue = vec![root.clone()];
        while let Some(key) = queue.pop() {
            let mut refs = BTreeSet::new();
            if let Some(doc) = files.get(&key) {
                collect_file_refs(doc, &mut refs);
            }
            for file_part in refs {
                let target = join(&key, &file_part);
                if files.contains_key(&target) {
                    continue;
                }
                let text = read(Path::new(&target))?;
                let doc = parse_text(&text, &target)?;
                files.insert(target.clone(), doc);
                queue.push(target);
            }
        }
        Ok(Source { root, version, files })
    }

    /// A document from text (no external files: a `$ref` to another file is a dangling ref).
    pub fn from_str(text: &str, name: &str) -> Result<Source> {
        let doc = parse_text(text, name)?;
        Source::from_value(doc, name)
    }

    /// A document from an already parsed value.
    pub fn from_value(doc: Value, name: &str) -> Result<Source> {
        let version = detect_version(&doc, name)?;
        let mut files = IndexMap::new();
        files.insert(name.to_owned(), doc);
        Ok(Source { root: name.to_owned(), version, files })
    }

    /// The root document.
    pub fn doc(&self) -> &Value {
        self.files.get(&self.root).unwrap_or(&Value::Null)
    }

    /// Resolves `reference` (the value of a `$ref`) found in `file`, without following further
    /// `$ref`s.
    pub fn lookup<'a>(&'a self, file: &str, reference: &str) -> Result<Target<'a>> {
        let (file_part, fragment) = match reference.split_once('#') {
            Some((f, frag)) => (f, frag),
            None => (reference, ""),
        };
        let key = if file_part.is_empty() { file.to_owned() } else { join(file, file_part) };
        let Some((file_key, doc)) = self.files.get_key_value(&key) else {
            return Err(Error::new(ErrorKind::DanglingRef, format!("`$ref: {reference}`: file {key} is not loaded"))
                .in_file(file));
        };
        let pointer = percent_decode(fragment);
        let Some(value) = doc.pointer(&pointer) else {
            return Err(Error::new(ErrorKind::DanglingRef, format!("`$ref: {reference}` points to nothing"))
                .in_file(file_key.clone()));
        };
        Ok(Target { file: file_key, pointer, value })
    }

    /// Follows `$ref`s from `value` (at `file`, `pointer`) until a value without `$ref`;
    /// a loop is a [`ErrorKind::RefLoop`] error.
    pub fn deref<'a>(&'a self, file: &'a str, pointer: &str, value: &'a Value) -> Result<Target<'a>> {
        let mut current = Target { file, pointer: pointer.to_owned(), value };
        let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
        while let Some(r) = current.value.get("$ref").and_then(Value::as_str) {
            if !seen.insert((current.file.to_owned(), current.pointer.clone())) || seen.len() > 256 {
                return Err(Error::new(ErrorKind::RefLoop, format!("the `$ref` chain through `{r}` loops"))
                    .in_file(current.file)
                    .at(current.pointer.clone()));
            }
            let at = current.pointer.clone();
            current = self.lookup(current.file, r).map_err(|e| e.at(at))?;
        }
        Ok(current)
    }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| {
        Error::new(ErrorKind::Io, format!("cannot read {}: {e}", path.display())).in_file(path.to_string_lossy())
    })
}

/// Every distinct non-empty file part of the `$ref`s in `v`.
fn collect_file_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let file = r.split('#').next().unwrap_or("");
                if !file.is_empty() && !file.contains("://") {
                    out.insert(file.to_owned());
                }
            }
            for child in map.values() {
                collect_file_refs(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|c| collect_file_refs(c, out)),
        _ => {}
    }
}

/// `relative` resolved against the directory of `base` (normalising `.` and `..`).
fn join(base: &str, relative: &str) -> String {
    let base_dir = Path::new(base).parent().map(Path::to_path_buf).unwrap_or_default();
    let mut out = PathBuf::new();
    for comp in base_dir.join(relative).components() {
        match comp {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out.to_string_lossy().into_owned()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(b) = hex {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swagger_is_refused_naming_the_version() {
        let err = Source::from_str("swagger: '2.0'\ninfo: {title: x}", "a.yaml").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::UnsupportedVersion);
        assert!(err.to_string().contains("Swagger 2.0"), "{err}");
    }

    #[test]
    fn yaml_syntax_errors_carry_a_line() {
        let err = Source::from_str("openapi: 3.0.0\ninfo: [\n  a: b: c\n", "a.yaml").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::Syntax);
        assert!(err.line_number().is_some());
    }

    #[test]
    fn json_syntax_errors_carry_a_line() {
        let err = Source::from_str("{\n\"openapi\": \"3.1.0\",\n,}", "a.json").unwrap_err();
        assert_eq!(err.line_number(), Some(3));
    }

    #[test]
    fn ref_loops_are_errors_and_pointers_decode() {
        let src = Source::from_str(
            r##"{"openapi":"3.1.0","components":{"schemas":{"A":{"$ref":"#/components/schemas/B"},"B":{"$ref":"#/components/schemas/A"},"a/b":{"type":"string"}}}}"##,
            "x.json",
        )
        .unwrap();
        let a = src.lookup("x.json", "#/components/schemas/A").unwrap();
        let err = src.deref(a.file, &a.pointer, a.value).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::RefLoop);
        let slash = src.lookup("x.json", "#/components/schemas/a~1b").unwrap();
        assert_eq!(slash.value["type"], "string");
        assert!(src.lookup("x.json", "#/components/schemas/C").is_err());
    }

    #[test]
    fn yaml_integer_keys_become_strings() {
        let v = parse_text("responses:\n  200:\n    description: ok\n", "a.yaml").unwrap();
        assert!(v["responses"]["200"].is_object());
    }
}
