//! Bad input: every failure is a typed error with a JSON Pointer (and line where known), the CLI
//! exits with status 2, and nothing panics on random documents.

use std::process::Command;

use proptest::prelude::*;
use serde_json::{json, Value};
use sigwire_gen::emit::{self, Lang, Options};
use sigwire_gen::loader::Source;
use sigwire_gen::{build, ErrorKind};

fn build_str(text: &str) -> Result<sigwire_gen::ir::Api, sigwire_gen::Error> {
    build::build(&Source::from_str(text, "spec.yaml")?)
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\n";

#[test]
fn malformed_yaml_names_the_line() {
    let err = build_str("openapi: 3.0.3\ninfo:\n  title: [unclosed\n  version: 1\n").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Syntax);
    assert!(err.line_number().is_some(), "{err}");
}

#[test]
fn dangling_ref_names_the_pointer() {
    let err = build_str(&format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A:\n      type: object\n      properties:\n        b: {{$ref: '#/components/schemas/Missing'}}\n"
    ))
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::DanglingRef);
    assert_eq!(err.pointer(), Some("/components/schemas/A/properties/b"));
}

#[test]
fn ref_loop_without_a_schema_is_an_error_but_recursive_schemas_work() {
    let err = build_str(&format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: '#/components/schemas/B'}}\n    B: {{$ref: '#/components/schemas/A'}}\n"
    ))
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::RefLoop, "{err}");
    let api = build_str(&format!(
        "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    Node:\n      type: object\n      properties:\n        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}\n"
    ))
    .unwrap();
    assert_eq!(api.types.len(), 1);
}

#[test]
fn unknown_signing_profile_is_refused() {
    let err = build_str(&format!(
        "{HEAD}paths: {{}}\ncomponents:\n  securitySchemes:\n    s: {{type: apiKey, in: header, name: Authorization, x-sigwire: {{scheme: made-up}}}}\n"
    ))
    .unwrap_err();
    assert_eq!(err.pointer(), Some("/components/securitySchemes/s/x-sigwire/scheme"));
    assert!(err.to_string().contains("made-up"));
}

#[test]
fn bad_pagination_names_the_field() {
    let err = build_str(&format!(
        "{HEAD}paths:\n  /x:\n    get:\n      x-sigwire-pagination: {{style: cursor, cursorParam: nope, nextCursor: n}}\n      responses: {{'200': {{description: ok}}}}\n"
    ))
    .unwrap_err();
    assert_eq!(err.pointer(), Some("/paths/~1x/get/x-sigwire-pagination/cursorParam"));
}

fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sigwire-gen")).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_exits_2_on_swagger_and_names_the_version() {
    let dir = std::env::temp_dir().join(format!("sigwire-gen-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = dir.join("swagger.json");
    std::fs::write(&spec, r#"{"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}"#).unwrap();
    let (code, _, err) = cli(&["check", spec.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("Swagger 2.0") && err.contains("#/swagger"), "{err}");
    let (code, _, err) = cli(&["generate", spec.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = cli(&["check", dir.join("missing.yaml").to_str().unwrap()]);
    assert_eq!(code, 2);
}

#[test]
fn refs_to_relative_files_resolve() {
    let dir = std::env::temp_dir().join(format!("sigwire-gen-files-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("schemas")).unwrap();
    std::fs::write(
        dir.join("api.yaml"),
        format!("{HEAD}paths:\n  /pets:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: 'schemas/pet.yaml#/Pet'}}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("schemas/pet.yaml"),
        "Pet:\n  type: object\n  properties:\n    owner: {$ref: '../owner.json'}\n",
    )
    .unwrap();
    std::fs::write(dir.join("owner.json"), r#"{"type": "object", "properties": {"name": {"type": "string"}}}"#)
        .unwrap();
    let api = build::build(&Source::load(&dir.join("api.yaml")).unwrap()).unwrap();
    let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Pet", "Owner"]);
}

/// A random JSON value, biased towards OpenAPI-looking keys.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| json!(n)),
        prop_oneof![
            Just("object"),
            Just("array"),
            Just("string"),
            Just("#/components/schemas/A"),
            Just("#/x"),
            Just("cursor"),
            Just("null"),
            Just("application/json"),
            Just("multipart/form-data"),
            Just("form")
        ]
        .prop_map(|s| json!(s)),
    ];
    let keys = prop_oneof![
        Just("type"),
        Just("properties"),
        Just("items"),
        Just("$ref"),
        Just("allOf"),
        Just("oneOf"),
        Just("anyOf"),
        Just("enum"),
        Just("required"),
        Just("nullable"),
        Just("additionalProperties"),
        Just("discriminator"),
        Just("propertyName"),
        Just("mapping"),
        Just("schema"),
        Just("content"),
        Just("parameters"),
        Just("name"),
        Just("in"),
        Just("responses"),
        Just("requestBody"),
        Just("x-sigwire-pagination"),
        Just("style"),
        Just("A"),
        Just("const"),
        Just("security"),
        Just("default")
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..5)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random components, paths and operations: an `Ok` or an `Err`, never a panic, and
    /// generation of whatever builds never panics either.
    #[test]
    fn random_documents_never_panic(schemas in value(), path in value(), op in value()) {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "R", "version": "1"},
            "components": {"schemas": {"A": schemas.clone(), "B": {"$ref": "#/components/schemas/A"}}},
            "paths": {"/a/{id}": path, "/b": {"get": op.clone(), "post": {"requestBody": {"content": {"application/json": {"schema": schemas}}}, "responses": {"200": op}}}},
        });
        if let Ok(src) = Source::from_value(doc, "r.json") {
            if let Ok(api) = build::build(&src) {
                let _ = emit::generate(&api, Lang::Python, &Options::default());
                let _ = emit::generate(&api, Lang::TypeScript, &Options::default());
            }
        }
    }

    /// Arbitrary text as a document: a syntax/version error or a build, never a panic.
    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        if let Ok(src) = Source::from_str(&text, "t.yaml") {
            let _ = build::build(&src);
        }
    }
}
