//! A bounded cache of derived SigV4 signing keys.
//!
//! Deriving a signing key costs four HMAC-SHA-256 calls (date, region, service, `aws4_request`),
//! about as much as hashing a 1 KiB body; the key only changes when the date (UTC day), region,
//! service or secret does. Signers and verifiers keep the keys they derived here and reuse them.
//!
//! Each key is kept as the SHA-256 states of its two HMAC pads ([`SigningKey`]), so a signature
//! under a cached key skips the two pad compressions as well.
//!
//! An entry is keyed by the secret's identity (a keyed fingerprint of the secret, see
//! [`AwsCredentials`]), the date, the region and the service. The cache holds at most
//! `capacity` entries; the least recently used one is evicted, and every key is zeroized when it
//! is evicted or the cache is dropped. `Debug` prints only the sizes.

use std::sync::Mutex;

use zeroize::Zeroizing;

use super::canonical;
use super::credentials::AwsCredentials;
use super::signing_key::SigningKey;
use crate::profiles::crypto::ct_eq;

/// How many keys a signer keeps (today's, and yesterday's or tomorrow's around midnight UTC).
pub(crate) const SIGNER_CAPACITY: usize = 2;

/// How many keys a verifier keeps by default (several access keys, two days each).
pub(crate) const VERIFIER_CAPACITY: usize = 64;

struct Entry {
    fingerprint: Zeroizing<[u8; 32]>,
    date: [u8; 8],
    region: Box<str>,
    service: Box<str>,
    key: SigningKey,
    last_used: u64,
}

struct Entries {
    list: Vec<Entry>,
    clock: u64,
}

/// Derived SigV4 signing keys, bounded, least recently used evicted, zeroized on eviction/drop.
pub(crate) struct SigningKeyCache {
    capacity: usize,
    entries: Mutex<Entries>,
}

impl core::fmt::Debug for SigningKeyCache {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SigningKeyCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl SigningKeyCache {
    /// An empty cache holding at most `capacity` keys (0 disables caching).
    pub(crate) fn new(capacity: usize) -> Self {
        SigningKeyCache {
            capacity,
            entries: Mutex::new(Entries {
                list: Vec::with_capacity(capacity.min(64)),
                clock: 0,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave an entry half-written (entries are pushed
        // or replaced whole), so a poisoned lock is still consistent.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many keys are cached.
    pub(crate) fn len(&self) -> usize {
        self.lock().list.len()
    }

    /// The signing key of `credentials` for `date` (`YYYYMMDD`), `region` and `service`:
    /// the cached one, or a newly derived one (then cached).
    pub(crate) fn signing_key(
        &self,
        credentials: &AwsCredentials,
        date: &str,
        region: &str,
        service: &str,
    ) -> SigningKey {
        let derive = || {
            SigningKey::new(&canonical::signing_key(
                credentials.secret().as_bytes(),
                date,
                region,
                service,
            ))
        };
        let Ok(date_bytes) = <[u8; 8]>::try_from(date.as_bytes()) else {
            return derive();
        };
        if self.capacity == 0 {
            return derive();
        }
        let fingerprint = credentials.fingerprint();
        {
            let mut entries = self.lock();
            entries.clock += 1;
            let now = entries.clock;
            if let Some(e) = entries.list.iter_mut().find(|e| {
                e.date == date_bytes
                    && ct_eq(&*e.fingerprint, fingerprint)
                    && &*e.region == region
                    && &*e.service == service
            }) {
                e.last_used = now;
                return e.key.clone();
            }
        }
        // Derive outside the lock: other threads keep using the cache meanwhile.
        let key = derive();
        let mut entries = self.lock();
        entries.clock += 1;
        let entry = Entry {
            fingerprint: Zeroizing::new(*fingerprint),
            date: date_bytes,
            region: region.into(),
            service: service.into(),
            key: key.clone(),
            last_used: entries.clock,
        };
        if entries.list.len() < self.capacity {
            entries.list.push(entry);
        } else if let Some(oldest) = entries.list.iter_mut().min_by_key(|e| e.last_used) {
            // Dropping the replaced entry zeroizes its key and fingerprint.
            *oldest = entry;
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a key signs, to compare keys (a cached key keeps only its pad states).
    fn mac(key: SigningKey) -> [u8; 32] {
        key.mac(b"probe")
    }

    /// The MAC of a freshly derived key.
    fn fresh(secret: &[u8], date: &str, region: &str, service: &str) -> [u8; 32] {
        let key = canonical::signing_key(secret, date, region, service);
        crate::profiles::crypto::hmac_sha256(&*key, &[b"probe"])
    }

    fn creds(secret: &str) -> AwsCredentials {
        match AwsCredentials::new("AKID", secret) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn cached_key_equals_a_fresh_derivation() {
        let cache = SigningKeyCache::new(2);
        let c = creds("secret-one");
        let fresh = fresh(b"secret-one", "20240102", "eu-west-1", "s3");
        assert_eq!(
            mac(cache.signing_key(&c, "20240102", "eu-west-1", "s3")),
            fresh
        );
        assert_eq!(
            mac(cache.signing_key(&c, "20240102", "eu-west-1", "s3")),
            fresh
        );
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn every_part_of_the_key_matters() {
        let cache = SigningKeyCache::new(8);
        let a = creds("secret-one");
        let b = creds("secret-two");
        let base = mac(cache.signing_key(&a, "20240102", "eu-west-1", "s3"));
        // Another secret, date, region or service: another key.
        for (c, date, region, service) in [
            (&b, "20240102", "eu-west-1", "s3"),
            (&a, "20240103", "eu-west-1", "s3"),
            (&a, "20240102", "us-east-1", "s3"),
            (&a, "20240102", "eu-west-1", "sqs"),
        ] {
            assert_ne!(mac(cache.signing_key(c, date, region, service)), base);
        }
        assert_eq!(cache.len(), 5);
        // The same secret under the same access key id, built again, is the same identity.
        assert_eq!(
            mac(cache.signing_key(&creds("secret-one"), "20240102", "eu-west-1", "s3")),
            base
        );
        assert_eq!(cache.len(), 5);
    }

    #[test]
    fn bounded_and_evicts_the_least_recently_used() {
        let cache = SigningKeyCache::new(2);
        let c = creds("secret");
        cache.signing_key(&c, "20240101", "r", "s");
        cache.signing_key(&c, "20240102", "r", "s");
        cache.signing_key(&c, "20240101", "r", "s"); // 0101 is now the most recent
        cache.signing_key(&c, "20240103", "r", "s"); // evicts 0102
        assert_eq!(cache.len(), 2);
        let entries = cache.lock();
        let mut dates: Vec<&[u8]> = entries.list.iter().map(|e| &e.date[..]).collect();
        dates.sort();
        assert_eq!(dates, [&b"20240101"[..], &b"20240103"[..]]);
    }

    #[test]
    fn zero_capacity_and_odd_dates_still_derive() {
        let cache = SigningKeyCache::new(0);
        let c = creds("secret");
        let expected = fresh(b"secret", "20240102", "r", "s");
        assert_eq!(mac(cache.signing_key(&c, "20240102", "r", "s")), expected);
        assert_eq!(cache.len(), 0);
        let cache = SigningKeyCache::new(2);
        let odd = fresh(b"secret", "2024", "r", "s");
        assert_eq!(mac(cache.signing_key(&c, "2024", "r", "s")), odd);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn debug_shows_sizes_only() {
        let cache = SigningKeyCache::new(2);
        cache.signing_key(&creds("super-secret"), "20240102", "r", "s");
        let text = format!("{cache:?}");
        assert_eq!(text, "SigningKeyCache { capacity: 2, len: 1 }");
    }
}
