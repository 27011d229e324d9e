#!/usr/bin/env node
'use strict';
// Builds firmware for the emulated Cortex-M4 board (boards/qemu-m4).
//  - Compiled once (dist/qemu-m4/obj/, keyed by content): Debian's duktape.c
//    with boards/qemu-m4/duk_config.h spliced into Debian's config, the
//    native sources (scripts/native-sources.js), the Duktape binding and the
//    board's own sources, with arm-none-eabi-gcc and picolibc.
//  - Per model: its ES5 bundle (only the ops it uses: scripts/device-bundle.js),
//    compiled to Duktape bytecode by this very Duktape build on the emulator
//    (board.json "js"), and one quick link that puts the bytecode and the
//    model into flash (.incbin); RAM is 256 KB (board.json).
//
//   node scripts/build-qemu.js [--bundle <file.js>] [--kernels <backend>] <model.tflite>   prints the firmware's path
//   require('./build-qemu').firmware(model)                           same, from JS
//
// Errors: one line on stderr and exit code 2 (missing tools: the apt-get line).
var fs = require('fs');
var path = require('path');
var crypto = require('crypto');
var childProcess = require('child_process');
var sources = require('./native-sources');

var ROOT = sources.ROOT;
var BOARD_DIR = path.join(ROOT, 'boards', 'qemu-m4');
var BOARD = JSON.parse(fs.readFileSync(path.join(BOARD_DIR, 'board.json'), 'utf8'));
// TINYML_QEMU_CACHE: another build cache (e.g. a repository's, shared by an installed package).
var OUT = process.env.TINYML_QEMU_CACHE ? path.resolve(process.env.TINYML_QEMU_CACHE) : path.join(ROOT, 'dist', 'qemu-m4');
var OBJ = path.join(OUT, 'obj');
var DUK_BINDING = 'native/bindings/duktape';
var COMMON_BINDING = 'native/bindings/common'; // glue shared by the engine bindings
var CC = 'arm-none-eabi-gcc';
var APT = 'apt-get install qemu-system-arm gcc-arm-none-eabi picolibc-arm-none-eabi';

var CPU = BOARD.cflags;
var COMMON = CPU.concat(['--specs=picolibc.specs', '-ffunction-sections', '-fdata-sections']);
// TML_PROFILE: tml_invoke calls the firmware's per-op hook (app mode's --profile).
var OUR_FLAGS = COMMON.concat(['-std=c99', '-Wall', '-Wextra', '-Werror', '-ffp-contract=off', '-O2', '-DTML_PROFILE']);
// Duktape is not our code: its own warnings are not ours to fix. -O2, not
// -Os: every script call and property read of an app runs through it (a
// bound invoke() costs 1,480 instructions at -O2, 2,520 at -Os), for about
// 62 KB more flash (198 KB), which a 1 MB board has.
var DUK_FLAGS = COMMON.concat(['-std=c99', '-O2', '-w']);

function duktapeDir() {
  return process.env.DUKTAPE_DIR || path.join(path.sep, 'usr', 'share', 'duktape');
}

function fail(msg, detail) {
  var e = new Error(msg);
  if (detail) e.detail = detail;
  throw e;
}

function which(cmd) {
  var dirs = (process.env.PATH || '').split(path.delimiter);
  for (var i = 0; i < dirs.length; i++) {
    if (dirs[i] && fs.existsSync(path.join(dirs[i], cmd))) return path.join(dirs[i], cmd);
  }
  return null;
}

/** Names of the missing tools ([] when the board can be built and run). */
function missingTools() {
  var missing = [];
  if (!which('qemu-system-arm')) missing.push('qemu-system-arm');
  if (!which(CC)) missing.push(CC);
  else {
    var r = childProcess.spawnSync(CC, ['--specs=picolibc.specs', '-print-file-name=picolibc.ld'], { encoding: 'utf8' });
    var specs = childProcess.spawnSync(CC, ['-print-file-name=picolibc.specs'], { encoding: 'utf8' });
    if (r.status !== 0 || !specs.stdout || !path.isAbsolute(specs.stdout.trim())) missing.push('picolibc');
  }
  if (!fs.existsSync(path.join(duktapeDir(), 'duktape.c'))) missing.push('duktape-dev');
  return missing;
}

function requireTools() {
  var missing = missingTools();
  if (missing.length) {
    fail('qemu-m4: ' + missing.join(', ') + ' not found: ' + APT +
      (missing.indexOf('duktape-dev') >= 0 ? ' duktape-dev' : ''));
  }
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch (e) {
    return -1;
  }
}

function headersIn(dir) {
  var out = [];
  try {
    fs.readdirSync(dir).forEach(function (n) { if (/\.h$/.test(n)) out.push(path.join(dir, n)); });
  } catch (e) { /* folder not written yet */ }
  return out;
}

function cFilesIn(rel) {
  try {
    return fs.readdirSync(path.join(ROOT, rel)).filter(function (n) { return /\.c$/.test(n); }).sort()
      .map(function (n) { return rel + '/' + n; });
  } catch (e) {
    return [];
  }
}

function run(cmd, args, what) {
  var r = childProcess.spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) fail('qemu-m4: cannot run ' + cmd + ': ' + r.error.message);
  if (r.status !== 0) fail('qemu-m4: ' + what + ' failed', (r.stdout || '') + (r.stderr || ''));
  return r.stdout;
}

function writeIfChanged(file, text) {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return false;
  fs.writeFileSync(file + '.' + process.pid + '.tmp', text);
  fs.renameSync(file + '.' + process.pid + '.tmp', file);
  return true;
}

/** dist/qemu-m4/duk/: links to Debian's duktape.c/.h next to the tuned config,
 *  so `#include "duk_config.h"` inside duktape.h finds ours. */
function prepareDuktape() {
  var dir = path.join(OUT, 'duk');
  var src = duktapeDir();
  fs.mkdirSync(dir, { recursive: true });
  ['duktape.c', 'duktape.h'].forEach(function (n) {
    var link = path.join(dir, n);
    var target = path.join(src, n);
    var cur = null;
    try { cur = fs.readlinkSync(link); } catch (e) { /* absent or a file */ }
    if (cur !== target) {
      try { fs.unlinkSync(link); } catch (e) { /* absent */ }
      try { fs.symlinkSync(target, link); } catch (e) { fs.copyFileSync(target, link); }
    }
  });
  var base = fs.readFileSync(path.join(src, 'duk_config.h'), 'utf8');
  var marker = '/* __OVERRIDE_DEFINES__ */';
  if (base.indexOf(marker) < 0) fail('qemu-m4: ' + path.join(src, 'duk_config.h') + ' has no ' + marker + ' marker');
  var tuning = fs.readFileSync(path.join(BOARD_DIR, 'duk_config.h'), 'utf8');
  writeIfChanged(path.join(dir, 'duk_config.h'), base.replace(marker,
    '/* boards/qemu-m4/duk_config.h */\n' + tuning + '\n/* end of boards/qemu-m4/duk_config.h */'));
  return dir;
}

function objName(rel, dir) {
  return path.join(dir || OBJ, rel.replace(/\.[cS]$/, '').replace(/[\/\\]/g, '_') + '.o');
}

// ---- kernel backends (native/ops/backend.h) ----
var KERNELS = ['reference', 'optimized', 'cmsis-nn'];

/** The backend to build: opts.kernels, else TINYML_KERNELS, else board.json. */
function kernelsFor(o) {
  var k = (o && o.kernels) || process.env.TINYML_KERNELS || BOARD.kernels || 'reference';
  if (KERNELS.indexOf(k) < 0) fail('qemu-m4: unknown kernels backend ' + k + ' (' + KERNELS.join(', ') + ')');
  return k;
}

var CMSIS_NN_HELP = 'set CMSIS_NN_DIR to a checkout of https://github.com/ARM-software/CMSIS-NN ' +
  '(git clone https://github.com/ARM-software/CMSIS-NN; nothing of it is in this repository)';

/** Every file under dir (absolute paths, sorted) whose name matches re. */
function filesUnder(dir, re) {
  var out = [];
  fs.readdirSync(dir, { withFileTypes: true }).forEach(function (e) {
    var f = path.join(dir, e.name);
    if (e.isDirectory()) out = out.concat(filesUnder(f, re));
    else if (re.test(e.name)) out.push(f);
  });
  return out.sort();
}

/**
 * Extra compiler flags, sources (repo-relative) and headers of a backend;
 * `foreign`: sources that are not ours (CMSIS-NN's), compiled with
 * foreignFlags and keyed by the headers, objects named native_* so that
 * sizes() counts them as native code.
 */
function backendBuild(kernels) {
  if (kernels === 'optimized') return { flags: ['-DTML_KERNELS_OPTIMIZED'], sources: [], headers: [], foreign: [] };
  if (kernels !== 'cmsis-nn') return { flags: [], sources: [], headers: [], foreign: [] };
  var dir = process.env.CMSIS_NN_DIR;
  if (!dir) fail('qemu-m4: --kernels cmsis-nn needs CMSIS-NN: ' + CMSIS_NN_HELP);
  dir = path.resolve(dir);
  var inc = path.join(dir, 'Include');
  if (!fs.existsSync(path.join(inc, 'arm_nnfunctions.h')) || !fs.existsSync(path.join(dir, 'Source'))) {
    fail('qemu-m4: CMSIS_NN_DIR=' + dir + ' is not a CMSIS-NN checkout (no Include/arm_nnfunctions.h and Source/): ' + CMSIS_NN_HELP);
  }
  var incs = ['-isystem', inc];
  // Releases before v4.1.0 (23.02) include CMSIS-Core's cmsis_compiler.h: CMSIS_DIR is
  // then a CMSIS_6 (or CMSIS_5) checkout.
  if (process.env.CMSIS_DIR) incs.push('-isystem', path.join(path.resolve(process.env.CMSIS_DIR), 'CMSIS', 'Core', 'Include'));
  var ours = 'native/kernels/cmsis_nn';
  // The integer library: the float kernels need ARM_NN_ENABLE_F32/F16.
  var lib = filesUnder(path.join(dir, 'Source'), /\.c$/).filter(function (f) { return !/_f(16|32)\.c$/.test(f); });
  return {
    flags: ['-DTML_KERNELS_CMSIS_NN'].concat(incs),
    sources: cFilesIn(ours),
    headers: headersIn(path.join(ROOT, ours)).concat(filesUnder(path.join(dir, 'Include'), /\.h$/)),
    foreign: lib.map(function (f) {
      return { src: f, name: 'native_cmsis-nn_' + path.relative(path.join(dir, 'Source'), f).replace(/\.c$/, '').replace(/[\/\\]/g, '_') };
    }),
    foreignFlags: COMMON.concat(['-std=c99', '-O2', '-w'], incs),
  };
}
// ---- end of kernel backends ----

/** Compiles what changed; returns the object files of the firmware (without
 *  the per-model blob). Compiles run two at a time (asynchronously). */
function compileAll(log, kernels) {
  var backend = backendBuild(kernels || 'reference'); // first: what it needs is said before missing tools
  requireTools();
  // Each backend keeps its own objects: switching does not recompile.
  var ourObj = path.join(OBJ, kernels || 'reference');
  fs.mkdirSync(ourObj, { recursive: true });
  fs.mkdirSync(OBJ, { recursive: true });
  var dukDir = prepareDuktape();
  var dukHeaders = [path.join(dukDir, 'duk_config.h'), path.join(dukDir, 'duktape.h')];
  var headerDirs = sources.INCLUDE_DIRS.concat(sources.DIRS, [DUK_BINDING, COMMON_BINDING]);
  var headers = headersIn(BOARD_DIR);
  headerDirs.forEach(function (d) { headers = headers.concat(headersIn(path.join(ROOT, d))); });
  headers = headers.concat(backend.headers);
  var includes = sources.INCLUDE_DIRS.concat([DUK_BINDING, 'boards/qemu-m4']).map(function (d) { return '-I' + d; });
  var ourFlags = OUR_FLAGS.concat(includes, ['-isystem', dukDir], backend.flags);
  // Objects are keyed by content (flags, source, every header they may
  // include), not by file times: several people edit this tree at once.
  var headerKey = sha(dukHeaders.concat(headers).sort().map(function (f) {
    return f + '\0' + fs.readFileSync(f, 'utf8');
  }).join('\0'));
  var jobs = [];
  var objs = [];
  var ours = ['boards/qemu-m4/main.c', 'boards/qemu-m4/pool.c', DUK_BINDING + '/tinyml_duk.c']
    .concat(cFilesIn(COMMON_BINDING), sources.nativeSources(), backend.sources);
  ours.forEach(function (rel) {
    var obj = objName(rel, ourObj);
    objs.push(obj);
    var args = ourFlags.concat(['-c', rel]);
    var key = sha(JSON.stringify(args) + headerKey + fs.readFileSync(path.join(ROOT, rel), 'utf8'));
    if (!upToDate(obj, key)) jobs.push({ what: rel, args: args, obj: obj, key: key });
  });
  // Library code of the backend (CMSIS-NN): keyed by its own headers.
  if (backend.foreign.length) {
    var libKey = sha(backend.headers.map(function (f) { return f + '\0' + fs.readFileSync(f, 'utf8'); }).join('\0'));
    backend.foreign.forEach(function (l) {
      var obj = path.join(ourObj, l.name + '.o');
      objs.push(obj);
      var args = backend.foreignFlags.concat(['-c', l.src]);
      var key = sha(JSON.stringify(args) + libKey + fs.readFileSync(l.src, 'utf8'));
      if (!upToDate(obj, key)) jobs.push({ what: path.basename(l.src), args: args, obj: obj, key: key });
    });
  }
  var dukObj = path.join(OBJ, 'duktape.o');
  objs.push(dukObj);
  var dukArgs = DUK_FLAGS.concat(['-I', dukDir, '-c', path.join(dukDir, 'duktape.c')]);
  var dukKey = sha(JSON.stringify(dukArgs) + dukHeaders.map(function (f) { return fs.readFileSync(f, 'utf8'); }).join('\0') +
    mtime(path.join(duktapeDir(), 'duktape.c')));
  // First: it is the long one.
  if (!upToDate(dukObj, dukKey)) jobs.unshift({ what: 'duktape.c', args: dukArgs, obj: dukObj, key: dukKey });
  // Each job writes a private file, renamed into place once complete: two
  // builds at the same time never see half an object.
  jobs.forEach(function (j) {
    j.tmp = j.obj + '.' + process.pid + '.tmp';
    j.args = j.args.concat(['-o', j.tmp]);
  });
  try {
    runJobs(jobs, log);
    jobs.forEach(function (j) {
      fs.renameSync(j.tmp, j.obj);
      fs.writeFileSync(j.obj + '.key', j.key);
    });
  } finally {
    jobs.forEach(function (j) { try { fs.unlinkSync(j.tmp); } catch (e) { /* renamed or never made */ } });
  }
  return objs;
}

function upToDate(obj, key) {
  try {
    return fs.existsSync(obj) && fs.readFileSync(obj + '.key', 'utf8') === key;
  } catch (e) {
    return false;
  }
}

/** Runs compiler jobs, two at a time, in a child node process so callers stay synchronous. */
function runJobs(jobs, log) {
  if (!jobs.length) return;
  if (log) log('qemu-m4: compiling ' + jobs.length + ' file(s)' + (jobs[0].what === 'duktape.c' ? ' (duktape.c takes a minute)' : ''));
  var script = [
    'var cp = require("child_process"); var fs = require("fs"); var jobs = JSON.parse(process.argv[1]); var next = 0, running = 0, failed = null, finished = 0;',
    // Progress on fd 3 (the caller's stderr) when there is a log: the first build takes about a minute.
    'function progress(what) { if (process.argv[2] === "log") try { fs.writeSync(3, "qemu-m4: compiled " + finished + "/" + jobs.length + " " + what + "\\n"); } catch (e) {} }',
    'function start() {',
    '  if (failed) return; if (next >= jobs.length) { if (!running) done(); return; }',
    '  var j = jobs[next++]; running++;',
    '  var p = cp.spawn(' + JSON.stringify(CC) + ', j.args, { cwd: ' + JSON.stringify(ROOT) + ' }); var out = "";',
    '  p.stdout.on("data", function (d) { out += d; }); p.stderr.on("data", function (d) { out += d; });',
    '  p.on("error", function (e) { failed = { what: j.what, out: e.message }; done(); });',
    '  p.on("close", function (code) { running--; if (code !== 0 && !failed) { failed = { what: j.what, out: out }; done(); } else { finished++; progress(j.what); start(); } });',
    '}',
    'function done() { if (failed) { process.stderr.write(failed.out); process.stdout.write(failed.what); process.exit(1); } process.exit(0); }',
    'start(); start();',
  ].join('\n');
  var r = childProcess.spawnSync(process.execPath, ['-e', script, JSON.stringify(jobs), log ? 'log' : ''],
    { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe', log ? process.stderr : 'ignore'] });
  if (r.status !== 0) fail('qemu-m4: compiling ' + (r.stdout || '?') + ' failed', r.stderr);
}

function sha(data) {
  return crypto.createHash('sha256').update(data).digest('hex');
}

function asmString(file) {
  return '"' + file.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** An object holding `bytes` of `file` in flash as symbols sym..sym_end (16-aligned). */
function blobObject(sym, file, hash) {
  var obj = path.join(OBJ, 'blob_' + sym + '_' + hash.slice(0, 16) + '.o');
  if (fs.existsSync(obj)) return obj;
  var asmFile = obj.replace(/\.o$/, '.' + process.pid + '.S');
  fs.writeFileSync(asmFile, [
    '  .section .rodata.' + sym + ',"a"',
    '  .balign 16',
    '  .global ' + sym + ', ' + sym + '_end',
    sym + ':',
    '  .incbin ' + asmString(file),
    sym + '_end:',
    '  .byte 0', // a NUL after the bundle text; harmless after a model
    '',
  ].join('\n'));
  try {
    run(CC, CPU.concat(['-c', asmFile, '-o', obj + '.' + process.pid + '.tmp']), 'assembling ' + path.basename(asmFile));
    fs.renameSync(obj + '.' + process.pid + '.tmp', obj);
  } finally {
    fs.unlinkSync(asmFile);
  }
  return obj;
}

/**
 * The ES5 bundle for a model: the device core (board.json "bundle": "core",
 * packed models), or the runtime with the on-device planner, with every op
 * ("full") or only the ops the model uses ("per-model", scripts/device-bundle.js).
 */
function bundleFor(model, o) {
  if (o.bundle) return o.bundle;
  if (!fs.existsSync(path.join(ROOT, 'dist', 'tinyml.node.js'))) fail('qemu-m4: dist/tinyml.node.js is missing: run `npm run build`');
  var kind = o.raw ? (BOARD.rawBundle || 'per-model') : BOARD.bundle;
  if (kind === 'core') return path.join(ROOT, 'dist', 'tinyml.core.js');
  if (kind === 'full') return path.join(ROOT, 'dist', 'tinyml.device.js');
  var r = childProcess.spawnSync(process.execPath, [path.join(__dirname, 'device-bundle.js'), model],
    { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) fail('qemu-m4: the device bundle for ' + path.basename(model) + ' failed', r.stderr);
  return r.stdout.trim();
}

function linkFlags(ram, stack) {
  return COMMON.concat([
    '--oslib=semihost',
    '-Wl,--defsym=__flash=' + BOARD.flash.origin, '-Wl,--defsym=__flash_size=' + BOARD.flash.bytes,
    '-Wl,--defsym=__ram=' + BOARD.ram.origin, '-Wl,--defsym=__ram_size=' + ram,
    '-Wl,--defsym=__stack_size=' + stack,
    // After the symbols: the script tests DEFINED(__stack_size) where it reads it.
    '-Tpicolibc.ld',
    '-Wl,--gc-sections', '-Wl,--wrap=tml_invoke', '-Wl,--wrap=tml_load_packed',
  ]);
}

/** Links objs into dist/qemu-m4/fw/<name>-<key>.elf unless that exists. */
function link(name, objs, ram, stack) {
  var ldflags = linkFlags(ram, stack);
  var key = sha(JSON.stringify(ldflags) + objs.map(function (f) {
    var k = null;
    try { k = fs.readFileSync(f + '.key', 'utf8'); } catch (e) { k = String(mtime(f)); } // blobs: named by content
    return f + ':' + k;
  }).join(','));
  var fwDir = path.join(OUT, 'fw');
  fs.mkdirSync(fwDir, { recursive: true });
  var elf = path.join(fwDir, name + '-' + key.slice(0, 12) + '.elf');
  if (fs.existsSync(elf)) return elf;
  var tmp = elf + '.' + process.pid + '.tmp';
  try {
    run(CC, ldflags.concat(['-o', tmp], objs, ['-lm', '-Wl,-Map=' + tmp + '.map']), 'linking the firmware ' + name);
  } catch (e) {
    try { fs.unlinkSync(tmp + '.map'); } catch (e2) { /* none */ }
    var over = /region `(\w+)' overflowed by (\d+) bytes/.exec(e.detail || '');
    if (over) {
      fail('qemu-m4: the firmware ' + name + ' does not fit the board: ' + (over[1] === 'flash' ? 'flash' : 'RAM') +
        ' (' + (over[1] === 'flash' ? BOARD.flash.bytes : ram) + ' bytes) overflows by ' + over[2] + ' bytes');
    }
    throw e;
  }
  fs.renameSync(tmp + '.map', elf.replace(/\.elf$/, '.map'));
  fs.renameSync(tmp, elf);
  // Older firmware under the same name is stale.
  fs.readdirSync(fwDir).forEach(function (f) {
    var m = /^(.*)-[0-9a-f]{12}\.elf$/.exec(f);
    if (m && m[1] === name && f !== path.basename(elf)) {
      try {
        fs.unlinkSync(path.join(fwDir, f));
        fs.unlinkSync(path.join(fwDir, f.replace(/\.elf$/, '.map')));
      } catch (e) { /* gone already */ }
    }
  });
  return elf;
}

/** A content-addressed copy of `bytes` under dist/qemu-m4/blobs/. */
function blobFile(prefix, bytes, ext) {
  var dir = path.join(OUT, 'blobs');
  fs.mkdirSync(dir, { recursive: true });
  var f = path.join(dir, prefix + '-' + sha(bytes).slice(0, 16) + ext);
  if (!fs.existsSync(f)) fs.writeFileSync(f, bytes);
  return f;
}

/**
 * What goes into flash for the bundle: the source wrapped as one function
 * expression returning the global it defines, or (board.json "js":
 * "bytecode") that function's Duktape bytecode, compiled by this very
 * Duktape build on the emulator (a dump firmware with plenty of RAM).
 */
function jsBlob(bundle, objs) {
  return jsFunctionBlob(fs.readFileSync(bundle, 'utf8'), 'tinyml', objs);
}

/** An app's invoke loop for the bench (boards/qemu-m4/main.c), as bytecode like the bundle. */
function driverBlob(objs) {
  return jsFunctionBlob('var driver = function (m, n) { while (n-- > 0) m.invoke(); };', 'driver', objs);
}

/** Flash form of `text` wrapped as a function returning its global `name`. */
function jsFunctionBlob(text, name, objs) {
  var wrapped = Buffer.from('function(){' + text + '\nreturn ' + name + ';}', 'utf8');
  var src = blobFile('bundle', wrapped, '.js');
  if (BOARD.js !== 'bytecode') return src;
  var dukObj = path.join(OBJ, 'duktape.o');
  var out = path.join(OUT, 'blobs', 'bundle-' + sha(Buffer.concat([wrapped, fs.readFileSync(dukObj),
    fs.readFileSync(path.join(__dirname, 'duk-bytecode.js'))])).slice(0, 16) + '.dbc');
  if (fs.existsSync(out)) return out;
  var empty = blobFile('empty', Buffer.alloc(0), '.bin');
  var dumper = link('dump', objs.concat([blobObject('tml_fw_model', empty, sha(Buffer.alloc(0))),
    blobObject('tml_fw_bundle', src, sha(wrapped)), blobObject('tml_fw_driver', empty, sha(Buffer.alloc(0)))]),
  1 << 20, 128 << 10);
  var tmp = out + '.' + process.pid + '.tmp';
  var r = childProcess.spawnSync('qemu-system-arm', qemuArgs(dumper, ['dump', '-', tmp, '0', '0', '0', '0']),
    { encoding: 'utf8', timeout: 600000 });
  if (r.status !== 0 || !fs.existsSync(tmp)) {
    fail('qemu-m4: compiling the bundle to bytecode failed', (r.stdout || '') + (r.stderr || '') + (r.error ? r.error.message : ''));
  }
  // Class methods need no .prototype object each (scripts/duk-bytecode.js).
  try {
    var patched = require('./duk-bytecode').dropMethodPrototypes(fs.readFileSync(tmp), '(' + wrapped.toString('utf8') + ')');
    fs.writeFileSync(tmp, patched.dump);
  } catch (e) {
    process.stderr.write('qemu-m4: bytecode left as compiled (' + e.message + ')\n');
  }
  fs.renameSync(tmp, out);
  return out;
}

/**
 * The model bytes that go into flash: packed on the host (`tinyml pack`) for
 * the core bundle, as given otherwise (raw: the device plans it). A model
 * that cannot be packed goes in raw: the board then reports why it cannot run.
 */
function flashModel(modelBytes, o) {
  if (o.raw || BOARD.bundle !== 'core') return modelBytes;
  var lib = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  try {
    return Buffer.from(lib.packModel(new Uint8Array(modelBytes)));
  } catch (e) {
    if (e instanceof lib.TinyMLError) return modelBytes;
    throw e;
  }
}

/**
 * Builds (or reuses) the firmware for one model. Returns
 * { elf, model, bundle, js, stackBytes, ramBytes }. opts: log (progress
 * callback), bundle (an ES5 bundle instead of the model's own), ramBytes,
 * raw (the model as it is, planned on the device by the planner add-on).
 */
function firmware(modelFile, opts) {
  var o = opts || {};
  var model = path.resolve(modelFile);
  var modelBytes;
  try {
    modelBytes = fs.readFileSync(model);
  } catch (e) {
    fail('cannot read model ' + modelFile + ': ' + e.code);
  }
  var kernels = kernelsFor(o);
  var objs = compileAll(o.log, kernels);
  var bundle = bundleFor(model, o);
  var js = jsBlob(bundle, objs);
  var driver = driverBlob(objs);
  var stack = BOARD.stackBytes;
  // A bigger RAM only to measure what a model would need (never for the board's figures).
  var ram = o.ramBytes || Number(process.env.TINYML_QEMU_RAM_BYTES) || BOARD.ram.bytes;
  modelBytes = flashModel(modelBytes, o);
  var name = path.basename(model).replace(/\.tflite$/, '').replace(/[^A-Za-z0-9_.-]/g, '_') + (o.raw ? '-raw' : '');
  // Copies under content-addressed names: the firmware never changes under a running emulator.
  var modelCopy = blobFile('model', modelBytes, '.tflite');
  var elf = link(name + (kernels !== 'reference' ? '-' + kernels : '') + (ram !== BOARD.ram.bytes ? '-ram' + ram : ''), objs.concat([
    blobObject('tml_fw_model', modelCopy, sha(modelBytes)),
    blobObject('tml_fw_bundle', js, sha(fs.readFileSync(js))),
    blobObject('tml_fw_driver', driver, sha(fs.readFileSync(driver))),
  ]), ram, stack);
  return { elf: elf, model: model, bundle: bundle, js: js, stackBytes: stack, ramBytes: ram, kernels: kernels };
}

/**
 * Firmware for an app (`tinyml build --board qemu-m4`): the app's ES5 script
 * (device core + app) as bytecode, and its file table (tools/build.js) where
 * a model would be; main.c's app mode runs it. opts: { log, name, kernels }.
 * Returns { elf, jsBytes, kernels }.
 */
function appFirmware(appJs, table, opts) {
  var o = opts || {};
  var kernels = kernelsFor(o); // o.kernels, TINYML_KERNELS or board.json's
  var objs = compileAll(o.log, kernels);
  if (o.log) o.log('  qemu-m4: compiling the app to Duktape bytecode (on the emulator)');
  var js = jsFunctionBlob(appJs, 'tinyml', objs);
  var tableFile = blobFile('files', table, '.bin');
  var empty = blobFile('empty', Buffer.alloc(0), '.bin');
  if (o.log) o.log('  qemu-m4: linking');
  var elf = link('app-' + String(o.name || 'app').replace(/[^A-Za-z0-9_.-]/g, '_'), objs.concat([
    blobObject('tml_fw_model', tableFile, sha(table)),
    blobObject('tml_fw_bundle', js, sha(fs.readFileSync(js))),
    blobObject('tml_fw_driver', empty, sha(Buffer.alloc(0))),
  ]), BOARD.ram.bytes, BOARD.stackBytes);
  return { elf: elf, jsBytes: fs.statSync(js).size, kernels: kernels };
}

/**
 * Sizes of a firmware: .text (code and read-only data, flash), .data, .bss
 * and the stack reserve, and who takes .text (from the linker map's input
 * sections): the native module (core, ops, kernels, binding), Duktape, the
 * board's own code, the C library, the model and the bundle.
 */
function sizes(elf) {
  var out = run('arm-none-eabi-size', ['-A', elf], 'arm-none-eabi-size');
  var sec = {};
  out.split('\n').forEach(function (line) {
    var m = /^(\.\S+)\s+(\d+)\s+(\d+)/.exec(line);
    if (m) sec[m[1]] = Number(m[2]);
  });
  var get = function (n) { return sec[n] || 0; };
  var share = { native: 0, nativeCode: 0, duktape: 0, board: 0, libc: 0, model: 0, bundle: 0 };
  var lines = fs.readFileSync(elf.replace(/\.elf$/, '.map'), 'utf8').split('\n');
  var inMap = false, outSec = '', pending = null;
  for (var i = 0; i < lines.length; i++) {
    var l = lines[i];
    if (!inMap) { inMap = /^Linker script and memory map/.test(l); continue; }
    var o = /^(\.[^\s]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+/.exec(l) || /^(\.[^\s]+)\s*$/.exec(l);
    if (o) { outSec = o[1]; pending = null; continue; }
    var one = /^ (\.[^\s]+)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(l);
    var name = null, size = 0, obj = '';
    if (one) { name = one[1]; size = parseInt(one[3], 16); obj = one[4]; }
    else if (pending) {
      var two = /^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$/.exec(l);
      if (two) { name = pending; size = parseInt(two[2], 16); obj = two[3]; }
    }
    pending = null;
    if (!name) {
      var p = /^ (\.[^\s]+)\s*$/.exec(l);
      if (p) pending = p[1];
      continue;
    }
    if (outSec !== '.text' && outSec !== '.init') continue;
    var base = path.basename(obj);
    var isCode = /^\.text/.test(name);
    if (/^blob_tml_fw_model/.test(base)) share.model += size;
    else if (/^blob_tml_fw_bundle/.test(base)) share.bundle += size;
    else if (/^native_/.test(base)) { share.native += size; if (isCode) share.nativeCode += size; }
    else if (base === 'duktape.o') share.duktape += size;
    else if (/^boards_/.test(base)) share.board += size;
    else share.libc += size;
  }
  return {
    text: get('.text') + get('.init'),
    data: get('.data') + get('.tdata'),
    bss: get('.bss') + get('.tbss_space'),
    stack: get('.stack'),
    share: share,
  };
}

/** Percent-encodes a semihosting argument (the command line is split on spaces). */
function encodeArg(s) {
  return String(s).replace(/[%\s]/g, function (c) {
    return '%' + ('0' + c.charCodeAt(0).toString(16)).slice(-2);
  });
}

/** QEMU's argument vector for a firmware and its semihosting arguments. */
function qemuArgs(elf, args) {
  var q = BOARD.qemu.slice();
  var i = q.indexOf('-semihosting-config');
  var list = ['fw'].concat(args).map(function (a) { return ',arg=' + encodeArg(a).replace(/,/g, ',,'); }).join('');
  q[i + 1] = q[i + 1] + list;
  return q.concat(['-kernel', elf]);
}

module.exports = {
  BOARD: BOARD,
  APT: APT,
  KERNELS: KERNELS,
  kernelsFor: kernelsFor,
  backendBuild: backendBuild,
  missingTools: missingTools,
  firmware: firmware,
  appFirmware: appFirmware,
  sizes: sizes,
  qemuArgs: qemuArgs,
  encodeArg: encodeArg,
  // for other firmware of this board (scripts/ota-qemu.js)
  compileAll: compileAll,
  blobObject: blobObject,
  linkFlags: linkFlags,
  OUR_FLAGS: OUR_FLAGS,
  OBJ: OBJ,
  CC: CC,
};

if (require.main === module) {
  try {
    var argv = process.argv.slice(2);
    var o = { log: function (m) { process.stderr.write(m + '\n'); } };
    for (;;) {
      if (argv[0] === '--bundle') { o.bundle = argv[1]; argv = argv.slice(2); }
      else if (argv[0] === '--kernels') { o.kernels = argv[1]; argv = argv.slice(2); }
      else break;
    }
    if (argv.length !== 1) fail('usage: node scripts/build-qemu.js [--bundle <file.js>] [--kernels reference|optimized|cmsis-nn] <model.tflite>');
    var fw = firmware(argv[0], o);
    process.stdout.write(fw.elf + '\n');
  } catch (e) {
    // Compiler or linker output first (it says what went wrong), then the one line.
    if (e.detail) process.stderr.write(e.detail.replace(/\n?$/, '\n'));
    process.stderr.write('tinyml: ' + e.message + '\n');
    process.exit(2);
  }
}
