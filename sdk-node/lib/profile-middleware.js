'use strict';
/**
 * Express middleware and a Fastify plugin verifying requests signed with a profile (AWS SigV4,
 * RFC 9421) over the exact bytes received.
 *
 *   const { profiles } = require('sigwire');
 *   const { profileExpress } = require('sigwire/lib/profile-middleware.js');
 *   const verifier = new profiles.AwsSigV4Verifier({ region: 'eu-west-1', service: 'execute-api',
 *     credentials: { AKID: secret } });
 *   app.use(profileExpress({ verifier }));               // before any body parser
 *   app.post('/v1/orders', (req, res) => res.json({ akid: req.sigwireProfile.accessKeyId }));
 *
 *   fastify.register(profileFastify, { verifier });
 *
 * The body is read whole (up to `bodyLimit`, default 1 MiB: 413 `body_too_large` past it); the
 * method, `Host` + original URL (scheme from `protocol`, default the request's) and raw header
 * lines are verified with the body; the verified result is `req.sigwireProfile` (Fastify:
 * `request.sigwireProfile`) and the bytes are `req.rawBody`. A failure is answered with the
 * error's HTTP status and `{ "error": "<code>" }`; the route is not called.
 *
 * Webhooks need no middleware: call `profiles.verifyWebhook(...)` on the raw body in the route
 * (`express.raw({ type: '*\/*' })` gives it as a Buffer).
 */
const { Readable } = require('node:stream');
const { ProfileError } = require('./profiles');

const DEFAULT_BODY_LIMIT = 1 << 20;

function tooLarge() {
  const err = new ProfileError('invalid_request', 'the request body is larger than the limit');
  err.answer = { status: 413, code: 'body_too_large' };
  return err;
}

/** Reads `stream` to one Buffer, refusing more than `limit` bytes. */
function readAll(stream, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    stream.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeAllListeners('data');
        stream.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => resolve(Buffer.concat(chunks, size)));
    stream.on('error', reject);
  });
}

function options(opts, what) {
  if (opts === null || typeof opts !== 'object' || !opts.verifier || typeof opts.verifier.verify !== 'function') {
    throw new TypeError(`${what}: options.verifier must be a profiles.AwsSigV4Verifier or Rfc9421Verifier`);
  }
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0) throw new TypeError(`${what}: bodyLimit must be a non-negative integer`);
  return { verifier: opts.verifier, bodyLimit, protocol: opts.protocol, exempt: new Set(opts.exemptPaths || []) };
}

/** `{status, code}` of a verification failure, or rethrows what is not a profile error. */
function answerOf(err) {
  if (err && err.answer) return err.answer;
  if (err instanceof ProfileError) return { status: err.httpStatus || 401, code: err.code };
  throw err;
}

function verifyRaw(o, method, protocol, host, path, rawHeaders, body) {
  const headers = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers.push([rawHeaders[i], rawHeaders[i + 1]]);
  const url = `${o.protocol || protocol}://${host}${path}`;
  return o.verifier.verify({ method, url, headers, body });
}

/**
 * Express (4 or 5) middleware. Mount it before body parsers, or after one that leaves the raw
 * bytes in `req.rawBody` / a Buffer `req.body` (`express.raw()`).
 * @param {{verifier: {verify(req: any): any}, bodyLimit?: number, protocol?: 'http'|'https', exemptPaths?: string[]}} opts
 */
function profileExpress(opts) {
  const o = options(opts, 'profileExpress');
  return async function sigwireProfile(req, res, next) {
    if (o.exempt.has(req.path)) return next();
    try {
      let body;
      if (Buffer.isBuffer(req.rawBody)) body = req.rawBody;
      else if (Buffer.isBuffer(req.body)) body = req.body;
      else {
        body = await readAll(req, o.bodyLimit);
        req.rawBody = body;
        if (req.body === undefined) req.body = body;
      }
      if (body.length > o.bodyLimit) throw tooLarge();
      const protocol = req.protocol || (req.socket && req.socket.encrypted ? 'https' : 'http');
      req.sigwireProfile = verifyRaw(o, req.method, protocol, req.headers.host, req.originalUrl || req.url, req.rawHeaders, body);
    } catch (err) {
      let a;
      try {
        a = answerOf(err);
      } catch (other) {
        return next(other);
      }
      res.status(a.status).set('Cache-Control', 'no-store').json({ error: a.code });
      return undefined;
    }
    return next();
  };
}

/**
 * Fastify (4 or 5) plugin: verifies in a `preParsing` hook, before any content-type parser, and
 * hands the same bytes on. Not encapsulated: registered at the root it covers every route.
 * @param {any} fastify
 * @param {{verifier: {verify(req: any): any}, bodyLimit?: number, protocol?: 'http'|'https', exemptPaths?: string[]}} opts
 * @param {(err?: Error) => void} done
 */
function profileFastify(fastify, opts, done) {
  let o;
  try {
    o = options(opts, 'profileFastify');
  } catch (e) {
    done(e);
    return;
  }
  if (!fastify.hasRequestDecorator('sigwireProfile')) fastify.decorateRequest('sigwireProfile', null);
  if (!fastify.hasRequestDecorator('rawBody')) fastify.decorateRequest('rawBody', null);
  const verifyRequest = async (request, reply, payload) => {
    const path = request.raw.url;
    if (o.exempt.has(path.split('?')[0])) return payload;
    let body = Buffer.alloc(0);
    try {
      if (payload) body = await readAll(payload, o.bodyLimit);
      request.rawBody = body;
      request.sigwireProfile = verifyRaw(o, request.method, request.protocol, request.headers.host, path, request.raw.rawHeaders, body);
    } catch (err) {
      const a = answerOf(err);
      reply.code(a.status).header('Cache-Control', 'no-store').send({ error: a.code });
      return reply;
    }
    const stream = Readable.from(body.length ? [body] : []);
    stream.receivedEncodedLength = body.length;
    return stream;
  };
  fastify.addHook('preParsing', verifyRequest);
  // Requests without a body (GET) have no parsing stage: verify them before the handler.
  fastify.addHook('preHandler', async (request, reply) => {
    if (request.rawBody !== null || request.sigwireProfile !== null) return undefined;
    const out = await verifyRequest(request, reply, null);
    return out === reply ? reply : undefined;
  });
  done();
}
profileFastify[Symbol.for('skip-override')] = true;
profileFastify[Symbol.for('fastify.display-name')] = 'sigwire-profile';

module.exports = { profileExpress, profileFastify, DEFAULT_BODY_LIMIT };
