//! Golden files of the Swift package: the package generated from `examples/payments.yaml` is checked in
//! under `tests/golden/payments-swift/` so every change to the Swift emitter shows up as a
//! reviewable diff. Regenerate with
//! `SIGWIRE_GEN_BLESS=1 cargo test -p sigwire-gen --test golden_swift`.

use std::path::{Path, PathBuf};

use sigwire_gen::emit::{self, File, Lang, Options};
use sigwire_gen::{build, loader::Source};

fn generate() -> Vec<File> {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/payments.yaml");
    let api = build::build(&Source::load(&spec).expect("loads")).expect("builds");
    emit::generate(&api, Lang::Swift, &Options { name: Some("payments-api".into()), version: None })
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
fn swift_matches_golden_files() {
    let files = generate();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/payments-swift");
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
        "file list differs from tests/golden/payments-swift (SIGWIRE_GEN_BLESS=1 to update)"
    );
    for f in &files {
        let want = std::fs::read_to_string(dir.join(&f.path)).expect("golden file");
        assert!(want == f.content, "{} differs from its golden file (SIGWIRE_GEN_BLESS=1 to update)", f.path.display());
    }
}

#[test]
fn swift_output_is_deterministic_and_holds_no_secret() {
    let a = generate();
    assert_eq!(a, generate());
    for f in &a {
        assert!(!f.content.contains("PAYMENTS_API_SECRET="), "{} embeds a secret", f.path.display());
    }
    let client = a.iter().find(|f| f.path == Path::new("Sources/PaymentsApi/Client.swift")).expect("Client.swift");
    assert!(client.content.contains("envPrefix: \"PAYMENTS_API\""));
    assert!(client.content.contains("signedHeaders: [\"x-request-id\"]"));
}

#[test]
fn swift_sends_every_call_through_the_sdk_without_signing_code() {
    let specs = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs"))
        .expect("tests/specs")
        .map(|e| e.expect("entry").path())
        .chain([Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/payments.yaml")]);
    for spec in specs {
        let api = build::build(&Source::load(&spec).expect("loads")).expect("builds");
        let files = emit::generate(&api, Lang::Swift, &Options { name: None, version: None });
        for f in files.iter().filter(|f| f.path.extension().is_some_and(|e| e == "swift")) {
            // Signing, retries, clocks and HTTP itself belong to the SDK (Sigwire.HttpClient):
            // unsigned operations too go through it (`sign: false`), never a platform client.
            for banned in [
                "URLSession",
                "URLRequest",
                "HTTPURLResponse",
                "FoundationNetworking",
                "NWConnection",
                "import Network",
                "CFNetwork",
                "CryptoKit",
                "CommonCrypto",
                "HMAC",
                "Signer",
                "Task.sleep",
                "Date()",
            ] {
                assert!(!f.content.contains(banned), "{}: {} contains {banned}", spec.display(), f.path.display());
            }
        }
        let support = files.iter().find(|f| f.path.ends_with("Support.swift")).expect("Support.swift");
        assert!(
            support.content.contains("sign: call.signed != nil"),
            "{}: unsigned calls must pass sign: false",
            spec.display()
        );
    }
}
