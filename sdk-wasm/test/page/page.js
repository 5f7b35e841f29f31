// The Chromium test page: loads the browser build (src/index.js, fetching the .wasm), runs every
// shared vector, signedFetch against the verifying server on this origin, the bad-input cases,
// a panic and recovery, and (with ?bench=1) the benchmark. Returns the raw results in
// `window.__sigwire` (a Promise); test/chromium.test.js compares them with the expected values.
import * as sigwire from '/src/index.js';
import { selfTestPanic, trapCount } from '/src/runtime.js';
import { extLoaded } from '/src/ext.js';
import { runAll } from '/test/lib/vectors.js';
import { runFetchCases } from '/test/lib/fetch-cases.js';
import { runBadInput } from '/test/lib/bad-input-cases.js';

const params = new URLSearchParams(location.search);

function recovery() {
  const signer = new sigwire.Signer({ keyId: 'k1', secret: 'browser-recovery-secret-012345' });
  const req = { method: 'GET', url: 'https://h/x', timestamp: 1_700_000_000, nonce: 'AAAAAAAAAAAAAAAAAAAAAA' };
  const before = signer.sign(req).Authorization;
  const trapsBefore = trapCount();
  let thrown = null;
  try {
    selfTestPanic();
  } catch (e) {
    thrown = { code: e.code, isSigwireError: e instanceof sigwire.SigwireError, message: e.message };
  }
  return { thrown, traps: trapCount() - trapsBefore, sameAfter: signer.sign(req).Authorization === before };
}

async function main() {
  const out = { userAgent: navigator.userAgent };
  try {
    new sigwire.Signer({ keyId: 'k', secret: '0123456789abcdef' });
    out.beforeInit = 'no error';
  } catch (e) {
    out.beforeInit = e.code;
  }
  await sigwire.init();
  await sigwire.init(); // idempotent

  const files = {};
  for (const f of await (await fetch('/vectors/')).json()) files[f] = await (await fetch(`/vectors/${f}`)).json();
  let t = performance.now();
  out.vectors = runAll(sigwire, files);
  out.vectorsMs = performance.now() - t;

  out.fetch = await runFetchCases(sigwire, location.origin, { keyId: params.get('keyId'), secret: params.get('secret') });
  out.badInput = runBadInput(sigwire);
  out.recovery = recovery();
  out.extLoaded = extLoaded();

  if (params.has('bench')) {
    const { runBench, checkBaselines, formatBench } = await import('/bench/bench.js');
    out.baselines = await checkBaselines(files);
    out.bench = await runBench(sigwire, { ms: Number(params.get('ms') || 1500) });
    out.benchText = formatBench(out.bench);
  }
  document.getElementById('out').textContent = out.benchText || 'done';
  return out;
}

window.__sigwire = main().catch((e) => ({ fatal: String((e && e.stack) || e) }));
