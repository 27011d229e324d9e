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
// `tinyml run --engine qemu-m4 --kernels cmsis-nn`; kws_ds_cnn_int8's
// invoke within 3% of TFLM+CMSIS-NN's instructions (so CMSIS-NN ran, not
// the reference kernels it falls back to); and test/cmsis_nn/kernels_test.c
// (edge shapes against the reference kernels) on the host under
// ASan+UBSan (CMSIS-NN's portable C) and on the emulated M4 (its DSP code).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');
const { goldenOnQemu } = require('./qemu-golden');

const MODELS = ['hello_world_int8', 'micro_speech_int8', 'kws_ds_cnn_int8', 'ad_autoencoder_int8',
  'person_detect_int8', 'vww_mobilenet_int8', 'ic_resnet8_int8'];
const DIR = process.env.CMSIS_NN_DIR;
const KERNELS_TEST = path.join(h.ROOT, 'test', 'cmsis_nn', 'kernels_test.c');
// The reference kernels the backend falls back to, counted by kernels_test.c.
const WRAP = '-Wl,' + ['tml_conv_s8', 'tml_dwconv_s8', 'tml_fc_s8', 'tml_fc_s8_per_channel', 'tml_avgpool_s8',
  'tml_addsub_q'].map((f) => '--wrap=' + f).join(',');

/** Runs commands [cmd, args] two at a time; rejects with the first failure's output. */
function runAll(jobs) {
  return new Promise(function (resolve, reject) {
    let next = 0, running = 0, failed = false;
    function start() {
      if (failed) return;
      if (next >= jobs.length) { if (!running) resolve(); return; }
      const j = jobs[next++];
      running++;
      const p = require('child_process').spawn(j[0], j[1], { cwd: h.ROOT });
      let out = '';
      p.stdout.on('data', (d) => { out += d; });
      p.stderr.on('data', (d) => { out += d; });
      p.on('error', (e) => { failed = true; reject(new Error(j[0] + ': ' + e.message)); });
      p.on('close', function (code) {
        running--;
        if (code !== 0 && !failed) { failed = true; reject(new Error(j[0] + ' ' + j[1].join(' ') + '\n' + out)); }
        else start();
      });
    }
    start();
    start();
  });
}

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
      'https://github.com/ARM-software/CMSIS-NN; native/kernels/cmsis_nn/README.md)');
    return;
  }

  before(function () {
    const missing = qemuBoard().missingTools();
    assert.deepStrictEqual(missing, [], missing.join(', ') + ' not found: ' + qemuBoard().APT);
  });

  for (const name of MODELS) {
    it(name + ': golden cases and fresh inputs, byte for byte', function () {
      goldenOnQemu(name, 'cmsis-nn', tmp);
    });
  }

  it('kernels_test.c on the host, CMSIS-NN\'s portable C, under ASan+UBSan: edge shapes = reference', async function () {
    // CMSIS-NN's objects under ASan only (its own undefined behaviour is not ours to judge), cached by mtime.
    const dir = path.join(h.ROOT, 'dist', 'native-tests', 'cmsis-nn');
    fs.mkdirSync(dir, { recursive: true });
    const src = path.resolve(DIR, 'Source');
    const lib = [];
    const jobs = [];
    (function walk(d) {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const f = path.join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (/\.c$/.test(e.name) && !/_f(16|32)\.c$/.test(e.name)) {
          const obj = path.join(dir, path.relative(src, f).replace(/[\/\\]/g, '_').replace(/\.c$/, '.o'));
          lib.push(obj);
          if (!fs.existsSync(obj) || fs.statSync(obj).mtimeMs < fs.statSync(f).mtimeMs) {
            jobs.push(['clang', ['-std=c99', '-O1', '-g', '-w', '-fsanitize=address', '-I', path.resolve(DIR, 'Include'),
              '-c', f, '-o', obj]]);
          }
        }
      }
    })(src);
    await runAll(jobs);
    const exe = path.join(dir, 'kernels_test');
    const ref = fs.readdirSync(path.join(h.ROOT, 'native', 'kernels', 'reference')).filter((n) => /\.c$/.test(n))
      .map((n) => path.join('native', 'kernels', 'reference', n));
    await runAll([['clang', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-ffp-contract=off', '-g', '-O1',
      '-fno-omit-frame-pointer', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-Inative/include',
      '-Inative/core', '-isystem', path.resolve(DIR, 'Include'), WRAP, '-o', exe, KERNELS_TEST,
      'native/kernels/cmsis_nn/cmsis_nn.c'].concat(ref, lib, ['-lm'])]]);
    const r = spawnSync(exe, [], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
    const m = /(\d+) passed, 0 failed/.exec(r.stdout);
    assert.ok(m && Number(m[1]) > 400, r.stdout);
  });

  it('kernels_test.c on the emulated Cortex-M4, CMSIS-NN\'s DSP code: edge shapes = reference', function () {
    const q = qemuBoard();
    // The board's objects of this backend: reference kernels, adapters, CMSIS-NN.
    const objs = q.compileAll(null, 'cmsis-nn').filter((o) =>
      /^native_(kernels_reference_|kernels_cmsis_nn_|cmsis-nn_)/.test(path.basename(o)));
    const obj = path.join(tmp, 'kernels_test.o');
    const elf = path.join(tmp, 'kernels_test.elf');
    let r = spawnSync(q.CC, q.OUR_FLAGS.concat(['-Inative/include', '-Inative/core', '-isystem',
      path.resolve(DIR, 'Include'), '-c', KERNELS_TEST, '-o', obj]), { cwd: h.ROOT, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    r = spawnSync(q.CC, q.linkFlags(1 << 20, 64 << 10).concat([WRAP, '-o', elf, obj], objs, ['-lm']),
      { cwd: h.ROOT, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stderr);
    r = spawnSync('qemu-system-arm', q.BOARD.qemu.concat(['-kernel', elf]), { encoding: 'utf8', timeout: 300000 });
    const text = r.stdout + r.stderr; // picolibc's stdout may reach either
    assert.strictEqual(r.status, 0, text);
    const m = /(\d+) passed, 0 failed/.exec(text);
    assert.ok(m && Number(m[1]) > 400, text);
  });

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
