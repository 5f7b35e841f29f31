//! `sigwire-gen check`: a plain-text report of what the generator sees.

use std::fmt::Write;

use crate::ir::{Api, PageStyle, Signing};

/// The report: operations (signed or not, and how; paginated), then degraded constructs.
pub fn report(api: &Api) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} — {} operations, {} named types",
        api.title,
        api.version,
        api.operations.len(),
        api.types.len()
    );
    for op in &api.operations {
        let signing = match &op.signing {
            Signing::Unsigned => "unsigned".to_owned(),
            Signing::Signed(i) => {
                let s = &api.signing_schemes[*i];
                let extra = if s.signed_headers.is_empty() {
                    String::new()
                } else {
                    format!(", signed headers: {}", s.signed_headers.join(", "))
                };
                format!("signed: {} ({} {}{extra})", s.name, s.scheme, s.algorithm)
            }
        };
        let paging = match op.pagination.as_ref().map(|p| &p.style) {
            None => String::new(),
            Some(PageStyle::Cursor { .. }) => ", paginated: cursor".to_owned(),
            Some(PageStyle::Offset { .. }) => ", paginated: offset".to_owned(),
            Some(PageStyle::Page { .. }) => ", paginated: page".to_owned(),
            Some(PageStyle::NextLink { .. }) => ", paginated: next-link".to_owned(),
        };
        let _ = writeln!(out, "  {:<7} {}  {}.{}  {signing}{paging}", op.method, op.path, op.group, op.method_name);
    }
    if api.degraded.is_empty() {
        let _ = writeln!(out, "degraded: none");
    } else {
        let _ = writeln!(out, "degraded ({}):", api.degraded.len());
        for d in &api.degraded {
            let _ = writeln!(out, "  #{}: {}", d.pointer, d.note);
        }
    }
    out
}
