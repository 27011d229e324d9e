'use strict';
// The CMSIS-NN kernel backend (native/kernels/cmsis_nn) on the emulated
// Cortex-M4 (boards/qemu-m4), built against a CMSIS-NN checkout the user
// provides: CMSIS_NN_DIR (git clone https://github.com/ARM-software/CMSIS-NN;
// nothing of it is in this repository). Without it the golden runs show up
// as ONE pending test saying so (pending, not passed); `npm run test:cmsis-nn`
// runs this file alone.
//
// Always: asking for the backend without a checkout fails with a message
// that says what to set. With one: every golden case and fresh inputs (vs
// Node) of every model that runs on the board, byte for byte through
// `tinyml run --engine qemu-m4 --kernels cmsis-nn`, and kws_ds_cnn_int8's
// invoke within 3% of TFLM+CMSIS-NN's instructions (so CMSIS-NN ran, not
// the reference kernels it falls back to).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');

const MODELS = ['hello_world_int8', 'micro_speech_int8', 'kws_ds_cnn_int8', 'ad_autoencoder_int8',
  'person_detect_int8', 'vww_mobilenet_int8', 'ic_resnet8_int8'];
const FRESH_SEEDS = [11, 12];
const DIR = process.env.CMSIS_NN_DIR;

function qemuBoard() {
  return require(path.join(__dirname, '..', 'scripts', 'build-qemu.js'));
}

/** The environment without CMSIS_NN_DIR, or with it set to dir. */
function env(dir) {
  const e = Object.assign({}, process.env);
  delete e.CMSIS_NN_DIR;
  if (dir) e.CMSIS_NN_DIR = dir;
  return e;
}

describe('CMSIS-NN kernel backend (qemu-m4 --kernels cmsis-nn)', function () {
  this.timeout(20 * 60 * 1000);
  const tmp = h.tmpDir();
  const kws = path.join(h.MODELS, 'kws_ds_cnn_int8.tflite');
  const seed1 = path.join(h.MODELS, 'golden', 'kws_ds_cnn_int8', 'prng_seed1.input.bin');

  it('without CMSIS_NN_DIR, --kernels cmsis-nn fails saying what to set and where CMSIS-NN is', function () {
    const r = h.cli(['run', kws, '--input', seed1, '--output', path.join(tmp, 'none.bin'), '--engine', 'qemu-m4',
      '--kernels', 'cmsis-nn'], { env: env(null) });
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /CMSIS_NN_DIR/);
    assert.match(r.stderr, /github\.com\/ARM-software\/CMSIS-NN/);
    assert.ok(!fs.existsSync(path.join(tmp, 'none.bin')));
  });

  it('CMSIS_NN_DIR naming a folder that is not CMSIS-NN is refused by name', function () {
    const r = h.cli(['run', kws, '--input', seed1, '--output', path.join(tmp, 'none.bin'), '--engine', 'qemu-m4',
      '--kernels', 'cmsis-nn'], { env: env(tmp) });
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /is not a CMSIS-NN checkout/);
  });

  if (!DIR) {
    it('golden cases with --kernels cmsis-nn SKIPPED: CMSIS_NN_DIR is not set (a checkout of ' +
      'https://github.com/ARM-software/CMSIS-NN; boards/qemu-m4/README.md)');
    return;
  }

  before(function () {
    const missing = qemuBoard().missingTools();
    assert.deepStrictEqual(missing, [], missing.join(', ') + ' not found: ' + qemuBoard().APT);
  });

  for (const name of MODELS) {
    it(name + ': golden cases and fresh inputs, byte for byte', function () {
      const model = h.golden().models.find((m) => m.name === name);
      const modelFile = path.join(h.MODELS, model.file);
      // Stateless single-frame cases run as frames of one interpreter; the others alone.
      const batches = [];
      const single = { frames: [], expected: [], labels: [] };
      for (const c of model.cases) {
        const input = h.readBytes(path.join(h.MODELS, c.input.file));
        const expected = h.readBytes(path.join(h.MODELS, c.output.file));
        if ((c.frames || 1) === 1 && !model.stateful) {
          single.frames.push(input);
          single.expected.push(expected);
          single.labels.push(c.name);
        } else {
          batches.push({ frames: [input], expected: [expected], labels: [c.name], count: c.frames || 1 });
        }
      }
      for (const seed of FRESH_SEEDS) {
        const variant = seed === 12 && model.inputs[0].dtype === 'INT8' ? 'zp' : 'full';
        const input = h.prngInput(model, seed, variant);
        single.frames.push(input);
        single.expected.push(h.tinyml().runFrames(h.readBytes(modelFile), input, 1));
        single.labels.push('fresh seed ' + seed + ' (vs node)');
      }
      batches.unshift(Object.assign(single, { count: single.frames.length }));
      batches.forEach(function (b, k) {
        const inFile = path.join(tmp, name + '.' + k + '.in.bin');
        const outFile = path.join(tmp, name + '.' + k + '.out.bin');
        fs.writeFileSync(inFile, Buffer.concat(b.frames.map((f) => Buffer.from(f))));
        const r = h.cli(['run', modelFile, '--input', inFile, '--output', outFile, '--engine', 'qemu-m4',
          '--frames', String(b.count), '--kernels', 'cmsis-nn']);
        assert.strictEqual(r.status, 0, name + ' (' + b.labels.join(', ') + '): ' + r.stderr);
        const out = h.readBytes(outFile);
        const want = Buffer.concat(b.expected.map((e) => Buffer.from(e)));
        assert.strictEqual(out.length, want.length, name + ': ' + out.length + ' output bytes, expected ' + want.length);
        let p = 0;
        b.expected.forEach(function (e, i) {
          const d = h.firstDiff(out.subarray(p, p + e.length), e);
          assert.strictEqual(d, -1, name + ' ' + b.labels[i] + ': first difference at byte ' + d);
          p += e.length;
        });
      });
    });
  }

  it('kws_ds_cnn_int8: one invoke within 3% of TFLM+CMSIS-NN on the same emulator (CMSIS-NN ran)', function () {
    const q = qemuBoard();
    const fw = q.firmware(kws, { kernels: 'cmsis-nn' });
    const plan = new (h.tinyml().PreparedModel)(h.readBytes(kws)).plan();
    const outFile = path.join(tmp, 'kws.bench.bin');
    const r = spawnSync('qemu-system-arm', q.qemuArgs(fw.elf, ['bench', seed1, outFile, '1', '0',
      String(plan.arenaBytes), '0']), { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(h.firstDiff(h.readBytes(outFile),
      h.readBytes(path.join(h.MODELS, 'golden', 'kws_ds_cnn_int8', 'prng_seed1.output.bin'))), -1);
    const b = JSON.parse(r.stdout.split('\n').find((l) => l.indexOf('TMLBENCH ') === 0).slice(9));
    const anchors = JSON.parse(fs.readFileSync(path.join(h.ROOT, 'bench', 'tflm-anchors.json'), 'utf8'));
    const tflm = anchors.models.kws_ds_cnn_int8.instrCmsis; // 7,663,280 (../shared/ANCHORS.md)
    assert.ok(b.invokeInstructions <= tflm * 1.03,
      'invoke took ' + b.invokeInstructions + ' instructions, TFLM+CMSIS-NN ' + tflm);
  });
});
