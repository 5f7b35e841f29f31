//! The IR of the example and edge-case specs: what the emitters rely on.

use std::path::Path;

use serde_json::json;
use sigwire_gen::ir::{Api, PageStyle, ParamLocation, Signing, Style, TypeKind, TypeRef};
use sigwire_gen::{build, loader::Source};

fn load(rel: &str) -> Api {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    build::build(&Source::load(&path).expect("loads")).expect("builds")
}

fn named<'a>(api: &'a Api, name: &str) -> &'a TypeKind {
    &api.types.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no type {name}")).kind
}

#[test]
fn payments_signing_pagination_and_union() {
    let api = load("examples/payments.yaml");
    assert_eq!(api.signing_schemes.len(), 1);
    assert_eq!(api.signing_schemes[0].signed_headers, ["x-request-id"]);
    let health = api.operations.iter().find(|o| o.path == "/health").unwrap();
    assert_eq!(health.signing, Signing::Unsigned, "security: [] is unsigned");
    assert!(api.operations.iter().filter(|o| o.path != "/health").all(|o| o.signing == Signing::Signed(0)));
    let list = api.operations.iter().find(|o| o.id == "list_payments").unwrap();
    assert_eq!((list.group.as_str(), list.method_name.as_str()), ("payments", "list"));
    let p = list.pagination.as_ref().unwrap();
    assert_eq!(p.style, PageStyle::Cursor { param: "cursor".into(), next: vec!["next_cursor".into()] });
    assert!(matches!(p.item_ty, TypeRef::Named(id) if api.types[id.0].name == "Payment"));
    let status = list.params.iter().find(|p| p.name == "status").unwrap();
    assert_eq!((status.location, status.style, status.explode), (ParamLocation::Query, Style::Form, false));
    let TypeKind::Union(u) = named(&api, "PaymentMethod") else { panic!("PaymentMethod is a union") };
    assert_eq!(u.discriminator.as_deref(), Some("type"));
    assert_eq!(
        u.variants.iter().map(|v| v.tags.clone()).collect::<Vec<_>>(),
        [vec!["card".to_owned()], vec!["bank_transfer".to_owned()]]
    );
    let TypeKind::Object(card) = named(&api, "Card") else { panic!() };
    let ty = &card.fields.iter().find(|f| f.name == "type").unwrap().ty;
    assert_eq!(ty, &TypeRef::Const(json!("card")), "variants are tagged by their discriminator value");
    let TypeKind::Enum(e) = named(&api, "PaymentStatus") else { panic!() };
    assert_eq!(e.values.len(), 5);
}

#[test]
fn nullable_in_both_dialects() {
    for spec in ["tests/specs/nullable-30.yaml", "tests/specs/nullable-31.yaml"] {
        let api = load(spec);
        let TypeKind::Object(thing) = named(&api, "Thing") else { panic!() };
        let note = thing.fields.iter().find(|f| f.name == "note").unwrap();
        assert_eq!(note.ty, TypeRef::Nullable(Box::new(TypeRef::String(None))), "{spec}");
        assert!(note.required);
    }
    let api = load("tests/specs/nullable-31.yaml");
    let TypeKind::Object(thing) = named(&api, "Thing") else { panic!() };
    let owner = &thing.fields.iter().find(|f| f.name == "owner").unwrap().ty;
    assert!(matches!(owner, TypeRef::Nullable(_)), "oneOf [X, null] is a nullable X: {owner:?}");
}

#[test]
fn all_of_merges_fields_and_requirements() {
    let api = load("tests/specs/allof.yaml");
    let TypeKind::Object(dog) = named(&api, "Dog") else { panic!() };
    let fields: Vec<(&str, bool)> = dog.fields.iter().map(|f| (f.name.as_str(), f.required)).collect();
    assert_eq!(fields, [("name", true), ("age", false), ("breed", true)]);
    let TypeKind::Object(described) = named(&api, "Described") else { panic!() };
    assert_eq!(described.fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["name", "note"]);
}

#[test]
fn recursive_schemas_are_named_types() {
    let api = load("tests/specs/recursion.yaml");
    let TypeKind::Object(node) = named(&api, "Node") else { panic!() };
    let children = &node.fields.iter().find(|f| f.name == "children").unwrap().ty;
    assert!(
        matches!(children, TypeRef::Array(inner) if matches!(**inner, TypeRef::Named(id) if api.types[id.0].name == "Node"))
    );
}

#[test]
fn names_are_unique_per_language_scope() {
    let api = load("tests/specs/names.yaml");
    let names: Vec<&str> = api.types.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"User") && names.contains(&"User2"), "{names:?}");
    let ids: Vec<&str> = api.operations.iter().map(|o| o.id.as_str()).collect();
    let unique: std::collections::BTreeSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "operation ids unique: {ids:?}");
}

#[test]
fn read_only_and_write_only_fields_split_request_and_response_views() {
    let api = load("tests/specs/readwrite.yaml");
    let TypeKind::Object(response) = named(&api, "Account") else { panic!("Account is an object") };
    let keys: Vec<&str> = response.fields.iter().map(|f| f.name.as_str()).collect();
    assert!(keys.contains(&"id"), "the response view keeps the read-only id");
    assert!(!keys.contains(&"password"), "a response never carries the write-only password");
    let TypeKind::Object(request) = named(&api, "AccountInput") else { panic!("AccountInput is an object") };
    assert!(request.fields.iter().all(|f| f.name != "id"), "a request is not asked for the read-only id");
    let password = request.fields.iter().find(|f| f.name == "password").expect("the request view has password");
    assert!(password.required, "write-only and required: required in the request");
    let create = api.operations.iter().find(|o| o.path == "/accounts").unwrap();
    let body = create.body.as_ref().unwrap();
    assert!(matches!(body.ty, TypeRef::Named(id) if api.types[id.0].name == "AccountInput"));
    let ok = create.responses.iter().find(|r| r.status.is_success()).unwrap();
    assert!(matches!(ok.body, Some((_, TypeRef::Named(id))) if api.types[id.0].name == "Account"));
    // AccountClosed has neither kind of field: shared by both directions, no Input twin.
    assert!(api.types.iter().all(|t| t.name != "AccountClosedInput"));
}
