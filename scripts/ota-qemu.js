#!/usr/bin/env node
'use strict';
// Over-the-air updates on the emulated Cortex-M4 (boards/qemu-m4/ota_main.c):
//   node scripts/ota-qemu.js demo              v1 -> v2 -> failed v3 -> v2, one QEMU run per power-on
//   node scripts/ota-qemu.js powercut [stride] the power-cut campaign on the M4 (default every operation)
//   node scripts/ota-qemu.js bench             cost of receiving and verifying a 100 KB bundle
// (npm run ota:demo / ota:powercut / ota:bench). The firmware links Duktape
// and the pool allocator as the board's main firmware compiles them
// (scripts/build-qemu.js), plus native/ota, test/ota/campaign.c, the
// Duktape OTA binding and dist/tinyml.ota.js (the device API).
var fs = require('fs');
var os = require('os');
var path = require('path');
var crypto = require('crypto');
var childProcess = require('child_process');
var qemu = require('./build-qemu');
var fixtures = require('./ota-fixtures');

var ROOT = path.resolve(__dirname, '..');
var OBJ = path.join(ROOT, 'dist', 'ota', 'm4');
var DEMO_FLASH_BYTES = 4096 * 66; // boards/qemu-m4/ota_main.c: 2 metadata pages + 2 x 32-page slots
var STACK = 16384;
var perKey = []; // files of the last per-key firmware, removed after the demo

function sha(x) {
  return crypto.createHash('sha256').update(x).digest('hex');
}

function compile(rel, flags) {
  var src = path.join(ROOT, rel);
  var obj = path.join(OBJ, rel.replace(/\.c$/, '').replace(/[\/\\]/g, '_') + '.o');
  var hdrs = ['native/ota', 'test/ota', 'boards/qemu-m4', 'native/bindings/common', 'native/bindings/duktape'];
  var key = sha(JSON.stringify(flags) + fs.readFileSync(src, 'utf8') + hdrs.map(function (d) {
    return fs.readdirSync(path.join(ROOT, d)).filter(function (n) { return /\.h$/.test(n); }).sort()
      .map(function (n) { return fs.readFileSync(path.join(ROOT, d, n), 'utf8'); }).join('\0');
  }).join('\0'));
  if (fs.existsSync(obj) && fs.existsSync(obj + '.key') && fs.readFileSync(obj + '.key', 'utf8') === key) return obj;
  var r = childProcess.spawnSync(qemu.CC, flags.concat(['-c', src, '-o', obj + '.tmp']), { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('compiling ' + rel + ' failed:\n' + (r.stderr || '') + (r.error ? r.error.message : ''));
  fs.renameSync(obj + '.tmp', obj);
  fs.writeFileSync(obj + '.key', key);
  return obj;
}

/** Builds (or reuses) dist/ota/m4/ota-m4[-<key>].elf; pubRaw (32 bytes) is the
 *  key the demo device trusts, linked into its flash. */
function firmware(log, pubRaw) {
  var missing = qemu.missingTools();
  if (missing.length) throw new Error('qemu-m4: ' + missing.join(', ') + ' not found: ' + qemu.APT + ' duktape-dev');
  var api = path.join(ROOT, 'dist', 'tinyml.ota.js');
  if (!fs.existsSync(api)) throw new Error('dist/tinyml.ota.js is missing: run `npm run build`');
  var objs = qemu.compileAll(log); // duktape.o and pool.o, with the board's Duktape config
  var duk = objs.filter(function (o) { return /(^|[\/\\])duktape\.o$/.test(o) || /boards_qemu-m4_pool\.o$/.test(o); });
  fs.mkdirSync(OBJ, { recursive: true });
  var flags = qemu.OUR_FLAGS.concat(['-Inative/ota', '-Itest/ota', '-Iboards/qemu-m4', '-Inative/bindings/duktape',
    '-isystem', path.join(ROOT, 'dist', 'qemu-m4', 'duk')]);
  var ours = fs.readdirSync(path.join(ROOT, 'native/ota')).filter(function (n) { return /\.c$/.test(n); }).sort()
    .map(function (n) { return 'native/ota/' + n; })
    .concat(['test/ota/campaign.c', 'boards/qemu-m4/ota_main.c', 'native/bindings/duktape/ota_duk.c'])
    .map(function (rel) { return compile(rel, flags); });
  var apiBytes = fs.readFileSync(api);
  var apiObj = qemu.blobObject('tml_ota_api', api, sha(apiBytes));
  var key32 = pubRaw || Buffer.alloc(0);
  var keyFile = path.join(OBJ, 'pubkey-' + sha(key32).slice(0, 16) + '.bin');
  if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, key32);
  var keyObj = qemu.blobObject('tml_ota_pubkey', keyFile, sha(key32));
  if (pubRaw) perKey = [keyFile, keyObj];
  var all = ours.concat(duk, [apiObj, keyObj]);
  var ldflags = qemu.linkFlags(qemu.BOARD.ram.bytes, STACK);
  var key = sha(JSON.stringify(ldflags) + all.map(function (f) { return sha(fs.readFileSync(f)); }).join(','));
  var elf = path.join(OBJ, 'ota-m4' + (pubRaw ? '-' + sha(key32).slice(0, 12) : '') + '.elf');
  if (fs.existsSync(elf) && fs.existsSync(elf + '.key') && fs.readFileSync(elf + '.key', 'utf8') === key) return elf;
  var r = childProcess.spawnSync(qemu.CC, ldflags.concat(['-o', elf + '.tmp'], all, ['-lm', '-Wl,-Map=' + elf.replace(/\.elf$/, '.map')]),
    { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error('linking ota-m4 failed:\n' + r.stderr);
  fs.renameSync(elf + '.tmp', elf);
  fs.writeFileSync(elf + '.key', key);
  return elf;
}

function runFw(elf, args, timeoutMs) {
  var r = childProcess.spawnSync('qemu-system-arm', qemu.qemuArgs(elf, args),
    { encoding: 'utf8', timeout: timeoutMs || 600000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout || '', stderr: (r.stderr || '') + (r.error ? r.error.message : '') };
}

// ---- the demo ----

var APP_GOOD = [
  '// app VERSION: confirms its trial, then takes whatever the link brings',
  'var st = tinymlOta.status();',
  'print("app v" + st.version + ": running" + (st.trial ? " on trial" : ""));',
  'var model = tinymlOta.file("model.tflite"), sum = 0;',
  'for (var i = 0; i < model.length; i++) sum = (sum + model[i] * (i + 1)) % 65521;',
  'print("app v" + st.version + ": its model.tflite is " + model.length + " bytes in flash (checksum " + sum + ")");',
  'if (st.trial) { tinymlOta.confirm(); print("app v" + st.version + ": self-test passed, confirmed"); }',
  'var n = link.size();',
  'if (n > 0) {',
  '  try {',
  '    tinymlOta.begin(n);',
  '    var c, chunks = 0;',
  '    while ((c = link.read(700)) !== null) { tinymlOta.write(c); chunks++; }',
  '    tinymlOta.finish();',
  '    print("app v" + st.version + ": received v" + tinymlOta.status().pendingVersion + " (" + n + " bytes in " + chunks + " chunks), verified; rebooting");',
  '    board.reboot();',
  '  } catch (e) { print("app v" + st.version + ": update refused: " + e.message); }',
  '}',
].join('\n');

var APP_BAD = [
  '// app 3: broken: it never confirms (its model check throws)',
  'var st = tinymlOta.status();',
  'print("app v" + st.version + ": running" + (st.trial ? " on trial" : ""));',
  'throw new Error("app v" + st.version + ": model self-test failed");',
].join('\n');

/**
 * Runs the demo; returns { lines, versions } where versions lists the version
 * each app run reported, in order.
 */
function demo(opts) {
  var o = opts || {};
  var log = o.log || function () {};
  var dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-ota-demo-'));
  var elf;
  try {
    var fx = fixtures.make(dir, { 1: APP_GOOD.replace('VERSION', '1'), 2: APP_GOOD.replace('VERSION', '2'), 3: APP_BAD });
    elf = firmware(o.buildLog, fx.pubRaw); // this device trusts this key only
    // a "key the attacker has": the same v3 signed by another key, sent first
    var rogue = fixtures.make(path.join(dir, 'rogue'), { 4: APP_GOOD.replace('VERSION', '4') });
    var flash = path.join(dir, 'flash.bin');
    fs.writeFileSync(flash, Buffer.alloc(DEMO_FLASH_BYTES, 0xff));
    var link = path.join(dir, 'link.bin');
    // What the host sends over the link before each power-on.
    var schedule = [fx.bundles[1], fx.bundles[2], rogue.bundles[4], fx.bundles[1], fx.bundles[3], null, null];
    var lines = [];
    var versions = [];
    var failed = {};
    for (var boot = 0; boot < schedule.length; boot++) {
      fs.writeFileSync(link, schedule[boot] ? fs.readFileSync(schedule[boot]) : Buffer.alloc(0));
      var what = schedule[boot] ? path.basename(path.dirname(schedule[boot])) === 'rogue' ? 'v4 signed by another key'
        : path.basename(schedule[boot], '.tmlota') : 'nothing';
      var head = '--- power-on ' + (boot + 1) + ' (the link carries ' + what + ')';
      lines.push(head);
      log(head);
      var r = runFw(elf, ['demo', flash, link]);
      r.stdout.split('\n').filter(Boolean).forEach(function (l) {
        lines.push(l);
        log(l);
        var m = /^app v(\d+): running/.exec(l);
        if (m) versions.push(Number(m[1]));
        if (/^app crashed/.test(l) && versions.length) failed[versions.length - 1] = true;
      });
      if (r.status !== 0 && r.status !== 10) {
        throw new Error('power-on ' + (boot + 1) + ': the firmware exited with ' + r.status + ': ' + r.stderr.trim());
      }
      if (r.status === 0 && boot >= 5) break;
    }
    // The story: consecutive runs of one version collapse; a trial that crashed is marked.
    var story = [];
    versions.forEach(function (v, i) {
      var t = 'v' + v + (failed[i] ? ' (failed its trial)' : '');
      if (story[story.length - 1] !== t) story.push(t);
    });
    return { lines: lines, versions: versions, sequence: story.join(' -> ') };
  } finally {
    if (!process.env.TINYML_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    if (elf) { // one firmware per fresh key: not worth keeping
      [elf, elf + '.key', elf.replace(/\.elf$/, '.map')].concat(perKey).forEach(function (f) {
        try { fs.unlinkSync(f); } catch (e) { /* gone */ }
      });
    }
  }
}

// ---- campaign and bench ----

function powercut(stride, opts) {
  // opts.chunk: receive chunk size (default 100)
  var o = opts || {};
  var elf = firmware(o.buildLog);
  var dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-ota-cut-'));
  try {
    fixtures.make(dir, { 1: 'print("v1");\n', 2: 'print("v2");\n', 3: 'print("v3");\n' });
    var r = runFw(elf, ['powercut', dir, 'qemu-m4', String(stride || 1), String(o.chunk || 100)], 3600000);
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function bench(opts) {
  var o = opts || {};
  var elf = firmware(o.buildLog);
  var dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-ota-bench-'));
  try {
    // 100 KB in all: header, signature, manifest (2 entries), app, model
    var app = 'print("bench");\n';
    var model = 102400 - 192 - 160 - 20;
    var fx = fixtures.make(dir, { 1: app }, { modelBytes: model });
    var size = fs.statSync(fx.bundles[1]).size;
    var r = runFw(elf, ['bench', fx.bundles[1], path.join(dir, 'pub.raw'), 'qemu-m4']);
    var m = /TMLOTABENCH (\{.*\})/.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error('ota bench failed: ' + r.stdout + r.stderr);
    var res = JSON.parse(m[1]);
    res.bundleFile = size;
    var sizes = qemu.sizes(elf);
    res.firmwareText = sizes.text;
    return res;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { firmware: firmware, demo: demo, powercut: powercut, bench: bench, APP_GOOD: APP_GOOD, APP_BAD: APP_BAD };

if (require.main === module) {
  var cmd = process.argv[2];
  var buildLog = function (m) { process.stderr.write(m + '\n'); };
  try {
    if (cmd === 'demo') {
      var d = demo({ log: function (l) { process.stdout.write(l + '\n'); }, buildLog: buildLog });
      process.stdout.write('\nsequence: ' + d.sequence + '\n');
    } else if (cmd === 'powercut') {
      var t0 = Date.now();
      var p = powercut(Number(process.argv[3]) || 1, { buildLog: buildLog });
      process.stdout.write(p.out + 'powercut on the emulated M4: ' + ((Date.now() - t0) / 1000).toFixed(0) + ' s\n');
      process.exitCode = p.status === 0 ? 0 : 1;
    } else if (cmd === 'bench') {
      process.stdout.write(JSON.stringify(bench({ buildLog: buildLog }), null, 2) + '\n');
    } else {
      process.stderr.write('usage: node scripts/ota-qemu.js demo | powercut [stride] | bench\n');
      process.exitCode = 2;
    }
  } catch (e) {
    process.stderr.write('ota-qemu: ' + e.message + '\n');
    process.exitCode = 2;
  }
}
