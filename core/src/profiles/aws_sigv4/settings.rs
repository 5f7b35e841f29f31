//! Every SigV4 knob in one `#[non_exhaustive]` struct with documented defaults.

/// Where the signature goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureLocation {
    /// `Authorization` and `X-Amz-Date` headers (the default).
    #[default]
    Headers,
    /// A presigned URL: `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
    /// `X-Amz-SignedHeaders`, `X-Amz-Signature` query parameters.
    QueryParams,
}

/// How the request path is percent-encoded into the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PercentEncodingMode {
    /// Every byte but unreserved characters and `/` is encoded, including `%` of escapes already
    /// in the path: the rule for every service but S3 (the default).
    #[default]
    Double,
    /// The path is used as sent ("URI-encoded once"): existing `%XX` escapes are kept exactly
    /// (`%2F` stays `%2F`), every other byte outside unreserved characters and `/` is encoded
    /// (space, `@`, non-ASCII, a `%` that starts no escape). The S3 rule.
    Single,
}

/// Whether `.`/`..` segments and repeated `/` are removed from the path before encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum UriPathNormalizationMode {
    /// Remove dot segments and empty segments (the default; every service but S3).
    #[default]
    Enabled,
    /// Sign the path exactly as sent (S3: object keys may contain `//` and `..`).
    Disabled,
}

/// Whether the session token is covered by the signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SessionTokenMode {
    /// The token header or query parameter is signed (the default).
    #[default]
    Include,
    /// The token is added after signing (some services, e.g. IoT presigned WebSocket URLs).
    Exclude,
}

/// Whether an `x-amz-content-sha256` header carrying the payload hash is added and signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum PayloadChecksumKind {
    /// No header (the default for services other than S3).
    #[default]
    NoHeader,
    /// Add and sign `x-amz-content-sha256` (S3 requires it on header-signed requests).
    XAmzSha256,
}

/// The payload hash signed for [`SignableBody::Unsigned`](crate::signing::SignableBody::Unsigned).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The header names never signed by default (they are changed by proxies or added later).
pub const DEFAULT_EXCLUDED_HEADERS: [&str; 4] =
    ["authorization", "user-agent", "x-amzn-trace-id", "expect"];

/// SigV4 settings. Build with `AwsSigV4Settings::default()` (generic services) or
/// [`AwsSigV4Settings::s3`], then change fields.
///
/// ```
/// use sigwire_core::profiles::aws_sigv4::{AwsSigV4Settings, SignatureLocation};
///
/// let mut presign = AwsSigV4Settings::s3();
/// presign.signature_location = SignatureLocation::QueryParams;
/// presign.expires_in = 900;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AwsSigV4Settings {
    /// Headers or presigned query parameters. Default: headers.
    pub signature_location: SignatureLocation,
    /// Lifetime of a presigned URL in seconds (`X-Amz-Expires`), 1 to 604 800. Default 3600.
    pub expires_in: u64,
    /// Path encoding. Default: double (generic services).
    pub percent_encoding_mode: PercentEncodingMode,
    /// Path normalisation. Default: enabled (generic services).
    pub uri_path_normalization_mode: UriPathNormalizationMode,
    /// Whether the session token is signed. Default: included.
    pub session_token_mode: SessionTokenMode,
    /// Whether `x-amz-content-sha256` is added. Default: no header.
    pub payload_checksum_kind: PayloadChecksumKind,
    /// Lowercase header names never signed. Default: [`DEFAULT_EXCLUDED_HEADERS`].
    pub excluded_headers: Vec<String>,
    /// Verification only: how far `X-Amz-Date` may be from the server's clock, in seconds.
    /// Default 900 (AWS's 15 minutes).
    pub max_clock_skew: u64,
}

impl Default for AwsSigV4Settings {
    fn default() -> Self {
        AwsSigV4Settings {
            signature_location: SignatureLocation::Headers,
            expires_in: 3600,
            percent_encoding_mode: PercentEncodingMode::Double,
            uri_path_normalization_mode: UriPathNormalizationMode::Enabled,
            session_token_mode: SessionTokenMode::Include,
            payload_checksum_kind: PayloadChecksumKind::NoHeader,
            excluded_headers: DEFAULT_EXCLUDED_HEADERS
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            max_clock_skew: 900,
        }
    }
}

impl AwsSigV4Settings {
    /// The S3 rules: single path encoding, no path normalisation, `x-amz-content-sha256` header.
    pub fn s3() -> Self {
        AwsSigV4Settings {
            percent_encoding_mode: PercentEncodingMode::Single,
            uri_path_normalization_mode: UriPathNormalizationMode::Disabled,
            payload_checksum_kind: PayloadChecksumKind::XAmzSha256,
            ..Self::default()
        }
    }
}
