'use strict';
/**
 * A pure-JavaScript implementation of sigwire-v1 (SPEC.md) on node:crypto, used as the baseline of
 * the benchmark; its canonical string is bench/canonical.js, shared with the browser benchmark.
 * test/purejs-baseline.test.js checks it against the shared vectors so that the comparison is with
 * a correct implementation. Not part of the package.
 */
const crypto = require('node:crypto');
const { SpecError, bad, KEY_ID, NONCE, trimSpTab, headerMap, checkConfig, signedNames, canonicalHead, authorizationValue } = require('./canonical');

const malformed = (m) => new SpecError('malformed_authorization', m);
const ALGORITHMS = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' };
const EMPTY = Buffer.alloc(0);

/** The full canonical string: the shared head, then the body's hex digest. */
function canonical(alg, keyId, timestamp, nonce, method, url, map, body, names) {
  return canonicalHead(alg, keyId, timestamp, nonce, method, url, map, names) + crypto.createHash(ALGORITHMS[alg]).update(body).digest('hex');
}

function bodyBytes(body) {
  if (body === undefined || body === null) return EMPTY;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

class PureSigner {
  constructor({ keyId, secret, algorithm = 'hmac-sha256', signedHeaders = [] }) {
    const { bytes, extra } = checkConfig(keyId, secret, algorithm, signedHeaders, ALGORITHMS);
    this.secret = bytes;
    this.keyId = keyId;
    this.algorithm = algorithm;
    this.extra = extra;
  }

  signDetailed({ method, url, headers, body, timestamp, nonce }) {
    const ts = timestamp ?? Math.floor(Date.now() / 1000);
    const n = nonce ?? crypto.randomBytes(16).toString('base64url');
    if (!NONCE.test(n)) throw bad('bad nonce');
    const b = bodyBytes(body);
    const map = headerMap(headers);
    const names = signedNames(map, b.length, this.extra);
    const cs = canonical(this.algorithm, this.keyId, ts, n, method, url, map, b, names);
    const signature = crypto.createHmac(ALGORITHMS[this.algorithm], this.secret).update(cs).digest('hex');
    return { authorization: authorizationValue(this.keyId, this.algorithm, ts, n, names, signature), canonicalString: cs, signature };
  }

  sign(request) {
    return { Authorization: this.signDetailed(request).authorization };
  }
}

const PARAM = /^\s*([A-Za-z]+)="([^"\\]*)"\s*$/;

function parseAuthorization(value) {
  const v = trimSpTab(value);
  if (v.length > 4096) throw malformed('too long');
  const m = /^HMAC +/i.exec(v);
  if (!m) throw malformed('not HMAC');
  const params = {};
  for (const part of v.slice(m[0].length).split(',')) {
    const p = PARAM.exec(part);
    if (!p) throw malformed('bad parameter');
    const [, name, val] = p;
    if (!['apiKey', 'algorithm', 'timestamp', 'nonce', 'signedHeaders', 'signature'].includes(name) || name in params) throw malformed('bad parameter name');
    params[name] = val;
  }
  if (Object.keys(params).length !== 6) throw malformed('missing parameter');
  if (!KEY_ID.test(params.apiKey) || !/^(0|[1-9][0-9]{0,11})$/.test(params.timestamp) || !NONCE.test(params.nonce)) throw malformed('bad value');
  return params;
}

class PureVerifier {
  constructor({ keys, windowSeconds = 300 }) {
    this.keys = new Map(Object.entries(keys).map(([k, s]) => [k, Buffer.from(s)]));
    this.window = windowSeconds;
    this.seen = new Map();
  }

  verify({ method, url, headers, body }, { now = Math.floor(Date.now() / 1000) } = {}) {
    const map = headerMap(headers);
    const auths = map.get('authorization');
    if (!auths) throw new SpecError('missing_authorization', 'no Authorization header');
    if (auths.length > 1) throw malformed('several Authorization headers');
    const p = parseAuthorization(auths[0]);
    const hash = ALGORITHMS[p.algorithm];
    if (!hash) throw new SpecError('unsupported_algorithm', 'unsupported algorithm');
    const sigLen = p.algorithm === 'hmac-sha256' ? 64 : 128;
    if (p.signature.length !== sigLen || !/^[0-9a-f]+$/.test(p.signature)) throw malformed('bad signature');
    const names = p.signedHeaders.split(';');
    const b = bodyBytes(body);
    if (names[0] === '' || names.length > 32 || !names.includes('host') || new Set(names).size !== names.length || names.includes('authorization')) throw malformed('bad signedHeaders');
    for (const n of names) if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(n)) throw malformed('bad signedHeaders');
    if (b.length > 0 && map.has('content-type') && !names.includes('content-type')) throw malformed('content-type must be signed');
    const ts = Number(p.timestamp);
    if (Math.abs(ts - now) > this.window) throw new SpecError('stale_timestamp', 'stale');
    const secret = this.keys.get(p.apiKey);
    if (!secret) throw new SpecError('unknown_key', 'unknown key');
    const cs = canonical(p.algorithm, p.apiKey, ts, p.nonce, method, url, map, b, names);
    const mac = crypto.createHmac(hash, secret).update(cs).digest();
    if (!crypto.timingSafeEqual(mac, Buffer.from(p.signature, 'hex'))) throw new SpecError('signature_mismatch', 'mismatch');
    const k = p.apiKey + ' ' + p.nonce;
    const exp = this.seen.get(k);
    if (exp !== undefined && exp >= now) throw new SpecError('replayed_nonce', 'replay');
    this.seen.set(k, ts + this.window);
    return p.apiKey;
  }
}

module.exports = { PureSigner, PureVerifier, SpecError };
