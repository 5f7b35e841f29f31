//! The Kotlin SDK generated from `examples/payments.yaml`, checked in under
//! `tests/golden/payments-kotlin/` so every change to the Kotlin emitter is a reviewable diff.
//! Regenerate with `SIGWIRE_GEN_BLESS=1 cargo test -p sigwire-gen --test golden_kotlin`.
//! Compiling and running the output is gen/ci/kotlin.sh's job (Maven + the live server).

use std::path::{Path, PathBuf};

use sigwire_gen::emit::{self, File, Lang, Options};
use sigwire_gen::{build, loader::Source};

fn generate_spec(spec: &Path) -> Vec<File> {
    let api = build::build(&Source::load(spec).expect("loads")).expect("builds");
    emit::generate(&api, Lang::Kotlin, &Options::default())
}

fn payments() -> Vec<File> {
    generate_spec(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/payments.yaml"))
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
fn kotlin_matches_golden_files() {
    let files = payments();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/payments-kotlin");
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
    assert_eq!(
        generated, on_disk,
        "file list differs from tests/golden/payments-kotlin (SIGWIRE_GEN_BLESS=1 to update)"
    );
    for f in &files {
        let want = std::fs::read_to_string(dir.join(&f.path)).expect("golden file");
        assert!(want == f.content, "{} differs from its golden file (SIGWIRE_GEN_BLESS=1 to update)", f.path.display());
    }
}

fn specs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs");
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/specs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    specs.sort();
    specs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/payments.yaml"));
    specs
}

#[test]
fn kotlin_output_is_deterministic_for_every_spec() {
    for spec in specs() {
        assert_eq!(generate_spec(&spec), generate_spec(&spec), "{}", spec.display());
    }
}

#[test]
fn kotlin_output_is_a_maven_project_on_the_sdk_without_signing_code() {
    for spec in specs() {
        let files = generate_spec(&spec);
        let pom = files.iter().find(|f| f.path == Path::new("pom.xml")).expect("pom.xml");
        for needle in [
            "<artifactId>sigwire-kotlin</artifactId>",
            "<plugin>kotlinx-serialization</plugin>",
            "<artifactId>kotlinx-serialization-json-jvm</artifactId>",
            "<artifactId>kotlin-maven-plugin</artifactId>",
        ] {
            assert!(pom.content.contains(needle), "{}: pom.xml lacks {needle}", spec.display());
        }
        for f in files.iter().filter(|f| f.path.extension().is_some_and(|e| e == "kt")) {
            // Signing, retries, clocks and HTTP itself belong to the runtime (dev.sigwire.HttpClient):
            // unsigned operations too go through it (`sign = false`), never a platform client.
            for banned in [
                "Signer",
                "Mac.getInstance",
                "hmac(",
                "Thread.sleep",
                "delay(",
                "currentTimeMillis",
                "HttpURLConnection",
                "java.net.http",
                "openConnection",
                "okhttp",
                "Socket",
            ] {
                assert!(!f.content.contains(banned), "{}: {} contains {banned}", spec.display(), f.path.display());
            }
        }
    }
}

#[test]
fn kotlin_names_are_valid_identifiers() {
    let files = generate_spec(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/names.yaml"));
    let models = files.iter().find(|f| f.path.ends_with("Models.kt")).expect("Models.kt");
    for line in models.content.lines().map(str::trim) {
        for prefix in ["data class ", "value class ", "sealed interface ", "typealias "] {
            if let Some(rest) = line.strip_prefix(prefix) {
                let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                assert!(!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()), "bad type name in {line}");
                assert!(!["String", "List", "Map", "Any", "Unit", "Client", "Call"].contains(&name.as_str()), "{line}");
            }
        }
    }
}
