// Types of fetch.js, shared by the Node package (sigwire) and the browser package (sigwire-wasm).
import type { Signer } from './signer.js';

/** A `fetch` that signs every request (exact bytes and final URL). */
export function signedFetch(signer: Signer, options?: { fetch?: typeof fetch }): typeof fetch;
