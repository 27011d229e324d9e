'use strict';
// `tinyml build <app.ts> --board <name> [--file name=path]... [--out dir]`:
// the app (rollup + @rollup/plugin-typescript + terser, ES5) after the device
// core, its files (models packed on the host), and what the board runs
// (qemu-m4: firmware.elf), with a size report against the board's
// board.json; refuses an image that does not fit. Output:
//   <out>/app.js      device bundle + app (ES5, minified)
//   <out>/files/      the image's files, as board.file(name) gives them
//   <out>/build.json  board, files (bytes, sha256, arena), sizes, app version
//   <out>/firmware.elf  (qemu-m4)
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const plugin = require('./rollup-plugin');
const fitter = require('./fit');

const ROOT = path.join(__dirname, '..');
const TYPES = {
  node: path.join(ROOT, 'dist', 'types', 'node.d.ts'),
  app: path.join(ROOT, 'dist', 'types', 'app', 'index.d.ts'),
  root: path.join(ROOT, 'tools', 'typeroot'), // tinyml-board: the board API's globals
};
const TOOLS = ['rollup', '@rollup/plugin-typescript', '@rollup/plugin-terser', 'typescript', 'tslib'];

class BuildError extends Error {}

function lib() {
  return require(path.join(ROOT, 'dist', 'tinyml.node.js'));
}

function sha256(b) {
  return crypto.createHash('sha256').update(b).digest('hex');
}

/** A build tool, from the app's project first, then from this package's. */
function tool(name, appDir) {
  let file;
  try {
    file = require.resolve(name, { paths: [appDir, ROOT] });
  } catch (e) {
    throw new BuildError('tinyml build needs ' + name + ' in the app\'s project: npm install --save-dev ' + TOOLS.join(' '));
  }
  return require(file);
}

/** The image's files: models (*.tflite) packed on the host; each with its arena figure. */
function readFiles(specs, log) {
  const L = lib();
  return specs.map(function (spec) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq) : path.basename(spec);
    const file = eq > 0 ? spec.slice(eq + 1) : spec;
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new BuildError('--file ' + spec + ': names are letters, digits, _ . -');
    let bytes;
    try {
      bytes = new Uint8Array(fs.readFileSync(file));
    } catch (e) {
      throw new BuildError('--file ' + spec + ': cannot read ' + file + ' (' + e.code + ')');
    }
    const f = { name: name, source: path.resolve(file), bytes: bytes, model: null };
    if (/\.tflite$/i.test(file)) {
      const t0 = Date.now();
      const part = L.modelPart(bytes);
      const prepared = new L.PreparedModel(part);
      let plan;
      try {
        plan = prepared.plan();
      } catch (e) {
        if (!(e instanceof L.TinyMLError)) throw e;
        throw new BuildError('--file ' + spec + ': this model cannot run here: ' + e.message);
      }
      f.bytes = L.packModel(bytes);
      const g = prepared.model.subgraphs[0];
      const names = g.operators.map(function (op) { return L.opName ? L.opName(op) : String(op.builtin); });
      f.model = {
        packed: true,
        arenaBytes: plan.arenaBytes,
        inputs: g.inputs.length,
        outputs: g.outputs.length,
        // Op names per program op, when the program keeps the model's ops one for one (no fusion).
        ops: plan.ops.length === names.length ? names : plan.ops.map(function (o) { return 'kind ' + o.kind; }),
      };
      log('  packed ' + name + ': ' + f.bytes.length + ' bytes, arena ' + plan.arenaBytes + ' bytes (' + (Date.now() - t0) + ' ms)');
    }
    return f;
  });
}

/** Rollup over the app: returns { code, runtime: 'core' | 'device' }. */
async function bundleApp(entry, log) {
  const appDir = path.dirname(entry);
  const rollup = tool('rollup', appDir);
  const typescript = tool('@rollup/plugin-typescript', appDir);
  const terser = tool('@rollup/plugin-terser', appDir);
  tool('tslib', appDir);
  const tsconfig = findTsconfig(appDir);
  // The TypeScript plugin compiles only files under the current directory:
  // bundle from the app's own, wherever the command was started.
  const cwd = process.cwd();
  process.chdir(appDir);
  try {
    return await bundleIn(rollup, typescript, terser, entry, appDir, tsconfig, log);
  } finally {
    process.chdir(cwd);
  }
}

async function bundleIn(rollup, typescript, terser, entry, appDir, tsconfig, log) {
  let runtime = 'core';
  const warnings = [];
  const bundle = await rollup.rollup({
    input: entry,
    onwarn: function (w) { warnings.push(w); },
    plugins: [
      plugin({ onImport: function (which) { if (which === 'device') runtime = 'device'; } }),
      // The app's compilerOptions (not its file list: the entry decides what is
      // compiled), with what a board needs on top: ES5 modules for rollup.
      // The app is checked against the types of this tinyml-ts (the one that
      // builds it), wherever the app lives: a project with the package
      // installed, or this repository's examples/.
      typescript({
        tsconfig: false,
        include: [path.join(appDir, '**', '*.ts')],
        compilerOptions: Object.assign({ strict: true, lib: ['ES5'], moduleResolution: 'bundler' },
          compilerOptionsOf(tool('typescript', appDir), tsconfig),
          { target: 'ES5', module: 'ESNext', noEmit: false, noEmitOnError: true, declaration: false, outDir: undefined, sourceMap: false },
          { typeRoots: [TYPES.root], types: ['tinyml-board'], paths: { 'tinyml-ts': [TYPES.node], 'tinyml-ts/core': [TYPES.node], 'tinyml-ts/device': [TYPES.node], 'tinyml-ts/app': [TYPES.app] } }),
      }),
    ],
  });
  const out = await bundle.generate({ format: 'iife', plugins: [terser(plugin.terserOptions)] });
  await bundle.close();
  warnings.forEach(function (w) {
    if (w.code !== 'UNUSED_EXTERNAL_IMPORT') log('  rollup: ' + (w.message || String(w)));
  });
  return { code: out.output[0].code, runtime: runtime };
}

function compilerOptionsOf(ts, file) {
  if (!file) return {};
  const r = ts.readConfigFile(file, ts.sys.readFile);
  if (r.error) throw new BuildError(file + ': ' + ts.flattenDiagnosticMessageText(r.error.messageText, ' '));
  return (r.config && r.config.compilerOptions) || {};
}

function findTsconfig(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const f = path.join(d, 'tsconfig.json');
    if (fs.existsSync(f)) return f;
    if (path.dirname(d) === d || fs.existsSync(path.join(d, 'package.json'))) return null;
  }
}

function appVersion(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const f = path.join(d, 'package.json');
    if (fs.existsSync(f)) {
      try {
        const p = JSON.parse(fs.readFileSync(f, 'utf8'));
        return p.version ? { name: p.name, version: p.version } : null;
      } catch (e) {
        return null;
      }
    }
    if (path.dirname(d) === d) return null;
  }
}

/**
 * Real boards whose engine gives primitives only (boards/device-board.js
 * builds the board API on them): what app.js holds and what the board's
 * flashing step takes.
 */
const DEVICE_BOARDS = {
  esp32: {
    // tinyml_board.c defines __native and calls board.__tick().
    wrap: function (runtime, code) { return deviceApp('', runtime, code, ''); },
    // The partition image: app.js and the files, memory-mapped on the board.
    write: function (out, appJs, files, board) {
      const mkimage = require(path.join(ROOT, 'boards', 'esp32', 'mkimage.js'));
      const list = [{ name: 'app.js', data: Buffer.from(appJs) }].concat(files.map(function (f) {
        if (Buffer.byteLength(f.name) >= mkimage.NAME) throw new BuildError('esp32: file name longer than ' + (mkimage.NAME - 1) + ' bytes: ' + f.name);
        return { name: f.name, data: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length) };
      }));
      const image = mkimage.pack(list);
      const max = board.flash.partition.bytes;
      if (image.length > max) {
        throw new BuildError('esp32: the image is ' + image.length + ' bytes, ' + (image.length - max) + ' over the "' +
          board.flash.partition.label + '" partition (' + max + ' bytes, boards/esp32/project/partitions.csv)');
      }
      const file = path.join(out, 'tinyml.img');
      fs.writeFileSync(file, image);
      return { file: file, bytes: image.length, how: 'parttool.py write_partition --partition-name ' + board.flash.partition.label + ' --input ' + file };
    },
  },
  nrf52840: {
    // Espruino's own API gives the primitives; a timer chain drives the loop.
    wrap: function (runtime, code) {
      return deviceApp(fs.readFileSync(path.join(ROOT, 'boards', 'nrf52840', 'prelude.js'), 'utf8'), runtime, code,
        '(function tick() { var w = board.__tick(); if (w >= 0) setTimeout(tick, w); })();\n');
    },
    // A script for the Espruino IDE or CLI that writes everything to Storage:
    // the files under their names, the app as .bootcde (run at every reset).
    write: function (out, appJs, files) {
      const list = files.map(function (f) {
        if (f.name.length > STORAGE_NAME || f.name.charAt(0) === '.') {
          throw new BuildError('nrf52840: Storage names are at most ' + STORAGE_NAME + ' characters and do not start with ".": ' + f.name);
        }
        return { name: f.name, data: Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length) };
      }).concat([{ name: '.bootcde', data: Buffer.from(appJs) }]);
      const lines = [
        '// Written by `tinyml build --board nrf52840`: puts the app and its files in',
        '// Storage. Send it with the Espruino IDE or `espruino -p <port> upload.js`; the app',
        '// (.bootcde) starts at the next reset, or now with load().',
        'var S = require("Storage");',
      ];
      list.forEach(function (f) {
        for (let at = 0; at < f.data.length || at === 0; at += STORAGE_CHUNK) {
          const b64 = f.data.subarray(at, at + STORAGE_CHUNK).toString('base64');
          lines.push('S.write(' + JSON.stringify(f.name) + ', atob("' + b64 + '"), ' + at + (at === 0 ? ', ' + f.data.length : '') + ');');
        }
      });
      lines.push('console.log("tinyml: ' + list.length + ' files written to Storage");');
      const file = path.join(out, 'upload.js');
      fs.writeFileSync(file, lines.join('\n') + '\n');
      return { file: file, bytes: fs.statSync(file).size, how: 'send it to the board (Espruino IDE, or espruino -p <port> upload.js), then reset' };
    },
  },
};
const STORAGE_NAME = 28;
const STORAGE_CHUNK = 1536;

function deviceApp(prelude, runtime, code, start) {
  return prelude + fs.readFileSync(path.join(ROOT, 'boards', 'device-board.js'), 'utf8') + runtime + '\n' +
    'board.__run(function () {\n' + code + '\n});\n' + start;
}

/** The file table the qemu-m4 firmware reads (boards/qemu-m4/main.c, app mode). */
function fileTable(files, arenaBlock) {
  const names = files.map(function (f) { return Buffer.from(f.name, 'utf8'); });
  let off = 16 + 16 * files.length;
  const nameOff = names.map(function (n) { const o = off; off += n.length; return o; });
  const dataOff = files.map(function (f) { off = (off + 15) & ~15; const o = off; off += f.bytes.length; return o; });
  const out = Buffer.alloc(off);
  out.write('TMLF', 0, 'latin1');
  out.writeUInt32LE(1, 4);
  out.writeUInt32LE(files.length, 8);
  out.writeUInt32LE(arenaBlock, 12);
  files.forEach(function (f, i) {
    out.writeUInt32LE(nameOff[i], 16 + 16 * i);
    out.writeUInt32LE(names[i].length, 20 + 16 * i);
    out.writeUInt32LE(dataOff[i], 24 + 16 * i);
    out.writeUInt32LE(f.bytes.length, 28 + 16 * i);
    names[i].copy(out, nameOff[i]);
    Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.length).copy(out, dataOff[i]);
  });
  return out;
}

function boardJson(name) {
  const f = path.join(ROOT, 'boards', String(name), 'board.json');
  if (!/^[a-z0-9-]+$/.test(String(name)) || !fs.existsSync(f)) {
    const known = fs.readdirSync(path.join(ROOT, 'boards')).filter(function (d) {
      return fs.existsSync(path.join(ROOT, 'boards', d, 'board.json'));
    });
    throw new BuildError('unknown board "' + name + '" (' + known.join(', ') + ')');
  }
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

/**
 * Builds an app. o: { app, board, files: ['name=path'], out, arena, kernels (qemu-m4), log }.
 * Returns build.json's content; throws BuildError (one line) on failure.
 */
async function build(o) {
  const log = o.log || function () {};
  const t0 = Date.now();
  const board = boardJson(o.board || 'host');
  const entry = path.resolve(o.app);
  if (!fs.existsSync(entry)) throw new BuildError('no such app: ' + o.app);
  const out = path.resolve(o.out || path.join(path.dirname(entry), 'build', board.name));
  const steps = board.name === 'qemu-m4' ? 4 : 3;
  let step = 0;
  function stage(what) { log('[' + (++step) + '/' + steps + '] ' + what + ' (' + ((Date.now() - t0) / 1000).toFixed(1) + ' s)'); }

  stage('files: ' + (o.files || []).length + ' given');
  const files = readFiles(o.files || [], log);

  stage('bundling ' + path.basename(entry) + ' (rollup, TypeScript, terser: ES5)');
  let app;
  try {
    app = await bundleApp(entry, log);
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError('bundling ' + path.basename(entry) + ' failed: ' + String(e.message || e).split('\n')[0]);
  }
  // A raw TFLite model among the files (not *.tflite, so not packed here)
  // is planned on the device: the runtime then needs the planner add-on.
  const raw = files.filter(function (f) {
    return !f.model && f.bytes.length >= 8 && String.fromCharCode(f.bytes[4], f.bytes[5], f.bytes[6], f.bytes[7]) === 'TFL3';
  });
  if (raw.length && app.runtime !== 'device') {
    app.runtime = 'device';
    log('  ' + raw.map(function (f) { return f.name; }).join(', ') + ': raw TFLite, planned on the device: the runtime includes the planner');
  }
  const runtime = plugin.readRuntime(app.runtime);
  const device = DEVICE_BOARDS[board.name];
  const appJs = device ? device.wrap(runtime, app.code) : runtime + '\n' + app.code;

  const models = files.filter(function (f) { return f.model; });
  // The board's arena block: the models' arenas side by side, unless the app
  // says how much it needs (--arena: shared arenas, models loaded at run time).
  let arenaBlock = models.reduce(function (s, f) { return s + ((f.model.arenaBytes + 15) & ~15); }, 0);
  if (o.arena !== undefined) {
    const n = Number(o.arena);
    if (!(Math.floor(n) === n && n >= 0 && n <= 0x7fffffff)) throw new BuildError('--arena takes a number of bytes, got ' + o.arena);
    arenaBlock = (n + 15) & ~15;
  }
  const result = {
    board: board.name,
    app: path.basename(entry),
    version: appVersion(path.dirname(entry)),
    runtime: app.runtime,
    bundleBytes: Buffer.byteLength(appJs),
    arenaBlock: arenaBlock,
    files: files.map(function (f) {
      return { name: f.name, source: f.source, bytes: f.bytes.length, sha256: sha256(f.bytes), model: f.model };
    }),
    firmware: null,
    fit: null,
  };

  let firmware = null;
  if (board.name === 'qemu-m4') {
    stage('firmware: Duktape + native module + app bytecode + files (the first build compiles Duktape: about a minute)');
    const q = require(path.join(ROOT, 'scripts', 'build-qemu.js'));
    const missing = q.missingTools();
    if (missing.length) throw new BuildError('qemu-m4: ' + missing.join(', ') + ' not found: ' + q.APT);
    const table = fileTable(files, arenaBlock);
    try {
      firmware = q.appFirmware(appJs, table, { log: log, name: path.basename(entry).replace(/\.[jt]s$/, ''), kernels: o.kernels });
    } catch (e) {
      if (e.detail && !/overflow/.test(e.message)) log(e.detail);
      throw new BuildError(e.message);
    }
    const s = q.sizes(firmware.elf);
    result.firmware = { kernels: firmware.kernels, text: s.text, data: s.data, bss: s.bss, stack: s.stack, share: s.share, bytecodeBytes: firmware.jsBytes };
  }

  stage('size report against boards/' + board.name + '/board.json');
  const fit = fitter.fit(board, {
    bundleBytes: result.bundleBytes,
    models: models.map(function (f) { return f.model; }),
    arenaBlock: o.arena !== undefined ? arenaBlock : undefined,
    fileBytes: files.reduce(function (s, f) { return s + f.bytes.length; }, 0),
    firmware: result.firmware,
  });
  result.fit = fit;
  log(fitter.report(board, fit));
  if (!fit.fits) throw new BuildError(fitter.refusal(board, fit));

  fs.rmSync(path.join(out, 'files'), { recursive: true, force: true });
  fs.mkdirSync(path.join(out, 'files'), { recursive: true });
  files.forEach(function (f) { fs.writeFileSync(path.join(out, 'files', f.name), f.bytes); });
  fs.writeFileSync(path.join(out, 'app.js'), appJs);
  if (firmware) fs.copyFileSync(firmware.elf, path.join(out, 'firmware.elf'));
  else fs.rmSync(path.join(out, 'firmware.elf'), { force: true });
  if (device) {
    const written = device.write(out, appJs, files, board);
    log('wrote ' + path.relative(process.cwd(), written.file) + ' (' + written.bytes + ' bytes): ' + written.how);
  }
  fs.writeFileSync(path.join(out, 'build.json'), JSON.stringify(result, null, 1) + '\n');
  log('built ' + path.relative(process.cwd(), out) + ' in ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s');
  result.out = out;
  return result;
}

module.exports = { build: build, BuildError: BuildError, boardJson: boardJson, fileTable: fileTable };
