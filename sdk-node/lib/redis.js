'use strict';
/**
 * Redis-backed replay store and GCRA rate limiter, with exactly the key layout, scripts and epoch
 * rule of docs/redis-layout.md — so Express/Fastify services, Python services and the Rust
 * gateway can share one Redis, and a nonce accepted by one is refused by the others.
 *
 * Bring your own connected client (node-redis 4 or 5: `createClient({ url })`, or anything with
 * `sendCommand(argv)`). Every command has a deadline (`timeoutMs`, default 1000, like the
 * gateway's `timeouts.redis_ms`): no answer in time, a lost connection or any Redis error
 * (`OOM` included) rejects, and the verifier answers 503 `replay_store_unavailable` — a request is
 * never accepted unless the claim script returned 1 (fail closed).
 */

const crypto = require('node:crypto');
const { makeError } = require('./errors');
const { describe } = require('./convert');

/** The claim script of docs/redis-layout.md §2. KEYS: epoch, nonce. ARGV: now, timestamp, ttl. */
const CLAIM_LUA = `
local epoch = redis.call('GET', KEYS[1])
if not epoch then
  redis.call('SET', KEYS[1], ARGV[1])
  epoch = ARGV[1]
end
if tonumber(ARGV[2]) <= tonumber(epoch) then
  return {0, tonumber(epoch)}
end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'EX', ARGV[3]) then
  return {1, tonumber(epoch)}
end
return {2, tonumber(epoch)}
`;

/** The GCRA script of docs/redis-layout.md §4. KEYS: limiter key. ARGV: T (ms), burst, take. */
const GCRA_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local T = tonumber(ARGV[1])
local limit = T * tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + T
if new_tat - now > limit then
  return {0, 0, new_tat - now - limit, tat - now}
end
if ARGV[3] == '1' then
  redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', new_tat - now)
  tat = new_tat
end
return {1, math.floor((limit - (tat - now)) / T), 0, tat - now}
`;

const NAMESPACE = /^[A-Za-z0-9._-]{1,64}$/;
const DEFAULT_TIMEOUT_MS = 1000;

function config(message) {
  return makeError('invalid_config', message);
}

/** One script, run by SHA (EVALSHA) with a fallback to EVAL when Redis does not know it yet. */
class Script {
  constructor(source) {
    this.source = source;
    this.sha = crypto.createHash('sha1').update(source).digest('hex');
  }

  async run(conn, keys, args) {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await conn.send(['EVALSHA', this.sha, ...tail]);
    } catch (e) {
      if (!/NOSCRIPT/.test(String(e && e.message))) throw e;
      return conn.send(['EVAL', this.source, ...tail]);
    }
  }
}

const CLAIM = new Script(CLAIM_LUA);
const GCRA = new Script(GCRA_LUA);

/** The client, the namespace and the deadline shared by the store and the limiter. */
class Connection {
  constructor(options, what) {
    if (options === null || typeof options !== 'object') throw config(`${what} options must be an object (got ${describe(options)})`);
    const { client, namespace = 'sigwire', timeoutMs = DEFAULT_TIMEOUT_MS } = options;
    if (!client || typeof client.sendCommand !== 'function') {
      throw config(`${what} needs { client }: a connected node-redis client (got ${describe(client)})`);
    }
    if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
      throw config('namespace must be 1-64 characters of A-Z a-z 0-9 - _ .');
    }
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw config('timeoutMs must be a positive integer');
    this.client = client;
    this.namespace = namespace;
    this.timeoutMs = timeoutMs;
  }

  key(...parts) {
    return [this.namespace, ...parts].join(':');
  }

  /** Sends one command; rejects when Redis errs or does not answer within the deadline. */
  send(argv) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      let pending;
      try {
        pending = Promise.resolve(this.client.sendCommand(argv));
      } catch (e) {
        pending = Promise.reject(e);
      }
      pending.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

function integer(v) {
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  if (!Number.isFinite(n)) throw new Error('Redis answered with something that is not a number');
  return n;
}

/**
 * The replay store of docs/redis-layout.md: `claim(ticket)` runs the claim script once per
 * `(key id, nonce)` and resolves to `'fresh'`, `'replayed'` or `'before_epoch'`; it rejects when
 * Redis does not answer (the verifier then answers 503 `replay_store_unavailable`).
 *
 * ```js
 * const redis = await createClient({ url: 'redis://127.0.0.1:6379' }).connect();
 * const verifier = new Verifier({ keys, replayStore: new RedisReplayStore({ client: redis, namespace: 'sigwire' }) });
 * ```
 */
class RedisReplayStore {
  #conn;

  /** @param {{client: any, namespace?: string, timeoutMs?: number}} options */
  constructor(options) {
    this.#conn = new Connection(options, 'RedisReplayStore');
  }

  /** The namespace every key starts with. */
  get namespace() {
    return this.#conn.namespace;
  }

  /**
   * Claims the ticket's nonce (docs/redis-layout.md §2): `KEYS = [<ns>:epoch,
   * <ns>:replay:<key id>:<nonce>]`, `ARGV = [now, timestamp, max(1, expiresAt − now + 1)]`.
   * @param {{keyId: string, nonce: string | null, timestamp: number, expiresAt: number, authenticatedAt: number}} ticket
   * @returns {Promise<'fresh' | 'replayed' | 'before_epoch'>}
   */
  async claim(ticket) {
    if (ticket.nonce === null || ticket.nonce === undefined) return 'fresh'; // nothing to claim
    const now = ticket.authenticatedAt;
    const ttl = Math.max(1, ticket.expiresAt - now + 1);
    const reply = await CLAIM.run(this.#conn, [this.#conn.key('epoch'), this.#conn.key('replay', ticket.keyId, ticket.nonce)], [now, ticket.timestamp, ttl]);
    if (!Array.isArray(reply)) throw new Error('the claim script returned no array');
    const status = integer(reply[0]);
    if (status === 1) return 'fresh';
    if (status === 2) return 'replayed';
    if (status === 0) return 'before_epoch';
    throw new Error('the claim script returned an unknown status');
  }

  /**
   * `SET <ns>:epoch <now> NX` (docs/redis-layout.md §1): call at start-up (and, like the gateway,
   * every 500 ms if you like) so a new store's first requests are not refused for being signed in
   * the second the epoch is created.
   * @param {number} [now] Unix seconds (default: this machine's clock)
   */
  async ensureEpoch(now = Math.floor(Date.now() / 1000)) {
    await this.#conn.send(['SET', this.#conn.key('epoch'), String(now), 'NX']);
  }

  toJSON() {
    return { namespace: this.#conn.namespace };
  }
}

/** A limit: `rate` requests per `perSeconds`, bursts up to `burst` (default `rate`). */
function checkLimit(limit, what) {
  if (limit === undefined || limit === null) return null;
  if (typeof limit !== 'object') throw config(`${what} must be { rate, perSeconds, burst? }`);
  const { rate, perSeconds = 1, burst = rate } = limit;
  for (const [name, v] of [['rate', rate], ['perSeconds', perSeconds], ['burst', burst]]) {
    if (!Number.isSafeInteger(v) || v < 1) throw config(`${what}.${name} must be a positive integer`);
  }
  return { rate, perSeconds, burst, emissionMs: Math.ceil((perSeconds * 1000) / rate) };
}

/**
 * Per-key rate limits and the brute-force guard of docs/redis-layout.md §4 (GCRA in one atomic
 * script, timed by the Redis server): `key` for requests that verified and whose nonce was
 * claimed (429 `rate_limited`), `failuresKey` / `failuresIp` for failed verifications claiming a
 * key id / coming from an IP (429 `too_many_failures`). Give it to the middleware as
 * `rateLimiter`; any limit left out is not applied.
 */
class RedisRateLimiter {
  #conn;
  #limits;

  /**
   * @param {{client: any, namespace?: string, timeoutMs?: number,
   *   key?: {rate: number, perSeconds?: number, burst?: number},
   *   failuresKey?: {rate: number, perSeconds?: number, burst?: number},
   *   failuresIp?: {rate: number, perSeconds?: number, burst?: number}}} options
   */
  constructor(options) {
    this.#conn = new Connection(options, 'RedisRateLimiter');
    this.#limits = {
      key: checkLimit(options.key, 'key'),
      'failures-key': checkLimit(options.failuresKey, 'failuresKey'),
      'failures-ip': checkLimit(options.failuresIp, 'failuresIp'),
    };
  }

  /** Whether `policy` (`key`, `failures-key`, `failures-ip`) has a limit. */
  has(policy) {
    return Boolean(this.#limits[policy]);
  }

  /**
   * Asks (`take = false`) or counts (`take = true`) one request against `policy` for `id` (a key
   * id or an IP). Resolves to `{ allowed, policy, rate, perSeconds, remaining, retryMs, resetMs }`,
   * or `null` when the policy has no limit; rejects when Redis does not answer.
   */
  async check(policy, id, take) {
    const limit = this.#limits[policy];
    if (!limit) return null;
    const key = this.#conn.key(...REDIS_KEY[policy], id);
    const reply = await GCRA.run(this.#conn, [key], [limit.emissionMs, limit.burst, take ? 1 : 0]);
    if (!Array.isArray(reply) || reply.length < 4) throw new Error('the rate-limit script returned no array');
    return {
      allowed: integer(reply[0]) === 1,
      policy,
      rate: limit.rate,
      perSeconds: limit.perSeconds,
      remaining: integer(reply[1]),
      retryMs: integer(reply[2]),
      resetMs: integer(reply[3]),
    };
  }

  toJSON() {
    return { namespace: this.#conn.namespace };
  }
}

/** Key prefixes per policy (docs/redis-layout.md §1). */
const REDIS_KEY = { key: ['rl', 'key'], 'failures-key': ['rl', 'fail-key'], 'failures-ip': ['rl', 'fail-ip'] };

/**
 * The 429 headers of a refusal: `Retry-After` (seconds, at least 1) and the IETF
 * `RateLimit-Policy` / `RateLimit` headers.
 */
function rateLimitHeaders(d) {
  return {
    'Retry-After': String(Math.max(1, Math.ceil(d.retryMs / 1000))),
    'RateLimit-Policy': `"${d.policy}";q=${d.rate};w=${d.perSeconds}`,
    RateLimit: `"${d.policy}";r=${d.remaining};t=${Math.ceil(d.resetMs / 1000)}`,
  };
}

module.exports = { RedisReplayStore, RedisRateLimiter, rateLimitHeaders, CLAIM_LUA, GCRA_LUA };
