'use strict';
// The golden cases of one model byte for byte on the emulated M4 through
// `tinyml run --engine qemu-m4 [--kernels ...]`, plus fresh inputs checked
// against Node. Shared by test/qemu.test.js (the board's backends) and
// test/cmsis-nn.test.js. Lean on purpose (every run boots a firmware): the
// golden cases of a stateless model run as frames of one interpreter, which
// gives the same outputs as fresh interpreters.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');

const FRESH_SEEDS = [11, 12];

/** Runs model `name`'s cases with kernel backend `kernels` ('' = the board's); files go to `tmp`. */
function goldenOnQemu(name, kernels, tmp) {
  const model = h.golden().models.find((m) => m.name === name);
  const modelFile = path.join(h.MODELS, model.file);
  // Batches of frames, each with the expected bytes per frame and a label.
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
  // Inputs outside the shared set: Node (in-process) is the reference.
  for (const seed of FRESH_SEEDS) {
    const variant = seed === 12 && model.inputs[0].dtype === 'INT8' ? 'zp' : 'full';
    const input = h.prngInput(model, seed, variant);
    single.frames.push(input);
    single.expected.push(h.tinyml().runFrames(h.readBytes(modelFile), input, 1));
    single.labels.push('fresh seed ' + seed + ' (vs node)');
  }
  if (single.frames.length) batches.unshift(Object.assign(single, { count: single.frames.length }));
  const tag = kernels ? '.' + kernels : '';
  batches.forEach(function (b, k) {
    const inFile = path.join(tmp, name + tag + '.' + k + '.in.bin');
    const outFile = path.join(tmp, name + tag + '.' + k + '.out.bin');
    fs.writeFileSync(inFile, Buffer.concat(b.frames.map((f) => Buffer.from(f))));
    const r = h.cli(['run', modelFile, '--input', inFile, '--output', outFile, '--engine', 'qemu-m4',
      '--frames', String(b.count)].concat(kernels ? ['--kernels', kernels] : []));
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
}

module.exports = { goldenOnQemu: goldenOnQemu };
