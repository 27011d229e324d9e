'use strict';
// The package as a user gets it (test/package.test.js, test/app-build.test.js):
// `npm pack` this repository and install the tarball in a scratch project.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');

/** The environment for a nested npm: without the state of an enclosing `npm test`
 *  (npm_config_local_prefix would point the install at the repository). */
function npmEnv() {
  const env = {};
  for (const k of Object.keys(process.env)) {
    if (!/^(npm_(lifecycle_|package_|command$|execpath$|node_execpath$|config_local_prefix$)|INIT_CWD$)/i.test(k)) env[k] = process.env[k];
  }
  // Offline: node-gyp builds against the headers installed next to this node
  // (as scripts/build.js does) instead of downloading them.
  const prefix = path.join(path.dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  return env;
}

function requireFile(file, hint) {
  if (!fs.existsSync(file)) throw new Error(file + ' is missing: ' + hint);
}

function run(cmd, args, cwd, what) {
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, env: npmEnv(), encoding: 'utf8', timeout: 10 * 60 * 1000 });
  if (r.error && r.error.code === 'ENOENT') throw new Error(cmd + ' not found: install Node.js with npm (scripts/setup.sh)');
  assert.strictEqual(r.status, 0, what + ' failed (' + (r.error ? r.error.message : 'status ' + r.status) + '):\n' +
    r.stdout + r.stderr);
  return { stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

/**
 * npm pack (once), then a scratch project work/app with the tarball
 * installed. Returns { app, tarball, pkg: { files, size, ms, installMs } }.
 */
let packed = null; // one `npm pack` per mocha run, shared by the test files that install it

function pack() {
  if (packed) return packed;
  const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'tinyml-pack-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  // prepack runs `npm run build` (a no-op when dist/ is current).
  const r = run('npm', ['pack', '--json', '--pack-destination', dir], h.ROOT, 'npm pack');
  const info = JSON.parse(r.stdout.slice(r.stdout.search(/^\[/m)))[0];
  packed = { tarball: path.join(dir, info.filename), files: info.files.map((f) => f.path), size: info.size, ms: r.ms };
  return packed;
}

function packAndInstall(work) {
  const p = pack();
  const tarball = p.tarball;
  const pkg = { files: p.files, size: p.size, ms: p.ms };
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true }));
  const installed = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app, 'npm install <tarball>');
  pkg.installMs = installed.ms;
  return { app, tarball, pkg };
}

module.exports = { npmEnv, run, requireFile, packAndInstall };
