/**
 * Browser-SDK part of tests/redis-cross: requests signed by sigwire-wasm (the browser package,
 * loaded through its Node entry point: the same WebAssembly module and JavaScript a page runs),
 * each sent to every gateway instance at the same time. Exactly one instance accepts each nonce;
 * every other answers 401 `replayed_nonce`. Then the accepted request is replayed to the first
 * instance and refused.
 *
 * The browser package has no Redis store (a page never verifies), so this part has only the
 * client checks of the README's interface (check 3); Node's part covers the services.
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`redis-cross/wasm: ${name} is not set (run tests/redis-cross/run)`);
  return v;
};
const ROOT = env('SIGWIRE_ROOT');
const GATEWAYS = env('SIGWIRE_GATEWAY_URLS').split(/\s+/).filter(Boolean).map((u) => new URL(u));
const KEY_ID = env('SIGWIRE_KEY_ID');
const SECRET = env('SIGWIRE_SECRET');
const HOST = 'api.cross.test'; // the signed host; every instance is sent this Host header
const ROUNDS = 5;

const { Signer } = await import(pathToFileURL(`${ROOT}/sdk-wasm/src/node.js`).href);
const signer = new Signer({ keyId: KEY_ID, secret: SECRET });
const failures = [];

function signed(path) {
  const body = new TextEncoder().encode(JSON.stringify({ path, runtime: 'wasm', at: Date.now() }));
  const headers = { 'content-type': 'application/json' };
  const { Authorization } = signer.sign({ method: 'POST', url: `http://${HOST}${path}`, headers, body });
  return { path, body, headers: { ...headers, authorization: Authorization } };
}

function send(base, req) {
  return new Promise((resolve, reject) => {
    const r = http.request(
      { host: base.hostname, port: base.port, method: 'POST', path: req.path, setHost: false,
        headers: { host: HOST, 'content-length': String(req.body.length), ...req.headers } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    r.setTimeout(10_000, () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    r.end(req.body);
  });
}

let last;
for (let i = 0; i < ROUNDS; i++) {
  const req = signed(`/cross/wasm/cluster/${i}`);
  last = req;
  const answers = await Promise.all(GATEWAYS.map((g) => send(g, req)));
  const accepted = answers.filter((a) => a.status === 200 && a.body.includes(`upstream ok ${KEY_ID}`)).length;
  const replayed = answers.filter((a) => a.status === 401 && a.body.includes('replayed_nonce')).length;
  const ok = accepted === 1 && replayed === GATEWAYS.length - 1;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} browser-SDK request ${i} sent to ${GATEWAYS.length} instances at once: ${accepted} accepted, ${replayed} replayed_nonce [${answers.map((a) => a.status)}]`);
  if (!ok) failures.push(`cluster request ${i}`);
}
const again = await send(GATEWAYS[0], last);
const refused = again.status === 401 && again.body.includes('replayed_nonce');
console.log(`  ${refused ? 'ok  ' : 'FAIL'} the last request replayed later: ${again.status} ${JSON.stringify(again.body.slice(0, 60))}`);
if (!refused) failures.push('later replay');

if (failures.length) {
  console.error(`redis-cross/wasm: ${failures.length} check(s) failed: ${failures.join('; ')}`);
  process.exit(1);
}
console.log('redis-cross/wasm: all checks held');
