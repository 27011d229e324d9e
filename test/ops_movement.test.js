'use strict';
// Data movement and reductions beyond the ops.json goldens:
//  - the variants TFLM rejects (ops.json rejected_by_tflm; their .tflite files
//    are not shipped) rebuilt by patching shipped models, and other models
//    TFLM cannot run as intended: each must fail with one clear line naming
//    the op, on every engine;
//  - STRIDED_SLICE and CONCATENATION on the int32 tensors of the audio
//    preprocessors, cut out of the real models and checked against TFLM's
//    per-op intermediates.
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
const opInput = fb.opInput;
const opOutput = fb.opOutput;
const OPS = path.join(h.MODELS, 'ops');

function caseInput(name) {
  return path.join(OPS, 'golden', name, 'prng_seed1.input.bin');
}

/** Scales vector of a tensor's QuantizationParameters (table field 4, scale field 2). */
function scales(b, t) {
  const q = fb.field(b, fb.tensor(b, t), 4);
  return fb.vector(b, q + b.readUInt32LE(q), 2);
}

/** The constant data of a tensor: { start, length } of its buffer's bytes. */
function tensorData(b, t) {
  const bufIndex = b.readUInt32LE(fb.field(b, fb.tensor(b, t), 2));
  const buf = fb.tableAt(b, fb.vector(b, fb.root(b), 4), bufIndex);
  return fb.vector(b, buf, 0);
}

/** Makes the value stored for field `from` of a table the value of field `to`. */
function moveField(b, table, from, to) {
  const vt = table - b.readInt32LE(table);
  assert.ok(b.readUInt16LE(vt) >= 4 + 2 * (Math.max(from, to) + 1), 'vtable too short');
  assert.ok(b.readUInt16LE(vt + 4 + 2 * from) !== 0, 'field ' + from + ' is not stored');
  b.writeUInt16LE(b.readUInt16LE(vt + 4 + 2 * from), vt + 4 + 2 * to);
  b.writeUInt16LE(0, vt + 4 + 2 * from);
}

/** Multiplies the (per-tensor) scale of input `slot` of op 0 by `factor`. */
function rescaleInput(b, slot, factor) {
  const s = scales(b, opInput(b, 0, slot));
  b.writeFloatLE(b.readFloatLE(s.start) * factor, s.start);
}

// [what, shipped model to patch, patch, expected code, message pattern]
const rejections = [
  // ops.json rejected_by_tflm: int8 CONCATENATION inputs quantized unlike the output.
  ['concat_i8_axis3_diffscale', 'concat_i8_axis3_samescale', (b) => rescaleInput(b, 1, 2.5),
    'E_UNSUPPORTED_OP', /op 0 \(CONCATENATION\): .*int8 input tensor \d+ .*TFLM does not rescale/],
  ['concat_i8_axis1_3inputs_diffscale', 'concat_i8_axis1_3inputs_samescale', (b) => rescaleInput(b, 2, 0.5),
    'E_UNSUPPORTED_OP', /op 0 \(CONCATENATION\): .*int8 input tensor \d+ /],
  ['concat_i8_axis_m1_rank2 (diffscale)', 'concat_i8_axis_m1_rank2_samescale', (b) => rescaleInput(b, 0, 1.5),
    'E_UNSUPPORTED_OP', /op 0 \(CONCATENATION\): .*int8 input tensor \d+ /],
  ['GATHER with a constant index out of range', 'gather_i8_axis0', (b) => {
    const d = tensorData(b, opInput(b, 0, 1));
    b.writeInt32LE(5, d.start + 4); // params [5, 4]: index 5 does not exist
  }, 'E_BAD_MODEL', /op 0 \(GATHER\): index 5 \(position 1 of tensor \d+\) is outside \[0, 5\)/],
  ['ARG_MAX with an int64 output', 'arg_max_i8_axis3', (b) => {
    b.writeInt8(4, fb.field(b, fb.tensor(b, opOutput(b, 0, 0)), 1)); // TensorType INT64
  }, 'E_UNSUPPORTED_OP', /op 0 \(ARG_MAX\): int64 output \(TFLM writes int32 only\)/],
  ['STRIDED_SLICE with an ellipsis mask', 'strided_slice_i8_shrink_axis', (b) => {
    // The stored shrink_axis_mask (field 4) becomes ellipsis_mask (field 2).
    const opts = fb.field(b, fb.operator(b, 0), 4);
    moveField(b, opts + b.readUInt32LE(opts), 4, 2);
  }, 'E_UNSUPPORTED_OP', /op 0 \(STRIDED_SLICE\): .*ellipsis_mask/],
  ['PAD with a negative padding', 'pad_i8_hw', (b) => {
    const d = tensorData(b, opInput(b, 0, 1));
    b.writeInt32LE(-1, d.start + 4 * 2); // dim 1, before
  }, 'E_UNSUPPORTED_OP', /op 0 \(PAD\): negative paddings on dim 1/],
  ['TRANSPOSE with a repeated perm axis', 'transpose_i8_rank3_201', (b) => {
    const d = tensorData(b, opInput(b, 0, 1));
    b.writeInt32LE(2, d.start + 4); // [2, 2, 1]
  }, 'E_BAD_MODEL', /op 0 \(TRANSPOSE\): perm \[2,2,1\] is not a permutation/],
  ['MEAN over an axis out of range', 'mean_i8_axis1_rank3_nokeep', (b) => {
    const d = tensorData(b, opInput(b, 0, 1));
    b.writeInt32LE(3, d.start);
  }, 'E_BAD_MODEL', /op 0 \(MEAN\): axis 3 is out of range for rank 3/],
];

describe('data movement and reductions: rejected variants', function () {
  for (const engine of ['node', 'duktape']) {
    describe('engine ' + engine, function () {
      for (const [what, base, patch, code, pattern] of rejections) {
        it(what + ' -> ' + code, function () {
          const b = load(base);
          patch(b);
          const line = runFails(write(what.replace(/\W+/g, '_') + '.tflite', b), caseInput(base), engine, code);
          assert.ok(pattern.test(line), 'message: ' + line);
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

describe('ARG_MIN (the ARG_MAX models with their opcode switched)', function () {
  // OperatorCode: deprecated_builtin_code (field 0, int8), builtin_code (field 3, int32).
  const ARG_MIN = 79;
  for (const base of ['arg_max_i8_axis3', 'arg_max_f32_axis1', 'arg_max_i8_rank2_axis1']) {
    it(base.replace('max', 'min') + ' on node and duktape', function () {
      const b = load(base);
      const code = fb.opcode(b, 0);
      const dep = fb.field(b, code, 0);
      const full = fb.field(b, code, 3);
      assert.ok(dep >= 0 || full >= 0, 'opcode fields');
      if (dep >= 0) b.writeInt8(ARG_MIN, dep);
      if (full >= 0) b.writeInt32LE(ARG_MIN, full);
      const m = h.opsGolden().models.find((x) => x.name === base);
      const shape = m.inputs[0].shape;
      const axis = shape.length === 2 ? 1 : Number(/axis(\d)/.exec(base)[1]);
      const inBytes = h.readBytes(caseInput(base));
      const f32 = m.inputs[0].dtype === 'FLOAT32';
      const x = f32 ? new Float32Array(inBytes.buffer, inBytes.byteOffset, inBytes.length / 4) : new Int8Array(inBytes.buffer);
      let outer = 1;
      let inner = 1;
      shape.forEach((d, i) => { if (i < axis) outer *= d; if (i > axis) inner *= d; });
      const want = new Int32Array(outer * inner);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let best = 0;
          for (let k = 1; k < shape[axis]; k++) {
            if (x[(o * shape[axis] + k) * inner + i] < x[(o * shape[axis] + best) * inner + i]) best = k;
          }
          want[o * inner + i] = best;
        }
      }
      const file = write(base + '.argmin.tflite', b);
      const node = h.tinyml().runFrames(h.readBytes(file), inBytes, 1);
      assert.strictEqual(h.firstDiff(node, new Uint8Array(want.buffer)), -1);
      const outFile = path.join(tmp, base + '.argmin.duk.bin');
      const r = h.cli(['run', file, '--input', caseInput(base), '--output', outFile, '--engine', 'duktape']);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(h.firstDiff(h.readBytes(outFile), node), -1);
    });
  }
});

/**
 * The model cut down to operators first..last of subgraph 0, with the given
 * graph inputs and outputs (the operator and io vectors are rewritten in
 * place; the rest of the model is untouched).
 */
describe('data movement on real models: audio preprocessor STRIDED_SLICE + CONCATENATION (int32)', function () {
  for (const name of ['audio_preprocessor_int8', 'audio_preprocessor_float']) {
    const model = h.golden().models.find((m) => m.name === name);
    const inter = model.intermediates.tensors;
    const ss = inter.find((x) => x.op === 'STRIDED_SLICE');
    const cc = inter.find((x) => x.op === 'CONCATENATION');
    const src = inter.find((x) => x.op_index === ss.op_index - 1);
    const cut = () => write(name + '.movement.tflite',
      subModel(path.join(h.MODELS, model.file), ss.op_index, cc.op_index, [src.tensor_index], [cc.tensor_index]));
    const input = path.join(h.MODELS, src.file);
    const expected = () => h.readBytes(path.join(h.MODELS, cc.file));
    it(name + ' ops ' + ss.op_index + '-' + cc.op_index + ' on node', function () {
      assert.strictEqual(ss.dtype, 'INT32');
      const out = h.tinyml().runFrames(h.readBytes(cut()), h.readBytes(input), 1);
      assert.strictEqual(h.firstDiff(out, expected()), -1);
    });
    it(name + ' ops ' + ss.op_index + '-' + cc.op_index + ' on duktape', function () {
      const outFile = path.join(tmp, name + '.movement.out.bin');
      const r = h.cli(['run', cut(), '--input', input, '--output', outFile, '--engine', 'duktape']);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(h.firstDiff(h.readBytes(outFile), expected()), -1);
    });
  }
});
