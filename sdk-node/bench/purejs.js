'use strict';
/**
 * A pure-JavaScript implementation of sigwire-v1 (SPEC.md) on node:crypto, used as the baseline of
 * the benchmark. It is written for speed like a careful hand-rolled SDK would be (fast paths for
 * already-canonical input), and test/purejs-baseline.test.js checks it against the shared vectors
 * so that the comparison is with a correct implementation. Not part of the package.
 * Not covered: IPv6 literal hosts (refused).
 */
const crypto = require('node:crypto');

class SpecError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const bad = (m) => new SpecError('invalid_request', m);
const malformed = (m) => new SpecError('malformed_authorization', m);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const KEY_ID = /^[A-Za-z0-9\-._~+/=:@]{1,128}$/;
const NONCE = /^[A-Za-z0-9_-]{16,128}$/;
const HOSTNAME = /^[A-Za-z0-9\-._~]{1,253}$/;
const CLEAN_PATH = /^[A-Za-z0-9\-._~/]*$/;
const CLEAN_QUERY_PART = /^[A-Za-z0-9\-._~]*$/;
const BAD_URL_BYTE = /[\x00-\x1f\x7f]/;
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
const HEX = '0123456789ABCDEF';
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;
const ALGORITHMS = { 'hmac-sha256': 'sha256', 'hmac-sha512': 'sha512' };
const EMPTY = Buffer.alloc(0);

function hexVal(c) {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** SPEC §3.3 percent-encoding normalisation. */
function normalize(s, isPath) {
  if (isPath ? CLEAN_PATH.test(s) : CLEAN_QUERY_PART.test(s)) return s;
  if (isPath && s.includes('\\')) throw bad('raw backslash in path');
  const b = Buffer.from(s, 'utf8');
  let out = '';
  for (let i = 0; i < b.length; i++) {
    let c = b[i];
    if (c === 37) {
      const h = i + 2 < b.length ? hexVal(b[i + 1]) : -1;
      const l = h >= 0 ? hexVal(b[i + 2]) : -1;
      if (l < 0) throw bad('bad percent-encoding');
      c = h * 16 + l;
      i += 2;
      out += UNRESERVED[c] ? String.fromCharCode(c) : '%' + HEX[c >> 4] + HEX[c & 15];
    } else if (UNRESERVED[c] || c === 43 || c === 44 || c === 58 || c === 59 || c === 61 || (isPath && c === 47)) {
      // Unreserved bytes and raw + , : ; = are kept as sent (SPEC §3.3, §4.2).
      out += String.fromCharCode(c);
    } else {
      out += '%' + HEX[c >> 4] + HEX[c & 15];
    }
  }
  return out;
}

/** SPEC §3.2: scheme and authority. */
function parseAuthority(url) {
  if (url.length > 16384) throw bad('URL too long');
  if (BAD_URL_BYTE.test(url)) throw bad('control byte in URL');
  const colon = url.indexOf(':');
  const scheme = colon > 0 ? url.slice(0, colon).toLowerCase() : '';
  if ((scheme !== 'http' && scheme !== 'https') || url[colon + 1] !== '/' || url[colon + 2] !== '/') throw bad('URL must be absolute http(s)');
  const start = colon + 3;
  let end = start;
  while (end < url.length && url[end] !== '/' && url[end] !== '?' && url[end] !== '#') end++;
  const authority = url.slice(start, end);
  if (authority.includes('@')) throw bad('credentials in URL');
  return { host: hostLine(authority, scheme), scheme, end };
}

/** SPEC §3.2 host rules: `host` or `host:port` with the scheme's default port dropped. */
function hostLine(authority, scheme) {
  if (authority.startsWith('[')) throw bad('IPv6 hosts are not supported by this baseline');
  let host = authority;
  let port = '';
  const pc = authority.lastIndexOf(':');
  if (pc >= 0) {
    host = authority.slice(0, pc);
    port = authority.slice(pc + 1);
  }
  if (!HOSTNAME.test(host)) throw bad('bad host');
  host = host.toLowerCase();
  if (port !== '') {
    if (!/^[0-9]{1,5}$/.test(port)) throw bad('bad port');
    const n = Number(port);
    if (n < 1 || n > 65535) throw bad('bad port');
    if (!((scheme === 'http' && n === 80) || (scheme === 'https' && n === 443))) host += ':' + n;
  }
  return host;
}

function parseUrl(url) {
  const { host, scheme, end } = parseAuthority(url);
  let hash = url.indexOf('#', end);
  if (hash < 0) hash = url.length;
  let q = url.indexOf('?', end);
  if (q > hash) q = -1;
  const rawPath = url.slice(end, q >= 0 ? q : hash);
  const path = rawPath === '' ? '/' : normalize(rawPath, true);
  let query = '';
  if (q >= 0) {
    const pieces = [];
    for (const piece of url.slice(q + 1, hash).split('&')) {
      if (piece === '') continue;
      const eq = piece.indexOf('=');
      const name = normalize(eq < 0 ? piece : piece.slice(0, eq), false);
      // Kept in the order sent; a bare `a` stays `a` (SPEC §4.2).
      pieces.push(eq < 0 ? name : name + '=' + normalize(piece.slice(eq + 1), false));
    }
    query = pieces.join('&');
  }
  return { host, scheme, path, query };
}

function trimSpTab(v) {
  let a = 0;
  let b = v.length;
  while (a < b && (v[a] === ' ' || v[a] === '\t')) a++;
  while (b > a && (v[b - 1] === ' ' || v[b - 1] === '\t')) b--;
  return a === 0 && b === v.length ? v : v.slice(a, b);
}

/** Header lines as [name, value] pairs -> Map(lowercase name -> [values]). */
function headerMap(headers) {
  const map = new Map();
  const add = (n, v) => {
    const k = n.toLowerCase();
    const list = map.get(k);
    if (list) list.push(v);
    else map.set(k, [v]);
  };
  if (Array.isArray(headers)) for (const [n, v] of headers) add(n, String(v));
  else if (headers) for (const n of Object.keys(headers)) add(n, String(headers[n]));
  return map;
}

function canonical(alg, keyId, timestamp, nonce, method, url, headers, body, signedNames) {
  if (!TOKEN.test(method) || method.length > 32) throw bad('bad method');
  const u = parseUrl(url);
  const lines = ['sigwire-v1', alg, keyId, String(timestamp), nonce, method, u.scheme, u.path, u.query, signedNames.join(';')];
  const hostValues = headers.get('host');
  if (hostValues) {
    if (hostValues.length !== 1 || hostLine(trimSpTab(hostValues[0]), u.scheme) !== u.host) throw bad('Host header does not match the URL');
  }
  for (const name of signedNames) {
    if (name === 'host') {
      lines.push('host:' + u.host);
      continue;
    }
    const values = headers.get(name);
    if (!values) throw bad(`signed header ${name} is missing`);
    if (values.length > 1) throw bad('signed header on several lines');
    if (!HEADER_VALUE.test(values[0])) throw bad('bad header value');
    lines.push(name + ':' + trimSpTab(values[0]));
  }
  lines.push(crypto.createHash(ALGORITHMS[alg]).update(body).digest('hex'));
  return lines.join('\n');
}

function bodyBytes(body) {
  if (body === undefined || body === null) return EMPTY;
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

class PureSigner {
  constructor({ keyId, secret, algorithm = 'hmac-sha256', signedHeaders = [] }) {
    if (!KEY_ID.test(keyId)) throw new SpecError('invalid_key_id', 'bad key id');
    this.secret = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
    if (this.secret.length < 16) throw new SpecError('invalid_secret', 'secret too short');
    if (!ALGORITHMS[algorithm]) throw new SpecError('unsupported_algorithm', 'unsupported algorithm');
    this.keyId = keyId;
    this.algorithm = algorithm;
    this.extra = [];
    for (const n of signedHeaders) {
      if (!TOKEN.test(n)) throw bad('bad header name');
      const l = n.toLowerCase();
      if (l === 'authorization') throw bad('authorization cannot be signed');
      this.extra.push(l);
    }
  }

  signDetailed({ method, url, headers, body, timestamp, nonce }) {
    const ts = timestamp ?? Math.floor(Date.now() / 1000);
    const n = nonce ?? crypto.randomBytes(16).toString('base64url');
    if (!NONCE.test(n)) throw bad('bad nonce');
    const b = bodyBytes(body);
    const map = headerMap(headers);
    const names = ['host'];
    if (b.length > 0 && map.has('content-type')) names.push('content-type');
    for (const e of this.extra) if (!names.includes(e)) names.push(e);
    if (names.length > 32) throw bad('too many signed headers');
    const cs = canonical(this.algorithm, this.keyId, ts, n, method, url, map, b, names);
    const signature = crypto.createHmac(ALGORITHMS[this.algorithm], this.secret).update(cs).digest('hex');
    const authorization = `HMAC apiKey="${this.keyId}", algorithm="${this.algorithm}", timestamp="${ts}", nonce="${n}", signedHeaders="${names.join(';')}", signature="${signature}"`;
    return { authorization, canonicalString: cs, signature };
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
