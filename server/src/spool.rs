//! Reading a request body for verification in bounded memory: small bodies are kept in memory,
//! larger ones are hashed while they are written to an unnamed temporary file, and the handler
//! gets a [`VerifiedBody`] that replays whichever it was.
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
use std::path::PathBuf;
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

/// Where and from what size bodies are spooled.
#[derive(Debug, Clone)]
pub(crate) struct SpoolPolicy {
    pub threshold: usize,
    pub dir: Option<PathBuf>,
}

/// Why a body could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// More than the limit arrived.
    TooLarge,
    /// The client's body failed (connection closed, timeout) or the spool file could not be
    /// written.
    Failed,
}

/// A body read to its end: in memory, or in a spool file with its digest.
#[derive(Debug)]
pub(crate) enum Received {
    /// At most the threshold, in memory.
    Memory(Bytes),
    /// Past the threshold: the file (rewound) and the digest computed while writing it.
    Spooled { file: File, digest: BodyDigest },
}

/// Reads `body` up to `limit` bytes. Past `policy.threshold` (and when `algorithm` says which
/// digest to compute) the bytes go to a temporary file while being hashed; memory use stays at
/// about one frame.
pub(crate) async fn read<B>(
    body: B,
    limit: usize,
    algorithm: Option<Algorithm>,
    policy: &SpoolPolicy,
) -> Result<Received, ReadError>
where
    B: Body,
{
    let mut body = std::pin::pin!(body);
    let mut memory = BytesMut::new();
    let mut spool: Option<(File, BodyHasher)> = None;
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
            hasher.update(&chunk);
            file.write_all(&chunk).map_err(|_| ReadError::Failed)?;
            continue;
        }
        memory.extend_from_slice(&chunk);
        if let (true, Some(algorithm)) = (memory.len() > policy.threshold, algorithm) {
            let mut file = match &policy.dir {
                Some(dir) => tempfile::tempfile_in(dir),
                None => tempfile::tempfile(),
            }
            .map_err(|_| ReadError::Failed)?;
            let mut hasher = BodyHasher::new(algorithm);
            hasher.update(&memory);
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
                digest: hasher.finish(),
            })
        }
    }
}

/// The request body the inner service receives after the signature holds: the verified bytes,
/// from memory or replayed from the spool file (in 64 KiB frames, never held whole).
///
/// It implements [`http_body::Body`] (`Data = Bytes`), so axum extractors and hyper accept it;
/// a handler meant for large uploads should stream it (`axum::body::Body::new(body)
/// .into_data_stream()`, or [`http_body_util::BodyExt::frame`]) rather than collect it.
#[derive(Debug)]
pub struct VerifiedBody {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Memory(Option<Bytes>),
    File { file: File, remaining: u64 },
}

impl VerifiedBody {
    pub(crate) fn from_received(received: Received) -> Self {
        let inner = match received {
            Received::Memory(bytes) => Inner::Memory(Some(bytes).filter(|b| !b.is_empty())),
            Received::Spooled { file, digest } => Inner::File {
                file,
                remaining: digest.len(),
            },
        };
        VerifiedBody { inner }
    }

    /// A body of these bytes (for tests and services called without the layer).
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        VerifiedBody::from_received(Received::Memory(bytes.into()))
    }

    /// Whether the body was spooled to a temporary file (it was larger than the threshold).
    pub fn is_spooled(&self) -> bool {
        matches!(self.inner, Inner::File { .. })
    }
}

impl Body for VerifiedBody {
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
                        "the spooled body file is shorter than what was verified",
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
