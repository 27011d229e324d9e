'use strict';
// interpreter.profile() on the host (Node addon, built with TML_PROFILE):
// per-op microseconds of the last invoke, one figure per op of the program,
// their sum within the invoke's wall time, and outputs still TFLM's.
// (qemu-m4's per-op instructions: test/app-build.test.js.)
const assert = require('assert');
const path = require('path');
const h = require('./helpers');

describe('interpreter.profile() on the host', function () {
  it('kws_ds_cnn_int8: per-op microseconds of the last invoke, outputs unchanged', function () {
    const lib = h.tinyml();
    const model = h.golden().models.find((m) => m.name === 'kws_ds_cnn_int8');
    const c = model.cases[0];
    const m = new lib.Interpreter(h.readBytes(path.join(h.MODELS, model.file)));
    m.allocateTensors();
    // The host profile is the process's last invoke (a static in the addon): other
    // tests' invokes may come before this one, so only what follows is checked.
    const input = h.readBytes(path.join(h.MODELS, c.input.file));
    new Uint8Array(m.input(0).buffer, m.input(0).byteOffset, input.length).set(input);
    const t0 = process.hrtime.bigint();
    m.invoke();
    const wall = Number(process.hrtime.bigint() - t0) / 1000;
    const p = m.profile();
    const prog = new lib.PreparedModel(h.readBytes(path.join(h.MODELS, model.file))).plan().ops;
    assert.strictEqual(p.unit, 'us');
    assert.deepStrictEqual(p.kinds, prog.map((o) => o.kind), 'one figure per program op, in order');
    const sum = p.ops.reduce((a, b) => a + b, 0);
    assert.ok(p.ops.every((x) => x >= 0) && sum > 0 && sum <= wall, sum + ' us in ops, invoke ' + wall + ' us');
    const out = m.output(0);
    assert.strictEqual(h.firstDiff(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), h.readBytes(path.join(h.MODELS, c.output.file))), -1);
  });
});
