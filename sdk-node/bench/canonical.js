'use strict';
/**
 * The canonical string of sigwire-v1 (SPEC.md §3–4) in plain JavaScript: the part both benchmark
 * baselines share (bench/purejs.js here on node:crypto; sdk-wasm/bench/purejs.js on @noble/hashes
 * and WebCrypto, which gets an ES-module copy at build time from sdk-wasm/scripts/esm.mjs). Written
 * for speed like a careful hand-rolled SDK would be (fast paths for already-canonical input). Not
 * part of any package. Not covered: IPv6 literal hosts (refused).
 */

class SpecError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const bad = (m) => new SpecError('invalid_request', m);

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
const encoder = new TextEncoder();

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
  const b = encoder.encode(s);
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

/** SPEC §3.2–3.3: scheme, host line, canonical path and query of an absolute http(s) URL. */
function parseUrl(url) {
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
  const host = hostLine(authority, scheme);
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

/** Header lines ([name, value] pairs or a plain object) -> Map(lowercase name -> [values]). */
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

/** A signer's key id, secret bytes and extra signed names, checked; `hashes` maps the algorithms offered. */
function checkConfig(keyId, secret, algorithm, signedHeaders, hashes) {
  if (!KEY_ID.test(keyId)) throw new SpecError('invalid_key_id', 'bad key id');
  const bytes = typeof secret === 'string' ? encoder.encode(secret) : new Uint8Array(secret);
  if (bytes.length < 16) throw new SpecError('invalid_secret', 'secret too short');
  if (!hashes[algorithm]) throw new SpecError('unsupported_algorithm', 'unsupported algorithm');
  const extra = [];
  for (const n of signedHeaders) {
    if (!TOKEN.test(n)) throw bad('bad header name');
    const l = n.toLowerCase();
    if (l === 'authorization') throw bad('authorization cannot be signed');
    extra.push(l);
  }
  return { bytes, extra };
}

/** The names a signer signs: host, content-type with a body, then its extra names (SPEC §4.1). */
function signedNames(map, bodyLength, extra) {
  const names = ['host'];
  if (bodyLength > 0 && map.has('content-type')) names.push('content-type');
  for (const e of extra) if (!names.includes(e)) names.push(e);
  if (names.length > 32) throw bad('too many signed headers');
  return names;
}

/** The canonical string up to (not including) the body digest, each line ending in "\n" (SPEC §4). */
function canonicalHead(alg, keyId, timestamp, nonce, method, url, map, names) {
  if (!TOKEN.test(method) || method.length > 32) throw bad('bad method');
  const u = parseUrl(url);
  let head = `sigwire-v1\n${alg}\n${keyId}\n${timestamp}\n${nonce}\n${method}\n${u.scheme}\n${u.path}\n${u.query}\n${names.join(';')}\n`;
  const hostValues = map.get('host');
  if (hostValues && (hostValues.length !== 1 || hostLine(trimSpTab(hostValues[0]), u.scheme) !== u.host)) {
    throw bad('Host header does not match the URL');
  }
  for (const name of names) {
    if (name === 'host') {
      head += 'host:' + u.host + '\n';
      continue;
    }
    const values = map.get(name);
    if (!values) throw bad(`signed header ${name} is missing`);
    if (values.length > 1) throw bad('signed header on several lines');
    if (!HEADER_VALUE.test(values[0])) throw bad('bad header value');
    head += name + ':' + trimSpTab(values[0]) + '\n';
  }
  return head;
}

/** The Authorization header value of a signature. */
function authorizationValue(keyId, alg, timestamp, nonce, names, signature) {
  return `HMAC apiKey="${keyId}", algorithm="${alg}", timestamp="${timestamp}", nonce="${nonce}", signedHeaders="${names.join(';')}", signature="${signature}"`;
}

module.exports = { SpecError, bad, TOKEN, KEY_ID, NONCE, encoder, trimSpTab, headerMap, checkConfig, signedNames, canonicalHead, authorizationValue };
