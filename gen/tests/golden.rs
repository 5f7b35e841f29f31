//! Golden files: the SDKs generated from `examples/payments.yaml` are checked in under
//! `tests/golden/` so every change to the emitters shows up as a reviewable diff.
//! Regenerate with `SIGWIRE_GEN_BLESS=1 cargo test -p sigwire-gen --test golden`.

use std::path::{Path, PathBuf};

use sigwire_gen::emit::{self, File, Lang, Options};
use sigwire_gen::{build, loader::Source};

fn generate(lang: Lang) -> Vec<File> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/payments.yaml");
    let api = build::build(&Source::load(&spec).expect("loads")).expect("builds");
    emit::generate(&api, lang, &Options::default())
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

fn check(lang: Lang, name: &str) {
    let files = generate(lang);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name);
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
    assert_eq!(generated, on_disk, "file list differs from tests/golden/{name} (SIGWIRE_GEN_BLESS=1 to update)");
    for f in &files {
        let want = std::fs::read_to_string(dir.join(&f.path)).expect("golden file");
        assert!(want == f.content, "{} differs from its golden file (SIGWIRE_GEN_BLESS=1 to update)", f.path.display());
    }
}

#[test]
fn python_matches_golden_files() {
    check(Lang::Python, "payments-python");
}

#[test]
fn typescript_matches_golden_files() {
    check(Lang::TypeScript, "payments-typescript");
}

#[test]
fn output_is_deterministic() {
    for lang in [Lang::Python, Lang::TypeScript] {
        assert_eq!(generate(lang), generate(lang));
    }
}
