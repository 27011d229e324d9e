'use strict';
// `tinyml emulate <dir> [--board host|duktape|qemu-m4] [--profile] [-- args]`:
// runs a built app (tools/build.js) with the board API. The app's print()
// goes to stdout, its exit code is the command's; errors are one line
// "tinyml: ..." on stderr. Every build runs on host and duktape (same
// app.js, boards/host/board.js gives the board API); qemu-m4 needs a build
// for it (firmware.elf). Files given to board.input/output are relative to
// the current directory.
const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');

class EmulateError extends Error {}

function readBuild(dir) {
  const f = path.join(dir, 'build.json');
  if (!fs.existsSync(f)) throw new EmulateError(dir + ' is not a build (no build.json): run `tinyml build` first');
  return JSON.parse(fs.readFileSync(f, 'utf8'));
}

/** app.js after the host board shim, as one script. */
function hostScript(dir) {
  return 'var __TINYML_FILES = ' + JSON.stringify(path.join(path.resolve(dir), 'files')) + ';\n' +
    fs.readFileSync(path.join(ROOT, 'boards', 'host', 'board.js'), 'utf8') +
    '\nboard.__run(function () {\n' + fs.readFileSync(path.join(dir, 'app.js'), 'utf8') + '\n});\n';
}

const EXIT = { exit: true };

function runHost(dir, args) {
  const lib = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  const g = global;
  g.__tinyml_native = lib.loadAddon();
  g.print = function (s) { process.stdout.write(s + '\n'); };
  let code = 0;
  g.__host = {
    args: args,
    readFile: function (p) {
      try {
        return new Uint8Array(fs.readFileSync(p));
      } catch (e) {
        return null;
      }
    },
    writeFile: function (p, bytes) {
      try {
        fs.writeFileSync(p, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        return true;
      } catch (e) {
        return false;
      }
    },
    exit: function (c) {
      code = c;
      throw EXIT;
    },
  };
  try {
    vm.runInThisContext(hostScript(dir), { filename: path.join(dir, 'app.js') });
  } catch (e) {
    if (e !== EXIT) {
      process.stderr.write('tinyml: ' + (e && e.message ? e.message : String(e)) + '\n');
      return 1;
    }
  }
  return code;
}

function duktapeRunner() {
  const bin = path.join(ROOT, 'dist', 'tinyml-duk');
  if (!fs.existsSync(bin)) {
    const t0 = Date.now();
    process.stderr.write('duktape: building the host runner ' + bin + ' (once; about a minute)\n');
    require(path.join(ROOT, 'scripts', 'build-duktape.js')).buildDuktapeRunner();
    process.stderr.write('duktape: built in ' + ((Date.now() - t0) / 1000).toFixed(1) + ' s\n');
  }
  return bin;
}

/** JerryScript 3.0 (a tinyml-jerry build, TINYML_JERRYSCRIPT_DIR; not in CI): `tinyml-jerry --script`. */
function jerryRunner() {
  const bin = path.join(process.env.TINYML_JERRYSCRIPT_DIR || '', 'tinyml-jerry');
  if (!process.env.TINYML_JERRYSCRIPT_DIR || !fs.existsSync(bin)) {
    throw new EmulateError('--board jerryscript needs TINYML_JERRYSCRIPT_DIR (the directory holding tinyml-jerry; boards/README.md)');
  }
  return bin;
}

function runDuktape(dir, args, runner) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-emulate-'));
  try {
    const script = path.join(tmp, 'app.js');
    fs.writeFileSync(script, hostScript(dir));
    const r = spawnSync(runner || duktapeRunner(), ['--script', script].concat(args), { stdio: 'inherit' });
    if (r.error) throw new EmulateError('cannot run ' + (runner || 'the Duktape runner') + ': ' + r.error.message);
    return r.status === null ? 3 : r.status;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Espruino 2v29 (a Linux build with the tinyml module, TINYML_ESPRUINO_DIR;
 * not in CI): boards/host/board.js over Espruino's own fs, the app's lines
 * between markers in the REPL's output.
 */
function runEspruino(dir, args) {
  const bin = path.join(process.env.TINYML_ESPRUINO_DIR || '', 'espruino');
  if (!process.env.TINYML_ESPRUINO_DIR || !fs.existsSync(bin)) {
    throw new EmulateError('--board espruino needs TINYML_ESPRUINO_DIR (the directory holding an espruino Linux build with the tinyml module; boards/README.md)');
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-emulate-'));
  try {
    const script = path.join(tmp, 'app.js');
    fs.writeFileSync(script, [
      'var __tinyml_exit = { code: 0 };',
      'var __host = {',
      '  args: ' + JSON.stringify(args) + ',',
      '  readFile: function (p) {',
      '    var s = require("fs").readFileSync(p);',
      '    if (s === undefined) return null;',
      '    var f = E.toFlatString(s);',
      '    if (f === undefined) throw new Error("not enough contiguous memory for " + p);',
      '    return new Uint8Array(E.toArrayBuffer(f));',
      '  },',
      '  writeFile: function (p, bytes) { return require("fs").writeFileSync(p, E.toString(bytes)) !== false; },',
      '  exit: function (c) { __tinyml_exit.code = c; throw __tinyml_exit; }',
      '};',
      'console.log("TINYML_BEGIN");',
      'try {',
      hostScript(dir),
      '  console.log("TINYML_EXIT 0");',
      '} catch (e) {',
      '  if (e === __tinyml_exit) console.log("TINYML_EXIT " + e.code);',
      '  else console.log("TINYML_ERR " + (e && e.message !== undefined ? e.message : String(e)));',
      '}',
    ].join('\n'));
    const r = spawnSync(bin, [script], { encoding: 'utf8', input: '', maxBuffer: 256 << 20, timeout: 10 * 60 * 1000 });
    if (r.error) throw new EmulateError('cannot run ' + bin + ': ' + r.error.message);
    const lines = (r.stdout || '').split(/\r?\n/);
    const begin = lines.indexOf('TINYML_BEGIN');
    for (let i = begin + 1; begin >= 0 && i < lines.length; i++) {
      const l = lines[i];
      if (l.indexOf('TINYML_EXIT ') === 0) return Number(l.slice(12));
      if (l.indexOf('TINYML_ERR ') === 0) {
        process.stderr.write('tinyml: ' + l.slice(11) + '\n');
        return 1;
      }
      process.stdout.write(l + '\n');
    }
    process.stderr.write('tinyml: the Espruino run ended without a result: ' + lines.filter(function (l) { return l.trim(); }).slice(-3).join(' | ') + '\n');
    return 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Parses "TMLPROFILE <kernel> <n> <kind>:<instr>..." lines. */
function parseProfiles(stderr) {
  const out = [];
  stderr.split('\n').forEach(function (l) {
    if (l.indexOf('TMLPROFILE ') !== 0) return;
    const w = l.trim().split(' ');
    out.push({
      kernel: Number(w[1]),
      ops: w.slice(3).map(function (p) { const kv = p.split(':'); return { kind: Number(kv[0]), instructions: Number(kv[1]) }; }),
    });
  });
  return out;
}

/** Op names for a profile: from the build's models whose program has that many ops. */
function opNames(build, n) {
  const m = (build.files || []).filter(function (f) { return f.model && f.model.ops && f.model.ops.length === n; })[0];
  return m ? m.model.ops : null;
}

/** Kernel kind names (TML_K_* in native/include/tinyml.h): "DWCONV_S8". */
function kindNames() {
  const names = {};
  const h = fs.readFileSync(path.join(ROOT, 'native', 'include', 'tinyml.h'), 'utf8');
  const re = /\bTML_K_(\w+)\s*=\s*(\d+)/g;
  let m;
  while ((m = re.exec(h)) !== null) names[m[2]] = m[1];
  return names;
}

function formatProfiles(build, profiles) {
  const lines = [];
  const kinds = kindNames();
  profiles.forEach(function (p, k) {
    const sum = p.ops.reduce(function (s, o) { return s + o.instructions; }, 0);
    lines.push('profile: invoke ' + (k + 1) + ': ' + p.kernel + ' kernel instructions, ' + sum + ' in ops (' +
      (p.kernel ? (100 * sum / p.kernel).toFixed(2) : '0') + '%)');
    const names = opNames(build, p.ops.length);
    p.ops.forEach(function (o, i) {
      const name = names && !/^kind /.test(names[i]) ? names[i] : kinds[o.kind] || 'kind ' + o.kind;
      lines.push('  op ' + String(i).padEnd(4) + name.padEnd(28) + String(o.instructions).padStart(12));
    });
  });
  return lines.join('\n');
}

/** Runs firmware.elf on QEMU; returns { status, stdout, stderr, profiles, stats }. */
function runQemuApp(dir, args, o) {
  const elf = path.join(dir, 'firmware.elf');
  if (!fs.existsSync(elf)) throw new EmulateError(dir + ' has no firmware.elf: build it with `tinyml build ... --board qemu-m4`');
  const q = require(path.join(ROOT, 'scripts', 'build-qemu.js'));
  const flags = (o.profile ? 1 : 0) | (o.stats ? 2 : 0);
  const r = spawnSync('qemu-system-arm', q.qemuArgs(elf, ['app', String(flags)].concat(args)),
    { encoding: 'utf8', timeout: 30 * 60 * 1000, maxBuffer: 256 << 20 });
  if (r.error && r.error.code === 'ENOENT') throw new EmulateError('qemu-system-arm not found: ' + q.APT);
  const stderr = (r.stderr || '');
  let stats = null;
  stderr.split('\n').forEach(function (l) { if (l.indexOf('TMLAPP ') === 0) stats = JSON.parse(l.slice(7)); });
  return {
    status: r.error || r.signal ? 3 : r.status,
    stdout: r.stdout || '',
    stderr: stderr.split('\n').filter(function (l) { return !/^TML(PROFILE|APP) /.test(l); }).join('\n'),
    profiles: parseProfiles(stderr),
    stats: stats,
    error: r.error ? r.error.message : r.signal ? 'killed by ' + r.signal : null,
  };
}

/** o: { board, args, profile }. Returns the exit code. */
function emulate(dir, o) {
  const build = readBuild(dir);
  const board = o.board || (build.board === 'qemu-m4' ? 'qemu-m4' : 'host');
  const args = o.args || [];
  if (o.profile && board !== 'qemu-m4') throw new EmulateError('--profile needs --board qemu-m4 (per-op instructions)');
  if (board === 'host') return runHost(dir, args);
  if (board === 'duktape') return runDuktape(dir, args);
  if (board === 'espruino') return runEspruino(dir, args);
  if (board === 'jerryscript') return runDuktape(dir, args, jerryRunner());
  if (board === 'qemu-m4') {
    const r = runQemuApp(dir, args, o);
    process.stdout.write(r.stdout);
    if (r.stderr.trim()) process.stderr.write(r.stderr.replace(/\n*$/, '\n'));
    if (o.profile) process.stderr.write(formatProfiles(build, r.profiles) + '\n');
    if (o.stats && r.stats) process.stderr.write('stats: ' + JSON.stringify(r.stats) + '\n');
    if (r.error) process.stderr.write('tinyml: the qemu-m4 run failed: ' + r.error + '\n');
    return r.status;
  }
  throw new EmulateError('unknown --board ' + board + ' (host, duktape, qemu-m4, jerryscript, espruino)');
}

module.exports = { emulate: emulate, runQemuApp: runQemuApp, formatProfiles: formatProfiles, EmulateError: EmulateError };
