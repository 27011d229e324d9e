#!/usr/bin/env node
'use strict';
// The app helpers (src/app) on the emulated Cortex-M4 (boards/qemu-m4, QEMU
// -icount shift=0: exact guest instructions). The firmware's bench mode times
// one interpreter invoke() after a warm-up; here a stand-in `tinyml.Interpreter`
// (no model, no native calls) runs ONE helper operation in invoke(), chosen by
// the input byte, next to the real helpers bundle (scripts/app-bundle.js).
// Figures are instructions minus an empty invoke(); ms at 64 MHz.
//
//   node bench/app-helpers.js        prints a markdown table
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const q = require('../scripts/build-qemu');
const { buildAppBundle } = require('../scripts/app-bundle');

const ROOT = path.join(__dirname, '..');
const MODELS = process.env.TINYML_MODELS || path.resolve(ROOT, '..', 'shared', 'models');

// [name, ES5 body run by invoke() with `app` (the helpers) and `t` (state made in allocateTensors)]
const OPS = [
  ['empty invoke() (subtracted from the others)', ''],
  ['Framer: push 320 samples + read a 480-sample frame (one 20 ms hop at 16 kHz)',
    'var p = t.pos, end = p + 320, q = p; while (q < end) { q += t.framer.push(t.samples, q, end - q); if (t.framer.ready()) t.framer.read(t.frame); } t.pos = end >= 16000 ? 0 : end;'],
  ['RingBuffer: pushMany 320 + latest 480', 't.ring.pushMany(t.samples, t.pos, 320); t.ring.latest(480, t.frame); t.pos = (t.pos + 320) % 15680;'],
  ['SlidingWindow 49x40, ordered: pushRow (rows move up one)', 't.ordered.pushRow(t.row);'],
  ['SlidingWindow 49x40, circular: pushRow + copyTo 1960', 't.circular.pushRow(t.row); t.circular.copyTo(t.input1960);'],
  ['CommandRecognizer.process (4 labels, 50 results kept)', 't.now += 20; t.rec.process(t.scores, t.now);'],
  ['argmax + topK(3) of 4 scores', 'app.argmax(t.scores); app.topK(t.scores, 3, t.idx);'],
  ['quantizeArray: 1960 floats to int8', 'app.quantizeArray(t.floats, t.input1960, 0.1, -128, 9);'],
  ['readWav: 1 s of 16 kHz mono (view)', 'app.readWav(t.wav);'],
  ['readBmp: 96x96 8-bit gray', 'app.readBmp(t.bmp);'],
  ['resizeRegion: 120x120 of 160x120 to 96x96, nearest', "app.resizeRegion(t.img, 160, 120, 1, 20, 0, 120, 120, t.person, 96, 96, 'nearest');"],
  ['resizeRegion: 120x120 of 160x120 to 96x96, bilinear', "app.resizeRegion(t.img, 160, 120, 1, 20, 0, 120, 120, t.person, 96, 96, 'bilinear');"],
  ['grayToInt8: 9216 pixels', 'app.grayToInt8(t.img, t.person, 0, 0, 9216);'],
  ['grayToQuantized: 9216 pixels (person_detect input scale/zero point)', 'app.grayToQuantized(t.img, t.person, 0.007843137718737125, -1, 9, -1, 1, 0, 0, 9216);'],
  ['for comparison, a bare loop: o[k] = s[k] - 128, 9216 times', 'var s = t.img, o = t.person; for (var k = 0; k < 9216; k++) o[k] = s[k] - 128;'],
];

// The state every operation works on; built once, before the measured invokes.
const SETUP = [
  'var i;',
  't.samples = new Int16Array(16000); for (i = 0; i < 16000; i++) t.samples[i] = ((i * 7919) % 2000) - 1000;',
  't.pos = 0; t.framer = new app.Framer(480, 320); t.frame = new Int16Array(480);',
  't.ring = new app.RingBuffer(960); t.ring.pushMany(t.samples, 0, 960);',
  't.input1960 = new Int8Array(1960); t.row = new Int8Array(40);',
  't.ordered = new app.SlidingWindow(49, 40, undefined, { ordered: true }); t.circular = new app.SlidingWindow(49, 40);',
  "t.rec = new app.CommandRecognizer(['silence', 'unknown', 'yes', 'no']); t.scores = new Int8Array([-128, -100, 100, -120]);",
  't.now = 0; for (i = 0; i < 60; i++) { t.now += 20; t.rec.process(t.scores, t.now); }',
  't.idx = new Int32Array(3); t.floats = new Float32Array(1960); for (i = 0; i < 1960; i++) t.floats[i] = (i % 200 - 100) / 50;',
  't.img = new Uint8Array(160 * 120); for (i = 0; i < t.img.length; i++) t.img[i] = (i * 31) & 255; t.person = new Int8Array(9216);',
  'var b = new Uint8Array(1078 + 9216); b[0] = 0x42; b[1] = 0x4d; b[10] = 0x36; b[11] = 4; b[14] = 40; b[18] = 96; b[22] = 96; b[26] = 1; b[28] = 8;',
  'for (i = 0; i < 256; i++) { b[54 + 4 * i] = i; b[55 + 4 * i] = i; b[56 + 4 * i] = i; } t.bmp = b;',
  "var w = new Uint8Array(44 + 32000), h = 'RIFF....WAVEfmt ';",
  'for (i = 0; i < 16; i++) w[i] = h.charCodeAt(i);',
  "w[16] = 16; w[20] = 1; w[22] = 1; w[24] = 0x80; w[25] = 0x3e; w[34] = 16; h = 'data';",
  'for (i = 0; i < 4; i++) w[36 + i] = h.charCodeAt(i); w[41] = 0x7d; t.wav = w;',
].join('\n');

function standIn() {
  const cases = OPS.map((op, i) => '    case ' + i + ': { ' + op[1] + ' break; }').join('\n');
  return '\nvar tinyml = (function () {\n' +
    '  var app = tinymlApp;\n' +
    '  function Bench() { this.inp = new Uint8Array(1); this.out = new Uint8Array(1); this.t = {}; }\n' +
    '  Bench.prototype.allocateTensors = function () { var t = this.t;\n' + SETUP + '\n  };\n' +
    '  Bench.prototype.inputCount = function () { return 1; };\n' +
    '  Bench.prototype.outputCount = function () { return 1; };\n' +
    '  Bench.prototype.input = function () { return this.inp; };\n' +
    '  Bench.prototype.output = function () { return this.out; };\n' +
    '  Bench.prototype.resetVariables = function () {};\n' +
    '  Bench.prototype.arenaUsedBytes = function () { return 0; };\n' +
    '  Bench.prototype.invoke = function () { var t = this.t;\n    switch (this.inp[0]) {\n' + cases + '\n    }\n  };\n' +
    '  return { Interpreter: Bench };\n' +
    '})();\n';
}

async function main() {
  const missing = q.missingTools();
  if (missing.length) throw new Error('missing ' + missing.join(', ') + ': ' + q.APT);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-app-bench-'));
  const appFile = await buildAppBundle(path.join(tmp, 'app.js'));
  const bundle = path.join(tmp, 'bundle.js');
  fs.writeFileSync(bundle, fs.readFileSync(appFile, 'utf8') + standIn());
  // Any model will do: the stand-in never reads it.
  const fw = q.firmware(path.join(MODELS, 'hello_world_int8.tflite'), { bundle: bundle });
  const rows = [];
  let base = 0;
  for (let i = 0; i < OPS.length; i++) {
    const input = path.join(tmp, 'op.bin');
    fs.writeFileSync(input, Buffer.from([i]));
    const r = spawnSync('qemu-system-arm', q.qemuArgs(fw.elf, ['bench', input, path.join(tmp, 'out.bin'), '1', '0', '1024', '0']),
      { encoding: 'utf8', timeout: 10 * 60 * 1000 });
    const line = (r.stdout || '').split('\n').filter((l) => l.indexOf('TMLBENCH ') === 0)[0];
    if (!line) throw new Error(OPS[i][0] + ': ' + (r.stderr || r.stdout || 'no TMLBENCH line'));
    const b = JSON.parse(line.slice(9));
    if (i === 0) { base = b.invokeInstructions; continue; }
    const n = b.invokeInstructions - base;
    rows.push('| ' + OPS[i][0] + ' | ' + n + ' | ' + (n / 64000).toFixed(2) + ' |');
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  process.stdout.write('| operation (qemu-m4, Duktape) | instructions | ms at 64 MHz |\n|---|---:|---:|\n' + rows.join('\n') + '\n');
}

main().catch((e) => { process.stderr.write('app-helpers bench: ' + e.message + '\n'); process.exit(1); });
