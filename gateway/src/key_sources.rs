//! Where keys come from (file, environment variable, Redis) and how changes reach the live set:
//! the file on SIGHUP or when its modification time changes, Redis when `<ns>:keys:version`
//! changes (checked every `keys.reload_ms`, 250 ms by default, so a revocation is seen by every
//! instance within about a quarter of a second). The version is a random token rather than a
//! counter, so a Redis that restarts empty (version gone) is noticed as a change too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::config::KeySources;
use crate::keys::{parse_env, validate, KeyRecord, KeysFile, LiveKeys};
use crate::redis_conn::{RedisConn, RedisFailure};

/// Loads keys from every configured source and keeps the live set up to date.
#[derive(Debug)]
pub struct KeyLoader {
    sources: KeySources,
    redis: Option<Arc<RedisConn>>,
    live: Arc<LiveKeys>,
}

/// What the loader remembers between checks.
#[derive(Debug, Default)]
struct Seen {
    file_modified: Option<SystemTime>,
    redis_version: Option<Option<String>>,
    env: Vec<KeyRecord>,
    file: Vec<KeyRecord>,
    redis: Vec<KeyRecord>,
}

impl KeyLoader {
    /// A loader filling `live`.
    pub fn new(sources: KeySources, redis: Option<Arc<RedisConn>>, live: Arc<LiveKeys>) -> Self {
        KeyLoader {
            sources,
            redis,
            live,
        }
    }

    /// Loads every source once. The file and the environment variable must be valid; Redis may be
    /// unreachable at start-up (its keys then arrive when it answers).
    pub async fn start(self) -> Result<(), String> {
        let mut seen = Seen::default();
        if let Some(var) = &self.sources.env {
            let text = std::env::var(var)
                .map_err(|_| format!("keys.env: environment variable {var} is not set"))?;
            seen.env = parse_env(&text)?;
        }
        if let Some(path) = &self.sources.file {
            seen.file = read_file(path)?;
            seen.file_modified = modified(path);
        }
        if self.sources.redis {
            if let Some(conn) = &self.redis {
                match load_redis(conn).await {
                    Ok((version, records)) => {
                        seen.redis = records;
                        seen.redis_version = Some(version);
                    }
                    Err(e) => log_event("keys_redis_unavailable", &e.to_string()),
                }
            }
        }
        self.apply(&seen)?;
        // Registered before `start` returns, so a SIGHUP never meets the default action (exit).
        let hangup = hangup_signal();
        tokio::spawn(self.watch(seen, hangup));
        Ok(())
    }

    fn apply(&self, seen: &Seen) -> Result<(), String> {
        let all: Vec<KeyRecord> = seen
            .env
            .iter()
            .chain(&seen.file)
            .chain(&seen.redis)
            .cloned()
            .collect();
        self.live.replace(&all)?;
        log_event("keys_loaded", &format!("{} key ids", self.live.len()));
        Ok(())
    }

    async fn watch(self, mut seen: Seen, mut hangup: Option<Hangup>) {
        let mut interval = tokio::time::interval(self.sources.reload_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let forced = match hangup.as_mut() {
                Some(h) => tokio::select! {
                    _ = interval.tick() => false,
                    () = wait_hangup(h) => true,
                },
                None => {
                    interval.tick().await;
                    false
                }
            };
            let mut changed = false;
            if let Some(path) = &self.sources.file {
                let m = modified(path);
                if forced || m != seen.file_modified {
                    match read_file(path) {
                        Ok(records) => {
                            seen.file = records;
                            seen.file_modified = m;
                            changed = true;
                        }
                        // A half-written or broken file keeps the previous keys.
                        Err(e) => log_event("keys_file_invalid", &e),
                    }
                }
            }
            if let (true, Some(conn)) = (self.sources.redis, &self.redis) {
                let key = conn.layout().keys_version();
                let version = conn
                    .run(|mut c| async move {
                        redis::cmd("GET")
                            .arg(key)
                            .query_async::<Option<String>>(&mut c)
                            .await
                    })
                    .await;
                if let Ok(version) = version {
                    if forced || seen.redis_version != Some(version) {
                        match load_redis(conn).await {
                            Ok((v, records)) => {
                                seen.redis = records;
                                seen.redis_version = Some(v);
                                changed = true;
                            }
                            Err(e) => log_event("keys_redis_invalid", &e.to_string()),
                        }
                    }
                }
            }
            if changed {
                if let Err(e) = self.apply(&seen) {
                    log_event("keys_invalid", &e);
                }
            }
        }
    }
}

#[cfg(unix)]
type Hangup = tokio::signal::unix::Signal;
#[cfg(unix)]
fn hangup_signal() -> Option<Hangup> {
    tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok()
}
#[cfg(unix)]
async fn wait_hangup(h: &mut Hangup) {
    h.recv().await;
}
#[cfg(not(unix))]
struct Hangup;
#[cfg(not(unix))]
fn hangup_signal() -> Option<Hangup> {
    None
}
#[cfg(not(unix))]
async fn wait_hangup(_: &mut Hangup) {
    std::future::pending::<()>().await;
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Reads and validates a keys file.
pub fn read_file(path: &Path) -> Result<Vec<KeyRecord>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("keys.file: cannot read {}: {e}", path.display()))?;
    KeysFile::parse(&text)
}

/// Writes a keys file atomically (temporary file, then rename), readable by its owner only.
pub fn write_file(path: &Path, records: &[KeyRecord]) -> Result<(), String> {
    validate(records)?;
    let text = toml::to_string(&KeysFile {
        keys: records.to_vec(),
    })
    .map_err(|e| e.to_string())?;
    let tmp: PathBuf = path.with_extension("tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600));
    }
    std::fs::rename(&tmp, path).map_err(|e| format!("cannot replace {}: {e}", path.display()))
}

/// Reads `<ns>:keys:version` and every record of `<ns>:keys`.
pub async fn load_redis(
    conn: &RedisConn,
) -> Result<(Option<String>, Vec<KeyRecord>), RedisFailure> {
    let (vkey, hkey) = (conn.layout().keys_version(), conn.layout().keys());
    let (version, hash): (Option<String>, BTreeMap<String, String>) = conn
        .run(|mut c| async move {
            redis::pipe()
                .atomic()
                .get(vkey)
                .hgetall(hkey)
                .query_async(&mut c)
                .await
        })
        .await?;
    let mut records = Vec::new();
    for (id, json) in hash {
        match serde_json::from_str::<Vec<KeyRecord>>(&json) {
            Ok(list) if list.iter().all(|r| r.id == id) && validate(&list).is_ok() => {
                records.extend(list)
            }
            _ => log_event(
                "keys_redis_record_invalid",
                &format!("key id `{id}` skipped"),
            ),
        }
    }
    Ok((version, records))
}

/// Replaces the records of one key id in Redis (none: the key id is removed) and sets a new random
/// version token, in one transaction.
pub async fn store_redis(
    conn: &RedisConn,
    key_id: &str,
    records: &[KeyRecord],
) -> Result<(), RedisFailure> {
    let (vkey, hkey) = (conn.layout().keys_version(), conn.layout().keys());
    let id = key_id.to_owned();
    let json = serde_json::to_string(records).unwrap_or_else(|_| "[]".to_owned());
    let empty = records.is_empty();
    let mut token = [0u8; 8];
    getrandom::fill(&mut token).map_err(|e| {
        RedisFailure::Redis(redis::RedisError::from((
            redis::ErrorKind::ClientError,
            "no randomness",
            e.to_string(),
        )))
    })?;
    let token: String = token.iter().map(|b| format!("{b:02x}")).collect();
    conn.run(|mut c| async move {
        let mut pipe = redis::pipe();
        pipe.atomic();
        if empty {
            pipe.hdel(&hkey, &id).ignore();
        } else {
            pipe.hset(&hkey, &id, json).ignore();
        }
        pipe.set(&vkey, token).ignore();
        pipe.query_async::<()>(&mut c).await
    })
    .await
}

/// Writes one structured event line (key loading, not per-request) to standard error.
pub fn log_event(event: &str, detail: &str) {
    let line = serde_json::json!({ "event": event, "detail": detail });
    eprintln!("{line}");
}
