//! Emitters: one per target language, each reading only the [`crate::ir::Api`] and producing
//! a list of files (path relative to the output directory, content).

pub mod kotlin;
pub mod python;
pub mod rust;
pub mod swift;
pub mod typescript;
mod writer;

use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::ir::{Api, BodyEncoding, Operation, TypeRef};

pub use writer::Code;

/// A target language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// A Python package over `sigwire.Client`/`AsyncClient`.
    Python,
    /// A TypeScript npm package over the `sigwire` / `sigwire-wasm` `Client`.
    TypeScript,
    /// A Kotlin (Maven) package over the Kotlin SDK's `HttpClient`.
    Kotlin,
    /// A Swift package over the Swift SDK.
    Swift,
    /// A Rust crate over `sigwire-client`.
    Rust,
}

impl Lang {
    /// Every language, in the order `--lang all` emits them.
    pub const ALL: [Lang; 5] = [Lang::Python, Lang::TypeScript, Lang::Kotlin, Lang::Swift, Lang::Rust];

    /// The `--lang` name (also the subdirectory a several-language run writes it to).
    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::TypeScript => "typescript",
            Lang::Kotlin => "kotlin",
            Lang::Swift => "swift",
            Lang::Rust => "rust",
        }
    }
}

/// Package options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The distribution / npm package name (default: from `info.title`).
    pub name: Option<String>,
    /// The package version (default: `info.version` when valid, else `0.0.0`).
    pub version: Option<String>,
}

/// A generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Path relative to the output directory.
    pub path: PathBuf,
    /// The content.
    pub content: String,
}

/// Generates every file of the SDK for `lang`.
pub fn generate(api: &Api, lang: Lang, options: &Options) -> Vec<File> {
    match lang {
        Lang::Python => python::generate(api, options),
        Lang::TypeScript => typescript::generate(api, options),
        Lang::Kotlin => kotlin::generate(api, options),
        Lang::Swift => swift::generate(api, options),
        Lang::Rust => rust::generate(api, options),
    }
}

/// Writes `files` under `out` (directories created as needed).
pub fn write(out: &Path, files: &[File]) -> Result<()> {
    for f in files {
        let path = out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| Error::new(ErrorKind::Io, format!("cannot create {}: {e}", dir.display())))?;
        }
        std::fs::write(&path, &f.content)
            .map_err(|e| Error::new(ErrorKind::Io, format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}

/// `X.Y.Z` (digits only): a version both PyPI and npm accept.
pub(crate) fn plain_version(v: &str) -> Option<String> {
    let v = v.trim().trim_start_matches('v');
    let parts: Vec<&str> = v.split('.').collect();
    if (1..=3).contains(&parts.len())
        && parts.iter().all(|p| !p.is_empty() && p.len() < 10 && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut p: Vec<String> = parts
            .iter()
            .map(|s| s.trim_start_matches('0').to_owned())
            .map(|s| if s.is_empty() { "0".into() } else { s })
            .collect();
        while p.len() < 3 {
            p.push("0".into());
        }
        Some(p.join("."))
    } else {
        None
    }
}

/// The OpenAPI name of a parameter style, as the runtimes' serialisers spell it.
pub(crate) fn style_name(s: crate::ir::Style) -> &'static str {
    use crate::ir::Style;
    match s {
        Style::Form => "form",
        Style::Simple => "simple",
        Style::Label => "label",
        Style::Matrix => "matrix",
        Style::SpaceDelimited => "spaceDelimited",
        Style::PipeDelimited => "pipeDelimited",
        Style::DeepObject => "deepObject",
    }
}

/// One piece of a path template: literal text, or a `{name}` placeholder (with its raw text, kept
/// as a literal when no path parameter of that name exists).
pub(crate) enum PathPiece<'a> {
    /// Text sent as written.
    Literal(&'a str),
    /// A placeholder: the parameter name and the raw `{name}` text.
    Param { name: &'a str, raw: &'a str },
}

/// Splits a path template into pieces, in order. An unclosed `{` and everything after it is
/// literal text; an empty template is one empty literal.
pub(crate) fn path_pieces(template: &str) -> Vec<PathPiece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        if start > 0 {
            pieces.push(PathPiece::Literal(&rest[..start]));
        }
        pieces.push(PathPiece::Param { name: &rest[start + 1..start + end], raw: &rest[start..start + end + 1] });
        rest = &rest[start + end + 1..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(PathPiece::Literal(rest));
    }
    pieces
}

/// A string literal valid in both Python and JavaScript (JSON escaping, plus no `</`).
pub(crate) fn string_literal(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// Text safe inside a doc comment (`*/` and triple quotes broken up, control chars dropped).
pub(crate) fn doc_text(s: &str) -> String {
    s.replace("*/", "*\u{200b}/")
        .replace("\"\"\"", "\"\u{200b}\"\"")
        .replace('\\', "\\\\")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .trim()
        .to_owned()
}

/// The distinct scalar values of an enum, in document order: arrays and objects (which no
/// generated enum case can name) are left out, a repeated value is kept once.
pub(crate) fn enum_scalars(values: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    let mut unique: Vec<&serde_json::Value> = Vec::new();
    for v in values {
        if !v.is_array() && !v.is_object() && !unique.contains(&v) {
            unique.push(v);
        }
    }
    unique
}

/// The success (2xx) responses of `op`, walked status by status: the type of each body (as `ty`
/// names it) or `none` for a response without one, each once in document order, and how the
/// last body is read — `"json"` (JSON, form and multipart), `"text"`, `"binary"`, or `"none"`
/// when no success response has a body. Each emitter turns the list into its return type.
pub(crate) fn success_types(
    op: &Operation,
    none: &str,
    ty: impl Fn(&TypeRef) -> String,
) -> (Vec<String>, &'static str) {
    let mut types: Vec<String> = Vec::new();
    let mut accept = "none";
    for r in op.responses.iter().filter(|r| r.status.is_success()) {
        let name = match &r.body {
            Some((enc, t)) => {
                accept = match enc {
                    BodyEncoding::Json | BodyEncoding::Form | BodyEncoding::Multipart => "json",
                    BodyEncoding::Text => "text",
                    BodyEncoding::Binary => "binary",
                };
                ty(t)
            }
            None => none.to_owned(),
        };
        if !types.contains(&name) {
            types.push(name);
        }
    }
    (types, accept)
}
