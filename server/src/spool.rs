//! Reading a request body in bounded memory: small bodies are kept in memory, larger ones are
//! written to an unnamed temporary file — hashed on the way with the digest the signature covers,
//! when the caller names its algorithm — and [`SpooledBody`] replays whichever it was. The tower
//! layer hands it to the inner service once the signature holds (as [`crate::VerifiedBody`]);
//! `sigwire-gateway` forwards it to the upstream.
//!
//! The temporary file is created with [`tempfile::tempfile_in`]: on Linux it has no name at all
//! (`O_TMPFILE`), elsewhere it is unlinked at once, so it disappears when its last handle is
//! dropped — after a rejection, a 413, a client that hangs up, or the handler's last read — and
//! nothing is left behind even if the process is killed.
//!
//! File reads and writes are plain blocking calls on the async task: they hit the page cache and
//! take microseconds per chunk, which is cheaper than a thread hop per chunk.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf as _, Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use sigwire_core::signing::{BodyDigest, BodyHasher};
use sigwire_core::Algorithm;

/// Default size above which a body is spooled to a temporary file instead of memory: 1 MiB.
pub const DEFAULT_SPOOL_THRESHOLD: usize = 1024 * 1024;

/// How many bytes a spooled body yields per frame.
const READ_CHUNK: usize = 64 * 1024;

/// Where and from what size the tower layer spools bodies.
#[derive(Debug, Clone)]
pub(crate) struct SpoolPolicy {
    pub threshold: usize,
    pub dir: Option<PathBuf>,
}

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// More than the limit arrived (413).
    TooLarge,
    /// The client's body failed (connection closed, timeout) or the spool file could not be
    /// written.
    Failed,
}

/// A body read to its end: in memory, or in a spool file.
#[derive(Debug)]
pub enum Received {
    /// At most the threshold, in memory.
    Memory(Bytes),
    /// Past the threshold: the file (rewound), its length, and the digest computed while writing
    /// it (absent when no algorithm was given: nothing will verify these bytes).
    Spooled {
        /// The spool file, at its start.
        file: File,
        /// Bytes in the file.
        len: u64,
        /// The body's digest with the algorithm the caller named.
        digest: Option<BodyDigest>,
    },
}

/// Reads `body` up to `limit` bytes. Past `threshold` bytes the body goes to a temporary file in
/// `dir` (or the system's), hashed with `algorithm` when given; memory stays at about one frame.
/// A caller that must verify the bytes but has no algorithm to hash them with keeps them in
/// memory by passing `usize::MAX` as the threshold.
pub async fn read<B>(
    body: B,
    limit: usize,
    threshold: usize,
    algorithm: Option<Algorithm>,
    dir: Option<&Path>,
) -> Result<Received, ReadError>
where
    B: Body,
{
    let mut body = std::pin::pin!(body);
    let mut memory = BytesMut::new();
    let mut spool: Option<(File, Option<BodyHasher>)> = None;
    let mut total: usize = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| ReadError::Failed)?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers: not part of the signed bytes
        };
        let chunk = data.copy_to_bytes(data.remaining());
        total = total.saturating_add(chunk.len());
        if total > limit {
            return Err(ReadError::TooLarge);
        }
        if let Some((file, hasher)) = spool.as_mut() {
            if let Some(h) = hasher.as_mut() {
                h.update(&chunk);
            }
            file.write_all(&chunk).map_err(|_| ReadError::Failed)?;
            continue;
        }
        memory.extend_from_slice(&chunk);
        if memory.len() > threshold {
            let mut file = match dir {
                Some(dir) => tempfile::tempfile_in(dir),
                None => tempfile::tempfile(),
            }
            .map_err(|_| ReadError::Failed)?;
            let mut hasher = algorithm.map(BodyHasher::new);
            if let Some(h) = hasher.as_mut() {
                h.update(&memory);
            }
            file.write_all(&memory).map_err(|_| ReadError::Failed)?;
            memory = BytesMut::new();
            spool = Some((file, hasher));
        }
    }
    match spool {
        None => Ok(Received::Memory(memory.freeze())),
        Some((mut file, hasher)) => {
            file.flush().map_err(|_| ReadError::Failed)?;
            file.seek(SeekFrom::Start(0))
                .map_err(|_| ReadError::Failed)?;
            Ok(Received::Spooled {
                file,
                len: total as u64,
                digest: hasher.map(BodyHasher::finish),
            })
        }
    }
}

/// A received body, from memory or replayed from its spool file (in 64 KiB frames, never held
/// whole). Behind the tower layer it is the request body the inner service receives after the
/// signature holds (re-exported as [`crate::VerifiedBody`]).
///
/// It implements [`http_body::Body`] (`Data = Bytes`), so axum extractors and hyper accept it;
/// a handler meant for large uploads should stream it (`axum::body::Body::new(body)
/// .into_data_stream()`, or [`http_body_util::BodyExt::frame`]) rather than collect it.
#[derive(Debug)]
pub struct SpooledBody {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Memory(Option<Bytes>),
    File { file: File, remaining: u64 },
}

impl SpooledBody {
    /// The body of a received request.
    pub fn from_received(received: Received) -> Self {
        let inner = match received {
            Received::Memory(bytes) => Inner::Memory(Some(bytes).filter(|b| !b.is_empty())),
            Received::Spooled { file, len, .. } => Inner::File {
                file,
                remaining: len,
            },
        };
        SpooledBody { inner }
    }

    /// A body of these bytes (for tests and services called without the layer).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        SpooledBody::from_received(Received::Memory(bytes.into()))
    }

    /// Whether the body was spooled to a temporary file (it was larger than the threshold).
    pub fn is_spooled(&self) -> bool {
        matches!(self.inner, Inner::File { .. })
    }
}

impl Body for SpooledBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        match &mut self.inner {
            Inner::Memory(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Inner::File { file, remaining } => {
                if *remaining == 0 {
                    return Poll::Ready(None);
                }
                let want = usize::try_from(*remaining).map_or(READ_CHUNK, |r| r.min(READ_CHUNK));
                let mut buf = BytesMut::zeroed(want);
                let result = match file.read(&mut buf) {
                    Ok(0) => Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the spooled body file is shorter than what was received",
                    )),
                    Ok(n) => {
                        buf.truncate(n);
                        *remaining -= n as u64;
                        Ok(Frame::data(buf.freeze()))
                    }
                    Err(e) => Err(e),
                };
                Poll::Ready(Some(result))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.inner {
            Inner::Memory(bytes) => bytes.is_none(),
            Inner::File { remaining, .. } => *remaining == 0,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.inner {
            Inner::Memory(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
            Inner::File { remaining, .. } => SizeHint::with_exact(*remaining),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};

    fn chunked(data: &[u8], size: usize) -> impl Body<Data = Bytes, Error = std::io::Error> {
        let frames: Vec<Result<Frame<Bytes>, std::io::Error>> = data
            .chunks(size)
            .map(|c| Ok(Frame::data(Bytes::copy_from_slice(c))))
            .collect();
        StreamBody::new(futures_util::stream::iter(frames))
    }

    #[tokio::test]
    async fn small_bodies_stay_in_memory_large_ones_are_spooled_with_the_one_shot_digest() {
        let small = read(Full::new(Bytes::from_static(b"hello")), 100, 10, None, None)
            .await
            .unwrap();
        assert!(matches!(&small, Received::Memory(b) if b.as_ref() == b"hello"));

        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let received = read(
            chunked(&data, 7_001),
            1 << 20,
            64 * 1024,
            Some(Algorithm::HmacSha256),
            None,
        )
        .await
        .unwrap();
        let Received::Spooled { len, digest, .. } = &received else {
            panic!("a body past the threshold is spooled");
        };
        assert_eq!(*len, data.len() as u64);
        assert_eq!(
            digest.as_ref().unwrap().as_str(),
            Algorithm::HmacSha256.body_digest_hex(&data)
        );
        // The replayed body is the received bytes, in bounded frames.
        let mut body = std::pin::pin!(SpooledBody::from_received(received));
        let mut out = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.unwrap().into_data().unwrap();
            assert!(frame.len() <= READ_CHUNK);
            out.extend_from_slice(&frame);
        }
        assert_eq!(out, data);
    }

    #[tokio::test]
    async fn the_limit_applies_to_spooled_bodies_too() {
        let data = vec![7u8; 200_000];
        let err = read(chunked(&data, 10_000), 150_000, 1_000, None, None)
            .await
            .unwrap_err();
        assert_eq!(err, ReadError::TooLarge);
    }
}
