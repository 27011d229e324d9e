'use strict';
// Every golden case of the supported models, byte for byte against TFLM's
// outputs, on Node (in-process) and on Duktape (the ES5 device bundle through
// `tinyml run --engine duktape`).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');

const MODELS = ['hello_world_int8', 'hello_world_float', 'micro_speech_int8', 'kws_ds_cnn_int8'];

function expectSame(actual, expected, what) {
  const d = h.firstDiff(actual, expected);
  assert.strictEqual(d, -1, what + ': first difference at byte ' + d + ' of ' + expected.length +
    ' (got ' + actual[d] + ', TFLM ' + expected[d] + '; ' + actual.length + ' vs ' + expected.length + ' bytes)');
}

describe('golden outputs (TFLM reference kernels)', function () {
  const manifest = h.golden();
  const tmp = h.tmpDir();
  for (const name of MODELS) {
    const model = manifest.models.find((m) => m.name === name);
    describe(name, function () {
      const modelFile = path.join(h.MODELS, model.file);
      for (const c of model.cases) {
        const frames = c.frames || 1;
        const input = path.join(h.MODELS, c.input.file);
        const expected = () => h.readBytes(path.join(h.MODELS, c.output.file));
        it(c.name + ' on node', function () {
          const out = h.tinyml().runFrames(h.readBytes(modelFile), h.readBytes(input), frames);
          expectSame(out, expected(), name + '/' + c.name);
        });
        it(c.name + ' on duktape', function () {
          const outFile = path.join(tmp, name + '.' + c.name + '.duk.bin');
          const r = h.cli(['run', modelFile, '--input', input, '--output', outFile, '--engine', 'duktape', '--frames', String(frames)]);
          assert.strictEqual(r.status, 0, r.stderr);
          expectSame(h.readBytes(outFile), expected(), name + '/' + c.name + ' (duktape)');
        });
      }
      // Inputs outside the shared set: both engines must agree with each other.
      it('node and duktape agree on fresh prng inputs (seeds 11..13)', function () {
        for (const seed of [11, 12, 13]) {
          const variant = seed === 12 && model.inputs[0].dtype === 'INT8' ? 'zp' : 'full';
          const inFile = path.join(tmp, name + '.s' + seed + '.in.bin');
          fs.writeFileSync(inFile, h.prngInput(model, seed, variant));
          const nodeOut = h.tinyml().runFrames(h.readBytes(modelFile), h.readBytes(inFile), 1);
          const outFile = path.join(tmp, name + '.s' + seed + '.duk.bin');
          const r = h.cli(['run', modelFile, '--input', inFile, '--output', outFile, '--engine', 'duktape']);
          assert.strictEqual(r.status, 0, r.stderr);
          expectSame(h.readBytes(outFile), nodeOut, name + ' seed ' + seed);
        }
      });
      it('the shared prng inputs are what golden.json says they are', function () {
        for (const c of model.cases.filter((x) => x.input.kind === 'prng')) {
          const gen = h.prngInput(model, c.input.seed, c.input.variant);
          expectSame(gen, h.readBytes(path.join(h.MODELS, c.input.file)), c.name + ' input');
        }
      });
    });
  }
});
