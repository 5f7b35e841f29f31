//! Signing profiles on gateway routes (`routes[].profile = "aws-sigv4" | "rfc9421"`): the core's
//! verifier for the route's scheme, over the gateway's live keys, and what a verified request is
//! claimed by against replay.
//!
//! Neither profile carries a sigwire-v1 nonce, so the gateway claims a **replay id**: the SHA-256
//! (hex) of what makes the request unique — SigV4: its `Authorization` header, or its URL when
//! presigned; RFC 9421: its `nonce` parameter when present, else its `Signature` header — under
//! `<ns>:replay:<key id>:<replay id>` (docs/redis-layout.md §2, 64 hex characters, never a `:`),
//! until the last second the signature is acceptable (a presigned SigV4 URL: its own
//! `X-Amz-Date + X-Amz-Expires`, plus the window). A resent request is then `replayed_nonce` on
//! every instance, as for sigwire-v1.
//!
//! Keys: every secret of a key id live now is tried ([`ProfileKeySource`]), so a rotated key's old
//! secret keeps working until its `not_after` on profile routes too.

use std::collections::HashMap;
use std::sync::Arc;

use sha2::{Digest, Sha256};
use sigwire_core::profiles::aws_sigv4::{AwsCredentials, AwsSigV4Settings, AwsSigV4Verifier};
use sigwire_core::profiles::rfc9421::{Component, Rfc9421Key, Rfc9421Settings, Rfc9421Verifier};
use sigwire_core::profiles::{ProfileError, ProfileKeys};
use sigwire_core::Request;

use crate::admission::NonceClaim;
use crate::config::{Config, RouteProfile};
use crate::keys::LiveKeys;
use crate::verify::Authenticated;

/// The gateway's live keys as the profile verifiers read them: every secret of a key id whose
/// `not_after` is not past (read at each verification, so rotation and revocation apply at once).
#[derive(Debug, Clone)]
pub struct ProfileKeySource(Arc<LiveKeys>);

impl ProfileKeySource {
    /// `key` of each live secret of `key_id` (those it refuses are left out).
    fn live<K>(&self, key_id: &str, key: impl Fn(&[u8]) -> Option<K>) -> Vec<K> {
        self.0
            .live_secret_bytes(key_id, unix_now())
            .iter()
            .filter_map(|raw| key(raw))
            .collect()
    }
}

impl ProfileKeys<AwsCredentials> for ProfileKeySource {
    type Keys = Vec<AwsCredentials>;

    /// Each live secret as a secret access key (key records are UTF-8 strings; an access key id
    /// SigV4 cannot carry, e.g. with a `/`, has none).
    fn keys(&self, key_id: &str) -> Vec<AwsCredentials> {
        self.live(key_id, |raw| {
            AwsCredentials::new(key_id, std::str::from_utf8(raw).ok()?).ok()
        })
    }
}

impl ProfileKeys<Rfc9421Key> for ProfileKeySource {
    type Keys = Vec<Rfc9421Key>;

    /// Each live secret as an `hmac-sha256` key.
    fn keys(&self, key_id: &str) -> Vec<Rfc9421Key> {
        self.live(key_id, |raw| Rfc9421Key::new(key_id, raw.to_vec()).ok())
    }
}

/// A profile route's verifier.
pub enum ProfileCheck {
    /// AWS SigV4 for the route's region and service, clock skew = the gateway's `window`.
    AwsSigV4(AwsSigV4Verifier<ProfileKeySource>),
    /// RFC 9421 `hmac-sha256`, `created` at most `window` old or ahead.
    Rfc9421(Rfc9421Verifier<ProfileKeySource>),
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

/// The verifier of every profile route of `config`, by route prefix, over `keys`
/// ([`ProfileKeySource`]).
pub fn build(config: &Config, keys: &Arc<LiveKeys>) -> HashMap<String, ProfileCheck> {
    let source = ProfileKeySource(Arc::clone(keys));
    let mut out = HashMap::new();
    for route in &config.routes {
        let check = match &route.profile {
            RouteProfile::SigwireV1 => continue,
            RouteProfile::AwsSigV4 { region, service } => {
                let mut settings = AwsSigV4Settings::default();
                settings.max_clock_skew = config.window;
                ProfileCheck::AwsSigV4(
                    AwsSigV4Verifier::new(region.clone(), service.clone(), source.clone())
                        .with_settings(settings),
                )
            }
            RouteProfile::Rfc9421 { required } => {
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
                ProfileCheck::Rfc9421(Rfc9421Verifier::new(source.clone()).with_settings(settings))
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
                // Header-signed: accepted while |now − X-Amz-Date| ≤ window. Presigned: until
                // its own X-Amz-Date + X-Amz-Expires, plus the window for instances whose clocks
                // disagree (as much as a client's may).
                let (nonce, last) = match verified.expires_at {
                    Some(url_expires) => (
                        replay_id("aws-sigv4-url", url.as_bytes()),
                        url_expires.saturating_add(window),
                    ),
                    None => (
                        replay_id("aws-sigv4", &joined("authorization")),
                        verified.signed_at.saturating_add(window),
                    ),
                };
                Ok(Proof::Profile {
                    key_id: verified.access_key_id,
                    nonce,
                    timestamp: verified.signed_at,
                    expires_at: last,
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
