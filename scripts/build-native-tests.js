#!/usr/bin/env node
'use strict';
// Sanitizer builds of the native module (clang, -fsanitize=address,undefined,
// every report fatal), under dist/native-tests/:
//   libtinyml-san.a        every native source (scripts/native-sources.js)
//   run/<name>             one standalone C test runner per test/kernels_*.c
//                          and test/native/*_test.c, linked with that library
//                          (a runner that defines its own tml_find_op simply
//                          does not pull the op table out of the archive)
//   asan/tinyml.node       the Node addon with the same sanitizers; load it
//                          under LD_PRELOAD=<asanRuntime()> (see fuzz/mutate.js)
//   fuzz/fuzz_load         libFuzzer target fuzz/fuzz_load.c (raw bytes)
//   fuzz/fuzz_load_struct  the same with its structure-aware mutator
//   fuzz/fuzz_packed       libFuzzer target fuzz/fuzz_packed.c (packed models)
// Objects are rebuilt only when their source or any native header changed.
//
//   node scripts/build-native-tests.js [tests] [addon] [fuzz]   (default: all)
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const sources = require('./native-sources.js');

const ROOT = sources.ROOT;
// Not under build/: node-gyp rebuild wipes that folder.
const OUT = path.join(ROOT, 'dist', 'native-tests');
const CC = process.env.TINYML_CLANG || 'clang';
const INSTALL_HINT =
  'the sanitizer builds need clang and its runtime libraries: ' +
  'sudo apt-get install clang libclang-rt-14-dev (or run scripts/setup.sh)';

const WARN = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-ffp-contract=off'];
const SAN = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
const DEBUG = ['-g', '-O1', '-fno-omit-frame-pointer'];
const INCLUDES = sources.INCLUDE_DIRS.map((d) => '-I' + path.join(ROOT, d));

const FLAVORS = {
  // Test runners and the addon share one set of objects (-fPIC costs nothing).
  san: { flags: WARN.concat(SAN, DEBUG, ['-fPIC']), lib: 'libtinyml-san.a' },
  // libFuzzer needs coverage instrumentation in the code under test.
  fuzz: {
    flags: WARN.concat(DEBUG, ['-fsanitize=fuzzer-no-link,address,undefined', '-fno-sanitize-recover=all']),
    lib: 'libtinyml-fuzz.a',
  },
};

function rel(p) {
  return path.relative(ROOT, p);
}

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch (e) {
    return 0;
  }
}

function newestIn(dir, re) {
  let t = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newestIn(p, re));
    else if (re.test(e.name)) t = Math.max(t, mtime(p));
  }
  return t;
}

/** Newest header any native source may include. */
function headersTime() {
  return Math.max(newestIn(path.join(ROOT, 'native'), /\.h$/), mtime(__filename));
}

function run(args, what) {
  const r = spawnSync(CC, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.error && r.error.code === 'ENOENT') throw new Error(CC + ' not found: ' + INSTALL_HINT);
  if (r.status !== 0) {
    const msg = (r.stderr || '') + (r.stdout || '');
    const hint = /cannot find|No such file|unable to find library|libclang_rt/.test(msg) ? '\n' + INSTALL_HINT : '';
    throw new Error(what + ' failed:\n' + CC + ' ' + args.join(' ') + '\n' + msg + hint);
  }
}

/** Checks that clang can build and run sanitizer and libFuzzer programs; throws with the install hint. */
function checkToolchain() {
  const dir = path.join(OUT, 'probe');
  fs.mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'probe.c');
  fs.writeFileSync(src, 'int main(void) { return 0; }\n');
  const fz = path.join(dir, 'probe_fuzz.c');
  fs.writeFileSync(fz, '#include <stddef.h>\n#include <stdint.h>\n' +
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n');
  try {
    run(SAN.concat([src, '-o', path.join(dir, 'probe')]), 'sanitizer probe');
    run(['-fsanitize=fuzzer,address,undefined', fz, '-o', path.join(dir, 'probe_fuzz')], 'libFuzzer probe');
  } catch (e) {
    throw new Error(e.message.split('\n')[0] + '\n' + INSTALL_HINT);
  }
  const r = spawnSync(path.join(dir, 'probe'), [], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('a sanitizer-built program does not run: ' + (r.stderr || r.error) + '\n' + INSTALL_HINT);
}

/** Compiles every native source of a flavor and archives them. make does the
 * bookkeeping: -MMD dependency files, so a changed header rebuilds exactly
 * the objects that include it; -j2 because the build machines are small. */
function buildLibrary(flavor) {
  const f = FLAVORS[flavor];
  const objDir = path.join(OUT, 'obj', flavor);
  const lib = path.join(OUT, f.lib);
  const srcs = sources.nativeSources();
  const objs = srcs.map((s) => path.join(objDir, s.replace(/\.c$/, '.o')));
  const q = (p) => p.replace(/ /g, '\\ ');
  let mk = 'CC := ' + CC + '\nCFLAGS := ' + f.flags.concat(INCLUDES).join(' ') + '\n\n';
  mk += q(lib) + ': ' + objs.map(q).join(' ') + ' ' + q(path.join(objDir, 'sources.list')) + '\n' +
    '\trm -f $@ && ar rcs $@ ' + objs.map(q).join(' ') + '\n\n';
  for (let i = 0; i < srcs.length; i++) {
    mk += q(objs[i]) + ': ' + q(path.join(ROOT, srcs[i])) + '\n' +
      '\t@mkdir -p $(dir $@)\n\t$(CC) $(CFLAGS) -MMD -MP -c $< -o $@\n';
  }
  mk += '\n-include ' + objs.map((o) => q(o.replace(/\.o$/, '.d'))).join(' ') + '\n';
  fs.mkdirSync(objDir, { recursive: true });
  // The archive must follow the source list when files come and go.
  const list = path.join(objDir, 'sources.list');
  const listText = srcs.join('\n') + '\n';
  if (!fs.existsSync(list) || fs.readFileSync(list, 'utf8') !== listText) fs.writeFileSync(list, listText);
  const makefile = path.join(objDir, 'Makefile');
  fs.writeFileSync(makefile, mk);
  const jobs = String(Math.max(1, Number(process.env.TINYML_JOBS) || 2));
  const r = spawnSync('make', ['-s', '-j' + jobs, '-f', makefile, lib], { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw new Error('make: ' + r.error.message + ' (sudo apt-get install make)');
  if (r.status !== 0) {
    const msg = (r.stderr || '') + (r.stdout || '');
    if (/not found|No such file or directory/.test(msg) && msg.indexOf(CC) >= 0) throw new Error(CC + ' not found: ' + INSTALL_HINT);
    throw new Error('sanitizer build (' + flavor + ') failed:\n' + msg);
  }
  return lib;
}

/** Standalone runners: test/kernels_*.c and test/native/*_test.c. */
function runnerSources() {
  const out = [];
  for (const f of fs.readdirSync(path.join(ROOT, 'test')).sort()) {
    if (/^kernels_.*\.c$/.test(f)) out.push(path.join(ROOT, 'test', f));
  }
  const nd = path.join(ROOT, 'test', 'native');
  if (fs.existsSync(nd)) {
    for (const f of fs.readdirSync(nd).sort()) if (/_test\.c$/.test(f)) out.push(path.join(nd, f));
  }
  return out;
}

function buildRunners() {
  const lib = buildLibrary('san');
  const hTime = Math.max(headersTime(), mtime(lib));
  const out = [];
  for (const src of runnerSources()) {
    const bin = path.join(OUT, 'run', path.basename(src, '.c'));
    out.push({ name: rel(src), bin });
    if (mtime(bin) > Math.max(mtime(src), hTime)) continue;
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    run(FLAVORS.san.flags.concat(INCLUDES, [src, lib, '-lm', '-o', bin]), 'runner ' + rel(src));
  }
  return out;
}

/** Node's own headers (node_api.h), next to the running node or in node-gyp's cache. */
function nodeIncludeDir() {
  const cands = [path.join(path.dirname(process.execPath), '..', 'include', 'node')];
  if (process.env.npm_config_nodedir) cands.unshift(path.join(process.env.npm_config_nodedir, 'include', 'node'));
  const home = process.env.HOME || '';
  cands.push(path.join(home, '.cache', 'node-gyp', process.versions.node, 'include', 'node'));
  for (const c of cands) if (fs.existsSync(path.join(c, 'node_api.h'))) return c;
  throw new Error('node_api.h not found (looked in ' + cands.join(', ') + ')');
}

function buildAddon() {
  const lib = buildLibrary('san');
  const src = path.join(ROOT, 'native', 'bindings', 'node', 'tinyml_node.c');
  const bin = path.join(OUT, 'asan', 'tinyml.node');
  if (mtime(bin) > Math.max(mtime(src), mtime(lib), headersTime())) return bin;
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  // --whole-archive: the addon is a shared object, nothing pulls members in.
  run(FLAVORS.san.flags.concat(INCLUDES, ['-I' + nodeIncludeDir(), '-DNAPI_VERSION=8', '-shared', src,
    '-Wl,--whole-archive', lib, '-Wl,--no-whole-archive', '-lm', '-o', bin]), 'sanitizer addon');
  return bin;
}

function buildFuzzers() {
  const lib = buildLibrary('fuzz');
  const out = {};
  for (const [name, defs, file] of [['fuzz_load', [], 'fuzz_load.c'], ['fuzz_load_struct', ['-DTML_FUZZ_STRUCTURED'], 'fuzz_load.c'],
    ['fuzz_packed', [], 'fuzz_packed.c']]) {
    const src = path.join(ROOT, 'fuzz', file);
    const bin = path.join(OUT, 'fuzz', name);
    out[name] = bin;
    if (mtime(bin) > Math.max(mtime(src), mtime(lib), headersTime())) continue;
    fs.mkdirSync(path.dirname(bin), { recursive: true });
    run(WARN.concat(DEBUG, ['-fsanitize=fuzzer,address,undefined', '-fno-sanitize-recover=all'], INCLUDES, defs,
      [src, lib, '-lm', '-o', bin]), name);
  }
  return out;
}

/** The ASan runtime to LD_PRELOAD into node for the sanitizer addon. */
function asanRuntime() {
  const r = spawnSync(CC, ['-print-file-name=libclang_rt.asan-x86_64.so'], { encoding: 'utf8' });
  const p = (r.stdout || '').trim();
  if (r.status !== 0 || !path.isAbsolute(p) || !fs.existsSync(p)) throw new Error('ASan runtime not found: ' + INSTALL_HINT);
  return p;
}

/** Environment for running sanitizer builds: every report is fatal and says where. */
function sanitizerEnv(extra) {
  return Object.assign({}, process.env, {
    ASAN_OPTIONS: 'abort_on_error=0:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  }, extra || {});
}

function build(what) {
  what = what && what.length ? what : ['tests', 'addon', 'fuzz'];
  checkToolchain();
  const out = {};
  if (what.indexOf('tests') >= 0) out.runners = buildRunners();
  if (what.indexOf('addon') >= 0) out.addon = buildAddon();
  if (what.indexOf('fuzz') >= 0) out.fuzzers = buildFuzzers();
  return out;
}

module.exports = { build, checkToolchain, asanRuntime, sanitizerEnv, OUT, INSTALL_HINT };

if (require.main === module) {
  try {
    const t0 = Date.now();
    const out = build(process.argv.slice(2));
    console.log('build-native-tests: ' + JSON.stringify(out, (k, v) => (typeof v === 'string' ? rel(v) : v)) +
      ' (' + (Date.now() - t0) + ' ms)');
  } catch (e) {
    console.error('build-native-tests: ' + e.message);
    process.exit(1);
  }
}
