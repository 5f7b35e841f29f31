'use strict';
// The Node adapters of the bad-request table on 127.0.0.1 (sdk-node from this checkout):
//   node apps.js express   // sigwire.expressMiddleware in an Express 5 app
//   node apps.js fastify   // sigwire.fastifyPlugin in a Fastify 5 app
// Prints the bound port alone on the first line, then serves until stdin closes. express/fastify
// are resolved from NODE_PATH (run.py's scratch install); key, secret and limit from the env.
const path = require('node:path');

const sigwire = require(path.join(__dirname, '..', '..', 'sdk-node'));

const LIMIT = Number(process.env.ADAPTERS_LIMIT);
const verifier = new sigwire.Verifier({ keys: { [process.env.ADAPTERS_KEY_ID]: Buffer.from(process.env.ADAPTERS_SECRET, 'utf8') } });

async function main() {
  const kind = process.argv[2];
  let server;
  if (kind === 'express') {
    const express = require('express');
    const app = express();
    app.use(sigwire.expressMiddleware({ verifier, bodyLimit: LIMIT }));
    app.use((req, res) => res.type('text/plain').send('app'));
    server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    console.log(server.address().port);
  } else if (kind === 'fastify') {
    const Fastify = require('fastify');
    // Fastify's own limit is far above the plugin's, so every 413 is the plugin's answer.
    const app = Fastify({ bodyLimit: LIMIT * 64 });
    app.register(sigwire.fastifyPlugin, { verifier, bodyLimit: LIMIT });
    app.all('/*', async (req, reply) => reply.type('text/plain').send('app'));
    await app.listen({ port: 0, host: '127.0.0.1' });
    console.log(app.server.address().port);
    server = { close: () => app.close() };
  } else {
    throw new Error('usage: apps.js express|fastify');
  }
  process.stdin.resume();
  process.stdin.on('end', () => {
    server.close();
    process.exit(0);
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
