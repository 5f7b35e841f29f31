/**
 * Two pure-JavaScript implementations of sigwire-v1 signing (SPEC.md), the baselines of the
 * browser benchmark. Not part of the package.
 *
 *  - WebCryptoSigner: the canonical string in JavaScript, SHA-256/512 and HMAC through
 *    `crypto.subtle` (asynchronous, native code behind it). The HMAC key is imported once.
 *  - SyncSigner: the same canonical string, hashing with @noble/hashes (audited pure-JS SHA-2),
 *    with the HMAC key schedule computed once and cloned per message.
 *
 * Both are written for speed like a careful hand-rolled SDK would be (fast paths for input that is
 * already canonical), and the benchmark page checks that they produce exactly the core's
 * signatures before timing anything, and checks them against the shared positive vectors.
 * Not covered: IPv6 literal hosts (refused).
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
// The canonical string shared with the Node benchmark (sdk-node/bench/canonical.js; ES-module copy
// written by scripts/esm.mjs).
import { bad, NONCE, encoder, headerMap, checkConfig, signedNames, canonicalHead, authorizationValue } from '../dist/bench/canonical.js';

const LOWER_HEX = '0123456789abcdef';
const ALGORITHMS = {
  'hmac-sha256': { noble: sha256, subtle: 'SHA-256' },
  'hmac-sha512': { noble: sha512, subtle: 'SHA-512' },
};
const EMPTY = new Uint8Array(0);

export function toHex(bytes) {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += LOWER_HEX[bytes[i] >> 4] + LOWER_HEX[bytes[i] & 15];
  return out;
}

/** Everything of the canonical string but the body digest (SPEC §4), and the signed names. */
function prepare(signer, { method, url, headers, body, timestamp, nonce }) {
  const ts = timestamp ?? Math.floor(Date.now() / 1000);
  const n = nonce ?? randomNonce();
  if (!NONCE.test(n)) throw bad('bad nonce');
  if (!Number.isSafeInteger(ts) || ts < 0 || ts > 999999999999) throw bad('bad timestamp');
  const b = body === undefined || body === null ? EMPTY : typeof body === 'string' ? encoder.encode(body) : body;
  const map = headerMap(headers);
  const names = signedNames(map, b.length, signer.extra);
  const head = canonicalHead(signer.algorithm, signer.keyId, ts, n, method, url, map, names);
  return { head, body: b, ts, nonce: n, names };
}

function authorization(signer, p, signature) {
  return authorizationValue(signer.keyId, signer.algorithm, p.ts, p.nonce, p.names, signature);
}

/** 128 random bits from crypto.getRandomValues, base64url without padding. */
function randomNonce() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let bin = '';
  for (let i = 0; i < 16; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Synchronous pure-JS signer (@noble/hashes). */
export class SyncSigner {
  constructor({ keyId, secret, algorithm = 'hmac-sha256', signedHeaders = [] }) {
    const { bytes, extra } = checkConfig(keyId, secret, algorithm, signedHeaders, ALGORITHMS);
    this.keyId = keyId;
    this.algorithm = algorithm;
    this.extra = extra;
    this.hash = ALGORITHMS[algorithm].noble;
    this.keyed = hmac.create(this.hash, bytes); // key schedule once; cloned per message
  }

  signDetailed(request) {
    const p = prepare(this, request);
    const canonicalString = p.head + toHex(this.hash(p.body));
    const signature = toHex(this.keyed.clone().update(encoder.encode(canonicalString)).digest());
    return { authorization: authorization(this, p, signature), canonicalString, signature };
  }

  sign(request) {
    return { Authorization: this.signDetailed(request).authorization };
  }
}

/** Asynchronous signer on WebCrypto (`crypto.subtle`). Create with `await WebCryptoSigner.create(...)`. */
export class WebCryptoSigner {
  static async create({ keyId, secret, algorithm = 'hmac-sha256', signedHeaders = [] }) {
    const { bytes, extra } = checkConfig(keyId, secret, algorithm, signedHeaders, ALGORITHMS);
    const s = new WebCryptoSigner();
    s.keyId = keyId;
    s.algorithm = algorithm;
    s.extra = extra;
    s.digest = ALGORITHMS[algorithm].subtle;
    s.key = await crypto.subtle.importKey('raw', bytes, { name: 'HMAC', hash: s.digest }, false, ['sign']);
    return s;
  }

  async signDetailed(request) {
    const p = prepare(this, request);
    const canonicalString = p.head + toHex(new Uint8Array(await crypto.subtle.digest(this.digest, p.body)));
    const signature = toHex(new Uint8Array(await crypto.subtle.sign('HMAC', this.key, encoder.encode(canonicalString))));
    return { authorization: authorization(this, p, signature), canonicalString, signature };
  }

  async sign(request) {
    return { Authorization: (await this.signDetailed(request)).authorization };
  }
}
