//! Reading the two AWS SigV4 test suites from `$ROOT/../shared/vectors/aws-sigv4` (never copied
//! into the repository: see that folder's README and NOTICE, Apache-2.0).

use std::path::{Path, PathBuf};

/// The suite folder, or `None` (with a note on stderr) when it is absent outside CI.
/// In CI (`CI=true`) a missing folder is a failure, so the suites can never be skipped silently.
pub fn suite_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/aws-sigv4");
    if dir.join("crt-v4").is_dir() && dir.join("legacy-suite").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").map(|v| v == "true").unwrap_or(false) {
        panic!(
            "AWS SigV4 suites not found at {} (CI=true: they must be present)",
            dir.display()
        );
    }
    eprintln!(
        "note: AWS SigV4 suites not found at {}; skipped",
        dir.display()
    );
    None
}

/// An HTTP/1.1 request as the suites write it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    /// The request target exactly as written (may contain spaces and raw UTF-8).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// Parses `METHOD target HTTP/1.1`, header lines (a line starting with whitespace continues
    /// the previous value), a blank line, then the body.
    pub fn parse(text: &str) -> RawRequest {
        Self::parse_folding(text, false)
    }

    /// Like [`RawRequest::parse`], but with `fold_as_repeat` a continuation line becomes a repeated
    /// header of the same name (trimmed). The legacy suite reads folded lines that way: its
    /// `get-header-value-multiline` expects `value1,value2,value3`, while the CRT suite reads the
    /// same text as one value with line breaks (`value1 value2 value3`). That is a difference in
    /// how the two suites' files are read, not in the signer.
    pub fn parse_folding(text: &str, fold_as_repeat: bool) -> RawRequest {
        let (head, body) = match text.split_once("\n\n") {
            Some((h, b)) => (h, b),
            None => (text, ""),
        };
        let mut lines = head.split('\n');
        let first = lines.next().expect("request line");
        let (method, rest) = first.split_once(' ').expect("method");
        let target = rest.strip_suffix(" HTTP/1.1").expect("HTTP/1.1");
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in lines {
            if line.starts_with(' ') || line.starts_with('\t') {
                let last = headers.last_mut().expect("continuation after a header");
                if fold_as_repeat {
                    let name = last.0.clone();
                    headers.push((name, line.trim().to_string()));
                } else {
                    last.1.push('\n');
                    last.1.push_str(line);
                }
            } else if !line.is_empty() {
                let (n, v) = line.split_once(':').expect("header colon");
                headers.push((n.to_string(), v.to_string()));
            }
        }
        RawRequest {
            method: method.into(),
            target: target.into(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    /// `https://<Host header><target>`.
    pub fn url(&self) -> String {
        let host = self.header("host").expect("Host header");
        format!("https://{host}{}", self.target)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a file of a case, `None` if absent.
pub fn read(dir: &Path, name: &str) -> Option<String> {
    std::fs::read_to_string(dir.join(name)).ok()
}

/// Every case folder below `root` holding a file with extension `ext` (legacy) or named `file`
/// (CRT), sorted.
pub fn cases(root: &Path, marker: &dyn Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
                if marker(&p) {
                    out.push(p);
                }
            }
        }
    }
    out.sort();
    out
}

/// `2015-08-30T12:36:00Z` → Unix seconds (the suites' only timestamp form).
pub fn parse_rfc3339(s: &str) -> u64 {
    let n = |a: usize, b: usize| -> i64 { s[a..b].parse().expect("digits") };
    let (y, m, d) = (n(0, 4), n(5, 7), n(8, 10));
    let (hh, mm, ss) = (n(11, 13), n(14, 16), n(17, 19));
    // Days from civil (H. Hinnant), independent of the code under test.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + hh * 3600 + mm * 60 + ss) as u64
}
