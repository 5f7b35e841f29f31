// The demo page's module: the browser build of sigwire-wasm, served by demo/browser/server.mjs
// at /sdk/ (the sdk-wasm package folder). demo/chromium_client.mjs calls window.sigwireDemo(config).
import { init, Signer, signedFetch } from '/sdk/src/index.js';

function hexToBytes(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

async function verdict(response) {
  const text = await response.text();
  let data = null;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON: reported as is below
  }
  if (response.status === 200 && data && data.key_id) {
    return { live_verdict: `accepted (key ${data.key_id})`, live_nonce: data.nonce, echo_body: data.body };
  }
  return { live_verdict: `rejected: ${(data && data.error) || text.slice(0, 80)}`, live_nonce: null };
}

/**
 * Signs the fixed request offline, then sends a live signed request (fresh timestamp and nonce)
 * to `${location.origin}${config.livePath}` with signedFetch. Returns the demo's JSON record.
 */
async function run(config) {
  await init(); // fetches /sdk/dist/sigwire_wasm_bg.wasm from this origin
  const headers = { 'Content-Type': config.contentType };
  const signer = new Signer({ keyId: config.keyId, secret: hexToBytes(config.secretHex), algorithm: config.algorithm });
  const fixed = signer.signDetailed({
    method: config.method,
    url: config.url,
    headers,
    body: config.body,
    timestamp: config.timestamp,
    nonce: config.nonce,
  });
  const chrome = (navigator.userAgent.match(/Chrome\/([\d.]+)/) || [])[1] || '?';
  const out = {
    runtime: `chromium ${chrome.split('.')[0]} (wasm)`,
    via: `sigwire-wasm in a page from ${location.origin}; live: signedFetch (browser fetch) via that origin's /v1/ proxy`,
    fixed_authorization: fixed.authorization,
    fixed_signature: fixed.signature,
  };
  const liveUrl = `${location.origin}${config.livePath}`;
  const response = await signedFetch(signer)(liveUrl, { method: 'POST', headers, body: config.body });
  out.live_status = response.status;
  Object.assign(out, await verdict(response));
  out.live_url = liveUrl;
  document.getElementById('out').textContent = JSON.stringify(out, null, 2);
  return out;
}

window.sigwireDemo = run;
window.sigwireDemoReady = true;
