'use strict';
// Builds the over-the-air update code (native/ota) outside the model runtime:
//   hostDriver()  dist/ota/ota_host: test/ota/ota_host.c + campaign.c + native/ota
//                 with clang, ASan + UBSan, every report fatal (test/ota.test.js)
// The qemu-m4 firmware for the demo and the campaign: scripts/ota-qemu.js.
//   node scripts/build-ota.js          prints the host driver's path
var fs = require('fs');
var path = require('path');
var childProcess = require('child_process');

var ROOT = path.resolve(__dirname, '..');
var OUT = path.join(ROOT, 'dist', 'ota');
var CC = process.env.TINYML_CLANG || 'clang';
var FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-g', '-O1', '-fno-omit-frame-pointer',
  '-fsanitize=address,undefined', '-fno-sanitize-recover=all'];
var INSTALL = 'apt-get install clang libclang-rt-14-dev (or run scripts/setup.sh)';

function cFiles(rel) {
  return fs.readdirSync(path.join(ROOT, rel)).filter(function (n) { return /\.c$/.test(n); }).sort()
    .map(function (n) { return path.join(ROOT, rel, n); });
}

function newest(files) {
  return files.reduce(function (t, f) { return Math.max(t, fs.statSync(f).mtimeMs); }, 0);
}

function otaSources() {
  return cFiles('native/ota');
}

function headers() {
  return ['native/ota', 'test/ota', 'test/native'].reduce(function (a, d) {
    return a.concat(fs.readdirSync(path.join(ROOT, d)).filter(function (n) { return /\.h$/.test(n); })
      .map(function (n) { return path.join(ROOT, d, n); }));
  }, []);
}

/** dist/ota/ota_host, rebuilt when a source or header changed. */
function hostDriver() {
  var srcs = [path.join(ROOT, 'test/ota/ota_host.c'), path.join(ROOT, 'test/ota/campaign.c')].concat(otaSources());
  var bin = path.join(OUT, 'ota_host');
  var t = Math.max(newest(srcs.concat(headers())), fs.statSync(__filename).mtimeMs);
  if (fs.existsSync(bin) && fs.statSync(bin).mtimeMs > t) return bin;
  fs.mkdirSync(OUT, { recursive: true });
  var r = childProcess.spawnSync(CC, FLAGS.concat(['-Inative/ota', '-Itest/ota'], srcs, ['-o', bin + '.tmp']),
    { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw new Error(CC + ' not found: ' + INSTALL);
  if (r.status !== 0) throw new Error('building ota_host failed:\n' + r.stderr + (/libclang_rt|cannot find/.test(r.stderr) ? '\n' + INSTALL : ''));
  fs.renameSync(bin + '.tmp', bin);
  return bin;
}

/** dist/ota/ota_duk_host: the Duktape binding + dist/tinyml.ota.js over the
 *  store, sanitized; Debian's duktape.c (not ours: its own object, no -Werror). */
function dukHost() {
  var dukDir = process.env.DUKTAPE_DIR || '/usr/share/duktape';
  if (!fs.existsSync(path.join(dukDir, 'duktape.c'))) throw new Error('duktape.c not found in ' + dukDir + ': apt-get install duktape-dev');
  var bin = path.join(OUT, 'ota_duk_host');
  var dukObj = path.join(OUT, 'duktape.o');
  fs.mkdirSync(OUT, { recursive: true });
  if (!fs.existsSync(dukObj)) {
    var d = childProcess.spawnSync(CC, ['-std=c99', '-O2', '-w', '-I', dukDir, '-c', path.join(dukDir, 'duktape.c'), '-o', dukObj + '.tmp'], { encoding: 'utf8' });
    if (d.status !== 0) throw new Error('compiling duktape.c failed:\n' + d.stderr);
    fs.renameSync(dukObj + '.tmp', dukObj);
  }
  var srcs = [path.join(ROOT, 'test/ota/ota_duk_host.c'), path.join(ROOT, 'native/bindings/duktape/ota_duk.c')].concat(otaSources());
  var t = Math.max(newest(srcs.concat(headers(), [path.join(ROOT, 'native/bindings/common/ota_glue.h')])), fs.statSync(__filename).mtimeMs);
  if (fs.existsSync(bin) && fs.statSync(bin).mtimeMs > t) return bin;
  var r = childProcess.spawnSync(CC, FLAGS.concat(['-Inative/ota', '-Inative/bindings/duktape', '-isystem', dukDir], srcs,
    [dukObj, '-lm', '-o', bin + '.tmp']), { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw new Error(CC + ' not found: ' + INSTALL);
  if (r.status !== 0) throw new Error('building ota_duk_host failed:\n' + r.stderr);
  fs.renameSync(bin + '.tmp', bin);
  return bin;
}

module.exports = { hostDriver: hostDriver, dukHost: dukHost, otaSources: otaSources, ROOT: ROOT, OUT: OUT };

if (require.main === module) {
  try {
    process.stdout.write(hostDriver() + '\n');
  } catch (e) {
    process.stderr.write('build-ota: ' + e.message + '\n');
    process.exit(1);
  }
}
