'use strict';
// Elementwise binary ops, activations, QUANTIZE / DEQUANTIZE / CAST beyond
// the ops.json goldens:
//  - variants TFLM cannot run (or runs other than the model means), rebuilt
//    by patching shipped single-op models: each must fail with one clear
//    line naming the op, on every engine;
//  - the int16 / int32 / uint32 / float32 ops of the audio preprocessors
//    (CAST, MUL, ADD, DIV, MINIMUM, MAXIMUM), cut out of the real models one
//    by one and as the whole int32 tail, checked byte for byte against
//    TFLM's per-op intermediates.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const fb = require('./fbpatch');

const tmp = h.tmpDir();
const write = h.tmpWriter(tmp);
const runFails = h.runModelFails;
const load = h.opModel;
const subModel = fb.subModel;
const setType = fb.setType;
const OPS = path.join(h.MODELS, 'ops');

function caseInput(name) {
  return path.join(OPS, 'golden', name, 'prng_seed1.input.bin');
}

const { opInput, opOutput } = fb;

/** Vector `id` (2 scale, 3 zero_point) of a tensor's QuantizationParameters. */
function quantVector(b, t, id) {
  const q = fb.field(b, fb.tensor(b, t), 4);
  return fb.vector(b, q + b.readUInt32LE(q), id);
}

/** The stored field `id` of operator `op`'s builtin options table. */
function optionField(b, op, id) {
  const f = fb.field(b, fb.operator(b, op), 4);
  const f2 = fb.field(b, f + b.readUInt32LE(f), id);
  assert.ok(f2 >= 0, 'option field ' + id + ' not stored');
  return f2;
}

const INT8 = 9, INT16 = 7, INT32 = 2, FLOAT32 = 0;

// [what, base model, patch, expected code, message pattern]
const rejections = [
  ['ADD int8 with a fused TANH', 'add_i8_bcast_h_1x4x1x1_relu6', (b) => {
    b.writeUInt8(4, optionField(b, 0, 0));
  }, 'E_UNSUPPORTED_OP', /op 0 \(ADD\).*TANH/],
  ['ADD inputs that do not broadcast', 'add_i8_bcast_c_1x1x1x3_none', (b) => {
    const s = fb.vector(b, fb.tensor(b, opInput(b, 0, 1)), 0);
    b.writeInt32LE(2, s.start + 12);
  }, 'E_BAD_MODEL', /op 0 \(ADD\).*do not broadcast/],
  ['MUL int8 inputs with an int16 output', 'mul_i8_same_shape_none', (b) => {
    setType(b, opOutput(b, 0, 0), INT16);
  }, 'E_UNSUPPORTED_OP', /op 0 \(MUL\).*int16/],
  ['LOGISTIC int8 output zero point 0 (TFLM needs -128)', 'logistic_i8_1x4x4x3', (b) => {
    b.writeInt32LE(0, quantVector(b, opOutput(b, 0, 0), 3).start); // int64 -128 -> 0
    b.writeInt32LE(0, quantVector(b, opOutput(b, 0, 0), 3).start + 4);
  }, 'E_UNSUPPORTED_OP', /op 0 \(LOGISTIC\).*zero point/],
  ['TANH on int16', 'tanh_i8_1x4x4x3', (b) => {
    setType(b, opInput(b, 0, 0), INT16);
    setType(b, opOutput(b, 0, 0), INT16);
  }, 'E_UNSUPPORTED_OP', /op 0 \(TANH\).*int16/],
  ['RELU int16 with non-zero zero points', 'relu_i8_1x4x4x3', (b) => {
    setType(b, opInput(b, 0, 0), INT16);
    setType(b, opOutput(b, 0, 0), INT16);
  }, 'E_UNSUPPORTED_OP', /op 0 \(RELU\).*zero point/],
  ['HARD_SWISH int8 with an output scale too small for TFLM', 'hard_swish_i8_1x4x4x3', (b) => {
    b.writeFloatLE(1e-6, quantVector(b, opOutput(b, 0, 0), 2).start);
  }, 'E_UNSUPPORTED_OP', /op 0 \(HARD_SWISH\)/],
  ['QUANTIZE float32 to float32', 'quantize_f32_to_i8', (b) => {
    setType(b, opOutput(b, 0, 0), FLOAT32);
  }, 'E_UNSUPPORTED_OP', /op 0 \(QUANTIZE\).*float32 to float32/],
  ['DEQUANTIZE from int32', 'dequantize_i8_to_f32', (b) => {
    setType(b, opInput(b, 0, 0), INT32);
  }, 'E_UNSUPPORTED_OP', /op 0 \(DEQUANTIZE\).*int32/],
];

describe('elementwise, activations, quantize: rejected variants', function () {
  for (const engine of ['node', 'duktape']) {
    describe('engine ' + engine, function () {
      for (const [what, base, patch, code, pattern] of rejections) {
        it(what + ' -> ' + code, function () {
          const b = load(base);
          patch(b);
          const line = runFails(write(base + '.patched.tflite', b), caseInput(base), engine, code);
          assert.ok(pattern.test(line), line);
        });
      }
    });
  }
  it('the unpatched models run (the patches are what gets rejected)', function () {
    for (const [, base] of rejections) {
      const out = h.tinyml().runFrames(h.readBytes(path.join(OPS, base + '.tflite')), h.readBytes(caseInput(base)), 1);
      assert.ok(out.length > 0, base);
    }
  });
});

/**
 * The model cut down to operators first..last of subgraph 0, with the given
 * graph inputs and outputs (the operator and io vectors are rewritten in
 * place; the rest of the model is untouched).
 */
const MINE = ['CAST', 'MUL', 'ADD', 'DIV', 'MINIMUM', 'MAXIMUM'];

describe('audio preprocessor int16/int32/uint32/float32 ops against TFLM intermediates', function () {
  for (const name of ['audio_preprocessor_int8', 'audio_preprocessor_float']) {
    const model = h.golden().models.find((m) => m.name === name);
    const file = path.join(h.MODELS, model.file);
    const inter = model.intermediates.tensors;
    const byTensor = (t) => inter.find((x) => x.tensor_index === t);
    const opsOf = {}; // op index -> { inputs, output }
    {
      const b = fs.readFileSync(file);
      for (const x of inter) {
        if (MINE.indexOf(x.op) < 0) continue;
        const table = fb.operator(b, x.op_index);
        const v = fb.vector(b, table, 1);
        const ins = [];
        for (let k = 0; k < v.length; k++) ins.push(b.readInt32LE(v.start + 4 * k));
        opsOf[x.op_index] = { op: x.op, inputs: ins, output: x.tensor_index };
      }
    }
    const runs = [];
    for (const k of Object.keys(opsOf)) {
      const o = opsOf[k];
      // The graph inputs: the inputs some earlier op produced (constants stay constants).
      const live = o.inputs.filter((t) => byTensor(t));
      runs.push({ what: o.op + ' (op ' + k + ')', first: +k, last: +k, inputs: live, output: o.output });
    }
    if (name === 'audio_preprocessor_int8') {
      // The int32 tail, CAST .. CAST, as one graph.
      const first = Math.min.apply(null, runs.filter((r) => r.what.indexOf('MUL') === 0).map((r) => r.first)) - 1;
      const last = Math.max.apply(null, runs.map((r) => r.last));
      runs.push({ what: 'ops ' + first + '-' + last, first: first, last: last,
        inputs: opsOf[first].inputs, output: opsOf[last].output });
    }
    for (const r of runs) {
      const tag = name + '.' + r.first + '-' + r.last;
      const cut = () => write(tag + '.tflite', subModel(file, r.first, r.last, r.inputs, [r.output]));
      const input = () => {
        const data = r.inputs.map((t) => fs.readFileSync(path.join(h.MODELS, byTensor(t).file)));
        return write(tag + '.in.bin', Buffer.concat(data));
      };
      const expected = () => h.readBytes(path.join(h.MODELS, byTensor(r.output).file));
      it(name + ' ' + r.what + ' on node', function () {
        const out = h.tinyml().runFrames(h.readBytes(cut()), h.readBytes(input()), 1);
        assert.strictEqual(h.firstDiff(out, expected()), -1);
      });
      it(name + ' ' + r.what + ' on duktape', function () {
        const outFile = path.join(tmp, tag + '.out.bin');
        const res = h.cli(['run', cut(), '--input', input(), '--output', outFile, '--engine', 'duktape']);
        assert.strictEqual(res.status, 0, res.stderr);
        assert.strictEqual(h.firstDiff(h.readBytes(outFile), expected()), -1);
      });
    }
  }
});
