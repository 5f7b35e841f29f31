//! The Rust emitter: a crate over `sigwire-client` (which signs, retries and corrects the clock).
//!
//! Layout: `Cargo.toml`, `README.md`, `src/lib.rs` (the `Client` and its builder),
//! `src/models.rs` (serde types: structs, open enums with an `Other` variant, unions as enums),
//! `src/support.rs` (parameter serialisation, errors, the page walker; the same for every API)
//! and `src/resources/<tag>.rs` (one resource per tag, one request builder per operation).
//!
//! The crate depends on `sigwire-client = "0.1"`; inside this repository (where the runtime is
//! not published) a workspace `[patch.crates-io]` points it at `client/` (gen/docs/rust.md).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use super::{path_pieces, plain_version, string_literal, Code, File, Options, PathPiece};
use crate::ir::{Api, BodyEncoding, Field, Operation, PageStyle, ParamLocation, Signing, TypeKind, TypeRef};
use crate::naming::{self, ident, Scope};

const SUPPORT: &str = include_str!("support/rust_support.rs");

/// Rust keywords (strict, reserved and weak) and prelude names a generated name must not take.
const RUST: naming::Lang = naming::Lang {
    reserved: &[
        "as",
        "async",
        "await",
        "break",
        "const",
        "continue",
        "crate",
        "dyn",
        "else",
        "enum",
        "extern",
        "false",
        "fn",
        "for",
        "if",
        "impl",
        "in",
        "let",
        "loop",
        "match",
        "mod",
        "move",
        "mut",
        "pub",
        "ref",
        "return",
        "self",
        "Self",
        "static",
        "struct",
        "super",
        "trait",
        "true",
        "type",
        "unsafe",
        "use",
        "where",
        "while",
        "abstract",
        "become",
        "box",
        "do",
        "final",
        "macro",
        "override",
        "priv",
        "typeof",
        "unsized",
        "virtual",
        "yield",
        "try",
        "gen",
        "union",
        "Option",
        "Some",
        "None",
        "Result",
        "Ok",
        "Err",
        "Vec",
        "String",
        "Box",
        "Sized",
        "Send",
        "Sync",
        "Copy",
        "Clone",
        "Default",
        "Drop",
        "Fn",
        "FnMut",
        "FnOnce",
        "Into",
        "From",
        "Iterator",
        "PartialEq",
        "Eq",
        "Debug",
        "ToString",
        "ToOwned",
        "AsRef",
    ],
};

/// Lints a generated crate allows: stylistic ones that spec text or spec shapes trigger.
const ALLOWS: &str = "#![allow(unknown_lints, deprecated, non_camel_case_types, non_snake_case)]
#![allow(
    clippy::too_many_arguments,
    clippy::large_enum_variant,
    clippy::enum_variant_names,
    clippy::doc_lazy_continuation,
    clippy::doc_overindented_list_items,
    clippy::tabs_in_doc_comments,
    clippy::empty_docs,
    clippy::suspicious_doc_comments,
    clippy::needless_doctest_main,
    clippy::module_inception,
    clippy::box_collection,
    clippy::vec_box,
    clippy::upper_case_acronyms,
    clippy::result_large_err
)]";

/// Generates the crate.
pub fn generate(api: &Api, options: &Options) -> Vec<File> {
    let rs = Rs::new(api, options);
    let mut files = vec![
        File { path: "Cargo.toml".into(), content: rs.cargo_toml() },
        File { path: "README.md".into(), content: rs.readme() },
        File { path: PathBuf::from("src/lib.rs"), content: rs.lib() },
        File { path: PathBuf::from("src/support.rs"), content: SUPPORT.to_owned() },
        File { path: PathBuf::from("src/models.rs"), content: rs.models() },
        File { path: PathBuf::from("src/resources/mod.rs"), content: rs.resources_mod() },
    ];
    for g in &rs.groups {
        files.push(File { path: PathBuf::from(format!("src/resources/{}.rs", g.module)), content: rs.resource(g) });
    }
    files
}

struct Group {
    key: String,
    /// Module and client method name.
    module: String,
    /// The resource struct.
    class: String,
    ops: Vec<usize>,
}

struct Rs<'a> {
    api: &'a Api,
    package: String,
    lib_name: String,
    version: String,
    env: String,
    type_names: Vec<String>,
    /// Strongly connected component of each type in the graph of inline (unboxed) references.
    scc: Vec<usize>,
    /// Aliases that are part of a cycle of aliases: emitted as newtype structs.
    newtype: Vec<bool>,
    groups: Vec<Group>,
}

/// A valid identifier in snake_case (never `_` alone).
fn snake_ident(name: &str, fallback: &str) -> String {
    let s = naming::snake(name);
    let s = if s.is_empty() { fallback.to_owned() } else { s };
    ident(&s, RUST)
}

/// A valid identifier in PascalCase (never `_` alone).
fn pascal_ident(name: &str, fallback: &str) -> String {
    let s = naming::pascal(name);
    let s = if s.is_empty() { fallback.to_owned() } else { s };
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) { format!("T{s}") } else { s };
    ident(&s, RUST)
}

/// The runtime names every resource module imports (`use crate::support::{Call, Core,
/// RequestOptions}; use crate::Error;`): a resource struct must not take one of them.
const RESOURCE_IMPORTS: [&str; 4] = ["Call", "Core", "RequestOptions", "Error"];

/// The struct of the resource for `tag`: its PascalCase name, with a `Resource` suffix when that
/// name is one of [`RESOURCE_IMPORTS`] (a tag `core` is `CoreResource`, not a second `Core`).
fn resource_struct(tag: &str) -> String {
    let name = pascal_ident(tag, "Default");
    if RESOURCE_IMPORTS.contains(&name.as_str()) {
        format!("{name}Resource")
    } else {
        name
    }
}

/// Named types referenced by `t`; `inline` keeps only those not behind a `Vec` or map.
pub(crate) fn refs(t: &TypeRef, inline: bool, out: &mut Vec<usize>) {
    match t {
        TypeRef::Named(id) => out.push(id.0),
        TypeRef::Nullable(inner) => refs(inner, inline, out),
        TypeRef::Array(inner) | TypeRef::Map(inner) if !inline => refs(inner, inline, out),
        _ => {}
    }
}

/// Tarjan's strongly connected components: the component index of each node.
pub(crate) fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    struct State<'e> {
        edges: &'e [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        comp: Vec<usize>,
        next: usize,
        count: usize,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.edges[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(i) if s.on_stack[w] => s.low[v] = s.low[v].min(i),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                s.comp[w] = s.count;
                if w == v {
                    break;
                }
            }
            s.count += 1;
        }
    }
    let n = edges.len();
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        comp: vec![0; n],
        next: 0,
        count: 0,
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.comp
}

/// Doc comment lines: control characters dropped, code fences marked `text` (spec text is no
/// Rust doctest), leading indentation removed outside fences.
fn doc_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for line in text.trim().lines() {
        let clean: String = line.chars().filter(|c| !c.is_control() || *c == '\t').collect();
        let trimmed = clean.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            out.push(if in_fence { "```".to_owned() } else { "```text".to_owned() });
            in_fence = !in_fence;
        } else if in_fence {
            out.push(clean.trim_end().replace('\t', "    "));
        } else {
            out.push(trimmed.to_owned());
        }
    }
    if in_fence {
        out.push("```".to_owned());
    }
    out
}

fn doc(c: &mut Code, text: &str) {
    for l in doc_lines(text) {
        if l.is_empty() {
            c.line("///");
        } else {
            c.line(format!("/// {l}"));
        }
    }
}

/// A Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

impl<'a> Rs<'a> {
    fn new(api: &'a Api, options: &Options) -> Self {
        let words = naming::words(options.name.as_deref().unwrap_or(&api.title));
        let mut words = if words.is_empty() { vec!["api".to_owned()] } else { words };
        if words[0].starts_with(|c: char| c.is_ascii_digit())
            || ["std", "core", "alloc", "test", "proc"].contains(&words.join("_").as_str())
            || RUST.reserved.contains(&words.join("_").as_str())
        {
            words.insert(0, "api".to_owned());
        }
        let package = words.join("-");
        let lib_name = words.join("_");
        let version =
            options.version.clone().or_else(|| plain_version(&api.version)).unwrap_or_else(|| "0.0.0".to_owned());
        let env = words.join("_").to_ascii_uppercase();

        let mut scope = Scope::new();
        let type_names = api.types.iter().map(|t| scope.claim(&pascal_ident(&t.name, "Type"))).collect();

        let n = api.types.len();
        let mut inline: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut alias_edges: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, t) in api.types.iter().enumerate() {
            match &t.kind {
                TypeKind::Object(o) => {
                    for f in &o.fields {
                        refs(&f.ty, true, &mut inline[i]);
                    }
                }
                TypeKind::Union(u) => {
                    for v in &u.variants {
                        refs(&v.ty, true, &mut inline[i]);
                    }
                }
                TypeKind::Alias(t) => {
                    if *t != TypeRef::Named(crate::ir::TypeId(i)) {
                        refs(t, true, &mut inline[i]);
                        let mut all = Vec::new();
                        refs(t, false, &mut all);
                        alias_edges[i] =
                            all.into_iter().filter(|&j| matches!(api.types[j].kind, TypeKind::Alias(_))).collect();
                    }
                }
                TypeKind::Enum(_) => {}
            }
        }
        let scc = components(&inline);
        let alias_scc = components(&alias_edges);
        let newtype = (0..n)
            .map(|i| {
                matches!(api.types[i].kind, TypeKind::Alias(_))
                    && (alias_edges[i].contains(&i) || (0..n).any(|j| j != i && alias_scc[j] == alias_scc[i]))
            })
            .collect();

        let mut groups: Vec<Group> = Vec::new();
        let mut modules = Scope::new();
        for n in ["mod", "models", "support", "resources", "builder", "base_url", "from_env", "key_id", "clone", "fmt"]
        {
            modules.reserve(n);
        }
        for (i, op) in api.operations.iter().enumerate() {
            if let Some(g) = groups.iter_mut().find(|g| g.key == op.group) {
                g.ops.push(i);
                continue;
            }
            let module = modules.claim(&snake_ident(&op.group, "default"));
            let class = resource_struct(&op.group);
            groups.push(Group { key: op.group.clone(), module, class, ops: vec![i] });
        }
        Rs { api, package, lib_name, version, env, type_names, scc, newtype, groups }
    }

    /// The Rust type of `t`; `prefix` qualifies model names; `owner` is the type being defined
    /// (a reference back into its own cycle is boxed).
    fn ty(&self, t: &TypeRef, prefix: &str, owner: Option<usize>) -> String {
        match t {
            TypeRef::Any | TypeRef::Null => "serde_json::Value".into(),
            TypeRef::String(_) => "String".into(),
            TypeRef::Integer => "i64".into(),
            TypeRef::Number => "f64".into(),
            TypeRef::Boolean => "bool".into(),
            TypeRef::Binary => "String".into(),
            TypeRef::Const(v) => match v {
                Value::String(_) => "String".into(),
                Value::Bool(_) => "bool".into(),
                Value::Number(n) if n.is_i64() => "i64".into(),
                Value::Number(_) => "f64".into(),
                _ => "serde_json::Value".into(),
            },
            TypeRef::Array(inner) => format!("Vec<{}>", self.ty(inner, prefix, None)),
            TypeRef::Map(inner) => format!("std::collections::BTreeMap<String, {}>", self.ty(inner, prefix, None)),
            TypeRef::Nullable(inner) => match inner.as_ref() {
                TypeRef::Any | TypeRef::Null => "serde_json::Value".into(),
                TypeRef::Nullable(_) => self.ty(inner, prefix, owner),
                other => format!("Option<{}>", self.ty(other, prefix, owner)),
            },
            TypeRef::Named(id) => {
                let name = format!("{prefix}{}", self.type_names[id.0]);
                match owner {
                    Some(o) if self.scc[o] == self.scc[id.0] => format!("Box<{name}>"),
                    _ => name,
                }
            }
        }
    }

    fn cargo_toml(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "[package]");
        let _ = writeln!(s, "name = {}", string_literal(&self.package));
        let _ = writeln!(s, "version = {}", string_literal(&self.version));
        let _ = writeln!(s, "edition = \"2021\"");
        let _ = writeln!(s, "rust-version = \"1.75\"");
        let desc = format!("Rust SDK for the {} (generated by sigwire-gen)", self.api.title.replace('\n', " "));
        let _ = writeln!(s, "description = {}", string_literal(&desc));
        let _ = writeln!(s, "publish = false");
        let _ = writeln!(s);
        let _ = writeln!(s, "[lib]");
        let _ = writeln!(s, "name = {}", string_literal(&self.lib_name));
        let _ = writeln!(s);
        let _ = writeln!(s, "[dependencies]");
        let _ = writeln!(s, "# The Sigwire runtime: signing, retries, clock-skew correction, redirects.");
        let _ = writeln!(s, "sigwire-client = \"0.1\"");
        let _ = writeln!(s, "serde = {{ version = \"1\", features = [\"derive\"] }}");
        let _ = writeln!(s, "serde_json = \"1\"");
        let _ = writeln!(s, "futures-util = {{ version = \"0.3\", default-features = false, features = [\"std\"] }}");
        let _ = writeln!(s);
        let _ = writeln!(s, "[package.metadata.sigwire-gen]");
        let _ = writeln!(s, "api-version = {}", string_literal(&self.api.version));
        s
    }

    fn lib(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!(
            "//! The {} client (generated by sigwire-gen; do not edit).",
            self.api.title.replace('\n', " ")
        ));
        if let Some(d) = &self.api.description {
            c.line("//!");
            for l in doc_lines(d) {
                c.line(if l.is_empty() { "//!".to_owned() } else { format!("//! {l}") });
            }
        }
        c.line("//!");
        c.line("//! Signed operations are signed by `sigwire-client`; this crate holds no signing, retry or");
        c.line("//! clock logic and never a key.");
        c.line("");
        c.lines(ALLOWS);
        c.line("#![warn(missing_docs)]");
        c.line("#![forbid(unsafe_code)]");
        c.line("");
        c.line("pub mod models;");
        c.line("pub mod resources;");
        c.line("#[allow(dead_code)]");
        c.line("mod support;");
        c.line("");
        c.line("pub use sigwire_client;");
        c.line("pub use support::{ApiError, Error, Multipart};");
        c.line("");
        let default = self.api.servers.first().filter(|s| s.starts_with("http://") || s.starts_with("https://"));
        c.line("/// The description's first server.");
        c.line(format!(
            "const DEFAULT_BASE_URL: Option<&str> = {};",
            default.map(|s| format!("Some({})", lit(s))).unwrap_or_else(|| "None".into())
        ));
        c.line("/// The signing schemes (`x-sigwire`), by index.");
        let schemes: Vec<String> = self
            .api
            .signing_schemes
            .iter()
            .map(|s| {
                let hs: Vec<String> = s.signed_headers.iter().map(|h| lit(h)).collect();
                format!("support::Scheme {{ algorithm: {}, signed_headers: &[{}] }}", lit(&s.algorithm), hs.join(", "))
            })
            .collect();
        c.line(format!("const SCHEMES: &[support::Scheme] = &[{}];", schemes.join(", ")));
        c.line("/// Prefix of the environment variables read for credentials and the base URL.");
        c.line(format!("const ENV_PREFIX: &str = {};", lit(&self.env)));
        c.line("");
        c.line(format!(
            "/// The {} client. Cheap to clone (clones share connections).",
            self.api.title.replace('\n', " ")
        ));
        c.line("///");
        c.line("/// ```no_run");
        c.line(format!("/// # async fn demo() -> Result<(), {}::Error> {{", self.lib_name));
        c.line(format!("/// let client = {}::Client::builder()", self.lib_name));
        c.line("///     .base_url(\"https://api.example.com\")");
        c.line("///     .credentials(\"key-id\", b\"0123456789abcdef0123456789abcdef\".to_vec())");
        c.line("///     .build()?;");
        c.line(format!("/// // or {e}_KEY_ID / {e}_SECRET / {e}_BASE_URL: Client::from_env()?", e = self.env));
        c.line("/// # let _ = client; Ok(()) }");
        c.line("/// ```");
        c.line("#[derive(Debug, Clone)]");
        c.line("pub struct Client {");
        c.indent().line("core: support::Core,").dedent();
        c.line("}");
        c.line("");
        c.line("impl Client {");
        c.indent();
        c.line("/// A builder (base URL, credentials, runtime settings).");
        c.line("pub fn builder() -> ClientBuilder {");
        c.indent().line("ClientBuilder::default()").dedent();
        c.line("}");
        c.line("");
        c.line(format!(
            "/// A client configured from `{e}_KEY_ID`, `{e}_SECRET` and `{e}_BASE_URL` (else the first server).",
            e = self.env
        ));
        c.line("pub fn from_env() -> Result<Client, Error> {");
        c.indent().line("ClientBuilder::default().build()").dedent();
        c.line("}");
        c.line("");
        c.line("/// The base URL requests go to.");
        c.line("pub fn base_url(&self) -> &str {");
        c.indent().line("self.core.base_url()").dedent();
        c.line("}");
        c.line("");
        c.line("/// The key id in use, if any (the secret is never kept here).");
        c.line("pub fn key_id(&self) -> Option<&str> {");
        c.indent().line("self.core.key_id()").dedent();
        c.line("}");
        for g in &self.groups {
            c.line("");
            c.line(format!("/// Operations tagged `{}`.", g.key.replace('\n', " ").replace('`', "'")));
            c.line(format!("pub fn {}(&self) -> resources::{}::{} {{", g.module, g.module, g.class));
            c.indent().line(format!("resources::{}::{}::new(self.core.clone())", g.module, g.class)).dedent();
            c.line("}");
        }
        c.dedent();
        c.line("}");
        c.line("");
        c.lines(CLIENT_BUILDER);
        c.finish()
    }

    fn models(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!(
            "//! Types of the {} (generated by sigwire-gen; do not edit).",
            self.api.title.replace('\n', " ")
        ));
        c.line("//!");
        c.line("//! Enums keep values this client does not know (`Other`), so values added later never break it.");
        c.line("//! Write-only fields are optional; read-only ones are typed as the server sends them.");
        for (i, t) in self.api.types.iter().enumerate() {
            let name = &self.type_names[i];
            c.line("");
            let mut text = t.doc.clone().unwrap_or_default();
            if text.trim().is_empty() {
                text = format!("`{}` (schema `{}`).", name, t.name.replace('`', "'"));
            }
            doc(&mut c, &text);
            if t.deprecated {
                c.line("#[deprecated]");
            }
            match &t.kind {
                TypeKind::Object(o) => self.object(&mut c, i, name, o),
                TypeKind::Enum(e) => open_enum(&mut c, name, &e.values),
                TypeKind::Union(u) => self.union(&mut c, i, name, u),
                TypeKind::Alias(target) => {
                    let rendered = match target {
                        TypeRef::Named(id) if id.0 == i => "serde_json::Value".to_owned(),
                        other => self.ty(other, "", Some(i)),
                    };
                    if self.newtype[i] {
                        c.line("#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]");
                        c.line("#[serde(transparent)]");
                        c.line(format!("pub struct {name}(pub {rendered});"));
                    } else {
                        c.line(format!("pub type {name} = {rendered};"));
                    }
                }
            }
        }
        c.finish()
    }

    fn object(&self, c: &mut Code, i: usize, name: &str, o: &crate::ir::ObjectType) {
        c.line("#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]");
        c.line(format!("pub struct {name} {{"));
        c.indent();
        let mut scope = Scope::new();
        for f in &o.fields {
            let fname = scope.claim(&snake_ident(&f.name, "field"));
            field_doc(c, f);
            if f.deprecated {
                c.line("#[deprecated]");
            }
            if fname != f.name {
                c.line(format!("#[serde(rename = {})]", lit(&f.name)));
            }
            let inner = self.ty(&f.ty, "", Some(i));
            let optional = !f.required || f.write_only;
            let ty = if inner.starts_with("Option<") || inner == "serde_json::Value" {
                if optional {
                    c.line(if inner == "serde_json::Value" {
                        "#[serde(default, skip_serializing_if = \"serde_json::Value::is_null\")]"
                    } else {
                        "#[serde(default, skip_serializing_if = \"Option::is_none\")]"
                    });
                }
                inner
            } else if optional {
                c.line("#[serde(default, skip_serializing_if = \"Option::is_none\")]");
                format!("Option<{inner}>")
            } else {
                inner
            };
            c.line(format!("pub {fname}: {ty},"));
        }
        let extra = match &o.additional {
            // Untyped extra keys beside named fields are ignored (struct literals stay short).
            Some(TypeRef::Any) if !o.fields.is_empty() => None,
            Some(t) => Some(self.ty(t, "", None)),
            None if o.fields.is_empty() => Some("serde_json::Value".to_owned()),
            None => None,
        };
        if let Some(t) = extra {
            let fname = scope.claim("additional_properties");
            c.line("/// Other properties, by name.");
            c.line("#[serde(flatten)]");
            c.line(format!("pub {fname}: std::collections::BTreeMap<String, {t}>,"));
        }
        c.dedent();
        c.line("}");
    }

    fn union(&self, c: &mut Code, i: usize, name: &str, u: &crate::ir::UnionType) {
        // Variants with the same Rust type are one variant (their tags merged).
        let mut variants: Vec<(String, String, Vec<String>)> = Vec::new();
        let mut scope = Scope::new();
        scope.reserve("Other");
        let mut seen_tags: Vec<String> = Vec::new();
        for v in &u.variants {
            let ty = self.ty(&v.ty, "", Some(i));
            let mut tags: Vec<String> = Vec::new();
            for t in &v.tags {
                if !seen_tags.contains(t) {
                    seen_tags.push(t.clone());
                    tags.push(t.clone());
                }
            }
            if let Some(existing) = variants.iter_mut().find(|(_, t, _)| *t == ty) {
                existing.2.extend(tags);
                continue;
            }
            let base = match &v.ty {
                TypeRef::Named(id) => self.type_names[id.0].clone(),
                TypeRef::Nullable(inner) => match inner.as_ref() {
                    TypeRef::Named(id) => self.type_names[id.0].clone(),
                    _ => "Nullable".to_owned(),
                },
                TypeRef::String(_) | TypeRef::Binary => "String".to_owned(),
                TypeRef::Integer => "Integer".to_owned(),
                TypeRef::Number => "Number".to_owned(),
                TypeRef::Boolean => "Boolean".to_owned(),
                TypeRef::Array(_) => "Array".to_owned(),
                TypeRef::Map(_) => "Map".to_owned(),
                TypeRef::Const(_) => "Const".to_owned(),
                TypeRef::Null => "Null".to_owned(),
                TypeRef::Any => "Any".to_owned(),
            };
            let vname = scope.claim(&base);
            variants.push((vname, ty, tags));
        }
        c.line("#[derive(Debug, Clone, PartialEq)]");
        c.line(format!("pub enum {name} {{"));
        c.indent();
        for (vname, ty, tags) in &variants {
            if tags.is_empty() {
                c.line(format!("/// A `{}`.", ty.replace('`', "'")));
            } else {
                let t: Vec<String> = tags.iter().map(|t| format!("`{}`", t.replace('`', "'"))).collect();
                c.line(format!("/// Selected by {}.", t.join(", ")));
            }
            c.line(format!("{vname}({ty}),"));
        }
        c.line("/// A value no known variant matches (kept as JSON).");
        c.line("Other(serde_json::Value),");
        c.dedent();
        c.line("}");
        c.line("");
        c.line(format!("impl serde::Serialize for {name} {{"));
        c.indent();
        c.line("fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
        c.indent();
        c.line("match self {");
        c.indent();
        for (vname, _, _) in &variants {
            c.line(format!("{name}::{vname}(value) => serde::Serialize::serialize(value, serializer),"));
        }
        c.line(format!("{name}::Other(value) => serde::Serialize::serialize(value, serializer),"));
        c.dedent().line("}");
        c.dedent().line("}");
        c.dedent().line("}");
        c.line("");
        c.line(format!("impl<'de> serde::Deserialize<'de> for {name} {{"));
        c.indent();
        c.line("fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
        c.indent();
        c.line("let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;");
        let tagged = u.discriminator.as_ref().filter(|_| variants.iter().any(|v| !v.2.is_empty()));
        if let Some(prop) = tagged {
            c.line(format!("match value.get({}).and_then(serde_json::Value::as_str) {{", lit(prop)));
            c.indent();
            for (vname, ty, tags) in &variants {
                if tags.is_empty() {
                    continue;
                }
                let pats: Vec<String> = tags.iter().map(|t| format!("Some({})", lit(t))).collect();
                c.line(format!("{} => {{", pats.join(" | ")));
                c.indent();
                c.line(format!(
                    "return serde_json::from_value::<{ty}>(value).map({name}::{vname}).map_err(serde::de::Error::custom);"
                ));
                c.dedent().line("}");
            }
            c.line("_ => {}");
            c.dedent().line("}");
        }
        for (vname, ty, _) in &variants {
            c.line(format!("if let Ok(v) = serde_json::from_value::<{ty}>(value.clone()) {{"));
            c.indent().line(format!("return Ok({name}::{vname}(v));")).dedent();
            c.line("}");
        }
        c.line(format!("Ok({name}::Other(value))"));
        c.dedent().line("}");
        c.dedent().line("}");
    }

    fn resources_mod(&self) -> String {
        let mut c = Code::new("    ");
        c.line("//! One resource per tag (generated by sigwire-gen; do not edit).");
        c.line("");
        for g in &self.groups {
            c.line(format!("/// Operations tagged `{}`.", g.key.replace('\n', " ").replace('`', "'")));
            c.line(format!("pub mod {};", g.module));
        }
        c.finish()
    }

    fn resource(&self, g: &Group) -> String {
        let mut names = Scope::new();
        names.reserve(&g.class);
        for n in RESOURCE_IMPORTS.iter().copied().chain(["support"]) {
            names.reserve(n);
        }
        let mut methods = Scope::new();
        for n in ["new", "core", "clone", "fmt"] {
            methods.reserve(n);
        }
        let ops: Vec<(&Operation, String, String)> = g
            .ops
            .iter()
            .map(|&i| {
                let op = &self.api.operations[i];
                let m = methods.claim(&snake_ident(&op.method_name, "call"));
                let b = names.claim(&pascal_ident(&format!("{} request", op.method_name), "CallRequest"));
                (op, m, b)
            })
            .collect();
        let mut c = Code::new("    ");
        c.line(format!("/// Operations tagged `{}`.", g.key.replace('\n', " ").replace('`', "'")));
        c.line("#[derive(Debug, Clone)]");
        c.line(format!("pub struct {} {{", g.class));
        c.indent().line("core: Core,").dedent();
        c.line("}");
        c.line("");
        c.line(format!("impl {} {{", g.class));
        c.indent();
        c.line("pub(crate) fn new(core: Core) -> Self {");
        c.indent().line(format!("{} {{ core }}", g.class)).dedent();
        c.line("}");
        for (op, m, b) in &ops {
            self.op_method(&mut c, op, m, b);
        }
        c.dedent();
        c.line("}");
        for (op, _, b) in &ops {
            self.builder(&mut c, op, b);
        }
        let body = c.finish();
        let mut head = Code::new("    ");
        head.line(format!(
            "//! Operations tagged `{}` (generated by sigwire-gen; do not edit).",
            g.key.replace('\n', " ")
        ));
        head.line("");
        if body.contains("support::") {
            head.line("use crate::support::{self, Call, Core, RequestOptions};");
        } else {
            head.line("use crate::support::{Call, Core, RequestOptions};");
        }
        head.line("use crate::Error;");
        head.line("");
        head.finish() + &body
    }

    /// The builder's fields: (field name, Rust type, required, param index or None for the body).
    fn fields(&self, op: &Operation) -> Vec<(String, String, bool, Option<usize>)> {
        let mut scope = Scope::new();
        for n in [
            "core",
            "options",
            "page_token",
            "send",
            "send_raw",
            "stream",
            "header",
            "idempotency_key",
            "timeout",
            "clone",
            "fmt",
            "new",
            "body",
        ] {
            scope.reserve(n);
        }
        let mut out = Vec::new();
        for (i, p) in op.params.iter().enumerate() {
            let name = scope.claim(&snake_ident(&p.name, "param"));
            let ty = self.ty(&p.ty, "crate::models::", None);
            let required = p.required || p.location == ParamLocation::Path;
            out.push((name, ty, required, Some(i)));
        }
        if let Some(b) = &op.body {
            let ty = match b.encoding {
                BodyEncoding::Binary => "Vec<u8>".to_owned(),
                BodyEncoding::Text => "String".to_owned(),
                BodyEncoding::Multipart => "crate::Multipart".to_owned(),
                BodyEncoding::Json | BodyEncoding::Form => self.ty(&b.ty, "crate::models::", None),
            };
            out.push(("body".to_owned(), ty, b.required, None));
        }
        out
    }

    /// The success type and how it is decoded (`json`, `option`, `text`, `binary`, `none`).
    fn success(&self, op: &Operation) -> (String, &'static str) {
        let mut types: Vec<String> = Vec::new();
        let mut empty = false;
        let mut kind = "json";
        for r in op.responses.iter().filter(|r| r.status.is_success()) {
            match &r.body {
                Some((enc, t)) => {
                    let (name, k) = match enc {
                        BodyEncoding::Text => ("String".to_owned(), "text"),
                        BodyEncoding::Binary => ("Vec<u8>".to_owned(), "binary"),
                        _ => (self.ty(t, "crate::models::", None), "json"),
                    };
                    if !types.contains(&name) {
                        types.push(name);
                    }
                    kind = k;
                }
                None => empty = true,
            }
        }
        match types.len() {
            0 => ("()".to_owned(), "none"),
            1 if kind != "json" => (types.remove(0), kind),
            1 if empty && !types[0].starts_with("Option<") && types[0] != "serde_json::Value" => {
                (format!("Option<{}>", types[0]), "json")
            }
            1 => (types.remove(0), "json"),
            _ => ("serde_json::Value".to_owned(), "json"),
        }
    }

    fn op_doc(&self, c: &mut Code, op: &Operation) {
        let mut text = String::new();
        if let Some(s) = op.summary.as_deref().or(op.doc.as_deref()) {
            text.push_str(s.trim());
        }
        if let (Some(d), Some(_)) = (op.doc.as_deref(), op.summary.as_deref()) {
            text.push_str("\n\n");
            text.push_str(d.trim());
        }
        let how = match op.signing {
            Signing::Unsigned => "unsigned".to_owned(),
            Signing::Signed(i) => format!("signed with {}", self.api.signing_schemes[i].scheme),
        };
        let errors: Vec<String> = op
            .responses
            .iter()
            .filter(|r| !r.status.is_success())
            .filter_map(|r| match &r.body {
                Some((_, TypeRef::Named(id))) => Some(format!("`crate::models::{}`", self.type_names[id.0])),
                _ => None,
            })
            .fold(Vec::new(), |mut acc, e| {
                if !acc.contains(&e) {
                    acc.push(e);
                }
                acc
            });
        let _ = write!(
            text,
            "\n\n`{} {}` ({how}). A 4xx/5xx answer is `Error::Api` (status, headers, parsed body",
            op.method,
            op.path.replace('`', "'")
        );
        if errors.is_empty() {
            text.push_str(").");
        } else {
            let _ = write!(text, "; `ApiError::body_as` reads it as {}).", errors.join(" or "));
        }
        doc(c, &text);
        if op.deprecated {
            c.line("#[deprecated]");
        }
    }

    fn op_method(&self, c: &mut Code, op: &Operation, method: &str, builder: &str) {
        let fields = self.fields(op);
        c.line("");
        self.op_doc(c, op);
        let mut args = vec!["&self".to_owned()];
        let mut inits = vec!["core: self.core.clone()".to_owned(), "options: RequestOptions::default()".to_owned()];
        if op.pagination.is_some() {
            inits.push("page_token: None".to_owned());
        }
        for (name, ty, required, _) in &fields {
            if *required {
                if ty == "String" || ty == "Vec<u8>" {
                    args.push(format!("{name}: impl Into<{ty}>"));
                    inits.push(format!("{name}: {name}.into()"));
                } else {
                    args.push(format!("{name}: {ty}"));
                    inits.push(name.clone());
                }
            } else {
                inits.push(format!("{name}: None"));
            }
        }
        c.line(format!("pub fn {method}({}) -> {builder} {{", args.join(", ")));
        c.indent();
        c.line(format!("{builder} {{"));
        c.indent();
        for i in &inits {
            c.line(format!("{i},"));
        }
        c.dedent().line("}");
        c.dedent().line("}");
    }

    fn builder(&self, c: &mut Code, op: &Operation, builder: &str) {
        let fields = self.fields(op);
        let (ret, kind) = self.success(op);
        let opid = lit(&op.id);
        c.line("");
        c.line(format!("/// The `{}` call: set optional parameters, then `send()`.", op.id.replace('`', "'")));
        c.line("#[derive(Debug, Clone)]");
        c.line("#[must_use = \"a request does nothing until `send` is awaited\"]");
        c.line(format!("pub struct {builder} {{"));
        c.indent();
        c.line("core: Core,");
        c.line("options: RequestOptions,");
        if op.pagination.is_some() {
            c.line("page_token: Option<serde_json::Value>,");
        }
        for (name, ty, required, _) in &fields {
            if *required {
                c.line(format!("{name}: {ty},"));
            } else {
                c.line(format!("{name}: Option<{ty}>,"));
            }
        }
        c.dedent();
        c.line("}");
        c.line("");
        c.line(format!("impl {builder} {{"));
        c.indent();
        for (name, ty, required, idx) in &fields {
            if *required {
                continue;
            }
            let text = match idx {
                Some(i) => {
                    let p = &op.params[*i];
                    let mut t = p.doc.clone().unwrap_or_default();
                    if t.trim().is_empty() {
                        t = format!("The `{}` parameter.", p.name.replace('`', "'"));
                    }
                    t
                }
                None => op.body.as_ref().and_then(|b| b.doc.clone()).unwrap_or_else(|| "The request body.".to_owned()),
            };
            doc(c, &text);
            if idx.is_some_and(|i| op.params[i].deprecated) {
                c.line("#[deprecated]");
            }
            if ty == "String" || ty == "Vec<u8>" {
                c.line(format!("pub fn {name}(mut self, value: impl Into<{ty}>) -> Self {{"));
                c.indent().line(format!("self.{name} = Some(value.into());")).line("self").dedent();
            } else {
                c.line(format!("pub fn {name}(mut self, value: {ty}) -> Self {{"));
                c.indent().line(format!("self.{name} = Some(value);")).line("self").dedent();
            }
            c.line("}");
            c.line("");
        }
        c.lines(OPTION_METHODS);
        c.line("");
        c.line("/// Sends the call and decodes the answer.");
        c.line(format!("pub async fn send(self) -> Result<{ret}, Error> {{"));
        c.indent();
        match kind {
            "none" => {
                c.line("self.send_raw().await?;");
                c.line("Ok(())");
            }
            "text" => {
                c.line("let response = self.send_raw().await?;");
                c.line(format!("support::text({opid}, &response)"));
            }
            "binary" => {
                c.line("let response = self.send_raw().await?;");
                c.line("Ok(response.into_bytes().to_vec())");
            }
            _ => {
                c.line("let response = self.send_raw().await?;");
                c.line(format!("support::decode({opid}, &response)"));
            }
        }
        c.dedent().line("}");
        c.line("");
        c.line("/// Sends the call; the response undecoded.");
        c.line("async fn send_raw(self) -> Result<sigwire_client::Response, Error> {");
        c.indent();
        let signed = match op.signing {
            Signing::Unsigned => "None".to_owned(),
            Signing::Signed(i) => format!("Some({i})"),
        };
        c.line(format!("let mut call = Call::new({}, {opid}, {signed});", lit(&op.method)));
        for piece in path_pieces(&op.path) {
            match piece {
                PathPiece::Literal(text) => {
                    c.line(format!("call.path({});", lit(text)));
                }
                PathPiece::Param { name, raw } => {
                    let found = op
                        .params
                        .iter()
                        .zip(&fields)
                        .find(|(p, _)| p.location == ParamLocation::Path && p.name == name);
                    match found {
                        Some((p, f)) => {
                            c.line(format!(
                                "call.path_param({}, &self.{}, {}, {})?;",
                                lit(&p.name),
                                f.0,
                                lit(super::style_name(p.style)),
                                p.explode
                            ));
                        }
                        None => {
                            c.line(format!("call.path({});", lit(raw)));
                        }
                    }
                }
            }
        }
        let mut cookies = false;
        for (p, f) in op.params.iter().zip(&fields) {
            match p.location {
                ParamLocation::Path => {}
                ParamLocation::Query => {
                    c.line(format!(
                        "call.query({}, &self.{}, {}, {})?;",
                        lit(&p.name),
                        f.0,
                        lit(super::style_name(p.style)),
                        p.explode
                    ));
                }
                ParamLocation::Header => {
                    c.line(format!("call.header({}, &self.{}, {})?;", lit(&p.name), f.0, p.explode));
                }
                ParamLocation::Cookie => {
                    cookies = true;
                    c.line(format!("call.cookie({}, &self.{}, {})?;", lit(&p.name), f.0, p.explode));
                }
            }
        }
        if cookies {
            c.line("call.finish_cookies();");
        }
        if let Some(p) = &op.pagination {
            match &p.style {
                PageStyle::NextLink { .. } => {
                    c.line("if let Some(serde_json::Value::String(url)) = &self.page_token {");
                    c.indent().line("call.url(url);").dedent();
                    c.line("}");
                }
                PageStyle::Cursor { param, .. } | PageStyle::Offset { param, .. } | PageStyle::Page { param, .. } => {
                    c.line("if let Some(token) = &self.page_token {");
                    c.indent().line(format!("call.set_query({}, token);", lit(param))).dedent();
                    c.line("}");
                }
            }
        }
        if let Some(b) = &op.body {
            let ct = lit(&b.content_type);
            let (open, value, close) = if b.required {
                (None, "self.body".to_owned(), None)
            } else {
                (Some("if let Some(body) = self.body {"), "body".to_owned(), Some("}"))
            };
            if let Some(o) = open {
                c.line(o);
                c.indent();
            }
            match b.encoding {
                BodyEncoding::Json => c.line(format!("call.json(&{value}, {ct})?;")),
                BodyEncoding::Form => c.line(format!("call.form(&{value}, {ct})?;")),
                BodyEncoding::Multipart => c.line(format!("call.multipart(&{value});")),
                BodyEncoding::Binary | BodyEncoding::Text => c.line(format!("call.raw({value}, {ct});")),
            };
            if let Some(cl) = close {
                c.dedent();
                c.line(cl);
            }
        }
        c.line("self.core.send(call, self.options).await");
        c.dedent().line("}");
        if let Some(p) = &op.pagination {
            self.stream(c, op, p, &fields);
        }
        c.dedent();
        c.line("}");
    }

    fn stream(
        &self,
        c: &mut Code,
        op: &Operation,
        p: &crate::ir::Pagination,
        fields: &[(String, String, bool, Option<usize>)],
    ) {
        let item = self.ty(&p.item_ty, "crate::models::", None);
        let opid = lit(&op.id);
        let field_of = |param: &str| {
            op.params
                .iter()
                .zip(fields)
                .find(|(q, _)| q.name == param && q.location == ParamLocation::Query)
                .map(|(_, f)| f.0.clone())
        };
        let path = |v: &[String]| v.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ");
        let (style, start_param) = match &p.style {
            PageStyle::Cursor { param, next } => {
                (format!("support::PageStyle::Cursor {{ next: &[{}] }}", path(next)), field_of(param))
            }
            PageStyle::Offset { param, limit } => {
                let size = match limit.as_deref().and_then(field_of) {
                    Some(f) => format!("support::to_value({opid}, &self.{f}).ok().and_then(|v| v.as_u64())"),
                    None => "None".to_owned(),
                };
                (format!("support::PageStyle::Offset {{ size: {size} }}"), field_of(param))
            }
            PageStyle::Page { param, start } => {
                (format!("support::PageStyle::Page {{ start: {start} }}"), field_of(param))
            }
            PageStyle::NextLink { next } => {
                (format!("support::PageStyle::NextLink {{ next: &[{}] }}", path(next)), None)
            }
        };
        c.line("");
        c.line("/// Every item of every page, as a `Stream` (one call per page; an error ends the stream).");
        c.line(format!("pub fn stream(self) -> impl futures_util::Stream<Item = Result<{item}, Error>> {{"));
        c.indent();
        c.line(format!("let style = {style};"));
        match start_param {
            Some(f) => {
                c.line(format!("let start = support::to_value({opid}, &self.{f}).ok().filter(|v| !v.is_null());"))
            }
            None => c.line("let start = None;"),
        };
        c.line(format!("support::paginate({opid}, style, &[{}], start, move |token| {{", path(&p.items)));
        c.indent();
        c.line("let mut page = self.clone();");
        c.line("page.page_token = token;");
        c.line("page.send_raw()");
        c.dedent();
        c.line("})");
        c.dedent();
        c.line("}");
    }

    fn readme(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# {} — Rust SDK\n", self.api.title);
        if let Some(d) = &self.api.description {
            let _ = writeln!(s, "{}\n", d.trim());
        }
        let _ = writeln!(
            s,
            "Generated by `sigwire-gen` (API version {}). Requests are signed by `sigwire-client`.\n",
            self.api.version
        );
        let _ = writeln!(s, "## Use\n\n```rust,no_run\n# async fn demo() -> Result<(), {}::Error> {{", self.lib_name);
        let _ = writeln!(
            s,
            "let client = {}::Client::from_env()?; // {e}_KEY_ID / {e}_SECRET / {e}_BASE_URL\n# let _ = client; Ok(()) }}\n```\n",
            self.lib_name,
            e = self.env
        );
        let _ = writeln!(s, "## Operations\n");
        for g in &self.groups {
            let _ = writeln!(s, "### `client.{}()`\n", g.module);
            let mut methods = Scope::new();
            for n in ["new", "core", "clone", "fmt"] {
                methods.reserve(n);
            }
            for &i in &g.ops {
                let op = &self.api.operations[i];
                let m = methods.claim(&snake_ident(&op.method_name, "call"));
                let signed = if matches!(op.signing, Signing::Unsigned) { " (unsigned)" } else { "" };
                let paged = if op.pagination.is_some() { "; `.stream()` walks every page" } else { "" };
                let _ = writeln!(
                    s,
                    "- `{m}(…)…send().await` — `{} {}`{signed}{paged}: {}",
                    op.method,
                    op.path,
                    op.summary.as_deref().unwrap_or("").trim().replace('\n', " ")
                );
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(
            s,
            "## Errors\n\nA 4xx/5xx answer is `Error::Api` (`status`, `headers`, parsed `body`); transport and signature"
        );
        let _ = writeln!(s, "failures are `Error::Runtime` (the `sigwire_client::Error`).");
        s
    }
}

fn field_doc(c: &mut Code, f: &Field) {
    let mut lines: Vec<String> = Vec::new();
    if let Some(d) = &f.doc {
        if !d.trim().is_empty() {
            lines.push(d.trim().to_owned());
        }
    }
    if lines.is_empty() {
        lines.push(format!("`{}`.", f.name.replace('`', "'")));
    }
    if f.read_only {
        lines.push("Read-only: sent by the server.".into());
    }
    if f.write_only {
        lines.push("Write-only: sent by the client.".into());
    }
    if let Some(d) = &f.default {
        let text: String = d.to_string().chars().take(80).collect();
        lines.push(format!("Default: `{}`.", text.replace('`', "'")));
    }
    doc(c, &lines.join("\n\n"));
}

/// A variant name for an enum value.
fn variant_name(v: &Value) -> String {
    match v {
        Value::String(s) => pascal_ident(s, "Empty"),
        Value::Number(n) => {
            let t = n.to_string().replace('-', "Minus").replace(['.', '+'], "_");
            format!("V{t}")
        }
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Null => "Null".into(),
        _ => "Value".into(),
    }
}

/// An expression building the JSON value `v`.
fn value_expr(v: &Value) -> String {
    match v {
        Value::String(s) => format!("serde_json::Value::String({}.to_owned())", lit(s)),
        Value::Number(n) if n.is_i64() => format!("serde_json::Value::from({n}_i64)"),
        Value::Number(n) if n.is_u64() => format!("serde_json::Value::from({n}_u64)"),
        Value::Number(n) => {
            let f = n.as_f64().unwrap_or(0.0);
            format!("serde_json::Value::from({f:?}_f64)")
        }
        Value::Bool(b) => format!("serde_json::Value::Bool({b})"),
        _ => "serde_json::Value::Null".into(),
    }
}

fn open_enum(c: &mut Code, name: &str, values: &[Value]) {
    let unique = super::enum_scalars(values);
    let strings = unique.iter().all(|v| v.is_string());
    let mut scope = Scope::new();
    scope.reserve("Other");
    let variants: Vec<(String, &Value)> = unique.iter().map(|v| (scope.claim(&variant_name(v)), *v)).collect();
    if strings {
        c.line("#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]");
    } else {
        c.line("#[derive(Debug, Clone, PartialEq)]");
    }
    c.line(format!("pub enum {name} {{"));
    c.indent();
    for (vname, v) in &variants {
        c.line(format!("/// `{}`", v.to_string().replace('`', "'").chars().take(120).collect::<String>()));
        c.line(format!("{vname},"));
    }
    c.line("/// A value this client does not know.");
    c.line(if strings { "Other(String)," } else { "Other(serde_json::Value)," });
    c.dedent();
    c.line("}");
    c.line("");
    if strings {
        c.line(format!("impl {name} {{"));
        c.indent();
        c.line("/// The wire value.");
        c.line("pub fn as_str(&self) -> &str {");
        c.indent().line("match self {").indent();
        for (vname, v) in &variants {
            c.line(format!("{name}::{vname} => {},", lit(v.as_str().unwrap_or(""))));
        }
        c.line(format!("{name}::Other(value) => value,"));
        c.dedent().line("}").dedent().line("}");
        c.dedent().line("}");
        c.line("");
        c.line(format!("impl From<&str> for {name} {{"));
        c.indent().line("fn from(value: &str) -> Self {").indent().line("match value {").indent();
        for (vname, v) in &variants {
            c.line(format!("{} => {name}::{vname},", lit(v.as_str().unwrap_or(""))));
        }
        c.line(format!("other => {name}::Other(other.to_owned()),"));
        c.dedent().line("}").dedent().line("}").dedent().line("}");
        c.line("");
        c.line(format!("impl std::fmt::Display for {name} {{"));
        c.indent().line("fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {");
        c.indent().line("f.write_str(self.as_str())").dedent().line("}").dedent().line("}");
        c.line("");
        c.line(format!("impl serde::Serialize for {name} {{"));
        c.indent().line("fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
        c.indent().line("serializer.serialize_str(self.as_str())").dedent().line("}").dedent().line("}");
        c.line("");
        c.line(format!("impl<'de> serde::Deserialize<'de> for {name} {{"));
        c.indent().line("fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
        c.indent().line("let value = <String as serde::Deserialize>::deserialize(deserializer)?;");
        c.line(format!("Ok({name}::from(value.as_str()))"));
        c.dedent().line("}").dedent().line("}");
    } else {
        c.line(format!("impl {name} {{"));
        c.indent();
        c.line("/// The wire value.");
        c.line("pub fn to_value(&self) -> serde_json::Value {");
        c.indent().line("match self {").indent();
        for (vname, v) in &variants {
            c.line(format!("{name}::{vname} => {},", value_expr(v)));
        }
        c.line(format!("{name}::Other(value) => value.clone(),"));
        c.dedent().line("}").dedent().line("}");
        c.line("");
        c.line("/// The known value equal to `value`, else `Other`.");
        c.line("pub fn from_value(value: serde_json::Value) -> Self {");
        c.indent();
        let all: Vec<String> = variants.iter().map(|(v, _)| format!("{name}::{v}")).collect();
        c.line(format!("for known in [{}] {{", all.join(", ")));
        c.indent().line("if known.to_value() == value {").indent().line("return known;").dedent().line("}").dedent();
        c.line("}");
        c.line(format!("{name}::Other(value)"));
        c.dedent().line("}");
        c.dedent().line("}");
        c.line("");
        c.line(format!("impl serde::Serialize for {name} {{"));
        c.indent().line("fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {");
        c.indent()
            .line("serde::Serialize::serialize(&self.to_value(), serializer)")
            .dedent()
            .line("}")
            .dedent()
            .line("}");
        c.line("");
        c.line(format!("impl<'de> serde::Deserialize<'de> for {name} {{"));
        c.indent().line("fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {");
        c.indent().line("let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;");
        c.line(format!("Ok({name}::from_value(value))"));
        c.dedent().line("}").dedent().line("}");
    }
}

/// Per-call option methods of every request builder.
const OPTION_METHODS: &str = "/// Adds a header to this call.
pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
    self.options.headers.push((name.into(), value.into()));
    self
}

/// The `Idempotency-Key` of this call (the runtime generates one for POST/PATCH otherwise).
pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
    self.options.idempotency_key = Some(key.into());
    self
}

/// The time limit of each attempt of this call.
pub fn timeout(mut self, limit: std::time::Duration) -> Self {
    self.options.timeout = Some(limit);
    self
}";

const CLIENT_BUILDER: &str =
    "/// Builds a [`Client`]. Unset values come from the environment (see [`Client::from_env`]).
#[derive(Clone, Default)]
pub struct ClientBuilder {
    base_url: Option<String>,
    key_id: Option<String>,
    secret: Option<Vec<u8>>,
    configure: Option<support::Configure>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(\"ClientBuilder\")
            .field(\"base_url\", &self.base_url)
            .field(\"key_id\", &self.key_id)
            .field(\"secret\", &self.secret.as_ref().map(|_| \"<redacted>\"))
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The base URL, e.g. `https://api.example.com/v1`.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The key id and secret; the secret goes to the runtime, which never prints it.
    #[must_use]
    pub fn credentials(mut self, key_id: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        self.key_id = Some(key_id.into());
        self.secret = Some(secret.into());
        self
    }

    /// Adjusts the runtime (`sigwire_client::ClientBuilder`: retry policy, timeouts, default headers).
    #[must_use]
    pub fn configure(
        mut self,
        f: impl Fn(sigwire_client::ClientBuilder) -> sigwire_client::ClientBuilder + Send + Sync + 'static,
    ) -> Self {
        self.configure = Some(std::sync::Arc::new(f));
        self
    }

    /// The client. Without credentials only unsigned operations work; signed ones fail with
    /// `Error::MissingCredentials`.
    pub fn build(self) -> Result<Client, Error> {
        let core = support::Core::new(
            self.base_url,
            self.key_id,
            self.secret,
            self.configure,
            SCHEMES,
            DEFAULT_BASE_URL,
            ENV_PREFIX,
        )?;
        Ok(Client { core })
    }
}";
