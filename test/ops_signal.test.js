'use strict';
// The TFLM signal-library custom ops (audio_preprocessor_int8/_float):
//  - every signal op cut out of the real models as a one-op model and fed
//    TFLM's per-op intermediates, output for output, on node and duktape;
//  - the spectral-subtraction noise estimate is state: it carries across
//    invokes and resetVariables() starts it over;
//  - option values TFLM cannot run (or runs into undefined behaviour) and
//    broken FlexBuffers blobs, patched into the real model: one clear line
//    naming the op, on every engine.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const fb = require('./fbpatch');

const tmp = h.tmpDir();
const write = h.tmpWriter(tmp);
const MODELS = ['audio_preprocessor_int8', 'audio_preprocessor_float'];

function modelFile(name) {
  return path.join(h.MODELS, name + '.tflite');
}

function opTensors(b, op, field) {
  const v = fb.vector(b, fb.operator(b, op), field);
  const out = [];
  for (let k = 0; k < v.length; k++) out.push(b.readInt32LE(v.start + 4 * k));
  return out;
}

/**
 * The model reduced to operator `op` alone, with the given graph inputs and
 * outputs. The operator vector shrinks in place; the io vectors are appended
 * at the end of the file (FlatBuffers offsets point forward, so that is legal).
 */
function oneOp(file, op, inputs, outputs) {
  let b = Buffer.from(fs.readFileSync(file));
  const sg = fb.subgraph(b, 0);
  const ops = fb.vector(b, sg, 3);
  b.writeUInt32LE(fb.tableAt(b, ops, op) - ops.start, ops.start);
  b.writeUInt32LE(1, ops.start - 4);
  const pad = (4 - (b.length % 4)) % 4;
  let p = b.length + pad;
  b = Buffer.concat([b, Buffer.alloc(pad + 8 + 4 * (inputs.length + outputs.length))]);
  for (const [id, list] of [[1, inputs], [2, outputs]]) {
    const f = fb.field(b, sg, id);
    b.writeUInt32LE(p - f, f);
    b.writeUInt32LE(list.length, p);
    list.forEach((t, k) => b.writeInt32LE(t, p + 4 + 4 * k));
    p += 4 + 4 * list.length;
  }
  return b;
}

describe('signal ops against TFLM per-op intermediates (one-op models cut from the audio preprocessors)', function () {
  for (const name of MODELS) {
    const model = h.golden().models.find((m) => m.name === name);
    const inter = model.intermediates.tensors;
    const byTensor = {};
    for (const t of inter) byTensor[t.tensor_index] = t;
    // The graph input, as the intermediates' case fed it.
    byTensor[model.inputs[0].index] = model.cases.find((c) => c.name === model.intermediates.case).input;
    const src = fs.readFileSync(modelFile(name));
    const opIndices = [];
    for (const t of inter) {
      if (t.op.startsWith('CUSTOM:Signal') && opIndices.indexOf(t.op_index) < 0) opIndices.push(t.op_index);
    }
    it(name + ' has the nine signal ops', function () {
      assert.strictEqual(opIndices.length, 9);
    });
    for (const op of opIndices) {
      const opName = inter.find((t) => t.op_index === op).op;
      // Inputs that TFLM computed (constants stay constants in the cut model).
      const ins = opTensors(src, op, 1).filter((t) => byTensor[t] !== undefined);
      const outs = opTensors(src, op, 2);
      const cut = () => write(name + '.op' + op + '.tflite', oneOp(modelFile(name), op, ins, outs));
      const input = () => write(name + '.op' + op + '.in.bin',
        Buffer.concat(ins.map((t) => fs.readFileSync(path.join(h.MODELS, byTensor[t].file)))));
      const expected = Buffer.concat(outs.map((t) => fs.readFileSync(path.join(h.MODELS, byTensor[t].file))));
      it(name + ' op ' + op + ' ' + opName + ' on node', function () {
        const out = h.tinyml().runFrames(h.readBytes(cut()), h.readBytes(input()), 1);
        assert.strictEqual(h.firstDiff(out, expected), -1, 'first difference at byte ' + h.firstDiff(out, expected));
      });
      it(name + ' op ' + op + ' ' + opName + ' on duktape', function () {
        const outFile = path.join(tmp, name + '.op' + op + '.duk.bin');
        const r = h.cli(['run', cut(), '--input', input(), '--output', outFile, '--engine', 'duktape']);
        assert.strictEqual(r.status, 0, r.stderr);
        assert.strictEqual(h.firstDiff(h.readBytes(outFile), expected), -1);
      });
    }
  }
});

describe('signal ops: state across invokes', function () {
  const model = h.golden().models.find((m) => m.name === 'audio_preprocessor_int8');
  const seq = model.cases.find((c) => c.mode === 'sequence' && c.name.startsWith('yes'));
  const frames = h.readBytes(path.join(h.MODELS, seq.input.file));
  const golden = h.readBytes(path.join(h.MODELS, seq.output.file));
  const frameBytes = model.inputs[0].bytes, outBytes = model.outputs[0].bytes;

  function run(m, k) {
    const input = m.input(0);
    new Uint8Array(input.buffer, input.byteOffset, frameBytes).set(frames.subarray(k * frameBytes, (k + 1) * frameBytes));
    m.invoke();
    const o = m.output(0);
    return Buffer.from(new Uint8Array(o.buffer, o.byteOffset, outBytes));
  }

  it('the noise estimate carries over (frame 2 after frame 1 differs from frame 2 alone)', function () {
    const { Interpreter } = h.tinyml();
    const a = new Interpreter(h.readBytes(modelFile('audio_preprocessor_int8')));
    a.allocateTensors();
    const first = run(a, 0);
    assert.strictEqual(h.firstDiff(first, golden.subarray(0, outBytes)), -1);
    for (let k = 1; k < 10; k++) {
      assert.strictEqual(h.firstDiff(run(a, k), golden.subarray(k * outBytes, (k + 1) * outBytes)), -1, 'frame ' + k);
    }
    const b = new Interpreter(h.readBytes(modelFile('audio_preprocessor_int8')));
    b.allocateTensors();
    const alone = run(b, 9);
    assert.notStrictEqual(h.firstDiff(alone, golden.subarray(9 * outBytes, 10 * outBytes)), -1);
  });

  it('resetVariables() starts the noise estimate over', function () {
    const { Interpreter } = h.tinyml();
    const m = new Interpreter(h.readBytes(modelFile('audio_preprocessor_int8')));
    m.allocateTensors();
    for (let k = 0; k < 5; k++) run(m, k);
    m.resetVariables();
    for (let k = 0; k < 3; k++) {
      assert.strictEqual(h.firstDiff(run(m, k), golden.subarray(k * outBytes, (k + 1) * outBytes)), -1, 'frame ' + k);
    }
  });
});

// ---- patching custom options ----

/** Where the value for `key` of op `op`'s FlexBuffers map sits: { pos, width }. */
function flexValue(b, op, key) {
  const v = fb.vector(b, fb.operator(b, op), 5);
  const end = v.start + v.length;
  const u = (p, n) => { let x = 0; for (let i = n - 1; i >= 0; i--) x = x * 256 + b[p + i]; return x; };
  const rootWidth = b[end - 1];
  const w = 1 << (b[end - 2] & 3);
  const rootPos = end - 2 - rootWidth;
  const map = rootPos - u(rootPos, rootWidth);
  const size = u(map - w, w);
  const keys = map - 3 * w - u(map - 3 * w, w);
  const kw = u(map - 2 * w, w);
  for (let i = 0; i < size; i++) {
    let k = keys + i * kw - u(keys + i * kw, kw);
    let s = '';
    while (b[k]) s += String.fromCharCode(b[k++]);
    if (s === key) return { pos: map + i * w, width: w };
  }
  throw new Error('op ' + op + ' has no option ' + key);
}

function setOption(op, key, value) {
  return (b) => {
    const f = flexValue(b, op, key);
    for (let i = 0; i < f.width; i++) b[f.pos + i] = Math.floor(value / Math.pow(256, i)) & 255;
  };
}

function customBlob(op) {
  return (b) => fb.vector(b, fb.operator(b, op), 5);
}

// [what, patch, code, message pattern]; op numbers as in audio_preprocessor_int8.
const rejections = [
  ['SignalRfft fft_length 28 (radix 7)', setOption(3, 'fft_length', 28), 'E_UNSUPPORTED_OP', /op 3 \(CUSTOM:SignalRfft\).*radix 7/],
  ['SignalRfft fft_length 510 (radix 17)', setOption(3, 'fft_length', 510), 'E_UNSUPPORTED_OP', /op 3 \(CUSTOM:SignalRfft\).*radix 17/],
  ['SignalRfft odd fft_length', setOption(3, 'fft_length', 511), 'E_UNSUPPORTED_OP', /op 3 \(CUSTOM:SignalRfft\).*fft_length 511/],
  ['SignalRfft fft_length below the frame', setOption(3, 'fft_length', 256), 'E_BAD_MODEL', /op 3 \(CUSTOM:SignalRfft\).*exceed fft_length 256/],
  ['SignalRfft of INT8', setOption(3, 'T', 9), 'E_UNSUPPORTED_OP', /op 3 \(CUSTOM:SignalRfft\).*int8/],
  ['SignalWindow shift 40', setOption(0, 'shift', 40), 'E_BAD_MODEL', /op 0 \(CUSTOM:SignalWindow\).*shift 40/],
  ['SignalEnergy end_index past the spectrum', setOption(4, 'end_index', 300), 'E_BAD_MODEL', /op 4 \(CUSTOM:SignalEnergy\).*end_index 300/],
  ['SignalFilterBank num_channels past its tables', setOption(9, 'num_channels', 45), 'E_BAD_MODEL', /op 9 \(CUSTOM:SignalFilterBank\).*num_channels \+ 1/],
  ['SignalFilterBankSpectralSubtraction smoothing_bits 40', setOption(11, 'smoothing_bits', 40), 'E_BAD_MODEL',
    /op 11 \(CUSTOM:SignalFilterBankSpectralSubtraction\).*smoothing_bits 40/],
  ['SignalPCAN snr_shift 64', setOption(12, 'snr_shift', 64), 'E_BAD_MODEL', /op 12 \(CUSTOM:SignalPCAN\).*snr_shift 64/],
  ['SignalFilterBankLog input_correction_bits 32', setOption(13, 'input_correction_bits', 32), 'E_BAD_MODEL',
    /op 13 \(CUSTOM:SignalFilterBankLog\).*input_correction_bits 32/],
  ['a filter bank channel reaching past the spectrum', (b) => {
    // Channel 40's frequency start (input 3 of op 9, int16) moved past the spectrum.
    const t = fb.tensor(b, opTensors(b, 9, 1)[3]);
    const buf = fb.tableAt(b, fb.vector(b, fb.root(b), 4), b.readUInt32LE(fb.field(b, t, 2)));
    b.writeInt16LE(300, fb.vector(b, buf, 0).start + 2 * 40);
  }, 'E_BAD_MODEL', /op 9 \(CUSTOM:SignalFilterBank\).*channel 40/],
  ['SignalWindow options with a missing key', (b) => {
    const v = customBlob(0)(b);
    b[v.start + 2] = 'o'.charCodeAt(0); // "shift" -> "shoft"
  }, 'E_BAD_MODEL', /op 0 \(CUSTOM:SignalWindow\).*"shift" is missing/],
  ['SignalWindow options with a bad root width', (b) => {
    const v = customBlob(0)(b);
    b[v.start + v.length - 1] = 3;
  }, 'E_BAD_MODEL', /op 0 \(CUSTOM:SignalWindow\).*root width 3/],
  ['SignalRfft options cut short', (b) => {
    const v = customBlob(3)(b);
    // Keep the tail (root) but claim only its last 6 bytes: offsets now point before the start.
    b.copy(b, v.start, v.start + v.length - 6, v.start + v.length);
    b.writeUInt32LE(6, v.start - 4);
  }, 'E_BAD_MODEL', /op 3 \(CUSTOM:SignalRfft\).*custom options/],
  ['SignalPCAN options missing', (b) => {
    b.writeUInt32LE(0, customBlob(12)(b).start - 4);
  }, 'E_BAD_MODEL', /op 12 \(CUSTOM:SignalPCAN\).*custom options are missing/],
];

describe('signal ops: options TFLM cannot run are rejected with one clear line', function () {
  const input = path.join(h.MODELS, 'golden', 'audio_preprocessor_int8', 'yes_30ms.input.bin');
  for (const engine of ['node', 'duktape']) {
    for (const [what, patch, code, pattern] of rejections) {
      it(what + ' -> ' + code + ' (' + engine + ')', function () {
        const b = Buffer.from(fs.readFileSync(modelFile('audio_preprocessor_int8')));
        patch(b);
        const f = write(what.replace(/\W+/g, '_') + '.tflite', b);
        const r = h.cli(['run', f, '--input', input, '--output', path.join(tmp, 'o.bin'), '--engine', engine]);
        assert.strictEqual(r.signal, null, 'died with ' + r.signal);
        assert.notStrictEqual(r.status, 0, 'expected a failure, stderr: ' + r.stderr);
        const lines = r.stderr.trim().split('\n');
        assert.strictEqual(lines.length, 1, 'expected one line, got:\n' + r.stderr);
        assert.ok(lines[0].startsWith('tinyml: ' + code + ': '), 'expected ' + code + ', got: ' + lines[0]);
        assert.ok(pattern.test(lines[0]), 'message: ' + lines[0]);
      });
    }
  }
  it('an fft_length the output tensor does not fit is refused (480: radix 3 and 5 stages, 482 values)', function () {
    const b = Buffer.from(fs.readFileSync(modelFile('audio_preprocessor_int8')));
    setOption(3, 'fft_length', 480)(b);
    const r = h.cli(['run', write('rfft480.tflite', b), '--input', input, '--output', path.join(tmp, 'o.bin')]);
    assert.notStrictEqual(r.status, 0);
    assert.ok(/E_UNSUPPORTED_OP: op 3 \(CUSTOM:SignalRfft\).*tensor 23 must hold 1 x 482 values/.test(r.stderr), r.stderr);
  });
});
