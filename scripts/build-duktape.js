'use strict';
// Builds dist/tinyml-duk, the host Duktape runner: runner.c + the Duktape
// binding + the native sources (strict flags), and Debian's duktape.c
// (compiled on its own with relaxed warnings: it is not our code).
// Objects go to dist/obj/duk/; nothing is rebuilt when outputs are newer
// than their inputs. Usage: node scripts/build-duktape.js, or
// require('./build-duktape').buildDuktapeRunner().
var fs = require('fs');
var path = require('path');
var childProcess = require('child_process');
var sources = require('./native-sources');

var ROOT = sources.ROOT;
var DUK_BINDING = 'native/bindings/duktape';
var OUR_FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-ffp-contract=off', '-O2'];
var DUK_FLAGS = ['-std=c99', '-O2', '-w'];

function duktapeDir() {
  return process.env.DUKTAPE_DIR || path.join(path.sep, 'usr', 'share', 'duktape');
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch (e) {
    return -1;
  }
}

function newestOf(files) {
  var t = -1;
  for (var i = 0; i < files.length; i++) t = Math.max(t, mtime(files[i]));
  return t;
}

function headersIn(dir) {
  var out = [];
  var entries;
  try {
    entries = fs.readdirSync(dir);
  } catch (e) {
    return out;
  }
  for (var i = 0; i < entries.length; i++) {
    if (/\.h$/.test(entries[i])) out.push(path.join(dir, entries[i]));
  }
  return out;
}

function compile(cc, flags, src, obj) {
  var args = flags.concat(['-c', src, '-o', obj]);
  var r = childProcess.spawnSync(cc, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw new Error('build-duktape: cannot run ' + cc + ': ' + r.error.message);
  if (r.status !== 0) {
    var e = new Error('build-duktape: ' + cc + ' failed on ' + path.relative(ROOT, src));
    e.compilerOutput = (r.stdout || '') + (r.stderr || '');
    throw e;
  }
}

// Returns the runner's path; throws an Error (one-line message, compiler
// output in err.compilerOutput) when it cannot be built.
function buildDuktapeRunner(options) {
  var opts = options || {};
  var cc = opts.cc || process.env.CC || 'gcc';
  var dukDir = duktapeDir();
  var dukC = path.join(dukDir, 'duktape.c');
  if (!fs.existsSync(dukC)) {
    throw new Error('build-duktape: ' + dukC + ' not found: apt-get install duktape-dev');
  }
  var objDir = path.join(ROOT, 'dist', 'obj', 'duk');
  var exe = path.join(ROOT, 'dist', 'tinyml-duk');
  fs.mkdirSync(objDir, { recursive: true });

  var dukHeaders = [path.join(dukDir, 'duktape.h'), path.join(dukDir, 'duk_config.h')];
  // Any header change rebuilds all of our objects: simple and always right.
  var headerDirs = sources.INCLUDE_DIRS.concat(sources.DIRS, [DUK_BINDING, 'native/bindings/common']);
  var headers = dukHeaders.concat([__filename]);
  for (var h = 0; h < headerDirs.length; h++) {
    headers = headers.concat(headersIn(path.join(ROOT, headerDirs[h])));
  }
  var includes = sources.INCLUDE_DIRS.concat([DUK_BINDING]).map(function (d) {
    return '-I' + d;
  });
  // -isystem: Duktape's headers are not ours to keep -Werror clean.
  var ourFlags = OUR_FLAGS.concat(includes, ['-isystem', dukDir]);

  var ours = [DUK_BINDING + '/runner.c', DUK_BINDING + '/tinyml_duk.c'].concat(
    sources.nativeSources()
  );
  var objs = [];
  var built = 0;
  var headerTime = newestOf(headers);
  for (var i = 0; i < ours.length; i++) {
    var src = path.join(ROOT, ours[i]);
    var obj = path.join(objDir, ours[i].replace(/\.c$/, '').replace(/[\/\\]/g, '_') + '.o');
    if (mtime(obj) <= Math.max(mtime(src), headerTime)) {
      compile(cc, ourFlags, src, obj);
      built++;
    }
    objs.push(obj);
  }
  var dukObj = path.join(objDir, 'duktape.o');
  if (mtime(dukObj) <= Math.max(mtime(dukC), newestOf(dukHeaders))) {
    compile(cc, DUK_FLAGS.concat(['-I', dukDir]), dukC, dukObj);
    built++;
  }
  objs.push(dukObj);

  // The object list is recorded so adding or removing a source relinks.
  var listFile = path.join(objDir, 'link.txt');
  var list = objs.map(function (o) { return path.relative(ROOT, o); }).join('\n') + '\n';
  var oldList = fs.existsSync(listFile) ? fs.readFileSync(listFile, 'utf8') : '';
  if (built > 0 || list !== oldList || mtime(exe) <= newestOf(objs)) {
    var r = childProcess.spawnSync(cc, ['-o', exe].concat(objs, ['-lm']), {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (r.error || r.status !== 0) {
      var e = new Error('build-duktape: linking ' + path.relative(ROOT, exe) + ' failed');
      e.compilerOutput = (r.stdout || '') + (r.stderr || '') + (r.error ? r.error.message : '');
      throw e;
    }
    fs.writeFileSync(listFile, list);
  }
  return exe;
}

module.exports = { buildDuktapeRunner: buildDuktapeRunner };

if (require.main === module) {
  try {
    var exe = buildDuktapeRunner();
    process.stdout.write(path.relative(process.cwd(), exe) + '\n');
  } catch (e) {
    if (e.compilerOutput) process.stderr.write(e.compilerOutput);
    process.stderr.write(e.message + '\n');
    process.exit(1);
  }
}
