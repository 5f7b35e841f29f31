//! Fails when the committed vector files differ from what the generator produces.

#[test]
fn committed_vectors_match_the_generator() {
    let files = sigwire_vectors::render().expect("the generator renders every case");
    let dir = sigwire_vectors::vectors_dir();
    for (name, expected) in files {
        let path = dir.join(name);
        let actual = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        assert!(
            actual == expected,
            "{} drifted from the generator; run `cargo run -p sigwire-vectors` and review the diff",
            path.display()
        );
    }
}

#[test]
fn enough_vectors() {
    assert!(sigwire_vectors::cases::positive().len() >= 60);
    assert!(sigwire_vectors::cases::negative().len() >= 25);
}
