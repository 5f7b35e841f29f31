//! Keys: records as written in a keys file, an environment variable or Redis, and the live set the
//! verifier reads, swapped whole on every reload so a revoked key disappears at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use sigwire_core::{Error, ErrorCode, InMemoryKeyStore, KeyId, KeyStore, Secret};
use zeroize::Zeroizing;

/// One secret of a key id, as stored. The secret is a string whose UTF-8 bytes are the HMAC key
/// (clients pass the same string to their signer).
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct KeyRecord {
    /// The key id (`apiKey` in the Authorization header).
    pub id: String,
    /// The secret; never printed by `Debug`.
    pub secret: String,
    /// Last second (Unix, inclusive) at which this secret is accepted; absent: no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<u64>,
    /// Rate-limit tier of the key id (see `rate_limits.tiers`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// When the secret was created (Unix seconds), for `keys list`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<u64>,
}

impl std::fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRecord")
            .field("id", &self.id)
            .field("not_after", &self.not_after)
            .field("tier", &self.tier)
            .finish_non_exhaustive()
    }
}

/// The keys file: `[[keys]]` tables of [`KeyRecord`]s.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysFile {
    /// The records; a key id may appear several times (one line per live secret).
    #[serde(default)]
    pub keys: Vec<KeyRecord>,
}

impl KeysFile {
    /// Parses the TOML text of a keys file; errors name the record, never the secret.
    pub fn parse(text: &str) -> Result<Vec<KeyRecord>, String> {
        let file: KeysFile =
            toml::from_str(text).map_err(|e| format!("keys file: {}", e.message()))?;
        validate(&file.keys)?;
        Ok(file.keys)
    }
}

/// Parses the JSON array held by the keys environment variable.
pub fn parse_env(text: &str) -> Result<Vec<KeyRecord>, String> {
    let records: Vec<KeyRecord> = serde_json::from_str(text)
        .map_err(|e| format!("keys variable: not a JSON array of key records ({e})"))?;
    validate(&records)?;
    Ok(records)
}

/// Checks each record's key id and secret length (SPEC §1), naming the record by index and id.
pub fn validate(records: &[KeyRecord]) -> Result<(), String> {
    for (i, r) in records.iter().enumerate() {
        if let Err(e) = KeyId::new(r.id.clone()) {
            return Err(format!("keys[{i}].id: {}", e.message()));
        }
        if let Err(e) = Secret::new(r.secret.as_bytes().to_vec()) {
            return Err(format!(
                "keys[{i}].secret (key id `{}`): {}",
                r.id,
                e.message()
            ));
        }
    }
    Ok(())
}

/// A new random secret: 32 bytes from the OS, base64url without padding (43 characters).
pub fn generate_secret() -> Result<String, String> {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("the OS random generator failed: {e}"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// A secret's bytes, zeroed on drop.
type RawSecret = Arc<Zeroizing<Vec<u8>>>;

/// One key set as loaded: the core's store, which the sigwire-v1 verifier reads, and what the
/// signing profiles and the rate limits need besides.
#[derive(Default)]
struct KeySet {
    /// Every key id's secrets for the core verifier (the last listed first, as the newest).
    store: InMemoryKeyStore,
    /// Per key id: the profiles' key material and the rate-limit tier.
    extra: HashMap<String, Extra>,
}

/// What a key id needs beside the core's store.
#[derive(Default)]
struct Extra {
    /// Each secret's bytes in the order listed, with its `not_after` (Unix seconds, inclusive;
    /// `None`: forever), for the signing profiles' verifiers, which take key material of their
    /// own.
    raw: Vec<(RawSecret, Option<u64>)>,
    tier: Option<String>,
}

/// The key set in use: a [`KeyStore`] for the verifier, replaced whole by [`LiveKeys::replace`].
#[derive(Default)]
pub struct LiveKeys {
    current: RwLock<Arc<KeySet>>,
}

impl std::fmt::Debug for LiveKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveKeys")
            .field("key_ids", &self.len())
            .finish_non_exhaustive()
    }
}

impl LiveKeys {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the whole set with `records` (records are validated first; on error the current
    /// set stays).
    pub fn replace(&self, records: &[KeyRecord]) -> Result<(), String> {
        validate(records)?;
        let mut set = KeySet::default();
        for r in records {
            set.store
                .insert(&r.id, r.secret.as_bytes(), r.not_after)
                .map_err(|e| e.message().to_owned())?;
            let extra = set.extra.entry(r.id.clone()).or_default();
            let raw = Arc::new(Zeroizing::new(r.secret.as_bytes().to_vec()));
            extra.raw.push((raw, r.not_after));
            if r.tier.is_some() {
                extra.tier.clone_from(&r.tier);
            }
        }
        let mut current = self
            .current
            .write()
            .map_err(|_| "key set lock poisoned".to_owned())?;
        *current = Arc::new(set);
        Ok(())
    }

    /// Number of key ids.
    pub fn len(&self) -> usize {
        self.current.read().map(|s| s.extra.len()).unwrap_or(0)
    }

    /// Whether no key id is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rate-limit tier of `key_id`, if its records name one.
    pub fn tier(&self, key_id: &str) -> Option<String> {
        self.current.read().ok()?.extra.get(key_id)?.tier.clone()
    }

    /// The bytes of every secret of `key_id` live at `now`, in the order listed, for a signing
    /// profile's verifier, which tries each of them (as the core verifier does for sigwire-v1).
    pub fn live_secret_bytes(&self, key_id: &str, now: u64) -> Vec<RawSecret> {
        let Ok(set) = self.current.read() else {
            return Vec::new();
        };
        set.extra.get(key_id).map_or_else(Vec::new, |e| {
            e.raw
                .iter()
                .filter(|(_, not_after)| not_after.map_or(true, |t| now <= t))
                .map(|(raw, _)| Arc::clone(raw))
                .collect()
        })
    }

    /// The set in use, read-locked.
    fn read(&self) -> Result<std::sync::RwLockReadGuard<'_, Arc<KeySet>>, Error> {
        self.current
            .read()
            .map_err(|_| Error::new(ErrorCode::InvalidConfig, "key set lock poisoned"))
    }
}

/// The core's store of the set in use answers, under the set's read lock.
impl KeyStore for LiveKeys {
    fn active_secrets(&self, key_id: &str, now: u64) -> Result<Vec<Arc<Secret>>, Error> {
        self.read()?.store.active_secrets(key_id, now)
    }

    fn with_active_secrets(
        &self,
        key_id: &str,
        now: u64,
        visit: &mut dyn FnMut(&[Arc<Secret>]),
    ) -> Result<(), Error> {
        self.read()?.store.with_active_secrets(key_id, now, visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, secret: &str, not_after: Option<u64>) -> KeyRecord {
        KeyRecord {
            id: id.into(),
            secret: secret.into(),
            not_after,
            tier: None,
            created_at: None,
        }
    }

    #[test]
    fn several_secrets_per_key_with_not_after() {
        let keys = LiveKeys::new();
        keys.replace(&[
            rec("k", "0123456789abcdef-old", Some(100)),
            rec("k", "0123456789abcdef-new", None),
        ])
        .unwrap();
        assert_eq!(keys.active_secrets("k", 100).unwrap().len(), 2);
        assert_eq!(keys.active_secrets("k", 101).unwrap().len(), 1);
        keys.replace(&[]).unwrap();
        assert!(
            keys.active_secrets("k", 0).unwrap().is_empty(),
            "revoked by replacement"
        );
    }

    /// What the verifier is lent is what `active_secrets` lists, at every instant around each
    /// secret's `not_after`, and for unknown key ids.
    #[test]
    fn lent_secrets_match_the_listed_ones() {
        let keys = LiveKeys::new();
        keys.replace(&[
            rec("k", "0123456789abcdef-old", Some(100)),
            rec("k", "0123456789abcdef-new", None),
            rec("k", "0123456789abcdef-mid", Some(200)),
            rec("j", "0123456789abcdef-only", Some(50)),
        ])
        .unwrap();
        // The same secrets, as objects (their bytes are not readable outside the core).
        let ids =
            |list: &[Arc<Secret>]| -> Vec<*const Secret> { list.iter().map(Arc::as_ptr).collect() };
        for key_id in ["k", "j", "unknown"] {
            for now in [0, 49, 50, 51, 99, 100, 101, 199, 200, 201, u64::MAX] {
                let listed = ids(&keys.active_secrets(key_id, now).unwrap());
                let mut lent = None;
                keys.with_active_secrets(key_id, now, &mut |s| lent = Some(ids(s)))
                    .unwrap();
                assert_eq!(lent, Some(listed), "{key_id} at {now}");
            }
        }
        assert_eq!(keys.active_secrets("k", 150).unwrap().len(), 2);
        assert_eq!(keys.live_secret_bytes("k", 150).len(), 2);
    }

    #[test]
    fn bad_records_leave_the_set_unchanged_and_never_echo_the_secret() {
        let keys = LiveKeys::new();
        keys.replace(&[rec("k", "0123456789abcdef", None)]).unwrap();
        let e = keys.replace(&[rec("k", "short-secret", None)]).unwrap_err();
        assert!(
            e.contains("keys[0].secret") && !e.contains("short-secret"),
            "{e}"
        );
        let e = keys
            .replace(&[rec("bad id", "0123456789abcdef", None)])
            .unwrap_err();
        assert!(e.contains("keys[0].id"), "{e}");
        assert_eq!(keys.len(), 1);
        assert!(!format!("{:?}", rec("k", "0123456789abcdef", None)).contains("0123456789abcdef"));
    }

    #[test]
    fn file_and_env_formats() {
        let file =
            "[[keys]]\nid = \"a\"\nsecret = \"0123456789abcdef\"\ntier = \"gold\"\nnot_after = 5\n";
        let r = KeysFile::parse(file).unwrap();
        assert_eq!(
            (r[0].tier.as_deref(), r[0].not_after),
            (Some("gold"), Some(5))
        );
        let r = parse_env(r#"[{"id":"b","secret":"0123456789abcdef"}]"#).unwrap();
        assert_eq!(r[0].id, "b");
        assert!(parse_env("b:secret").is_err());
        assert!(KeysFile::parse("[[keys]]\nid = \"a\"\n").is_err());
    }

    #[test]
    fn generated_secrets_are_long_and_distinct() {
        let a = generate_secret().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(a, generate_secret().unwrap());
    }
}
