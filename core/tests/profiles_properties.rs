//! Properties of the profiles over random input: arbitrary header and URL text never panics (a
//! typed error instead), and whatever a profile signs, its own verifier accepts, while any change
//! to a covered byte is refused.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use proptest::prelude::*;
use sigwire_core::profiles::aws_sigv4::{
    AwsCredentials, AwsSigV4, AwsSigV4Settings, AwsSigV4Verifier, SignableBody, SignatureLocation,
};
use sigwire_core::profiles::rfc9421::{
    Response, Rfc9421, Rfc9421Key, Rfc9421Verifier, SignatureInputs,
};
use sigwire_core::profiles::webhooks::{
    github, sigwire, slack, standard, stripe, WebhookSecret, WebhookSettings,
};
use sigwire_core::Request;

fn header_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~]{0,80}",
        r#"sig[0-9]=\(("[@a-z\-]{1,12}" ?){0,4}\)(;[a-z]{1,7}=("[ -~]{0,8}"|[0-9]{1,16}|:[A-Za-z0-9+/=]{0,12}:|\?[01])){0,4}"#,
        "AWS4-HMAC-SHA256 (Credential=[ -~]{0,40}|SignedHeaders=[a-z;]{0,20}|Signature=[0-9a-f]{0,64}|, ){0,6}",
        "t=[0-9]{0,12}(,v[01]=[0-9a-f]{0,64}){0,3}",
    ]
}

fn url_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "https?://[a-zA-Z0-9.:@\\[\\]-]{0,20}(/[ -~]{0,20}){0,3}(\\?[ -~]{0,30})?"
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Verifiers and signers return errors, never panic, on arbitrary headers and URLs.
    #[test]
    fn arbitrary_input_never_panics(url in url_text(), a in header_text(), b in header_text(), body in any::<Vec<u8>>()) {
        let request = Request::new("GET", &url)
            .header("Authorization", &a)
            .header("Signature-Input", &a)
            .header("Signature", &b)
            .header("Content-Digest", &b)
            .header("X-Amz-Date", &b)
            .body(&body);
        let creds = AwsCredentials::new("AKID", "secret").unwrap();
        let c2 = creds.clone();
        let _ = AwsSigV4Verifier::new("us-east-1", "svc", move |_: &str| Some(c2.clone())).verify(&request, 1_700_000_000);
        let _ = AwsSigV4::new(creds, "us-east-1", "svc").unwrap().sign(&request, SignableBody::Bytes(&body), 1_700_000_000);
        let key = Rfc9421Key::new("k", b"secret".to_vec()).unwrap();
        let k2 = key.clone();
        let _ = Rfc9421Verifier::new(move |_: &str| Some(k2.clone())).verify_request(&request, 1_700_000_000);
        let _ = Rfc9421::new(key).sign_request(&request, SignatureInputs::at(1));
        let secret = WebhookSecret::new("s").unwrap();
        let s = WebhookSettings::default();
        let lines = [
            ("Stripe-Signature", a.as_str()), ("X-Hub-Signature-256", a.as_str()), ("X-Slack-Signature", a.as_str()),
            ("X-Slack-Request-Timestamp", b.as_str()), ("webhook-id", b.as_str()), ("webhook-timestamp", b.as_str()),
            ("webhook-signature", a.as_str()), ("Sigwire-Webhook-Id", b.as_str()), ("Sigwire-Webhook-Timestamp", b.as_str()),
            ("Sigwire-Webhook-Signature", a.as_str()),
        ];
        let secrets = [secret];
        let _ = stripe::verify(&lines, &body, &secrets, 0, s);
        let _ = github::verify(&lines, &body, &secrets);
        let _ = slack::verify(&lines, &body, &secrets, 0, s);
        let _ = standard::verify(&lines, &body, &secrets, 0, s);
        let _ = sigwire::verify(&lines, &body, &secrets, 0, s);
    }

    /// SigV4: what is signed verifies (header and presigned, generic and S3 rules); flipping any
    /// byte of the body (header-signed, body hashed) is refused.
    #[test]
    fn sigv4_sign_then_verify(
        path in "(/[a-zA-Z0-9%._~ -]{0,8}){0,4}",
        query in proptest::collection::vec(("[a-zA-Z0-9 +%=~_-]{1,6}", "[a-zA-Z0-9 +%=~_-]{0,6}"), 0..4),
        hv in "[ -~]{0,20}",
        body in proptest::collection::vec(any::<u8>(), 1..64),
        s3 in any::<bool>(),
        presign in any::<bool>(),
        flip in any::<usize>(),
        t in 1_400_000_000u64..2_000_000_000,
    ) {
        let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let url = format!("https://h.example.com{path}{}{}", if q.is_empty() { "" } else { "?" }, q.join("&"));
        let mut settings = if s3 { AwsSigV4Settings::s3() } else { AwsSigV4Settings::default() };
        if presign {
            settings.signature_location = SignatureLocation::QueryParams;
        }
        let creds = AwsCredentials::new("AKID", "secret").unwrap();
        let signer = AwsSigV4::new(creds.clone(), "us-east-1", "svc").unwrap().with_settings(settings.clone());
        let request = Request::new("PUT", &url).header("X-Custom", &hv).body(&body);
        let out = signer.sign(&request, SignableBody::Bytes(&body), t).unwrap();
        let signed_url = out.instructions().apply_to_url(&url);
        let headers = out.instructions().apply_to_headers(&[("X-Custom".into(), hv.clone())]);
        let v = AwsSigV4Verifier::new("us-east-1", "svc", move |_: &str| Some(creds.clone())).with_settings(settings);
        let received = Request::new("PUT", &signed_url).headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))).body(&body);
        prop_assert!(v.verify(&received, t).is_ok(), "{:?}", v.verify(&received, t));
        if !presign {
            let mut tampered = body.clone();
            let i = flip % tampered.len();
            tampered[i] ^= 1;
            let bad = Request::new("PUT", &signed_url).headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))).body(&tampered);
            prop_assert!(v.verify(&bad, t).is_err());
        }
    }

    /// RFC 9421 responses: what is signed verifies; a changed body fails its digest.
    #[test]
    fn rfc9421_response_round_trip(status in 100u16..600, body in proptest::collection::vec(any::<u8>(), 1..64), ct in "[ -~]{0,20}") {
        let key = Rfc9421Key::new("k", b"0123456789abcdef".to_vec()).unwrap();
        let mut s = sigwire_core::profiles::rfc9421::Rfc9421Settings::default();
        s.components.push(sigwire_core::profiles::rfc9421::Component::Header("content-type".into()));
        let out = Rfc9421::new(key.clone()).with_settings(s)
            .sign_response(&Response::new(status).header("Content-Type", &ct).body(&body), SignatureInputs::at(1_000)).unwrap();
        let headers = out.instructions().apply_to_headers(&[("Content-Type".into(), ct.clone())]);
        let v = Rfc9421Verifier::new(move |_: &str| Some(key.clone()));
        let ok = Response::new(status).headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))).body(&body);
        prop_assert!(v.verify_response(&ok, 1_000).is_ok());
        let mut other = body.clone();
        other[0] ^= 0x80;
        let bad = Response::new(status).headers(headers.iter().map(|(n, v)| (n.as_str(), v.as_str()))).body(&other);
        prop_assert!(v.verify_response(&bad, 1_000).is_err());
    }
}
