'use strict';
// Espruino variables a packed model costs on the device core
// (dist/tinyml.core.js), measured on an Espruino Linux build with
// process.memory().usage after a garbage collection at each step.
//
// What counts as "after load": every variable in use once the core is
// evaluated and the model is constructed, allocated, fed and invoked once,
// minus the empty interpreter and minus the app's data, the model and input
// bytes (on a board the model sits in Storage/flash, memory-mapped, and takes
// no variables; here both are read into flat strings before the core, so
// their cost is measured and taken off). What is left is ours: the core's
// functions, the Interpreter's objects, the arena (a flat string in the
// variable store: its bytes / blocksize) and the two tensor views.
//
// How the core is loaded changes what its functions cost, so three ways:
//   ram    the source is a string in RAM, evaluated, then dropped (an upload
//          through the REPL): each function keeps its own text in variables
//   flash  the source is a Storage file, evaluated from there (Bangle.js and
//          boards whose Storage is memory-mapped): function text stays in flash
//   kept   as ram, but the whole source string also stays referenced (a script
//          file held for the length of its run): the most a load can cost
//
// Used by test/engines.test.js (TINYML_ESPRUINO_DIR); by hand:
//   node test/engines-vars.js <dir holding espruino> [core.js]
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const MODES = ['ram', 'flash', 'kept'];

/** The Espruino script measuring one load of `core` (a file) in `mode`. */
function script(core, model, input, mode) {
  // Every global and every field of R exists before the first figure, so
  // that the steps count only what the core and the interpreter add.
  return 'var FILES = ' + JSON.stringify({ core: core, model: model, input: input }) + ';\n' +
    'var R = { empty: 0, data: 0, core: 0, construct: 0, allocate: 0, invoke: 0, output: 0, arenaBytes: 0, blocksize: 0 };\n' +
    'var modelS = 0, inputS = 0, model = 0, input = 0, src = 0, m = 0, x = 0, o = 0, b = 0, i = 0, h = 0;\n' +
    'function use() { return process.memory().usage; }\n' +
    'function flat(f) { return E.toFlatString(require("fs").readFileSync(f)); }\n' +
    'R.empty = use();\n' +
    'modelS = flat(FILES.model); inputS = flat(FILES.input);\n' +
    'model = new Uint8Array(E.toArrayBuffer(modelS)); input = new Uint8Array(E.toArrayBuffer(inputS));\n' +
    'R.data = use();\n' +
    'src = require("fs").readFileSync(FILES.core);\n' +
    (mode === 'flash' ? 'require("Storage").write("core.js", src); src = require("Storage").read("core.js");\n' : '') +
    'eval(src);\n' +
    (mode === 'kept' ? '' : 'src = 0;\n') +
    'R.core = use();\n' +
    'm = new tinyml.Interpreter(model);\n' +
    'R.construct = use();\n' +
    'm.allocateTensors();\n' +
    'R.allocate = use();\n' +
    'x = m.input(0);\n' +
    'b = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);\n' +
    'for (i = 0; i < b.length; i++) b[i] = input[i];\n' +
    'm.invoke();\n' +
    'o = m.output(0);\n' +
    'b = 0;\n' +
    'R.invoke = use();\n' +
    'b = new Uint8Array(o.buffer, o.byteOffset, o.byteLength);\n' +
    'for (h = "", i = 0; i < b.length; i++) h += (b[i] < 16 ? "0" : "") + b[i].toString(16);\n' +
    'R.output = h;\n' +
    // allocateTensors() made an arena of exactly the section's figure (W_ARENA).
    'R.arenaBytes = m.words[11];\n' +
    'R.blocksize = process.memory().blocksize;\n' +
    'console.log("TINYML_VARS " + JSON.stringify(R));\n';
}

/**
 * Measures `core` (default dist/tinyml.core.js) with the packed `model` file
 * and `input` on the espruino binary in `dir`. Returns one breakdown per mode:
 * { mode, data, core, interpreter, arena, views, ours, total, output, ... }.
 */
function measure(dir, model, input, core) {
  core = core || path.join(__dirname, '..', 'dist', 'tinyml.core.js');
  const espruino = path.join(dir, 'espruino');
  return MODES.map(function (mode) {
    // Storage writes land in the working directory: a fresh one per run.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-vars-'));
    try {
      const file = path.join(tmp, 'measure.js');
      fs.writeFileSync(file, script(path.resolve(core), path.resolve(model), path.resolve(input), mode));
      const r = spawnSync(espruino, [file], { cwd: tmp, encoding: 'utf8', timeout: 120000 });
      const line = (r.stdout || '').split(/\r?\n/).find(function (l) { return l.indexOf('TINYML_VARS ') === 0; });
      if (!line) throw new Error('espruino printed no TINYML_VARS line (' + mode + '):\n' + (r.stdout || '').slice(-1500) + (r.stderr || ''));
      const R = JSON.parse(line.slice(12));
      // The arena is one flat string: a header block plus its bytes in blocks.
      const arena = 1 + Math.ceil(R.arenaBytes / R.blocksize);
      return {
        mode: mode,
        empty: R.empty,
        data: R.data - R.empty,
        core: R.core - R.data,
        interpreter: R.allocate - R.core - arena,
        arena: arena,
        views: R.invoke - R.allocate,
        ours: R.invoke - R.data,
        total: R.invoke,
        output: R.output,
        arenaBytes: R.arenaBytes,
        blocksize: R.blocksize,
      };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
}

/** A table of measure()'s rows. */
function table(rows) {
  const cols = ['mode', 'core', 'interpreter', 'arena', 'views', 'ours', 'data', 'empty', 'total'];
  return [cols.join('\t')].concat(rows.map(function (r) {
    return cols.map(function (c) { return r[c]; }).join('\t');
  })).join('\n') + '\n(blocksize ' + rows[0].blocksize + ' bytes; arena ' + rows[0].arenaBytes +
    ' bytes; ours = core + interpreter (constructed and allocated, arena aside) + arena + views and invoke)';
}

module.exports = { measure, table, MODES };

if (require.main === module) {
  const h = require('./helpers');
  const dir = process.argv[2] || process.env.TINYML_ESPRUINO_DIR;
  if (!dir) throw new Error('usage: node test/engines-vars.js <dir holding espruino> [core.js]');
  const tmp = h.tmpDir();
  const G = path.join(h.MODELS, 'golden', 'kws_ds_cnn_int8');
  const packed = path.join(tmp, 'kws.packed.tflite');
  fs.writeFileSync(packed, h.tinyml().packModel(h.readBytes(path.join(h.MODELS, 'kws_ds_cnn_int8.tflite'))));
  console.log(table(measure(dir, packed, path.join(G, 'prng_seed1.input.bin'), process.argv[3])));
  fs.rmSync(tmp, { recursive: true, force: true });
}
