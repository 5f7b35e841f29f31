/**
 * The public API shared with the Node package (Signer, KeyStore, InMemoryReplayStore, Verifier,
 * ReplayTicket, signedFetch): the one source is sdk-node/lib/common/, generated into
 * dist/common/ as ES modules by scripts/esm.mjs, running here on the WebAssembly back end.
 */
import './backend.js';

export { Signer } from '../dist/common/signer.js';
export { KeyStore, InMemoryReplayStore } from '../dist/common/keys.js';
export { Verifier, ReplayTicket } from '../dist/common/verifier.js';
export { signedFetch } from '../dist/common/fetch.js';
