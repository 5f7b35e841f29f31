//! The `sigwire-gen` command line: `generate` and `check`. Errors print one line with the JSON
//! Pointer (and line, where known) and exit with status 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sigwire_gen::emit::{self, Lang, Options};
use sigwire_gen::{build, check, loader::Source, Error, ErrorKind};

const USAGE: &str = "usage:
  sigwire-gen generate SPEC --lang python|typescript|kotlin|swift|rust --out DIR [--name PACKAGE] [--version X.Y.Z]
  sigwire-gen check SPEC";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            if e.kind() == &ErrorKind::Usage {
                eprintln!("{USAGE}");
            }
            ExitCode::from(2)
        }
    }
}

fn usage(msg: &str) -> Error {
    Error::new(ErrorKind::Usage, msg)
}

fn run(args: &[String]) -> Result<String, Error> {
    let Some(cmd) = args.first() else {
        return Err(usage("no command given"));
    };
    match cmd.as_str() {
        "check" => {
            let [_, spec] = args else {
                return Err(usage("check takes one SPEC"));
            };
            let api = build::build(&Source::load(Path::new(spec))?)?;
            Ok(check::report(&api))
        }
        "generate" => {
            let mut spec = None;
            let mut lang = None;
            let mut out = None;
            let mut name = None;
            let mut version = None;
            let mut it = args[1..].iter();
            while let Some(a) = it.next() {
                let mut value = |flag: &str| it.next().cloned().ok_or_else(|| usage(&format!("{flag} needs a value")));
                match a.as_str() {
                    "--lang" => lang = Some(value("--lang")?),
                    "--out" => out = Some(PathBuf::from(value("--out")?)),
                    "--name" => name = Some(value("--name")?),
                    "--version" => version = Some(value("--version")?),
                    s if s.starts_with("--") => return Err(usage(&format!("unknown option {s}"))),
                    s if spec.is_none() => spec = Some(s.to_owned()),
                    s => return Err(usage(&format!("unexpected argument {s}"))),
                }
            }
            let spec = spec.ok_or_else(|| usage("generate needs a SPEC"))?;
            let lang = match lang.as_deref() {
                Some("python") => Lang::Python,
                Some("typescript") | Some("ts") => Lang::TypeScript,
                Some("kotlin") => Lang::Kotlin,
                Some("swift") => Lang::Swift,
                Some("rust") => Lang::Rust,
                Some(other) => {
                    return Err(usage(&format!("unknown language {other} (python, typescript, kotlin, swift, rust)")))
                }
                None => return Err(usage("--lang is required")),
            };
            let out = out.ok_or_else(|| usage("--out is required"))?;
            let api = build::build(&Source::load(Path::new(&spec))?)?;
            let files = emit::generate(&api, lang, &Options { name, version });
            let count = files.len();
            emit::write(&out, &files)?;
            Ok(format!("generated {count} files in {}\n", out.display()))
        }
        "--help" | "-h" | "help" => Ok(format!("{USAGE}\n")),
        other => Err(usage(&format!("unknown command {other}"))),
    }
}
