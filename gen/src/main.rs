//! The `sigwire-gen` command line: `generate` and `check`. Errors print one line with the JSON
//! Pointer (and line, where known) and exit with status 2.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sigwire_gen::emit::{self, Lang, Options};
use sigwire_gen::{build, check, loader::Source, Error, ErrorKind};

const USAGE: &str = "usage:
  sigwire-gen generate SPEC --lang python|typescript|kotlin|swift|rust --out DIR [--name PACKAGE] [--version X.Y.Z]
  sigwire-gen generate SPEC --lang LANG,LANG,...|all --out DIR ...   (each language into DIR/<lang>, one parse)
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

/// The languages of `--lang`: one name, a comma-separated list (each once) or `all`.
fn parse_langs(spec: &str) -> Result<Vec<Lang>, Error> {
    if spec == "all" {
        return Ok(Lang::ALL.to_vec());
    }
    let mut langs = Vec::new();
    for name in spec.split(',') {
        let wanted = if name == "ts" { "typescript" } else { name };
        let Some(lang) = Lang::ALL.into_iter().find(|l| l.name() == wanted) else {
            return Err(usage(&format!("unknown language {name:?} (python, typescript, kotlin, swift, rust, or all)")));
        };
        if langs.contains(&lang) {
            return Err(usage(&format!("language {name} given twice")));
        }
        langs.push(lang);
    }
    Ok(langs)
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
            let langs = parse_langs(lang.as_deref().ok_or_else(|| usage("--lang is required"))?)?;
            let out = out.ok_or_else(|| usage("--out is required"))?;
            let api = build::build(&Source::load(Path::new(&spec))?)?;
            let options = Options { name, version };
            if let [lang] = langs[..] {
                let files = emit::generate(&api, lang, &options);
                emit::write(&out, &files)?;
                return Ok(format!("generated {} files in {}\n", files.len(), out.display()));
            }
            // Several languages from one parse: each emitted and written on its own thread.
            let results: Vec<Result<String, Error>> = std::thread::scope(|s| {
                let handles: Vec<_> = langs
                    .iter()
                    .map(|&lang| {
                        let (api, options, dir) = (&api, &options, out.join(lang.name()));
                        s.spawn(move || {
                            let files = emit::generate(api, lang, options);
                            emit::write(&dir, &files)?;
                            Ok(format!("generated {} files in {}\n", files.len(), dir.display()))
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or_else(|_| Err(Error::new(ErrorKind::Io, "an emitter thread panicked"))))
                    .collect()
            });
            results.into_iter().collect::<Result<Vec<_>, _>>().map(|lines| lines.concat())
        }
        "--help" | "-h" | "help" => Ok(format!("{USAGE}\n")),
        other => Err(usage(&format!("unknown command {other}"))),
    }
}
