'use strict';
// Type declarations for the package: dist/types/<entry>.d.ts for every
// TypeScript entry of rollup.config.js (and everything they import), plus the
// ambient declaration files of src/ (board.d.ts: what a board gives device
// code) copied as they are. Driven by the entries, so a new bundle gets its
// declarations without a list to keep here.
// Usage: require('./build-types').buildTypes(), or node scripts/build-types.js.
var fs = require('fs');
var path = require('path');

var ROOT = path.resolve(__dirname, '..');
var OUT = path.join(ROOT, 'dist', 'types');

/** The .ts inputs of every rollup config (strings, arrays or objects of them). */
function entryFiles() {
  var configs = [].concat(require(path.join(ROOT, 'rollup.config.js')));
  var out = [];
  configs.forEach(function (c) {
    var inputs = typeof c.input === 'string' ? [c.input] : Array.isArray(c.input) ? c.input : Object.values(c.input || {});
    inputs.forEach(function (i) {
      if (/\.ts$/.test(i) && out.indexOf(i) < 0) out.push(path.resolve(ROOT, i));
    });
  });
  return out;
}

function ambientFiles(dir, out) {
  fs.readdirSync(dir, { withFileTypes: true }).forEach(function (e) {
    var p = path.join(dir, e.name);
    if (e.isDirectory()) ambientFiles(p, out);
    else if (/\.d\.ts$/.test(e.name)) out.push(p);
  });
  return out;
}

function buildTypes() {
  var ts = require('typescript');
  var src = path.join(ROOT, 'src');
  var cfg = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, Object.assign({}, ts.sys, {
    onUnRecoverableConfigFileDiagnostic: function (d) { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  }));
  var ambient = ambientFiles(src, []);
  var options = Object.assign({}, cfg.options, {
    declaration: true, emitDeclarationOnly: true, noEmit: false,
    rootDir: src, declarationDir: OUT, outDir: undefined, sourceMap: false, declarationMap: false,
  });
  fs.rmSync(OUT, { recursive: true, force: true }); // no declarations of deleted sources
  var program = ts.createProgram(entryFiles().concat(ambient), options);
  var result = program.emit();
  var diags = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (diags.length) {
    throw new Error('type declarations: ' + ts.formatDiagnostics(diags, {
      getCanonicalFileName: function (f) { return f; }, getCurrentDirectory: function () { return ROOT; },
      getNewLine: function () { return '\n'; },
    }));
  }
  ambient.forEach(function (f) {
    var dst = path.join(OUT, path.relative(src, f));
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    fs.copyFileSync(f, dst);
  });
}

/** What buildTypes() writes for the entries (for the build's staleness check). */
function outputs() {
  var src = path.join(ROOT, 'src');
  return entryFiles().map(function (f) { return path.join(OUT, path.relative(src, f).replace(/\.ts$/, '.d.ts')); });
}

module.exports = { buildTypes: buildTypes, entryFiles: entryFiles, outputs: outputs, OUT: OUT };

if (require.main === module) buildTypes();
