//! The Swift emitter: a Swift package over the Sigwire Swift SDK (module `Sigwire`, whose
//! `HttpClient.requestAsync` signs, retries and corrects the clock).
//!
//! Layout: `Package.swift`, `README.md`, `Sources/<Module>/Client.swift` (the `Client`),
//! `Models.swift` (Codable structs, open enums with an `other` case, unions as enums with
//! associated values), `Support.swift` (parameter serialisation, errors, the page walker; the
//! same for every API) and `Resources/<Tag>.swift` (`async throws` methods, one per operation,
//! and `AsyncThrowingStream` walkers for paginated ones).
//!
//! No Swift compiler runs here: gen/corpus/check-swift parses every file with the tree-sitter
//! Swift grammar and checks that every type it references is declared (gen/docs/swift.md).

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use super::rust::{components, refs};
use super::{path_pieces, plain_version, Code, File, Options, PathPiece};
use crate::ir::{Api, BodyEncoding, Field, Operation, PageStyle, ParamLocation, Signing, TypeKind, TypeRef};
use crate::naming::{self, Scope};

const SUPPORT: &str = include_str!("support/swift_support.swift");

/// Swift keywords: identifiers spelled like these are written in backticks.
const KEYWORDS: &[&str] = &[
    "associatedtype",
    "class",
    "deinit",
    "enum",
    "extension",
    "fileprivate",
    "func",
    "import",
    "init",
    "inout",
    "internal",
    "let",
    "open",
    "operator",
    "private",
    "precedencegroup",
    "protocol",
    "public",
    "rethrows",
    "static",
    "struct",
    "subscript",
    "typealias",
    "var",
    "break",
    "case",
    "catch",
    "continue",
    "default",
    "defer",
    "do",
    "else",
    "fallthrough",
    "for",
    "guard",
    "if",
    "in",
    "repeat",
    "return",
    "throw",
    "switch",
    "where",
    "while",
    "Any",
    "as",
    "await",
    "false",
    "is",
    "nil",
    "self",
    "Self",
    "super",
    "throws",
    "true",
    "try",
    "async",
    "Type",
    "Protocol",
    "some",
    "any",
];

/// Type names a model must not take (standard library, Foundation, the SDK, the support file).
const TAKEN_TYPES: &[&str] = &[
    "String",
    "Int",
    "Double",
    "Bool",
    "Data",
    "Date",
    "URL",
    "Array",
    "Dictionary",
    "Optional",
    "Set",
    "Error",
    "Result",
    "Codable",
    "Decodable",
    "Encodable",
    "Hashable",
    "Sendable",
    "Any",
    "AnyObject",
    "Type",
    "Protocol",
    "Self",
    "Task",
    "Character",
    "Float",
    "Decoder",
    "Encoder",
    "CodingKey",
    "CodingKeys",
    "JSONValue",
    "Indirect",
    "ApiError",
    "ClientError",
    "RequestOptions",
    "RawResponse",
    "Scheme",
    "Multipart",
    "Call",
    "Core",
    "PageStyle",
    "Client",
    "HttpClient",
    "HttpClientOptions",
    "Header",
    "SigwireError",
    "Signer",
    "Verifier",
    "KeyStore",
    "AsyncThrowingStream",
    "Foundation",
    "Sigwire",
    "URLRequest",
    "URLSession",
    "TimeInterval",
    "UUID",
    "CharacterSet",
    "JSONEncoder",
    "JSONDecoder",
    "ProcessInfo",
    "HTTPURLResponse",
    "Hasher",
    "Never",
    "Void",
];

/// Generates the package.
pub fn generate(api: &Api, options: &Options) -> Vec<File> {
    let sw = Sw::new(api, options);
    let src = format!("Sources/{}", sw.module);
    let mut files = vec![
        File { path: "Package.swift".into(), content: sw.package() },
        File { path: "README.md".into(), content: sw.readme() },
        File { path: PathBuf::from(format!("{src}/Client.swift")), content: sw.client() },
        File { path: PathBuf::from(format!("{src}/Models.swift")), content: sw.models() },
        File { path: PathBuf::from(format!("{src}/Support.swift")), content: SUPPORT.to_owned() },
    ];
    for g in &sw.groups {
        files.push(File { path: PathBuf::from(format!("{src}/Resources/{}.swift", g.class)), content: sw.resource(g) });
    }
    files
}

struct Group {
    key: String,
    prop: String,
    class: String,
    ops: Vec<usize>,
}

struct Sw<'a> {
    api: &'a Api,
    module: String,
    version: String,
    env: String,
    type_names: Vec<String>,
    scc: Vec<usize>,
    /// Aliases in a cycle of aliases: emitted as `JSONValue` (a typealias cannot be recursive).
    cyclic_alias: Vec<bool>,
    groups: Vec<Group>,
}

/// An identifier: `camel` words, backticked when it is a keyword, `_`-prefixed after a digit.
fn ident(name: &str, fallback: &str) -> String {
    let s = naming::camel(name);
    let s = if s.is_empty() { fallback.to_owned() } else { s };
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) { format!("_{s}") } else { s };
    s
}

fn escape(id: &str) -> String {
    if KEYWORDS.contains(&id) {
        format!("`{id}`")
    } else {
        id.to_owned()
    }
}

fn type_ident(name: &str, fallback: &str) -> String {
    let s = naming::pascal(name);
    let s = if s.is_empty() { fallback.to_owned() } else { s };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{s}")
    } else {
        s
    }
}

/// A Swift string literal (JSON escapes are valid Swift, except `\/` which JSON never writes,
/// and `\u` which Swift spells `\u{…}`).
fn lit(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn doc(c: &mut Code, text: &str) {
    for line in text.trim().lines() {
        let clean: String = line.chars().filter(|c| !c.is_control()).collect();
        let clean = clean.trim_end();
        if clean.is_empty() {
            c.line("///");
        } else {
            c.line(format!("/// {clean}"));
        }
    }
}

impl<'a> Sw<'a> {
    fn new(api: &'a Api, options: &Options) -> Self {
        let words = naming::words(options.name.as_deref().unwrap_or(&api.title));
        let words = if words.is_empty() { vec!["api".to_owned()] } else { words };
        let mut module = type_ident(&words.join(" "), "Api");
        if TAKEN_TYPES.contains(&module.as_str()) {
            module.push_str("API");
        }
        let version =
            options.version.clone().or_else(|| plain_version(&api.version)).unwrap_or_else(|| "0.0.0".to_owned());
        let env = words.join("_").to_ascii_uppercase();
        let mut scope = Scope::new();
        for t in TAKEN_TYPES {
            scope.reserve(t);
        }
        scope.reserve(&module);
        let type_names: Vec<String> = api.types.iter().map(|t| scope.claim(&type_ident(&t.name, "Type"))).collect();

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
                TypeKind::Alias(t) => {
                    refs(t, true, &mut inline[i]);
                    let mut all = Vec::new();
                    refs(t, false, &mut all);
                    alias_edges[i] =
                        all.into_iter().filter(|&j| matches!(api.types[j].kind, TypeKind::Alias(_))).collect();
                }
                // Unions are `indirect` enums: their payloads are boxed already.
                TypeKind::Union(_) | TypeKind::Enum(_) => {}
            }
        }
        let scc = components(&inline);
        let alias_scc = components(&alias_edges);
        let cyclic_alias = (0..n)
            .map(|i| {
                matches!(api.types[i].kind, TypeKind::Alias(_))
                    && (alias_edges[i].contains(&i) || (0..n).any(|j| j != i && alias_scc[j] == alias_scc[i]))
            })
            .collect();

        let mut groups: Vec<Group> = Vec::new();
        let mut props = Scope::new();
        for r in ["baseURL", "keyId", "core", "init", "description"] {
            props.reserve(r);
        }
        let mut classes = scope.clone();
        for (i, op) in api.operations.iter().enumerate() {
            if let Some(g) = groups.iter_mut().find(|g| g.key == op.group) {
                g.ops.push(i);
                continue;
            }
            let prop = props.claim(&ident(&op.group, "default"));
            let class = classes.claim(&format!("{}Resource", type_ident(&op.group, "Default")));
            groups.push(Group { key: op.group.clone(), prop, class, ops: vec![i] });
        }
        Sw { api, module, version, env, type_names, scc, cyclic_alias, groups }
    }

    fn ty(&self, t: &TypeRef, owner: Option<usize>) -> String {
        match t {
            TypeRef::Any | TypeRef::Null => "JSONValue".into(),
            TypeRef::String(_) | TypeRef::Binary => "String".into(),
            TypeRef::Integer => "Int".into(),
            TypeRef::Number => "Double".into(),
            TypeRef::Boolean => "Bool".into(),
            TypeRef::Const(v) => match v {
                Value::String(_) => "String".into(),
                Value::Bool(_) => "Bool".into(),
                Value::Number(n) if n.is_i64() => "Int".into(),
                Value::Number(_) => "Double".into(),
                _ => "JSONValue".into(),
            },
            TypeRef::Array(inner) => format!("[{}]", self.ty(inner, None)),
            TypeRef::Map(inner) => format!("[String: {}]", self.ty(inner, None)),
            TypeRef::Nullable(inner) => match inner.as_ref() {
                TypeRef::Any | TypeRef::Null => "JSONValue".into(),
                TypeRef::Nullable(_) => self.ty(inner, owner),
                other => {
                    let t = self.ty(other, owner);
                    if t.ends_with('?') {
                        t
                    } else {
                        format!("{t}?")
                    }
                }
            },
            TypeRef::Named(id) => {
                let name = self.type_names[id.0].clone();
                match owner {
                    Some(o) if self.scc[o] == self.scc[id.0] => format!("Indirect<{name}>"),
                    _ => name,
                }
            }
        }
    }

    fn package(&self) -> String {
        let mut c = Code::new("    ");
        c.line("// swift-tools-version:5.9");
        c.line(format!(
            "// The {} package (generated by sigwire-gen; do not edit).",
            self.api.title.replace('\n', " ")
        ));
        c.line("// `Sigwire` is the Swift SDK laid out by sdk-swift/build-xcframework.sh (build/swift/Sigwire).");
        c.line("import PackageDescription");
        c.line("");
        c.line("let package = Package(");
        c.indent();
        c.line(format!("name: {},", lit(&self.module)));
        c.line("platforms: [.iOS(.v15), .macOS(.v12)],");
        c.line(format!("products: [.library(name: {m}, targets: [{m}])],", m = lit(&self.module)));
        c.line("dependencies: [.package(name: \"Sigwire\", path: \"../Sigwire\")],");
        c.line("targets: [");
        c.indent();
        c.line(format!(
            ".target(name: {}, dependencies: [.product(name: \"Sigwire\", package: \"Sigwire\")]),",
            lit(&self.module)
        ));
        c.dedent();
        c.line("]");
        c.dedent();
        c.line(")");
        c.finish()
    }

    fn client(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!("// The {} client (generated by sigwire-gen; do not edit).", self.api.title.replace('\n', " ")));
        c.line("import Foundation");
        c.line("import Sigwire");
        c.line("");
        let default = self.api.servers.first().filter(|s| s.starts_with("http://") || s.starts_with("https://"));
        c.line(format!(
            "private let defaultBaseURL: String? = {}",
            default.map(|s| lit(s)).unwrap_or_else(|| "nil".into())
        ));
        let schemes: Vec<String> = self
            .api
            .signing_schemes
            .iter()
            .map(|s| {
                let hs: Vec<String> = s.signed_headers.iter().map(|h| lit(h)).collect();
                format!("Scheme(algorithm: {}, signedHeaders: [{}])", lit(&s.algorithm), hs.join(", "))
            })
            .collect();
        c.line(format!("private let schemes: [Scheme] = [{}]", schemes.join(", ")));
        c.line("");
        c.line(format!(
            "/// The {} client. Signed operations are signed by the Sigwire SDK.",
            self.api.title.replace('\n', " ")
        ));
        c.line(format!(
            "/// `keyId`/`secret` default to `{e}_KEY_ID`/`{e}_SECRET`, `baseURL` to `{e}_BASE_URL` or the first server.",
            e = self.env
        ));
        c.line("public final class Client: @unchecked Sendable {");
        c.indent();
        c.line("let core: Core");
        c.line("");
        c.line("/// A client; without credentials only unsigned operations work.");
        c.line("/// `configure` adjusts the SDK's `HttpClientOptions` (timeouts, retries, default headers).");
        c.line("public init(baseURL: String? = nil, keyId: String? = nil, secret: Data? = nil,");
        c.line("            configure: ((inout HttpClientOptions) -> Void)? = nil) throws {");
        c.indent();
        c.line(format!(
            "core = try Core(baseURL: baseURL, keyId: keyId, secret: secret, schemes: schemes, defaultBaseURL: defaultBaseURL, envPrefix: {}, configure: configure)",
            lit(&self.env)
        ));
        c.dedent();
        c.line("}");
        c.line("");
        c.line("/// The base URL requests go to.");
        c.line("public var baseURL: String { core.baseURL }");
        c.line("");
        c.line("/// The key id in use, if any (the secret is never kept here).");
        c.line("public var keyId: String? { core.keyId }");
        for g in &self.groups {
            c.line("");
            c.line(format!("/// Operations tagged `{}`.", g.key.replace('\n', " ")));
            c.line(format!("public var {}: {} {{ {}(core: core) }}", escape(&g.prop), g.class, g.class));
        }
        c.dedent();
        c.line("}");
        c.finish()
    }

    fn models(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!(
            "// Types of the {} (generated by sigwire-gen; do not edit).",
            self.api.title.replace('\n', " ")
        ));
        c.line("// Enums keep values this client does not know (`other`), so values added later never break it.");
        c.line("import Foundation");
        for (i, t) in self.api.types.iter().enumerate() {
            let name = &self.type_names[i];
            c.line("");
            if let Some(d) = &t.doc {
                doc(&mut c, d);
            }
            if t.deprecated {
                c.line("@available(*, deprecated)");
            }
            match &t.kind {
                TypeKind::Object(o) => self.object(&mut c, i, name, o),
                TypeKind::Enum(e) => open_enum(&mut c, name, &e.values),
                TypeKind::Union(u) => self.union(&mut c, name, u),
                TypeKind::Alias(target) => {
                    let rendered = match target {
                        TypeRef::Named(id) if id.0 == i => "JSONValue".to_owned(),
                        _ if self.cyclic_alias[i] => "JSONValue".to_owned(),
                        other => self.ty(other, None),
                    };
                    c.line(format!("public typealias {name} = {rendered}"));
                }
            }
        }
        c.finish()
    }

    fn object(&self, c: &mut Code, i: usize, name: &str, o: &crate::ir::ObjectType) {
        c.line(format!("public struct {name}: Codable, Hashable, Sendable {{"));
        c.indent();
        let mut scope = Scope::new();
        for r in ["init", "encode", "hash", "hashValue", "CodingKeys"] {
            scope.reserve(r);
        }
        let mut members: Vec<(String, String, String, bool)> = Vec::new();
        for f in &o.fields {
            let prop = scope.claim(&ident(&f.name, "field"));
            let mut ty = self.ty(&f.ty, Some(i));
            let optional = !f.required || f.write_only;
            if optional && !ty.ends_with('?') && ty != "JSONValue" {
                ty.push('?');
            }
            field_doc(c, f);
            c.line(format!("public var {}: {ty}", escape(&prop)));
            let defaulted = ty.ends_with('?');
            members.push((prop, ty, f.name.clone(), defaulted));
        }
        if !o.fields.is_empty() {
            c.line("");
        }
        let params: Vec<String> = members
            .iter()
            .map(|(p, t, _, d)| format!("{}: {t}{}", escape(p), if *d { " = nil" } else { "" }))
            .collect();
        c.line("/// A value with every field given (optional ones default to nil).");
        c.line(format!("public init({}) {{", params.join(", ")));
        c.indent();
        for (p, _, _, _) in &members {
            c.line(format!("self.{} = {}", escape(p), escape(p)));
        }
        c.dedent();
        c.line("}");
        if !members.is_empty() {
            c.line("");
            c.line("enum CodingKeys: String, CodingKey {");
            c.indent();
            for (p, _, wire, _) in &members {
                if p == wire {
                    c.line(format!("case {}", escape(p)));
                } else {
                    c.line(format!("case {} = {}", escape(p), lit(wire)));
                }
            }
            c.dedent();
            c.line("}");
        }
        c.dedent();
        c.line("}");
    }

    fn union(&self, c: &mut Code, name: &str, u: &crate::ir::UnionType) {
        let mut variants: Vec<(String, String, Vec<String>)> = Vec::new();
        let mut scope = Scope::new();
        scope.reserve("other");
        let mut seen_tags: Vec<String> = Vec::new();
        for v in &u.variants {
            let ty = self.ty(&v.ty, None);
            let ty = match ty.strip_suffix('?') {
                Some(inner) => format!("Optional<{inner}>"),
                None => ty,
            };
            let mut tags = Vec::new();
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
                TypeRef::String(_) | TypeRef::Binary => "string".into(),
                TypeRef::Integer => "integer".into(),
                TypeRef::Number => "number".into(),
                TypeRef::Boolean => "boolean".into(),
                TypeRef::Array(_) => "array".into(),
                TypeRef::Map(_) => "map".into(),
                _ => "value".into(),
            };
            variants.push((scope.claim(&ident(&base, "value")), ty, tags));
        }
        c.line(format!("public indirect enum {name}: Codable, Hashable, Sendable {{"));
        c.indent();
        for (v, ty, _) in &variants {
            c.line(format!("case {}({ty})", escape(v)));
        }
        c.line("/// A value no known variant matches (kept as JSON).");
        c.line("case other(JSONValue)");
        c.line("");
        c.line("public init(from decoder: Decoder) throws {");
        c.indent();
        let tagged = u.discriminator.as_ref().filter(|_| variants.iter().any(|v| !v.2.is_empty()));
        if let Some(prop) = tagged {
            c.line("let probe = try JSONValue(from: decoder)");
            c.line(format!("if case .string(let tag)? = probe[{}] {{", lit(prop)));
            c.indent();
            c.line("switch tag {");
            for (v, ty, tags) in &variants {
                if tags.is_empty() {
                    continue;
                }
                let pats: Vec<String> = tags.iter().map(|t| lit(t)).collect();
                c.line(format!("case {}:", pats.join(", ")));
                c.indent().line(format!("self = .{}(try {ty}(from: decoder))", escape(v))).line("return").dedent();
            }
            c.line("default:");
            c.indent().line("break").dedent();
            c.line("}");
            c.dedent();
            c.line("}");
        }
        for (v, ty, _) in &variants {
            c.line(format!("if let value = try? {ty}(from: decoder) {{"));
            c.indent().line(format!("self = .{}(value)", escape(v))).line("return").dedent();
            c.line("}");
        }
        c.line("self = .other(try JSONValue(from: decoder))");
        c.dedent();
        c.line("}");
        c.line("");
        c.line("public func encode(to encoder: Encoder) throws {");
        c.indent();
        c.line("switch self {");
        for (v, _, _) in &variants {
            c.line(format!("case .{}(let value):", escape(v)));
            c.indent().line("try value.encode(to: encoder)").dedent();
        }
        c.line("case .other(let value):");
        c.indent().line("try value.encode(to: encoder)").dedent();
        c.line("}");
        c.dedent();
        c.line("}");
        c.dedent();
        c.line("}");
    }

    fn resource(&self, g: &Group) -> String {
        let mut c = Code::new("    ");
        c.line(format!("// Operations tagged `{}` (generated by sigwire-gen; do not edit).", g.key.replace('\n', " ")));
        c.line("import Foundation");
        c.line("");
        c.line(format!("/// Operations tagged `{}`.", g.key.replace('\n', " ")));
        c.line(format!("public struct {}: Sendable {{", g.class));
        c.indent();
        c.line("let core: Core");
        let mut methods = Scope::new();
        for r in ["core", "init"] {
            methods.reserve(r);
        }
        for &i in &g.ops {
            let op = &self.api.operations[i];
            let name = methods.claim(&ident(&op.method_name, "call"));
            let all = op.pagination.as_ref().map(|_| methods.claim(&format!("{name}All")));
            let raw = methods.claim(&format!("{name}Raw"));
            self.operation(&mut c, op, &name, &raw);
            if let (Some(all), Some(p)) = (all, &op.pagination) {
                self.walker(&mut c, op, &all, &raw, p);
            }
        }
        c.dedent();
        c.line("}");
        c.finish()
    }

    /// Arguments: (label, type, has default, param index or None for the body).
    fn args(&self, op: &Operation) -> Vec<(String, String, bool, Option<usize>)> {
        let mut scope = Scope::new();
        for r in ["options", "pageToken", "body"] {
            scope.reserve(r);
        }
        let mut out = Vec::new();
        for (i, p) in op.params.iter().enumerate() {
            let label = scope.claim(&ident(&p.name, "param"));
            let mut ty = self.ty(&p.ty, None);
            let required = p.required || p.location == ParamLocation::Path;
            if !required && !ty.ends_with('?') {
                ty.push('?');
            }
            out.push((label, ty, !required, Some(i)));
        }
        if let Some(b) = &op.body {
            let mut ty = match b.encoding {
                BodyEncoding::Binary => "Data".to_owned(),
                BodyEncoding::Text => "String".to_owned(),
                BodyEncoding::Multipart => "Multipart".to_owned(),
                BodyEncoding::Json | BodyEncoding::Form => self.ty(&b.ty, None),
            };
            if !b.required && !ty.ends_with('?') {
                ty.push('?');
            }
            out.push(("body".to_owned(), ty, !b.required, None));
        }
        out
    }

    fn success(&self, op: &Operation) -> (String, &'static str) {
        let mut types: Vec<String> = Vec::new();
        let mut kind = "json";
        let mut empty = false;
        for r in op.responses.iter().filter(|r| r.status.is_success()) {
            match &r.body {
                Some((enc, t)) => {
                    let (name, k) = match enc {
                        BodyEncoding::Text => ("String".to_owned(), "text"),
                        BodyEncoding::Binary => ("Data".to_owned(), "binary"),
                        _ => (self.ty(t, None), "json"),
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
            0 => ("Void".to_owned(), "none"),
            1 if kind != "json" => (types.remove(0), kind),
            1 if empty && !types[0].ends_with('?') && types[0] != "JSONValue" => (format!("{}?", types[0]), "json"),
            1 => (types.remove(0), "json"),
            _ => ("JSONValue".to_owned(), "json"),
        }
    }

    fn op_doc(&self, c: &mut Code, op: &Operation, extra: Option<&str>) {
        let mut text = String::new();
        if let Some(s) = op.summary.as_deref().or(op.doc.as_deref()) {
            text.push_str(s.trim());
        }
        if let (Some(d), Some(_)) = (op.doc.as_deref(), op.summary.as_deref()) {
            text.push_str("\n\n");
            text.push_str(d.trim());
        }
        if let Some(e) = extra {
            text.push_str("\n\n");
            text.push_str(e);
        }
        let how = match op.signing {
            Signing::Unsigned => "unsigned".to_owned(),
            Signing::Signed(i) => format!("signed with {}", self.api.signing_schemes[i].scheme),
        };
        let _ = write!(text, "\n\n`{} {}` ({how}). Throws `ApiError` on 4xx/5xx.", op.method, op.path);
        doc(c, &text);
        if op.deprecated {
            c.line("@available(*, deprecated)");
        }
    }

    fn signature(&self, args: &[(String, String, bool, Option<usize>)], skip: Option<&str>) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (label, ty, defaulted, idx) in args {
            if idx.is_some() && skip == Some(label.as_str()) {
                continue;
            }
            parts.push(format!("{}: {ty}{}", escape(label), if *defaulted { " = nil" } else { "" }));
        }
        parts.push("options: RequestOptions = RequestOptions()".to_owned());
        parts.join(", ")
    }

    fn operation(&self, c: &mut Code, op: &Operation, name: &str, raw: &str) {
        let args = self.args(op);
        let (ret, kind) = self.success(op);
        let opid = lit(&op.id);
        c.line("");
        self.op_doc(c, op, None);
        let arrow = if ret == "Void" { String::new() } else { format!(" -> {ret}") };
        c.line(format!("public func {}({}) async throws{arrow} {{", escape(name), self.signature(&args, None)));
        c.indent();
        let mut pass: Vec<String> = args.iter().map(|(l, _, _, _)| format!("{}: {}", escape(l), escape(l))).collect();
        pass.push("pageToken: nil".to_owned());
        pass.push("options: options".to_owned());
        let call = format!("try await {raw}({})", pass.join(", "));
        match kind {
            "none" => {
                c.line(format!("_ = {call}"));
            }
            "text" => {
                c.line(format!("let response = {call}"));
                c.line("return decodeText(response)");
            }
            "binary" => {
                c.line(format!("let response = {call}"));
                c.line("return response.body");
            }
            _ => {
                c.line(format!("let response = {call}"));
                c.line(format!("return try decodeBody({ret}.self, response, operation: {opid})"));
            }
        }
        c.dedent();
        c.line("}");
        // The raw call, shared with the page walker.
        c.line("");
        let mut params: Vec<String> = args.iter().map(|(l, t, _, _)| format!("{}: {t}", escape(l))).collect();
        params.push("pageToken: JSONValue?".to_owned());
        params.push("options: RequestOptions".to_owned());
        c.line(format!("func {raw}({}) async throws -> RawResponse {{", params.join(", ")));
        c.indent();
        let signed = match op.signing {
            Signing::Unsigned => "nil".to_owned(),
            Signing::Signed(i) => i.to_string(),
        };
        c.line(format!("var call = Call(method: {}, operation: {opid}, signed: {signed})", lit(&op.method)));
        for piece in path_pieces(&op.path) {
            match piece {
                PathPiece::Literal(text) => {
                    c.line(format!("call.addPath({})", lit(text)));
                }
                PathPiece::Param { name, raw } => {
                    match op.params.iter().zip(&args).find(|(p, _)| p.location == ParamLocation::Path && p.name == name)
                    {
                        Some((p, a)) => c.line(format!(
                            "try call.pathParam({}, {}, style: {}, explode: {})",
                            lit(&p.name),
                            escape(&a.0),
                            lit(super::style_name(p.style)),
                            p.explode
                        )),
                        None => c.line(format!("call.addPath({})", lit(raw))),
                    };
                }
            }
        }
        let mut cookies = false;
        for (p, a) in op.params.iter().zip(&args) {
            let v = escape(&a.0);
            match p.location {
                ParamLocation::Path => {}
                ParamLocation::Query => {
                    c.line(format!(
                        "try call.addQuery({}, {v}, style: {}, explode: {})",
                        lit(&p.name),
                        lit(super::style_name(p.style)),
                        p.explode
                    ));
                }
                ParamLocation::Header => {
                    c.line(format!("try call.addHeader({}, {v}, explode: {})", lit(&p.name), p.explode));
                }
                ParamLocation::Cookie => {
                    cookies = true;
                    c.line(format!("try call.addCookie({}, {v}, explode: {})", lit(&p.name), p.explode));
                }
            }
        }
        if cookies {
            c.line("call.finishCookies()");
        }
        match op.pagination.as_ref().map(|p| &p.style) {
            Some(PageStyle::NextLink { .. }) => {
                c.line("if case .string(let link)? = pageToken {");
                c.indent().line("call.url(link)").dedent();
                c.line("}");
            }
            Some(PageStyle::Cursor { param, .. })
            | Some(PageStyle::Offset { param, .. })
            | Some(PageStyle::Page { param, .. }) => {
                c.line("if let token = pageToken {");
                c.indent().line(format!("call.setQuery({}, token)", lit(param))).dedent();
                c.line("}");
            }
            None => {
                c.line("_ = pageToken");
            }
        }
        if let Some(b) = &op.body {
            let ct = lit(&b.content_type);
            let value = if b.required { "body".to_owned() } else { "value".to_owned() };
            if !b.required {
                c.line("if let value = body {");
                c.indent();
            }
            match b.encoding {
                BodyEncoding::Json => c.line(format!("try call.json({value}, contentType: {ct})")),
                BodyEncoding::Form => c.line(format!("try call.form({value}, contentType: {ct})")),
                BodyEncoding::Multipart => c.line(format!("call.multipart({value})")),
                BodyEncoding::Binary => c.line(format!("call.raw({value}, contentType: {ct})")),
                BodyEncoding::Text => c.line(format!("call.raw(Data({value}.utf8), contentType: {ct})")),
            };
            if !b.required {
                c.dedent();
                c.line("}");
            }
        }
        c.line("return try await core.send(call, options)");
        c.dedent();
        c.line("}");
    }

    fn walker(&self, c: &mut Code, op: &Operation, name: &str, raw: &str, p: &crate::ir::Pagination) {
        let args = self.args(op);
        let item = self.ty(&p.item_ty, None);
        let opid = lit(&op.id);
        let label_of = |param: &str| {
            op.params
                .iter()
                .zip(&args)
                .find(|(q, _)| q.name == param && q.location == ParamLocation::Query)
                .map(|(_, a)| a.0.clone())
        };
        let path = |v: &[String]| v.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ");
        let (style, token_param) = match &p.style {
            PageStyle::Cursor { param, next } => (format!(".cursor(next: [{}])", path(next)), label_of(param)),
            PageStyle::Offset { param, limit } => {
                let size = match limit.as_deref().and_then(label_of) {
                    Some(l) => format!("{}.map {{ Int($0) }}", escape(&l)),
                    None => "nil".to_owned(),
                };
                (format!(".offset(size: {size})"), label_of(param))
            }
            PageStyle::Page { param, start } => (format!(".page(start: {start})"), label_of(param)),
            PageStyle::NextLink { next } => (format!(".nextLink(next: [{}])", path(next)), None),
        };
        let size_ok = !style.contains(".map {") || {
            // Only integer page sizes are passed on.
            match &p.style {
                PageStyle::Offset { limit: Some(l), .. } => op
                    .params
                    .iter()
                    .find(|q| &q.name == l)
                    .is_some_and(|q| matches!(q.ty, TypeRef::Integer | TypeRef::Number)),
                _ => true,
            }
        };
        let style = if size_ok { style } else { ".offset(size: nil)".to_owned() };
        c.line("");
        self.op_doc(c, op, Some("Every item of every page, one call per page; an error ends the stream."));
        c.line(format!(
            "public func {}({}) -> AsyncThrowingStream<{item}, Error> {{",
            escape(name),
            self.signature(&args, token_param.as_deref())
        ));
        c.indent();
        c.line("let core = self.core");
        let mut pass: Vec<String> = Vec::new();
        for (l, _, _, idx) in &args {
            if idx.is_some() && token_param.as_deref() == Some(l.as_str()) {
                pass.push(format!("{}: nil", escape(l)));
            } else {
                pass.push(format!("{}: {}", escape(l), escape(l)));
            }
        }
        pass.push("pageToken: token".to_owned());
        pass.push("options: options".to_owned());
        c.line(format!(
            "return paginate({item}.self, operation: {opid}, style: {style}, items: [{}], start: nil) {{ token in",
            path(&p.items)
        ));
        c.indent();
        c.line(format!("try await {}(core: core).{raw}({})", self.group_class(op), pass.join(", ")));
        c.dedent();
        c.line("}");
        c.dedent();
        c.line("}");
    }

    fn group_class(&self, op: &Operation) -> &str {
        self.groups.iter().find(|g| g.key == op.group).map(|g| g.class.as_str()).unwrap_or("")
    }

    fn readme(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# {} — Swift package\n", self.api.title);
        if let Some(d) = &self.api.description {
            let _ = writeln!(s, "{}\n", d.trim());
        }
        let _ = writeln!(
            s,
            "Generated by `sigwire-gen` (API version {}, package version {}). Signed requests go through the",
            self.api.version, self.version
        );
        let _ = writeln!(s, "Sigwire Swift SDK (`HttpClient.requestAsync`); unsigned ones through the same SDK client with\n`sign: false` (no `Authorization`; the same retries, time limits and redirect rules).\n");
        let _ = writeln!(s, "```swift\nimport {}\n", self.module);
        let _ = writeln!(
            s,
            "let client = try Client() // {e}_KEY_ID / {e}_SECRET / {e}_BASE_URL, or Client(baseURL:keyId:secret:)\n```\n",
            e = self.env
        );
        let _ = writeln!(s, "## Operations\n");
        for g in &self.groups {
            let _ = writeln!(s, "### `client.{}`\n", g.prop);
            for &i in &g.ops {
                let op = &self.api.operations[i];
                let signed = if matches!(op.signing, Signing::Unsigned) { " (unsigned)" } else { "" };
                let _ = writeln!(
                    s,
                    "- `{} {}`{signed}: {}",
                    op.method,
                    op.path,
                    op.summary.as_deref().unwrap_or("").trim().replace('\n', " ")
                );
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(s, "## Not verified here\n");
        let _ = writeln!(
            s,
            "This package was parsed with the tree-sitter Swift grammar, not compiled (see gen/docs/swift.md)."
        );
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
    if f.read_only {
        lines.push("Read-only: sent by the server.".into());
    }
    if f.write_only {
        lines.push("Write-only: sent by the client.".into());
    }
    if !lines.is_empty() {
        doc(c, &lines.join("\n"));
    }
    if f.deprecated {
        c.line("@available(*, deprecated)");
    }
}

fn case_name(v: &Value) -> String {
    match v {
        Value::String(s) => ident(s, "empty"),
        Value::Number(n) => format!("v{}", n.to_string().replace('-', "minus").replace(['.', '+'], "_")),
        Value::Bool(true) => "yes".into(),
        Value::Bool(false) => "no".into(),
        _ => "null".into(),
    }
}

fn value_expr(v: &Value) -> String {
    match v {
        Value::String(s) => format!(".string({})", lit(s)),
        Value::Number(n) => format!(".number({})", n.as_f64().map(|f| format!("{f:?}")).unwrap_or_else(|| "0".into())),
        Value::Bool(b) => format!(".bool({b})"),
        _ => ".null".into(),
    }
}

fn open_enum(c: &mut Code, name: &str, values: &[Value]) {
    let unique = super::enum_scalars(values);
    let strings = unique.iter().all(|v| v.is_string());
    let mut scope = Scope::new();
    for r in ["other", "rawValue", "init", "encode", "hash"] {
        scope.reserve(r);
    }
    let cases: Vec<(String, &Value)> = unique.iter().map(|v| (scope.claim(&case_name(v)), *v)).collect();
    c.line(format!("public enum {name}: Codable, Hashable, Sendable {{"));
    c.indent();
    for (cn, _) in &cases {
        c.line(format!("case {}", escape(cn)));
    }
    c.line("/// A value this client does not know.");
    if strings {
        c.line("case other(String)");
        c.line("");
        c.line("/// The wire value.");
        c.line("public var rawValue: String {");
        c.indent().line("switch self {");
        for (cn, v) in &cases {
            c.line(format!("case .{}: return {}", escape(cn), lit(v.as_str().unwrap_or(""))));
        }
        c.line("case .other(let value): return value");
        c.line("}").dedent().line("}");
        c.line("");
        c.line("/// The known value spelled `rawValue`, else `.other`.");
        c.line("public init(rawValue: String) {");
        c.indent().line("switch rawValue {");
        for (cn, v) in &cases {
            c.line(format!("case {}: self = .{}", lit(v.as_str().unwrap_or("")), escape(cn)));
        }
        c.line("default: self = .other(rawValue)");
        c.line("}").dedent().line("}");
        c.line("");
        c.line("public init(from decoder: Decoder) throws {");
        c.indent().line("self.init(rawValue: try decoder.singleValueContainer().decode(String.self))").dedent();
        c.line("}");
        c.line("");
        c.line("public func encode(to encoder: Encoder) throws {");
        c.indent()
            .line("var container = encoder.singleValueContainer()")
            .line("try container.encode(rawValue)")
            .dedent();
        c.line("}");
    } else {
        c.line("case other(JSONValue)");
        c.line("");
        c.line("/// The wire value.");
        c.line("public var jsonValue: JSONValue {");
        c.indent().line("switch self {");
        for (cn, v) in &cases {
            c.line(format!("case .{}: return {}", escape(cn), value_expr(v)));
        }
        c.line("case .other(let value): return value");
        c.line("}").dedent().line("}");
        c.line("");
        c.line("public init(from decoder: Decoder) throws {");
        c.indent();
        c.line("let value = try JSONValue(from: decoder)");
        let all: Vec<String> = cases.iter().map(|(cn, _)| format!(".{}", escape(cn))).collect();
        c.line(format!("let known: [{name}] = [{}]", all.join(", ")));
        c.line("self = known.first { $0.jsonValue == value } ?? .other(value)");
        c.dedent();
        c.line("}");
        c.line("");
        c.line("public func encode(to encoder: Encoder) throws {");
        c.indent().line("try jsonValue.encode(to: encoder)").dedent();
        c.line("}");
    }
    c.dedent();
    c.line("}");
}
