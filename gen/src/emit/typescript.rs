//! The TypeScript emitter: an ESM npm package (sources + `.d.ts` after `tsc`) over the Sigwire
//! runtime `Client` — `sigwire` on Node, `sigwire-wasm` in browsers (chosen by the `#runtime`
//! import condition in the generated package.json), so the same code runs on both.
//!
//! Layout: `package.json`, `tsconfig.json` (every strict flag, plus
//! `exactOptionalPropertyTypes` and `noUncheckedIndexedAccess`), `README.md`, `src/index.ts`
//! (the `Client`), `src/models.ts` (types), `src/runtime.ts` (serialisation, errors,
//! pagination; the same for every API) and `src/resources/<tag>.ts`.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use super::{doc_text, path_pieces, plain_version, string_literal, style_name, Code, File, Options, PathPiece};
use crate::ir::{Api, BodyEncoding, Field, Operation, PageStyle, ParamLocation, Signing, TypeKind, TypeRef};
use crate::naming::{self, ident, Scope, TYPESCRIPT};

const RUNTIME: &str = include_str!("support/ts_runtime.ts");

/// Generates the package.
pub fn generate(api: &Api, options: &Options) -> Vec<File> {
    let ts = Ts::new(api, options);
    let mut files = vec![
        File { path: "package.json".into(), content: ts.package_json() },
        File { path: "tsconfig.json".into(), content: TSCONFIG.to_owned() },
        File { path: "README.md".into(), content: ts.readme() },
        File { path: PathBuf::from("src/runtime.ts"), content: RUNTIME.to_owned() },
        File { path: PathBuf::from("src/models.ts"), content: ts.models() },
        File { path: PathBuf::from("src/index.ts"), content: ts.index() },
    ];
    for g in &ts.groups {
        files.push(File { path: PathBuf::from(format!("src/resources/{}.ts", g.file)), content: ts.resource(g) });
    }
    files
}

const TSCONFIG: &str = r#"{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022", "DOM"],
    "types": [],
    "declaration": true,
    "outDir": "dist",
    "rootDir": "src",
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "noImplicitReturns": true,
    "noFallthroughCasesInSwitch": true,
    "noPropertyAccessFromIndexSignature": true,
    "useUnknownInCatchVariables": true,
    "forceConsistentCasingInFileNames": true,
    "skipLibCheck": true
  },
  "include": ["src"]
}
"#;

struct Group {
    key: String,
    /// Property on the client.
    prop: String,
    /// File name (without `.ts`).
    file: String,
    class: String,
    ops: Vec<usize>,
}

struct Ts<'a> {
    api: &'a Api,
    npm: String,
    version: String,
    env: String,
    type_names: Vec<String>,
    groups: Vec<Group>,
}

/// A parameter as a property of the operation's params object.
struct Prop {
    /// The property key as written in a type (`name` or `"quoted-name"`).
    key: String,
    /// How to read it from `params` (`params.name` or `params["quoted-name"]`).
    access: String,
}

impl<'a> Ts<'a> {
    fn new(api: &'a Api, options: &Options) -> Self {
        let words = naming::words(options.name.as_deref().unwrap_or(&api.title));
        let words = if words.is_empty() { vec!["api".to_owned()] } else { words };
        let npm = words.join("-");
        let version =
            options.version.clone().or_else(|| plain_version(&api.version)).unwrap_or_else(|| "0.0.0".to_owned());
        let env = words.join("_").to_ascii_uppercase();
        let type_names = api.types.iter().map(|t| ident(&t.name, TYPESCRIPT)).collect();
        let mut groups: Vec<Group> = Vec::new();
        let mut props = Scope::new();
        for n in ["baseUrl", "keyId", "constructor", "core", "toJSON", "toString"] {
            props.reserve(n);
        }
        let mut files = Scope::new();
        for (i, op) in api.operations.iter().enumerate() {
            if let Some(g) = groups.iter_mut().find(|g| g.key == op.group) {
                g.ops.push(i);
                continue;
            }
            let prop = props.claim(&ident(&naming::camel(&op.group), TYPESCRIPT));
            let file = files.claim(&naming::snake(&op.group).replace('_', "-"));
            let class = ident(&format!("{}Resource", naming::pascal(&op.group)), TYPESCRIPT);
            groups.push(Group { key: op.group.clone(), prop, file, class, ops: vec![i] });
        }
        Ts { api, npm, version, env, type_names, groups }
    }

    fn ty(&self, t: &TypeRef, prefix: &str) -> String {
        match t {
            TypeRef::Any => "unknown".into(),
            TypeRef::String(_) => "string".into(),
            TypeRef::Integer | TypeRef::Number => "number".into(),
            TypeRef::Boolean => "boolean".into(),
            TypeRef::Null => "null".into(),
            TypeRef::Binary => "Uint8Array".into(),
            TypeRef::Const(v) => match v {
                Value::String(_) | Value::Bool(_) | Value::Null => v.to_string(),
                Value::Number(n) if n.is_i64() || n.is_u64() || n.is_f64() => n.to_string(),
                _ => "unknown".into(),
            },
            TypeRef::Array(inner) => format!("Array<{}>", self.ty(inner, prefix)),
            TypeRef::Map(inner) => format!("{{ [key: string]: {} }}", self.ty(inner, prefix)),
            TypeRef::Nullable(inner) => match inner.as_ref() {
                TypeRef::Any | TypeRef::Null => self.ty(inner, prefix),
                other => format!("{} | null", self.ty(other, prefix)),
            },
            TypeRef::Named(id) => format!("{prefix}{}", self.type_names[id.0]),
        }
    }

    fn models(&self) -> String {
        let mut c = Code::new("  ");
        c.line(format!(
            "// Types of the {} (generated by sigwire-gen; do not edit).",
            self.api.title.replace('\n', " ")
        ));
        c.line("// Enums accept any string beside the known values, so values added later never break a client.");
        c.line("// Request bodies use `<Name>Input` types where a schema has read-only fields (left out) or write-only ones;");
        c.line("// response types leave write-only fields out.");
        for (i, t) in self.api.types.iter().enumerate() {
            let name = &self.type_names[i];
            c.line("");
            let mut doc = t.doc.clone().map(|d| doc_text(&d)).unwrap_or_default();
            if t.deprecated {
                doc = format!("{doc}\n@deprecated").trim().to_owned();
            }
            jsdoc(&mut c, &doc);
            match &t.kind {
                TypeKind::Object(o) => {
                    c.line(format!("export interface {name} {{"));
                    c.indent();
                    for f in &o.fields {
                        field_doc(&mut c, f);
                        let optional = !f.required;
                        let key = prop_key(&f.name);
                        c.line(format!("{key}{}: {};", if optional { "?" } else { "" }, self.ty(&f.ty, "")));
                    }
                    c.dedent();
                    c.line("}");
                }
                TypeKind::Enum(e) => {
                    let lits: Vec<String> = e.values.iter().map(Value::to_string).collect();
                    let open = if e.numeric { "(number & {})" } else { "(string & {})" };
                    c.line(format!("export type {name} = {} | {open};", lits.join(" | ")));
                }
                TypeKind::Union(u) => {
                    let mut parts: Vec<String> = Vec::new();
                    for v in &u.variants {
                        let t = self.ty(&v.ty, "");
                        if !parts.contains(&t) {
                            parts.push(t);
                        }
                    }
                    c.line(format!("export type {name} = {};", parts.join(" | ")));
                }
                TypeKind::Alias(t) => {
                    let t = match t {
                        TypeRef::Named(id) if id.0 == i => "unknown".to_owned(),
                        other => self.ty(other, ""),
                    };
                    c.line(format!("export type {name} = {t};"));
                }
            }
        }
        if self.api.types.is_empty() {
            c.line("export {};");
        }
        c.finish()
    }

    fn package_json(&self) -> String {
        let v = serde_json::json!({
            "name": self.npm,
            "version": self.version,
            "description": format!("TypeScript SDK for the {} (generated by sigwire-gen)", self.api.title),
            "type": "module",
            "main": "./dist/index.js",
            "types": "./dist/index.d.ts",
            "exports": { ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" } },
            "imports": { "#runtime": { "browser": "sigwire-wasm", "default": "sigwire" } },
            "files": ["dist", "src", "README.md"],
            "scripts": { "build": "tsc -p .", "typecheck": "tsc -p . --noEmit" },
            "peerDependencies": { "sigwire": ">=0.1.0", "sigwire-wasm": ">=0.1.0" },
            "peerDependenciesMeta": { "sigwire": { "optional": true }, "sigwire-wasm": { "optional": true } },
            "sigwire-gen": { "apiVersion": self.api.version },
        });
        serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
    }

    fn index(&self) -> String {
        let mut c = Code::new("  ");
        c.line(format!("// The {} client (generated by sigwire-gen; do not edit).", self.api.title.replace('\n', " ")));
        c.line("");
        c.line("import { Core } from \"./runtime.js\";");
        c.line("import type { ClientConfig, Scheme } from \"./runtime.js\";");
        for g in &self.groups {
            c.line(format!("import {{ {} }} from \"./resources/{}.js\";", g.class, g.file));
        }
        c.line("");
        c.line("export { ApiError, MissingCredentialsError } from \"./runtime.js\";");
        c.line("export type { ClientConfig, RequestOptions, FilePart } from \"./runtime.js\";");
        c.line("export type * from \"./models.js\";");
        for g in &self.groups {
            c.line(format!("export {{ {} }} from \"./resources/{}.js\";", g.class, g.file));
        }
        c.line("");
        let default = self.api.servers.first().filter(|s| s.starts_with("http://") || s.starts_with("https://"));
        c.line(format!(
            "const DEFAULT_BASE_URL: string | undefined = {};",
            default.map(|s| string_literal(s)).unwrap_or_else(|| "undefined".into())
        ));
        let schemes: Vec<String> = self
            .api
            .signing_schemes
            .iter()
            .map(|s| {
                let hs: Vec<String> = s.signed_headers.iter().map(|h| string_literal(h)).collect();
                format!("{{ algorithm: {}, signedHeaders: [{}] }}", string_literal(&s.algorithm), hs.join(", "))
            })
            .collect();
        c.line(format!("const SCHEMES: readonly Scheme[] = [{}];", schemes.join(", ")));
        c.line("");
        c.line("/**");
        c.line(format!(
            " * The {} client. Signed operations are signed by the Sigwire runtime.",
            doc_text(&self.api.title)
        ));
        c.line(format!(
            " * `keyId`/`secret` default to `{e}_KEY_ID`/`{e}_SECRET`, `baseUrl` to `{e}_BASE_URL` or the",
            e = self.env
        ));
        c.line(" * description's first server; other options (timeouts, retry, defaultHeaders, …) go to the runtime.");
        c.line(" */");
        c.line("export class Client {");
        c.indent();
        c.line("readonly #core: Core;");
        for g in &self.groups {
            c.line(format!("#{}: {} | undefined;", g.prop, g.class));
        }
        c.line("");
        c.line("constructor(config: ClientConfig = {}) {");
        c.indent()
            .line(format!("this.#core = new Core(config, SCHEMES, DEFAULT_BASE_URL, {});", string_literal(&self.env)))
            .dedent();
        c.line("}");
        c.line("");
        c.line("/** The base URL requests go to. */");
        c.line("get baseUrl(): string {");
        c.indent().line("return this.#core.baseUrl;").dedent();
        c.line("}");
        for g in &self.groups {
            c.line("");
            c.line(format!("/** Operations tagged `{}`. */", doc_text(&g.key)));
            c.line(format!("get {}(): {} {{", g.prop, g.class));
            c.indent().line(format!("return (this.#{} ??= new {}(this.#core));", g.prop, g.class)).dedent();
            c.line("}");
        }
        c.line("");
        c.line("/** Never includes the secret. */");
        c.line("toJSON(): { baseUrl: string; keyId: string | undefined } {");
        c.indent().line("return { baseUrl: this.#core.baseUrl, keyId: this.#core.keyId };").dedent();
        c.line("}");
        c.dedent();
        c.line("}");
        c.finish()
    }

    fn props(&self, op: &Operation) -> Vec<Prop> {
        let mut scope = Scope::new();
        scope.reserve("body");
        op.params
            .iter()
            .map(|p| {
                let camel = naming::camel(&p.name);
                if camel.is_empty() {
                    let key = string_literal(&scope.claim(&p.name));
                    Prop { access: format!("params[{key}]"), key }
                } else {
                    let name = scope.claim(&camel);
                    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
                    if valid {
                        Prop { access: format!("params.{name}"), key: name }
                    } else {
                        let key = string_literal(&name);
                        Prop { access: format!("params[{key}]"), key }
                    }
                }
            })
            .collect()
    }

    fn success(&self, op: &Operation) -> (String, &'static str) {
        let (mut types, accept) = super::success_types(op, "undefined", |t| self.ty(t, "M."));
        let ret = match types.len() {
            0 => "undefined".to_owned(),
            1 => types.remove(0),
            _ if accept != "json" => "unknown".to_owned(),
            _ => types.join(" | "),
        };
        (ret, accept)
    }

    /// The params object type; `skip` leaves out the paginated parameter.
    fn params_type(&self, op: &Operation, props: &[Prop], skip: Option<&str>) -> (String, bool) {
        let mut members = Vec::new();
        let mut any_required = false;
        for (p, prop) in op.params.iter().zip(props) {
            if Some(p.name.as_str()) == skip {
                continue;
            }
            let t = self.ty(&p.ty, "M.");
            if p.required {
                any_required = true;
                members.push(format!("{}: {t}", prop.key));
            } else {
                members.push(format!("{}?: {t} | undefined", prop.key));
            }
        }
        if let Some(b) = &op.body {
            let t = self.body_ty(b);
            if b.required {
                any_required = true;
                members.push(format!("body: {t}"));
            } else {
                members.push(format!("body?: {t} | undefined"));
            }
        }
        (format!("{{ {} }}", members.join("; ")), any_required)
    }

    fn body_ty(&self, b: &crate::ir::Body) -> String {
        match b.encoding {
            BodyEncoding::Binary => "Uint8Array".into(),
            BodyEncoding::Text => "string".into(),
            BodyEncoding::Multipart => {
                format!("{} | Record<string, unknown>", self.ty(&b.ty, "M."))
            }
            _ => self.ty(&b.ty, "M."),
        }
    }

    fn resource(&self, g: &Group) -> String {
        let mut body = Code::new("  ");
        body.line(format!("/** Operations tagged `{}`. */", doc_text(&g.key)));
        body.line(format!("export class {} {{", g.class));
        body.indent();
        body.line("readonly #core: Core;");
        body.line("");
        body.line("/** @internal */");
        body.line("constructor(core: Core) {");
        body.indent().line("this.#core = core;").dedent();
        body.line("}");
        let mut methods = Scope::new();
        for n in ["constructor", "core"] {
            methods.reserve(n);
        }
        for &i in &g.ops {
            let op = &self.api.operations[i];
            let name = methods.claim(&ident(&naming::camel(&op.method_name), TYPESCRIPT));
            self.operation(&mut body, op, &name);
            if let Some(p) = &op.pagination {
                let all = methods.claim(&format!("{name}All"));
                self.paginator(&mut body, op, &name, &all, p);
            }
        }
        body.dedent();
        body.line("}");
        let body = body.finish();
        let mut c = Code::new("  ");
        c.line(format!("// Operations tagged `{}` (generated by sigwire-gen; do not edit).", g.key.replace('\n', " ")));
        c.line("");
        let mut runtime = vec!["prepare"];
        for n in ["query", "simple", "pathParam", "cookies", "setBody", "paginate"] {
            if body.contains(&format!("{n}(")) {
                runtime.push(n);
            }
        }
        c.line(format!("import {{ {} }} from \"../runtime.js\";", runtime.join(", ")));
        c.line("import type { Core, RequestOptions } from \"../runtime.js\";");
        if body.contains("M.") {
            c.line("import type * as M from \"../models.js\";");
        }
        c.line("");
        c.lines(&body);
        c.finish()
    }

    fn op_doc(&self, c: &mut Code, op: &Operation, extra: Option<&str>) {
        let mut lines: Vec<String> = Vec::new();
        if let Some(s) = op.summary.as_deref().or(op.doc.as_deref()) {
            lines.push(doc_text(s));
        }
        if let (Some(d), Some(_)) = (op.doc.as_deref(), op.summary.as_deref()) {
            lines.push(String::new());
            lines.push(doc_text(d));
        }
        if let Some(e) = extra {
            lines.push(String::new());
            lines.push(e.to_owned());
        }
        let how = match op.signing {
            Signing::Unsigned => "unsigned".to_owned(),
            Signing::Signed(i) => format!("signed with {}", self.api.signing_schemes[i].scheme),
        };
        lines.push(String::new());
        lines.push(format!("`{} {}` ({how}). Rejects with `ApiError` on 4xx/5xx.", op.method, doc_text(&op.path)));
        if op.deprecated {
            lines.push("@deprecated".into());
        }
        jsdoc(c, lines.join("\n").trim());
    }

    fn operation(&self, c: &mut Code, op: &Operation, name: &str) {
        let props = self.props(op);
        let (ret, accept) = self.success(op);
        let (pty, required) = self.params_type(op, &props, None);
        c.line("");
        self.op_doc(c, op, None);
        let params = if pty == "{  }" {
            "_params: Record<string, never> = {}".to_owned()
        } else if required {
            format!("params: {pty}")
        } else {
            format!("params: {pty} = {{}}")
        };
        c.line(format!("async {name}({params}, options: RequestOptions = {{}}): Promise<{ret}> {{"));
        c.indent();
        self.build(c, op, &props, accept, None);
        if ret == "undefined" {
            c.line("await this.#core.call(r, options);");
        } else {
            c.line(format!("return (await this.#core.call(r, options)).value as {ret};"));
        }
        c.dedent();
        c.line("}");
    }

    fn build(&self, c: &mut Code, op: &Operation, props: &[Prop], accept: &str, token: Option<&str>) {
        let read = |p: &crate::ir::Param, prop: &Prop| -> String {
            if Some(p.name.as_str()) == token {
                "token".to_owned()
            } else {
                prop.access.clone()
            }
        };
        let pieces: Vec<String> = path_pieces(&op.path)
            .into_iter()
            .map(|piece| match piece {
                PathPiece::Literal(text) => string_literal(text),
                PathPiece::Param { name, raw } => {
                    match op.params.iter().zip(props).find(|(p, _)| p.location == ParamLocation::Path && p.name == name)
                    {
                        Some((p, prop)) => format!(
                            "pathParam({}, {}, {}, {})",
                            string_literal(&p.name),
                            read(p, prop),
                            string_literal(style_name(p.style)),
                            p.explode
                        ),
                        None => string_literal(raw),
                    }
                }
            })
            .collect();
        let signed = match op.signing {
            Signing::Unsigned => "null".to_owned(),
            Signing::Signed(i) => i.to_string(),
        };
        c.line(format!(
            "const r = prepare({}, {}, {}, {signed}, {});",
            string_literal(&op.method),
            pieces.join(" + "),
            string_literal(&op.id),
            string_literal(accept)
        ));
        let mut has_cookies = false;
        for (p, prop) in op.params.iter().zip(props) {
            let v = read(p, prop);
            let style = string_literal(style_name(p.style));
            match p.location {
                ParamLocation::Path => {}
                ParamLocation::Query => {
                    c.line(format!("query(r.query, {}, {v}, {style}, {});", string_literal(&p.name), p.explode));
                }
                ParamLocation::Header => {
                    let add = format!("r.headers.push([{}, simple({v}, {})]);", string_literal(&p.name), p.explode);
                    if p.required {
                        c.line(add);
                    } else {
                        c.line(format!("if ({v} !== undefined) {add}"));
                    }
                }
                ParamLocation::Cookie => {
                    if !has_cookies {
                        c.line("const jar: Array<[string, string]> = [];");
                        has_cookies = true;
                    }
                    c.line(format!("query(jar, {}, {v}, \"form\", {});", string_literal(&p.name), p.explode));
                }
            }
        }
        if has_cookies {
            c.line("cookies(r, jar);");
        }
        if let Some(b) = &op.body {
            let enc = match b.encoding {
                BodyEncoding::Json => "json",
                BodyEncoding::Form => "form",
                BodyEncoding::Multipart => "multipart",
                BodyEncoding::Binary => "binary",
                BodyEncoding::Text => "text",
            };
            c.line(format!("setBody(r, {}, {}, params.body);", string_literal(enc), string_literal(&b.content_type)));
        }
    }

    fn paginator(&self, c: &mut Code, op: &Operation, page_method: &str, name: &str, p: &crate::ir::Pagination) {
        let props = self.props(op);
        let (_, accept) = self.success(op);
        let item = self.ty(&p.item_ty, "M.");
        let (style, param, next, start, size) = match &p.style {
            PageStyle::Cursor { param, next } => {
                ("cursor", Some(param.clone()), next.clone(), "undefined".to_owned(), None)
            }
            PageStyle::Offset { param, limit } => {
                ("offset", Some(param.clone()), Vec::new(), "0".to_owned(), limit.clone())
            }
            PageStyle::Page { param, start } => ("page", Some(param.clone()), Vec::new(), start.to_string(), None),
            PageStyle::NextLink { next } => ("next-link", None, next.clone(), "undefined".to_owned(), None),
        };
        let (pty, required) = self.params_type(op, &props, param.as_deref());
        c.line("");
        self.op_doc(c, op, Some(&format!("Iterates over every item of every page (`{page_method}` once per page).")));
        let params = if pty == "{  }" {
            "params: Record<string, never> = {}".to_owned()
        } else if required {
            format!("params: {pty}")
        } else {
            format!("params: {pty} = {{}}")
        };
        c.line(format!(
            "async *{name}({params}, options: RequestOptions = {{}}): AsyncGenerator<{item}, void, undefined> {{"
        ));
        c.indent();
        c.line("const fetchPage = async (token: unknown) => {");
        c.indent();
        if style == "next-link" {
            let signed = match op.signing {
                Signing::Unsigned => "null".to_owned(),
                Signing::Signed(i) => i.to_string(),
            };
            c.line(format!(
                "if (typeof token === \"string\") return this.#core.call(prepare(\"GET\", token, {}, {signed}, \"json\"), options);",
                string_literal(&op.id)
            ));
        }
        self.build(c, op, &props, accept, param.as_deref());
        c.line("return this.#core.call(r, options);");
        c.dedent();
        c.line("};");
        let items: Vec<String> = p.items.iter().map(|s| string_literal(s)).collect();
        let next: Vec<String> = next.iter().map(|s| string_literal(s)).collect();
        let size_expr = match size.as_ref().and_then(|s| op.params.iter().zip(&props).find(|(q, _)| &q.name == s)) {
            Some((_, prop)) => format!("typeof {a} === \"number\" ? {a} : undefined", a = prop.access),
            None => "undefined".to_owned(),
        };
        let _ = &size_expr;
        c.line(format!(
            "for await (const item of paginate({}, fetchPage, [{}], [{}], {start}, {size_expr})) yield item as {item};",
            string_literal(style),
            items.join(", "),
            next.join(", ")
        ));
        c.dedent();
        c.line("}");
    }

    fn readme(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# {} — TypeScript SDK\n", self.api.title);
        if let Some(d) = &self.api.description {
            let _ = writeln!(s, "{}\n", d.trim());
        }
        let _ = writeln!(
            s,
            "Generated by `sigwire-gen` (API version {}). Requests are signed by the Sigwire runtime:",
            self.api.version
        );
        let _ =
            writeln!(s, "`sigwire` on Node, `sigwire-wasm` in browsers (picked by the `#runtime` import condition).\n");
        let _ = writeln!(
            s,
            "## Install\n\n```sh\nnpm install {} sigwire      # Node\nnpm install {} sigwire-wasm # browsers\n```\n",
            self.npm, self.npm
        );
        let _ = writeln!(s, "## Use\n\n```ts\nimport {{ Client, ApiError }} from \"{}\";\n", self.npm);
        let _ = writeln!(s, "const client = new Client({{ keyId: \"...\", secret: \"...\" }}); // or {e}_KEY_ID / {e}_SECRET / {e}_BASE_URL\n```\n", e = self.env);
        let _ = writeln!(s, "## Operations\n");
        for g in &self.groups {
            let _ = writeln!(s, "### `client.{}`\n", g.prop);
            let mut methods = Scope::new();
            for n in ["constructor", "core"] {
                methods.reserve(n);
            }
            for &i in &g.ops {
                let op = &self.api.operations[i];
                let name = methods.claim(&ident(&naming::camel(&op.method_name), TYPESCRIPT));
                let signed = if matches!(op.signing, Signing::Unsigned) { " (unsigned)" } else { "" };
                let _ = writeln!(
                    s,
                    "- `{name}(params, options?)` — `{} {}`{signed}: {}",
                    op.method,
                    op.path,
                    op.summary.as_deref().unwrap_or("").trim()
                );
                if op.pagination.is_some() {
                    let all = methods.claim(&format!("{name}All"));
                    let _ = writeln!(s, "- `{all}(params, options?)` — `for await` over every item of every page");
                }
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(
            s,
            "## Errors\n\nA 4xx/5xx answer rejects with `ApiError` (`status`, `headers`, parsed `body`); transport"
        );
        let _ = writeln!(s, "failures are the runtime's `SigwireError` subclasses.");
        s
    }
}

/// An object key as written in a type: bare when it is an identifier, else quoted.
fn prop_key(name: &str) -> String {
    let mut chars = name.chars();
    let ident_like = matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident_like {
        name.to_owned()
    } else {
        string_literal(name)
    }
}

fn jsdoc(c: &mut Code, doc: &str) {
    if doc.is_empty() {
        return;
    }
    let lines: Vec<&str> = doc.lines().collect();
    if lines.len() == 1 {
        c.line(format!("/** {} */", lines[0]));
        return;
    }
    c.line("/**");
    for l in lines {
        c.line(format!(" * {l}").trim_end());
    }
    c.line(" */");
}

fn field_doc(c: &mut Code, f: &Field) {
    let mut lines: Vec<String> = Vec::new();
    if let Some(d) = &f.doc {
        lines.push(doc_text(d));
    }
    if f.read_only {
        lines.push("Read-only: sent by the server.".into());
    }
    if f.write_only {
        lines.push("Write-only: sent by the client.".into());
    }
    if let Some(d) = &f.default {
        lines.push(format!("@defaultValue {}", doc_text(&d.to_string().chars().take(80).collect::<String>())));
    }
    if f.deprecated {
        lines.push("@deprecated".into());
    }
    jsdoc(c, lines.join("\n").trim());
}
