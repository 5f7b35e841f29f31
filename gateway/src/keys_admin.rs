//! The operations behind `sigwire-gateway keys create|rotate|revoke|list`, on a keys file or on
//! Redis. New secrets are returned to the caller (printed once by the CLI) and never logged.

use std::path::PathBuf;
use std::sync::Arc;

use crate::key_sources::{load_redis, read_file, store_redis, write_file};
use crate::keys::{generate_secret, validate, KeyRecord};
use crate::redis_conn::RedisConn;

/// Where the keys being managed live.
#[derive(Debug, Clone)]
pub enum KeyTarget {
    /// A keys file (TOML), rewritten atomically.
    File(PathBuf),
    /// Redis (`<ns>:keys`), seen by every gateway within `keys.reload_ms`.
    Redis(Arc<RedisConn>),
}

/// One key id as `keys list` shows it (no secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySummary {
    /// The key id.
    pub id: String,
    /// Its tier, if any.
    pub tier: Option<String>,
    /// `not_after` of each secret, newest first (`None`: no end).
    pub not_after: Vec<Option<u64>>,
}

fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl KeyTarget {
    async fn records(&self, id: &str) -> Result<Vec<KeyRecord>, String> {
        Ok(self
            .all()
            .await?
            .into_iter()
            .filter(|r| r.id == id)
            .collect())
    }

    async fn all(&self) -> Result<Vec<KeyRecord>, String> {
        match self {
            KeyTarget::File(path) if !path.exists() => Ok(Vec::new()),
            KeyTarget::File(path) => read_file(path),
            KeyTarget::Redis(conn) => load_redis(conn)
                .await
                .map(|(_, r)| r)
                .map_err(|e| e.to_string()),
        }
    }

    async fn store(&self, id: &str, records: Vec<KeyRecord>) -> Result<(), String> {
        validate(&records)?;
        match self {
            KeyTarget::File(path) => {
                let mut all: Vec<KeyRecord> = if path.exists() {
                    read_file(path)?
                        .into_iter()
                        .filter(|r| r.id != id)
                        .collect()
                } else {
                    Vec::new()
                };
                all.extend(records);
                write_file(path, &all)
            }
            KeyTarget::Redis(conn) => store_redis(conn, id, &records)
                .await
                .map_err(|e| e.to_string()),
        }
    }

    /// Creates `id` with a new secret; fails if it exists. Returns the secret.
    pub async fn create(
        &self,
        id: &str,
        tier: Option<String>,
        not_after: Option<u64>,
    ) -> Result<String, String> {
        if !self.records(id).await?.is_empty() {
            return Err(format!("key id `{id}` already exists; use `keys rotate`"));
        }
        let secret = generate_secret()?;
        let record = KeyRecord {
            id: id.to_owned(),
            secret: secret.clone(),
            not_after,
            tier,
            created_at: Some(now_unix()),
        };
        self.store(id, vec![record]).await?;
        Ok(secret)
    }

    /// Adds a new secret to `id` and retires the others `grace` seconds from now. Returns the secret.
    pub async fn rotate(&self, id: &str, grace: u64) -> Result<String, String> {
        let mut records = self.records(id).await?;
        if records.is_empty() {
            return Err(format!("key id `{id}` does not exist; use `keys create`"));
        }
        let retire = now_unix().saturating_add(grace);
        for r in &mut records {
            r.not_after = Some(r.not_after.map_or(retire, |t| t.min(retire)));
        }
        // Secrets already retired are dropped for good.
        let now = now_unix();
        records.retain(|r| r.not_after.map_or(true, |t| t >= now));
        let secret = generate_secret()?;
        let tier = records.iter().find_map(|r| r.tier.clone());
        records.insert(
            0,
            KeyRecord {
                id: id.to_owned(),
                secret: secret.clone(),
                not_after: None,
                tier,
                created_at: Some(now),
            },
        );
        self.store(id, records).await?;
        Ok(secret)
    }

    /// Removes `id` and all its secrets at once. Returns how many secrets it had.
    pub async fn revoke(&self, id: &str) -> Result<usize, String> {
        let n = self.records(id).await?.len();
        if n == 0 {
            return Err(format!("key id `{id}` does not exist"));
        }
        self.store(id, Vec::new()).await?;
        Ok(n)
    }

    /// Every key id with its tier and the `not_after` of each secret.
    pub async fn list(&self) -> Result<Vec<KeySummary>, String> {
        let mut out: Vec<KeySummary> = Vec::new();
        for r in self.all().await? {
            match out.iter_mut().find(|s| s.id == r.id) {
                Some(s) => {
                    s.not_after.push(r.not_after);
                    if s.tier.is_none() {
                        s.tier = r.tier;
                    }
                }
                None => out.push(KeySummary {
                    id: r.id,
                    tier: r.tier,
                    not_after: vec![r.not_after],
                }),
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn file_create_rotate_revoke_list() {
        let dir = tempfile::tempdir().unwrap();
        let target = KeyTarget::File(dir.path().join("keys.toml"));
        let s1 = target
            .create("client-1", Some("gold".into()), None)
            .await
            .unwrap();
        assert!(target.create("client-1", None, None).await.is_err());
        let s2 = target.rotate("client-1", 60).await.unwrap();
        assert_ne!(s1, s2);
        let list = target.list().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].tier.as_deref(), Some("gold"));
        assert_eq!(list[0].not_after.len(), 2);
        assert!(list[0].not_after[0].is_none() && list[0].not_after[1].is_some());
        assert!(!format!("{list:?}").contains(&s1));
        assert_eq!(target.revoke("client-1").await.unwrap(), 2);
        assert!(target.list().await.unwrap().is_empty());
        assert!(target.revoke("client-1").await.is_err());
        assert!(target.create("bad id", None, None).await.is_err());
    }
}
