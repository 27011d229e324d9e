'use strict';
// Lists the portable native C sources (core, op adapters, reference kernels)
// relative to the repo root, sorted, with forward slashes. binding.gyp runs
// this file (`<!@(node scripts/native-sources.js)`) and the build scripts
// require() it, so every build compiles the same set.
var fs = require('fs');
var path = require('path');

var ROOT = path.resolve(__dirname, '..');
var DIRS = ['native/core', 'native/ops', 'native/kernels/reference', 'native/kernels/optimized'];

function walk(rel, out) {
  var abs = path.join(ROOT, rel);
  var entries;
  try {
    entries = fs.readdirSync(abs, { withFileTypes: true });
  } catch (e) {
    if (e.code === 'ENOENT') return; // a folder nobody has written yet
    throw e;
  }
  for (var i = 0; i < entries.length; i++) {
    var child = rel + '/' + entries[i].name;
    if (entries[i].isDirectory()) walk(child, out);
    else if (/\.c$/.test(entries[i].name)) out.push(child);
  }
}

function nativeSources() {
  var out = [];
  for (var i = 0; i < DIRS.length; i++) walk(DIRS[i], out);
  out.sort();
  return out;
}

module.exports = {
  ROOT: ROOT,
  DIRS: DIRS,
  INCLUDE_DIRS: ['native/include', 'native/core'],
  nativeSources: nativeSources,
};

if (require.main === module) {
  // gyp splits the output on whitespace; paths in this repo have none.
  process.stdout.write(nativeSources().join('\n') + '\n');
}
