//! Webhook profiles, each pinned by the provider's documented example where one exists.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too
#![allow(clippy::cloned_ref_to_slice_refs)] // `&[secret.clone()]` reads better in examples

use sigwire_core::profiles::webhooks::{
    github, sigwire, slack, standard, stripe, WebhookSecret, WebhookSettings,
};
use sigwire_core::profiles::ProfileErrorCode;

fn code<T: std::fmt::Debug>(
    r: Result<T, sigwire_core::profiles::ProfileError>,
) -> ProfileErrorCode {
    r.unwrap_err().code()
}

/// GitHub Docs, "Validating webhook deliveries", "Testing the webhook payload validation":
/// secret `It's a Secret to Everybody`, payload `Hello, World!`, expected
/// `sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17`.
#[test]
fn github_documented_example() {
    let secret = WebhookSecret::new("It's a Secret to Everybody").unwrap();
    let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assert_eq!(github::signature(&secret, b"Hello, World!"), expected);
    let ok = github::verify(
        &[
            ("X-Hub-Signature-256", expected),
            ("X-GitHub-Delivery", "d-1"),
        ],
        b"Hello, World!",
        &[secret.clone()],
    )
    .unwrap();
    assert_eq!(ok.id.as_deref(), Some("d-1"));
    assert_eq!(
        code(github::verify(
            &[("X-Hub-Signature-256", expected)],
            b"Hello, World?",
            &[secret.clone()]
        )),
        ProfileErrorCode::SignatureMismatch
    );
    assert_eq!(
        code(github::verify(&[], b"x", &[secret.clone()])),
        ProfileErrorCode::MissingHeader
    );
    assert_eq!(
        code(github::verify(
            &[("X-Hub-Signature-256", "sha1=00")],
            b"x",
            &[secret]
        )),
        ProfileErrorCode::MalformedSignature
    );
}

/// Slack API docs, "Verifying requests from Slack", the worked example: signing secret
/// `8f742231b10e8888abcd99yyyzzz85a5`, timestamp `1531420618`, the slash-command body below,
/// expected `v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503`.
#[test]
fn slack_documented_example() {
    let secret = WebhookSecret::new("8f742231b10e8888abcd99yyyzzz85a5").unwrap();
    let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    assert_eq!(slack::signature(&secret, 1_531_420_618, body), expected);
    let h = [
        ("X-Slack-Request-Timestamp", "1531420618"),
        ("X-Slack-Signature", expected),
    ];
    let s = WebhookSettings::default();
    assert_eq!(
        slack::verify(&h, body, &[secret.clone()], 1_531_420_618 + 300, s)
            .unwrap()
            .timestamp,
        Some(1_531_420_618)
    );
    assert_eq!(
        code(slack::verify(
            &h,
            body,
            &[secret.clone()],
            1_531_420_618 + 301,
            s
        )),
        ProfileErrorCode::WebhookTimestampOutOfTolerance
    );
    assert_eq!(
        code(slack::verify(&h, &body[1..], &[secret], 1_531_420_618, s)),
        ProfileErrorCode::SignatureMismatch
    );
}

/// Standard Webhooks: the example used by the reference libraries' tests (standard-webhooks
/// `libraries/`, from Svix): secret `whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`, id
/// `msg_p5jXN8AQM9LWM0D4loKWxJek`, timestamp `1614265330`, payload `{"test": 2432232314}`,
/// signature `v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=`.
#[test]
fn standard_webhooks_reference_example_and_rotation() {
    let secret = WebhookSecret::from_standard("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    let body = br#"{"test": 2432232314}"#;
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    assert_eq!(
        standard::signature(&secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
        expected
    );
    let s = WebhookSettings::default();
    // Several signatures in one header (rotation on the sender's side), one of them ours.
    let sig = format!("v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v2,xyz {expected}");
    let h = [
        ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("webhook-timestamp", "1614265330"),
        ("webhook-signature", sig.as_str()),
    ];
    // Rotation on the receiver's side: old and new secrets, the second matches.
    let old = WebhookSecret::from_standard("whsec_c2VjcmV0LW9sZA==").unwrap();
    let ok = standard::verify(&h, body, &[old, secret.clone()], 1_614_265_330, s).unwrap();
    assert_eq!(
        (ok.secret_index, ok.id.as_deref()),
        (1, Some("msg_p5jXN8AQM9LWM0D4loKWxJek"))
    );
    assert_eq!(
        code(standard::verify(
            &h,
            body,
            &[secret.clone()],
            1_614_265_330 + 301,
            s
        )),
        ProfileErrorCode::WebhookTimestampOutOfTolerance
    );
    let h2 = [
        ("webhook-id", "msg_other"),
        ("webhook-timestamp", "1614265330"),
        ("webhook-signature", sig.as_str()),
    ];
    assert_eq!(
        code(standard::verify(
            &h2,
            body,
            &[secret.clone()],
            1_614_265_330,
            s
        )),
        ProfileErrorCode::SignatureMismatch
    );
    let ins = standard::sign(
        &[secret.clone()],
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1_614_265_330,
        body,
    )
    .unwrap();
    assert_eq!(ins.header("webhook-signature"), Some(expected));
    assert!(WebhookSecret::from_standard("whsec_***").is_err());
    assert!(!format!("{secret:?}").contains("MfKQ"));
}

/// Stripe documents the scheme ("Verify the signature manually": `signed_payload = t + "." + body`,
/// HMAC-SHA256, hex, compare against each `v1`, default tolerance five minutes) but publishes no
/// fixed secret/payload/signature triple; this test computes the expected value independently
/// with the `hmac` crate over the documented `signed_payload`.
#[test]
fn stripe_scheme_several_v1_and_tolerance() {
    use hmac::{Hmac, Mac};
    let secret = WebhookSecret::new("whsec_test_secret").unwrap();
    let body = br#"{"id": "evt_test_webhook", "object": "event"}"#;
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"whsec_test_secret").unwrap();
    mac.update(b"1700000000.");
    mac.update(body);
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(stripe::signature(&secret, 1_700_000_000, body), want);
    let header = format!("t=1700000000,v1={},v0=ignored,v1={want}", "0".repeat(64));
    let h = [("Stripe-Signature", header.as_str())];
    let s = WebhookSettings::default();
    assert!(stripe::verify(&h, body, &[secret.clone()], 1_700_000_299, s).is_ok());
    assert_eq!(
        code(stripe::verify(
            &h,
            body,
            &[secret.clone()],
            1_700_000_301,
            s
        )),
        ProfileErrorCode::WebhookTimestampOutOfTolerance
    );
    // A re-serialised body (different whitespace) must fail: verify the raw bytes.
    assert_eq!(
        code(stripe::verify(
            &h,
            br#"{"id":"evt_test_webhook","object":"event"}"#,
            &[secret.clone()],
            1_700_000_000,
            s
        )),
        ProfileErrorCode::SignatureMismatch
    );
    assert_eq!(
        code(stripe::verify(
            &[("Stripe-Signature", "t=1700000000")],
            body,
            &[secret.clone()],
            1_700_000_000,
            s
        )),
        ProfileErrorCode::MalformedSignature
    );
    assert_eq!(
        code(stripe::verify(
            &[("Stripe-Signature", "v1=zz")],
            body,
            &[secret.clone()],
            0,
            s
        )),
        ProfileErrorCode::MalformedSignature
    );
    let mut wide = WebhookSettings::default();
    wide.tolerance = 3600;
    assert!(stripe::verify(&h, body, &[secret], 1_700_003_000, wide).is_ok());
}

/// The Sigwire form (docs/profiles/webhooks.md), checked against an independent computation of
/// its defined signed string.
#[test]
fn sigwire_form_round_trip_and_definition() {
    use hmac::{Hmac, Mac};
    let a = WebhookSecret::new(b"first secret, 32 bytes long.....".to_vec()).unwrap();
    let b = WebhookSecret::new(b"second secret, 32 bytes long....".to_vec()).unwrap();
    let body = b"{\"event\":\"paid\"}";
    let ins = sigwire::sign(&[a.clone(), b.clone()], "evt_42", 1_700_000_000, body).unwrap();
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(b"second secret, 32 bytes long....").unwrap();
    mac.update(b"sigwire-webhook-v1\nevt_42\n1700000000\n{\"event\":\"paid\"}");
    let want: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sig = ins.header("sigwire-webhook-signature").unwrap();
    assert!(sig.ends_with(&format!(",v1={want}")), "{sig}");
    let headers = ins.apply_to_headers(&[]);
    let h: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let s = WebhookSettings::default();
    assert_eq!(
        sigwire::verify(&h, body, &[b.clone()], 1_700_000_010, s)
            .unwrap()
            .id
            .as_deref(),
        Some("evt_42")
    );
    assert_eq!(
        code(sigwire::verify(&h, b"{}", &[a], 1_700_000_010, s)),
        ProfileErrorCode::SignatureMismatch
    );
    assert_eq!(
        code(sigwire::verify(&h, body, &[b], 1_700_001_000, s)),
        ProfileErrorCode::WebhookTimestampOutOfTolerance
    );
    assert!(!format!("{ins:?}").contains(&want));
}
