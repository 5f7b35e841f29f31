//! OpenAPI document ([`Source`]) to [`Api`]: operations, parameters, bodies, responses, named
//! types, signing and pagination. Unusual constructs are degraded (recorded in
//! [`Api::degraded`] with their JSON Pointer); broken ones are errors.

mod access;
mod operations;
mod schema;
mod security;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::error::Result;
use crate::ir::{Api, Degraded, TypeId, TypeKind, TypeRef};
use crate::loader::Source;
use crate::naming::Scope;

/// Builds the IR of the document in `src`.
pub fn build(src: &Source) -> Result<Api> {
    let mut b = Builder {
        src,
        api: Api::default(),
        memo: HashMap::new(),
        resolving: BTreeSet::new(),
        claim_for: HashMap::new(),
        type_names: Scope::new(),
        disc_uses: BTreeMap::new(),
        depth: 0,
    };
    let doc = src.doc();
    let info = doc.get("info");
    b.api.title = info.and_then(|i| i.get("title")).and_then(Value::as_str).unwrap_or("API").to_owned();
    b.api.version = info.and_then(|i| i.get("version")).map(text).unwrap_or_else(|| "0.0.0".to_owned());
    b.api.description = info.and_then(|i| i.get("description")).and_then(Value::as_str).map(str::to_owned);
    b.api.servers = servers(doc);
    let root: &str = &src.root;
    if let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) {
        for key in schemas.keys() {
            b.named_ref(root, "/components/schemas", &format!("#/components/schemas/{}", escape(key)))?;
        }
    }
    b.security_schemes()?;
    b.operations()?;
    b.specialise_discriminators();
    access::split(&mut b.api, &mut b.type_names);
    Ok(b.api)
}

/// The state of one build.
pub(crate) struct Builder<'a> {
    pub(crate) src: &'a Source,
    pub(crate) api: Api,
    /// `$ref` targets already converted: (file, pointer) → type.
    pub(crate) memo: HashMap<(String, String), TypeId>,
    /// `$ref` targets being resolved (loop detection for pure `$ref` chains).
    pub(crate) resolving: BTreeSet<(String, String)>,
    /// A reserved type id to be filled by the schema at this pointer.
    pub(crate) claim_for: HashMap<String, TypeId>,
    pub(crate) type_names: Scope,
    /// Named object types used as discriminated variants: (property, tag) pairs.
    pub(crate) disc_uses: BTreeMap<TypeId, BTreeSet<(String, String)>>,
    pub(crate) depth: usize,
}

impl Builder<'_> {
    /// Records a degraded construct.
    pub(crate) fn degrade(&mut self, pointer: &str, note: &str) {
        self.api.degraded.push(Degraded { pointer: pointer.to_owned(), note: note.to_owned() });
    }

    /// A variant type used with exactly one discriminator value gets that value as the type of
    /// its discriminator field, so unions narrow on it in every language.
    fn specialise_discriminators(&mut self) {
        for (id, uses) in std::mem::take(&mut self.disc_uses) {
            let props: BTreeSet<&String> = uses.iter().map(|(p, _)| p).collect();
            if uses.len() != 1 || props.len() != 1 {
                continue;
            }
            let Some((prop, tag)) = uses.iter().next() else {
                continue;
            };
            if let Some(TypeKind::Object(obj)) = self.api.types.get_mut(id.0).map(|t| &mut t.kind) {
                match obj.fields.iter_mut().find(|f| &f.name == prop) {
                    Some(f) => {
                        f.ty = TypeRef::Const(Value::String(tag.clone()));
                        f.required = true;
                    }
                    None => obj.fields.insert(
                        0,
                        crate::ir::Field {
                            name: prop.clone(),
                            ty: TypeRef::Const(Value::String(tag.clone())),
                            required: true,
                            read_only: false,
                            write_only: false,
                            default: None,
                            doc: None,
                            deprecated: false,
                        },
                    ),
                }
            }
        }
    }
}

/// A JSON Pointer segment for `key` (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn servers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for s in doc.get("servers").and_then(Value::as_array).into_iter().flatten() {
        let Some(url) = s.get("url").and_then(Value::as_str) else {
            continue;
        };
        let mut url = url.to_owned();
        if let Some(vars) = s.get("variables").and_then(Value::as_object) {
            for (name, var) in vars {
                if let Some(d) = var.get("default") {
                    url = url.replace(&format!("{{{name}}}"), &text(d));
                }
            }
        }
        out.push(url);
    }
    out
}
