// ESM consumer: named and default imports type-check too.
import sigwire, { Signer, Verifier, type Verified } from 'sigwire';

const signer = new Signer({ keyId: 'k', secret: new Uint8Array(16) });
const verifier = new sigwire.Verifier({ keys: { k: new Uint8Array(16) } });
const auth: string = signer.sign({ method: 'GET', url: 'https://h/' }).Authorization;
const v: Verified = verifier.verifyDetailed({ method: 'GET', url: 'https://h/', headers: { authorization: auth } });
export const same: boolean = verifier instanceof Verifier && v.keyId === 'k';
