'use strict';
// Golden outputs produced by TFLM (reference kernels): every case of every
// covered model (golden.json) and single-op model (ops.json), on Node
// (in-process) and on Duktape (the ES5 device bundle through
// `tinyml run --engine duktape`). Integer outputs must match byte for byte.
// Float outputs: within FLOAT_ULP ulp, or LIBM_ULP for models whose kernels call
// libm (exp/tanh/expm1), since libm results may differ by a few ulp per call.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const { MODELS, OP_FAMILIES } = require('./coverage');

const FLOAT_ULP = 0;
const LIBM_ULP = 128;
const LIBM_OPS = ['LOGISTIC', 'TANH', 'ELU', 'SOFTMAX', 'UNIDIRECTIONAL_SEQUENCE_LSTM'];

/** Distance in representable float32 values between two bit patterns. */
function ulpDistance(a, b) {
  const ka = a < 0 ? 0x80000000 - (a & 0x7fffffff) : a + 0x80000000;
  const kb = b < 0 ? 0x80000000 - (b & 0x7fffffff) : b + 0x80000000;
  return Math.abs(ka - kb);
}

/** Compares one output file's bytes per tensor dtype. */
function compareOutputs(model, actual, expected, what, maxUlp) {
  assert.strictEqual(actual.length, expected.length, what + ': ' + actual.length + ' bytes, TFLM wrote ' + expected.length);
  const blocks = [];
  let frame = 0;
  for (const o of model.outputs) { blocks.push({ dtype: o.dtype, bytes: o.bytes }); frame += o.bytes; }
  const av = Buffer.from(actual.buffer, actual.byteOffset, actual.length);
  const ev = Buffer.from(expected.buffer, expected.byteOffset, expected.length);
  let worst = 0;
  for (let base = 0; base < expected.length; base += frame) {
    let p = base;
    for (const b of blocks) {
      if (b.dtype === 'FLOAT32') {
        for (let i = 0; i < b.bytes; i += 4) {
          const d = ulpDistance(av.readInt32LE(p + i), ev.readInt32LE(p + i));
          worst = Math.max(worst, d);
          assert.ok(d <= maxUlp, what + ': float at byte ' + (p + i) + ' is ' + av.readFloatLE(p + i) +
            ', TFLM ' + ev.readFloatLE(p + i) + ' (' + d + ' ulp > ' + maxUlp + ')');
        }
      } else {
        const d = h.firstDiff(actual.subarray(p, p + b.bytes), expected.subarray(p, p + b.bytes));
        assert.strictEqual(d, -1, what + ': first difference at byte ' + (p + d) + ' (got ' + actual[p + d] +
          ', TFLM ' + expected[p + d] + ')');
      }
      p += b.bytes;
    }
  }
  return worst;
}

function defineCases(model, tmp) {
  const modelFile = path.join(h.MODELS, model.file);
  const usesLibm = model.op_types.some((op) => LIBM_OPS.indexOf(op) >= 0);
  const maxUlp = usesLibm ? LIBM_ULP : FLOAT_ULP;
  for (const c of model.cases) {
    const frames = c.frames || 1;
    const input = path.join(h.MODELS, c.input.file);
    const expected = () => h.readBytes(path.join(h.MODELS, c.output.file));
    it(c.name + ' on node', function () {
      const out = h.tinyml().runFrames(h.readBytes(modelFile), h.readBytes(input), frames);
      compareOutputs(model, out, expected(), model.name + '/' + c.name, maxUlp);
    });
    it(c.name + ' on duktape', function () {
      const outFile = path.join(tmp, model.name + '.' + c.name + '.duk.bin');
      const r = h.cli(['run', modelFile, '--input', input, '--output', outFile, '--engine', 'duktape', '--frames', String(frames)]);
      assert.strictEqual(r.status, 0, r.stderr);
      compareOutputs(model, h.readBytes(outFile), expected(), model.name + '/' + c.name + ' (duktape)', maxUlp);
    });
  }
}

describe('golden models (golden.json)', function () {
  const manifest = h.golden();
  const tmp = h.tmpDir();
  for (const name of MODELS) {
    const model = manifest.models.find((m) => m.name === name);
    describe(name, function () {
      defineCases(model, tmp);
      // Inputs outside the shared set: both engines must agree with each other.
      it('node and duktape agree on fresh prng inputs (seeds 11..13)', function () {
        const modelFile = path.join(h.MODELS, model.file);
        for (const seed of [11, 12, 13]) {
          const variant = seed === 12 && model.inputs[0].dtype === 'INT8' ? 'zp' : 'full';
          const inFile = path.join(tmp, name + '.s' + seed + '.in.bin');
          fs.writeFileSync(inFile, h.prngInput(model, seed, variant));
          const nodeOut = h.tinyml().runFrames(h.readBytes(modelFile), h.readBytes(inFile), 1);
          const outFile = path.join(tmp, name + '.s' + seed + '.duk.bin');
          const r = h.cli(['run', modelFile, '--input', inFile, '--output', outFile, '--engine', 'duktape']);
          assert.strictEqual(r.status, 0, r.stderr);
          assert.strictEqual(h.firstDiff(h.readBytes(outFile), nodeOut), -1, name + ' seed ' + seed);
        }
      });
      it('the shared prng inputs are what golden.json says they are', function () {
        for (const c of model.cases.filter((x) => x.input.kind === 'prng')) {
          const gen = h.prngInput(model, c.input.seed, c.input.variant);
          assert.strictEqual(h.firstDiff(gen, h.readBytes(path.join(h.MODELS, c.input.file))), -1, c.name + ' input');
        }
      });
    });
  }
});

describe('single-op models (ops.json)', function () {
  const manifest = h.opsGolden();
  const tmp = h.tmpDir();
  for (const family of OP_FAMILIES) {
    describe(family, function () {
      const models = manifest.models.filter((m) => m.family === family);
      it('has models', function () { assert.ok(models.length > 0, family); });
      for (const model of models) describe(model.name, function () { defineCases(model, tmp); });
    });
  }
});
