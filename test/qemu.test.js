'use strict';
// The emulated microcontroller (boards/qemu-m4: Cortex-M4, 256 KB RAM, 1 MB
// flash, Duktape + the native module): golden cases byte for byte through
// `tinyml run --engine qemu-m4`, plus fresh inputs checked against Node, and
// the kws firmware's fit and speed. Needs qemu-system-arm, gcc-arm-none-eabi
// and picolibc-arm-none-eabi; without them these tests fail (not skip).
// The golden runs themselves: test/qemu-golden.js.
const assert = require('assert');
const path = require('path');
const h = require('./helpers');
const { goldenOnQemu } = require('./qemu-golden');

const MODELS = ['hello_world_int8', 'micro_speech_int8', 'kws_ds_cnn_int8', 'ad_autoencoder_int8',
  'person_detect_int8', 'vww_mobilenet_int8', 'ic_resnet8_int8'];
// Every kernel backend (native/ops/backend.h) runs the same cases; '' is the board's default
// (optimized). The reference backend runs the small models only (the big ones cost minutes).
const KERNELS = ['', 'reference'];
const SMALL = ['hello_world_int8', 'micro_speech_int8', 'kws_ds_cnn_int8', 'ad_autoencoder_int8'];

function qemuBoard() {
  return require(path.join(__dirname, '..', 'scripts', 'build-qemu.js'));
}

describe('qemu-m4 (emulated Cortex-M4, 256 KB RAM)', function () {
  this.timeout(20 * 60 * 1000);
  const tmp = h.tmpDir();

  before(function () {
    const missing = qemuBoard().missingTools();
    assert.deepStrictEqual(missing, [], missing.join(', ') + ' not found: ' + qemuBoard().APT);
  });

  for (const kernels of KERNELS) for (const name of (kernels ? SMALL : MODELS)) {
    // The board's default is one of the named backends: run it once.
    if (kernels && kernels === qemuBoard().kernelsFor({})) continue;
    it(name + ': golden cases and fresh inputs, byte for byte' + (kernels ? ' (--kernels ' + kernels + ')' : ''), function () {
      goldenOnQemu(name, kernels, tmp);
    });
  }

  /** One bench run of a model's firmware on the 256 KB board: the TMLBENCH figures, output checked. */
  function bench(name) {
    const q = qemuBoard();
    const model = h.golden().models.find((m) => m.name === name);
    const modelFile = path.join(h.MODELS, model.file);
    const fw = q.firmware(modelFile);
    assert.strictEqual(fw.ramBytes, 256 * 1024);
    const s = q.sizes(fw.elf);
    assert.ok(s.text <= q.BOARD.flash.bytes, 'flash: .text is ' + s.text + ' bytes');
    assert.ok(s.data + s.bss + s.stack <= q.BOARD.ram.bytes, 'RAM: statics and stack take ' + (s.data + s.bss + s.stack));
    // The board itself: JS heap, arena, stack and statics inside 256 KB.
    const plan = new (h.tinyml().PreparedModel)(h.readBytes(modelFile)).plan();
    const c = model.cases[0];
    const outFile = path.join(tmp, name + '.bench.bin');
    const r = require('child_process').spawnSync('qemu-system-arm', q.qemuArgs(fw.elf, ['bench',
      path.join(h.MODELS, c.input.file), outFile, '1', '0', String(plan.arenaBytes), '0']), { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, name + ' on the 256 KB board: ' + r.stderr);
    assert.strictEqual(h.firstDiff(h.readBytes(outFile), h.readBytes(path.join(h.MODELS, c.output.file))), -1);
    const line = r.stdout.split('\n').find((l) => l.indexOf('TMLBENCH ') === 0);
    return JSON.parse(line.slice(9));
  }

  it('kws_ds_cnn_int8 fits 256 KB RAM and 1 MB flash, and invoke() is at most TFLM reference speed', function () {
    const b = bench('kws_ds_cnn_int8');
    const tflmRef = 43040840; // TFLM reference kernels, same emulator and input (ANCHORS.md)
    assert.ok(b.invokeInstructions <= tflmRef, 'invoke: ' + b.invokeInstructions + ' instructions, TFLM ' + tflmRef);
    const overhead = (b.invokeInstructions - b.kernelInstructions) / b.invokeInstructions;
    assert.ok(overhead < 0.01, 'JS + binding overhead of invoke(): ' + (100 * overhead).toFixed(3) + '%');
  });

  it('the board pays only for the model: kws ready in <= 1.5x TFLM\'s MicroInterpreter + AllocateTensors, JS heap <= 48 KB above empty', function () {
    const b = bench('kws_ds_cnn_int8');
    const ready = b.evalInstructions + b.loadInstructions; // bundle start to ready for the first invoke
    const tflmReady = 693991; // ANCHORS.md, "Getting ready", same emulator
    assert.ok(ready <= 1.5 * tflmReady, 'ready in ' + ready + ' instructions, TFLM ' + tflmReady);
    const highWater = Math.max(b.heapPeakEval, b.heapPeakLoad, b.heapPeakRun);
    assert.ok(highWater - b.heapEmpty <= 48 * 1024, 'JS heap high-water ' + highWater + ', empty ' + b.heapEmpty);
  });

  it('hello_world_int8: invoke() from a script loop costs at most 2,000 instructions over its kernels, and no more than TFLM\'s reference run in all', function () {
    const b = bench('hello_world_int8');
    const overhead = b.appInvokeInstructions - b.appKernelInstructions;
    assert.ok(overhead <= 2000, 'script + binding overhead of invoke(): ' + overhead);
    // The whole invoke: kernels, the per-invoke re-check of the program (the
    // script can write it) and the script call. TFLM reference: ANCHORS.md.
    const tflmRef = 5440;
    console.log('      hello_world_int8: one invoke ' + b.appInvokeInstructions + ' instructions (TFLM reference ' + tflmRef + ')');
    assert.ok(b.appInvokeInstructions <= tflmRef, 'one invoke: ' + b.appInvokeInstructions + ' instructions, TFLM reference ' + tflmRef);
  });
});
