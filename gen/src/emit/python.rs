//! The Python emitter: a pip-installable package over `sigwire.Client` / `sigwire.AsyncClient`.
//!
//! Layout (`<pkg>` is the import name): `pyproject.toml`, `README.md`, `src/<pkg>/__init__.py`
//! (lazy: importing the package loads nothing else), `_client.py` (`Client`, `AsyncClient`,
//! one lazily imported resource per tag), `resources/<tag>.py`, `types.pyi` (every model as a
//! `TypedDict`, enums as open `Literal` unions) beside a tiny `types.py` (models are plain dicts
//! at run time), `_base.py` (serialisation, errors, pagination; the same for every API) and
//! `py.typed`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;

use super::{doc_text, path_pieces, plain_version, string_literal, style_name, Code, File, Options, PathPiece};
use crate::ir::{Api, BodyEncoding, Field, Operation, PageStyle, Param, ParamLocation, Signing, TypeKind, TypeRef};
use crate::naming::{self, ident, Lang, Scope, PYTHON};

const BASE: &str = include_str!("support/python_base.py");

/// Python keywords (and `self`): names a parameter or method cannot take.
const KEYWORDS: Lang = Lang {
    reserved: &[
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
        "not", "or", "pass", "raise", "return", "try", "while", "with", "yield", "self", "cls", "match", "case",
        "type",
    ],
};

/// Names used in the generated type stubs that a field must not shadow in class syntax.
const STUB_NAMES: &[&str] = &[
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "None",
    "Any",
    "Dict",
    "List",
    "Literal",
    "Optional",
    "Union",
    "NotRequired",
    "TypedDict",
];

/// Generates the package.
pub fn generate(api: &Api, options: &Options) -> Vec<File> {
    let py = Py::new(api, options);
    let src = PathBuf::from("src").join(&py.pkg);
    let mut files = vec![
        File { path: "pyproject.toml".into(), content: py.pyproject() },
        File { path: "README.md".into(), content: py.readme() },
        File { path: src.join("__init__.py"), content: py.init() },
        File { path: src.join("py.typed"), content: String::new() },
        File { path: src.join("_base.py"), content: BASE.to_owned() },
        File { path: src.join("_client.py"), content: py.client() },
        File { path: src.join("types.pyi"), content: py.types_stub() },
        File { path: src.join("types.py"), content: py.types_runtime() },
        File {
            path: src.join("resources").join("__init__.py"),
            content: "\"\"\"One module per tag.\"\"\"\n".to_owned(),
        },
    ];
    for g in &py.groups {
        files.push(File { path: src.join("resources").join(format!("{}.py", g.module)), content: py.resource(g) });
    }
    files
}

struct Group {
    /// The IR group name.
    key: String,
    /// Attribute on the client and module name.
    module: String,
    /// Class name (sync); the async one is `Async` + this.
    class: String,
    ops: Vec<usize>,
}

struct Py<'a> {
    api: &'a Api,
    pkg: String,
    dist: String,
    version: String,
    env: String,
    type_names: Vec<String>,
    groups: Vec<Group>,
}

impl<'a> Py<'a> {
    fn new(api: &'a Api, options: &Options) -> Self {
        let dist_words = naming::words(options.name.as_deref().unwrap_or(&api.title));
        let dist_words = if dist_words.is_empty() { vec!["api".to_owned()] } else { dist_words };
        let dist = dist_words.join("-");
        let pkg = ident(&dist_words.join("_"), KEYWORDS);
        let pkg = if pkg.starts_with('_') { format!("api{pkg}") } else { pkg };
        let version =
            options.version.clone().or_else(|| plain_version(&api.version)).unwrap_or_else(|| "0.0.0".to_owned());
        let env = dist_words.join("_").to_ascii_uppercase();
        let type_names = api.types.iter().map(|t| ident(&t.name, PYTHON)).collect();
        let mut groups: Vec<Group> = Vec::new();
        let mut scope = Scope::new();
        for n in ["base_url", "close", "aclose", "key_id", "with_options"] {
            scope.reserve(n);
        }
        for (i, op) in api.operations.iter().enumerate() {
            if let Some(g) = groups.iter_mut().find(|g| g.key == op.group) {
                g.ops.push(i);
                continue;
            }
            let module = scope.claim(&ident(&naming::snake(&op.group), PYTHON));
            let class = ident(&naming::pascal(&op.group), PYTHON);
            groups.push(Group { key: op.group.clone(), module, class: format!("{class}Resource"), ops: vec![i] });
        }
        Py { api, pkg, dist, version, env, type_names, groups }
    }

    // ---- types ------------------------------------------------------------------------

    /// A type expression; named types as `prefix + Name`.
    fn ty(&self, t: &TypeRef, prefix: &str) -> String {
        match t {
            TypeRef::Any => "Any".into(),
            TypeRef::String(_) => "str".into(),
            TypeRef::Integer => "int".into(),
            TypeRef::Number => "float".into(),
            TypeRef::Boolean => "bool".into(),
            TypeRef::Null => "None".into(),
            TypeRef::Binary => "bytes".into(),
            TypeRef::Const(v) => literal(v).map(|l| format!("Literal[{l}]")).unwrap_or_else(|| match v {
                Value::Number(_) => "float".into(),
                Value::Null => "None".into(),
                _ => "Any".into(),
            }),
            TypeRef::Array(inner) => format!("List[{}]", self.ty(inner, prefix)),
            TypeRef::Map(inner) => format!("Dict[str, {}]", self.ty(inner, prefix)),
            TypeRef::Nullable(inner) => match inner.as_ref() {
                TypeRef::Any | TypeRef::Null => self.ty(inner, prefix),
                other => format!("Optional[{}]", self.ty(other, prefix)),
            },
            TypeRef::Named(id) => format!("{prefix}{}", self.type_names[id.0]),
        }
    }

    fn types_stub(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!("\"\"\"Types of the {} (generated by sigwire-gen; do not edit).", doc_text(&self.api.title)));
        c.line("");
        c.line("Objects are ``TypedDict``s (plain ``dict``s at run time); enums are ``Literal`` unions");
        c.line("that also accept any ``str``, so values added to the API later never break a client.");
        c.line("\"\"\"");
        c.line("");
        let head = c;
        let mut c = Code::new("    ");
        let names: BTreeSet<&str> = self.type_names.iter().map(String::as_str).collect();
        for (i, t) in self.api.types.iter().enumerate() {
            let name = &self.type_names[i];
            c.line("");
            let mut doc = t.doc.clone().map(|d| doc_text(&d)).unwrap_or_default();
            if t.deprecated {
                doc = format!("Deprecated. {doc}").trim().to_owned();
            }
            match &t.kind {
                TypeKind::Object(o) => {
                    let class_ok = o.fields.iter().all(|f| {
                        is_identifier(&f.name)
                            && !KEYWORDS.reserved.contains(&f.name.as_str())
                            && !names.contains(f.name.as_str())
                            && !STUB_NAMES.contains(&f.name.as_str())
                    });
                    if class_ok {
                        c.line(format!("class {name}(TypedDict):"));
                        c.indent();
                        if !doc.is_empty() {
                            docstring(&mut c, &doc);
                        }
                        if o.fields.is_empty() && doc.is_empty() {
                            c.line("pass");
                        }
                        for f in &o.fields {
                            for l in field_comment(f) {
                                c.line(l);
                            }
                            c.line(format!("{}: {}", f.name, self.field_ty(f)));
                        }
                        c.dedent();
                    } else {
                        if !doc.is_empty() {
                            for l in doc.lines() {
                                c.line(format!("# {l}").trim_end());
                            }
                        }
                        c.line(format!("{name} = TypedDict("));
                        c.indent();
                        c.line(format!("{},", string_literal(name)));
                        c.line("{");
                        c.indent();
                        for f in &o.fields {
                            c.line(format!("{}: {},", string_literal(&f.name), py_quote(&self.field_ty(f))));
                        }
                        c.dedent();
                        c.line("},");
                        c.dedent();
                        c.line(")");
                    }
                }
                TypeKind::Enum(e) => {
                    let lits: Vec<String> = e.values.iter().filter_map(literal).collect();
                    let open = if e.numeric {
                        if e.values.iter().all(|v| v.is_i64() || v.is_u64()) {
                            "int"
                        } else {
                            "float"
                        }
                    } else {
                        "str"
                    };
                    comment_doc(&mut c, &doc);
                    if lits.is_empty() || (e.numeric && open == "float") {
                        c.line(format!("{name} = {open}"));
                    } else {
                        c.line(format!("{name} = Union[Literal[{}], {open}]", lits.join(", ")));
                    }
                }
                TypeKind::Union(u) => {
                    comment_doc(&mut c, &doc);
                    let mut parts: Vec<String> = Vec::new();
                    for v in &u.variants {
                        let t = self.ty(&v.ty, "");
                        if !parts.contains(&t) {
                            parts.push(t);
                        }
                    }
                    if parts.len() == 1 {
                        c.line(format!("{name}: TypeAlias = {}", py_quote(&parts[0])));
                    } else {
                        c.line(format!("{name}: TypeAlias = {}", py_quote(&format!("Union[{}]", parts.join(", ")))));
                    }
                }
                TypeKind::Alias(t) => {
                    comment_doc(&mut c, &doc);
                    let t = match t {
                        TypeRef::Named(id) if id.0 == i => "Any".to_owned(),
                        other => self.ty(other, ""),
                    };
                    c.line(format!("{name}: TypeAlias = {}", py_quote(&t)));
                }
            }
        }
        let body = c.finish();
        let mut c = head;
        let typing: Vec<&str> = ["Any", "Dict", "List", "Literal", "Optional", "Union"]
            .into_iter()
            .filter(|n| uses_word(&body, n))
            .collect();
        if !typing.is_empty() {
            c.line(format!("from typing import {}", typing.join(", ")));
            c.line("");
        }
        let ext: Vec<&str> =
            ["NotRequired", "TypeAlias", "TypedDict"].into_iter().filter(|n| uses_word(&body, n)).collect();
        if !ext.is_empty() {
            c.line(format!("from typing_extensions import {}", ext.join(", ")));
            c.line("");
        }
        c.lines(&body);
        c.finish()
    }

    fn field_ty(&self, f: &Field) -> String {
        let t = self.ty(&f.ty, "");
        if f.required {
            t
        } else {
            format!("NotRequired[{t}]")
        }
    }

    fn types_runtime(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!("\"\"\"Types of the {} (generated by sigwire-gen; do not edit).", doc_text(&self.api.title)));
        c.line("");
        c.line("The definitions are in ``types.pyi`` for type checkers. At run time there is nothing to load:");
        c.line("objects are plain ``dict``s and every name here resolves to ``dict`` or ``object``.");
        c.line("\"\"\"");
        c.line("");
        c.line("from typing import Any");
        c.line("");
        let objects: Vec<String> = self
            .api
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| matches!(t.kind, TypeKind::Object(_)))
            .map(|(i, _)| string_literal(&self.type_names[i]))
            .collect();
        let others: Vec<String> = self
            .api
            .types
            .iter()
            .enumerate()
            .filter(|(_, t)| !matches!(t.kind, TypeKind::Object(_)))
            .map(|(i, _)| string_literal(&self.type_names[i]))
            .collect();
        c.line(format!("_OBJECTS = frozenset(({}))", tuple_items(&objects)));
        c.line(format!("_OTHERS = frozenset(({}))", tuple_items(&others)));
        c.line("");
        c.line("");
        c.line("def __getattr__(name: str) -> Any:");
        c.indent();
        c.line("if name in _OBJECTS:");
        c.indent().line("return dict").dedent();
        c.line("if name in _OTHERS:");
        c.indent().line("return object").dedent();
        c.line("raise AttributeError(f\"module {__name__!r} has no attribute {name!r}\")");
        c.dedent();
        c.finish()
    }

    // ---- package files ----------------------------------------------------------------

    fn pyproject(&self) -> String {
        let mut s = String::new();
        let desc = self.api.description.as_deref().and_then(|d| d.lines().find(|l| !l.trim().is_empty())).unwrap_or("");
        let desc =
            if desc.is_empty() { format!("Python SDK for the {}", self.api.title) } else { desc.trim().to_owned() };
        let _ = writeln!(s, "# Generated by sigwire-gen; do not edit.");
        let _ =
            writeln!(s, "[build-system]\nrequires = [\"setuptools>=61\"]\nbuild-backend = \"setuptools.build_meta\"\n");
        let _ = writeln!(
            s,
            "[project]\nname = {}\nversion = {}",
            string_literal(&self.dist),
            string_literal(&self.version)
        );
        let _ = writeln!(s, "description = {}", string_literal(&desc));
        let _ = writeln!(s, "readme = \"README.md\"\nrequires-python = \">=3.9\"\ndependencies = [\"sigwire>=0.1\"]");
        let _ = writeln!(s, "classifiers = [\"Typing :: Typed\"]\n");
        let _ = writeln!(s, "[tool.setuptools.packages.find]\nwhere = [\"src\"]\n");
        let _ = writeln!(s, "[tool.setuptools.package-data]\n{} = [\"py.typed\", \"*.pyi\"]\n", self.pkg);
        let _ = writeln!(s, "[tool.sigwire-gen]\napi-version = {}\n", string_literal(&self.api.version));
        let _ = writeln!(s, "[tool.mypy]\nstrict = true\n");
        let _ = writeln!(s, "[tool.ruff]\nline-length = 120\ntarget-version = \"py39\"\n");
        let _ = writeln!(
            s,
            "[tool.ruff.lint]\n# pycodestyle, pyflakes, bugbear; line length is not enforced on generated code."
        );
        let _ = writeln!(s, "select = [\"E\", \"F\", \"W\", \"B\"]\nignore = [\"E501\"]");
        s
    }

    fn init(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!("\"\"\"{} (generated by sigwire-gen; do not edit).", doc_text(&self.api.title)));
        c.line("");
        c.line(format!(
            "    client = {}.Client()  # key id, secret: arguments or {}_KEY_ID / {}_SECRET",
            self.pkg, self.env, self.env
        ));
        c.line("");
        c.line("Importing the package loads nothing else; ``Client``, ``AsyncClient`` and the errors are");
        c.line("imported on first use.");
        c.line("\"\"\"");
        c.line("");
        c.line("from __future__ import annotations");
        c.line("");
        c.line("import importlib");
        c.line("from typing import TYPE_CHECKING, Any");
        c.line("");
        c.line("if TYPE_CHECKING:");
        c.indent();
        c.line("from . import types as types");
        c.line("from ._base import (");
        c.indent();
        for e in ERRORS {
            c.line(format!("{e} as {e},"));
        }
        c.dedent().line(")");
        c.line("from ._client import AsyncClient as AsyncClient");
        c.line("from ._client import Client as Client");
        c.dedent();
        c.line("");
        c.line(format!("__version__ = {}", string_literal(&self.version)));
        c.line(format!("__api_version__ = {}", string_literal(&self.api.version)));
        let mut all = vec!["Client", "AsyncClient", "types"];
        all.extend(ERRORS);
        c.line(format!("__all__ = [{}]", all.iter().map(|a| string_literal(a)).collect::<Vec<_>>().join(", ")));
        c.line("");
        c.line("_LAZY = {");
        c.indent();
        c.line("\"Client\": \"._client\",");
        c.line("\"AsyncClient\": \"._client\",");
        for e in ERRORS {
            c.line(format!("\"{e}\": \"._base\","));
        }
        c.dedent().line("}");
        c.line("");
        c.line("");
        c.line("def __getattr__(name: str) -> Any:");
        c.indent();
        c.line("if name == \"types\":");
        c.indent().line("return importlib.import_module(\".types\", __name__)").dedent();
        c.line("module = _LAZY.get(name)");
        c.line("if module is None:");
        c.indent().line("raise AttributeError(f\"module {__name__!r} has no attribute {name!r}\")").dedent();
        c.line("value = getattr(importlib.import_module(module, __name__), name)");
        c.line("globals()[name] = value");
        c.line("return value");
        c.dedent();
        c.finish()
    }

    fn client(&self) -> String {
        let mut c = Code::new("    ");
        c.line(format!(
            "\"\"\"``Client`` and ``AsyncClient`` of the {} (generated by sigwire-gen; do not edit).\"\"\"",
            doc_text(&self.api.title)
        ));
        c.line("");
        c.line("from __future__ import annotations");
        c.line("");
        if !self.groups.is_empty() {
            c.line("import functools");
        }
        c.line("import secrets");
        c.line("from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Tuple, Union");
        c.line("");
        c.line("import sigwire");
        c.line("");
        c.line("from . import _base");
        c.line("");
        c.line("if TYPE_CHECKING:");
        c.indent();
        for g in &self.groups {
            c.line(format!("from .resources import {} as _r_{}", g.module, g.module));
        }
        if self.groups.is_empty() {
            c.line("pass");
        }
        c.dedent();
        c.line("");
        let default = self.api.servers.first().filter(|s| s.starts_with("http://") || s.starts_with("https://"));
        c.line(format!(
            "#: The first server of the description (overridden by ``base_url`` or {}_BASE_URL).",
            self.env
        ));
        c.line(format!(
            "DEFAULT_BASE_URL: Optional[str] = {}",
            default.map(|s| string_literal(s)).unwrap_or_else(|| "None".into())
        ));
        c.line(format!("_ENV = {}", string_literal(&self.env)));
        c.line("#: (algorithm, signed headers) of each signing scheme, as declared by x-sigwire.");
        let schemes: Vec<String> = self
            .api
            .signing_schemes
            .iter()
            .map(|s| {
                let hs: Vec<String> = s.signed_headers.iter().map(|h| string_literal(h)).collect();
                format!("({}, ({}))", string_literal(&s.algorithm), tuple_items(&hs))
            })
            .collect();
        c.line(format!("_SCHEMES: Tuple[Tuple[str, Tuple[str, ...]], ...] = ({})", tuple_items(&schemes)));
        c.line("");
        c.line("");
        c.lines(&format!(
            r#"class _Common:
    """Configuration shared by ``Client`` and ``AsyncClient``."""

    def __init__(
        self,
        key_id: Optional[str],
        secret: Union[str, bytes, None],
        base_url: Optional[str],
        options: Dict[str, Any],
        runtime: Any,
    ) -> None:
        url = base_url or _base.env(_ENV, "BASE_URL") or DEFAULT_BASE_URL
        if not url:
            raise ValueError("no base URL: pass base_url=... or set {env}_BASE_URL")
        self.base_url: str = url
        key_id = key_id if key_id is not None else _base.env(_ENV, "KEY_ID")
        if secret is None:
            secret = _base.env(_ENV, "SECRET")
        self.key_id: Optional[str] = key_id
        self._runtimes: Dict[int, Any] = {{}}
        self._runtime_class = runtime
        self._options = options
        self._unsigned: Any = None
        if key_id is not None and secret is not None:
            # The secret goes straight into the runtime (Rust memory); it is not kept here.
            for i, (algorithm, signed_headers) in enumerate(_SCHEMES):
                self._runtimes[i] = runtime(
                    url, key_id, secret, algorithm=algorithm, signed_headers=list(signed_headers), **options
                )

    def _runtime(self, scheme: Optional[int]) -> Any:
        """The runtime client of a signing scheme, or (``None``) the one for unsigned operations."""
        if scheme is None:
            if self._unsigned is None:
                # Operations without a signature (``security: []``) go through the runtime too,
                # with ``sign=False``: no ``Authorization``, the same retries, timeouts and
                # redirect rules. The runtime wants a key to exist: this one is random, is never
                # used to sign and is not kept here, so no credentials are needed for these calls.
                self._unsigned = self._runtime_class(self.base_url, "unsigned", secrets.token_bytes(32), **self._options)
            return self._unsigned
        runtime = self._runtimes.get(scheme)
        if runtime is None:
            raise _base.MissingCredentials(
                "this operation is signed: pass key_id and secret, or set {env}_KEY_ID and {env}_SECRET"
            )
        return runtime

    def __repr__(self) -> str:
        return f"{{type(self).__name__}}(base_url={{self.base_url!r}}, key_id={{self.key_id!r}})"

    @staticmethod
    def _kwargs(
        r: _base.Request, idempotency_key: Optional[str], timeout: Optional[float]
    ) -> Dict[str, Any]:
        kwargs: Dict[str, Any] = {{"headers": r.headers, "query": r.query, "idempotency_key": idempotency_key}}
        if r.signed is None:
            kwargs["sign"] = False
        if r.json is not None:
            kwargs["json"] = r.json
        elif r.body is not None:
            kwargs["body"] = r.body
        if timeout is not None:
            kwargs["timeout"] = timeout
        return kwargs
"#,
            env = self.env
        ));
        for asynchronous in [false, true] {
            self.client_class(&mut c, asynchronous);
        }
        c.finish()
    }

    fn client_class(&self, c: &mut Code, asynchronous: bool) {
        let (name, rt, aw, def, prefix) = if asynchronous {
            ("AsyncClient", "sigwire.AsyncClient", "await ", "async def", "Async")
        } else {
            ("Client", "sigwire.Client", "", "def", "")
        };
        c.line("");
        c.line("");
        c.line(format!("class {name}(_Common):"));
        c.indent();
        c.line(format!(
            "\"\"\"The {} on ``{rt}``: every signed operation is signed by the runtime.",
            doc_text(&self.api.title)
        ));
        c.line("");
        c.line(format!(
            "``key_id``/``secret`` default to ``{}_KEY_ID``/``{}_SECRET``, ``base_url`` to",
            self.env, self.env
        ));
        c.line(format!("``{}_BASE_URL`` or the description's first server. Other keyword arguments", self.env));
        c.line(format!("(timeouts, retries, ``default_headers``, ...) go to ``{rt}``."));
        c.line("\"\"\"");
        c.line("");
        c.line("def __init__(");
        c.indent();
        c.line("self,");
        c.line("key_id: Optional[str] = None,");
        c.line("secret: Union[str, bytes, None] = None,");
        c.line("*,");
        c.line("base_url: Optional[str] = None,");
        c.line("**options: Any,");
        c.dedent();
        c.line(") -> None:");
        c.indent().line(format!("super().__init__(key_id, secret, base_url, options, {rt})")).dedent();
        for g in &self.groups {
            c.line("");
            c.line("@functools.cached_property");
            c.line(format!("def {}(self) -> _r_{}.{prefix}{}:", g.module, g.module, g.class));
            c.indent();
            c.line(format!("\"\"\"Operations tagged ``{}``.\"\"\"", doc_text(&g.key)));
            c.line(format!("from .resources.{} import {prefix}{}", g.module, g.class));
            c.line("");
            c.line(format!("return {prefix}{}(self)", g.class));
            c.dedent();
        }
        c.line("");
        c.line(format!("{def} _call(self, r: _base.Request, extra_headers: Optional[Mapping[str, str]], idempotency_key: Optional[str], timeout: Optional[float]) -> Tuple[Any, Dict[str, str]]:"));
        c.indent();
        c.line("\"\"\"Sends ``r`` through the runtime (signed, or unsigned with ``sign=False``) and decodes the response.\"\"\"");
        c.line("r.add_headers(extra_headers)");
        c.line("runtime = self._runtime(r.signed)");
        c.line("try:");
        c.indent()
            .line(format!("resp = {aw}runtime.request(r.method, r.path, **self._kwargs(r, idempotency_key, timeout))"))
            .dedent();
        c.line("except sigwire.HttpStatusError as exc:");
        c.indent().line("raise _base.http_error(exc, r.operation) from None").dedent();
        c.line("return _base.decode(r.accept, resp.status, resp.headers, resp.body), resp.headers");
        c.dedent();
        c.line("");
        c.line(format!("{def} close(self) -> None:"));
        c.indent().line("\"\"\"Nothing to release (the runtime pools connections); for symmetry.\"\"\"").dedent();
        if asynchronous {
            c.line("");
            c.line("async def __aenter__(self) -> AsyncClient:");
            c.indent().line("return self").dedent();
            c.line("");
            c.line("async def __aexit__(self, *exc: object) -> None:");
            c.indent().line("return None").dedent();
        } else {
            c.line("");
            c.line("def __enter__(self) -> Client:");
            c.indent().line("return self").dedent();
            c.line("");
            c.line("def __exit__(self, *exc: object) -> None:");
            c.indent().line("return None").dedent();
        }
        c.dedent();
    }

    // ---- resources --------------------------------------------------------------------

    fn resource(&self, g: &Group) -> String {
        let mut c = Code::new("    ");
        c.line(format!(
            "\"\"\"Operations tagged ``{}`` (generated by sigwire-gen; do not edit).\"\"\"",
            doc_text(&g.key)
        ));
        c.line("");
        c.line("from __future__ import annotations");
        c.line("");
        let mut body = Code::new("    ");
        let head = c;
        let c = &mut body;
        for asynchronous in [false, true] {
            let prefix = if asynchronous { "Async" } else { "" };
            c.line("");
            c.line("");
            c.line(format!("class {prefix}{}:", g.class));
            c.indent();
            c.line(format!("\"\"\"Operations tagged ``{}``.\"\"\"", doc_text(&g.key)));
            c.line("");
            c.line(format!("def __init__(self, client: {prefix}Client) -> None:"));
            c.indent().line("self._client = client").dedent();
            let mut methods = Scope::new();
            for &i in &g.ops {
                let op = &self.api.operations[i];
                let name = methods.claim(&ident(&op.method_name, KEYWORDS));
                self.operation(c, op, &name, asynchronous);
                if let Some(p) = &op.pagination {
                    let all = methods.claim(&format!("{name}_all"));
                    self.paginator(c, op, &name, &all, p, asynchronous);
                }
            }
            c.dedent();
        }
        let body = body.finish();
        let mut c = head;
        let typing: Vec<&str> =
            ["Any", "AsyncIterator", "Dict", "Iterator", "List", "Literal", "Mapping", "Optional", "Tuple", "Union"]
                .into_iter()
                .filter(|n| uses_word(&body, n))
                .collect();
        let mut typing: Vec<&str> = typing;
        typing.insert(0, "TYPE_CHECKING");
        if uses_word(&body, "cast") {
            typing.push("cast");
        }
        c.line(format!("from typing import {}", typing.join(", ")));
        c.line("");
        c.line("from .. import _base");
        c.line("");
        c.line("if TYPE_CHECKING:");
        c.indent();
        if body.contains("_t.") {
            c.line("from .. import types as _t");
        }
        c.line("from .._client import AsyncClient, Client");
        c.dedent();
        c.line("");
        c.line(format!("__all__ = [\"{}\", \"Async{}\"]", g.class, g.class));
        c.lines(&body);
        c.finish()
    }

    /// Parameter names of an operation (unique, valid), in signature order.
    fn param_names(&self, op: &Operation) -> Vec<String> {
        let mut scope = Scope::new();
        for r in [
            "token",
            "fetch",
            "item",
            "body",
            "extra_headers",
            "idempotency_key",
            "timeout",
            "self",
            "cast",
            "Any",
            "Optional",
            "Mapping",
            "Dict",
            "List",
            "Union",
            "Literal",
            "Tuple",
            "Iterator",
            "AsyncIterator",
            "TYPE_CHECKING",
        ] {
            scope.reserve(r);
        }
        op.params.iter().map(|p| scope.claim(&ident(&naming::snake(&p.name), KEYWORDS))).collect()
    }

    fn success(&self, op: &Operation) -> (String, &'static str) {
        let (mut types, accept) = super::success_types(op, "None", |t| self.ty(t, "_t."));
        let ret = match types.len() {
            0 => "None".to_owned(),
            1 => types.remove(0),
            _ if accept != "json" => "Any".to_owned(),
            _ => format!("Union[{}]", types.join(", ")),
        };
        (ret, accept)
    }

    #[allow(clippy::too_many_arguments)]
    fn signature(
        &self,
        c: &mut Code,
        op: &Operation,
        name: &str,
        names: &[String],
        asynchronous: bool,
        ret: &str,
        skip: Option<&str>,
    ) {
        let def = if asynchronous { "async def" } else { "def" };
        c.line(format!("{def} {name}("));
        c.indent();
        c.line("self,");
        for (p, n) in op.params.iter().zip(names).filter(|(p, _)| p.location == ParamLocation::Path) {
            c.line(format!("{n}: {},", self.ty(&p.ty, "_t.")));
        }
        let body_required = op.body.as_ref().is_some_and(|b| b.required);
        if let (true, Some(b)) = (body_required, &op.body) {
            c.line(format!("body: {},", self.body_ty(b)));
        }
        c.line("*,");
        for (p, n) in op.params.iter().zip(names).filter(|(p, _)| p.location != ParamLocation::Path && p.required) {
            if Some(p.name.as_str()) == skip {
                continue;
            }
            c.line(format!("{n}: {},", self.ty(&p.ty, "_t.")));
        }
        if let (false, Some(b)) = (body_required, &op.body) {
            c.line(format!("body: Optional[{}] = None,", self.body_ty(b)));
        }
        for (p, n) in op.params.iter().zip(names).filter(|(p, _)| p.location != ParamLocation::Path && !p.required) {
            if Some(p.name.as_str()) == skip {
                continue;
            }
            let t = self.ty(&p.ty, "_t.");
            let t = if t.starts_with("Optional[") || t == "Any" || t == "None" { t } else { format!("Optional[{t}]") };
            c.line(format!("{n}: {t} = None,"));
        }
        c.line("extra_headers: Optional[Mapping[str, str]] = None,");
        c.line("idempotency_key: Optional[str] = None,");
        c.line("timeout: Optional[float] = None,");
        c.dedent();
        c.line(format!(") -> {ret}:"));
    }

    fn body_ty(&self, b: &crate::ir::Body) -> String {
        match b.encoding {
            BodyEncoding::Binary => "bytes".into(),
            BodyEncoding::Text => "str".into(),
            BodyEncoding::Multipart => match self.ty(&b.ty, "_t.") {
                t if t.starts_with("_t.") => format!("Union[{t}, Mapping[str, Any]]"),
                t => t,
            },
            _ => self.ty(&b.ty, "_t."),
        }
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
        if op.deprecated {
            lines.push(String::new());
            lines.push("Deprecated.".into());
        }
        lines.push(String::new());
        let how = match op.signing {
            Signing::Unsigned => "unsigned".to_owned(),
            Signing::Signed(i) => format!("signed with {}", self.api.signing_schemes[i].scheme),
        };
        lines.push(format!(
            "``{} {}`` ({how}). Raises ``ApiError`` (a subclass per status) on 4xx/5xx.",
            op.method,
            doc_text(&op.path)
        ));
        docstring(c, lines.join("\n").trim());
    }

    fn operation(&self, c: &mut Code, op: &Operation, name: &str, asynchronous: bool) {
        let names = self.param_names(op);
        let (ret, accept) = self.success(op);
        c.line("");
        self.signature(c, op, name, &names, asynchronous, &ret, None);
        c.indent();
        self.op_doc(c, op, None);
        self.build_request(c, op, &names, accept);
        let aw = if asynchronous { "await " } else { "" };
        let call = format!("{aw}self._client._call(_r, extra_headers, idempotency_key, timeout)");
        if ret == "None" {
            c.line(call);
        } else if ret == "Any" {
            c.line(format!("return ({call})[0]"));
        } else {
            c.line(format!("return cast({}, ({call})[0])", string_literal(&ret)));
        }
        c.dedent();
    }

    fn build_request(&self, c: &mut Code, op: &Operation, names: &[String], accept: &str) {
        // Path: literal pieces and serialised parameters.
        let pieces: Vec<String> = path_pieces(&op.path)
            .into_iter()
            .map(|piece| match piece {
                PathPiece::Literal(text) => string_literal(text),
                PathPiece::Param { name, raw } => {
                    match op.params.iter().zip(names).find(|(p, _)| p.location == ParamLocation::Path && p.name == name)
                    {
                        Some((p, n)) => format!(
                            "_base.path_param({}, {n}, {}, {})",
                            string_literal(&p.name),
                            string_literal(style_name(p.style)),
                            py_bool(p.explode)
                        ),
                        None => string_literal(raw),
                    }
                }
            })
            .collect();
        let signed = match op.signing {
            Signing::Unsigned => "None".to_owned(),
            Signing::Signed(i) => i.to_string(),
        };
        c.line(format!(
            "_r = _base.Request({}, {}, {}, {signed}, {})",
            string_literal(&op.method),
            pieces.join(" + "),
            string_literal(&op.id),
            string_literal(accept)
        ));
        let mut cookies = false;
        for (p, n) in op.params.iter().zip(names) {
            let style = string_literal(style_name(p.style));
            match p.location {
                ParamLocation::Path => {}
                ParamLocation::Query => {
                    c.line(format!(
                        "_base.query(_r.query, {}, {n}, {style}, {})",
                        string_literal(&p.name),
                        py_bool(p.explode)
                    ));
                }
                ParamLocation::Header => {
                    let add = format!(
                        "_r.headers.append(({}, _base.simple({n}, {})))",
                        string_literal(&p.name),
                        py_bool(p.explode)
                    );
                    if p.required {
                        c.line(add);
                    } else {
                        c.line(format!("if {n} is not None:"));
                        c.indent().line(add).dedent();
                    }
                }
                ParamLocation::Cookie => {
                    if !cookies {
                        c.line("_cookies: List[Tuple[str, str]] = []");
                        cookies = true;
                    }
                    c.line(format!(
                        "_base.query(_cookies, {}, {n}, \"form\", {})",
                        string_literal(&p.name),
                        py_bool(p.explode)
                    ));
                }
            }
        }
        if cookies {
            c.line("if _cookies:");
            c.indent().line("_r.headers.append((\"Cookie\", _base.cookie_header(_cookies)))").dedent();
        }
        if let Some(b) = &op.body {
            let enc = match b.encoding {
                BodyEncoding::Json => "json",
                BodyEncoding::Form => "form",
                BodyEncoding::Multipart => "multipart",
                BodyEncoding::Binary => "binary",
                BodyEncoding::Text => "text",
            };
            c.line(format!("_r.set_body({}, {}, body)", string_literal(enc), string_literal(&b.content_type)));
        }
    }

    fn paginator(
        &self,
        c: &mut Code,
        op: &Operation,
        page_method: &str,
        name: &str,
        p: &crate::ir::Pagination,
        asynchronous: bool,
    ) {
        let names = self.param_names(op);
        let item = self.ty(&p.item_ty, "_t.");
        let (style, param, next, start, size) = match &p.style {
            PageStyle::Cursor { param, next } => ("cursor", Some(param.clone()), next.clone(), "None".to_owned(), None),
            PageStyle::Offset { param, limit } => {
                ("offset", Some(param.clone()), Vec::new(), "0".to_owned(), limit.clone())
            }
            PageStyle::Page { param, start } => ("page", Some(param.clone()), Vec::new(), start.to_string(), None),
            PageStyle::NextLink { next } => ("next-link", None, next.clone(), "None".to_owned(), None),
        };
        let ret = if asynchronous { format!("AsyncIterator[{item}]") } else { format!("Iterator[{item}]") };
        c.line("");
        self.signature(c, op, name, &names, asynchronous, &ret, param.as_deref());
        c.indent();
        self.op_doc(
            c,
            op,
            Some(&format!("Iterates over every item of every page (``{page_method}`` called once per page).")),
        );
        let token_name = param
            .as_ref()
            .and_then(|pn| op.params.iter().zip(&names).find(|(q, _)| &q.name == pn).map(|(_, n)| n.clone()));
        let def = if asynchronous { "async def" } else { "def" };
        let aw = if asynchronous { "await " } else { "" };
        c.line("");
        c.line(format!("{def} fetch(token: object) -> Tuple[object, Dict[str, str]]:"));
        c.indent();
        if style == "next-link" {
            c.line("if isinstance(token, str):");
            c.indent();
            let signed = match op.signing {
                Signing::Unsigned => "None".to_owned(),
                Signing::Signed(i) => i.to_string(),
            };
            c.line(format!("_n = _base.Request(\"GET\", token, {}, {signed}, \"json\")", string_literal(&op.id)));
            c.line(format!("return {aw}self._client._call(_n, extra_headers, None, timeout)"));
            c.dedent();
        }
        let (_, accept) = self.success(op);
        self.build_request_with_token(c, op, &names, accept, token_name.as_deref());
        c.line(format!("return {aw}self._client._call(_r, extra_headers, idempotency_key, timeout)"));
        c.dedent();
        c.line("");
        let items: Vec<String> = p.items.iter().map(|s| string_literal(s)).collect();
        let next: Vec<String> = next.iter().map(|s| string_literal(s)).collect();
        let size_expr = match size.as_ref().and_then(|s| op.params.iter().zip(&names).find(|(q, _)| &q.name == s)) {
            Some((_, n)) => format!("{n} if isinstance({n}, int) else None"),
            None => "None".to_owned(),
        };
        let walker = if asynchronous { "apaginate" } else { "paginate" };
        if asynchronous {
            c.line(format!(
                "async for item in _base.{walker}({}, fetch, ({}), ({}), {start}, {size_expr}):",
                string_literal(style),
                tuple_items(&items),
                tuple_items(&next)
            ));
        } else {
            c.line(format!(
                "for item in _base.{walker}({}, fetch, ({}), ({}), {start}, {size_expr}):",
                string_literal(style),
                tuple_items(&items),
                tuple_items(&next)
            ));
        }
        c.indent().line(format!("yield cast({}, item)", string_literal(&item))).dedent();
        c.dedent();
    }

    fn build_request_with_token(
        &self,
        c: &mut Code,
        op: &Operation,
        names: &[String],
        accept: &str,
        token: Option<&str>,
    ) {
        match token {
            Some(t) => {
                // The paginated parameter takes the token (its own argument is not offered).
                c.line(format!("{t}: Any = token"));
                self.build_request(c, op, names, accept);
            }
            None => self.build_request(c, op, names, accept),
        }
    }

    // ---- README -----------------------------------------------------------------------

    fn readme(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "# {} — Python SDK\n", self.api.title);
        if let Some(d) = &self.api.description {
            let _ = writeln!(s, "{}\n", d.trim());
        }
        let _ = writeln!(
            s,
            "Generated by `sigwire-gen` from the API's OpenAPI description (API version {}).",
            self.api.version
        );
        let _ = writeln!(
            s,
            "Requests are signed by the [`sigwire`](https://pypi.org/project/sigwire/) runtime: retries, timeouts,"
        );
        let _ = writeln!(s, "clock-skew correction and idempotency keys come from it.\n");
        let _ = writeln!(s, "## Install\n\n```sh\npip install {}\n```\n", self.dist);
        let _ = writeln!(s, "## Configure\n");
        let _ = writeln!(
            s,
            "```python\nimport {}\n\nclient = {}.Client(key_id=\"...\", secret=\"...\")  # or the environment:",
            self.pkg, self.pkg
        );
        let _ = writeln!(s, "# {e}_KEY_ID, {e}_SECRET, {e}_BASE_URL\n```\n", e = self.env);
        let _ = writeln!(s, "The secret is handed to the runtime at construction and never kept by the SDK.\n");
        let _ = writeln!(s, "## Operations\n");
        for g in &self.groups {
            let _ = writeln!(s, "### `client.{}`\n", g.module);
            let mut methods = Scope::new();
            for &i in &g.ops {
                let op = &self.api.operations[i];
                let name = methods.claim(&ident(&op.method_name, KEYWORDS));
                let signed = if matches!(op.signing, Signing::Unsigned) { " (unsigned)" } else { "" };
                let _ = writeln!(
                    s,
                    "- `{name}(...)` — `{} {}`{signed}: {}",
                    op.method,
                    op.path,
                    op.summary.as_deref().unwrap_or("").trim()
                );
                if op.pagination.is_some() {
                    let all = methods.claim(&format!("{name}_all"));
                    let _ = writeln!(s, "- `{all}(...)` — iterates over every item of every page");
                }
            }
            let _ = writeln!(s);
        }
        let _ = writeln!(s, "## Async\n\n```python\nasync with {}.AsyncClient() as client:\n    ...  # the same methods, awaited; paginators are `async for`\n```\n", self.pkg);
        let _ = writeln!(
            s,
            "## Errors\n\nA 4xx/5xx answer raises `{}.ApiError` (subclasses: `NotFoundError`, `ConflictError`,",
            self.pkg
        );
        let _ = writeln!(s, "`UnprocessableEntityError`, `RateLimitError`, `InternalServerError`, ...) carrying `status`, `headers` and");
        let _ =
            writeln!(s, "the parsed `body`. Transport failures are the runtime's `sigwire.SigwireError` subclasses.\n");
        let _ = writeln!(
            s,
            "## Types\n\nModels are `TypedDict`s in `{}.types` (plain dicts at run time); enums accept unknown",
            self.pkg
        );
        let _ = writeln!(
            s,
            "values. Request bodies take `<Name>Input` types where a schema has read-only fields (left out)\nor write-only ones; response types leave write-only fields out."
        );
        s
    }
}

const ERRORS: &[&str] = &[
    "ApiError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "UnprocessableEntityError",
    "RateLimitError",
    "InternalServerError",
    "MissingCredentials",
];

fn py_bool(b: bool) -> &'static str {
    if b {
        "True"
    } else {
        "False"
    }
}

/// A Python `Literal[...]` member for a JSON value, when one exists.
fn literal(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(string_literal(s)),
        Value::Bool(b) => Some(py_bool(*b).to_owned()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        Value::Null => Some("None".to_owned()),
        _ => None,
    }
}

fn tuple_items(items: &[String]) -> String {
    match items.len() {
        0 => String::new(),
        1 => format!("{},", items[0]),
        _ => items.join(", "),
    }
}

/// Whether the code in `text` uses the typing name `word` (by the shapes generated code uses it
/// in, so words in docstrings and comments do not count).
fn uses_word(text: &str, word: &str) -> bool {
    // Docstrings (every other `"""`-delimited piece; descriptions never contain a raw `"""`) and
    // comment lines (`#: Any tags…` field notes) are prose, not code: "INTERNAL: Any error" in a
    // description must not import `Any`.
    let outside_docstrings: String = text.split("\"\"\"").step_by(2).collect::<Vec<_>>().join("\"\"\"\"\"\"");
    let code: String =
        outside_docstrings.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    let text = code.as_str();
    match word {
        // `Any` as a whole word in one of these shapes: `GoogleProtobufAny]` or `: AnyOf` is
        // another name.
        "Any" => text.match_indices("Any").any(|(i, _)| {
            let bytes = text.as_bytes();
            let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
            let before_ok = i == 0 || !(ident(bytes[i - 1]) || bytes[i - 1] == b'.');
            let after_ok = !bytes.get(i + 3).is_some_and(|b| ident(*b));
            before_ok
                && after_ok
                && ["Any]", "Any,", "Any)", " Any =", "-> Any:", ": Any", "[Any", "'Any'"].iter().any(|p| {
                    let at = p.find("Any").unwrap_or(0);
                    i >= at && text.get(i - at..).is_some_and(|rest| rest.starts_with(p))
                })
        }),
        "TypedDict" => text.contains("(TypedDict)") || text.contains("TypedDict("),
        "TypeAlias" => text.contains(": TypeAlias"),
        // `cast(` as a call, not the end of another name (`forecasts_forecast(`) nor a method
        // named `cast` (`def cast(`).
        "cast" => text.match_indices("cast(").any(|(i, _)| {
            !text[..i].chars().next_back().is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                && !text[..i].trim_end_matches([' ', '\t']).ends_with("def")
        }),
        _ => text.contains(&format!("{word}[")),
    }
}

/// A Python string literal holding a type expression (a forward reference).
fn py_quote(t: &str) -> String {
    format!("'{}'", t.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn docstring(c: &mut Code, text: &str) {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= 1 {
        c.line(format!("\"\"\"{}\"\"\"", text.trim_end_matches('"')));
        return;
    }
    c.line(format!("\"\"\"{}", lines[0].trim_end()));
    for l in &lines[1..] {
        c.line(l.trim_end());
    }
    c.line("\"\"\"");
}

fn comment_doc(c: &mut Code, doc: &str) {
    for l in doc.lines() {
        c.line(format!("# {l}").trim_end());
    }
}

fn field_comment(f: &Field) -> Vec<String> {
    let mut out = Vec::new();
    let mut notes = Vec::new();
    if f.read_only {
        notes.push("read-only".to_owned());
    }
    if f.write_only {
        notes.push("write-only".to_owned());
    }
    if f.deprecated {
        notes.push("deprecated".to_owned());
    }
    if let Some(d) = &f.default {
        notes.push(format!("default: {}", d.to_string().chars().take(80).collect::<String>()));
    }
    if let Some(doc) = &f.doc {
        for (i, l) in doc_text(doc).lines().enumerate() {
            if i == 0 && !notes.is_empty() {
                out.push(format!("#: ({}) {l}", notes.join(", ")).trim_end().to_owned());
            } else {
                out.push(format!("#: {l}").trim_end().to_owned());
            }
        }
    }
    if out.is_empty() && !notes.is_empty() {
        out.push(format!("#: ({})", notes.join(", ")));
    }
    out
}

#[allow(dead_code)]
fn unused(_: &Param) {}

#[cfg(test)]
mod tests {
    use super::uses_word;

    #[test]
    fn prose_in_docstrings_and_comments_imports_nothing() {
        let body = "def f(self) -> None:\n    \"\"\"Errors: * INTERNAL: Any non-user error, [Any] of them.\"\"\"\n    #: (read-only) Any: tags\n    return None\n";
        assert!(!uses_word(body, "Any"), "a docstring or comment saying `: Any` is not a use");
        let multi = "def f(self) -> None:\n    \"\"\"First line\n\n    * UNKNOWN: Any error\n    \"\"\"\n    x: List[int] = []\n";
        assert!(!uses_word(multi, "Any"));
        assert!(uses_word(multi, "List"), "code after a docstring still counts");
        assert!(uses_word("def g(x: Any) -> None:\n    \"\"\"Doc.\"\"\"\n", "Any"));
        assert!(!uses_word("    def forecasts_forecast(self) -> None:\n", "cast"), "a name ending in cast is no call");
        assert!(uses_word("    return cast(int, x)\n", "cast"));
    }

    #[test]
    fn names_ending_or_starting_with_a_typing_word_import_nothing() {
        // Corpus (registry): a schema named GoogleProtobufAny is not `typing.Any`.
        assert!(!uses_word("    items: List[GoogleProtobufAny]\n", "Any"));
        assert!(!uses_word("def f(x: GoogleProtobufAny, y: int) -> None: ...\n", "Any"));
        assert!(!uses_word("    a: AnyOfThing\n    b: List[AnyValue]\n", "Any"));
        assert!(!uses_word("    x: typing_extensions.Any\n", "Any"));
        assert!(uses_word("    items: List[Any]\n", "Any"));
        assert!(uses_word("Json = Dict[str, Any]\n", "Any"));
        assert!(uses_word("def f() -> Any:\n", "Any"));
        // Corpus (rottentomatoes): an operation's method named `cast` is no call of typing.cast.
        assert!(!uses_word("    def cast(self, movie_id: str) -> CastList:\n", "cast"));
        assert!(!uses_word("    async def cast(self) -> None:\n", "cast"));
        assert!(uses_word("    def cast(self) -> X:\n        return cast(X, self._get())\n", "cast"));
    }
}
