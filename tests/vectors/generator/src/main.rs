//! `cargo run -p sigwire-vectors`: rewrites tests/vectors/*.json from the list of cases.

fn main() {
    let files = match sigwire_vectors::render() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let dir = sigwire_vectors::vectors_dir();
    for (name, contents) in files {
        let path = dir.join(name);
        if let Err(e) = std::fs::write(&path, contents) {
            eprintln!("error: cannot write {}: {e}", path.display());
            std::process::exit(1);
        }
        println!("wrote {}", path.display());
    }
}
