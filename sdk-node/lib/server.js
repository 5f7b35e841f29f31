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
const BODY_TOO_LARGE = 'body_too_large';

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

/** The absolute URL as the client sent it: protocol + Host header + path and query. */
function defaultUrl(protocol, host, path) {
  return `${protocol}://${host || ''}${path}`;
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
 * On success `req.sigwire = { keyId, scheme, timestamp }` and `req.sigwireKeyId = keyId`.
 * On failure: status (401, 400 for invalid_request, 503 replay store), JSON `{ error: code }`,
 * and the server time header.
 * @param {{verifier: Verifier, bodyLimit?: number, getUrl?: (req: any) => string}} options
 */
function expressMiddleware(options) {
  checkOptions(options, 'sigwire express middleware');
  const { verifier, getUrl } = options;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  return function sigwireExpress(req, res, next) {
    (async () => {
      let body;
      if (Buffer.isBuffer(req.rawBody)) body = req.rawBody;
      else if (Buffer.isBuffer(req.body)) body = req.body;
      else if (!req._body && !req.readableEnded) {
        checkDeclaredLength(req.headers, bodyLimit); // before a byte is read
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
      const url = getUrl ? getUrl(req) : defaultUrl(req.protocol, req.headers.host, req.originalUrl || req.url);
      const verified = await verifier.verifyAsync({ method: req.method, url, headers: req.rawHeaders, body });
      req.sigwire = verified;
      req.sigwireKeyId = verified.keyId;
    })().then(
      () => next(),
      (err) => {
        // Configuration problems and unexpected failures go to the app's error handler.
        if (!(err instanceof SigwireError) || err.code === 'invalid_config') return next(err);
        const f = failure(err, verifier);
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
 * @param {{verifier: Verifier, bodyLimit?: number, getUrl?: (request: any) => string}} options
 */
function fastifyPlugin(fastify, options, done) {
  try {
    checkOptions(options, 'sigwire fastify plugin');
  } catch (e) {
    done(e);
    return;
  }
  const { verifier, getUrl } = options;
  const bodyLimit = options.bodyLimit ?? (fastify.initialConfig && fastify.initialConfig.bodyLimit) ?? DEFAULT_BODY_LIMIT;
  if (!fastify.hasRequestDecorator('sigwire')) fastify.decorateRequest('sigwire', null);
  if (!fastify.hasRequestDecorator('sigwireKeyId')) fastify.decorateRequest('sigwireKeyId', null);
  if (!fastify.hasRequestDecorator('rawBody')) fastify.decorateRequest('rawBody', null);

  fastify.addHook('preParsing', async (request, reply, payload) => {
    let body;
    try {
      checkDeclaredLength(request.headers, bodyLimit); // before a byte is read
      body = await readAll(payload, bodyLimit);
    } catch (e) {
      if (e instanceof SigwireError && (e.httpStatus === 413 || e.httpStatus === 400)) {
        reply.code(e.httpStatus).header('Cache-Control', 'no-store').header(SERVER_TIME_HEADER, String(verifier.now())).send({ error: e.code });
        return reply;
      }
      throw e;
    }
    request.rawBody = body;
    const url = getUrl ? getUrl(request) : defaultUrl(request.protocol, request.headers.host, request.raw.url);
    try {
      const verified = await verifier.verifyAsync({ method: request.method, url, headers: request.raw.rawHeaders, body });
      request.sigwire = verified;
      request.sigwireKeyId = verified.keyId;
    } catch (err) {
      if (!(err instanceof SigwireError) || err.code === 'invalid_config') throw err;
      const f = failure(err, verifier);
      reply.code(f.status).header('Cache-Control', 'no-store').header(SERVER_TIME_HEADER, String(f.serverTime)).send({ error: f.code });
      return reply;
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

module.exports = { expressMiddleware, fastifyPlugin, captureRawBody, SERVER_TIME_HEADER, BODY_TOO_LARGE };
