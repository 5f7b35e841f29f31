//! A plain C entry point for the one call that must be cheap on the JVM: signing a request and
//! getting back its `Authorization` value.
//!
//! Why it exists: every UniFFI call from Kotlin goes through JNA `Structure`s (a call status per
//! crossing, `RustBuffer`s by value), and JNA allocates, registers and later cleans native memory
//! for each one. `Signer.sign` makes four crossings (clone the handle, allocate the argument
//! buffer, sign, free the result), which costs tens of microseconds, ten times the signing
//! itself. Here one call takes only integers and byte arrays (which JNA's direct mapping passes
//! without any `Structure`) and writes the result into a caller-provided byte array.
//!
//! The Kotlin side is `dev.sigwire.FastSigner` (sdk-kotlin/src/main). Errors are reported as a
//! negative status only; the caller repeats the call through the UniFFI `Signer` to raise the
//! typed `SigwireException` (validation is deterministic, so it fails the same way).
//!
//! Encoding of the request head (all integers u32 little-endian):
//! `len method | len url | header count | (len name | len value)*`.
#![allow(unsafe_code)] // raw pointers from the caller; every use is bounds-checked below

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::slice;

use sigwire_core::{Algorithm, Request, Signer};

/// Status: the arguments or the request are invalid (repeat through the UniFFI API for the
/// typed error).
const INVALID: i32 = -1;
/// Status: a null handle, or a panic was caught (never expected).
const INTERNAL: i32 = -2;

/// A borrowed byte slice from a pointer and a length (empty for null or a non-positive length).
///
/// # Safety
/// When `ptr` is non-null and `len > 0`, `ptr` must point to `len` readable bytes that stay valid
/// and unchanged for `'a`.
unsafe fn bytes<'a>(ptr: *const u8, len: i32) -> &'a [u8] {
    match usize::try_from(len) {
        Ok(n) if n > 0 && !ptr.is_null() => {
            // SAFETY: the caller guarantees `n` readable bytes at `ptr` for 'a.
            unsafe { slice::from_raw_parts(ptr, n) }
        }
        _ => &[],
    }
}

/// Reads the length-prefixed fields of a request head.
struct Head<'a> {
    rest: &'a [u8],
}

impl<'a> Head<'a> {
    fn u32(&mut self) -> Option<usize> {
        let (n, rest) = self.rest.split_first_chunk::<4>()?;
        self.rest = rest;
        usize::try_from(u32::from_le_bytes(*n)).ok()
    }

    fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()?;
        if n > self.rest.len() {
            return None;
        }
        let (s, rest) = self.rest.split_at(n);
        self.rest = rest;
        std::str::from_utf8(s).ok()
    }
}

/// Creates a signer (`hmac-sha256` or `hmac-sha512`; `signed_headers` are extra header names,
/// each followed by `\n`). Returns its handle, or 0 when any argument is invalid.
///
/// # Safety
/// Each pointer must be null or point to as many readable bytes as its length says, for the
/// duration of the call.
#[no_mangle]
pub unsafe extern "C" fn sigwire_fast_signer_new(
    key_id: *const u8,
    key_id_len: i32,
    secret: *const u8,
    secret_len: i32,
    algorithm: *const u8,
    algorithm_len: i32,
    signed_headers: *const u8,
    signed_headers_len: i32,
) -> i64 {
    // SAFETY: forwarded from this function's contract.
    let (key_id, secret, algorithm, names) = unsafe {
        (
            bytes(key_id, key_id_len),
            bytes(secret, secret_len),
            bytes(algorithm, algorithm_len),
            bytes(signed_headers, signed_headers_len),
        )
    };
    let made = catch_unwind(|| -> Option<Signer> {
        let key_id = std::str::from_utf8(key_id).ok()?;
        let algorithm: Algorithm = std::str::from_utf8(algorithm).ok()?.parse().ok()?;
        let names = std::str::from_utf8(names).ok()?;
        let names: Vec<&str> = names.split_terminator('\n').collect();
        Signer::new(key_id, secret.to_vec())
            .ok()?
            .with_algorithm(algorithm)
            .with_signed_headers(names)
            .ok()
    });
    match made {
        Ok(Some(signer)) => Box::into_raw(Box::new(signer)) as i64,
        _ => 0,
    }
}

/// Frees a signer made by [`sigwire_fast_signer_new`] (its secret is zeroed). 0 is ignored.
///
/// # Safety
/// `handle` must be 0 or a handle from `sigwire_fast_signer_new` not freed before, and no other
/// call may use it during or after this one.
#[no_mangle]
pub unsafe extern "C" fn sigwire_fast_signer_free(handle: i64) {
    if handle != 0 {
        // SAFETY: per the contract, `handle` came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(handle as *mut Signer) });
    }
}

/// Signs the request (`head` encoded as the module documents, `body` the exact body bytes) with
/// the current time and a fresh nonce, and writes the `Authorization` value (ASCII) into `out`.
///
/// Returns the value's length; when it is larger than `out_len`, nothing is written and the
/// caller repeats with a larger buffer. Returns -1 for an invalid request, -2 for a null handle.
///
/// # Safety
/// `handle` must be a live handle from `sigwire_fast_signer_new` (concurrent calls are fine);
/// `head` and `body` must be null or point to as many readable bytes as their lengths say, and
/// `out` to `out_len` writable bytes, none overlapping, for the duration of the call.
#[no_mangle]
pub unsafe extern "C" fn sigwire_fast_sign(
    handle: i64,
    head: *const u8,
    head_len: i32,
    body: *const u8,
    body_len: i32,
    out: *mut u8,
    out_len: i32,
) -> i32 {
    if handle == 0 {
        return INTERNAL;
    }
    // SAFETY: per the contract, `handle` is a live `Box<Signer>` only read here.
    let signer = unsafe { &*(handle as *const Signer) };
    // SAFETY: forwarded from this function's contract.
    let (head, body) = unsafe { (bytes(head, head_len), bytes(body, body_len)) };
    let signed = catch_unwind(AssertUnwindSafe(|| -> Option<String> {
        let mut head = Head { rest: head };
        let method = head.str()?;
        let url = head.str()?;
        let count = head.u32()?;
        let mut request = Request::new(method, url).body(body);
        for _ in 0..count {
            let name = head.str()?;
            let value = head.str()?;
            request = request.header(name, value);
        }
        if !head.rest.is_empty() {
            return None;
        }
        signer.sign(&request).ok().map(|s| s.authorization)
    }));
    let authorization = match signed {
        Ok(Some(a)) => a,
        Ok(None) => return INVALID,
        Err(_) => return INTERNAL,
    };
    let Ok(n) = i32::try_from(authorization.len()) else {
        return INVALID;
    };
    if n <= out_len && !out.is_null() {
        // SAFETY: `out` has `out_len >= n` writable bytes that do not overlap `authorization`.
        unsafe { std::ptr::copy_nonoverlapping(authorization.as_ptr(), out, authorization.len()) };
    }
    n
}
