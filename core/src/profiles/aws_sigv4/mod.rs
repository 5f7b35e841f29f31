//! `aws-sigv4`: AWS Signature Version 4 (`AWS4-HMAC-SHA256`), header and presigned-URL signing,
//! with the generic-service and S3 path rules, and server-side verification.
//!
//! Stages are separate pure functions (canonical request → string to sign → signature), as in
//! smithy-rs `aws-sigv4`; both AWS test suites (legacy and aws-c-auth) check every stage.
//! Wire format and ambiguities: `docs/profiles/aws-sigv4.md`.

mod canonical;
mod credentials;
mod key_cache;
mod scheme;
mod settings;
mod sign;
mod signing_key;
mod verify;

pub use crate::signing::SignableBody;
pub use credentials::AwsCredentials;
pub use scheme::AwsSigV4Scheme;
pub use settings::{
    AwsSigV4Settings, PayloadChecksumKind, PercentEncodingMode, SessionTokenMode,
    SignatureLocation, UriPathNormalizationMode, DEFAULT_EXCLUDED_HEADERS, UNSIGNED_PAYLOAD,
};
pub use sign::{AwsSigV4, AwsSigningOutput, MAX_EXPIRES_IN};
pub use verify::{AwsSigV4Verifier, AwsVerified};
