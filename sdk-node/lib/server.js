'use strict';
/**
 * Server integrations: Express middleware and a Fastify plugin. Both verify over the raw body
 * bytes, answer failures with `status` + JSON `{ error: code }` + the server time header, and put
 * the verified key id on the request.
 */

const { Readable } = require('node:stream');
const native = require('./native');
const { Verifier } = require('./verifier');
const { makeError, SigwireError, fromNative } = require('./errors');
const { describe } = require('./convert');

/** Name of the header that carries the server's Unix time on failures. */
const SERVER_TIME_HEADER = native.serverTimeHeader();
const DEFAULT_BODY_LIMIT = 1024 * 1024;
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

/** Reads a readable stream to one Buffer, refusing more than `limit` bytes. */
function readAll(stream, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let done = false;
    const finish = (fn, v) => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      fn(v);
    };
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) {
        finish(reject, tooLarge(limit));
        stream.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(resolve, Buffer.concat(chunks, size));
    const onError = (e) => finish(reject, e);
    const onClose = () => finish(reject, new Error('the request was aborted before its body was complete'));
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

function failure(err, verifier) {
  const e = err instanceof SigwireError ? err : fromNative(err, 'invalid_request');
  const serverTime = e.serverTime ?? verifier.now();
  return { status: e.httpStatus || 401, code: e.code, serverTime, error: e };
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
 * @param {{verifier: Verifier, authority?: string, authorities?: string[], scheme?: 'http'|'https', bodyLimit?: number, getUrl?: (req: any) => string}} options
 *   scheme: the scheme clients sign (default `req.protocol`; set it behind a TLS-terminating proxy)
 */
function expressMiddleware(options) {
  checkOptions(options, 'sigwire express middleware');
  const { verifier, getUrl } = options;
  const audience = audienceOf(options);
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  return function sigwireExpress(req, res, next) {
    let bodyRead = false;
    (async () => {
      // 1. Audience and URL; 2. the header alone (missing, malformed, unknown key, stale) —
      //    both before a byte of the body is read.
      const url = resolveUrl(req, req.rawHeaders, options.scheme ?? req.protocol, req.originalUrl || req.url, audience, getUrl);
      const head = { method: req.method, url, headers: req.rawHeaders };
      verifier.precheck(head);
      // 3. The raw body, bounded.
      let body;
      if (Buffer.isBuffer(req.rawBody)) body = req.rawBody;
      else if (Buffer.isBuffer(req.body)) body = req.body;
      else if (!req._body && !req.readableEnded) {
        checkDeclaredLength(req.headers, bodyLimit); // before a byte is read
        bodyRead = true;
        body = await readAll(req, bodyLimit);
        req.rawBody = body;
        if (req.body === undefined) {
          req.body = body;
          req._body = true; // tells body-parser the body was consumed
        }
      } else {
        throw makeError(
          'invalid_config',
          'the request body was consumed by a parser without raw-body capture: use express.json({ verify: captureRawBody }) or express.raw(), or mount sigwire before the body parser',
        );
      }
      // 4. Everything, then the replay claim.
      const verified = await verifier.verifyAsync({ ...head, body });
      req.sigwire = verified;
      req.sigwireKeyId = verified.keyId;
    })().then(
      () => next(),
      (err) => {
        // Configuration problems and unexpected failures go to the app's error handler.
        if (!(err instanceof SigwireError) || err.code === 'invalid_config') return next(err);
        const f = failure(err, verifier);
        // An unread body is not drained on this connection: close it after the answer.
        if (!bodyRead && !req.readableEnded && !req._body) res.set('Connection', 'close');
        res.status(f.status).set('Cache-Control', 'no-store').set(SERVER_TIME_HEADER, String(f.serverTime)).json({ error: f.code });
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
 * @param {{verifier: Verifier, authority?: string, authorities?: string[], scheme?: 'http'|'https', bodyLimit?: number, getUrl?: (request: any) => string}} options
 */
function fastifyPlugin(fastify, options, done) {
  try {
    checkOptions(options, 'sigwire fastify plugin');
  } catch (e) {
    done(e);
    return;
  }
  const { verifier, getUrl } = options;
  let audience;
  try {
    audience = audienceOf(options);
  } catch (e) {
    done(e);
    return;
  }
  const bodyLimit = options.bodyLimit ?? (fastify.initialConfig && fastify.initialConfig.bodyLimit) ?? DEFAULT_BODY_LIMIT;
  if (!fastify.hasRequestDecorator('sigwire')) fastify.decorateRequest('sigwire', null);
  if (!fastify.hasRequestDecorator('sigwireKeyId')) fastify.decorateRequest('sigwireKeyId', null);
  if (!fastify.hasRequestDecorator('rawBody')) fastify.decorateRequest('rawBody', null);

  const answer = (reply, err) => {
    const f = failure(err, verifier);
    reply.code(f.status).header('Cache-Control', 'no-store').header(SERVER_TIME_HEADER, String(f.serverTime)).send({ error: f.code });
    return reply;
  };

  fastify.addHook('preParsing', async (request, reply, payload) => {
    let head;
    let body;
    try {
      // Audience, URL, declared length and the header alone, before a byte of the body is read.
      const url = resolveUrl(request, request.raw.rawHeaders, options.scheme ?? request.protocol, request.raw.url, audience, getUrl);
      head = { method: request.method, url, headers: request.raw.rawHeaders };
      checkDeclaredLength(request.headers, bodyLimit);
      verifier.precheck(head);
    } catch (err) {
      if (!(err instanceof SigwireError) || err.code === 'invalid_config') throw err;
      reply.header('Connection', 'close'); // the unread body is not drained on this connection
      return answer(reply, err);
    }
    try {
      body = await readAll(payload, bodyLimit);
    } catch (e) {
      if (e instanceof SigwireError && (e.httpStatus === 413 || e.httpStatus === 400)) return answer(reply, e);
      throw e;
    }
    request.rawBody = body;
    try {
      const verified = await verifier.verifyAsync({ ...head, body });
      request.sigwire = verified;
      request.sigwireKeyId = verified.keyId;
    } catch (err) {
      if (!(err instanceof SigwireError) || err.code === 'invalid_config') throw err;
      return answer(reply, err);
    }
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

module.exports = { expressMiddleware, fastifyPlugin, captureRawBody, SERVER_TIME_HEADER, BODY_TOO_LARGE, MISDIRECTED_REQUEST };
