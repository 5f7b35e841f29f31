//! The signing profiles of `sigwire_core::profiles` (AWS SigV4, RFC 9421, exchange presets,
//! webhooks) for Node: the native profile back end of `sdk-node/lib/common/profiles.js`, installed
//! by `sdk-node/lib/profiles.js`.
//!
//! Host-value mapping only: every argument is checked and converted by `sigwire-profile-args`
//! (the same crate under the Python and browser bindings), so each runtime refuses the same input
//! with the same code. A [`ProfileError`] crosses the boundary as the same encoded record as core
//! errors (`sigwire␟code␟status␟␟␟message`, see [`crate::ERROR_MARKER`]), decoded by the
//! JavaScript layer into a `ProfileError` subclass. Messages come from the core and never contain
//! a secret.

use napi::bindgen_prelude::*;
use napi::JsString;
use napi_derive::napi;
use sigwire_core::profiles::aws_sigv4::{AwsSigV4, AwsSigV4Verifier};
use sigwire_core::profiles::rfc9421::{Rfc9421, Rfc9421Verified, Rfc9421Verifier};
use sigwire_core::profiles::webhooks::WebhookSecret;
use sigwire_core::profiles::{ProfileError, ProfileErrorCode, SigningInstructions};
use sigwire_core::Request;
use sigwire_profile_args as args;

use sigwire_client::Error as ClientError;

use crate::client::{build_with, made, NativeClient, NativeClientError, NativeClientOptions};
use crate::ERROR_MARKER;

const SEP: char = '\u{1f}';

/// Encodes a profile error for the JavaScript layer (the record format of [`crate::to_js`]).
fn perr(e: ProfileError) -> napi::Error {
    let message: String = e.message().chars().filter(|&c| c != SEP).collect();
    napi::Error::new(
        Status::GenericFailure,
        format!(
            "{ERROR_MARKER}{SEP}{}{SEP}{}{SEP}{SEP}{SEP}{message}",
            e.code().as_str(),
            e.code().http_status()
        ),
    )
}

/// A time (`now`, `created`, a timestamp) from a JavaScript number.
fn time(value: f64, what: &str) -> Result<u64> {
    args::js_whole(value, what, ProfileErrorCode::InvalidRequest).map_err(perr)
}

/// A setting (window, expiry, skew) from a JavaScript number.
fn setting(value: f64, what: &str) -> Result<u64> {
    args::js_whole(value, what, ProfileErrorCode::InvalidSettings).map_err(perr)
}

fn optional_setting(value: Option<f64>, what: &str) -> Result<Option<u64>> {
    value.map(|v| setting(v, what)).transpose()
}

fn pairs(flat: &[String]) -> Result<Vec<(&str, &str)>> {
    args::pairs(flat).map_err(perr)
}

/// What crosses to JavaScript: fields joined with U+001F — one string costs one N-API call where
/// an array costs one per element (~0.15 µs each, most of a SigV4 signature's binding overhead) —
/// or the list itself when a field holds U+001F.
fn join_fields<'a, I>(fields: I) -> Either<String, Vec<String>>
where
    I: Iterator<Item = &'a str> + Clone,
{
    // A fold, not `contains`: no early exit, so many bytes are tested at once (an Authorization
    // value: ~130 instead of ~300 instructions).
    let holds_sep = |f: &str| f.bytes().fold(false, |found, b| found | (b == SEP as u8));
    if fields.clone().any(holds_sep) {
        return Either::B(fields.map(str::to_owned).collect());
    }
    let mut joined = String::with_capacity(fields.clone().map(|f| f.len() + 1).sum());
    for (i, f) in fields.enumerate() {
        if i > 0 {
            joined.push(SEP);
        }
        joined.push_str(f);
    }
    Either::A(joined)
}

/// The packed result (`args::packed`) as [`join_fields`] sends it.
fn into_js(fields: Vec<String>) -> Either<String, Vec<String>> {
    join_fields(fields.iter().map(String::as_str))
}

/// `first` and `rest` as [`join_fields`] sends them (no owned field copies).
fn join_js(first: &str, rest: &[&str]) -> Either<String, Vec<String>> {
    join_fields(std::iter::once(first).chain(rest.iter().copied()))
}

/// `joined.split(SEP)`, cut by byte (U+001F is one byte in UTF-8, never inside another
/// character): `str::split` on a char sets up a searcher per field, more than these short
/// fields' bytes cost.
fn split_fields(joined: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(joined);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.bytes().position(|b| b == SEP as u8) {
            Some(i) => {
                rest = r.get(i + 1..);
                r.get(..i)
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// A request as `sdk-node/lib/profiles.js` (`packRequest`) sends it: `[method, url, name, value,
/// …]` joined with U+001F — one N-API string instead of two strings and an array of them — or the
/// array when a field holds U+001F.
struct Packed<'a> {
    /// The request read from the fields, with its body (its header lines are `lines`).
    request: Request<'a>,
}

impl<'a> Packed<'a> {
    /// The packed request with `body`.
    fn read(packed: &'a Either<String, Vec<String>>, body: &'a [u8]) -> Result<Self> {
        match packed {
            Either::A(joined) => Self::from_fields(split_fields(joined), body),
            Either::B(list) => Self::from_fields(list.iter().map(String::as_str), body),
        }
    }

    /// `[method, url, name, value, …]` read in one pass straight into the request (no list of
    /// the fields, no second list of the lines).
    fn from_fields(mut fields: impl Iterator<Item = &'a str>, body: &'a [u8]) -> Result<Self> {
        let refuse = |message| perr(ProfileError::new(ProfileErrorCode::InvalidRequest, message));
        let (Some(method), Some(url)) = (fields.next(), fields.next()) else {
            return Err(refuse("a request needs a method and a URL"));
        };
        let mut odd = false;
        let pairs = std::iter::from_fn(|| {
            let name = fields.next()?;
            let value = fields.next();
            odd = value.is_none();
            value.map(|v| (name, v))
        });
        let request = Request::new(method, url).headers(pairs).body(body);
        if odd {
            // The shared rule's refusal (`args::pairs`), without building the list first.
            return Err(refuse("headers must be name/value pairs"));
        }
        Ok(Packed { request })
    }

    /// The URL as given.
    fn url(&self) -> &'a str {
        self.request.url()
    }

    /// The header lines as given.
    fn lines(&self) -> &[(&'a str, &'a str)] {
        self.request.header_lines()
    }

    /// The signed result for JavaScript (`stages`: see `args::packed`).
    fn signed(
        &self,
        ins: &SigningInstructions,
        stages: [&str; args::STAGES],
    ) -> Either<String, Vec<String>> {
        into_js(args::packed(ins, self.url(), self.lines(), stages))
    }
}

// ---------------------------------------------------------------------------------------------
// Exchanges

/// Options of an exchange preset.
#[napi(object)]
pub struct ExchangeOptions {
    /// Coinbase, OKX: the API passphrase.
    pub passphrase: Option<String>,
    /// Binance, Bybit: `recvWindow` in ms (absent: 5000; negative: none, Binance only).
    pub recv_window: Option<f64>,
    /// OKX: adds `x-simulated-trading: 1`.
    pub simulated_trading: Option<bool>,
}

/// One exchange preset: `binance`, `coinbase`, `kraken`, `okx` or `bybit`.
#[napi]
pub struct NativeExchange {
    inner: args::Exchange,
}

#[napi]
impl NativeExchange {
    /// `new NativeExchange(kind, apiKey, secret, options)`; Coinbase and Kraken secrets are base64.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        kind: String,
        api_key: String,
        secret: String,
        options: Option<ExchangeOptions>,
    ) -> Result<Self> {
        let o = options.unwrap_or(ExchangeOptions {
            passphrase: None,
            recv_window: None,
            simulated_trading: None,
        });
        let recv = match o.recv_window {
            None => args::RecvWindow::Default,
            Some(w) if w < 0.0 => args::RecvWindow::Omit,
            Some(w) => args::RecvWindow::Millis(setting(w, "recvWindow")?),
        };
        let options =
            args::ExchangeOptions::new(o.passphrase, recv, o.simulated_trading.unwrap_or(false));
        let inner = args::Exchange::new(&kind, &api_key, &secret, &options).map_err(perr)?;
        Ok(NativeExchange { inner })
    }

    /// Signs the packed request (`[method, url, name, value, …]`, see `Packed`) at
    /// `timestampMs` (Coinbase uses its whole seconds).
    #[napi(catch_unwind)]
    pub fn sign(
        &self,
        request: Either<String, Vec<String>>,
        body: &[u8],
        timestamp_ms: f64,
    ) -> Result<Either<String, Vec<String>>> {
        let ts = time(timestamp_ms, "timestampMs")?;
        let p = Packed::read(&request, body)?;
        let ins = self.inner.sign(&p.request, ts).map_err(perr)?;
        Ok(p.signed(&ins, ["", "", ""]))
    }

    /// Kraken: the next strictly increasing nonce at `nowMs`.
    #[napi(catch_unwind)]
    pub fn next_nonce(&self, now_ms: f64) -> Result<f64> {
        // Nonces stay below 2^53 for the next 285 000 years of milliseconds.
        let n = self
            .inner
            .next_nonce(time(now_ms, "nowMs")?)
            .map_err(perr)?;
        Ok(n as f64)
    }

    /// `new Client({ baseUrl, profile })`: an HTTP client that signs every attempt with this
    /// preset. Kraken is refused (its nonce lives in the body, which the client does not build).
    #[napi(catch_unwind)]
    pub fn create_client(
        &self,
        options: NativeClientOptions,
    ) -> Either<NativeClient, NativeClientError> {
        made(build_with(options, |b| {
            Ok(match &self.inner {
                args::Exchange::Binance(x) => b.profile(x.clone()),
                args::Exchange::Coinbase(x) => b.profile(x.clone()),
                args::Exchange::Okx(x) => b.profile(x.clone()),
                args::Exchange::Bybit(x) => b.profile(x.clone()),
                args::Exchange::Kraken(..) => {
                    return Err(ClientError::Config {
                        message: self.inner.client_refusal().unwrap_or_default().to_owned(),
                    })
                }
            })
        }))
    }

    /// The API key (not secret).
    #[napi(getter, catch_unwind)]
    pub fn api_key(&self) -> String {
        self.inner.api_key().to_owned()
    }
}

/// Kraken: the form body `nonce=<nonce>&k=v…` (flat `[k, v, …]`) to send and sign.
#[napi(catch_unwind)]
pub fn kraken_body(nonce: f64, params: Vec<String>) -> Result<String> {
    Ok(args::kraken_body(time(nonce, "nonce")?, &pairs(&params)?))
}

// ---------------------------------------------------------------------------------------------
// AWS SigV4

/// AWS SigV4 for one set of credentials, region and service.
#[napi]
pub struct NativeAwsSigV4 {
    inner: AwsSigV4,
}

#[napi]
impl NativeAwsSigV4 {
    /// `new NativeAwsSigV4(accessKeyId, secretAccessKey, region, service, sessionToken, s3, signSessionToken)`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        access_key_id: String,
        secret_access_key: String,
        region: String,
        service: String,
        session_token: Option<String>,
        s3: bool,
        sign_session_token: bool,
    ) -> Result<Self> {
        let o = args::AwsOptions::new(s3, sign_session_token, None);
        let inner = args::aws_signer(
            access_key_id,
            secret_access_key,
            session_token,
            region,
            service,
            &o,
        )
        .map_err(perr)?;
        Ok(NativeAwsSigV4 { inner })
    }

    /// `new Client({ baseUrl, profile })`: an HTTP client that signs every attempt with SigV4.
    #[napi(catch_unwind)]
    pub fn create_client(
        &self,
        options: NativeClientOptions,
    ) -> Either<NativeClient, NativeClientError> {
        made(build_with(options, |b| Ok(b.profile(self.inner.clone()))))
    }

    /// Signs the packed request (`[method, url, name, value, …]`, see `Packed`) at `unixTime`
    /// seconds; `presignExpires` makes a presigned URL.
    #[napi(catch_unwind)]
    pub fn sign(
        &self,
        request: Either<String, Vec<String>>,
        body: &[u8],
        unix_time: f64,
        unsigned_payload: bool,
        presign_expires: Option<f64>,
    ) -> Result<Either<String, Vec<String>>> {
        let t = time(unix_time, "timestamp")?;
        let how = args::AwsSign::new(
            unsigned_payload,
            optional_setting(presign_expires, "expiresIn")?,
        );
        let p = Packed::read(&request, body)?;
        let out = how.sign(&self.inner, &p.request, t).map_err(perr)?;
        Ok(p.signed(
            out.instructions(),
            [out.canonical_request(), out.string_to_sign(), ""],
        ))
    }

    /// The fast path of `sign` in headers: only what a caller sends, `[url, …name, value]`
    /// (`args::sent`) joined with U+001F. The stages and param lists are left out: the same call
    /// to `sign` at the same `unixTime` gives them (SigV4 has no nonce, so the same bytes).
    #[napi(catch_unwind)]
    pub fn sign_headers(
        &self,
        request: Either<String, Vec<String>>,
        body: &[u8],
        unix_time: f64,
        unsigned_payload: bool,
    ) -> Result<Either<String, Vec<String>>> {
        let t = time(unix_time, "timestamp")?;
        let p = Packed::read(&request, body)?;
        let out = args::AwsSign::new(unsigned_payload, None)
            .sign(&self.inner, &p.request, t)
            .map_err(perr)?;
        let (url, fields) = args::sent(out.instructions(), p.url(), p.lines());
        Ok(join_js(&url, &fields))
    }

    /// The names of the headers signing sets, in order (`AwsSigV4::header_names`): fixed for
    /// the signer, so `awsAuthHeaderValues` returns only the values.
    #[napi(catch_unwind)]
    pub fn auth_header_names(&self) -> Vec<&'static str> {
        self.inner.header_names()
    }

    /// The signer as an `External` for `awsAuthHeaderValues`: a plain function over an
    /// `External` costs about 120 ns less per call than a class method (no `this` unwrap, class
    /// identity check or borrow registry). The clone shares the derived-key cache.
    #[napi(catch_unwind)]
    pub fn handle(&self) -> External<AwsSigV4> {
        External::new(self.inner.clone())
    }

    /// The access key id.
    #[napi(getter, catch_unwind)]
    pub fn access_key_id(&self) -> String {
        self.inner.access_key_id().to_owned()
    }
}

/// `AwsSigV4.authHeaders`: the values of the headers signing sets, in the order of
/// `authHeaderNames` (`X-Amz-Date`, `X-Amz-Security-Token` with a session token,
/// `x-amz-content-sha256` under the S3 rules, `Authorization`), for the packed request (see
/// `Packed`) signed in headers at `unixTime` seconds (`undefined`: now, read here). One string
/// joined with U+001F (created as Latin-1 when all ASCII: V8 copies it without decoding), or the
/// array when a value holds U+001F.
///
/// Exported to JavaScript as `awsAuthHeaderValues(handle, request, body, unixTime,
/// unsignedPayload)` through [`aws_auth_header_values_cb`], not `#[napi]` (see there).
fn aws_auth_header_values<'env>(
    env: &'env Env,
    signer: &AwsSigV4,
    request: Either<&str, Either<String, Vec<String>>>,
    body: &[u8],
    unix_time: Option<f64>,
    unsigned_payload: bool,
) -> Result<Either<JsString<'env>, Vec<String>>> {
    let t = match unix_time {
        Some(t) => time(t, "timestamp")?,
        None => args::unix_now(),
    };
    let p = match &request {
        Either::A(joined) => Packed::from_fields(split_fields(joined), body)?,
        Either::B(packed) => Packed::read(packed, body)?,
    };
    let out = args::AwsSign::new(unsigned_payload, None)
        .sign(signer, &p.request, t)
        .map_err(perr)?;
    let h = out.instructions().headers();
    let joined = match join_fields(h.iter().map(|p| p.value())) {
        Either::A(joined) => joined,
        Either::B(list) => return Ok(Either::B(list)),
    };
    if joined.is_ascii() {
        env.create_string_latin1(joined.as_bytes()).map(Either::A)
    } else {
        env.create_string(&joined).map(Either::A)
    }
}

/// The stack buffer [`read_small_string`] reads a packed request into (a request this long or
/// longer is read by napi-rs's conversion into a `String`).
const SMALL_REQUEST: usize = 2048;

/// `value` as a `&str` read into `buf` in one N-API call, or `None` when it is not a string or
/// may not have fit (the caller then converts it the usual way, with the usual errors).
/// napi-rs's `String` conversion makes two calls (V8 measures the UTF-8 length, then writes);
/// together ~960 instructions more per `authHeaders` call.
///
/// N-API writes at most `buf.len() - 1` bytes and never part of a character (at most 4 bytes in
/// UTF-8; V8 writes a lone surrogate as U+FFFD, 3 bytes), so `written + 4 < buf.len()` means the
/// whole string was written. `str::from_utf8` checks the bytes rather than trusting that.
/// Covered by the contract test `authHeaders equals sign()` for requests of every length around
/// 2 KiB ending in 1- to 4-byte characters (sdk-node/test/contract).
///
/// # Safety
/// `env` and `value` must be the current callback's.
unsafe fn read_small_string(
    env: sys::napi_env,
    value: sys::napi_value,
    buf: &mut [u8; SMALL_REQUEST],
) -> Option<&str> {
    let mut written = 0usize;
    // SAFETY: `buf` is valid for `buf.len()` writable bytes; N-API writes at most that many
    // (the string's bytes and a NUL) and reports in `written` how many string bytes it wrote.
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut written,
        )
    };
    if status != sys::Status::napi_ok || written + 4 >= buf.len() {
        return None;
    }
    std::str::from_utf8(buf.get(..written)?).ok()
}

/// The N-API callback of `awsAuthHeaderValues`: the five arguments converted exactly as a
/// `#[napi]` function converts them (same conversions, same type errors), then
/// [`aws_auth_header_values`]; an error or a panic becomes a thrown JavaScript error, as under
/// `#[napi(catch_unwind)]`.
///
/// Why not `#[napi]`: its wrapper opens a native borrow scope, a borrow barrier and a deferred
/// scope guard on every call (about 950 instructions, ~4 % of `authHeaders`). They track borrows
/// of class instances and hand them to async work started by the call. This call borrows an
/// `External` (never borrowed mutably anywhere) and a Buffer, only while it runs synchronously,
/// calls no JavaScript and starts no async work, so there is nothing for them to track.
unsafe extern "C" fn aws_auth_header_values_cb(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let call = || -> Result<sys::napi_value> {
        // SAFETY: `env` and `info` are this callback's own; N-API fills the arguments not
        // passed with `undefined`. Each value is converted by napi-rs's own `FromNapi*`
        // impls, which check its type (the `External` by its type tag). The borrowed
        // `External` and Buffer outlive the call, which runs no JavaScript.
        unsafe {
            let mut argc = 5usize;
            let mut argv = [std::ptr::null_mut(); 5];
            check_status!(sys::napi_get_cb_info(
                env,
                info,
                &mut argc,
                argv.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            ))?;
            let signer = <External<AwsSigV4> as FromNapiRef>::from_napi_ref(env, argv[0])?;
            let mut small = [0u8; SMALL_REQUEST];
            let request = match read_small_string(env, argv[1], &mut small) {
                Some(joined) => Either::A(joined),
                None => {
                    let owned = <Either<String, Vec<String>>>::from_napi_value(env, argv[1])?;
                    Either::B(owned)
                }
            };
            let body = <&mut [u8]>::from_napi_value(env, argv[2])?;
            let unix_time = <Option<f64>>::from_napi_value(env, argv[3])?;
            let unsigned_payload = bool::from_napi_value(env, argv[4])?;
            let host = Env::from(env);
            let values =
                aws_auth_header_values(&host, signer, request, body, unix_time, unsigned_payload)?;
            ToNapiValue::to_napi_value(env, values)
        }
    };
    match std::panic::catch_unwind(call)
        .map_err(panic_to_error)
        .and_then(|r| r)
    {
        Ok(value) => value,
        Err(e) => {
            // SAFETY: `env` is this callback's; nothing is pending on it (every N-API call
            // above returned or was turned into this error).
            unsafe { JsError::from(e).throw_into(env) };
            std::ptr::null_mut()
        }
    }
}

/// Adds the functions exported without `#[napi]` to the module's exports:
/// `awsAuthHeaderValues` (see [`aws_auth_header_values_cb`]).
#[napi(module_exports)]
pub fn raw_exports(mut exports: Object, env: Env) -> Result<()> {
    let f = env.create_function::<(), ()>("awsAuthHeaderValues", aws_auth_header_values_cb)?;
    exports.set_named_property("awsAuthHeaderValues", f)
}

/// What a verified SigV4 request proved.
#[napi(object)]
pub struct AwsVerifiedJs {
    /// The access key id that signed.
    pub access_key_id: String,
    /// The signed header names, lowercase.
    pub signed_headers: Vec<String>,
    /// Whether it was a presigned URL.
    pub presigned: bool,
    /// `X-Amz-Date` in Unix seconds.
    pub signed_at: f64,
}

/// Verifies SigV4 requests for one region and service.
#[napi]
pub struct NativeAwsVerifier {
    inner: AwsSigV4Verifier<args::AwsLookup>,
}

#[napi]
impl NativeAwsVerifier {
    /// `credentials` is flat `[accessKeyId, secret, …]`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        region: String,
        service: String,
        credentials: Vec<String>,
        s3: bool,
        max_clock_skew: Option<f64>,
    ) -> Result<Self> {
        let o = args::AwsOptions::new(s3, true, optional_setting(max_clock_skew, "maxClockSkew")?);
        let inner = args::aws_verifier(region, service, pairs(&credentials)?, &o).map_err(perr)?;
        Ok(NativeAwsVerifier { inner })
    }

    /// Verifies at `now` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn verify(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<AwsVerifiedJs> {
        let now = time(now, "now")?;
        let lines = pairs(&headers)?;
        let r = Request::new(&method, &url).headers(lines).body(body);
        let v = self.inner.verify(&r, now).map_err(perr)?;
        Ok(AwsVerifiedJs {
            access_key_id: v.access_key_id,
            signed_headers: v.signed_headers,
            presigned: v.presigned,
            signed_at: v.signed_at as f64,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// RFC 9421

/// RFC 9421 options (signer and verifier).
#[napi(object)]
pub struct Rfc9421Options {
    /// Signature label (default `sig1`).
    pub label: Option<String>,
    /// Signer: covered components.
    pub components: Option<Vec<String>>,
    /// Signer: `expires = created + expiresIn`.
    pub expires_in: Option<f64>,
    /// Signer: write `alg="hmac-sha256"`.
    pub include_alg: Option<bool>,
    /// Signer: `tag`.
    pub tag: Option<String>,
    /// Verifier: required components (a list with `@status` is for responses).
    pub required_components: Option<Vec<String>>,
    /// Verifier: max age of `created`, seconds.
    pub max_age: Option<f64>,
    /// Verifier: how far ahead `created` may be, seconds.
    pub max_ahead: Option<f64>,
}

impl Rfc9421Options {
    fn into_args(self) -> Result<args::Rfc9421Options> {
        let mut o = args::Rfc9421Options::default();
        o.label = self.label;
        o.components = self.components;
        o.expires_in = optional_setting(self.expires_in, "expiresIn")?;
        o.include_alg = self.include_alg.unwrap_or(false);
        o.tag = self.tag;
        o.required_components = self.required_components;
        o.max_age = optional_setting(self.max_age, "maxAge")?;
        o.max_ahead = optional_setting(self.max_ahead, "maxAhead")?;
        Ok(o)
    }
}

fn rfc_options(options: Option<Rfc9421Options>) -> Result<args::Rfc9421Options> {
    options.map_or_else(
        || Ok(args::Rfc9421Options::default()),
        Rfc9421Options::into_args,
    )
}

/// An RFC 9421 `hmac-sha256` signer.
#[napi]
pub struct NativeRfc9421 {
    inner: Rfc9421,
}

#[napi]
impl NativeRfc9421 {
    /// `new NativeRfc9421(keyId, secret, options)`.
    #[napi(constructor, catch_unwind)]
    pub fn new(key_id: String, secret: &[u8], options: Option<Rfc9421Options>) -> Result<Self> {
        let o = rfc_options(options)?;
        let inner = args::rfc9421_signer(key_id, secret, &o).map_err(perr)?;
        Ok(NativeRfc9421 { inner })
    }

    /// `new Client({ baseUrl, profile })`: an HTTP client that signs every attempt with
    /// RFC 9421 (`created` from the client's corrected clock).
    #[napi(catch_unwind)]
    pub fn create_client(
        &self,
        options: NativeClientOptions,
    ) -> Either<NativeClient, NativeClientError> {
        made(build_with(options, |b| Ok(b.profile(self.inner.clone()))))
    }

    /// Signs the packed request (`[method, url, name, value, …]`, see `Packed`) created at
    /// `created` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn sign_request(
        &self,
        request: Either<String, Vec<String>>,
        body: &[u8],
        created: f64,
        nonce: Option<String>,
    ) -> Result<Either<String, Vec<String>>> {
        let p = Packed::read(&request, body)?;
        let inputs = args::signature_inputs(time(created, "created")?, nonce.as_deref());
        let out = self.inner.sign_request(&p.request, inputs).map_err(perr)?;
        Ok(p.signed(out.instructions(), ["", "", out.signature_base()]))
    }

    /// Signs a response (`url` of the result is empty).
    #[napi(catch_unwind)]
    pub fn sign_response(
        &self,
        status: f64,
        headers: Vec<String>,
        body: &[u8],
        created: f64,
        nonce: Option<String>,
    ) -> Result<Either<String, Vec<String>>> {
        let lines = pairs(&headers)?;
        let response =
            args::response(time(status, "status")?, lines.iter().copied(), body).map_err(perr)?;
        let inputs = args::signature_inputs(time(created, "created")?, nonce.as_deref());
        let out = self.inner.sign_response(&response, inputs).map_err(perr)?;
        Ok(into_js(args::packed(
            out.instructions(),
            "",
            &lines,
            ["", "", out.signature_base()],
        )))
    }
}

/// What a verified RFC 9421 signature proved.
#[napi(object)]
pub struct Rfc9421VerifiedJs {
    /// The label that verified.
    pub label: String,
    /// The key id.
    pub key_id: String,
    /// `created`.
    pub created: f64,
    /// `expires`, if present.
    pub expires: Option<f64>,
    /// `nonce`, if present (check it against a replay store).
    pub nonce: Option<String>,
    /// `tag`, if present.
    pub tag: Option<String>,
    /// The covered components.
    pub components: Vec<String>,
}

fn verified(v: Rfc9421Verified) -> Rfc9421VerifiedJs {
    Rfc9421VerifiedJs {
        label: v.label,
        key_id: v.key_id,
        created: v.created as f64,
        expires: v.expires.map(|e| e as f64),
        nonce: v.nonce,
        tag: v.tag,
        components: v.components.iter().map(ToString::to_string).collect(),
    }
}

/// Verifies RFC 9421 signatures with keys looked up by `keyid`.
#[napi]
pub struct NativeRfc9421Verifier {
    inner: Rfc9421Verifier<args::KeyLookup>,
}

#[napi]
impl NativeRfc9421Verifier {
    /// `keyIds[i]` has secret `secrets[i]`.
    #[napi(constructor, catch_unwind)]
    pub fn new(
        key_ids: Vec<String>,
        secrets: Vec<Buffer>,
        options: Option<Rfc9421Options>,
    ) -> Result<Self> {
        if key_ids.len() != secrets.len() {
            return Err(perr(ProfileError::new(
                ProfileErrorCode::InvalidCredentials,
                "one secret per key id",
            )));
        }
        let o = rfc_options(options)?;
        let keys = key_ids.into_iter().zip(secrets.iter().map(|s| s.to_vec()));
        let inner = args::rfc9421_verifier(keys, &o).map_err(perr)?;
        Ok(NativeRfc9421Verifier { inner })
    }

    /// Verifies a request at `now` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn verify_request(
        &self,
        method: String,
        url: String,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Rfc9421VerifiedJs> {
        let lines = pairs(&headers)?;
        let r = Request::new(&method, &url).headers(lines).body(body);
        self.inner
            .verify_request(&r, time(now, "now")?)
            .map(verified)
            .map_err(perr)
    }

    /// Verifies a response at `now` (Unix seconds).
    #[napi(catch_unwind)]
    pub fn verify_response(
        &self,
        status: f64,
        headers: Vec<String>,
        body: &[u8],
        now: f64,
    ) -> Result<Rfc9421VerifiedJs> {
        let lines = pairs(&headers)?;
        let r = args::response(time(status, "status")?, lines, body).map_err(perr)?;
        self.inner
            .verify_response(&r, time(now, "now")?)
            .map(verified)
            .map_err(perr)
    }
}

// ---------------------------------------------------------------------------------------------
// Webhooks

/// Secrets as `provider` reads them; `text[i]` says secret `i` was given as a string.
fn webhook_secrets(
    provider: &str,
    secrets: &[Buffer],
    text: &[bool],
) -> Result<Vec<WebhookSecret>> {
    secrets
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let arg = args::SecretArg::flagged(s, text.get(i).copied().unwrap_or(false));
            arg.and_then(|a| args::webhook_secret(provider, a))
                .map_err(perr)
        })
        .collect()
}

/// What a verified webhook proved.
#[napi(object)]
pub struct WebhookVerifiedJs {
    /// The signed timestamp, when the scheme has one.
    pub timestamp: Option<f64>,
    /// The message id (for de-duplication).
    pub id: Option<String>,
    /// Which secret matched.
    pub secret_index: u32,
}

/// Verifies a webhook over the raw body.
#[napi(catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn verify_webhook_native(
    provider: String,
    secrets: Vec<Buffer>,
    secret_is_text: Vec<bool>,
    headers: Vec<String>,
    body: &[u8],
    now: f64,
    tolerance: f64,
) -> Result<WebhookVerifiedJs> {
    let secrets = webhook_secrets(&provider, &secrets, &secret_is_text)?;
    let (now, tolerance) = (time(now, "now")?, setting(tolerance, "tolerance")?);
    let lines = pairs(&headers)?;
    let v =
        args::verify_webhook(&provider, &lines, body, &secrets, now, tolerance).map_err(perr)?;
    Ok(WebhookVerifiedJs {
        timestamp: v.timestamp.map(|t| t as f64),
        id: v.id,
        secret_index: u32::try_from(v.secret_index).unwrap_or(u32::MAX),
    })
}

/// Signs a webhook as a provider would: flat `[name, value, …]` headers.
#[napi(catch_unwind)]
pub fn sign_webhook_native(
    provider: String,
    secrets: Vec<Buffer>,
    secret_is_text: Vec<bool>,
    body: &[u8],
    timestamp: f64,
    id: Option<String>,
) -> Result<Vec<String>> {
    let secrets = webhook_secrets(&provider, &secrets, &secret_is_text)?;
    let ts = time(timestamp, "timestamp")?;
    let ins = args::sign_webhook(&provider, &secrets, body, ts, id.as_deref()).map_err(perr)?;
    Ok(ins
        .apply_to_headers(&[])
        .into_iter()
        .flat_map(|(n, v)| [n, v])
        .collect())
}

/// Every profile machine code, flat `[code, status, …]`.
#[napi(catch_unwind)]
pub fn profile_error_codes() -> Vec<String> {
    args::error_codes()
}
