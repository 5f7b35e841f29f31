//! Request bodies in bounded memory (issue 17, gateway side): bodies up to the spool threshold are
//! kept in memory; a larger one is hashed (core `signing::BodyHasher`, the digest the signature
//! covers) while it is written to an unnamed temporary file, verified with that digest at the
//! end, and only then streamed to the upstream from the file ([`ForwardBody`]) — the upstream
//! never sees a byte of a body whose signature did not hold.
//!
//! The file comes from [`tempfile::tempfile_in`]: on Linux it has no name at all (`O_TMPFILE`),
//! elsewhere it is unlinked at once, so it disappears with its last handle — after a refusal, a
//! 413, a client that hangs up, or the last byte forwarded — and nothing is left if the process
//! is killed. File reads and writes are plain blocking calls on the worker: they hit the page
//! cache and take microseconds per 64 KiB chunk, cheaper than a thread hop per chunk.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Buf as _, Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use sigwire_core::signing::{BodyDigest, BodyHasher};
use sigwire_core::Algorithm;

/// How many bytes a spooled body yields per frame to the upstream.
const READ_CHUNK: usize = 64 * 1024;

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadError {
    /// More than the limit arrived (413).
    TooLarge,
    /// The client's body failed (connection closed) or the spool file could not be written.
    Failed,
}

/// A body read to its end.
#[derive(Debug)]
pub enum Received {
    /// At most the threshold, in memory.
    Memory(Bytes),
    /// Past the threshold: the file (rewound), its length, and the digest computed while writing
    /// it (absent on public routes, where nothing is verified).
    Spooled {
        /// The spool file, at its start.
        file: File,
        /// Bytes in the file.
        len: u64,
        /// The body's digest with the algorithm the signature names.
        digest: Option<BodyDigest>,
    },
}

/// Reads `body` up to `limit` bytes. Past `threshold` bytes the body goes to a temporary file in
/// `dir` (or the system's), hashed with `algorithm` when given; memory stays at about one frame.
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

/// The body sent to the upstream: the received bytes from memory, or replayed from the spool
/// file in 64 KiB frames (never held whole).
#[derive(Debug)]
pub struct ForwardBody {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Memory(Option<Bytes>),
    File { file: File, remaining: u64 },
}

impl ForwardBody {
    /// The body of a received request.
    pub fn from_received(received: Received) -> Self {
        let inner = match received {
            Received::Memory(bytes) => Inner::Memory(Some(bytes).filter(|b| !b.is_empty())),
            Received::Spooled { file, len, .. } => Inner::File {
                file,
                remaining: len,
            },
        };
        ForwardBody { inner }
    }

    /// A body of these bytes.
    pub fn from_bytes(bytes: impl Into<Bytes>) -> Self {
        ForwardBody::from_received(Received::Memory(bytes.into()))
    }
}

impl Body for ForwardBody {
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
        // The forwarded body is the received bytes, in bounded frames.
        let mut body = std::pin::pin!(ForwardBody::from_received(received));
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
