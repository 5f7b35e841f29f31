//! The request path's own Redis connection: one pipelined RESP2 socket per proxy worker.
//!
//! Every admission is one script call, so the request path needs very little of a Redis client:
//! write a command, read its reply in order. A [`Pipe`] does only that: the worker's requests
//! hand their encoded command to one driver task, which writes everything queued with one
//! `write` and completes the replies in the order they come back (Redis answers a connection's
//! commands in order). Compared with redis-rs's multiplexed connection behind a
//! `ConnectionManager`, no generic value tree, parser combinators, argument vectors or shared
//! connection state sit on the path (gateway callgrind: about 25 000 instructions per request
//! in the Redis client before).
//!
//! Failure handling, as the request path needs it (docs/redis-layout.md §2, fail closed):
//! * a connection that fails (refused, reset, closed, a protocol error) fails every command in
//!   flight on it, and the next command makes a new connection: recovery without a restart;
//! * a reply that does not come within the time limit fails the connection too (a Redis that
//!   hangs must not keep a queue of commands whose callers gave up), so a late reply can never
//!   be taken for another command's;
//! * the caller never sees an answer it did not ask for: replies are matched to commands by
//!   their order on one connection, and a connection is never reused after any error.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

/// The largest reply accepted (the scripts return a few integers): anything bigger is a protocol
/// error, so a confused peer cannot make the gateway buffer without bound.
const MAX_REPLY: usize = 1 << 20;
/// The deepest nesting of arrays accepted in a reply.
const MAX_DEPTH: usize = 4;

/// One RESP2 reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `:<n>`
    Int(i64),
    /// `$-1` or `*-1`
    Nil,
    /// `$<len>` and its bytes.
    Bulk(Vec<u8>),
    /// `+<text>`
    Simple(String),
    /// `-<text>`: Redis refused the command (e.g. `NOSCRIPT …`, `OOM …`).
    Error(String),
    /// `*<n>` and its elements.
    Array(Vec<Reply>),
}

/// Why a command got no reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PipeError {
    /// The connection could not be made or was lost (the command may or may not have run).
    #[error("connection failed or lost: {0}")]
    Connection(String),
    /// Redis answered something that is not RESP2 or is beyond the limits.
    #[error("protocol error: {0}")]
    Protocol(&'static str),
    /// No reply within the time limit (the connection is dropped).
    #[error("no reply in time")]
    Timeout,
}

/// Appends `args` to `out` as one RESP command (an array of bulk strings).
pub fn encode(out: &mut Vec<u8>, args: &[&[u8]]) {
    out.push(b'*');
    push_decimal(out, args.len());
    out.extend_from_slice(b"\r\n");
    for a in args {
        arg(out, a);
    }
}

/// Starts a command of `count` arguments; add exactly that many with [`arg`] / [`arg_u64`].
pub fn command(count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + 32 * count);
    out.push(b'*');
    push_decimal(&mut out, count);
    out.extend_from_slice(b"\r\n");
    out
}

/// Appends one argument (a bulk string).
pub fn arg(out: &mut Vec<u8>, a: &[u8]) {
    out.push(b'$');
    push_decimal(out, a.len());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(a);
    out.extend_from_slice(b"\r\n");
}

/// Appends one decimal integer argument.
pub fn arg_u64(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let text = decimal(&mut digits, n);
    out.push(b'$');
    push_decimal(out, text.len());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
}

/// `n` in decimal, written at the end of `digits`.
pub(crate) fn decimal(digits: &mut [u8; 20], mut n: u64) -> &[u8] {
    let mut i = digits.len();
    loop {
        i -= 1;
        // `n % 10` < 10: the cast cannot truncate.
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[i..]
}

fn push_decimal(out: &mut Vec<u8>, n: usize) {
    let mut digits = [0u8; 20];
    out.extend_from_slice(decimal(&mut digits, n as u64));
}

/// Parses one reply at the start of `buf`: `Ok(Some((reply, bytes used)))`, `Ok(None)` when the
/// reply is not complete yet, or a protocol error.
pub fn parse(buf: &[u8]) -> Result<Option<(Reply, usize)>, PipeError> {
    parse_at(buf, 0, 0)
}

fn parse_at(buf: &[u8], at: usize, depth: usize) -> Result<Option<(Reply, usize)>, PipeError> {
    let Some(rest) = buf.get(at..) else {
        return Ok(None);
    };
    // RESP2 lines carry no CR of their own: the first CR ends the line (and must be CRLF).
    let Some(end) = rest.iter().position(|&b| b == b'\r') else {
        if rest.len() > MAX_REPLY {
            return Err(PipeError::Protocol("a reply line past the size limit"));
        }
        return Ok(None);
    };
    match rest.get(end + 1) {
        None => return Ok(None),
        Some(b'\n') => {}
        Some(_) => return Err(PipeError::Protocol("a CR without LF in a reply line")),
    }
    let Some((&kind, line)) = rest[..end].split_first() else {
        return Err(PipeError::Protocol("an empty reply line"));
    };
    let next = at + end + 2;
    let text = || {
        std::str::from_utf8(line)
            .map(str::to_owned)
            .map_err(|_| PipeError::Protocol("a status line that is not UTF-8"))
    };
    let number = || -> Result<i64, PipeError> {
        std::str::from_utf8(line)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or(PipeError::Protocol("a malformed length or integer"))
    };
    match kind {
        b'+' => Ok(Some((Reply::Simple(text()?), next))),
        b'-' => Ok(Some((Reply::Error(text()?), next))),
        b':' => Ok(Some((Reply::Int(number()?), next))),
        b'$' => {
            let len = number()?;
            if len < 0 {
                return Ok(Some((Reply::Nil, next)));
            }
            let len = usize::try_from(len).map_err(|_| PipeError::Protocol("a bulk length"))?;
            if len > MAX_REPLY {
                return Err(PipeError::Protocol("a bulk string past the size limit"));
            }
            let Some(bytes) = buf.get(next..next + len + 2) else {
                return Ok(None);
            };
            if &bytes[len..] != b"\r\n" {
                return Err(PipeError::Protocol("a bulk string without its CRLF"));
            }
            Ok(Some((Reply::Bulk(bytes[..len].to_vec()), next + len + 2)))
        }
        b'*' => {
            let count = number()?;
            if count < 0 {
                return Ok(Some((Reply::Nil, next)));
            }
            if depth >= MAX_DEPTH || count > 4096 {
                return Err(PipeError::Protocol(
                    "an array past the nesting or size limit",
                ));
            }
            let mut items = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
            let mut pos = next;
            for _ in 0..count {
                match parse_at(buf, pos, depth + 1)? {
                    Some((item, after)) => {
                        items.push(item);
                        pos = after;
                    }
                    None => return Ok(None),
                }
            }
            Ok(Some((Reply::Array(items), pos)))
        }
        _ => Err(PipeError::Protocol("an unknown reply type")),
    }
}

/// Where Redis listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// TCP host and port.
    Tcp(String, u16),
    /// A Unix socket.
    Unix(PathBuf),
}

/// How to open a connection: where, and the commands that prepare it (`AUTH`, `SELECT`), already
/// encoded. Holds the password: never printed.
#[derive(Clone)]
pub struct Dial {
    target: Target,
    hello: Vec<u8>,
    hello_replies: usize,
    timeout: Duration,
}

impl std::fmt::Debug for Dial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dial")
            .field("target", &self.target)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Dial {
    /// Connections to `target`, authenticated with `username`/`password` when given, on database
    /// `db`; connecting, and each reply, within `timeout`.
    pub fn new(
        target: Target,
        username: Option<&str>,
        password: Option<&str>,
        db: i64,
        timeout: Duration,
    ) -> Self {
        let mut hello = Vec::new();
        let mut hello_replies = 0;
        match (username, password) {
            (Some(user), Some(pass)) => {
                encode(&mut hello, &[b"AUTH", user.as_bytes(), pass.as_bytes()]);
                hello_replies += 1;
            }
            (None, Some(pass)) => {
                encode(&mut hello, &[b"AUTH", pass.as_bytes()]);
                hello_replies += 1;
            }
            _ => {}
        }
        if db != 0 {
            encode(&mut hello, &[b"SELECT", db.to_string().as_bytes()]);
            hello_replies += 1;
        }
        Dial {
            target,
            hello,
            hello_replies,
            timeout,
        }
    }
}

type Job = (Vec<u8>, oneshot::Sender<Result<Reply, PipeError>>);

/// One pipelined connection, made on first use and remade after any failure. Its driver task
/// runs on the tokio runtime of the first caller after each (re)connection: give each worker
/// thread a `Pipe` of its own.
#[derive(Debug)]
pub struct Pipe {
    dial: Dial,
    queue: Mutex<Option<mpsc::UnboundedSender<Job>>>,
}

impl Pipe {
    /// A pipe that will dial `dial` on first use.
    pub fn new(dial: Dial) -> Self {
        Pipe {
            dial,
            queue: Mutex::new(None),
        }
    }

    /// Sends one encoded command (see [`encode`]) and waits for its reply (at most the time
    /// limit once it is written, plus the connection's set-up when one is made).
    pub async fn call(&self, command: Vec<u8>) -> Result<Reply, PipeError> {
        let (tx, rx) = oneshot::channel();
        let mut job = (command, tx);
        for _ in 0..2 {
            let sender = self.sender();
            match sender.send(job) {
                Ok(()) => {
                    return rx
                        .await
                        .unwrap_or(Err(PipeError::Connection("the connection closed".into())))
                }
                // The driver ended (its connection failed) after the sender was taken: a new
                // connection for this command.
                Err(mpsc::error::SendError(back)) => {
                    self.forget(&sender);
                    job = back;
                }
            }
        }
        Err(PipeError::Connection("no connection".into()))
    }

    /// A pipe of its own (a connection made on its own first use) to the same place.
    pub fn another(&self) -> Self {
        Pipe::new(self.dial.clone())
    }

    fn sender(&self) -> mpsc::UnboundedSender<Job> {
        let mut slot = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(s) = slot.as_ref().filter(|s| !s.is_closed()) {
            return s.clone();
        }
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(drive(self.dial.clone(), rx));
        *slot = Some(tx.clone());
        tx
    }

    fn forget(&self, dead: &mpsc::UnboundedSender<Job>) {
        let mut slot = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_some_and(|s| s.same_channel(dead)) {
            *slot = None;
        }
    }
}

/// Fails every job still queued and every reply awaited, closing the queue first so that no job
/// lands in it afterwards (their senders see a closed channel and dial again).
fn fail_all(
    rx: &mut mpsc::UnboundedReceiver<Job>,
    waiting: &mut VecDeque<(oneshot::Sender<Result<Reply, PipeError>>, Instant)>,
    error: &PipeError,
) {
    rx.close();
    for (tx, _) in waiting.drain(..) {
        let _ = tx.send(Err(error.clone()));
    }
    while let Ok((_, tx)) = rx.try_recv() {
        let _ = tx.send(Err(error.clone()));
    }
}

async fn drive(dial: Dial, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut waiting = VecDeque::new();
    let connected = tokio::time::timeout(dial.timeout, async {
        match &dial.target {
            Target::Tcp(host, port) => {
                let s = tokio::net::TcpStream::connect((host.as_str(), *port)).await?;
                // Pipelined commands must not wait for the previous write's ACK.
                s.set_nodelay(true)?;
                Ok::<_, std::io::Error>(Conn::Tcp(s))
            }
            #[cfg(unix)]
            Target::Unix(path) => Ok(Conn::Unix(tokio::net::UnixStream::connect(path).await?)),
            #[cfg(not(unix))]
            Target::Unix(_) => Err(std::io::Error::other("unix sockets are not supported")),
        }
    })
    .await;
    let error = match connected {
        Ok(Ok(Conn::Tcp(s))) => run(&dial, s, &mut rx, &mut waiting).await,
        #[cfg(unix)]
        Ok(Ok(Conn::Unix(s))) => run(&dial, s, &mut rx, &mut waiting).await,
        Ok(Err(e)) => PipeError::Connection(e.to_string()),
        Err(_) => PipeError::Timeout,
    };
    fail_all(&mut rx, &mut waiting, &error);
}

enum Conn {
    Tcp(tokio::net::TcpStream),
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

/// Serves the queue on `stream` until the queue's senders are all gone or the connection fails;
/// returns why it stopped.
async fn run<S: AsyncRead + AsyncWrite + Unpin>(
    dial: &Dial,
    mut stream: S,
    rx: &mut mpsc::UnboundedReceiver<Job>,
    waiting: &mut VecDeque<(oneshot::Sender<Result<Reply, PipeError>>, Instant)>,
) -> PipeError {
    let mut read = Vec::with_capacity(4096);
    let mut write = Vec::with_capacity(4096);
    // The preparing commands go first; their replies are checked, not handed to anyone.
    let mut hello_left = dial.hello_replies;
    if !dial.hello.is_empty() {
        if let Err(e) = stream.write_all(&dial.hello).await {
            return PipeError::Connection(e.to_string());
        }
    }
    let mut chunk = [0u8; 4096];
    loop {
        let deadline = waiting.front().map(|(_, at)| *at + dial.timeout);
        tokio::select! {
            job = rx.recv() => {
                let Some((command, tx)) = job else {
                    return PipeError::Connection("closed".into());
                };
                let now = Instant::now();
                write.clear();
                write.extend_from_slice(&command);
                waiting.push_back((tx, now));
                // Everything queued meanwhile goes in the same write.
                while let Ok((command, tx)) = rx.try_recv() {
                    write.extend_from_slice(&command);
                    waiting.push_back((tx, now));
                }
                if let Err(e) = stream.write_all(&write).await {
                    return PipeError::Connection(e.to_string());
                }
            }
            n = stream.read(&mut chunk) => {
                match n {
                    Ok(0) => return PipeError::Connection("Redis closed the connection".into()),
                    Err(e) => return PipeError::Connection(e.to_string()),
                    Ok(n) => read.extend_from_slice(&chunk[..n]),
                }
                let mut used = 0;
                loop {
                    match parse(&read[used..]) {
                        Err(e) => return e,
                        Ok(None) => break,
                        Ok(Some((reply, n))) => {
                            used += n;
                            if hello_left > 0 {
                                hello_left -= 1;
                                if let Reply::Error(_) = reply {
                                    // Not the text: it could echo part of the credentials.
                                    return PipeError::Connection("AUTH or SELECT refused".into());
                                }
                                continue;
                            }
                            match waiting.pop_front() {
                                Some((tx, _)) => {
                                    // The caller may have given up (its time limit): dropped.
                                    let _ = tx.send(Ok(reply));
                                }
                                None => return PipeError::Protocol("a reply nobody asked for"),
                            }
                        }
                    }
                }
                read.drain(..used);
            }
            () = sleep_until(deadline), if deadline.is_some() => return PipeError::Timeout,
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_commands_as_arrays_of_bulk_strings() {
        let mut out = Vec::new();
        encode(&mut out, &[b"EVALSHA", b"abc", b"", b"0123456789"]);
        assert_eq!(
            out,
            b"*4\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$0\r\n\r\n$10\r\n0123456789\r\n"
        );
        let mut built = command(4);
        arg(&mut built, b"EVALSHA");
        arg(&mut built, b"abc");
        arg(&mut built, b"");
        arg_u64(&mut built, 123_456_789);
        let mut expected = Vec::new();
        encode(&mut expected, &[b"EVALSHA", b"abc", b"", b"123456789"]);
        assert_eq!(built, expected);
    }

    #[test]
    fn parses_every_reply_type_and_waits_for_incomplete_ones() {
        let full: &[u8] = b"*5\r\n:1\r\n:-7\r\n$3\r\na\r\n\r\n$-1\r\n*1\r\n+OK\r\n-NOSCRIPT x\r\n";
        let (reply, used) = parse(full).unwrap().unwrap();
        assert_eq!(
            reply,
            Reply::Array(vec![
                Reply::Int(1),
                Reply::Int(-7),
                Reply::Bulk(b"a\r\n".to_vec()),
                Reply::Nil,
                Reply::Array(vec![Reply::Simple("OK".into())]),
            ])
        );
        assert_eq!(
            parse(&full[used..]).unwrap().unwrap().0,
            Reply::Error("NOSCRIPT x".into())
        );
        for cut in 0..used {
            assert_eq!(parse(&full[..cut]).unwrap(), None, "cut at {cut}");
        }
    }

    #[test]
    fn refuses_malformed_and_oversized_replies() {
        for bad in [
            &b"?x\r\n"[..],
            b":12a\r\n",
            b"$3\r\nabcd\r\n",
            b"$99999999999\r\n",
            b"*999999\r\n",
            b"\r\n",
        ] {
            assert!(parse(bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
        let deep = b"*1\r\n".repeat(MAX_DEPTH + 1);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn the_password_is_not_in_debug() {
        let d = Dial::new(
            Target::Tcp("h".into(), 1),
            Some("u"),
            Some("hunter2-secret"),
            3,
            Duration::from_secs(1),
        );
        assert!(!format!("{d:?}").contains("hunter2"));
        assert_eq!(d.hello_replies, 2);
    }
}
