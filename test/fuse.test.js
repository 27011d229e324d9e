'use strict';
// CONV_2D + ADD fusion (src/planner/fuse.ts): it happens for ResNet-8's
// residual blocks and brings the arena to <= 0.9x TFLM's, keeps outputs
// byte-exact (also checked by golden.test.js), and does not happen when the
// conv output is needed elsewhere.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const fb = require('./fbpatch');

const K_CONV_ADD_S8 = 24, K_CONV_ADD_F32 = 25;

function modelBuffer(name) { return fs.readFileSync(path.join(h.MODELS, name + '.tflite')); }
function bytesOf(buf) { const u = new Uint8Array(buf.length); u.set(buf); return u; }
function golden(name) { return h.golden().models.find((m) => m.name === name); }

function planOf(bytes) { const t = h.tinyml(); return new t.PreparedModel(bytes).plan(); }

function fusedCount(plan, kind) {
  return plan.ops.filter((o) => o.kind === kind).length;
}

/** Runs the model on golden case c; returns output 0's bytes. */
function runCase(bytes, c) {
  const t = h.tinyml();
  const it = new t.Interpreter(bytes);
  it.allocateTensors();
  const inp = it.input(0);
  const raw = fs.readFileSync(path.join(h.MODELS, c.input.file));
  new Uint8Array(inp.buffer, inp.byteOffset, inp.byteLength).set(raw.subarray(0, inp.byteLength));
  it.invoke();
  const out = it.output(0);
  return Buffer.from(new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
}

/** Int32 vector field `id` of operator `op` (subgraph 0). */
function opVector(buf, op, id) { return fb.vector(buf, fb.operator(buf, op), id); }

describe('CONV_2D + ADD fusion', function () {
  const cases = [['ic_resnet8_int8', K_CONV_ADD_S8], ['ic_resnet8_float', K_CONV_ADD_F32]];
  for (const [name, kind] of cases) {
    it(name + ': fuses the three residual ADDs, arena <= 0.9x TFLM x86_64', function () {
      const t = h.tinyml();
      const plan = new t.PreparedModel(bytesOf(modelBuffer(name))).plan();
      assert.strictEqual(fusedCount(plan, kind), 3);
      assert.strictEqual(plan.ops.length, 12); // 16 ops, 3 convs absorbed, RESHAPE aliased
      const tflm = golden(name).tflm_arena_used_bytes.x86_64;
      assert.ok(plan.arenaBytes <= 0.9 * tflm, plan.arenaBytes + ' > 0.9 * ' + tflm);
      const r = h.cli(['inspect', path.join(h.MODELS, name + '.tflite'), '--json']);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(JSON.parse(r.stdout).arenaBytes, plan.arenaBytes);
    });
  }

  it('does not fuse a conv whose output another op also reads', function () {
    // Op 2 (CONV_2D -> tensor 24) feeds ADD op 3; make op 4 read 24 too.
    const buf = Buffer.from(modelBuffer('ic_resnet8_int8'));
    const v = opVector(buf, 4, 1);
    assert.strictEqual(buf.readInt32LE(v.start), 25);
    buf.writeInt32LE(24, v.start);
    const plan = planOf(bytesOf(buf));
    assert.strictEqual(fusedCount(plan, K_CONV_ADD_S8), 2);
    assert.ok(plan.ops.some((o) => o.kind === 4 && o.outputs[0] === 24), 'conv 2 kept');
    assert.ok(plan.ops.some((o) => o.kind === 20 && o.inputs[1] === 24), 'ADD 3 kept');
  });

  it('does not fuse a conv whose output is a graph output, and computes it', function () {
    // The graph output becomes tensor 24 (conv op 2's output) instead of 37.
    const buf = Buffer.from(modelBuffer('ic_resnet8_int8'));
    const outs = fb.vector(buf, fb.subgraph(buf), 2);
    assert.strictEqual(buf.readInt32LE(outs.start), 37);
    buf.writeInt32LE(24, outs.start);
    const plan = planOf(bytesOf(buf));
    assert.strictEqual(fusedCount(plan, K_CONV_ADD_S8), 2);
    assert.ok(plan.ops.some((o) => o.kind === 4 && o.outputs[0] === 24), 'conv 2 kept');
    const inter = golden('ic_resnet8_int8').intermediates;
    const rec = inter.tensors.find((r) => r.tensor_index === 24);
    const c = golden('ic_resnet8_int8').cases.find((k) => k.name === inter.case);
    assert.strictEqual(h.firstDiff(runCase(bytesOf(buf), c), fs.readFileSync(path.join(h.MODELS, rec.file))), -1);
  });

  it('does not fuse when the conv reads x itself (conv(x) + x)', function () {
    // ADD op 3 becomes ADD(23, 24): 23 is conv op 2's input.
    const buf = Buffer.from(modelBuffer('ic_resnet8_int8'));
    const v = opVector(buf, 3, 1);
    assert.strictEqual(buf.readInt32LE(v.start), 22);
    buf.writeInt32LE(23, v.start);
    const plan = planOf(bytesOf(buf));
    assert.strictEqual(fusedCount(plan, K_CONV_ADD_S8), 2);
  });

  for (const [name, kind] of cases) {
    it(name + ': fused ADD outputs equal TFLM\'s intermediates byte for byte', function () {
      // Each residual ADD's output in turn becomes the graph output (which
      // leaves the fusion in place) and is compared with TFLM's dump.
      const model = golden(name);
      const inter = model.intermediates;
      const c = model.cases.find((k) => k.name === inter.case);
      for (const op of [3, 7, 11]) {
        const rec = inter.tensors.find((r) => r.op_index === op);
        assert.strictEqual(rec.op, 'ADD');
        const buf = Buffer.from(modelBuffer(name));
        buf.writeInt32LE(rec.tensor_index, fb.vector(buf, fb.subgraph(buf), 2).start);
        assert.strictEqual(fusedCount(planOf(bytesOf(buf)), kind), 3);
        const got = runCase(bytesOf(buf), c);
        const want = fs.readFileSync(path.join(h.MODELS, rec.file));
        assert.strictEqual(h.firstDiff(got, want), -1, name + ' op ' + op + ' differs');
      }
    });
  }
});
