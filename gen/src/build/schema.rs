//! JSON Schema (OpenAPI 3.0 and 3.1 dialects) to [`TypeRef`]s and [`NamedType`]s.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{escape, Builder};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{EnumType, Field, NamedType, ObjectType, TypeId, TypeKind, TypeRef, UnionType, Variant};

/// Keys that change a schema's shape when they appear beside `$ref`.
const SHAPE_KEYS: &[&str] =
    &["properties", "allOf", "oneOf", "anyOf", "items", "additionalProperties", "enum", "const", "type"];

impl<'a> Builder<'a> {
    /// The type of the schema `v` found at `file`/`pointer`; inline named types are called
    /// after `hint`.
    pub(crate) fn schema(&mut self, file: &'a str, pointer: &str, v: &'a Value, hint: &str) -> Result<TypeRef> {
        self.depth += 1;
        if self.depth > 200 {
            self.depth -= 1;
            return Err(Error::new(ErrorKind::Invalid, "schema nesting deeper than 200 levels").at(pointer));
        }
        let out = self.schema_inner(file, pointer, v, hint);
        self.depth -= 1;
        out
    }

    fn schema_inner(&mut self, file: &'a str, pointer: &str, v: &'a Value, hint: &str) -> Result<TypeRef> {
        let obj = match v {
            Value::Object(o) => o,
            Value::Bool(true) => return Ok(TypeRef::Any),
            _ => {
                self.degrade(pointer, "not a schema object: typed as any value");
                return Ok(TypeRef::Any);
            }
        };
        if let Some(r) = obj.get("$ref") {
            let Some(r) = r.as_str() else {
                return Err(Error::new(ErrorKind::Invalid, "`$ref` must be a string").at(pointer));
            };
            let target = self.named_ref(file, pointer, r)?;
            let nullable = obj.get("nullable") == Some(&Value::Bool(true));
            if SHAPE_KEYS.iter().any(|k| obj.contains_key(*k)) {
                // Keys beside `$ref` (3.1, and common in 3.0 documents): read as allOf.
                let merged = self.object_from_all_of(
                    file,
                    pointer,
                    vec![
                        (pointer.to_owned(), MemberSrc::Ref(target.clone())),
                        (pointer.to_owned(), MemberSrc::Own(obj)),
                    ],
                    hint,
                    obj,
                )?;
                return Ok(wrap_nullable(merged, nullable));
            }
            return Ok(wrap_nullable(target, nullable));
        }
        let (types, type_nullable) = type_list(obj);
        let mut nullable = type_nullable || obj.get("nullable") == Some(&Value::Bool(true));
        if let Some(Value::Array(values)) = obj.get("enum") {
            if values.iter().any(Value::is_null) {
                nullable = true;
            }
        }
        let inner = self.schema_shape(file, pointer, obj, &types, hint)?;
        Ok(wrap_nullable(inner, nullable))
    }

    fn schema_shape(
        &mut self,
        file: &'a str,
        pointer: &str,
        obj: &'a Map<String, Value>,
        types: &[String],
        hint: &str,
    ) -> Result<TypeRef> {
        if let Some(c) = obj.get("const") {
            return Ok(TypeRef::Const(c.clone()));
        }
        if let Some(Value::Array(members)) = obj.get("allOf") {
            let list = members
                .iter()
                .enumerate()
                .map(|(i, m)| (format!("{pointer}/allOf/{i}"), MemberSrc::Value(m)))
                .collect::<Vec<_>>();
            let mut list = list;
            if obj.contains_key("properties") || obj.contains_key("required") {
                list.push((pointer.to_owned(), MemberSrc::Own(obj)));
            }
            return self.object_from_all_of(file, pointer, list, hint, obj);
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(members)) = obj.get(key) {
                if !members.is_empty() {
                    return self.union(file, pointer, obj, key, members, hint);
                }
            }
        }
        if let Some(Value::Array(values)) = obj.get("enum") {
            return Ok(self.enumeration(pointer, obj, values, hint));
        }
        let non_null: Vec<&String> = types.iter().filter(|t| *t != "null").collect();
        if non_null.len() > 1 {
            let variants = non_null.iter().map(|t| Variant { ty: primitive(t, obj), tags: Vec::new() }).collect();
            let id = self.new_type(hint, pointer, obj, TypeKind::Union(UnionType { variants, discriminator: None }));
            return Ok(TypeRef::Named(id));
        }
        let ty = non_null.first().map(|s| s.as_str()).unwrap_or_else(|| {
            if obj.contains_key("properties") || obj.contains_key("additionalProperties") {
                "object"
            } else if obj.contains_key("items") {
                "array"
            } else if types.iter().any(|t| t == "null") {
                "null"
            } else {
                ""
            }
        });
        match ty {
            "object" => self.object(file, pointer, obj, hint),
            "array" => {
                let item = match obj.get("items") {
                    Some(items) => self.schema(file, &format!("{pointer}/items"), items, &format!("{hint}Item"))?,
                    None => TypeRef::Any,
                };
                Ok(TypeRef::Array(Box::new(item)))
            }
            "" => Ok(TypeRef::Any),
            other => Ok(primitive(other, obj)),
        }
    }

    /// A `$ref` to a schema: always a named type (an alias when the target is not an object,
    /// enum or union), converted once; recursion works because the id is reserved first.
    pub(crate) fn named_ref(&mut self, file: &'a str, pointer: &str, r: &str) -> Result<TypeRef> {
        let target = self.src.lookup(file, r).map_err(|e| e.at(pointer))?;
        let key = (target.file.to_owned(), target.pointer.clone());
        if let Some(id) = self.memo.get(&key) {
            return Ok(TypeRef::Named(*id));
        }
        if !self.resolving.insert(key.clone()) {
            return Err(Error::new(
                ErrorKind::RefLoop,
                format!("the `$ref` chain through `{r}` loops without reaching a schema"),
            )
            .at(pointer));
        }
        // A pure `$ref` to another `$ref`: follow (loops detected above).
        if let Some(Value::String(next)) = target.value.get("$ref") {
            if target.value.as_object().is_some_and(|o| !SHAPE_KEYS.iter().any(|k| o.contains_key(*k))) {
                let out = self.named_ref(target.file, &target.pointer, next);
                self.resolving.remove(&key);
                return out;
            }
        }
        let name = target.pointer.rsplit('/').next().unwrap_or("").replace("~1", "/").replace("~0", "~");
        let name = if target.pointer.is_empty() {
            std::path::Path::new(target.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
        } else if name.is_empty() || name.chars().all(|c| c.is_ascii_digit()) {
            format!("{} {}", target.pointer.split('/').nth_back(1).unwrap_or("type"), name)
        } else {
            name
        };
        let obj = target.value.as_object();
        let id = self.reserve_type(&name, &target.pointer, obj);
        self.memo.insert(key.clone(), id);
        self.claim_for.insert(target.pointer.clone(), id);
        let type_name = self.api.types[id.0].name.clone();
        let ty = self.schema(target.file, &target.pointer, target.value, &type_name);
        self.claim_for.remove(&target.pointer);
        self.resolving.remove(&key);
        let ty = ty?;
        match ty {
            TypeRef::Named(t) if t == id => {}
            TypeRef::Nullable(inner) if *inner == TypeRef::Named(id) => {
                self.degrade(&target.pointer, "a nullable named object: references to it are not marked nullable");
            }
            other => self.api.types[id.0].kind = TypeKind::Alias(other),
        }
        Ok(TypeRef::Named(id))
    }

    fn object(&mut self, file: &'a str, pointer: &str, obj: &'a Map<String, Value>, hint: &str) -> Result<TypeRef> {
        let props = obj.get("properties").and_then(Value::as_object);
        let additional = self.additional(file, pointer, obj, hint)?;
        if props.map_or(true, |p| p.is_empty()) {
            return Ok(TypeRef::Map(Box::new(additional.unwrap_or(TypeRef::Any))));
        }
        let id = self.new_type(hint, pointer, obj, TypeKind::Object(ObjectType::default()));
        let name = self.api.types[id.0].name.clone();
        let fields = self.fields(file, pointer, obj, &name)?;
        self.api.types[id.0].kind = TypeKind::Object(ObjectType { fields, additional });
        Ok(TypeRef::Named(id))
    }

    fn additional(
        &mut self,
        file: &'a str,
        pointer: &str,
        obj: &'a Map<String, Value>,
        hint: &str,
    ) -> Result<Option<TypeRef>> {
        Ok(match obj.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Some(TypeRef::Any),
            Some(Value::Bool(false)) => None,
            Some(schema) => {
                Some(self.schema(file, &format!("{pointer}/additionalProperties"), schema, &format!("{hint}Value"))?)
            }
        })
    }

    fn fields(&mut self, file: &'a str, pointer: &str, obj: &'a Map<String, Value>, owner: &str) -> Result<Vec<Field>> {
        let required: BTreeSet<&str> = obj
            .get("required")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut fields = Vec::new();
        if let Some(props) = obj.get("properties").and_then(Value::as_object) {
            for (key, schema) in props {
                let at = format!("{pointer}/properties/{}", escape(key));
                let ty = self.schema(file, &at, schema, &format!("{owner} {key}"))?;
                let flag = |k: &str| schema.get(k) == Some(&Value::Bool(true));
                fields.push(Field {
                    name: key.clone(),
                    ty,
                    required: required.contains(key.as_str()),
                    read_only: flag("readOnly"),
                    write_only: flag("writeOnly"),
                    default: schema.get("default").cloned(),
                    doc: doc_of(schema),
                    deprecated: flag("deprecated"),
                });
            }
        }
        Ok(fields)
    }

    fn object_from_all_of(
        &mut self,
        file: &'a str,
        pointer: &str,
        members: Vec<(String, MemberSrc<'a>)>,
        hint: &str,
        own: &'a Map<String, Value>,
    ) -> Result<TypeRef> {
        // A single member (allOf: [$ref] to add a description): that member's type.
        if members.len() == 1 {
            if let Some((at, MemberSrc::Value(m))) = members.first() {
                return self.schema(file, at, m, hint);
            }
        }
        let id = self.new_type(hint, pointer, own, TypeKind::Object(ObjectType::default()));
        let name = self.api.types[id.0].name.clone();
        let mut merged = ObjectType { fields: Vec::new(), additional: Some(TypeRef::Any) };
        let mut seen = BTreeSet::new();
        let mut object_like = false;
        for (at, member) in members {
            let fields = match member {
                MemberSrc::Value(m) => self.member_fields(file, &at, m, &name, &mut seen)?,
                MemberSrc::Own(map) => self.member_fields_of_map(file, &at, map, &name, &mut seen, true)?,
                MemberSrc::Ref(TypeRef::Named(t)) => self.fields_of_named(t, &mut BTreeSet::new()),
                MemberSrc::Ref(_) => None,
            };
            match fields {
                Some(fs) => {
                    object_like = true;
                    merge_fields(&mut merged.fields, fs);
                }
                None => self.degrade(&at, "allOf member is not an object: its constraints are not merged"),
            }
        }
        if !object_like {
            self.api.types[id.0].kind = TypeKind::Alias(TypeRef::Any);
            return Ok(TypeRef::Named(id));
        }
        self.api.types[id.0].kind = TypeKind::Object(merged);
        Ok(TypeRef::Named(id))
    }

    /// Fields of an allOf member given as a schema value (following `$ref`s and nested allOf).
    fn member_fields(
        &mut self,
        file: &'a str,
        at: &str,
        m: &'a Value,
        owner: &str,
        seen: &mut BTreeSet<(String, String)>,
    ) -> Result<Option<Vec<Field>>> {
        if let Some(Value::String(r)) = m.get("$ref") {
            let ty = self.named_ref(file, at, r)?;
            let mut fields = match ty {
                TypeRef::Named(t) => self.fields_of_named(t, &mut BTreeSet::new()),
                _ => None,
            };
            // Keys beside the `$ref` add to it.
            if let Some(map) = m.as_object() {
                if map.contains_key("properties") {
                    if let Some(extra) = self.member_fields_of_map(file, at, map, owner, seen, true)? {
                        let mut base = fields.take().unwrap_or_default();
                        merge_fields(&mut base, extra);
                        fields = Some(base);
                    }
                }
            }
            return Ok(fields);
        }
        match m.as_object() {
            Some(map) => self.member_fields_of_map(file, at, map, owner, seen, false),
            None => Ok(None),
        }
    }

    fn member_fields_of_map(
        &mut self,
        file: &'a str,
        at: &str,
        map: &'a Map<String, Value>,
        owner: &str,
        seen: &mut BTreeSet<(String, String)>,
        own_keys_only: bool,
    ) -> Result<Option<Vec<Field>>> {
        if !own_keys_only && !seen.insert((file.to_owned(), at.to_owned())) {
            return Ok(Some(Vec::new()));
        }
        let mut out: Option<Vec<Field>> = None;
        let inner_all_of = if own_keys_only { None } else { map.get("allOf") };
        if let Some(Value::Array(inner)) = inner_all_of {
            for (i, m) in inner.iter().enumerate() {
                if let Some(fs) = self.member_fields(file, &format!("{at}/allOf/{i}"), m, owner, seen)? {
                    merge_fields(out.get_or_insert_with(Vec::new), fs);
                }
            }
        }
        let is_object = map.contains_key("properties")
            || map.get("type").and_then(Value::as_str) == Some("object")
            || map.contains_key("required");
        if is_object {
            let fs = self.fields(file, at, map, owner)?;
            let required: Vec<&str> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let list = out.get_or_insert_with(Vec::new);
            merge_fields(list, fs);
            for r in required {
                if let Some(f) = list.iter_mut().find(|f| f.name == r) {
                    f.required = true;
                }
            }
        }
        if out.is_none() && (map.contains_key("oneOf") || map.contains_key("anyOf")) {
            return Ok(None);
        }
        Ok(out)
    }

    /// The fields of a named object type (through aliases); `None` when it is not an object.
    fn fields_of_named(&self, t: TypeId, guard: &mut BTreeSet<TypeId>) -> Option<Vec<Field>> {
        if !guard.insert(t) {
            return None;
        }
        match &self.api.types.get(t.0)?.kind {
            TypeKind::Object(o) => Some(o.fields.clone()),
            TypeKind::Alias(TypeRef::Named(inner)) => self.fields_of_named(*inner, guard),
            TypeKind::Alias(TypeRef::Nullable(inner)) => match inner.as_ref() {
                TypeRef::Named(i) => self.fields_of_named(*i, guard),
                _ => None,
            },
            // A type still being converted (recursive allOf): no fields known yet.
            _ => None,
        }
    }

    fn union(
        &mut self,
        file: &'a str,
        pointer: &str,
        obj: &'a Map<String, Value>,
        key: &str,
        members: &'a [Value],
        hint: &str,
    ) -> Result<TypeRef> {
        let mut variants: Vec<Variant> = Vec::new();
        let mut nullable = false;
        let id = self.new_type(hint, pointer, obj, TypeKind::Alias(TypeRef::Any));
        let name = self.api.types[id.0].name.clone();
        let disc = obj.get("discriminator");
        let prop = disc.and_then(|d| d.get("propertyName")).and_then(Value::as_str).map(str::to_owned);
        for (i, m) in members.iter().enumerate() {
            let at = format!("{pointer}/{key}/{i}");
            if m.get("type").and_then(Value::as_str) == Some("null")
                || m.get("enum") == Some(&Value::Array(vec![Value::Null]))
            {
                nullable = true;
                continue;
            }
            let ty = self.schema(file, &at, m, &format!("{name} Variant{}", i + 1))?;
            let mut tags = Vec::new();
            if prop.is_some() {
                if let Some(Value::String(r)) = m.get("$ref") {
                    tags = self.tags_for(file, disc, r);
                }
            }
            variants.push(Variant { ty, tags });
        }
        if variants.len() == 1 && prop.is_none() {
            let only = variants.remove(0).ty;
            self.api.types[id.0].kind = TypeKind::Alias(only);
            return Ok(wrap_nullable(TypeRef::Named(id), nullable));
        }
        if obj.contains_key("properties") {
            self.degrade(
                pointer,
                "properties beside oneOf/anyOf are ignored (the union's variants describe the value)",
            );
        }
        if let Some(p) = &prop {
            for v in &variants {
                if let TypeRef::Named(t) = v.ty {
                    for tag in &v.tags {
                        self.disc_uses.entry(t).or_default().insert((p.clone(), tag.clone()));
                    }
                }
            }
        }
        self.api.types[id.0].kind = TypeKind::Union(UnionType { variants, discriminator: prop });
        Ok(wrap_nullable(TypeRef::Named(id), nullable))
    }

    /// Discriminator values selecting the schema `r`: mapping keys pointing at it, else the
    /// schema's name.
    fn tags_for(&self, file: &str, disc: Option<&Value>, r: &str) -> Vec<String> {
        let target = self.src.lookup(file, r).ok().map(|t| (t.file.to_owned(), t.pointer));
        let mut tags = Vec::new();
        if let Some(mapping) = disc.and_then(|d| d.get("mapping")).and_then(Value::as_object) {
            for (tag, to) in mapping {
                let Some(to) = to.as_str() else { continue };
                let to_ref = if to.contains('#') || to.contains('/') {
                    to.to_owned()
                } else {
                    format!("#/components/schemas/{to}")
                };
                let resolved = self.src.lookup(file, &to_ref).ok().map(|t| (t.file.to_owned(), t.pointer));
                if resolved.is_some() && resolved == target {
                    tags.push(tag.clone());
                }
            }
            if !tags.is_empty() {
                return tags;
            }
        }
        if let Some(name) = r.rsplit('/').next() {
            tags.push(name.replace("~1", "/").replace("~0", "~"));
        }
        tags
    }

    fn enumeration(&mut self, pointer: &str, obj: &'a Map<String, Value>, values: &[Value], hint: &str) -> TypeRef {
        let values: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
        if values.is_empty() {
            return TypeRef::Null;
        }
        if values.iter().all(Value::is_boolean) {
            return TypeRef::Boolean;
        }
        let strings = values.iter().all(Value::is_string);
        let numbers = values.iter().all(Value::is_number);
        if !strings && !numbers {
            self.degrade(pointer, "enum mixes value types: typed as any value");
            return TypeRef::Any;
        }
        let id = self.new_type(hint, pointer, obj, TypeKind::Enum(EnumType { values, numeric: numbers }));
        TypeRef::Named(id)
    }

    /// Reserves a named type (placeholder kind) for a `$ref` target.
    fn reserve_type(&mut self, name: &str, pointer: &str, obj: Option<&Map<String, Value>>) -> TypeId {
        self.push_type(name, pointer, obj, TypeKind::Alias(TypeRef::Any))
    }

    pub(crate) fn new_type(&mut self, hint: &str, pointer: &str, obj: &Map<String, Value>, kind: TypeKind) -> TypeId {
        self.push_type(hint, pointer, Some(obj), kind)
    }

    fn push_type(&mut self, name: &str, pointer: &str, obj: Option<&Map<String, Value>>, kind: TypeKind) -> TypeId {
        let base = crate::naming::pascal(name);
        let base = if base.is_empty() { "Type".to_owned() } else { base };
        let (doc, deprecated) = match obj {
            Some(o) => (doc_of_map(o), o.get("deprecated") == Some(&Value::Bool(true))),
            None => (None, false),
        };
        if let Some(id) = self.claim_for.remove(pointer) {
            self.api.types[id.0].kind = kind;
            return id;
        }
        let name = self.type_names.claim(&base);
        let id = TypeId(self.api.types.len());
        self.api.types.push(NamedType { name, pointer: pointer.to_owned(), doc, deprecated, kind });
        id
    }
}

/// Where an allOf member comes from.
pub(crate) enum MemberSrc<'a> {
    /// A schema value in the document.
    Value(&'a Value),
    /// The properties/required of the enclosing schema (beside `$ref` or `allOf`).
    Own(&'a Map<String, Value>),
    /// An already resolved reference.
    Ref(TypeRef),
}

fn merge_fields(into: &mut Vec<Field>, from: Vec<Field>) {
    for f in from {
        match into.iter_mut().find(|g| g.name == f.name) {
            Some(g) => {
                let required = g.required || f.required;
                *g = Field { required, ..f };
            }
            None => into.push(f),
        }
    }
}

fn wrap_nullable(t: TypeRef, nullable: bool) -> TypeRef {
    match t {
        TypeRef::Nullable(_) | TypeRef::Any | TypeRef::Null => t,
        other if nullable => TypeRef::Nullable(Box::new(other)),
        other => other,
    }
}

/// The `type` keyword as a list, and whether it includes `"null"`.
fn type_list(obj: &Map<String, Value>) -> (Vec<String>, bool) {
    let list: Vec<String> = match obj.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    let nullable = list.iter().any(|t| t == "null") && list.len() > 1;
    (list, nullable)
}

fn primitive(t: &str, obj: &Map<String, Value>) -> TypeRef {
    let format = obj.get("format").and_then(Value::as_str);
    match t {
        "string" => match format {
            Some("binary") => TypeRef::Binary,
            f => TypeRef::String(f.map(str::to_owned)),
        },
        "integer" => TypeRef::Integer,
        "number" => TypeRef::Number,
        "boolean" => TypeRef::Boolean,
        "null" => TypeRef::Null,
        "object" => TypeRef::Map(Box::new(TypeRef::Any)),
        "array" => TypeRef::Array(Box::new(TypeRef::Any)),
        _ => TypeRef::Any,
    }
}

/// The description (or title) of a schema value.
pub(crate) fn doc_of(v: &Value) -> Option<String> {
    v.as_object().and_then(doc_of_map)
}

fn doc_of_map(o: &Map<String, Value>) -> Option<String> {
    o.get("description")
        .or_else(|| o.get("title"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}
