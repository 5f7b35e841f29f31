//! Configuration errors that never echo the value given (issue 12, item 10).
//!
//! A secret passed in the wrong argument — `Signer("k1", "hmac-sha512", secret)`, or a secret in
//! the list of signed header names — must never reach an exception message, and so a log. The
//! core names an unsupported algorithm and a bad or missing signed header in its messages; here
//! the algorithm is parsed without echoing it, and messages about configured header names are
//! rewritten to give the name's position (`signed_headers[2]`) instead of the name. As a last
//! guard, a message that still contains the start of any configured value long enough to be a
//! secret (at least `MIN_SECRET_LEN` bytes) is replaced by [`WITHHELD`].
//!
//! The client uses it for its own configuration; the Python and Node bindings use it for their
//! `Signer` too. (The WebAssembly binding, which does not link this crate, parses the algorithm
//! the same way; the core itself now names signed headers by position.)

use sigwire_core::{Algorithm, Error, ErrorCode, MIN_SECRET_LEN};

/// The message of an unsupported algorithm; it never contains the value given.
pub const ALGORITHM_NOT_OFFERED: &str =
    "algorithm is not offered; use \"hmac-sha256\" or \"hmac-sha512\" (the value given is not shown: it may be a misplaced secret)";

/// The message that replaces one that would show a configured value.
pub const WITHHELD: &str =
    "refused; the details are withheld because they would show a configured value (it may be a misplaced secret)";

/// Parses an algorithm name; anything else is `unsupported_algorithm` without the value.
pub fn algorithm(name: &str) -> Result<Algorithm, Error> {
    match name {
        "hmac-sha256" => Ok(Algorithm::HmacSha256),
        "hmac-sha512" => Ok(Algorithm::HmacSha512),
        _ => Err(Error::new(
            ErrorCode::UnsupportedAlgorithm,
            ALGORITHM_NOT_OFFERED,
        )),
    }
}

/// Whether `name` is an HTTP token (RFC 9110 `tchar`s), as header names must be.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `err` (from configuring or using the extra signed header `names`, called `what` in this
/// language) with each name replaced by its position, or withheld entirely when a value could
/// still show.
pub fn header_names(err: Error, names: &[String], what: &str) -> Error {
    let mut message = err.message().to_owned();
    if let Some(i) = names.iter().position(|n| !is_token(n)) {
        if err.code() == ErrorCode::InvalidRequest && message.contains("is not a valid header name")
        {
            message = format!("{what}[{i}] is not a valid header name");
        }
    }
    for (i, name) in names.iter().enumerate() {
        let quoted = format!("{:?}", name.to_ascii_lowercase());
        message = message.replace(&quoted, &format!("{what}[{i}]"));
    }
    guard(
        Error::new(err.code(), message),
        names.iter().map(String::as_str),
    )
}

/// `err` unchanged, unless its message contains the start of one of `values` that is long
/// enough to be a secret: then a message naming only the code.
pub fn guard<'a>(err: Error, values: impl IntoIterator<Item = &'a str>) -> Error {
    let message = err.message().to_ascii_lowercase();
    let shows = values.into_iter().any(|v| {
        let start: String = v
            .chars()
            .take(MIN_SECRET_LEN)
            .collect::<String>()
            .to_ascii_lowercase();
        v.len() >= MIN_SECRET_LEN && message.contains(&start)
    });
    if shows {
        Error::new(err.code(), WITHHELD)
    } else {
        err
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "my-very-secret-signing-key-0001";

    #[test]
    fn algorithm_is_never_echoed() {
        assert!(algorithm("hmac-sha512").is_ok());
        let e = algorithm(SECRET).unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnsupportedAlgorithm);
        assert!(!e.to_string().contains("my-very"), "{e}");
    }

    #[test]
    fn header_names_become_positions() {
        let names = vec!["x-tenant".to_owned(), SECRET.to_owned()];
        let core = Error::new(
            ErrorCode::InvalidRequest,
            format!("signed header {SECRET:?} is missing from the request"),
        );
        let e = header_names(core, &names, "signedHeaders");
        assert_eq!(
            e.message(),
            "signed header signedHeaders[1] is missing from the request"
        );
        let bad = vec!["ok".to_owned(), "my secret with spaces 0001".to_owned()];
        let core = sigwire_core::Signer::new("k", vec![7u8; 16])
            .unwrap()
            .with_signed_headers(bad.clone())
            .unwrap_err();
        let e = header_names(core, &bad, "signed_headers");
        assert_eq!(e.message(), "signed_headers[1] is not a valid header name");
    }

    #[test]
    fn guard_withholds_a_message_showing_a_long_value() {
        let e = guard(
            Error::new(ErrorCode::InvalidRequest, format!("bad {}", &SECRET[..20])),
            [SECRET],
        );
        assert_eq!(
            (e.code(), e.message()),
            (ErrorCode::InvalidRequest, WITHHELD)
        );
        let e = guard(
            Error::new(
                ErrorCode::InvalidRequest,
                "signed header \"date\" is missing",
            ),
            ["date"],
        );
        assert!(
            e.message().contains("date"),
            "short values cannot be secrets and are kept"
        );
    }
}
