//! Where a profile verifier finds the key material of a key id.

/// The keys a profile verifier tries for a key id: every key that may have signed *now*.
///
/// During a rotation a key id has several live secrets (the new one, and the old one until its
/// `not_after`); a verifier accepts a signature made with any of them, computing every candidate
/// and comparing each in constant time. An empty answer means the key id is unknown.
///
/// Any closure `Fn(&str) -> Option<K>` is a `ProfileKeys<K>` with at most one key per id, so
/// `AwsSigV4Verifier::new(.., |id: &str| ..)` and `Rfc9421Verifier::new(|id: &str| ..)` read as
/// before. A key source with rotation implements the trait itself:
///
/// ```
/// use std::collections::HashMap;
/// use sigwire_core::profiles::ProfileKeys;
/// use sigwire_core::profiles::rfc9421::Rfc9421Key;
///
/// /// Every live secret per key id, newest last.
/// struct Rotating(HashMap<String, Vec<Rfc9421Key>>);
///
/// impl ProfileKeys<Rfc9421Key> for Rotating {
///     type Keys = Vec<Rfc9421Key>;
///     fn keys(&self, key_id: &str) -> Vec<Rfc9421Key> {
///         self.0.get(key_id).cloned().unwrap_or_default()
///     }
/// }
/// ```
pub trait ProfileKeys<K> {
    /// What [`keys`](Self::keys) returns.
    type Keys: IntoIterator<Item = K>;

    /// Every key of `key_id` that may have signed now (none: unknown key id).
    fn keys(&self, key_id: &str) -> Self::Keys;
}

impl<K, F> ProfileKeys<K> for F
where
    F: Fn(&str) -> Option<K>,
{
    type Keys = Option<K>;

    fn keys(&self, key_id: &str) -> Option<K> {
        self(key_id)
    }
}

#[cfg(test)]
mod tests {
    use super::ProfileKeys;
    use crate::profiles::rfc9421::{Rfc9421, Rfc9421Key, Rfc9421Verifier, SignatureInputs};
    use crate::profiles::ProfileErrorCode;
    use crate::Request;

    /// A key id's live keys, as a key source with rotation holds them.
    struct Live(Vec<Rfc9421Key>);

    impl ProfileKeys<Rfc9421Key> for Live {
        type Keys = Vec<Rfc9421Key>;
        fn keys(&self, key_id: &str) -> Vec<Rfc9421Key> {
            self.0
                .iter()
                .filter(|k| k.key_id() == key_id)
                .cloned()
                .collect()
        }
    }

    fn key(id: &str, secret: &[u8]) -> Rfc9421Key {
        Rfc9421Key::new(id, secret.to_vec()).expect("valid key")
    }

    const URL: &str = "https://h.example/a?b=c";

    /// The headers of `POST URL` with body `{}` signed by `key` at 1 000.
    fn signed_by(key: Rfc9421Key) -> Vec<(String, String)> {
        let request = Request::new("POST", URL).body(b"{}");
        Rfc9421::new(key)
            .sign_request(&request, SignatureInputs::at(1_000))
            .expect("signs")
            .instructions()
            .apply_to_headers(&[])
    }

    /// The key id `verifier` accepts `headers` for at 1 010, or the refusal's code.
    fn verify<F: ProfileKeys<Rfc9421Key>>(
        verifier: &Rfc9421Verifier<F>,
        headers: &[(String, String)],
    ) -> Result<String, ProfileErrorCode> {
        let request = Request::new("POST", URL)
            .headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .body(b"{}");
        verifier
            .verify_request(&request, 1_010)
            .map(|v| v.key_id)
            .map_err(|e| e.code())
    }

    #[test]
    fn a_signature_by_any_live_key_of_the_key_id_verifies() {
        const OLD: &[u8] = b"old secret, still in its grace period";
        const NEW: &[u8] = b"new secret after the rotation";
        let rotating = Rfc9421Verifier::new(Live(vec![key("k1", OLD), key("k1", NEW)]));
        assert_eq!(
            verify(&rotating, &signed_by(key("k1", OLD))).as_deref(),
            Ok("k1")
        );
        assert_eq!(
            verify(&rotating, &signed_by(key("k1", NEW))).as_deref(),
            Ok("k1")
        );
        assert_eq!(
            verify(&rotating, &signed_by(key("k1", b"a secret k1 never had"))),
            Err(ProfileErrorCode::SignatureMismatch)
        );
        assert_eq!(
            verify(&rotating, &signed_by(key("k2", OLD))),
            Err(ProfileErrorCode::UnknownKey)
        );
        // A closure giving one key per id reads as before: only that key verifies.
        let new = key("k1", NEW);
        let single = Rfc9421Verifier::new(move |id: &str| (id == "k1").then(|| new.clone()));
        assert_eq!(
            verify(&single, &signed_by(key("k1", NEW))).as_deref(),
            Ok("k1")
        );
        assert_eq!(
            verify(&single, &signed_by(key("k1", OLD))),
            Err(ProfileErrorCode::SignatureMismatch)
        );
    }
}
