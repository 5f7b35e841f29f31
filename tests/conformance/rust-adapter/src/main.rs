//! Conformance adapter for the Rust core (`sigwire-core`).
//!
//! Reads JSON Lines on stdin (one `sign` or `verify` operation per line, see
//! `tests/conformance/README.md`) and writes exactly one JSON line per input line on stdout, in
//! order, flushing after each. Every operation is independent: a verify operation builds its own
//! key store, replay store and verifier.
//!
//! This is an adapter, not a binding: it only converts the JSON fields to core calls and the
//! results (or the error's machine code) back to JSON.

mod profiles;

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use base64::Engine as _;
use serde_json::{json, Map, Value};
use sigwire_core::{
    Algorithm, Error, ErrorCode, InMemoryKeyStore, InMemoryReplayStore, ReplayStore, Request,
    SignOptions, Signer, Verifier,
};

/// What an operation produces: the success fields, or an error code (with the skew for
/// `stale_timestamp`).
type Outcome = Result<Map<String, Value>, Failure>;

/// A failed operation: a core error, or input this adapter cannot read (a protocol error,
/// reported with a code that is not a Sigwire machine code so the runner flags it).
enum Failure {
    Core(Error),
    /// A signing-profile error: its machine code is a profile code.
    Profile(sigwire_core::profiles::ProfileError),
    Protocol(String),
}

fn from_profile(outcome: profiles::Outcome) -> Outcome {
    outcome.map_err(|f| match f {
        profiles::Failure::Profile(e) => Failure::Profile(e),
        profiles::Failure::Protocol(msg) => Failure::Protocol(msg),
    })
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

fn protocol(msg: impl Into<String>) -> Failure {
    Failure::Protocol(msg.into())
}

fn coded(code: ErrorCode, msg: &str) -> Failure {
    Failure::Core(Error::new(code, msg))
}

fn field<'a>(op: &'a Value, name: &str) -> Result<&'a Value, Failure> {
    op.get(name)
        .ok_or_else(|| protocol(format!("missing field {name}")))
}

fn string<'a>(op: &'a Value, name: &str) -> Result<&'a str, Failure> {
    field(op, name)?
        .as_str()
        .ok_or_else(|| protocol(format!("{name} must be a string")))
}

/// A non-negative integer; a negative or out-of-range number is the given machine code.
fn unsigned(v: &Value, name: &str, code: ErrorCode) -> Result<u64, Failure> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .ok_or_else(|| coded(code, "not a non-negative integer")),
        _ => Err(protocol(format!("{name} must be a number"))),
    }
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let pairs = text.as_bytes().chunks_exact(2);
    if !pairs.remainder().is_empty() {
        return None;
    }
    pairs
        .map(|p| Some((nibble(p[0])? << 4) | nibble(p[1])?))
        .collect()
}

fn secret(op: &Value, name: &str) -> Result<Vec<u8>, Failure> {
    hex_decode(string(op, name)?)
        .ok_or_else(|| coded(ErrorCode::InvalidSecret, "secret_hex is not hex"))
}

fn headers(op: &Value) -> Result<Vec<(&str, &str)>, Failure> {
    let list = field(op, "headers")?
        .as_array()
        .ok_or_else(|| protocol("headers must be a list"))?;
    list.iter()
        .map(|pair| match pair.as_array().map(Vec::as_slice) {
            Some([Value::String(n), Value::String(v)]) => Ok((n.as_str(), v.as_str())),
            _ => Err(protocol(
                "each header must be a [name, value] pair of strings",
            )),
        })
        .collect()
}

fn body(op: &Value) -> Result<Vec<u8>, Failure> {
    base64::engine::general_purpose::STANDARD
        .decode(string(op, "body_b64")?)
        .map_err(|_| protocol("body_b64 is not base64"))
}

fn sign(op: &Value) -> Outcome {
    let headers = headers(op)?;
    let body = body(op)?;
    let mut signer = Signer::new(string(op, "key_id")?, secret(op, "secret_hex")?)?;
    signer = signer.with_algorithm(string(op, "algorithm")?.parse::<Algorithm>()?);
    if let Some(names) = op.get("signed_headers").filter(|v| !v.is_null()) {
        let names = names
            .as_array()
            .ok_or_else(|| protocol("signed_headers must be a list"))?;
        let names: Vec<&str> = names
            .iter()
            .map(|n| {
                n.as_str()
                    .ok_or_else(|| protocol("signed_headers must hold strings"))
            })
            .collect::<Result<_, _>>()?;
        signer = signer.with_signed_headers(names)?;
    }
    let timestamp = unsigned(
        field(op, "timestamp")?,
        "timestamp",
        ErrorCode::InvalidRequest,
    )?;
    let mut options = SignOptions::default();
    options.timestamp = Some(timestamp);
    options.nonce = Some(string(op, "nonce")?);
    let request = Request::new(string(op, "method")?, string(op, "url")?)
        .headers(headers)
        .body(&body);
    let s = signer.sign_with(&request, &options)?;
    let mut out = Map::new();
    out.insert("canonical_string".into(), s.canonical_string.into());
    out.insert("signature".into(), s.signature.into());
    out.insert("authorization".into(), s.authorization.into());
    Ok(out)
}

fn verify(op: &Value) -> Outcome {
    let headers = headers(op)?;
    let body = body(op)?;
    let now = unsigned(field(op, "now")?, "now", ErrorCode::InvalidConfig)?;
    let window = unsigned(field(op, "window")?, "window", ErrorCode::InvalidConfig)?;
    let keys = Arc::new(InMemoryKeyStore::new());
    for k in field(op, "keys")?
        .as_array()
        .ok_or_else(|| protocol("keys must be a list"))?
    {
        let not_after = match k.get("not_after") {
            None | Some(Value::Null) => None,
            Some(v) => Some(unsigned(v, "not_after", ErrorCode::InvalidConfig)?),
        };
        keys.insert(string(k, "key_id")?, secret(k, "secret_hex")?, not_after)?;
    }
    let seen = match op.get("seen_nonces") {
        None | Some(Value::Null) => &[][..],
        Some(v) => v
            .as_array()
            .ok_or_else(|| protocol("seen_nonces must be a list"))?
            .as_slice(),
    };
    let replay = Arc::new(InMemoryReplayStore::with_capacity(seen.len() + 16));
    for s in seen {
        replay.check_and_record(
            string(s, "key_id")?,
            string(s, "nonce")?,
            now.saturating_add(window),
            now,
        )?;
    }
    let verifier = Verifier::builder(keys)
        .window(window)
        .replay_store(replay)
        .build();
    let request = Request::new(string(op, "method")?, string(op, "url")?)
        .headers(headers)
        .body(&body);
    let verified = verifier.verify_at(&request, now)?;
    let mut out = Map::new();
    out.insert("ok".into(), true.into());
    out.insert("key_id".into(), verified.key_id.into());
    Ok(out)
}

fn answer(line: &[u8]) -> Value {
    let op: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(_) => return json!({"id": null, "error": "adapter_error: the line is not JSON"}),
    };
    let id = op.get("id").cloned().unwrap_or(Value::Null);
    let name = op.get("op").and_then(Value::as_str).unwrap_or_default();
    let is_verify = matches!(
        name,
        "verify" | "profile_verify" | "profile_verify_response" | "webhook_verify"
    );
    let outcome = match name {
        "sign" => sign(&op),
        "verify" => verify(&op),
        "profile_sign" => from_profile(profiles::profile_sign(&op)),
        "profile_verify" => from_profile(profiles::profile_verify(&op)),
        "profile_sign_response" => from_profile(profiles::profile_sign_response(&op)),
        "profile_verify_response" => from_profile(profiles::profile_verify_response(&op)),
        "webhook_sign" => from_profile(profiles::webhook_sign(&op)),
        "webhook_verify" => from_profile(profiles::webhook_verify(&op)),
        _ => Err(protocol("op is not a protocol operation")),
    };
    let mut out = Map::new();
    out.insert("id".into(), id);
    match outcome {
        Ok(fields) => out.extend(fields),
        Err(failure) => {
            if is_verify {
                out.insert("ok".into(), false.into());
            }
            match failure {
                Failure::Core(e) => {
                    out.insert("error".into(), e.code().as_str().into());
                    if let Some(skew) = e.skew_seconds() {
                        out.insert("skew".into(), skew.into());
                    }
                }
                Failure::Profile(e) => {
                    out.insert("error".into(), e.code().as_str().into());
                }
                Failure::Protocol(msg) => {
                    out.insert("error".into(), format!("adapter_error: {msg}").into());
                }
            }
        }
    }
    Value::Object(out)
}

fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let stdout = io::stdout();
    let mut output = io::BufWriter::new(stdout.lock());
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        serde_json::to_writer(&mut output, &answer(&line))?;
        output.write_all(b"\n")?;
        output.flush()?;
    }
    Ok(())
}
