//! Golden files of the Rust SDK: the crate generated from `examples/payments.yaml` is checked in
//! under `tests/golden/payments-rust/` so every change to the Rust emitter shows up as a
//! reviewable diff. Regenerate with
//! `SIGWIRE_GEN_BLESS=1 cargo test -p sigwire-gen --test golden_rust`.

use std::path::{Path, PathBuf};

use sigwire_gen::emit::{self, File, Lang, Options};
use sigwire_gen::{build, loader::Source};

fn generate() -> Vec<File> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/payments.yaml");
    let api = build::build(&Source::load(&spec).expect("loads")).expect("builds");
    emit::generate(&api, Lang::Rust, &Options { name: Some("payments-api".into()), version: None })
}

fn listing(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            listing(&path, base, out);
        } else if let Ok(rel) = path.strip_prefix(base) {
            out.push(rel.to_path_buf());
        }
    }
}

#[test]
fn rust_matches_golden_files() {
    let files = generate();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/payments-rust");
    if std::env::var_os("SIGWIRE_GEN_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        emit::write(&dir, &files).expect("writes");
        return;
    }
    let mut on_disk = Vec::new();
    listing(&dir, &dir, &mut on_disk);
    on_disk.sort();
    let mut generated: Vec<PathBuf> = files.iter().map(|f| f.path.clone()).collect();
    generated.sort();
    assert_eq!(generated, on_disk, "file list differs from tests/golden/payments-rust (SIGWIRE_GEN_BLESS=1 to update)");
    for f in &files {
        let want = std::fs::read_to_string(dir.join(&f.path)).expect("golden file");
        assert!(want == f.content, "{} differs from its golden file (SIGWIRE_GEN_BLESS=1 to update)", f.path.display());
    }
}

#[test]
fn rust_output_is_deterministic_and_holds_no_secret() {
    let a = generate();
    assert_eq!(a, generate());
    for f in &a {
        assert!(!f.content.contains("PAYMENTS_API_SECRET="), "{} embeds a secret", f.path.display());
    }
    let lib = a.iter().find(|f| f.path == Path::new("src/lib.rs")).expect("lib.rs");
    assert!(lib.content.contains("const ENV_PREFIX: &str = \"PAYMENTS_API\";"));
    assert!(lib.content.contains("signed_headers: &[\"x-request-id\"]"));
}

/// A tag named like a runtime type a resource module imports (`core`, `error`, `call`,
/// `Request Options`; corpus spec 2004, Kubernetes' `core`) gets a `Resource`-suffixed struct,
/// never a second `Core`/`Error`/`Call`/`RequestOptions` beside the import.
#[test]
fn rust_resource_structs_never_shadow_runtime_imports() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/names.yaml");
    let api = build::build(&Source::load(&spec).expect("loads")).expect("builds");
    let files = emit::generate(&api, Lang::Rust, &Options { name: Some("names".into()), version: None });
    for (module, name) in
        [("core", "Core"), ("error", "Error"), ("call", "Call"), ("request_options", "RequestOptions")]
    {
        let path = PathBuf::from(format!("src/resources/{module}.rs"));
        let f = files.iter().find(|f| f.path == path).unwrap_or_else(|| panic!("{} missing", path.display()));
        assert!(f.content.contains(&format!("pub struct {name}Resource {{")), "{}", f.content);
        assert!(!f.content.contains(&format!("pub struct {name} {{")), "{} shadows {name}", path.display());
    }
}
