'use strict';
/** makeError: the typed error for a machine code, the one way the shared modules raise one. */

const { SigwireError, ERROR_CLASSES } = require('./errors');

/** Builds the error for a core machine `code` (any other code becomes a plain SigwireError). */
function makeError(code, message, extra) {
  const cls = ERROR_CLASSES[code];
  return cls ? new cls(message, extra) : new SigwireError(code, message, extra);
}

module.exports = { makeError };
