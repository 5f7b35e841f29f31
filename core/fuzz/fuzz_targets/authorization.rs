//! The Authorization parser must never panic, and whatever it accepts must re-serialise to a
//! header it parses back to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sigwire_core::fuzzing::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(auth) = parse(text) {
        let again = auth.to_header_value();
        let reparsed = parse(&again).expect("a formatted header parses");
        assert_eq!(reparsed, auth);
    }
});
