//! Keys: records as written in a keys file, an environment variable or Redis, and the live set the
//! verifier reads, swapped whole on every reload so a revoked key disappears at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use sigwire_core::{Error, ErrorCode, KeyId, KeyStore, Secret};
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

/// One key id's secrets in the order listed, as three parallel lists, so the usual case — every
/// secret live — is lent to the verifier as the slice itself.
#[derive(Default)]
struct Entry {
    /// The core's secrets.
    secrets: Vec<Arc<Secret>>,
    /// Until when each secret is live (Unix seconds, inclusive; `None`: forever).
    not_after: Vec<Option<u64>>,
    /// Each secret's bytes, for the signing profiles' verifiers (which take key material of
    /// their own; zeroed on drop).
    raw: Vec<RawSecret>,
    tier: Option<String>,
}

impl Entry {
    /// Whether the secret at `i` is live at `now`.
    fn is_live(&self, i: usize, now: u64) -> bool {
        self.not_after[i].map_or(true, |t| now <= t)
    }

    /// The indexes of the secrets live at `now`, in the order listed.
    fn live_indexes(&self, now: u64) -> impl Iterator<Item = usize> + '_ {
        (0..self.secrets.len()).filter(move |&i| self.is_live(i, now))
    }
}

/// A secret's bytes, zeroed on drop.
type RawSecret = Arc<Zeroizing<Vec<u8>>>;

/// The key set in use: a [`KeyStore`] for the verifier, replaced whole by [`LiveKeys::replace`].
#[derive(Default)]
pub struct LiveKeys {
    current: RwLock<Arc<HashMap<String, Entry>>>,
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
        let mut map: HashMap<String, Entry> = HashMap::new();
        for r in records {
            let secret =
                Secret::new(r.secret.as_bytes().to_vec()).map_err(|e| e.message().to_owned())?;
            let entry = map.entry(r.id.clone()).or_default();
            let raw = Arc::new(Zeroizing::new(r.secret.as_bytes().to_vec()));
            entry.secrets.push(Arc::new(secret));
            entry.not_after.push(r.not_after);
            entry.raw.push(raw);
            if r.tier.is_some() {
                entry.tier.clone_from(&r.tier);
            }
        }
        let mut current = self
            .current
            .write()
            .map_err(|_| "key set lock poisoned".to_owned())?;
        *current = Arc::new(map);
        Ok(())
    }

    /// Number of key ids.
    pub fn len(&self) -> usize {
        self.current.read().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether no key id is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rate-limit tier of `key_id`, if its records name one.
    pub fn tier(&self, key_id: &str) -> Option<String> {
        self.snapshot()
            .ok()?
            .get(key_id)
            .and_then(|e| e.tier.clone())
    }

    /// The bytes of every secret of `key_id` live at `now`, in the order listed, for a signing
    /// profile's verifier, which tries each of them (as the core verifier does for sigwire-v1).
    pub fn live_secret_bytes(&self, key_id: &str, now: u64) -> Vec<RawSecret> {
        self.live(key_id, now, |e, i| Arc::clone(&e.raw[i]))
            .unwrap_or_default()
    }

    /// `pick` of each secret of `key_id` whose `not_after` is not past at `now`.
    fn live<T>(
        &self,
        key_id: &str,
        now: u64,
        pick: impl Fn(&Entry, usize) -> T,
    ) -> Result<Vec<T>, Error> {
        let map = self.snapshot()?;
        Ok(map
            .get(key_id)
            .map(|e| e.live_indexes(now).map(|i| pick(e, i)).collect())
            .unwrap_or_default())
    }

    fn snapshot(&self) -> Result<Arc<HashMap<String, Entry>>, Error> {
        self.current
            .read()
            .map(|m| Arc::clone(&m))
            .map_err(|_| poisoned())
    }
}

fn poisoned() -> Error {
    Error::new(ErrorCode::InvalidConfig, "key set lock poisoned")
}

impl KeyStore for LiveKeys {
    fn active_secrets(&self, key_id: &str, now: u64) -> Result<Vec<Arc<Secret>>, Error> {
        self.live(key_id, now, |e, i| Arc::clone(&e.secrets[i]))
    }

    /// What the verifier calls on every request: lends the key's secrets under the read lock —
    /// the list itself when all are live (no snapshot, list or reference count per request).
    fn with_active_secrets(
        &self,
        key_id: &str,
        now: u64,
        visit: &mut dyn FnMut(&[Arc<Secret>]),
    ) -> Result<(), Error> {
        let map = self.current.read().map_err(|_| poisoned())?;
        match map.get(key_id) {
            None => visit(&[]),
            Some(e) if e.live_indexes(now).count() == e.secrets.len() => visit(&e.secrets),
            Some(e) => {
                let live: Vec<Arc<Secret>> = e
                    .live_indexes(now)
                    .map(|i| Arc::clone(&e.secrets[i]))
                    .collect();
                visit(&live);
            }
        }
        Ok(())
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
