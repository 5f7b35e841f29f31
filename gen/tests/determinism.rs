//! Generation is deterministic: the same description gives byte-identical output, in every
//! language, whether generated twice in one process or by two runs of the CLI (each process
//! seeds Rust's hash maps differently, so an emitter iterating a `HashMap` shows up here).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use sigwire_gen::emit::{self, Lang, Options};
use sigwire_gen::{build, loader::Source};

const LANGS: [(Lang, &str); 5] = [
    (Lang::Python, "python"),
    (Lang::TypeScript, "typescript"),
    (Lang::Kotlin, "kotlin"),
    (Lang::Swift, "swift"),
    (Lang::Rust, "rust"),
];

/// The example and every edge-case spec.
fn specs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![root.join("examples/payments.yaml")];
    let mut edge: Vec<PathBuf> = std::fs::read_dir(root.join("tests/specs"))
        .expect("tests/specs")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    edge.sort();
    out.extend(edge);
    out
}

/// path → content of one generation, in memory (a fresh load and build each time).
fn generate(spec: &Path, lang: Lang) -> BTreeMap<PathBuf, String> {
    let api = build::build(&Source::load(spec).expect("loads")).expect("builds");
    emit::generate(&api, lang, &Options::default()).into_iter().map(|f| (f.path, f.content)).collect()
}

/// path → content of every file under `dir`.
fn read_tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        // A language that writes no files yet leaves no directory: an empty tree.
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).expect("under dir").to_path_buf();
                out.insert(rel, std::fs::read_to_string(&p).expect("utf-8 file"));
            }
        }
    }
    out
}

fn first_difference(a: &BTreeMap<PathBuf, String>, b: &BTreeMap<PathBuf, String>) -> Option<String> {
    let paths_a: Vec<&PathBuf> = a.keys().collect();
    let paths_b: Vec<&PathBuf> = b.keys().collect();
    if paths_a != paths_b {
        return Some(format!("file lists differ: {paths_a:?} vs {paths_b:?}"));
    }
    for (path, content) in a {
        if b[path] != *content {
            let line = content.lines().zip(b[path].lines()).position(|(x, y)| x != y).map_or(0, |n| n + 1);
            return Some(format!("{} differs (first at line {line})", path.display()));
        }
    }
    None
}

#[test]
fn generating_twice_in_one_process_is_byte_identical_in_every_language() {
    for spec in specs() {
        for (lang, name) in LANGS {
            let (a, b) = (generate(&spec, lang), generate(&spec, lang));
            if let Some(d) = first_difference(&a, &b) {
                panic!("{name} output of {} is not deterministic: {d}", spec.display());
            }
        }
    }
}

#[test]
fn two_cli_runs_give_the_same_bytes_as_the_library_in_every_language() {
    let bin = env!("CARGO_BIN_EXE_sigwire-gen");
    let scratch = std::env::temp_dir().join(format!("sigwire-gen-determinism-{}", std::process::id()));
    for spec in [specs()[0].clone(), Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/unions.yaml")] {
        for (lang, name) in LANGS {
            let mut runs = Vec::new();
            for run in 0..2 {
                let out = scratch.join(format!("{name}-{run}"));
                let _ = std::fs::remove_dir_all(&out);
                let status = Command::new(bin)
                    .args(["generate", spec.to_str().expect("utf-8 path"), "--lang", name, "--out"])
                    .arg(&out)
                    .output()
                    .expect("runs sigwire-gen");
                assert!(status.status.success(), "{name}: {}", String::from_utf8_lossy(&status.stderr));
                runs.push(read_tree(&out));
            }
            if let Some(d) = first_difference(&runs[0], &runs[1]) {
                panic!("two CLI runs of {name} on {} differ: {d}", spec.display());
            }
            if let Some(d) = first_difference(&runs[0], &generate(&spec, lang)) {
                panic!("CLI and library output of {name} on {} differ: {d}", spec.display());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

#[test]
fn several_languages_in_one_run_write_what_each_alone_writes() {
    let bin = env!("CARGO_BIN_EXE_sigwire-gen");
    let scratch = std::env::temp_dir().join(format!("sigwire-gen-all-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    let spec = specs()[0].clone();
    let run = |langs: &str, out: &Path| {
        Command::new(bin)
            .args(["generate", spec.to_str().expect("utf-8 path"), "--lang", langs, "--out"])
            .arg(out)
            .output()
            .expect("runs sigwire-gen")
    };
    let all = run("all", &scratch.join("all"));
    assert!(all.status.success(), "--lang all: {}", String::from_utf8_lossy(&all.stderr));
    for (lang, name) in LANGS {
        let dir = scratch.join("all").join(name);
        assert!(dir.is_dir(), "--lang all wrote no {name}/ directory");
        if let Some(d) = first_difference(&read_tree(&dir), &generate(&spec, lang)) {
            panic!("{name} of a --lang all run differs from {name} alone: {d}");
        }
    }
    let two = run("rust,ts", &scratch.join("two"));
    assert!(two.status.success(), "{}", String::from_utf8_lossy(&two.stderr));
    let mut written: Vec<String> = std::fs::read_dir(scratch.join("two"))
        .expect("two/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    assert_eq!(written, ["rust", "typescript"], "a list writes exactly its languages");
    for bad in ["python,python", "python,cobol", "", "python,"] {
        let out = run(bad, &scratch.join("bad"));
        assert_eq!(out.status.code(), Some(2), "--lang {bad:?} must be a usage error");
        assert!(String::from_utf8_lossy(&out.stderr).contains("error[usage]"), "--lang {bad:?}");
    }
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Hash containers iterate in a per-process random order: the generator may use them for
/// lookups only. Anything iterated must be a `Vec`, `BTreeMap`/`BTreeSet` or `IndexMap`. This
/// pins the lookup-only uses that exist; a new `HashMap`/`HashSet` anywhere under `src/` fails
/// here until someone checks it is never iterated and lists it.
#[test]
fn hash_containers_are_lookup_only() {
    const ALLOWED: [&str; 5] = [
        "use std::collections::{BTreeMap, BTreeSet, HashMap};",
        "memo: HashMap::new(),",
        "claim_for: HashMap::new(),",
        "pub(crate) memo: HashMap<(String, String), TypeId>,",
        "pub(crate) claim_for: HashMap<String, TypeId>,",
    ];
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for (path, content) in read_tree(&src) {
        if path.extension().is_none_or(|x| x != "rs") {
            continue;
        }
        for (n, line) in content.lines().enumerate() {
            let t = line.trim();
            if (t.contains("HashMap") || t.contains("HashSet")) && !ALLOWED.contains(&t) {
                found.push(format!("src/{}:{}: {t}", path.display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "hash containers outside the reviewed lookup-only uses:\n{}", found.join("\n"));
}
