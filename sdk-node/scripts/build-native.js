#!/usr/bin/env node
'use strict';
/**
 * Install step: builds the native addon from source with cargo and copies it to build/sigwire.node.
 *
 * Sources, in order:
 *   1. native/ inside the package (present in a tarball made by `npm pack`: see prepack.js);
 *   2. the repository checkout around sdk-node/ (`npm install ./sdk-node`).
 * Needs a Rust toolchain (cargo on PATH, or $CARGO, or ~/.cargo/bin/cargo). Crates come from crates.io.
 * Environment: CARGO_TARGET_DIR is honoured; SIGWIRE_BUILD_PROFILE=debug builds without optimisation.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const pkgDir = path.resolve(__dirname, '..');
const outDir = path.join(pkgDir, 'build');
const outFile = path.join(outDir, 'sigwire.node');

function fail(message) {
  console.error(`sigwire: ${message}`);
  process.exit(1);
}

function findWorkspace() {
  const vendored = path.join(pkgDir, 'native');
  if (fs.existsSync(path.join(vendored, 'bindings', 'node', 'Cargo.toml'))) return { root: vendored, vendored: true };
  const repo = path.resolve(pkgDir, '..');
  if (fs.existsSync(path.join(repo, 'bindings', 'node', 'Cargo.toml'))) return { root: repo, vendored: false };
  return fail('cannot find the Rust sources (native/ or ../bindings/node); reinstall from the repository or an `npm pack` tarball');
}

function findCargo() {
  const candidates = [process.env.CARGO, 'cargo', path.join(os.homedir(), '.cargo', 'bin', 'cargo')].filter(Boolean);
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return c;
  }
  return fail('cargo not found: install a Rust toolchain (https://rustup.rs) and reinstall the package');
}

function main() {
  const { root, vendored } = findWorkspace();
  const cargo = findCargo();
  const debug = process.env.SIGWIRE_BUILD_PROFILE === 'debug';
  const env = { ...process.env };
  const ownTarget = vendored && !env.CARGO_TARGET_DIR;
  const args = ['build', '-p', 'sigwire-node', '--manifest-path', path.join(root, 'Cargo.toml'), '--message-format=json-render-diagnostics'];
  if (!debug) args.push('--release');
  console.error(`sigwire: building the native addon (cargo ${args.slice(0, 3).join(' ')}${debug ? '' : ' --release'}) ...`);
  const r = spawnSync(cargo, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.error) fail(`cargo failed to start: ${r.error.message}`);
  if (r.status !== 0) fail(`cargo build failed (exit ${r.status})`);
  let artifact;
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    if (msg.reason === 'compiler-artifact' && msg.target && msg.target.name === 'sigwire_node') {
      artifact = (msg.filenames || []).find((f) => /\.(so|dylib|dll)$/.test(f)) || artifact;
    }
  }
  if (!artifact) fail('cargo did not report the sigwire_node library');
  fs.mkdirSync(outDir, { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  fs.copyFileSync(artifact, tmp);
  fs.renameSync(tmp, outFile);
  if (ownTarget) fs.rmSync(path.join(root, 'target'), { recursive: true, force: true });
  console.error(`sigwire: native addon ready at ${path.relative(process.cwd(), outFile) || outFile}`);
}

main();
