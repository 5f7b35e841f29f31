//! Webhook signing and verification by provider name (`stripe`, `github`, `slack`, `standard`,
//! `sigwire`), from the arguments every binding receives.

use sigwire_core::profiles::webhooks::{
    github, sigwire as sigwire_webhook, slack, standard, stripe, WebhookSecret, WebhookSettings,
    WebhookVerified,
};
use sigwire_core::profiles::{ProfileError, ProfileErrorCode, SigningInstructions};

/// One webhook secret as the host gave it: text or bytes. Standard Webhooks reads text as
/// `whsec_<base64>`; every other provider uses the bytes (text as UTF-8).
#[derive(Clone, Copy)]
pub enum SecretArg<'a> {
    /// Given as a string.
    Text(&'a str),
    /// Given as bytes.
    Bytes(&'a [u8]),
}

impl<'a> SecretArg<'a> {
    /// Bytes with a flag saying they were a string (how the JavaScript bindings pass secrets);
    /// text that is not UTF-8 is `invalid_credentials`.
    pub fn flagged(bytes: &'a [u8], was_text: bool) -> Result<Self, ProfileError> {
        if !was_text {
            return Ok(SecretArg::Bytes(bytes));
        }
        std::str::from_utf8(bytes)
            .map(SecretArg::Text)
            .map_err(|_| {
                ProfileError::new(
                    ProfileErrorCode::InvalidCredentials,
                    "the secret is not UTF-8",
                )
            })
    }
}

impl std::fmt::Debug for SecretArg<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretArg(..)")
    }
}

/// The secret `provider` reads from `arg`.
pub fn webhook_secret(provider: &str, arg: SecretArg<'_>) -> Result<WebhookSecret, ProfileError> {
    match arg {
        SecretArg::Text(t) if provider == "standard" => WebhookSecret::from_standard(t),
        SecretArg::Text(t) => WebhookSecret::new(t.as_bytes()),
        SecretArg::Bytes(b) => WebhookSecret::new(b),
    }
}

fn unknown_provider(provider: &str) -> ProfileError {
    ProfileError::new(
        ProfileErrorCode::InvalidSettings,
        format!("unknown webhook provider {provider:?} (stripe, github, slack, standard, sigwire)"),
    )
}

/// Verifies a webhook over the raw `body` with any of `secrets` at `now` (Unix seconds), with
/// `tolerance` seconds for the signed timestamp.
pub fn verify_webhook(
    provider: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    secrets: &[WebhookSecret],
    now: u64,
    tolerance: u64,
) -> Result<WebhookVerified, ProfileError> {
    let mut settings = WebhookSettings::default();
    settings.tolerance = tolerance;
    match provider {
        "stripe" => stripe::verify(headers, body, secrets, now, settings),
        "github" => github::verify(headers, body, secrets),
        "slack" => slack::verify(headers, body, secrets, now, settings),
        "standard" => standard::verify(headers, body, secrets, now, settings),
        "sigwire" => sigwire_webhook::verify(headers, body, secrets, now, settings),
        other => Err(unknown_provider(other)),
    }
}

/// Signs a webhook as `provider` would (the headers to send); `standard` and `sigwire` need a
/// message `id`, `github` and `slack` exactly one secret.
pub fn sign_webhook(
    provider: &str,
    secrets: &[WebhookSecret],
    body: &[u8],
    timestamp: u64,
    id: Option<&str>,
) -> Result<SigningInstructions, ProfileError> {
    let need_id = || {
        id.ok_or_else(|| {
            ProfileError::new(
                ProfileErrorCode::InvalidRequest,
                format!("{provider} webhooks need a message id"),
            )
        })
    };
    let one = || match secrets {
        [s] => Ok(s),
        _ => Err(ProfileError::new(
            ProfileErrorCode::InvalidCredentials,
            format!("{provider} signs with exactly one secret"),
        )),
    };
    match provider {
        "stripe" => stripe::sign(secrets, timestamp, body),
        "github" => one().map(|s| github::sign(s, body)),
        "slack" => one().map(|s| slack::sign(s, timestamp, body)),
        "standard" => standard::sign(secrets, need_id()?, timestamp, body),
        "sigwire" => sigwire_webhook::sign(secrets, need_id()?, timestamp, body),
        other => Err(unknown_provider(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, ProfileError>) -> Option<ProfileErrorCode> {
        r.err().map(|e| e.code())
    }

    #[test]
    fn github_documented_example() {
        let s = webhook_secret("github", SecretArg::Text("It's a Secret to Everybody"));
        let secrets: Vec<WebhookSecret> = s.into_iter().collect();
        let lines = sign_webhook("github", &secrets, b"Hello, World!", 0, None)
            .map(|i| i.apply_to_headers(&[]))
            .unwrap_or_default();
        let want = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(lines.first().map(|(_, v)| v.as_str()), Some(want));
        let h = [("x-hub-signature-256", want)];
        assert!(verify_webhook("github", &h, b"Hello, World!", &secrets, 0, 300).is_ok());
        assert_eq!(
            code(verify_webhook(
                "github",
                &h,
                b"Hello, World?",
                &secrets,
                0,
                300
            )),
            Some(ProfileErrorCode::SignatureMismatch)
        );
    }

    #[test]
    fn providers_secrets_and_ids() {
        let text = SecretArg::flagged(b"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", true);
        assert!(text.is_ok_and(|t| webhook_secret("standard", t).is_ok()));
        assert_eq!(
            code(SecretArg::flagged(&[0xff], true)),
            Some(ProfileErrorCode::InvalidCredentials)
        );
        assert_eq!(
            code(webhook_secret("standard", SecretArg::Text("not-whsec"))),
            Some(ProfileErrorCode::InvalidCredentials)
        );
        let secrets: Vec<WebhookSecret> = webhook_secret("sigwire", SecretArg::Bytes(b"k"))
            .into_iter()
            .collect();
        assert_eq!(
            code(sign_webhook("sigwire", &secrets, b"", 1, None)),
            Some(ProfileErrorCode::InvalidRequest)
        );
        assert_eq!(
            code(sign_webhook("nope", &secrets, b"", 1, None)),
            Some(ProfileErrorCode::InvalidSettings)
        );
        assert_eq!(
            code(verify_webhook("nope", &[], b"", &secrets, 1, 1)),
            Some(ProfileErrorCode::InvalidSettings)
        );
        let two = [secrets.clone(), secrets].concat();
        assert_eq!(
            code(sign_webhook("slack", &two, b"", 1, None)),
            Some(ProfileErrorCode::InvalidCredentials)
        );
        assert!(sign_webhook("stripe", &two, b"", 1, None).is_ok());
    }
}
