'use strict';
/**
 * Contract: the signing profiles (sdk-node/lib/common/profiles.js, one source for both packages),
 * the same cases on the native back end (sdk-node/test/profiles.test.js) and the WebAssembly one
 * (sdk-wasm/test/node/profiles.test.js): the providers' own examples (the ones
 * core/tests/profiles_*.rs and sdk-python/tests/test_profiles.py pin), values computed
 * independently with node:crypto where a provider publishes none, RFC 9421 responses, bad input as
 * typed errors, no secret in any output, and the error-code list checked against the core's.
 *
 * @param {{sigwire: any, profiles: any, test: Function, assert: any, coreErrorCodes: () => string[]}} env
 *   the package under test, its `profiles`, node:test, and the back end's own flat `[code, status, …]`
 */
const crypto = require('node:crypto');
const util = require('node:util');

module.exports = function profilesContract({ sigwire, profiles, test, assert, coreErrorCodes }) {
  const { Binance, Coinbase, Kraken, Okx, Bybit, AwsSigV4, AwsSigV4Verifier, Rfc9421, Rfc9421Verifier, verifyWebhook, signWebhook, ProfileError } = profiles;

  test('the profile error codes are the core\'s, each with its class and status', () => {
    const flat = coreErrorCodes();
    const core = {};
    for (let i = 0; i + 1 < flat.length; i += 2) core[flat[i]] = Number(flat[i + 1]);
    assert.deepEqual(profiles.ERROR_CODES, core);
    for (const [code, status] of Object.entries(core)) {
      const e = new profiles.PROFILE_ERROR_CLASSES[code]('m');
      assert.ok(e instanceof ProfileError && e instanceof sigwire.SigwireError);
      assert.deepEqual([e.code, e.httpStatus, e.name], [code, status, profiles.PROFILE_ERROR_CLASSES[code].name]);
      assert.equal(profiles[e.name], profiles.PROFILE_ERROR_CLASSES[code]);
    }
  });

  const hmacHex = (key, msg) => crypto.createHmac('sha256', key).update(msg).digest('hex');
  const hmacB64 = (key, msg) => crypto.createHmac('sha256', key).update(msg).digest('base64');

  // Binance API docs, "SIGNED (TRADE, USER_DATA AND MARGIN) Endpoint security", HMAC keys.
  const BINANCE_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
  const BINANCE_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
  const S3_AKID = 'AKIAIOSFODNN7EXAMPLE';
  const S3_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  const S3_T = 1_369_353_600;
  const RFC_SECRET = Buffer.from('uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==', 'base64');

  function throwsCode(fn, code) {
    assert.throws(fn, (e) => {
      assert.ok(e instanceof ProfileError, `expected a ProfileError, got ${e && e.name}: ${e && e.message}`);
      assert.ok(e instanceof sigwire.SigwireError);
      assert.equal(e.code, code, e.message);
      return true;
    });
  }

  test('Binance: the documented examples 1 and 3 and the non-ASCII example', () => {
    const b = new Binance(BINANCE_KEY, BINANCE_SECRET);
    const url = 'https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1';
    let s = b.sign({ method: 'POST', url, timestampMs: 1_499_827_319_559 });
    assert.equal(s.url, url + '&recvWindow=5000&timestamp=1499827319559&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
    assert.equal(s.header('x-mbx-apikey'), BINANCE_KEY);
    assert.equal(s.headers['X-MBX-APIKEY'], BINANCE_KEY);
    s = b.sign({
      method: 'POST',
      url: 'https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559',
      timestampMs: 1_600_000_000_000,
    });
    assert.deepEqual(s.queryParams.map((p) => p.name), ['signature']);
    assert.ok(s.url.endsWith('&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77'));
    s = b.sign({
      method: 'POST',
      url: 'https://api.binance.com/api/v3/order?symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1',
      timestampMs: 1_499_827_319_559,
    });
    assert.ok(s.url.endsWith('signature=e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3'));
    const none = new Binance('k', 's', { recvWindow: null }).sign({ url: 'https://h/x', timestampMs: 5 });
    assert.equal(none.url, 'https://h/x?timestamp=5&signature=' + hmacHex('s', 'timestamp=5'));
    throwsCode(() => b.sign({ url: 'https://h/x?signature=00', timestampMs: 5 }), 'invalid_request');
  });

  test('Kraken: the documented example, and nonces strictly increasing', () => {
    const k = new Kraken('key', 'kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==');
    const body = k.body([['ordertype', 'limit'], ['pair', 'XBTUSD'], ['price', '37500'], ['type', 'buy'], ['volume', '1.25']], { nonce: 1_616_492_376_594 });
    assert.equal(body, 'nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25');
    const s = k.sign({ method: 'POST', url: 'https://api.kraken.com/0/private/AddOrder', body });
    assert.equal(s.header('API-Sign'), '4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==');
    const a = k.nextNonce(1_700_000_000_000);
    const b = k.nextNonce(1_700_000_000_000);
    assert.ok(b > a);
    assert.ok(k.nextNonce(0) > b);
    throwsCode(() => k.sign({ method: 'POST', url: 'https://api.kraken.com/0/private/Balance', body: 'x=1' }), 'invalid_request');
    throwsCode(() => new Kraken('k', 'not base64!'), 'invalid_credentials');
  });

  test('Coinbase, OKX, Bybit: the documented prehash, computed independently', () => {
    const secret = Buffer.from('coinbase secret bytes');
    const body = '{"size":"0.01","price":"0.100","side":"buy","product_id":"BTC-USD"}';
    let s = new Coinbase('ck', secret.toString('base64'), 'pp').sign({ method: 'post', url: 'https://api.exchange.coinbase.com/orders?status=open&limit=2', body, timestampMs: 1_700_000_000_999 });
    assert.equal(s.header('CB-ACCESS-SIGN'), hmacB64(secret, '1700000000POST/orders?status=open&limit=2' + body));
    assert.equal(s.header('CB-ACCESS-TIMESTAMP'), '1700000000');
    const ts = 1_607_418_537_715;
    const iso = new Date(ts).toISOString();
    assert.equal(iso, '2020-12-08T09:08:57.715Z');
    s = new Okx('ok', 'okx-secret', 'pw', { simulatedTrading: true }).sign({ url: 'https://www.okx.com/api/v5/account/balance?ccy=BTC', timestampMs: ts });
    assert.equal(s.header('OK-ACCESS-SIGN'), hmacB64('okx-secret', iso + 'GET/api/v5/account/balance?ccy=BTC'));
    assert.equal(s.header('x-simulated-trading'), '1');
    s = new Bybit('bk', 'bybit-secret', { recvWindow: 20000 }).sign({ method: 'POST', url: 'https://api.bybit.com/v5/order/create', body: '{"a":1}', timestampMs: ts });
    assert.equal(s.header('X-BAPI-SIGN'), hmacHex('bybit-secret', `${ts}bk20000{"a":1}`));
    throwsCode(() => new Okx('k', 's'), 'invalid_credentials');
    throwsCode(() => new Binance('k', ''), 'invalid_credentials');
    throwsCode(() => new Binance('k', Buffer.from('s')), 'invalid_credentials');
    throwsCode(() => new Binance('k', 's').sign({ url: 'https://h/x', timestampMs: -1 }), 'invalid_request');
  });

  test('AWS SigV4: the S3 documentation examples, presigned and in headers, and the verifier', () => {
    const aws = new AwsSigV4({ accessKeyId: S3_AKID, secretAccessKey: S3_SECRET, region: 'us-east-1', service: 's3', s3: true });
    const url = aws.presign({ url: 'https://examplebucket.s3.amazonaws.com/test.txt', expiresIn: 86_400, timestamp: S3_T });
    assert.ok(url.endsWith('&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404'));
    const s = aws.sign({ url: 'https://examplebucket.s3.amazonaws.com/test.txt', headers: { Range: 'bytes=0-9' }, timestamp: S3_T });
    assert.ok(s.header('Authorization').endsWith('Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'));
    assert.ok(s.canonicalRequest.includes('\nhost;range;x-amz-content-sha256;x-amz-date\n'));
    const v = new AwsSigV4Verifier({ region: 'us-east-1', service: 's3', credentials: { [S3_AKID]: S3_SECRET }, s3: true });
    const ok = v.verify({ url, now: S3_T + 86_400 });
    assert.equal(ok.presigned, true);
    assert.equal(ok.accessKeyId, S3_AKID);
    throwsCode(() => v.verify({ url, now: S3_T + 86_401 }), 'signature_expired');
    throwsCode(() => v.verify({ url: url.replace('test.txt', 'test2.txt'), now: S3_T }), 'signature_mismatch');
    throwsCode(() => aws.presign({ url: 'https://examplebucket.s3.amazonaws.com/test.txt', expiresIn: 604_801 }), 'invalid_settings');
  });

  test('AWS SigV4: the stages and params read after the headers are the ones that were signed', () => {
    const opts = { accessKeyId: S3_AKID, secretAccessKey: S3_SECRET, region: 'eu-west-1', service: 'execute-api', sessionToken: 'TOKEN/abc==' };
    const req = { method: 'POST', url: 'https://api.example.com/v1/x?b=2&a=1', headers: [['Content-Type', 'application/json'], ['X-Amz-Date', 'replaced']], body: '{"k":1}', timestamp: S3_T };
    const s = new AwsSigV4(opts).sign(req);
    // What a caller sends, first: the caller's lines (X-Amz-Date replaced), then the added ones.
    assert.deepEqual(Object.keys(s.headers), ['Content-Type', 'X-Amz-Date', 'X-Amz-Security-Token', 'Authorization']);
    assert.deepEqual(s.headerList.map(([n]) => n), Object.keys(s.headers));
    assert.equal(s.headers['X-Amz-Date'], '20130524T000000Z');
    assert.equal(s.url, req.url);
    // Then the stages: SHA-256 of the canonical request is in the string to sign, and the
    // signature is the HMAC of that string under the derived key (node:crypto, independently).
    const sha256 = crypto.createHash('sha256').update(s.canonicalRequest).digest('hex');
    assert.equal(s.stringToSign, `AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/eu-west-1/execute-api/aws4_request\n${sha256}`);
    assert.ok(s.canonicalRequest.startsWith('POST\n/v1/x\na=1&b=2\ncontent-type:application/json\nhost:api.example.com\n'));
    const hmac = (key, msg) => crypto.createHmac('sha256', key).update(msg).digest();
    let key = hmac('AWS4' + S3_SECRET, '20130524');
    for (const part of ['eu-west-1', 'execute-api', 'aws4_request']) key = hmac(key, part);
    assert.ok(s.headers.Authorization.endsWith(`, Signature=${hmac(key, s.stringToSign).toString('hex')}`));
    assert.deepEqual(s.headerParams.map((p) => [p.name, p.sensitive]), [['X-Amz-Date', false], ['X-Amz-Security-Token', true], ['Authorization', true]]);
    assert.deepEqual(s.queryParams, []);
    // The same request read in the other order gives the same answer; JSON hides the secrets.
    const t = new AwsSigV4(opts).sign(req);
    assert.deepEqual([t.canonicalRequest, t.stringToSign, t.headerList], [s.canonicalRequest, s.stringToSign, s.headerList]);
    const json = JSON.stringify(new AwsSigV4(opts).sign(req));
    assert.ok(!json.includes('TOKEN/abc') && !json.includes('Signature=') && json.includes('20130524T000000Z'), json);
    // `body` is a view of the caller's bytes. Changed after signing, the stages cannot be
    // derived again (typed error); a back end that derived them when signing still has them.
    // Never the stages of the changed bytes.
    const bytes = Buffer.from('{"k":1}');
    const m = new AwsSigV4(opts).sign({ ...req, body: bytes });
    bytes[0] = 0x5b; // the caller reuses its buffer
    let read;
    try {
      read = m.canonicalRequest;
    } catch (e) {
      read = e;
    }
    if (read instanceof Error) {
      assert.ok(read instanceof ProfileError && read.code === 'invalid_request' && /changed after signing/.test(read.message), String(read));
      const shown = util.inspect(m) + JSON.stringify(m); // still printable, and hides every value
      assert.ok(shown.includes('Authorization') && !shown.includes('Signature=') && !shown.includes('TOKEN/abc'), shown);
    } else {
      assert.equal(read, s.canonicalRequest, 'derived when signed: the stages of what was signed');
    }
  });

  test('AWS SigV4: authHeaders are the headers sign sets, for the same request', () => {
    // The S3 documentation's GET Object: only what signing sets, in order.
    const s3 = new AwsSigV4({ accessKeyId: S3_AKID, secretAccessKey: S3_SECRET, region: 'us-east-1', service: 's3', s3: true });
    const got = s3.authHeaders({ url: 'https://examplebucket.s3.amazonaws.com/test.txt', headers: { Range: 'bytes=0-9' }, timestamp: S3_T });
    assert.deepEqual(Object.keys(got), ['X-Amz-Date', 'x-amz-content-sha256', 'Authorization']);
    assert.ok(got.Authorization.endsWith('Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'));
    assert.equal(got['x-amz-content-sha256'], crypto.createHash('sha256').update('').digest('hex'));
    // Equal to sign()'s header params for every body and header shape, session token included.
    const aws = new AwsSigV4({ accessKeyId: 'AKID', secretAccessKey: 'secret', region: 'eu-west-1', service: 'execute-api', sessionToken: 'the-token' });
    const headerShapes = [{ 'Content-Type': 'application/json', 'x-amz-date': 'stale' }, [['Content-Type', 'application/json']], new Map([['Content-Type', 'application/json']])];
    for (const headers of headerShapes) {
      for (const body of ['{"k":1}', Buffer.from('{"k":1}'), new Uint8Array([123, 125]), undefined]) {
        const req = { method: 'POST', url: 'https://api.example.com/a?x=1', headers, body, timestamp: 1_700_000_000 };
        const want = Object.fromEntries(aws.sign(req).headerParams.map((p) => [p.name, p.value]));
        assert.deepEqual(aws.authHeaders(req), want);
        assert.deepEqual(Object.keys(want), ['X-Amz-Date', 'X-Amz-Security-Token', 'Authorization']);
      }
    }
    const unsigned = { method: 'PUT', url: 'https://api.example.com/u', body: 'data', timestamp: 1_700_000_000, unsignedPayload: true };
    assert.equal(aws.authHeaders(unsigned).Authorization, aws.sign(unsigned).header('Authorization'));
    // Values holding U+001F (a back end's field separator) or non-ASCII text come back whole.
    const paramsOf = (signer, req) => Object.fromEntries(signer.sign(req).headerParams.map((p) => [p.name, p.value]));
    const odd = { method: 'POST', url: 'https://api.example.com/\u00e9?q=\u00fc', headers: { 'X-Note': 'a\u001fb \u00fc' }, body: '{}', timestamp: 1_700_000_000 };
    for (const [accessKeyId, sessionToken] of [['AKID', 'tok\u001fen'], ['AK\u00cfD', undefined], ['AK\u00cfD', 'tok\u001fen']]) {
      const signer = new AwsSigV4({ accessKeyId, secretAccessKey: 'secret', region: 'eu-west-1', service: 'execute-api', sessionToken });
      const got = signer.authHeaders(odd);
      assert.deepEqual(got, paramsOf(signer, odd));
      assert.ok(got.Authorization.includes(`Credential=${accessKeyId}/`), got.Authorization);
      assert.equal(got['X-Amz-Security-Token'], sessionToken);
    }
    // Requests of every length around 2 KiB, ending in 1- to 4-byte characters: signed whole
    // (a back end that reads the request into a fixed buffer must not cut a character short).
    for (let n = 1990; n < 2070; n += 3) {
      for (const tail of ['', '\u00e9', '\u20ac', '\u{1f600}']) {
        const req = { method: 'POST', url: 'https://api.example.com/a', headers: { 'X-Long': 'x'.repeat(n) + tail }, body: '{}', timestamp: 1_700_000_000 };
        assert.deepEqual(aws.authHeaders(req), paramsOf(aws, req), `${n} + ${JSON.stringify(tail)}`);
      }
    }
    // Without a timestamp: now (read by the back end), to the second.
    const before = Math.floor(Date.now() / 1000);
    const stamp = aws.authHeaders({ url: 'https://api.example.com/' })['X-Amz-Date'];
    const at = Date.parse(stamp.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z')) / 1000;
    assert.ok(Math.abs(at - before) <= 5, stamp);
    // Bad input: typed errors, no secret in them.
    throwsCode(() => aws.authHeaders({ url: 'not a url' }), 'invalid_request');
    throwsCode(() => aws.authHeaders({ url: 'https://api.example.com/', timestamp: -1 }), 'invalid_request');
    throwsCode(() => aws.authHeaders({ url: 'https://api.example.com/', body: 5 }), 'invalid_request');
    throwsCode(() => aws.authHeaders(null), 'invalid_request');
    try {
      aws.authHeaders({ url: 'https://api.example.com/', headers: { 'Bad Name': 'x' } });
      assert.fail('a bad header name signs');
    } catch (e) {
      assert.ok(e instanceof ProfileError && e.code === 'invalid_request' && !e.message.includes('secret'), String(e));
    }
  });

  test('RFC 9421: B.2.5 byte for byte, verify, digest, responses', () => {
    const signer = new Rfc9421('test-shared-secret', RFC_SECRET, { label: 'sig-b25', components: ['date', '@authority', 'content-type'] });
    const s = signer.sign({
      method: 'POST',
      url: 'https://example.com/foo?param=Value&Pet=dog',
      headers: [['Host', 'example.com'], ['Date', 'Tue, 20 Apr 2021 02:07:55 GMT'], ['Content-Type', 'application/json'], ['Content-Length', '18']],
      body: '{"hello": "world"}',
      created: 1_618_884_473,
    });
    assert.equal(s.header('Signature'), 'sig-b25=:pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=:');
    const v = new Rfc9421Verifier({ 'test-shared-secret': RFC_SECRET }, { requiredComponents: ['@authority'] });
    const got = v.verify({ method: s.method, url: s.url, headers: s.headerList, body: s.body, now: 1_618_884_480 });
    assert.deepEqual([got.label, got.keyId, got.components], ['sig-b25', 'test-shared-secret', ['date', '@authority', 'content-type']]);
    throwsCode(() => v.verify({ method: s.method, url: s.url, headers: s.headerList, body: s.body, now: 1_618_884_473 + 301 }), 'timestamp_out_of_tolerance');

    const key = '0123456789abcdef0123456789abcdef';
    const r = new Rfc9421('k1', key);
    const signed = r.sign({ method: 'POST', url: 'https://api.example.com/v1/items?x=1', body: '{}', created: 1_700_000_000, nonce: 'n1' });
    assert.equal(signed.header('Signature'), 'sig1=:' + hmacB64(key, signed.signatureBase) + ':');
    const kv = new Rfc9421Verifier({ k1: key });
    assert.equal(kv.verify({ method: 'POST', url: signed.url, headers: signed.headerList, body: '{}', now: 1_700_000_001 }).nonce, 'n1');
    throwsCode(() => kv.verify({ method: 'POST', url: signed.url, headers: signed.headerList, body: '{ }', now: 1_700_000_001 }), 'digest_mismatch');
    const res = r.signResponse({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{}', created: 1_700_000_000 });
    assert.deepEqual(kv.verifyResponse({ status: 200, headers: res.headerList, body: '{}', now: 1_700_000_000 }).components, ['@status', 'content-digest']);
    throwsCode(() => kv.verifyResponse({ status: 500, headers: res.headerList, body: '{}', now: 1_700_000_000 }), 'signature_mismatch');
    throwsCode(() => new Rfc9421('k', ''), 'invalid_credentials');
    throwsCode(() => new Rfc9421('k', 'secret', { components: ['@nope'] }), 'malformed_signature');
  });

  test('webhooks: GitHub, Slack and Standard Webhooks documented examples; Stripe as documented', () => {
    const gh = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    assert.deepEqual(signWebhook('github', "It's a Secret to Everybody", 'Hello, World!'), { 'X-Hub-Signature-256': gh });
    assert.equal(verifyWebhook('github', "It's a Secret to Everybody", { 'x-hub-signature-256': gh, 'x-github-delivery': 'd1' }, 'Hello, World!').id, 'd1');

    const std = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': '1614265330', 'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' };
    const ev = verifyWebhook('standard', ['whsec_' + Buffer.from('old').toString('base64'), 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], std, '{"test": 2432232314}', { now: 1_614_265_330 });
    assert.deepEqual([ev.id, ev.secretIndex], ['msg_p5jXN8AQM9LWM0D4loKWxJek', 1]);

    const slack = { 'X-Slack-Request-Timestamp': '1531420618', 'X-Slack-Signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' };
    const slackBody = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    assert.equal(verifyWebhook('slack', '8f742231b10e8888abcd99yyyzzz85a5', slack, slackBody, { now: 1_531_420_700 }).timestamp, 1_531_420_618);
    throwsCode(() => verifyWebhook('slack', '8f742231b10e8888abcd99yyyzzz85a5', slack, slackBody, { now: 1_531_420_619 + 300 }), 'webhook_timestamp_out_of_tolerance');

    const secret = 'whsec_test_secret';
    const payload = '{\n  "id": "evt_1"\n}';
    const h = signWebhook('stripe', secret, payload, { timestamp: 1_700_000_000 });
    assert.equal(h['Stripe-Signature'], 't=1700000000,v1=' + hmacHex(secret, '1700000000.' + payload));
    assert.equal(verifyWebhook('stripe', secret, h, Buffer.from(payload), { now: 1_700_000_010 }).timestamp, 1_700_000_000);
    throwsCode(() => verifyWebhook('stripe', secret, h, JSON.stringify(JSON.parse(payload)), { now: 1_700_000_010 }), 'signature_mismatch');
    throwsCode(() => verifyWebhook('stripe', secret, {}, payload), 'missing_header');
    throwsCode(() => verifyWebhook('nope', secret, {}, payload), 'invalid_settings');
    throwsCode(() => verifyWebhook('stripe', secret, h, 42), 'invalid_request');
  });

  test('no secret in inspection, JSON, strings or error messages', () => {
    const secrets = [BINANCE_SECRET, 'okx-secret-value-xyz', 'passphrase-value-xyz', 'aws-secret-value-xyz', 'aws-session-token-xyz', 'rfc-secret-value-xyz', 'webhook-secret-value-xyz'];
    const okx = new Okx('k', 'okx-secret-value-xyz', 'passphrase-value-xyz');
    const aws = new AwsSigV4({ accessKeyId: 'AKID', secretAccessKey: 'aws-secret-value-xyz', region: 'r', service: 's', sessionToken: 'aws-session-token-xyz' });
    const objs = [new Binance('k', BINANCE_SECRET), okx, aws, new Rfc9421('k', 'rfc-secret-value-xyz'), new Rfc9421Verifier({ k: 'rfc-secret-value-xyz' }),
      new AwsSigV4Verifier({ region: 'r', service: 's', credentials: { AKID: 'aws-secret-value-xyz' } }),
      okx.sign({ url: 'https://h/x', timestampMs: 1 }), aws.sign({ url: 'https://h/x', timestamp: 1 })];
    const texts = objs.flatMap((o) => [util.inspect(o, { depth: 5 }), String(o), JSON.stringify(o)]);
    for (const fn of [
      () => new Okx('k', 'okx-secret-value-xyz'),
      () => new Kraken('k', 'webhook-secret-value-xyz!'),
      () => verifyWebhook('stripe', 'webhook-secret-value-xyz', { 'Stripe-Signature': 't=1,v1=zz' }, ''),
      () => verifyWebhook('standard', 'whsec_webhook-secret-value-xyz', {}, ''),
      () => new Binance(BINANCE_SECRET, 42),
    ]) {
      try {
        fn();
        assert.fail('expected a throw');
      } catch (e) {
        assert.ok(e instanceof ProfileError, String(e));
        texts.push(String(e), e.message, util.inspect(e));
      }
    }
    for (const t of texts) for (const s of secrets) assert.ok(!t.includes(s), `${s} leaked in ${t}`);
  });

  test('bad request and response shapes are typed errors', () => {
    const b = new Binance('k', 's');
    throwsCode(() => b.sign(null), 'invalid_request');
    throwsCode(() => b.sign({ url: 42 }), 'invalid_request');
    throwsCode(() => b.sign({ url: 'https://h/x', headers: 42 }), 'invalid_request');
    throwsCode(() => b.sign({ url: 'https://h/x', body: {} }), 'invalid_request');
    const r = new Rfc9421('k1', '0123456789abcdef0123456789abcdef');
    throwsCode(() => r.signResponse({ headers: {} }), 'invalid_request');
    throwsCode(() => r.signResponse({ status: 42 }), 'invalid_request');
    throwsCode(() => new Rfc9421('k', 's', { components: 'date' }), 'invalid_settings');
    throwsCode(() => new AwsSigV4(null), 'invalid_credentials');
    throwsCode(() => new AwsSigV4({ accessKeyId: 'a', secretAccessKey: 's', region: 1, service: 's' }), 'invalid_settings');
  });
};
