// The reference server helper shared with the native package's Client tests
// (sdk-node/test/helpers/reference-server.js): startServer() resolves to { base, port, url(p),
// control(method, p, body), fault, requests, nonces, stop() }.
import helper from '../../../sdk-node/test/helpers/reference-server.js';

export const { SERVER_BIN, KEY, SECRET, startServer } = helper;
