#!/usr/bin/env node
'use strict';
// Per-model ES5 device bundles (the Moddable "manifest" idea): the runtime
// with only the ops one model uses, for boards whose RAM cannot hold the
// compiled code of every op (Duktape keeps compiled functions in its heap).
//
// src/planner/resolver.ts stays the single source of truth. Steps:
//  1. tsc emits src/ as ES5 modules into dist/device-es5/ (once per source change).
//  2. rollup bundles them as rollup.config.js's device bundle does (same
//     output options, same terser), with one plugin: in planner/resolver.js,
//     every `case` of a switch whose label is a builtin code or custom-op
//     name the model does not use is dropped. Tree-shaking then drops the op
//     modules nothing refers to any more.
// A model that cannot be read on the host gets the core alone (no ops): the
// device reports the same error the full bundle would.
//
//   node scripts/device-bundle.js <model.tflite>   prints the bundle's path
//   node scripts/device-bundle.js --ops 3,4,9,25   same, for builtin codes (custom: --ops 32,SignalWindow)
var fs = require('fs');
var path = require('path');
var crypto = require('crypto');
var childProcess = require('child_process');

var ROOT = path.join(__dirname, '..');
var ES5 = path.join(ROOT, 'dist', 'device-es5');
var OUT = path.join(ROOT, 'dist', 'bundles');

/** Hash of every file under dir (content and path), for cache keys. */
function treeHash(dir, h) {
  var entries;
  try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch (e) { return h; }
  entries.sort(function (a, b) { return a.name < b.name ? -1 : a.name > b.name ? 1 : 0; });
  for (var i = 0; i < entries.length; i++) {
    var p = path.join(dir, entries[i].name);
    if (entries[i].isDirectory()) treeHash(p, h);
    else h.update(path.relative(ROOT, p) + '\0').update(fs.readFileSync(p));
  }
  return h;
}

/** Key of the inputs of step 1 (sources, tsconfig, this script). */
function sourceKey() {
  var h = treeHash(path.join(ROOT, 'src'), crypto.createHash('sha256'));
  h.update(fs.readFileSync(path.join(ROOT, 'tsconfig.json'))).update(fs.readFileSync(__filename));
  return h.digest('hex').slice(0, 16);
}

/** Step 1: ES5 modules of src/ (tsc, no type check: `npm run build` checks
 *  types). Returns the key of the sources they came from. */
function emitEs5() {
  var stamp = path.join(ES5, '.stamp');
  var key = sourceKey();
  var have = null;
  try { have = fs.readFileSync(stamp, 'utf8'); } catch (e) { /* none yet */ }
  if (have === key) return key;
  // Emitted next to it, then swapped in: a concurrent build never reads half a tree.
  var tmp = ES5 + '.' + process.pid + '.tmp';
  fs.rmSync(tmp, { recursive: true, force: true });
  var tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  var r = childProcess.spawnSync(process.execPath, [tsc, '-p', path.join(ROOT, 'tsconfig.json'), '--outDir', tmp,
    '--noCheck', '--importHelpers', '--declaration', 'false', '--sourceMap', 'false', '--noEmitOnError', 'false'],
  { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new Error('device-bundle: tsc failed: ' + (r.stdout || '') + (r.stderr || ''));
  }
  fs.writeFileSync(path.join(tmp, '.stamp'), key);
  fs.rmSync(ES5, { recursive: true, force: true });
  try {
    fs.renameSync(tmp, ES5);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true }); // another build swapped its copy in first
  }
  return key;
}

/** The ops of a model: { builtins: [codes], customs: [names] }, or null if unreadable. */
function modelOps(modelFile) {
  var lib = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  var data = fs.readFileSync(modelFile);
  var bytes = new Uint8Array(data.length);
  bytes.set(data);
  var builtins = [], customs = [];
  try {
    var m = new lib.Interpreter(bytes);
    m.model.subgraphs.forEach(function (g) {
      g.operators.forEach(function (op) {
        if (builtins.indexOf(op.builtin) < 0) builtins.push(op.builtin);
        if (op.customCode && customs.indexOf(op.customCode) < 0) customs.push(op.customCode);
      });
    });
  } catch (e) {
    return null;
  }
  builtins.sort(function (a, b) { return a - b; });
  customs.sort();
  return { builtins: builtins, customs: customs };
}

/** rollup plugin: drops resolver cases the model does not use. */
function pruneResolver(ops) {
  var resolver = path.join(ES5, 'planner', 'resolver.js');
  return {
    name: 'tinyml-prune-resolver',
    transform: function (code, id) {
      if (path.resolve(id) !== resolver) return null;
      var ast = this.parse(code);
      var cuts = [];
      var seen = 0;
      (function walk(node) {
        if (!node || typeof node.type !== 'string') return;
        if (node.type === 'SwitchStatement') {
          // A group is a run of cases sharing one body (`case A: case B: return x;`).
          var group = [];
          node.cases.forEach(function (c) {
            group.push(c);
            if (c.consequent.length === 0) return;
            var keep = group.some(function (g) {
              if (!g.test) return true; // default
              if (g.test.type !== 'Literal') return true; // not a plain label: keep
              seen++;
              return typeof g.test.value === 'number' ? ops.builtins.indexOf(g.test.value) >= 0
                : ops.customs.indexOf(g.test.value) >= 0;
            });
            if (!keep) cuts.push([group[0].start, c.end]);
            group = [];
          });
        }
        Object.keys(node).forEach(function (k) {
          var v = node[k];
          if (Array.isArray(v)) v.forEach(walk);
          else if (v && typeof v.type === 'string') walk(v);
        });
      })(ast);
      if (seen === 0) this.error('device-bundle: no case labels found in planner/resolver.js: its switch format changed');
      cuts.sort(function (a, b) { return b[0] - a[0]; });
      cuts.forEach(function (c) { code = code.slice(0, c[0]) + code.slice(c[1]); });
      return { code: code, map: null };
    },
  };
}

/** The board's entry: the device core with the on-device planner add-on
 *  (for raw models), what its firmware calls and nothing more (index.ts also
 *  exports runFrames etc. for the host runners). Packed models need none of
 *  this: they run on dist/tinyml.core.js. */
var ENTRY = '\0tinyml-board-entry';
function entry() {
  return {
    name: 'tinyml-board-entry',
    resolveId: function (id) { return id === ENTRY ? ENTRY : null; },
    load: function (id) {
      if (id !== ENTRY) return null;
      return "import { setPlanner } from './core/interpreter.js';\n" +
        "import { planner } from './planner/pack.js';\n" +
        "setPlanner(planner);\n" +
        "export { Interpreter } from './core/interpreter.js';\n" +
        "export { TinyMLError } from './core/errors.js';\n";
    },
  };
}

/** Resolves extensionless ES module imports inside dist/device-es5 and tslib. */
function resolveEs5() {
  return {
    name: 'tinyml-resolve-es5',
    resolveId: function (source, importer) {
      if (source === 'tslib') return require.resolve('tslib/tslib.es6.js', { paths: [ROOT] });
      if (!importer || source[0] !== '.') return null;
      var p = path.resolve(importer === ENTRY ? ES5 : path.dirname(importer), source);
      if (/\.js$/.test(p) && fs.existsSync(p)) return p;
      if (fs.existsSync(p + '.js')) return p + '.js';
      if (fs.existsSync(path.join(p, 'index.js'))) return path.join(p, 'index.js');
      return null;
    },
  };
}

function key(ops) {
  return ops ? 'b' + ops.builtins.join('_') + (ops.customs.length ? '-c' + ops.customs.join('_') : '') : 'core';
}

/** Step 2: the bundle for an op set (cached). Returns its path. */
async function bundleFor(ops) {
  var srcKey = emitEs5();
  var deviceConfig = require(path.join(ROOT, 'rollup.config.js'))[0];
  var configHash = crypto.createHash('sha256').update(fs.readFileSync(path.join(ROOT, 'rollup.config.js')))
    .update(srcKey).digest('hex').slice(0, 12);
  var name = key(ops || { builtins: [], customs: [] });
  if (name.length > 80) name = crypto.createHash('sha256').update(name).digest('hex').slice(0, 24);
  var file = path.join(OUT, 'tinyml.device.' + configHash + '.' + name + '.js');
  if (fs.existsSync(file)) return file;
  var rollup = require(require.resolve('rollup', { paths: [ROOT] }));
  var bundle = await rollup.rollup({
    input: ENTRY,
    plugins: [entry(), resolveEs5(), pruneResolver(ops || { builtins: [], customs: [] })],
    onwarn: function (w) { if (w.code !== 'THIS_IS_UNDEFINED') process.stderr.write('device-bundle: ' + w.message + '\n'); },
  });
  var out = deviceConfig.output;
  // Not strict: Duktape gives every strict function instance two extra
  // "caller"/"arguments" thrower properties; the TypeScript output does not
  // depend on strict-mode semantics.
  var result = await bundle.generate({ format: out.format, name: out.name, plugins: out.plugins, strict: false });
  await bundle.close();
  fs.mkdirSync(OUT, { recursive: true });
  var tmp = file + '.' + process.pid + '.tmp';
  fs.writeFileSync(tmp, result.output[0].code);
  fs.renameSync(tmp, file);
  return file;
}

module.exports = {
  modelOps: modelOps, bundleFor: bundleFor, emitEs5: emitEs5,
  // for tools that bundle differently (e.g. per-module size reports)
  plugins: function (ops) { return [entry(), resolveEs5(), pruneResolver(ops || { builtins: [], customs: [] })]; },
  ENTRY: ENTRY,
};

if (require.main === module) {
  (async function () {
    var args = process.argv.slice(2);
    var ops;
    if (args[0] === '--ops' && args.length === 2) {
      ops = { builtins: [], customs: [] };
      args[1].split(',').filter(Boolean).forEach(function (x) {
        if (/^\d+$/.test(x)) ops.builtins.push(Number(x));
        else ops.customs.push(x);
      });
      ops.builtins.sort(function (a, b) { return a - b; });
      ops.customs.sort();
    } else if (args.length === 1) {
      ops = modelOps(args[0]);
    } else {
      throw new Error('usage: node scripts/device-bundle.js <model.tflite> | --ops <codes and custom names>');
    }
    process.stdout.write(await bundleFor(ops) + '\n');
  })().catch(function (e) {
    process.stderr.write('tinyml: ' + e.message + '\n');
    process.exit(2);
  });
}
