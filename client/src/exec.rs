//! Running a call: attempts, retries with backoff, clock-skew re-sign, redirects, timeouts.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, LOCATION};
use http::{HeaderMap, Method, StatusCode};
use reqwest::Url;
use sigwire_client_core::rejection;
use sigwire_core::signing::SigningInstructions;
use sigwire_core::{ErrorCode, Signature, SERVER_TIME_HEADER};
use tracing::Instrument as _;

use crate::body::{self, Body, Prepared, Spooled};
use crate::client::{Auth, Client, Inner, IDEMPOTENCY_KEY};
use crate::error::{describe, Error, TimeoutKind};
use crate::profile::DynScheme;
use crate::redirect;
use crate::response::Response;
use crate::retry::{is_idempotent, is_retryable_status, RetryAfter as _, RetryPolicy};
use crate::rt;
use crate::skew::{self, Observation};

/// One logical call, ready to run.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) client: Client,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// A body on disk (a file, or a stream spooled while hashed), sent instead of `body`.
    pub(crate) spooled: Option<Spooled>,
    pub(crate) retry: RetryPolicy,
    pub(crate) attempt_timeout: Option<Duration>,
    pub(crate) total_timeout: Option<Duration>,
    /// Whether to sign (false: [`crate::RequestBuilder::unsigned`]).
    pub(crate) sign: bool,
}

/// What one attempt produced.
struct Outcome {
    response: Response,
    /// The last clock observation made on a signed hop.
    observation: Observation,
}

impl Call {
    /// Reads `body` once (hashing a file, spooling a stream while hashing it) and makes it the
    /// call's body.
    pub(crate) async fn set_body(&mut self, body: Body) -> Result<(), Error> {
        let algorithm = match &self.client.inner.auth {
            Auth::V1 { signer, .. } => signer.algorithm(),
            Auth::Profile(_) => sigwire_core::Algorithm::HmacSha256,
        };
        match body::prepare(body, algorithm).await? {
            Prepared::Bytes(bytes) => self.body = bytes,
            Prepared::Spooled(spooled) => {
                if self.sign && matches!(self.client.inner.auth, Auth::Profile(_)) {
                    return Err(Error::invalid(
                        "a streamed body is signed by sigwire-v1 clients only; pass the bytes to a profile client",
                    ));
                }
                self.body = Bytes::new();
                self.spooled = Some(spooled);
            }
        }
        Ok(())
    }
}

/// Runs `call` to completion.
pub(crate) async fn execute(call: &Call) -> Result<Response, Error> {
    let inner = &*call.client.inner;
    let start = rt::Instant::now();
    let may_retry = is_idempotent(&call.method) || call.headers.contains_key(IDEMPOTENCY_KEY);
    let mut attempts = 0u32;
    let mut retries = 0u32;
    let mut skew_resigned = false;
    loop {
        attempts += 1;
        let remaining = call
            .total_timeout
            .map(|t| t.saturating_sub(start.elapsed()));
        if remaining == Some(Duration::ZERO) {
            return Err(Error::Timeout {
                kind: TimeoutKind::Total,
                attempts: attempts - 1,
            });
        }
        let (limit, kind) = match (call.attempt_timeout, remaining) {
            (Some(a), Some(r)) if r < a => (Some(r), TimeoutKind::Total),
            (Some(a), _) => (Some(a), TimeoutKind::Attempt),
            (None, r) => (r, TimeoutKind::Total),
        };
        let span = tracing::debug_span!("sigwire.attempt", attempt = attempts, method = %call.method, url = %log_url(&call.url));
        let run = attempt(inner, call, attempts).instrument(span);
        let result = match limit {
            Some(limit) => rt::timeout(limit, run)
                .await
                .unwrap_or(Err(Error::Timeout { kind, attempts })),
            None => run.await,
        };

        // Decide: done, or retry after some delay.
        let (last, delay) = match result {
            Ok(outcome) => {
                let response = outcome.response;
                let code = rejection::rejection_code(
                    response.status.as_u16(),
                    json_error_member(&response.body).as_deref(),
                );
                if code == Some(ErrorCode::StaleTimestamp) && !skew_resigned {
                    match outcome.observation {
                        Observation::TooLarge(offset) => {
                            return Err(Error::ClockSkewTooLarge {
                                offset_seconds: offset,
                                max_seconds: inner.skew.max,
                            });
                        }
                        Observation::Applied { .. } | Observation::Kept(_) => {
                            // The server refused the timestamp before doing anything: re-sign
                            // with the corrected clock and try once more, whatever the method.
                            skew_resigned = true;
                            tracing::info!(
                                offset = inner.clock.offset(),
                                "sigwire: stale timestamp; re-signing with the corrected clock"
                            );
                            continue;
                        }
                        Observation::None => {}
                    }
                }
                let retryable = may_retry && is_retryable_status(response.status);
                let delay = if retryable && retries + 1 < call.retry.attempts() {
                    let delay = call
                        .retry
                        .retry_after(&response.headers)
                        .unwrap_or_else(|| backoff(&call.retry, retries + 1));
                    Some(delay)
                } else {
                    None
                };
                (finish(response, code, attempts), delay)
            }
            Err(mut error) => {
                error.set_attempts(attempts);
                let retryable = may_retry
                    && matches!(
                        error,
                        Error::Connect { .. }
                            | Error::Transport { .. }
                            | Error::Timeout {
                                kind: TimeoutKind::Attempt | TimeoutKind::Connect,
                                ..
                            }
                    );
                let delay = (retryable && retries + 1 < call.retry.attempts())
                    .then(|| backoff(&call.retry, retries + 1));
                (Err(error), delay)
            }
        };
        let Some(delay) = delay else { return last };
        if let Some(total) = call.total_timeout {
            if start.elapsed() + delay >= total {
                tracing::debug!(?delay, "sigwire: no time left for another attempt");
                return last;
            }
        }
        retries += 1;
        match &last {
            Ok(r) => tracing::info!(
                status = r.status.as_u16(),
                ?delay,
                retry = retries,
                "sigwire: retrying"
            ),
            Err(e) => tracing::info!(
                error = e.kind(),
                ?delay,
                retry = retries,
                "sigwire: retrying"
            ),
        }
        rt::sleep(delay).await;
    }
}

fn backoff(policy: &RetryPolicy, retry: u32) -> Duration {
    policy.backoff(retry, rt::random_u64())
}

/// The JSON body's `error` member, as client-core's [`rejection::rejection_code`] wants it: the
/// driver's only part in recognising a rejection is reading the JSON.
fn json_error_member(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Body {
        error: String,
    }
    serde_json::from_slice::<Body>(body).ok().map(|b| b.error)
}

/// Turns a final response into the call's result (`code`: client-core's reading of it).
fn finish(
    mut response: Response,
    code: Option<ErrorCode>,
    attempts: u32,
) -> Result<Response, Error> {
    response.attempts = attempts;
    if response.status.as_u16() < 400 {
        return Ok(response);
    }
    if let Some(code) = code {
        let server_time = rejection::server_time(
            response
                .headers
                .get(SERVER_TIME_HEADER)
                .and_then(|v| v.to_str().ok()),
        );
        return Err(Error::SignatureRejected {
            status: response.status,
            code: code.as_str().to_owned(),
            server_time,
        });
    }
    Err(Error::Status {
        status: response.status,
        headers: Box::new(response.headers),
        body: response.body,
        attempts,
    })
}

/// One attempt: sign, send, follow redirects by [`crate::redirect`]'s policy (a chain is signed
/// only while it stays at the base origin; a change of origin drops credentials and body), read
/// the body.
async fn attempt(inner: &Inner, call: &Call, attempt: u32) -> Result<Outcome, Error> {
    let mut method = call.method.clone();
    let mut url = call.url.clone();
    let mut headers = Cow::Borrowed(&call.headers);
    let mut body = call.body.clone();
    let mut spooled = call.spooled.clone();
    let mut observation = Observation::None;
    let mut hop = 0usize;
    let mut signable = call.sign && url.origin() == inner.base.origin();
    loop {
        let signed = signable;
        let mut request_headers = headers.as_ref().clone();
        request_headers.remove(AUTHORIZATION);
        let mut send_url = Cow::Borrowed(&url);
        if signed {
            // Signed last: after serialisation, after any backoff sleep, right before sending.
            match &inner.auth {
                Auth::V1 { .. } => {
                    let signature = sign(
                        inner,
                        &method,
                        &url,
                        &request_headers,
                        &body,
                        spooled.as_ref(),
                    )?;
                    let mut value =
                        HeaderValue::from_str(&signature.authorization).map_err(|_| {
                            Error::invalid("the Authorization value is not a valid header")
                        })?;
                    value.set_sensitive(true);
                    request_headers.insert(AUTHORIZATION, value);
                    tracing::debug!(hop, nonce = %signature.nonce, timestamp = signature.timestamp, headers = ?Redacted(&request_headers), "sigwire: sending");
                }
                Auth::Profile(_) if spooled.is_some() => {
                    return Err(Error::invalid(
                        "a streamed body is signed by sigwire-v1 clients only",
                    ));
                }
                Auth::Profile(scheme) => {
                    let ins =
                        sign_profile(&**scheme, inner, &method, &url, &request_headers, &body)?;
                    send_url = Cow::Owned(apply_profile(&ins, &url, &mut request_headers)?);
                    tracing::debug!(hop, profile = scheme.name(), headers = ?Redacted(&request_headers), "sigwire: sending");
                }
            }
        } else {
            tracing::debug!(hop, url = %log_url(&url), headers = ?Redacted(&request_headers), "sigwire: sending unsigned");
        }
        let sent = rt::wall_seconds();
        let mut builder = inner
            .http
            .request(method.clone(), send_url.into_owned())
            .headers(request_headers);
        // No `Content-Length: 0` on bodiless GET-like requests; other methods always send a body.
        if let Some(file) = &spooled {
            // Streamed from the file, from its first byte, on every attempt and hop.
            builder = builder
                .header(CONTENT_LENGTH, file.len())
                .body(file.to_request_body()?);
        } else if !body.is_empty()
            || !matches!(
                method,
                Method::GET | Method::HEAD | Method::OPTIONS | Method::DELETE | Method::TRACE
            )
        {
            builder = builder.body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport_error(&e, attempt))?;
        let received = rt::wall_seconds();
        let status = response.status();
        tracing::debug!(hop, status = status.as_u16(), "sigwire: response");
        if signed && inner.skew.enabled {
            if let Some((server, source)) = skew::server_time(response.headers()) {
                let measured = skew::measure(server, sent, received);
                observation =
                    skew::observe(&inner.clock, measured, inner.skew.threshold, inner.skew.max);
                match observation {
                    Observation::Applied { from, to } => {
                        tracing::info!(
                            from,
                            to,
                            ?source,
                            "sigwire: clock offset to the server updated"
                        );
                    }
                    Observation::TooLarge(offset) => {
                        tracing::warn!(
                            offset,
                            max = inner.skew.max,
                            "sigwire: clock skew too large to correct"
                        );
                    }
                    _ => {}
                }
            }
        }

        if is_redirect(status) && inner.max_redirects > 0 {
            if let Some(location) = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
            {
                if hop >= inner.max_redirects {
                    return Err(Error::TooManyRedirects {
                        limit: inner.max_redirects,
                    });
                }
                let next = url
                    .join(location)
                    .map_err(|e| Error::invalid(format!("redirect Location: {e}")))?;
                if !matches!(next.scheme(), "http" | "https") {
                    return Err(Error::invalid("redirect to a non-http(s) URL"));
                }
                let next_hop =
                    redirect::next_hop(status, &method, &url, &next, &inner.base, signable);
                if next_hop.drop_body {
                    body = Bytes::new();
                    spooled = None;
                    redirect::strip_body_headers(headers.to_mut());
                }
                if next_hop.drop_credentials {
                    redirect::strip_credentials(headers.to_mut(), &inner.sensitive_headers);
                }
                method = next_hop.method;
                signable = next_hop.signable;
                tracing::debug!(hop, status = status.as_u16(), to = %log_url(&next), signed = signable, "sigwire: redirect");
                url = next;
                hop += 1;
                continue;
            }
        }

        let response_headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| transport_error(&e, attempt))?;
        return Ok(Outcome {
            response: Response {
                status,
                headers: response_headers,
                body: bytes,
                url,
                attempts: attempt,
            },
            observation,
        });
    }
}

fn is_redirect(status: StatusCode) -> bool {
    matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308)
}

fn sign(
    inner: &Inner,
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: &Bytes,
    spooled: Option<&Spooled>,
) -> Result<Signature, Error> {
    // Header values as text: non-UTF-8 becomes U+FFFD, which the core refuses in a signed
    // header and ignores in the others.
    let lines: Vec<(&str, Cow<'_, str>)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v.as_bytes())))
        .collect();
    let request = sigwire_core::Request::new(method.as_str(), url.as_str())
        .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())))
        .body(body);
    let Auth::V1 {
        signer,
        signer_idempotent,
    } = &inner.auth
    else {
        return Err(Error::invalid("not a sigwire-v1 client"));
    };
    let signer = if headers.contains_key(IDEMPOTENCY_KEY) {
        signer_idempotent
    } else {
        signer
    };
    let signed = match spooled {
        Some(file) => signer.sign_body(
            &request,
            file.digest().signable(),
            &sigwire_core::SignOptions::default(),
        ),
        None => signer.sign(&request),
    };
    signed.map_err(|e| {
        crate::no_echo::header_names(e, &inner.signed_headers, crate::client::SIGNED_HEADERS).into()
    })
}

/// Signs one hop with a profile (the request's headers and exact body bytes, the corrected clock).
fn sign_profile(
    scheme: &dyn DynScheme,
    inner: &Inner,
    method: &Method,
    url: &Url,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<SigningInstructions, Error> {
    let lines: Vec<(&str, Cow<'_, str>)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), String::from_utf8_lossy(v.as_bytes())))
        .collect();
    let request = sigwire_core::Request::new(method.as_str(), url.as_str())
        .headers(lines.iter().map(|(n, v)| (*n, v.as_ref())))
        .body(body);
    Ok(scheme.sign_now(&request, body, &*inner.clock)?)
}

/// Applies a profile's instructions: headers set (sensitive ones marked so), query parameters
/// appended. Returns the URL to send, which is exactly the URL signed plus the parameters.
fn apply_profile(
    ins: &SigningInstructions,
    url: &Url,
    headers: &mut HeaderMap,
) -> Result<Url, Error> {
    for p in ins.headers() {
        let name = HeaderName::from_bytes(p.name().as_bytes())
            .map_err(|_| Error::invalid("a profile produced an invalid header name"))?;
        let mut value = HeaderValue::from_str(p.value())
            .map_err(|_| Error::invalid("a profile produced an invalid header value"))?;
        value.set_sensitive(p.sensitive());
        headers.insert(name, value);
    }
    if ins.query_params().is_empty() {
        return Ok(url.clone());
    }
    Url::parse(&ins.apply_to_url(url.as_str()))
        .map_err(|e| Error::invalid(format!("signed URL: {e}")))
}

fn transport_error(e: &reqwest::Error, attempts: u32) -> Error {
    let message = describe(e);
    #[cfg(not(target_arch = "wasm32"))]
    if e.is_connect() {
        return if e.is_timeout() {
            Error::Timeout {
                kind: TimeoutKind::Connect,
                attempts,
            }
        } else {
            Error::Connect { message, attempts }
        };
    }
    if e.is_timeout() {
        return Error::Timeout {
            kind: TimeoutKind::Attempt,
            attempts,
        };
    }
    if e.is_builder() {
        return Error::invalid(message);
    }
    Error::Transport { message, attempts }
}

/// The URL for logs: origin and path, no query (which may hold something sensitive).
fn log_url(url: &Url) -> String {
    format!("{}{}", url.origin().ascii_serialization(), url.path())
}

/// Headers for logs, with credentials replaced by `[redacted]`.
struct Redacted<'a>(&'a HeaderMap);

/// Header names whose values never reach a log.
const SENSITIVE: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

impl std::fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut map = f.debug_map();
        for (name, value) in self.0 {
            if SENSITIVE.contains(&name.as_str()) || value.is_sensitive() {
                map.entry(&name.as_str(), &"[redacted]");
            } else {
                map.entry(&name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
            }
        }
        map.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        let mut h = HeaderMap::new();
        h.insert(
            AUTHORIZATION,
            HeaderValue::from_static("HMAC apiKey=\"k\", signature=\"abc\""),
        );
        h.insert("x-other", HeaderValue::from_static("visible"));
        let mut secret = HeaderValue::from_static("hidden-token");
        secret.set_sensitive(true);
        h.insert("x-token", secret);
        let s = format!("{:?}", Redacted(&h));
        assert!(s.contains("visible") && s.contains("[redacted]"), "{s}");
        assert!(
            !s.contains("signature") && !s.contains("hidden-token"),
            "{s}"
        );
    }

    #[test]
    fn log_url_has_no_query() {
        let u = Url::parse("https://h.test:8443/a/b?token=secret").unwrap();
        assert_eq!(log_url(&u), "https://h.test:8443/a/b");
    }
}
