//! Generates the shared vectors in `tests/vectors/` from the readable list in [`cases`].
//!
//! `cargo run -p sigwire-vectors` rewrites the files; the `drift` test fails when the committed
//! files differ from what this generator produces.

pub mod cases;

use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Value};
use sigwire_core::{Algorithm, Request, SignOptions, Signer};

/// Default key id of the vectors.
pub const KEY_ID: &str = "test-key-1";
/// Default secret of the vectors (32 ASCII bytes).
pub const SECRET: &[u8] = b"sigwire-test-secret-0123456789ab";
/// Second key known to the negative vectors' verifier.
pub const KEY_ID_2: &str = "test-key-2";
/// Secret of [`KEY_ID_2`].
pub const SECRET_2: &[u8] = b"sigwire-other-secret-0123456789a";
/// Default timestamp.
pub const TIMESTAMP: u64 = 1_700_000_000;
/// Default nonce: the bytes 0..16, base64url without padding.
pub const NONCE: &str = "AAECAwQFBgcICQoLDA0ODw";

/// A request body, described rather than spelled out.
#[derive(Debug, Clone)]
pub enum Body {
    /// No body.
    Empty,
    /// UTF-8 text.
    Text(&'static str),
    /// The 256 byte values in order.
    AllBytes,
    /// 1 MiB of a fixed pattern: byte i is (31·i + 7) mod 251.
    Large,
}

impl Body {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Body::Empty => Vec::new(),
            Body::Text(t) => t.as_bytes().to_vec(),
            Body::AllBytes => (0..=255u8).collect(),
            Body::Large => (0..1024 * 1024usize)
                .map(|i| ((31 * i + 7) % 251) as u8)
                .collect(),
        }
    }
}

/// A positive case.
#[derive(Debug, Clone)]
pub struct Pos {
    name: &'static str,
    description: &'static str,
    method: &'static str,
    url: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: Body,
    signed: Option<Vec<&'static str>>,
    algorithm: Algorithm,
    key_id: String,
    secret: Vec<u8>,
    timestamp: u64,
    nonce: String,
    large: bool,
}

#[allow(missing_docs)]
impl Pos {
    pub fn new(
        name: &'static str,
        description: &'static str,
        method: &'static str,
        url: &'static str,
    ) -> Self {
        Pos {
            name,
            description,
            method,
            url,
            headers: Vec::new(),
            body: Body::Empty,
            signed: None,
            algorithm: Algorithm::HmacSha256,
            key_id: KEY_ID.to_owned(),
            secret: SECRET.to_vec(),
            timestamp: TIMESTAMP,
            nonce: NONCE.to_owned(),
            large: false,
        }
    }
    pub fn headers(mut self, h: &[(&'static str, &'static str)]) -> Self {
        self.headers = h.to_vec();
        self
    }
    pub fn body(mut self, b: Body) -> Self {
        self.body = b;
        self
    }
    pub fn signed(mut self, names: &[&'static str]) -> Self {
        self.signed = Some(names.to_vec());
        self
    }
    pub fn sha512(mut self) -> Self {
        self.algorithm = Algorithm::HmacSha512;
        self
    }
    pub fn large(mut self) -> Self {
        self.large = true;
        self
    }
    pub fn key_id(mut self, k: &str) -> Self {
        self.key_id = k.to_owned();
        self
    }
    pub fn key_id_len(mut self, n: usize) -> Self {
        self.key_id = (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        self
    }
    pub fn nonce(mut self, n: &str) -> Self {
        self.nonce = n.to_owned();
        self
    }
    pub fn nonce_len(mut self, n: usize) -> Self {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        self.nonce = (0..n).map(|i| char::from(ALPHABET[i % 64])).collect();
        self
    }
    pub fn timestamp(mut self, t: u64) -> Self {
        self.timestamp = t;
        self
    }
    pub fn secret(mut self, s: &[u8]) -> Self {
        self.secret = s.to_vec();
        self
    }
    pub fn secret_pattern(mut self, n: usize) -> Self {
        self.secret = (0..n).map(|i| (i * 7 + 3) as u8).collect();
        self
    }

    fn render(&self) -> Result<Value, String> {
        let body = self.body.bytes();
        let request = Request::new(self.method, self.url)
            .headers(self.headers.iter().copied())
            .body(&body);
        let mut signer = Signer::new(&self.key_id, self.secret.clone())
            .map_err(|e| format!("{}: {e}", self.name))?
            .with_algorithm(self.algorithm);
        if let Some(names) = &self.signed {
            signer = signer
                .with_signed_headers(names.iter().copied())
                .map_err(|e| format!("{}: {e}", self.name))?;
        }
        let sig = signer
            .sign_with(&request, &SignOptions::fixed(self.timestamp, &self.nonce))
            .map_err(|e| format!("{}: {e}", self.name))?;
        let mut v = json!({
            "name": self.name,
            "description": self.description,
            "key_id": self.key_id,
            "secret_hex": hex(&self.secret),
            "algorithm": self.algorithm.as_str(),
            "timestamp": self.timestamp,
            "nonce": self.nonce,
            "request": request_json(self.method, self.url, &self.headers.iter().map(|&(n, v)| (n.to_owned(), v.to_owned())).collect::<Vec<_>>(), &body),
        });
        if let Some(names) = &self.signed {
            v["signed_headers"] = json!(names);
        }
        v["expected"] = json!({
            "canonical_string": sig.canonical_string,
            "signature": sig.signature,
            "authorization": sig.authorization,
        });
        Ok(v)
    }
}

/// How a negative case changes the signed base request.
#[derive(Debug, Clone)]
pub enum Tamper {
    /// Nothing changes (the verifier's settings make it fail).
    NoChange,
    /// Another method.
    SetMethod(&'static str),
    /// Another URL.
    SetUrl(&'static str),
    /// XOR one body byte with 0x01.
    FlipBodyByte(usize),
    /// Drop the last body byte.
    TruncateBody,
    /// Another body.
    SetBody(&'static str),
    /// Replace every value of a header (case-insensitive name).
    SetHeader(&'static str, &'static str),
    /// Add a header line.
    AddHeader(&'static str, &'static str),
    /// Remove a header (case-insensitive name).
    RemoveHeader(&'static str),
    /// Send the Authorization header twice.
    DuplicateAuth,
    /// Add two `Host` lines, both matching the URL.
    DoubleHost,
    /// Replace the first occurrence of a text in the Authorization header.
    ReplaceInAuth(&'static str, &'static str),
    /// Remove one `name="…"` parameter.
    RemoveParam(&'static str),
    /// Append text to the Authorization header.
    AppendToAuth(&'static str),
    /// Insert this many spaces after the first comma.
    PadAuth(usize),
    /// Change the signature's first character (to the given one, or to another hex digit).
    SetSignatureChar(Option<char>),
    /// Uppercase the signature hex.
    UppercaseSignature,
    /// Drop the last byte (two hex digits) of the signature.
    TruncateSignature,
}

/// A negative case.
#[derive(Debug, Clone)]
pub struct Neg {
    name: &'static str,
    description: &'static str,
    tamper: Tamper,
    expected_error: &'static str,
    sign_url: &'static str,
    now: u64,
    window: u64,
    skew: Option<i64>,
    verifier_key_id: &'static str,
    verifier_secret: Vec<u8>,
    not_after: Option<u64>,
    seen: Vec<(&'static str, &'static str)>,
}

const NEG_URL: &str = "https://api.example.com/v1/payments?dry_run=false&limit=5";

#[allow(missing_docs)]
impl Neg {
    pub fn new(
        name: &'static str,
        description: &'static str,
        tamper: Tamper,
        expected_error: &'static str,
    ) -> Self {
        Neg {
            name,
            description,
            tamper,
            expected_error,
            sign_url: NEG_URL,
            now: TIMESTAMP,
            window: 300,
            skew: None,
            verifier_key_id: KEY_ID,
            verifier_secret: SECRET.to_vec(),
            not_after: None,
            seen: Vec::new(),
        }
    }
    pub fn sign_url(mut self, url: &'static str) -> Self {
        self.sign_url = url;
        self
    }
    pub fn now(mut self, t: u64) -> Self {
        self.now = t;
        self
    }
    pub fn window(mut self, w: u64) -> Self {
        self.window = w;
        self
    }
    pub fn skew(mut self, s: i64) -> Self {
        self.skew = Some(s);
        self
    }
    pub fn verifier_key_id(mut self, k: &'static str) -> Self {
        self.verifier_key_id = k;
        self
    }
    pub fn verifier_secret(mut self, s: &[u8]) -> Self {
        self.verifier_secret = s.to_vec();
        self
    }
    pub fn not_after(mut self, t: u64) -> Self {
        self.not_after = Some(t);
        self
    }
    pub fn seen(mut self, key_id: &'static str, nonce: &'static str) -> Self {
        self.seen.push((key_id, nonce));
        self
    }

    fn render(&self) -> Result<Value, String> {
        let mut method = "POST".to_owned();
        let mut url = self.sign_url.to_owned();
        let mut headers: Vec<(String, String)> = vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Request-Id".into(), "req-123".into()),
        ];
        let mut body = cases::NEG_BODY.as_bytes().to_vec();
        let sig = {
            let request = Request::new(&method, &url)
                .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
                .body(&body);
            Signer::new(KEY_ID, SECRET.to_vec())
                .and_then(|s| s.with_signed_headers(["x-request-id"]))
                .and_then(|s| s.sign_with(&request, &SignOptions::fixed(TIMESTAMP, NONCE)))
                .map_err(|e| format!("{}: {e}", self.name))?
        };
        let mut auth = sig.authorization.clone();
        let mut auth_lines = 1;
        let sig_start = auth
            .find("signature=\"")
            .map(|i| i + "signature=\"".len())
            .ok_or("no signature")?;
        match &self.tamper {
            Tamper::NoChange => {}
            Tamper::SetMethod(m) => method = (*m).to_owned(),
            Tamper::SetUrl(u) => url = (*u).to_owned(),
            Tamper::FlipBodyByte(i) => body[*i] ^= 0x01,
            Tamper::TruncateBody => {
                body.pop();
            }
            Tamper::SetBody(b) => body = b.as_bytes().to_vec(),
            Tamper::SetHeader(n, v) => {
                for h in headers
                    .iter_mut()
                    .filter(|(hn, _)| hn.eq_ignore_ascii_case(n))
                {
                    h.1 = (*v).to_owned();
                }
            }
            Tamper::AddHeader(n, v) => headers.push(((*n).to_owned(), (*v).to_owned())),
            Tamper::RemoveHeader(n) if n.eq_ignore_ascii_case("authorization") => auth_lines = 0,
            Tamper::RemoveHeader(n) => headers.retain(|(hn, _)| !hn.eq_ignore_ascii_case(n)),
            Tamper::DuplicateAuth => auth_lines = 2,
            Tamper::DoubleHost => {
                headers.push(("Host".to_owned(), "api.example.com".to_owned()));
                headers.push(("Host".to_owned(), "api.example.com".to_owned()));
            }
            Tamper::ReplaceInAuth(from, to) => {
                if !auth.contains(from) {
                    return Err(format!("{}: {from:?} not in the header", self.name));
                }
                auth = auth.replacen(from, to, 1);
            }
            Tamper::RemoveParam(p) => {
                let start = auth.find(&format!("{p}=\"")).ok_or("no such parameter")?;
                let end = auth[start..]
                    .find("\", ")
                    .map(|e| start + e + 3)
                    .ok_or("last parameter")?;
                auth.replace_range(start..end, "");
            }
            Tamper::AppendToAuth(s) => auth.push_str(s),
            Tamper::PadAuth(n) => {
                let comma = auth.find(',').ok_or("no comma")?;
                auth.insert_str(comma + 1, &" ".repeat(*n));
            }
            Tamper::SetSignatureChar(c) => {
                let old = auth.as_bytes()[sig_start];
                let new = c.unwrap_or(if old == b'0' { '1' } else { '0' });
                auth.replace_range(sig_start..sig_start + 1, &new.to_string());
            }
            Tamper::UppercaseSignature => {
                let upper = auth[sig_start..].to_ascii_uppercase();
                auth.replace_range(sig_start.., &upper);
            }
            Tamper::TruncateSignature => {
                let end = auth.len() - 1; // before the closing quote
                auth.replace_range(end - 2..end, "");
            }
        }
        let mut all_headers = headers.clone();
        for _ in 0..auth_lines {
            all_headers.push(("Authorization".to_owned(), auth.clone()));
        }
        let mut keys = vec![
            json!({ "key_id": self.verifier_key_id, "secret_hex": hex(&self.verifier_secret) }),
        ];
        if let Some(t) = self.not_after {
            keys[0]["not_after"] = json!(t);
        }
        keys.push(json!({ "key_id": KEY_ID_2, "secret_hex": hex(SECRET_2) }));
        let mut v = json!({
            "name": self.name,
            "description": self.description,
            "request": request_json(&method, &url, &all_headers, &body),
            "verifier": {
                "now": self.now,
                "window": self.window,
                "keys": keys,
                "seen_nonces": self.seen.iter().map(|(k, n)| json!({"key_id": k, "nonce": n})).collect::<Vec<_>>(),
            },
            "expected_error": self.expected_error,
        });
        if let Some(s) = self.skew {
            v["expected_skew"] = json!(s);
        }
        Ok(v)
    }
}

fn request_json(method: &str, url: &str, headers: &[(String, String)], body: &[u8]) -> Value {
    json!({
        "method": method,
        "url": url,
        "headers": headers.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
        "body_b64": STANDARD.encode(body),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The folder the vectors live in (`tests/vectors/`).
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every vector file: (file name, contents).
pub fn render() -> Result<Vec<(&'static str, String)>, String> {
    let positives = cases::positive();
    let (large, small): (Vec<&Pos>, Vec<&Pos>) = positives.iter().partition(|p| p.large);
    let file = |vectors: Vec<Value>| -> Result<String, String> {
        let doc = json!({ "version": 1, "scheme": "sigwire-v1", "vectors": vectors });
        serde_json::to_string_pretty(&doc)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string())
    };
    let check_unique = {
        let mut names: Vec<&str> = positives
            .iter()
            .map(|p| p.name)
            .chain(cases::negative().iter().map(|n| n.name))
            .collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        before == names.len()
    };
    if !check_unique {
        return Err("vector names must be unique".into());
    }
    Ok(vec![
        (
            "positive.json",
            file(small.iter().map(|p| p.render()).collect::<Result<_, _>>()?)?,
        ),
        (
            "positive-large.json",
            file(large.iter().map(|p| p.render()).collect::<Result<_, _>>()?)?,
        ),
        (
            "negative.json",
            file(
                cases::negative()
                    .iter()
                    .map(Neg::render)
                    .collect::<Result<_, _>>()?,
            )?,
        ),
    ])
}
