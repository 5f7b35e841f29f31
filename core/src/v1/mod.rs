//! The `sigwire-v1` scheme (SPEC.md): canonical string, `Authorization` header, sign and check.

pub mod authorization;
pub(crate) mod canonical;
mod header_policy;
mod signing;

pub(crate) use header_policy::RequiredHeaders;
pub use header_policy::SignedHeaderPolicy;
pub use signing::{HeaderCoverage, SigningSettings, SigwireV1Signing, V1Credential};

use std::sync::Arc;

use crate::algorithm::Algorithm;
use crate::credentials::Secret;
use crate::error::{Error, ErrorCode};
use crate::keyed_mac::MacStream;
use crate::request::Request;
use crate::scheme::{Claim, Scheme};

use authorization::Authorization;
use canonical::{SignedHeaders, SigningParams};

/// The scheme's name.
pub const NAME: &str = "sigwire-v1";

/// The result of signing: the header to add, and every intermediate value for debugging.
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// The full `Authorization` header value.
    pub authorization: String,
    /// The canonical string that was HMAC'd (contains no secret; useful to debug mismatches).
    pub canonical_string: String,
    /// The signature, lowercase hex.
    pub signature: String,
    /// The timestamp used.
    pub timestamp: u64,
    /// The nonce used.
    pub nonce: String,
    /// The signed header names joined by `;`.
    pub signed_headers: String,
}

impl Signature {
    /// The headers to add to the request: just `Authorization`.
    pub fn headers(&self) -> [(&'static str, &str); 1] {
        [("Authorization", self.authorization.as_str())]
    }

    /// The same as [`SigningInstructions`](crate::signing::SigningInstructions): one sensitive
    /// `Authorization` header to set.
    pub fn instructions(&self) -> crate::signing::SigningInstructions {
        let mut out = crate::signing::SigningInstructions::default();
        out.push_header(crate::signing::Param::new(
            "Authorization",
            self.authorization.clone(),
            true,
        ));
        out
    }
}

impl core::fmt::Debug for Signature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Signature")
            .field("timestamp", &self.timestamp)
            .field("nonce", &self.nonce)
            .field("signed_headers", &self.signed_headers)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

/// Signs `request` with fixed parameters: the pure function behind [`crate::Signer`].
pub fn sign(
    params: &SigningParams<'_>,
    secret: &Secret,
    request: &Request<'_>,
    signed: &SignedHeaders<'_>,
) -> Result<Signature, Error> {
    if params.timestamp > canonical::MAX_TIMESTAMP {
        return Err(Error::invalid_request("timestamp has more than 12 digits"));
    }
    let mut stream = MacStream::new(secret.keyed(params.algorithm));
    let canonical =
        canonical::canonical_string_streamed(params, request, signed, Some(&mut stream))?;
    Ok(finish_streamed(params, stream, canonical, signed))
}

/// MACs a finished canonical string and formats the `Authorization` header.
pub(crate) fn finish(
    params: &SigningParams<'_>,
    secret: &Secret,
    canonical: String,
    signed: &SignedHeaders<'_>,
) -> Signature {
    finish_streamed(
        params,
        MacStream::new(secret.keyed(params.algorithm)),
        canonical,
        signed,
    )
}

/// [`finish`] with a MAC that has already absorbed the start of `canonical`.
fn finish_streamed(
    params: &SigningParams<'_>,
    stream: MacStream<'_>,
    canonical: String,
    signed: &SignedHeaders<'_>,
) -> Signature {
    let mut mac = [0u8; 64];
    let len = stream.finish_into(canonical.as_bytes(), &mut mac);
    let mut signature = String::with_capacity(len * 2);
    crate::hex::encode_into(&mac[..len], &mut signature);
    let signed_headers = signed.joined();
    let authorization = Authorization {
        key_id: params.key_id,
        algorithm: params.algorithm.as_str(),
        timestamp: params.timestamp,
        nonce: params.nonce,
        signed_headers: &signed_headers,
        signature: &signature,
    }
    .to_header_value();
    Signature {
        authorization,
        canonical_string: canonical,
        signature,
        timestamp: params.timestamp,
        nonce: params.nonce.to_owned(),
        signed_headers,
    }
}

/// The `sigwire-v1` scheme for a [`crate::Verifier`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SigwireV1;

impl Scheme for SigwireV1 {
    fn name(&self) -> &'static str {
        NAME
    }

    fn claims(&self, request: &Request<'_>) -> bool {
        request
            .header_values("authorization")
            .any(authorization::claims)
    }

    fn parse<'r>(&self, request: &'r Request<'r>) -> Result<Box<dyn Claim + 'r>, Error> {
        Ok(Box::new(V1Claim::read(request)?))
    }

    fn with_claim<'r>(
        &self,
        request: &'r Request<'r>,
        visit: &mut dyn FnMut(&dyn Claim),
    ) -> Result<(), Error> {
        let (value, repeated) = authorization_header(request)?;
        lend_claim(request, value, repeated, visit)
    }

    fn with_claim_if_claimed<'r>(
        &self,
        request: &'r Request<'r>,
        visit: &mut dyn FnMut(&dyn Claim),
    ) -> Option<Result<(), Error>> {
        // One scan of the headers for both questions (the verifier's hot path).
        let mut values = request.header_values("authorization");
        let first = values.next()?;
        match values.next() {
            None => authorization::claims(first).then(|| lend_claim(request, first, false, visit)),
            Some(second) => (authorization::claims(first)
                || authorization::claims(second)
                || values.any(authorization::claims))
            .then(|| lend_claim(request, first, true, visit)),
        }
    }
}

/// The request's first `Authorization` header, and whether it has another.
fn authorization_header<'r>(request: &'r Request<'r>) -> Result<(&'r str, bool), Error> {
    let mut values = request.header_values("authorization");
    let value = values.next().ok_or_else(|| {
        Error::new(
            ErrorCode::MissingAuthorization,
            "the request has no Authorization header",
        )
    })?;
    Ok((value, values.next().is_some()))
}

/// Reads `value`, the request's `Authorization` header (`repeated`: it has more than one, an
/// error), and lends the claim to `visit`.
fn lend_claim<'r>(
    request: &'r Request<'r>,
    value: &'r str,
    repeated: bool,
    visit: &mut dyn FnMut(&dyn Claim),
) -> Result<(), Error> {
    // Lent where it lies: moving the claim out of the `Result` first would copy it.
    match V1Claim::from_value(request, value, repeated) {
        Ok(ref claim) => {
            visit(claim);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

impl<'r> V1Claim<'r> {
    /// Reads the `Authorization` header of `request` (the work of [`SigwireV1::parse`]).
    fn read(request: &'r Request<'r>) -> Result<Self, Error> {
        let (value, repeated) = authorization_header(request)?;
        Self::from_value(request, value, repeated)
    }

    /// [`read`](Self::read) once the header is found: `value` is the request's `Authorization`
    /// header, and `repeated` says whether it has another (refused).
    fn from_value(request: &'r Request<'r>, value: &'r str, repeated: bool) -> Result<Self, Error> {
        if repeated {
            return Err(Error::malformed(
                "the request has more than one Authorization header",
            ));
        }
        let (auth, timestamp_digits) = authorization::parse_with_digits(value)?;
        let algorithm: Algorithm = auth.algorithm.parse()?;
        authorization::check_signature_len(auth.signature, algorithm)?;
        let signed = SignedHeaders::from_wire(auth.signed_headers, request)?;
        Ok(V1Claim {
            auth,
            timestamp_digits,
            algorithm,
            signed,
            request,
        })
    }
}

struct V1Claim<'r> {
    auth: Authorization<'r>,
    /// `auth.timestamp` as the header spelled it (its canonical decimal).
    timestamp_digits: &'r str,
    algorithm: Algorithm,
    signed: SignedHeaders<'r>,
    request: &'r Request<'r>,
}

impl Claim for V1Claim<'_> {
    fn key_id(&self) -> &str {
        self.auth.key_id
    }

    fn timestamp(&self) -> u64 {
        self.auth.timestamp
    }

    fn nonce(&self) -> Option<&str> {
        Some(self.auth.nonce)
    }

    fn signs_header(&self, name: &str) -> bool {
        self.signed.names().any(|n| n == name)
    }

    fn body_algorithm(&self) -> Option<Algorithm> {
        Some(self.algorithm)
    }

    fn check(&self, secrets: &[Arc<Secret>]) -> Result<(), Error> {
        let params = SigningParams {
            algorithm: self.algorithm,
            key_id: self.auth.key_id,
            timestamp: self.auth.timestamp,
            nonce: self.auth.nonce,
        };
        // `auth` came from `authorization::parse`, which checked the key id and the nonce, and
        // the signature's hex and length (so it decodes).
        let mac = authorization::decode_signature(self.auth.signature, self.algorithm);
        let mac = mac
            .as_ref()
            .map_or(&[][..], authorization::MacBytes::as_slice);
        let digits = Some(self.timestamp_digits);
        let matched = canonical::with_scratch(|canonical| -> Result<bool, Error> {
            let mut build = |absorber| {
                canonical::canonical_into(
                    canonical,
                    &params,
                    digits,
                    self.request,
                    &self.signed,
                    absorber,
                )
            };
            if let [secret] = secrets {
                // One secret (no rotation under way, or the dummy of an unknown key id): its MAC
                // absorbs the canonical string as it is built. (Two calls of `build`, each with a
                // constant `absorber`, measured faster than one call with a variable one.)
                let mut stream = MacStream::new(secret.keyed(self.algorithm));
                build(Some(&mut stream))?;
                Ok(stream.verify(canonical.as_bytes(), mac))
            } else {
                build(None)?;
                // Every active secret, without stopping early, so timing does not reveal which
                // matched.
                Ok(secrets.iter().fold(false, |matched, secret| {
                    matched
                        | secret
                            .keyed(self.algorithm)
                            .verify(canonical.as_bytes(), mac)
                }))
            }
        })?;
        if matched {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::SignatureMismatch,
                "signature does not match the request; compare the canonical string the client signed",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the verifier saw: not claimed, or the read's outcome (the claim's key id, or the error).
    type Seen = Option<Result<String, (ErrorCode, String)>>;

    fn one_step(request: &Request<'_>) -> Seen {
        let mut key = None;
        let read =
            SigwireV1.with_claim_if_claimed(request, &mut |c| key = Some(c.key_id().to_owned()));
        read.map(|r| {
            r.map(|()| key.expect("visited"))
                .map_err(|e| (e.code(), e.message().to_owned()))
        })
    }

    fn two_steps(request: &Request<'_>) -> Seen {
        let mut key = None;
        SigwireV1.claims(request).then(|| {
            SigwireV1
                .with_claim(request, &mut |c| key = Some(c.key_id().to_owned()))
                .map(|()| key.clone().expect("visited"))
                .map_err(|e| (e.code(), e.message().to_owned()))
        })
    }

    #[test]
    fn one_header_scan_answers_as_claims_then_with_claim() {
        let secret = b"0123456789abcdef0123456789abcdef".to_vec();
        let plain = Request::new("GET", "https://api.example.com/v1/orders?limit=10");
        let signed = crate::Signer::new("client-1", secret)
            .expect("signer")
            .sign(&plain)
            .expect("sign")
            .authorization;
        let broken = signed.replace("nonce=", "nonce=!");
        let lists: [&[&str]; 9] = [
            &[],
            &[&signed],
            &[&broken],
            &["Basic dXNlcjpwdw=="],
            &[&signed, &signed],
            &["Basic dXNlcjpwdw==", &signed],
            &[&signed, "Bearer x"],
            &["Basic a", "Bearer b", " hmac x"],
            &["Basic a", "Bearer b", "Digest c"],
        ];
        for list in lists {
            let request = list
                .iter()
                .fold(plain.clone().header("Accept", "*/*"), |r, v| {
                    r.header("authorization", v)
                });
            let seen = one_step(&request);
            assert_eq!(seen, two_steps(&request), "{list:?}");
            assert_eq!(
                seen.is_some(),
                list.iter().any(|v| authorization::claims(v))
            );
        }
        assert_eq!(
            one_step(&plain.clone().header("Authorization", &signed)),
            Some(Ok("client-1".to_owned()))
        );
    }
}
