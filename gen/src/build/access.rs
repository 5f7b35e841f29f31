//! Request and response views of types with `readOnly` / `writeOnly` fields.
//!
//! OpenAPI lets one schema describe both directions: a `readOnly` field is sent by the server
//! only (a client must not be required to send it, even when it is `required`), a `writeOnly`
//! field by the client only (a response never carries it). One type per schema cannot say both,
//! so after the build:
//!
//! - every named type becomes the **response** view: `writeOnly` fields are dropped;
//! - every type that a request body or parameter reaches, and that (itself or through the types
//!   it refers to) has a `readOnly` or `writeOnly` field, gets a **request** view named
//!   `<Name>Input`: `readOnly` fields dropped, `writeOnly` ones kept with their `required`, and
//!   every reference pointing at the request views; request bodies and parameters use it.
//!
//! Types without such fields are shared by both directions, unchanged. The order is
//! deterministic: views are appended in type order.

use crate::ir::{Api, TypeId, TypeKind, TypeRef};
use crate::naming::Scope;

/// Splits request and response views (see the module documentation).
pub(crate) fn split(api: &mut Api, names: &mut Scope) {
    let n = api.types.len();
    // Which types each type refers to, and the reverse.
    let mut refs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, t) in api.types.iter().enumerate() {
        kind_refs(&t.kind, &mut |id| refs[i].push(id.0));
    }
    let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, rs) in refs.iter().enumerate() {
        for &r in rs {
            if r < n {
                referrers[r].push(i);
            }
        }
    }
    // Types with a read-only or write-only field, and everything that refers to them.
    let mut marked = vec![false; n];
    let mut queue: Vec<usize> = (0..n).filter(|&i| has_access_field(&api.types[i].kind)).collect();
    for &i in &queue {
        marked[i] = true;
    }
    while let Some(i) = queue.pop() {
        for &r in &referrers[i] {
            if !marked[r] {
                marked[r] = true;
                queue.push(r);
            }
        }
    }
    // Types a request reaches (bodies and parameters, transitively).
    let mut in_request = vec![false; n];
    let mut queue: Vec<usize> = Vec::new();
    for op in &api.operations {
        let mut seed = |id: TypeId| queue.push(id.0);
        if let Some(b) = &op.body {
            type_refs(&b.ty, &mut seed);
        }
        for p in &op.params {
            type_refs(&p.ty, &mut seed);
        }
    }
    while let Some(i) = queue.pop() {
        if i < n && !in_request[i] {
            in_request[i] = true;
            queue.extend(refs[i].iter().copied());
        }
    }
    // Request views: ids assigned first (recursive types refer to their own view).
    let mut view: Vec<Option<TypeId>> = vec![None; n];
    let mut next = n;
    for i in 0..n {
        if marked[i] && in_request[i] {
            view[i] = Some(TypeId(next));
            next += 1;
        }
    }
    let remap = |t: &mut TypeRef| remap_ref(t, &view);
    let split: Vec<usize> = (0..n).filter(|&i| view[i].is_some()).collect();
    for i in split {
        let mut t = api.types[i].clone();
        t.name = names.claim(&format!("{}Input", t.name));
        if let TypeKind::Object(o) = &mut t.kind {
            o.fields.retain(|f| !f.read_only);
        }
        kind_refs_mut(&mut t.kind, &mut |r| remap(r));
        api.types.push(t);
    }
    for t in api.types.iter_mut().take(n) {
        if let TypeKind::Object(o) = &mut t.kind {
            o.fields.retain(|f| !f.write_only);
        }
    }
    for op in &mut api.operations {
        if let Some(b) = &mut op.body {
            remap(&mut b.ty);
        }
        for p in &mut op.params {
            remap(&mut p.ty);
        }
    }
}

fn has_access_field(kind: &TypeKind) -> bool {
    matches!(kind, TypeKind::Object(o) if o.fields.iter().any(|f| f.read_only || f.write_only))
}

fn remap_ref(t: &mut TypeRef, view: &[Option<TypeId>]) {
    match t {
        TypeRef::Named(id) => {
            if let Some(Some(v)) = view.get(id.0) {
                *id = *v;
            }
        }
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => remap_ref(inner, view),
        _ => {}
    }
}

/// Calls `f` with every named type `t` mentions.
fn type_refs(t: &TypeRef, f: &mut impl FnMut(TypeId)) {
    match t {
        TypeRef::Named(id) => f(*id),
        TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => type_refs(inner, f),
        _ => {}
    }
}

/// Calls `f` with every named type a type's definition mentions.
fn kind_refs(kind: &TypeKind, f: &mut impl FnMut(TypeId)) {
    match kind {
        TypeKind::Object(o) => {
            for field in &o.fields {
                type_refs(&field.ty, f);
            }
            if let Some(a) = &o.additional {
                type_refs(a, f);
            }
        }
        TypeKind::Union(u) => {
            for v in &u.variants {
                type_refs(&v.ty, f);
            }
        }
        TypeKind::Alias(t) => type_refs(t, f),
        TypeKind::Enum(_) => {}
    }
}

/// Calls `f` with every type reference of a type's definition, mutably.
fn kind_refs_mut(kind: &mut TypeKind, f: &mut impl FnMut(&mut TypeRef)) {
    match kind {
        TypeKind::Object(o) => {
            for field in &mut o.fields {
                f(&mut field.ty);
            }
            if let Some(a) = &mut o.additional {
                f(a);
            }
        }
        TypeKind::Union(u) => {
            for v in &mut u.variants {
                f(&mut v.ty);
            }
        }
        TypeKind::Alias(t) => f(t),
        TypeKind::Enum(_) => {}
    }
}
