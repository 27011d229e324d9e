#!/usr/bin/env node
'use strict';
// The full power-cut campaign (npm run ota:powercut): one update that is
// confirmed and one whose trial fails and rolls back, with the power cut
// before, in the middle of and after every flash erase and program, for
// several receive chunk sizes (7 bytes: the staging path; 100; 1000), on the
// host under ASan + UBSan and on the emulated Cortex-M4 (the same C code).
var fs = require('fs');
var os = require('os');
var path = require('path');
var childProcess = require('child_process');
var buildOta = require('./build-ota');
var otaQemu = require('./ota-qemu');
var fixtures = require('./ota-fixtures');

var CHUNKS = [7, 100, 1000];
var total = { tried: 0, survived: 0, lost: 0 };
var ok = true;

function account(where, chunk, out, status) {
  var m = /powercut: (\d+) cut points tried, (\d+) survived, (\d+) devices left/.exec(out);
  out.split('\n').filter(function (l) { return /^powercut: (update|LOST)/.test(l); }).forEach(function (l) {
    process.stdout.write('  ' + l.replace(/^powercut: /, '') + '\n');
  });
  if (!m || status !== 0) {
    ok = false;
    process.stdout.write(where + ' chunk ' + chunk + ': FAILED\n' + out.slice(-2000) + '\n');
    return;
  }
  total.tried += Number(m[1]);
  total.survived += Number(m[2]);
  total.lost += Number(m[3]);
  process.stdout.write(where + ', chunks of ' + chunk + ' bytes: ' + m[1] + ' cut points tried, ' + m[2] + ' survived\n');
}

var bin = buildOta.hostDriver();
var dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-ota-cut-'));
try {
  fixtures.make(dir, { 1: 'print("v1");\n', 2: 'print("v2");\n', 3: 'print("v3");\n' });
  CHUNKS.forEach(function (chunk) {
    var r = childProcess.spawnSync(bin, ['powercut', dir, 'qemu-m4', '1', String(chunk)], { encoding: 'utf8', maxBuffer: 64 << 20 });
    account('host (ASan+UBSan)', chunk, (r.stdout || '') + (r.stderr || ''), r.status);
  });
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
CHUNKS.forEach(function (chunk) {
  var t0 = Date.now();
  var p = otaQemu.powercut(1, { chunk: chunk });
  account('emulated Cortex-M4 (' + ((Date.now() - t0) / 1000).toFixed(0) + ' s)', chunk, p.out, p.status);
});
process.stdout.write('powercut total: ' + total.tried + ' cut points tried, ' + total.survived + ' survived, ' +
  total.lost + ' devices left without a complete verified version\n');
process.exitCode = ok && total.lost === 0 && total.tried === total.survived ? 0 : 1;
