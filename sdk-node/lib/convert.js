'use strict';
/** Input conversion: the shared module (common/convert.js), under the path the Node-only modules use. */
module.exports = require('./common/convert');
