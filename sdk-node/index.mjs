// ESM entry point: the same objects as the CommonJS entry (one native addon, one set of classes).
// Node reads the export names from index.js's `module.exports = { ... }`: its shorthand properties
// and, through the spread `require`, those of lib/common/errors.js.
import sigwire from './index.js';

export * from './index.js';
export default sigwire;
