//! The checks every verifying layer makes on the request head before any signature work: which
//! authority the request is for (421 for one this service does not serve), the absolute URL as
//! received, and a declared body length over the limit (413); and the one failure response.

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, HOST};
use http::{Response, StatusCode};
use http_body_util::Full;
use sigwire_core::wire::{self, Audience, Rejection};

/// The head checks' settings, shared by [`crate::SigwireLayer`] and [`crate::ProfileLayer`].
#[derive(Debug, Clone)]
pub(crate) struct Front {
    pub(crate) body_limit: usize,
    scheme: Option<String>,
    authorities: Option<Vec<String>>,
    /// Accept only loopback hosts, any port (test servers on an ephemeral port).
    pub(crate) loopback_only: bool,
    /// The declared authorities, canonicalised for the scheme clients sign; `None` when no
    /// authority was declared (or one was invalid: then every request gets 500 `invalid_config`).
    audience: Option<Result<Audience, sigwire_core::Error>>,
}

impl Front {
    /// No declared scheme or authority, `body_limit` bytes at most.
    pub(crate) fn new(body_limit: usize) -> Self {
        Front {
            body_limit,
            scheme: None,
            authorities: None,
            loopback_only: false,
            audience: None,
        }
    }

    /// The scheme clients sign (lowercased).
    pub(crate) fn set_scheme(&mut self, scheme: &str) {
        self.scheme = Some(scheme.to_ascii_lowercase());
        self.refresh();
    }

    /// The authorities this service is reached at.
    pub(crate) fn set_authorities(&mut self, list: Vec<String>) {
        self.authorities = Some(list);
        self.refresh();
    }

    fn refresh(&mut self) {
        let scheme = self.scheme.as_deref().unwrap_or("http");
        self.audience = self
            .authorities
            .as_ref()
            .map(|list| Audience::new(list, scheme));
    }

    /// Checks the head and returns the absolute URL as received, or the rejection.
    pub(crate) fn admit(
        &self,
        parts: &http::request::Parts,
        now: u64,
    ) -> Result<String, Rejection> {
        // 1. Who the request is for: the URI authority (HTTP/2, absolute form) or the Host header.
        let uri_authority = parts.uri.authority().map(|a| a.as_str());
        let mut hosts = parts.headers.get_all(HOST).iter();
        let host_header = match (hosts.next(), hosts.next()) {
            (Some(h), None) => Some(h.to_str().map_err(|_| Rejection::invalid_request(now))?),
            (None, _) => None,
            (Some(_), Some(_)) => return Err(Rejection::invalid_request(now)),
        };
        let Some(authority) = uri_authority.or(host_header) else {
            return Err(Rejection::invalid_request(now));
        };
        if let Some(audience) = &self.audience {
            let audience = audience
                .as_ref()
                .map_err(|e| Rejection::from_error(e, now))?;
            if ![Some(authority), host_header]
                .into_iter()
                .flatten()
                .all(|a| audience.allows(a))
            {
                tracing::debug!(
                    authority,
                    "sigwire: request for an authority this service does not serve"
                );
                return Err(Rejection::misdirected(now));
            }
        }
        if self.loopback_only
            && ![Some(authority), host_header]
                .into_iter()
                .flatten()
                .all(is_loopback)
        {
            tracing::debug!(authority, "sigwire: request for a non-loopback authority");
            return Err(Rejection::misdirected(now));
        }
        let scheme = self
            .scheme
            .as_deref()
            .or_else(|| parts.uri.scheme_str())
            .unwrap_or("http");
        let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
        let url = wire::request_url(scheme, authority, path_and_query)
            .map_err(|e| Rejection::from_error(&e, now))?;

        // 2. A declared length over the limit: refused before reading.
        let lengths: Vec<&str> = parts
            .headers
            .get_all(CONTENT_LENGTH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if lengths.len() != parts.headers.get_all(CONTENT_LENGTH).iter().count() {
            return Err(Rejection::invalid_request(now));
        }
        wire::check_declared_length(lengths.iter().copied(), self.body_limit, now)?;
        Ok(url)
    }
}

/// Whether `authority` names this machine: `localhost`, an IPv4 loopback or `[::1]`, any port.
pub(crate) fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split_once(']').map_or("", |(inside, _)| inside),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

pub(crate) fn header_lines(headers: &http::HeaderMap) -> Vec<(&str, std::borrow::Cow<'_, str>)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str(), String::from_utf8_lossy(value.as_bytes())))
        .collect()
}

/// The layer's failure response, as [`wire::Rejection`] describes it.
pub(crate) fn reject(rejection: Rejection) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(rejection.body())));
    *response.status_mut() =
        StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let headers = response.headers_mut();
    for (name, value) in rejection.headers() {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(name, value);
        }
    }
    response
}
