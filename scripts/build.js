#!/usr/bin/env node
'use strict';
// One build for everything the tests and the CLI use:
//   build/Release/tinyml.node  N-API addon (node-gyp; also built by `npm install`)
//   dist/tinyml.device.js      ES5 device bundle      dist/tinyml.node.js  Node bundle + CLI
//   dist/tinyml-duk            Duktape host runner (needs Debian's duktape-dev)
//   dist/types/                .d.ts of every bundle entry, and src/board.d.ts (the package's types)
// Each step is skipped when its outputs are newer than its inputs.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const root = path.join(__dirname, '..');
process.chdir(root);

function newest(dirs, exts) {
  let t = 0;
  for (const d of dirs) {
    if (!fs.existsSync(d)) continue;
    const st = fs.statSync(d);
    if (st.isFile()) { t = Math.max(t, st.mtimeMs); continue; }
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) t = Math.max(t, newest([p], exts));
      else if (exts.some((x) => e.name.endsWith(x))) t = Math.max(t, fs.statSync(p).mtimeMs);
    }
  }
  return t;
}

function stale(outputs, inputsTime) {
  return outputs.some((o) => !fs.existsSync(o) || fs.statSync(o).mtimeMs < inputsTime);
}

function step(name, fn) {
  const t0 = Date.now();
  fn();
  console.log('build: ' + name + ' (' + (Date.now() - t0) + ' ms)');
}

const nativeTime = newest(['native', 'binding.gyp', 'scripts/native-sources.js'], ['.c', '.h', '.gyp', '.js']);
if (stale(['build/Release/tinyml.node'], nativeTime)) {
  step('node addon', () => {
    const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root, path.dirname(process.execPath) + '/../lib/node_modules/npm'] });
    // Offline machines build against the headers installed next to this node.
    const args = [gyp, 'rebuild', '--loglevel=warn'];
    const prefix = path.join(path.dirname(process.execPath), '..');
    if (!process.env.npm_config_nodedir && fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
      args.push('--nodedir=' + prefix);
    }
    execFileSync(process.execPath, args, { stdio: 'inherit' });
  });
}

const tsTime = newest(['src', 'rollup.config.js', 'scripts/device-terser.js', 'tsconfig.json', 'package.json'], ['.ts', '.js', '.json']);
if (stale(['dist/tinyml.core.js', 'dist/tinyml.device.js', 'dist/tinyml.node.js', 'dist/tinyml.ota.js'], tsTime)) {
  step('bundles', () => {
    execFileSync(process.execPath, [require.resolve('rollup/dist/bin/rollup'), '-c', '--silent'], { stdio: 'inherit' });
  });
}

const types = require('./build-types.js');
if (stale(types.outputs(), Math.max(tsTime, newest(['scripts/build-types.js'], ['.js'])))) {
  step('type declarations', () => types.buildTypes());
}

step('duktape runner', () => require('./build-duktape.js').buildDuktapeRunner());
