#!/usr/bin/env node
'use strict';
/** Removes native/ created by prepack.js (only inside the repository). */
const fs = require('node:fs');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
if (fs.existsSync(path.join(pkgDir, '..', 'bindings', 'node', 'Cargo.toml'))) {
  fs.rmSync(path.join(pkgDir, 'native'), { recursive: true, force: true });
}
