//! Paths and operations: parameters (with their serialisation style), request bodies,
//! responses, names and groups.

use std::collections::BTreeMap;

use serde_json::Value;

use super::schema::doc_of;
use super::security::page;
use super::{escape, Builder};
use crate::error::{Error, ErrorKind, Result};
use crate::ir::{
    Body, BodyEncoding, Operation, PageStyle, Param, ParamLocation, Response, Status, Style, TypeKind, TypeRef,
};
use crate::naming::{self, Scope};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

impl<'a> Builder<'a> {
    pub(crate) fn operations(&mut self) -> Result<()> {
        let root: &'a str = &self.src.root;
        let Some(paths) = self.src.doc().get("paths").and_then(Value::as_object) else {
            return Ok(());
        };
        let mut ids = Scope::new();
        let mut groups: BTreeMap<String, Scope> = BTreeMap::new();
        for (path, item) in paths {
            let item_at = format!("/paths/{}", escape(path));
            let item = self.src.deref(root, &item_at, item).map_err(|e| e.at(item_at.clone()))?;
            let (file, item) = (item.file, item.value);
            let Some(item_obj) = item.as_object() else {
                continue;
            };
            for method in METHODS {
                let Some(op) = item_obj.get(*method) else {
                    continue;
                };
                let at = format!("{item_at}/{method}");
                if !op.is_object() {
                    return Err(Error::new(ErrorKind::Invalid, "an operation must be an object").at(at));
                }
                let raw_id = op
                    .get("operationId")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .filter(|s| !naming::words(s).is_empty());
                let derived = raw_id.clone().unwrap_or_else(|| derive_id(method, path));
                let id = ids.claim(&naming::snake(&derived));
                let group_raw = op
                    .get("tags")
                    .and_then(Value::as_array)
                    .and_then(|t| t.first())
                    .and_then(Value::as_str)
                    .filter(|t| !naming::words(t).is_empty())
                    .unwrap_or("default")
                    .to_owned();
                let group = naming::snake(&group_raw);
                let method_name = groups.entry(group.clone()).or_default().claim(&method_name(&id, &group));
                let op_name = naming::pascal(&id);
                let params = self.params(file, &at, item, op, &op_name, path)?;
                let body = self.body(file, &at, op, &op_name)?;
                let responses = self.responses(file, &at, op, &op_name)?;
                let signing = self.signing(op, &at);
                let query: Vec<String> =
                    params.iter().filter(|p| p.location == ParamLocation::Query).map(|p| p.name.clone()).collect();
                let pagination = match self.pagination(op, &at, &query)? {
                    Some((style, items)) => {
                        let item_ty = self.item_type(&responses, &items, &at);
                        Some(page(style, items, item_ty))
                    }
                    None => None,
                };
                self.api.operations.push(Operation {
                    id,
                    method_name,
                    group,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    summary: op.get("summary").and_then(Value::as_str).map(str::to_owned),
                    doc: op.get("description").and_then(Value::as_str).map(str::to_owned),
                    deprecated: op.get("deprecated") == Some(&Value::Bool(true)),
                    params,
                    body,
                    responses,
                    signing,
                    pagination,
                    pointer: at,
                });
            }
        }
        Ok(())
    }

    fn params(
        &mut self,
        file: &'a str,
        at: &str,
        item: &'a Value,
        op: &'a Value,
        op_name: &str,
        path: &str,
    ) -> Result<Vec<Param>> {
        let mut list: Vec<(String, &'a Value)> = Vec::new();
        let item_params = item.get("parameters").and_then(Value::as_array).into_iter().flatten();
        let op_params = op.get("parameters").and_then(Value::as_array).into_iter().flatten();
        let mut merged: Vec<(String, String, String, &'a Value)> = Vec::new();
        for (i, p) in item_params.enumerate() {
            list.push((format!("{}/parameters/{i}", at.rsplit_once('/').map(|x| x.0).unwrap_or(at)), p));
        }
        let base = list.len();
        for (i, p) in op_params.enumerate() {
            list.push((format!("{at}/parameters/{i}"), p));
        }
        for (n, (p_at, p)) in list.into_iter().enumerate() {
            let t = self.src.deref(file, &p_at, p).map_err(|e| e.at(p_at.clone()))?;
            let v = t.value;
            let name = v.get("name").and_then(Value::as_str);
            let loc = v.get("in").and_then(Value::as_str);
            let (Some(name), Some(loc)) = (name, loc) else {
                return Err(Error::new(ErrorKind::Invalid, "a parameter needs `name` and `in`").at(p_at));
            };
            // Operation parameters override path-item ones with the same name and location.
            if let Some(pos) = merged.iter().position(|(nm, l, _, _)| nm == name && l == loc) {
                if n >= base {
                    merged[pos] = (name.to_owned(), loc.to_owned(), p_at, v);
                }
                continue;
            }
            merged.push((name.to_owned(), loc.to_owned(), p_at, v));
        }
        let mut out = Vec::new();
        for (name, loc, p_at, v) in merged {
            let location = match loc.as_str() {
                "path" => ParamLocation::Path,
                "query" => ParamLocation::Query,
                "header" => ParamLocation::Header,
                "cookie" => ParamLocation::Cookie,
                other => {
                    return Err(Error::new(ErrorKind::Invalid, format!("unknown parameter location `{other}`"))
                        .at(format!("{p_at}/in")))
                }
            };
            if location == ParamLocation::Header
                && ["accept", "content-type", "authorization"].contains(&name.to_ascii_lowercase().as_str())
            {
                self.degrade(&p_at, "header parameters Accept, Content-Type and Authorization are ignored (OpenAPI 3)");
                continue;
            }
            if location == ParamLocation::Path && !path.contains(&format!("{{{name}}}")) {
                self.degrade(&p_at, "path parameter not in the path template: ignored");
                continue;
            }
            let hint = format!("{op_name} {name}");
            let ty = match (v.get("schema"), v.get("content").and_then(Value::as_object)) {
                (Some(s), _) => self.schema(file, &format!("{p_at}/schema"), s, &hint)?,
                (None, Some(content)) => {
                    self.degrade(&p_at, "parameter with `content`: sent as its JSON text");
                    match content.values().next().and_then(|m| m.get("schema")) {
                        Some(_) => TypeRef::String(None),
                        None => TypeRef::String(None),
                    }
                }
                (None, None) => TypeRef::String(None),
            };
            let default_style = match location {
                ParamLocation::Query | ParamLocation::Cookie => Style::Form,
                _ => Style::Simple,
            };
            let style = match v.get("style").and_then(Value::as_str) {
                None => default_style,
                Some("form") => Style::Form,
                Some("simple") => Style::Simple,
                Some("label") => Style::Label,
                Some("matrix") => Style::Matrix,
                Some("spaceDelimited") => Style::SpaceDelimited,
                Some("pipeDelimited") => Style::PipeDelimited,
                Some("deepObject") => Style::DeepObject,
                Some(other) => {
                    self.degrade(&format!("{p_at}/style"), &format!("unknown style `{other}`: the default is used"));
                    default_style
                }
            };
            let explode = v.get("explode").and_then(Value::as_bool).unwrap_or(style == Style::Form);
            out.push(Param {
                required: location == ParamLocation::Path || v.get("required") == Some(&Value::Bool(true)),
                name,
                location,
                ty,
                style,
                explode,
                doc: doc_of(v),
                deprecated: v.get("deprecated") == Some(&Value::Bool(true)),
            });
        }
        // Path parameters first, in template order.
        let order = |p: &Param| match p.location {
            ParamLocation::Path => path.find(&format!("{{{}}}", p.name)).unwrap_or(0),
            _ => usize::MAX,
        };
        out.sort_by_key(order);
        Ok(out)
    }

    fn body(&mut self, file: &'a str, at: &str, op: &'a Value, op_name: &str) -> Result<Option<Body>> {
        let Some(rb) = op.get("requestBody") else {
            return Ok(None);
        };
        let rb_at = format!("{at}/requestBody");
        let t = self.src.deref(file, &rb_at, rb).map_err(|e| e.at(rb_at.clone()))?;
        let (file, rb) = (t.file, t.value);
        let Some(content) = rb.get("content").and_then(Value::as_object) else {
            return Ok(None);
        };
        let Some((media, encoding, m)) = pick_media(content) else {
            return Ok(None);
        };
        let m_at = format!("{rb_at}/content/{}", escape(media));
        let ty = match (encoding, m.get("schema")) {
            (BodyEncoding::Binary, _) => TypeRef::Binary,
            (BodyEncoding::Text, _) => TypeRef::String(None),
            (_, Some(s)) => self.schema(file, &format!("{m_at}/schema"), s, &format!("{op_name} Request"))?,
            (_, None) => TypeRef::Any,
        };
        if matches!(encoding, BodyEncoding::Form | BodyEncoding::Multipart) && !is_object_like(&self.api, &ty) {
            self.degrade(&m_at, "a form body that is not an object: sent as its fields if it is one at run time");
        }
        Ok(Some(Body {
            content_type: media.to_owned(),
            encoding,
            ty,
            required: rb.get("required") == Some(&Value::Bool(true)),
            doc: doc_of(rb),
        }))
    }

    fn responses(&mut self, file: &'a str, at: &str, op: &'a Value, op_name: &str) -> Result<Vec<Response>> {
        let mut out = Vec::new();
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            return Ok(out);
        };
        for (code, r) in responses {
            let r_at = format!("{at}/responses/{}", escape(code));
            let status = match code.as_str() {
                "default" => Status::Default,
                c if c.len() == 3 && c.ends_with("XX") || c.ends_with("xx") => match c[..1].parse::<u8>() {
                    Ok(d) => Status::Range(d),
                    Err(_) => continue,
                },
                c => match c.parse::<u16>() {
                    Ok(n) if (100..600).contains(&n) => Status::Code(n),
                    _ => {
                        self.degrade(&r_at, "not a status code: ignored");
                        continue;
                    }
                },
            };
            let t = self.src.deref(file, &r_at, r).map_err(|e| e.at(r_at.clone()))?;
            let (rfile, r) = (t.file, t.value);
            let hint =
                if status.is_success() { format!("{op_name} Response") } else { format!("{op_name} {code} Error") };
            let body = match r.get("content").and_then(Value::as_object).and_then(pick_media) {
                Some((media, encoding, m)) => {
                    let m_at = format!("{r_at}/content/{}", escape(media));
                    let ty = match (encoding, m.get("schema")) {
                        (BodyEncoding::Binary, _) => TypeRef::Binary,
                        (BodyEncoding::Text, _) => TypeRef::String(None),
                        (_, Some(s)) => self.schema(rfile, &format!("{m_at}/schema"), s, &hint)?,
                        (_, None) => TypeRef::Any,
                    };
                    Some((encoding, ty))
                }
                None => None,
            };
            out.push(Response { status, doc: doc_of(r), body });
        }
        Ok(out)
    }

    /// The element type of the items array of a paginated operation's success response.
    fn item_type(&mut self, responses: &[Response], items: &[String], at: &str) -> TypeRef {
        let Some((_, ty)) = responses.iter().find(|r| r.status.is_success()).and_then(|r| r.body.as_ref()) else {
            self.degrade(at, "paginated operation without a response body: items typed as any value");
            return TypeRef::Any;
        };
        let mut ty = ty.clone();
        for key in items {
            ty = match field_type(&self.api, &ty, key) {
                Some(t) => t,
                None => {
                    self.degrade(at, &format!("pagination `items` field `{key}` not found: items typed as any value"));
                    return TypeRef::Any;
                }
            };
        }
        match strip(&self.api, &ty) {
            TypeRef::Array(inner) => *inner,
            _ => {
                self.degrade(at, "pagination `items` is not an array: items typed as any value");
                TypeRef::Any
            }
        }
    }
}

/// Resolves aliases and nullability.
pub(crate) fn strip(api: &crate::ir::Api, ty: &TypeRef) -> TypeRef {
    let mut ty = ty.clone();
    for _ in 0..64 {
        ty = match ty {
            TypeRef::Nullable(inner) => *inner,
            TypeRef::Named(id) => match &api.types[id.0].kind {
                TypeKind::Alias(t) => t.clone(),
                _ => return TypeRef::Named(id),
            },
            other => return other,
        };
    }
    ty
}

fn field_type(api: &crate::ir::Api, ty: &TypeRef, key: &str) -> Option<TypeRef> {
    match strip(api, ty) {
        TypeRef::Named(id) => match &api.types[id.0].kind {
            TypeKind::Object(o) => o.fields.iter().find(|f| f.name == key).map(|f| f.ty.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn is_object_like(api: &crate::ir::Api, ty: &TypeRef) -> bool {
    match strip(api, ty) {
        TypeRef::Named(id) => matches!(api.types[id.0].kind, TypeKind::Object(_)),
        TypeRef::Map(_) | TypeRef::Any => true,
        _ => false,
    }
}

/// The preferred media type of a `content` map: JSON, then form, multipart, binary, text.
fn pick_media(content: &serde_json::Map<String, Value>) -> Option<(&str, BodyEncoding, &Value)> {
    let mut best: Option<(u8, &str, BodyEncoding, &Value)> = None;
    for (media, m) in content {
        let lower = media.to_ascii_lowercase();
        let essence = lower.split(';').next().unwrap_or("").trim().to_owned();
        let (rank, enc) = if essence == "application/json"
            || essence.ends_with("+json")
            || essence == "*/*" && m.get("schema").is_some()
        {
            (0, BodyEncoding::Json)
        } else if essence.ends_with("/json") {
            (1, BodyEncoding::Json)
        } else if essence == "application/x-www-form-urlencoded" {
            (2, BodyEncoding::Form)
        } else if essence == "multipart/form-data" || essence == "multipart/mixed" {
            (3, BodyEncoding::Multipart)
        } else if essence.starts_with("text/") {
            (5, BodyEncoding::Text)
        } else {
            (4, BodyEncoding::Binary)
        };
        if best.as_ref().map_or(true, |b| rank < b.0) {
            best = Some((rank, media.as_str(), enc, m));
        }
    }
    best.map(|(_, m, e, v)| (m, e, v))
}

/// `get /payments/{id}/refunds` → `get payments by id refunds`.
fn derive_id(method: &str, path: &str) -> String {
    let mut out = method.to_owned();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        if let Some(p) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            out.push_str(" by ");
            out.push_str(p);
        } else {
            out.push(' ');
            out.push_str(seg);
        }
    }
    out
}

/// The method name inside a group: the operation id without the group's words
/// (`create_payment` in `payments` → `create`), unless that leaves nothing.
fn method_name(id: &str, group: &str) -> String {
    let gw = naming::words(group);
    let singular: Vec<String> = gw.iter().map(|w| w.strip_suffix('s').unwrap_or(w).to_owned()).collect();
    let w: Vec<String> = naming::words(id).into_iter().filter(|x| !gw.contains(x) && !singular.contains(x)).collect();
    if w.is_empty() || w[0].starts_with(|c: char| c.is_ascii_digit()) {
        naming::snake(id)
    } else {
        w.join("_")
    }
}

#[allow(dead_code)]
fn unused(_: PageStyle) {}
