//! Exchange presets, pinned by each exchange's documented example where one exists; where the
//! documentation gives the algorithm but no worked output, the expected value is computed here
//! independently (the `hmac` crate over the documented prehash string).
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use std::collections::HashSet;
use std::sync::Arc;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sigwire_core::profiles::exchanges::binance::{Binance, BinanceSettings};
use sigwire_core::profiles::exchanges::bybit::Bybit;
use sigwire_core::profiles::exchanges::coinbase::Coinbase;
use sigwire_core::profiles::exchanges::kraken::{Kraken, KrakenNonce};
use sigwire_core::profiles::exchanges::okx::Okx;
use sigwire_core::profiles::exchanges::ApiCredentials;
use sigwire_core::profiles::ProfileErrorCode;
use sigwire_core::signing::{sign_now, SignableBody, SigningScheme};
use sigwire_core::{FixedClock, OsNonce, Request};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn hmac256(key: &[u8], msg: &str) -> Vec<u8> {
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    m.update(msg.as_bytes());
    m.finalize().into_bytes().to_vec()
}

fn hexs(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Binance API docs, "SIGNED (TRADE, USER_DATA AND MARGIN) Endpoint security", HMAC keys:
/// apiKey `vmPUZE6m…Eh8A`, secretKey `NhqPtmdS…Tj0j`, the LTCBTC order.
/// Example 1 (all in the query): `c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`.
/// Example 3 (query + body, no `&` between): `0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77`.
#[test]
fn binance_documented_examples() {
    let creds = ApiCredentials::new(
        "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
    )
    .unwrap();
    let b = Binance::new(creds.clone());
    let url = "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1";
    let request = Request::new("POST", url);
    let ins = b.sign(&request, 1_499_827_319_559).unwrap();
    assert_eq!(
        ins.apply_to_url(url),
        "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1\
         &recvWindow=5000&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"
    );
    assert_eq!(
        ins.header("X-MBX-APIKEY"),
        Some("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A")
    );

    let url =
        "https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC";
    let request = Request::new("POST", url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(b"quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559");
    let ins = b.sign(&request, 1_600_000_000_000).unwrap();
    // The body already carries timestamp and recvWindow: nothing is added but the signature.
    assert_eq!(ins.query_params().len(), 1);
    assert_eq!(
        ins.query_param("signature"),
        Some("0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77")
    );

    // The newer docs' non-ASCII example signs the percent-encoded query as sent:
    // `symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&…&timestamp=1499827319559`
    // → `e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3`.
    let url = "https://api.binance.com/api/v3/order?symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96\
               &side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1";
    let ins = b
        .sign(&Request::new("POST", url), 1_499_827_319_559)
        .unwrap();
    assert_eq!(
        ins.query_param("signature"),
        Some("e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")
    );

    // No recvWindow when configured off; an already-signed request is refused.
    let mut s = BinanceSettings::default();
    s.recv_window = None;
    let ins = Binance::new(creds)
        .with_settings(s)
        .sign(&Request::new("GET", "https://h/x"), 5)
        .unwrap();
    assert_eq!(
        ins.apply_to_url("https://h/x").split('&').next(),
        Some("https://h/x?timestamp=5")
    );
    assert_eq!(
        b.sign(&Request::new("GET", "https://h/x?a=1&signature=00"), 5)
            .unwrap_err()
            .code(),
        ProfileErrorCode::InvalidRequest
    );
}

/// Binance through the generic signing driver (millisecond clock, no nonce).
#[test]
fn binance_via_signing_scheme() {
    let b = Binance::new(ApiCredentials::new("k", "s").unwrap());
    assert_eq!(b.name(), "binance");
    let request = Request::new("GET", "https://api.binance.com/api/v3/account");
    let ins = sign_now(
        &b,
        &request,
        SignableBody::Bytes(b""),
        &FixedClock::new(1_700_000_000),
        &OsNonce,
    )
    .unwrap();
    assert_eq!(ins.query_param("timestamp"), Some("1700000000000"));
    let want = hexs(&hmac256(b"s", "recvWindow=5000&timestamp=1700000000000"));
    assert_eq!(ins.query_param("signature"), Some(want.as_str()));
}

/// Kraken docs, "Spot REST API authentication", the worked example: private key `kQH5HW/8…uXg==`,
/// nonce `1616492376594`, payload `nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25`,
/// URI path `/0/private/AddOrder`, API-Sign
/// `4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==`.
#[test]
fn kraken_documented_example() {
    let creds = ApiCredentials::from_base64_secret(
        "key",
        "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==",
    )
    .unwrap();
    let body = Kraken::body_with_nonce(
        1_616_492_376_594,
        &[
            ("ordertype", "limit"),
            ("pair", "XBTUSD"),
            ("price", "37500"),
            ("type", "buy"),
            ("volume", "1.25"),
        ],
    );
    assert_eq!(
        body,
        "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25"
    );
    let request =
        Request::new("POST", "https://api.kraken.com/0/private/AddOrder").body(body.as_bytes());
    let ins = Kraken::new(creds.clone()).sign(&request).unwrap();
    assert_eq!(
        ins.header("API-Sign"),
        Some("4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==")
    );
    assert_eq!(ins.header("API-Key"), Some("key"));
    let no_nonce = Request::new("POST", "https://api.kraken.com/0/private/Balance").body(b"x=1");
    assert_eq!(
        Kraken::new(creds).sign(&no_nonce).unwrap_err().code(),
        ProfileErrorCode::InvalidRequest
    );
    assert_eq!(
        ApiCredentials::from_base64_secret("k", "not base64!")
            .unwrap_err()
            .code(),
        ProfileErrorCode::InvalidCredentials
    );
}

/// Kraken nonces from many threads at once, all in the same millisecond: every value distinct and
/// each thread's sequence strictly increasing; a clock going backwards never lowers the nonce.
#[test]
fn kraken_nonce_is_strictly_increasing_under_concurrency() {
    let nonces = Arc::new(KrakenNonce::new());
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let n = Arc::clone(&nonces);
            std::thread::spawn(move || {
                (0..5000)
                    .map(|_| n.next(1_700_000_000_000))
                    .collect::<Vec<u64>>()
            })
        })
        .collect();
    let mut all = HashSet::new();
    for h in handles {
        let seq = h.join().unwrap();
        assert!(seq.windows(2).all(|w| w[0] < w[1]));
        for v in seq {
            assert!(all.insert(v), "duplicate nonce {v}");
        }
    }
    assert_eq!(all.len(), 40_000);
    let last = nonces.next(1_000);
    assert_eq!(last, 1_700_000_000_000 + 40_000);
    assert_eq!(KrakenNonce::starting_after(10).next(5), 11);
}

/// Coinbase Exchange docs, "Signing a Message": `CB-ACCESS-SIGN` = base64(HMAC-SHA256(
/// base64decode(secret), timestamp + method + requestPath + body)). No worked output is published.
#[test]
fn coinbase_exchange_scheme() {
    let secret = B64.encode(b"coinbase exchange secret bytes!!");
    let creds = ApiCredentials::from_base64_secret("cb-key", &secret)
        .unwrap()
        .with_passphrase("pass phrase");
    let body = br#"{"size":"0.01","price":"0.100","side":"buy","product_id":"BTC-USD"}"#;
    let request =
        Request::new("POST", "https://api.exchange.coinbase.com/orders?a=1&b=2").body(body);
    let ins = Coinbase::new(creds)
        .unwrap()
        .sign(&request, 1_700_000_000)
        .unwrap();
    let prehash = format!(
        "1700000000POST/orders?a=1&b=2{}",
        std::str::from_utf8(body).unwrap()
    );
    let want = B64.encode(hmac256(b"coinbase exchange secret bytes!!", &prehash));
    assert_eq!(ins.header("CB-ACCESS-SIGN"), Some(want.as_str()));
    assert_eq!(ins.header("CB-ACCESS-TIMESTAMP"), Some("1700000000"));
    assert_eq!(ins.header("CB-ACCESS-PASSPHRASE"), Some("pass phrase"));
    assert_eq!(ins.header("CB-ACCESS-KEY"), Some("cb-key"));
    let dbg = format!("{ins:?}");
    assert!(!dbg.contains("pass phrase") && !dbg.contains(&want));
    let no_pass = ApiCredentials::from_base64_secret("k", &secret).unwrap();
    assert_eq!(
        Coinbase::new(no_pass).unwrap_err().code(),
        ProfileErrorCode::InvalidCredentials
    );
}

/// OKX v5 docs, "REST Authentication": `OK-ACCESS-SIGN` = base64(HMAC-SHA256(secret,
/// timestamp + method + requestPath + body)), timestamp like `2020-12-08T09:08:57.715Z`.
#[test]
fn okx_scheme() {
    let creds = ApiCredentials::new("okx-key", "okx-secret")
        .unwrap()
        .with_passphrase("okx-pass");
    let request = Request::new("GET", "https://www.okx.com/api/v5/account/balance?ccy=BTC");
    let ins = Okx::new(creds)
        .unwrap()
        .sign(&request, 1_607_418_537_715)
        .unwrap();
    assert_eq!(
        ins.header("OK-ACCESS-TIMESTAMP"),
        Some("2020-12-08T09:08:57.715Z")
    );
    let want = B64.encode(hmac256(
        b"okx-secret",
        "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC",
    ));
    assert_eq!(ins.header("OK-ACCESS-SIGN"), Some(want.as_str()));
    assert_eq!(ins.header("OK-ACCESS-PASSPHRASE"), Some("okx-pass"));
}

/// Bybit v5 docs, "Integration Guidance" (HMAC): GET signs `timestamp + api_key + recv_window +
/// queryString`, POST signs `timestamp + api_key + recv_window + jsonBodyString`; hex output.
#[test]
fn bybit_v5_scheme() {
    let b = Bybit::new(ApiCredentials::new("XXXXXXXXXX", "bybit-secret").unwrap());
    let get = Request::new(
        "GET",
        "https://api.bybit.com/v5/order/realtime?category=option&symbol=BTC-29JUL22-25000-C",
    );
    let ins = b.sign(&get, 1_658_384_314_791).unwrap();
    let want = hexs(&hmac256(
        b"bybit-secret",
        "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C",
    ));
    assert_eq!(ins.header("X-BAPI-SIGN"), Some(want.as_str()));
    assert_eq!(ins.header("X-BAPI-RECV-WINDOW"), Some("5000"));
    let body = br#"{"category":"option","symbol":"BTC-29JUL22-25000-C","orderType":"Limit"}"#;
    let post = Request::new("POST", "https://api.bybit.com/v5/order/create").body(body);
    let ins = b.sign(&post, 1_658_385_579_423).unwrap();
    let want = hexs(&hmac256(
        b"bybit-secret",
        &format!(
            "1658385579423XXXXXXXXXX5000{}",
            std::str::from_utf8(body).unwrap()
        ),
    ));
    assert_eq!(ins.header("X-BAPI-SIGN"), Some(want.as_str()));
    assert_eq!(ins.header("X-BAPI-TIMESTAMP"), Some("1658385579423"));
}
