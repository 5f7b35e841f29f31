'use strict';
/**
 * Server integrations: Express middleware and a Fastify plugin. Both verify over the raw body
 * bytes, answer failures with `status` + JSON `{ error: code }` + the server time header, and put
 * the verified key id on the request.
 */

const { Readable } = require('node:stream');
const native = require('./native');
const { Verifier } = require('./common/verifier');
const { makeError, SigwireError, fromNative } = require('./errors');
const { describe } = require('./convert');
const { rateLimitHeaders } = require('./redis');
const fs = require('node:fs');
const { BodyHasher, spoolDir } = require('./stream');

/** Name of the header that carries the server's Unix time on failures. */
const SERVER_TIME_HEADER = native.serverTimeHeader();
const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Bodies past this many bytes are hashed while spooled to a temporary file (the Rust layer's 1 MiB). */
const DEFAULT_SPOOL_THRESHOLD = 1024 * 1024;
/** The machine code of the 413 answer, as the Rust layer's and the Python middleware's. */
const BODY_TOO_LARGE = native.bodyTooLargeCode();
/** The machine code of the 421 answer for a `Host` the server does not serve (core::wire). */
const MISDIRECTED_REQUEST = native.misdirectedRequestCode();

function tooLarge(limit) {
  const err = makeError(BODY_TOO_LARGE, `the body is larger than the ${limit}-byte limit`);
  err.httpStatus = 413;
  return err;
}

/**
 * The declared Content-Length checked before a byte is read: 413 `body_too_large` above `limit`,
 * 400 `invalid_request` when it is not a decimal number.
 */
function checkDeclaredLength(headers, limit) {
  const value = headers['content-length'];
  if (value === undefined) return;
  const text = String(value).trim();
  if (!/^[0-9]{1,20}$/.test(text)) {
    const err = makeError('invalid_request', 'Content-Length is not a decimal number');
    err.httpStatus = 400;
    throw err;
  }
  if (Number(text) > limit) throw tooLarge(limit);
}

function checkOptions(options, what) {
  if (!options || typeof options !== 'object' || !(options.verifier instanceof Verifier)) {
    throw makeError('invalid_config', `${what} needs { verifier: Verifier } (got ${describe(options && options.verifier)})`);
  }
  if (options.bodyLimit !== undefined && (!Number.isSafeInteger(options.bodyLimit) || options.bodyLimit < 0)) {
    throw makeError('invalid_config', 'bodyLimit must be a non-negative integer');
  }
  if (options.spoolThreshold !== undefined && (!Number.isSafeInteger(options.spoolThreshold) || options.spoolThreshold < 0)) {
    throw makeError('invalid_config', 'spoolThreshold must be a non-negative integer');
  }
  if (options.scheme !== undefined && options.scheme !== 'http' && options.scheme !== 'https') {
    throw makeError('invalid_config', 'scheme must be "http" or "https"');
  }
}

/**
 * The declared audience (`authority` / `authorities` options, as the Rust layer's `.authority()` /
 * `.authorities()`), canonicalised by the core for the scheme clients sign; `null` when none is
 * declared. A request whose `Host` is none of them is answered 421 `misdirected_request`.
 */
function audienceOf(options) {
  if (options.authority !== undefined && options.authorities !== undefined) {
    throw makeError('invalid_config', 'give either authority or authorities, not both');
  }
  let list = options.authorities;
  if (options.authority !== undefined) list = [options.authority];
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list) || !list.every((a) => typeof a === 'string')) {
    throw makeError('invalid_config', 'authorities must be an array of "host[:port]" strings');
  }
  try {
    return new native.NativeAudience(list, options.scheme ?? 'http');
  } catch (e) {
    throw fromNative(e, 'invalid_config');
  }
}

function misdirected() {
  return makeError(MISDIRECTED_REQUEST, 'this service does not serve the authority the request names', { httpStatus: 421 });
}

function badRequest(message) {
  return makeError('invalid_request', message, { httpStatus: 400 });
}

/**
 * Who the request is for and the URL the client signed: the single `Host` header checked against
 * the audience, then the URL rebuilt by the core (`core::wire::request_url`), or by `getUrl`.
 */
function resolveUrl(req, rawHeaders, protocol, path, audience, getUrl) {
  let hosts = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i].toLowerCase() === 'host') hosts++;
  const host = req.headers.host;
  if (hosts > 1) throw badRequest('the request has several Host headers');
  if (!host) throw badRequest('the request has no Host header');
  if (audience && !audience.allows(host)) throw misdirected();
  if (getUrl) return getUrl(req);
  try {
    return native.requestUrl(protocol, host, path || '/');
  } catch (e) {
    throw fromNative(e, 'invalid_request');
  }
}

/**
 * Reads a request stream up to `limit` bytes (413 past it): a Buffer while it stays within
 * `threshold`, else `{ spool }` — the body hashed (`algorithm`) while written to a file in a private
 * temporary directory, with `{ file, size, digest, remove() }`. Removed on every failure here.
 */
function readSpooled(stream, limit, threshold, algorithm) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let done = false;
    let spool = null; // { dir, file, remove, fd, hasher }
    let pending = Promise.resolve();
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (fn === reject && spool) {
        const s = spool;
        pending.finally(() => {
          if (s.fd !== undefined) fs.close(s.fd, () => s.remove());
          else s.remove();
        });
      }
      fn(v);
    };
    const fail = (e) => {
      finish(reject, e);
      stream.resume();
    };
    const onData = (chunk) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) return fail(tooLarge(limit));
      if (!spool && size <= threshold) {
        chunks.push(chunk);
        return;
      }
      if (!spool) {
        spool = { hasher: new BodyHasher(algorithm), fd: undefined, file: null, remove: async () => {} };
        const first = Buffer.concat(chunks);
        chunks.length = 0;
        spool.hasher.update(first);
        stream.pause();
        pending = spoolDir().then((d) => {
          Object.assign(spool, d);
          spool.fd = fs.openSync(d.file, 'wx', 0o600);
          fs.writeSync(spool.fd, first);
        });
        pending.then(() => !done && stream.resume(), fail);
      }
      spool.hasher.update(chunk);
      pending = pending.then(() => {
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(spool.fd, chunk, off);
      });
      pending.catch(fail);
    };
    let ended = false;
    const onEnd = () => {
      ended = true; // 'close' follows 'end' while the last writes may still be pending
      if (!spool) return finish(resolve, Buffer.concat(chunks, size));
      pending.then(() => {
        fs.closeSync(spool.fd);
        spool.fd = undefined;
        finish(resolve, { spool: { file: spool.file, size, digest: spool.hasher.finish(), remove: spool.remove } });
      }, fail);
    };
    const onError = (e) => finish(reject, e);
    const onClose = () => {
      if (!ended) finish(reject, new Error('the request was aborted before its body was complete'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/**
 * A verified spooled body as a Readable from its file; the file and its directory are removed as
 * soon as the stream has it open (or fails to), so nothing is left on any path.
 */
function spooledStream(spool) {
  const rs = fs.createReadStream(spool.file);
  let removed = false;
  const remove = () => {
    if (!removed) {
      removed = true;
      spool.remove();
    }
  };
  rs.once('open', remove);
  rs.once('error', remove);
  rs.once('close', remove);
  return rs;
}

function failure(err, verifier) {
  const e = err instanceof SigwireError ? err : fromNative(err, 'invalid_request');
  const serverTime = e.serverTime ?? verifier.now();
  return { status: e.httpStatus || 401, code: e.code, serverTime, headers: e.responseHeaders || {}, error: e };
}

/** The machine codes of the rate limiter's 429 answers (docs/redis-layout.md §4). */
const RATE_LIMITED = 'rate_limited';
const TOO_MANY_FAILURES = 'too_many_failures';

/**
 * The checks both adapters run, in the Rust layer's order: audience (421), the failures-per-IP
 * guard, the declared length (413), the header alone (`precheck`: 401 before the body is read),
 * the failures-per-key guard, the body, the signature and the replay claim (`verifyAsync`), then
 * the key's rate limit (429). Failed verifications are counted against the IP and the claimed key.
 */
class Gate {
  constructor(options, what, defaultBodyLimit) {
    checkOptions(options, what);
    this.verifier = options.verifier;
    this.getUrl = options.getUrl;
    this.scheme = options.scheme;
    this.audience = audienceOf(options);
    const limiter = options.rateLimiter;
    if (limiter !== undefined && limiter !== null && (typeof limiter.check !== 'function' || typeof limiter.has !== 'function')) {
      throw makeError('invalid_config', 'rateLimiter must be a RedisRateLimiter (or have has(policy) and check(policy, id, take))');
    }
    this.limiter = limiter || null;
    this.bodyLimit = options.bodyLimit ?? defaultBodyLimit;
    this.spoolThreshold = options.spoolThreshold ?? DEFAULT_SPOOL_THRESHOLD;
  }

  /**
   * @param {{req: any, method: string, rawHeaders: string[], protocol: string, path: string, ip?: string,
   *   checkLength: boolean, readBody: (algorithm: string) => Promise<Buffer | {spool: object}>}} ctx
   *   readBody's algorithm: what a spooled body is hashed with, the precheck's reading of the
   *   request's Authorization (hmac-sha256 for a scheme that names none: it then needs the bytes,
   *   and a digest fails to verify, as in Python's middleware)
   * @returns {Promise<{keyId: string, scheme: string, timestamp: number}>}
   */
  async run(ctx) {
    const url = resolveUrl(ctx.req, ctx.rawHeaders, this.scheme ?? ctx.protocol, ctx.path, this.audience, this.getUrl);
    await this.#guard('failures-ip', ctx.ip);
    if (ctx.checkLength) checkDeclaredLength(ctx.req.headers, this.bodyLimit);
    const head = { method: ctx.method, url, headers: ctx.rawHeaders };
    let pre;
    try {
      pre = this.verifier.precheck(head);
    } catch (e) {
      await this.#failed(e, ctx.ip, undefined);
      throw e;
    }
    const claimed = pre.keyId;
    await this.#guard('failures-key', claimed);
    const body = await ctx.readBody(pre.bodyAlgorithm ?? 'hmac-sha256');
    const spool = Buffer.isBuffer(body) ? null : body.spool;
    let verified;
    try {
      verified = await this.verifier.verifyAsync(spool ? { ...head, bodyDigest: spool.digest } : { ...head, body });
    } catch (e) {
      if (spool) await spool.remove();
      await this.#failed(e, ctx.ip, claimed);
      throw e;
    }
    if (spool) {
      try {
        await this.#guard('key', verified.keyId, true);
      } catch (e) {
        await spool.remove();
        throw e;
      }
      return { ...verified, spool };
    }
    await this.#guard('key', verified.keyId, true);
    return verified;
  }

  /** Asks (or, for `key`, counts) against a limit; 429 when refused, 503 when Redis fails. */
  async #guard(policy, id, take = false) {
    if (!this.limiter || id === undefined || id === null || id === '' || !this.limiter.has(policy)) return;
    let d;
    try {
      d = await this.limiter.check(policy, id, take);
    } catch (cause) {
      const err = makeError('replay_store_unavailable', 'the rate limiter could not reach its store', { serverTime: this.verifier.now() });
      err.cause = cause;
      throw err;
    }
    if (d && !d.allowed) {
      const code = policy === 'key' ? RATE_LIMITED : TOO_MANY_FAILURES;
      const err = makeError(code, 'too many requests: retry after the Retry-After delay', { httpStatus: 429, serverTime: this.verifier.now() });
      err.responseHeaders = rateLimitHeaders(d);
      throw err;
    }
  }

  /** Counts a failed verification (401/400, except the epoch rule's refusal) against the IP and key. */
  async #failed(err, ip, keyId) {
    if (!this.limiter || !(err instanceof SigwireError) || err.replayEpoch) return;
    if (err.httpStatus !== 401 && err.httpStatus !== 400) return;
    for (const [policy, id] of [['failures-ip', ip], ['failures-key', keyId]]) {
      if (id === undefined || id === null || id === '' || !this.limiter.has(policy)) continue;
      try {
        await this.limiter.check(policy, id, true);
      } catch {
        // Already refusing this request; the next one fails closed on the ask.
      }
    }
  }
}

function sendExpress(res, f, closeConnection) {
  if (closeConnection) res.set('Connection', 'close');
  res.status(f.status).set('Cache-Control', 'no-store').set(SERVER_TIME_HEADER, String(f.serverTime)).set(f.headers).json({ error: f.code });
}

/**
 * Express (4 and 5) middleware.
 *
 * Raw body: the middleware verifies the exact bytes received. It takes them from, in order:
 * `req.rawBody` (set by `express.json({ verify: captureRawBody })` or any parser using that
 * hook), `req.body` when it is a Buffer (`express.raw()`), or else it reads the request stream
 * itself (when mounted before any body parser); it then sets `req.rawBody`, and `req.body` to the
 * Buffer when nothing parsed it. A body already consumed by a parser without `captureRawBody`
 * cannot be verified: that is a configuration error passed to `next(err)`.
 *
 * Order, as the Rust layer's: the `Host` against the declared `authority`/`authorities` (421
 * `misdirected_request`: a request signed for another service sharing the key is refused); the
 * header alone (missing, malformed, unsupported algorithm, unknown key, stale: answered before
 * the body is read, and the connection is then closed rather than drained); the declared length;
 * the body; the signature; the replay claim in the verifier's store.
 *
 * On success `req.sigwire = { keyId, scheme, timestamp }` and `req.sigwireKeyId = keyId`.
 * On failure: status (401, 400 for invalid_request, 421, 413, 503 replay store), JSON
 * `{ error: code }`, and the server time header.
 * Large uploads (raise `bodyLimit`): a body past `spoolThreshold` bytes (default 1 MiB) read by the
 * middleware is hashed while written to a temporary file, verified by its digest, and only then
 * handed on as `req.body`, a Readable over the file (`req.sigwireBodySize` bytes; the file is
 * unlinked as soon as that stream opens it). A tampered upload is 401 before `next()`.
 * @param {{verifier: Verifier, authority?: string, authorities?: string[], scheme?: 'http'|'https', bodyLimit?: number, spoolThreshold?: number, getUrl?: (req: any) => string}} options
 *   scheme: the scheme clients sign (default `req.protocol`; set it behind a TLS-terminating proxy)
 */
function expressMiddleware(options) {
  const gate = new Gate(options, 'sigwire express middleware', DEFAULT_BODY_LIMIT);
  const { verifier } = gate;
  return function sigwireExpress(req, res, next) {
    let bodyRead = false;
    const readBody = async (algorithm) => {
      if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
      if (Buffer.isBuffer(req.body)) return req.body;
      if (req._body || req.readableEnded) {
        throw makeError(
          'invalid_config',
          'the request body was consumed by a parser without raw-body capture: use express.json({ verify: captureRawBody }) or express.raw(), or mount sigwire before the body parser',
        );
      }
      bodyRead = true;
      const body = await readSpooled(req, gate.bodyLimit, gate.spoolThreshold, algorithm);
      if (!Buffer.isBuffer(body)) return body; // spooled: handed on once verified
      req.rawBody = body;
      if (req.body === undefined) {
        req.body = body;
        req._body = true; // tells body-parser the body was consumed
      }
      return body;
    };
    const unread = !Buffer.isBuffer(req.rawBody) && !Buffer.isBuffer(req.body) && !req._body && !req.readableEnded;
    gate
      .run({ req, method: req.method, rawHeaders: req.rawHeaders, protocol: req.protocol, path: req.originalUrl || req.url, ip: req.ip, checkLength: unread, readBody })
      .then(
        (result) => {
          const { spool, ...verified } = result;
          if (spool) {
            // A spooled upload: the verified bytes as a Readable (req.body), read from the file.
            const rs = spooledStream(spool);
            res.once('close', () => rs.destroy());
            req.body = rs;
            req.sigwireBodySize = spool.size;
            req._body = true;
          }
          req.sigwire = verified;
          req.sigwireKeyId = verified.keyId;
          next();
        },
        (err) => {
          // Configuration problems and unexpected failures go to the app's error handler.
          if (!(err instanceof SigwireError) || err.code === 'invalid_config') return next(err);
          // An unread body is not drained on this connection: close it after the answer.
          sendExpress(res, failure(err, verifier), unread && !bodyRead);
        },
      );
  };
}

/**
 * `verify` hook for Express/body-parser parsers that keeps the raw bytes: `express.json({ verify: captureRawBody })`.
 * It sets `req.rawBody` to the Buffer received.
 */
function captureRawBody(req, _res, buf) {
  req.rawBody = Buffer.from(buf);
}

/**
 * Fastify plugin (v4 and v5): `fastify.register(fastifyPlugin, { verifier })`.
 *
 * It verifies in a `preParsing` hook, before any content-type parser runs, so unauthenticated
 * bodies are never parsed: it reads the raw payload (up to `bodyLimit`, default the server's),
 * keeps it as `request.rawBody`, and hands the same bytes on to Fastify's parsers.
 * The hook applies to every route of the scope the plugin is registered in (it is not
 * encapsulated, so registering at the root protects the whole server).
 * On success `request.sigwire = { keyId, scheme, timestamp }` and `request.sigwireKeyId`.
 * @param {any} fastify
 * Checks in the Express middleware's order (audience 421, header before the body, limit, body,
 * signature, replay claim).
 * A payload past `spoolThreshold` bytes (default 1 MiB) is hashed while spooled to a temporary
 * file and verified by its digest; the parsers then read it back from the file (no `rawBody`).
 * @param {{verifier: Verifier, authority?: string, authorities?: string[], scheme?: 'http'|'https', bodyLimit?: number, spoolThreshold?: number, getUrl?: (request: any) => string}} options
 */
function fastifyPlugin(fastify, options, done) {
  let gate;
  try {
    const defaultLimit = (fastify.initialConfig && fastify.initialConfig.bodyLimit) ?? DEFAULT_BODY_LIMIT;
    gate = new Gate(options, 'sigwire fastify plugin', defaultLimit);
  } catch (e) {
    done(e);
    return;
  }
  const { verifier } = gate;
  if (!fastify.hasRequestDecorator('sigwire')) fastify.decorateRequest('sigwire', null);
  if (!fastify.hasRequestDecorator('sigwireKeyId')) fastify.decorateRequest('sigwireKeyId', null);
  if (!fastify.hasRequestDecorator('rawBody')) fastify.decorateRequest('rawBody', null);

  fastify.addHook('preParsing', async (request, reply, payload) => {
    let bodyRead = false;
    const readBody = async (algorithm) => {
      bodyRead = true;
      const body = await readSpooled(payload, gate.bodyLimit, gate.spoolThreshold, algorithm);
      if (Buffer.isBuffer(body)) request.rawBody = body;
      return body;
    };
    let verified;
    try {
      verified = await gate.run({ req: request, method: request.method, rawHeaders: request.raw.rawHeaders, protocol: request.protocol, path: request.raw.url, ip: request.ip, checkLength: true, readBody });
    } catch (err) {
      if (!(err instanceof SigwireError) || err.code === 'invalid_config') throw err;
      const f = failure(err, verifier);
      if (!bodyRead) reply.header('Connection', 'close'); // the unread body is not drained on this connection
      reply.code(f.status).header('Cache-Control', 'no-store').header(SERVER_TIME_HEADER, String(f.serverTime)).headers(f.headers).send({ error: f.code });
      return reply;
    }
    const { spool, ...claims } = verified;
    request.sigwire = claims;
    request.sigwireKeyId = claims.keyId;
    if (spool) {
      // A spooled upload: Fastify's parsers read the verified bytes back from the file.
      const rs = spooledStream(spool);
      rs.receivedEncodedLength = spool.size;
      reply.raw.once('close', () => rs.destroy());
      return rs;
    }
    const body = request.rawBody;
    const stream = Readable.from(body.length ? [body] : []);
    stream.receivedEncodedLength = body.length;
    return stream;
  });
  done();
}
// Not encapsulated (what fastify-plugin does), so the hook covers the registering scope.
fastifyPlugin[Symbol.for('skip-override')] = true;
fastifyPlugin[Symbol.for('fastify.display-name')] = 'sigwire';
fastifyPlugin[Symbol.for('plugin-meta')] = { name: 'sigwire', fastify: '>=4' };

module.exports = { DEFAULT_SPOOL_THRESHOLD, expressMiddleware, fastifyPlugin, captureRawBody, SERVER_TIME_HEADER, BODY_TOO_LARGE, MISDIRECTED_REQUEST, RATE_LIMITED, TOO_MANY_FAILURES };
