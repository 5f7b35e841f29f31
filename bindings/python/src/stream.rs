//! Bodies that are not in memory, for `sigwire.Client`: a path (`os.PathLike`), a file object
//! (anything with `read(n)`) or an iterator of chunks, turned into the HTTP runtime's
//! [`sigwire_client::Body`].
//!
//! A path is hashed once and streamed from disk by every attempt (`Body::file`). A file object or
//! an iterator can be read only once: the runtime reads it through [`PyReader`] while hashing it
//! into an unnamed temporary file (`Body::reader`), and every attempt (retries too) re-sends
//! from that spool. The body is never whole in memory.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use pyo3::prelude::*;
use pyo3::types::{PyAny, PyByteArray, PyBytes, PyIterator, PyMemoryView, PyString};
use sigwire_client::Body;

/// Bytes asked for per `read(n)` of a Python file object.
const READ_CHUNK: usize = 256 * 1024;

/// The streamed body for `obj`, or `None` when it is not a path, file object or iterator (then
/// it is an in-memory body: `bytes`, `str`, …).
pub(crate) fn stream_body(obj: &Bound<'_, PyAny>) -> PyResult<Option<Body>> {
    if obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyByteArray>()
        || obj.is_instance_of::<PyMemoryView>()
    {
        return Ok(None);
    }
    let py = obj.py();
    if obj.hasattr(pyo3::intern!(py, "__fspath__"))? {
        let path: std::path::PathBuf = obj.extract()?;
        return Ok(Some(Body::file(path)));
    }
    if obj.hasattr(pyo3::intern!(py, "read"))? {
        let reader = PyReader::new(Source::File(obj.clone().unbind()));
        return Ok(Some(Body::reader(reader)));
    }
    if let Ok(iter) = obj.try_iter() {
        let reader = PyReader::new(Source::Iter(iter.unbind()));
        return Ok(Some(Body::reader(reader)));
    }
    Ok(None)
}

enum Source {
    /// `read(n)` until it returns an empty chunk.
    File(Py<PyAny>),
    /// `next()` until `StopIteration`.
    Iter(Py<PyIterator>),
}

/// An `AsyncRead` over a Python file object or iterator. Each refill attaches to the
/// interpreter for one `read(n)`/`next()` (a real file releases the GIL inside `read`), so the
/// calling thread, which waits with the GIL released, never blocks it.
struct PyReader {
    source: Source,
    pending: Vec<u8>,
    pos: usize,
    done: bool,
}

impl PyReader {
    fn new(source: Source) -> Self {
        PyReader {
            source,
            pending: Vec::new(),
            pos: 0,
            done: false,
        }
    }

    /// The next non-empty chunk into `pending`, or `done`.
    fn refill(&mut self, py: Python<'_>) -> io::Result<()> {
        loop {
            let item = match &self.source {
                Source::File(file) => Some(
                    file.bind(py)
                        .call_method1(pyo3::intern!(py, "read"), (READ_CHUNK,)),
                ),
                Source::Iter(iter) => iter.bind(py).clone().next(),
            };
            let Some(item) = item else {
                self.done = true;
                return Ok(());
            };
            let item = item.map_err(|e| failed(py, &e))?;
            let chunk = chunk_bytes(&item)?;
            if chunk.is_empty() {
                if matches!(self.source, Source::File(_)) {
                    self.done = true;
                    return Ok(());
                }
                continue; // an iterator may yield empty chunks before the end
            }
            self.pending = chunk;
            self.pos = 0;
            return Ok(());
        }
    }
}

/// A chunk as bytes: `bytes`, `bytearray`, `memoryview` or `str` (UTF-8, e.g. a file opened in
/// text mode).
fn chunk_bytes(item: &Bound<'_, PyAny>) -> io::Result<Vec<u8>> {
    if let Ok(b) = item.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = item.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if let Ok(s) = item.cast::<PyString>() {
        return s
            .encode_utf8()
            .map(|b| b.as_bytes().to_vec())
            .map_err(|_| io::Error::other("the body yielded a str that is not valid Unicode"));
    }
    if item.is_instance_of::<PyMemoryView>() {
        let py = item.py();
        if let Ok(b) = py.get_type::<PyBytes>().call1((item,)) {
            if let Ok(b) = b.cast::<PyBytes>() {
                return Ok(b.as_bytes().to_vec());
            }
        }
    }
    let kind = item
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".to_owned());
    Err(io::Error::other(format!(
        "the body yielded {kind}; a file or iterator body must give bytes, bytearray, memoryview or str"
    )))
}

/// A Python exception raised while reading the body, as an I/O error naming its type and text.
fn failed(py: Python<'_>, err: &PyErr) -> io::Error {
    let kind = err
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".to_owned());
    io::Error::other(format!("reading the body raised {kind}: {}", err.value(py)))
}

impl tokio::io::AsyncRead for PyReader {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pos >= this.pending.len() && !this.done {
            let refilled = Python::try_attach(|py| this.refill(py));
            match refilled {
                Some(Ok(())) => {}
                Some(Err(e)) => return Poll::Ready(Err(e)),
                None => {
                    return Poll::Ready(Err(io::Error::other(
                        "the Python interpreter is shutting down",
                    )))
                }
            }
        }
        let rest = this.pending.get(this.pos..).unwrap_or_default();
        let n = rest.len().min(buf.remaining());
        buf.put_slice(&rest[..n]);
        this.pos += n;
        Poll::Ready(Ok(()))
    }
}
