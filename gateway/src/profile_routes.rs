//! Signing profiles on gateway routes (`routes[].profile = "aws-sigv4" | "rfc9421"`): the core's
//! verifier for the route's scheme, over the gateway's live keys, and what a verified request is
//! claimed by against replay.
//!
//! Neither profile carries a sigwire-v1 nonce, so the gateway claims a **replay id**: the SHA-256
//! (hex) of what makes the request unique — SigV4: its `Authorization` header, or its URL when
//! presigned; RFC 9421: its `nonce` parameter when present, else its `Signature` header — under
//! `<ns>:replay:<key id>:<replay id>` (docs/redis-layout.md §2, 64 hex characters, never a `:`),
//! until the last second the signature is acceptable. A resent request is then `replayed_nonce`
//! on every instance, as for sigwire-v1.

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4Settings, AwsSigV4Verifier};
use sigwire_core::profiles::rfc9421::{Component, Rfc9421Key, Rfc9421Settings, Rfc9421Verifier};
use sigwire_core::profiles::ProfileError;
use sigwire_core::Request;

use crate::admission::NonceClaim;
use crate::config::{Config, RouteProfile};
use crate::keys::LiveKeys;
use crate::verify::Authenticated;

/// The longest a presigned SigV4 URL may live (`X-Amz-Expires` ≤ 7 days): its replay id is kept
/// that long after signing.
const PRESIGNED_MAX_SECONDS: u64 = 604_800;

type AwsLookup = Box<dyn Fn(&str) -> Option<AwsCredentials> + Send + Sync>;
type RfcLookup = Box<dyn Fn(&str) -> Option<Rfc9421Key> + Send + Sync>;

/// A profile route's verifier.
pub enum ProfileCheck {
    /// AWS SigV4 for the route's region and service, clock skew = the gateway's `window`.
    AwsSigV4(AwsSigV4Verifier<AwsLookup>),
    /// RFC 9421 `hmac-sha256`, `created` at most `window` old or ahead.
    Rfc9421(Rfc9421Verifier<RfcLookup>),
}

impl std::fmt::Debug for ProfileCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProfileCheck::AwsSigV4(v) => v.fmt(f),
            ProfileCheck::Rfc9421(v) => v.fmt(f),
        }
    }
}

/// What a verified request is claimed by against replay.
#[derive(Debug)]
pub enum Proof {
    /// sigwire-v1: the core's ticket.
    Ticket(Authenticated),
    /// A profile: the replay id (see the module docs), when it was signed, and the last second
    /// its signature is acceptable.
    Profile {
        /// The verified key id (SigV4: the access key id).
        key_id: String,
        /// The replay id.
        nonce: String,
        /// Signing time (Unix seconds).
        timestamp: u64,
        /// Last acceptable second.
        expires_at: u64,
    },
}

impl Proof {
    /// The verified key id.
    pub fn key_id(&self) -> &str {
        match self {
            Proof::Ticket(a) => &a.ticket.key_id,
            Proof::Profile { key_id, .. } => key_id,
        }
    }

    /// Signing time (Unix seconds).
    pub fn timestamp(&self) -> u64 {
        match self {
            Proof::Ticket(a) => a.ticket.timestamp,
            Proof::Profile { timestamp, .. } => *timestamp,
        }
    }

    /// The Redis claim for this proof (docs/redis-layout.md §2).
    pub fn claim<'a>(&'a self, key_id: &'a str) -> NonceClaim<'a> {
        match self {
            Proof::Ticket(a) => NonceClaim {
                key_id,
                nonce: &a.nonce,
                timestamp: a.ticket.timestamp,
                expires_at: a.ticket.expires_at,
            },
            Proof::Profile {
                nonce,
                timestamp,
                expires_at,
                ..
            } => NonceClaim {
                key_id,
                nonce,
                timestamp: *timestamp,
                expires_at: *expires_at,
            },
        }
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn replay_id(kind: &str, material: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(kind.as_bytes());
    h.update(b"\n");
    h.update(material);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The verifier of every profile route of `config`, by route prefix. Keys: a key id's newest
/// live secret in `keys` (for SigV4 it must be UTF-8: it is the secret access key).
pub fn build(config: &Config, keys: &Arc<LiveKeys>) -> HashMap<String, ProfileCheck> {
    let mut out = HashMap::new();
    for route in &config.routes {
        let check = match &route.profile {
            RouteProfile::SigwireV1 => continue,
            RouteProfile::AwsSigV4 { region, service } => {
                let keys = Arc::clone(keys);
                let lookup: AwsLookup = Box::new(move |id: &str| {
                    let raw = keys.newest_secret(id, unix_now())?;
                    let secret = std::str::from_utf8(&raw).ok()?;
                    AwsCredentials::new(id, secret).ok()
                });
                let mut settings = AwsSigV4Settings::default();
                settings.max_clock_skew = config.window;
                ProfileCheck::AwsSigV4(
                    AwsSigV4Verifier::new(region.clone(), service.clone(), lookup)
                        .with_settings(settings),
                )
            }
            RouteProfile::Rfc9421 { required } => {
                let keys = Arc::clone(keys);
                let lookup: RfcLookup = Box::new(move |id: &str| {
                    let raw = keys.newest_secret(id, unix_now())?;
                    Rfc9421Key::new(id, raw.to_vec()).ok()
                });
                let mut settings = Rfc9421Settings::default();
                settings.max_age = config.window;
                settings.max_ahead = config.window;
                if let Some(ids) = required {
                    // Checked when the configuration was read.
                    settings.required_request_components = ids
                        .iter()
                        .filter_map(|id| Component::parse(id).ok())
                        .collect();
                }
                ProfileCheck::Rfc9421(Rfc9421Verifier::new(lookup).with_settings(settings))
            }
        };
        out.insert(route.prefix.clone(), check);
    }
    out
}

impl ProfileCheck {
    /// Verifies `request` (its body the exact bytes received) at `now`; `headers` and `url` are
    /// the same request's, for its replay id. `window`: the gateway's, in seconds.
    pub fn verify(
        &self,
        request: &Request<'_>,
        headers: &http::HeaderMap,
        url: &str,
        window: u64,
        now: u64,
    ) -> Result<Proof, ProfileError> {
        let joined = |name: &str| -> Vec<u8> {
            let mut out = Vec::new();
            for v in headers.get_all(name) {
                out.extend_from_slice(v.as_bytes());
                out.push(b'\n');
            }
            out
        };
        match self {
            ProfileCheck::AwsSigV4(v) => {
                let verified = v.verify(request, now)?;
                let (nonce, lasts) = if verified.presigned {
                    (
                        replay_id("aws-sigv4-url", url.as_bytes()),
                        PRESIGNED_MAX_SECONDS,
                    )
                } else {
                    (replay_id("aws-sigv4", &joined("authorization")), window)
                };
                Ok(Proof::Profile {
                    key_id: verified.access_key_id,
                    nonce,
                    timestamp: verified.signed_at,
                    expires_at: verified.signed_at.saturating_add(lasts),
                })
            }
            ProfileCheck::Rfc9421(v) => {
                let verified = v.verify_request(request, now)?;
                let nonce = match &verified.nonce {
                    Some(n) => replay_id("rfc9421-nonce", n.as_bytes()),
                    None => replay_id("rfc9421", &joined("signature")),
                };
                let expires_at = verified
                    .created
                    .saturating_add(window)
                    .max(verified.expires.unwrap_or(0));
                Ok(Proof::Profile {
                    key_id: verified.key_id,
                    nonce,
                    timestamp: verified.created,
                    expires_at,
                })
            }
        }
    }
}
