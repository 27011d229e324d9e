'use strict';
// Run-time data an op cannot use makes invoke() fail cleanly (status
// E_BAD_DATA from the native layer, E_BAD_INPUT naming the op in TypeScript),
// instead of reading out of bounds as TFLM's release build does.
const assert = require('assert');
const path = require('path');
const h = require('./helpers');

const ADDON = path.join(h.ROOT, 'build', 'Release', 'tinyml.node');
const INT8 = 9, INT32 = 2, ARENA = 1, K_GATHER = 61, BAD_DATA = 12;

function program(tensors, op, planned) {
  const words = [0x314c4d54, 1, tensors.length, 1, planned, 0];
  tensors.forEach((t) => words.push(...t));
  words.push(op.kind, op.ins.length, op.outs.length, op.params.length, ...op.ins, ...op.outs, ...op.params);
  words[5] = words.length;
  return new Int32Array(words);
}

describe('invoke-time data errors', function () {
  it('GATHER with an out-of-range run-time index: E_BAD_DATA, zeros, op index reported', function () {
    const N = require(ADDON);
    // params [4] int8 at 0, indices [2] int32 at 16, output [2] int8 at 32
    const prog = program([[INT8, ARENA, 0, 4], [INT32, ARENA, 16, 8], [INT8, ARENA, 32, 2]],
      { kind: K_GATHER, ins: [0, 1], outs: [2], params: [1, 1, 4, 2, 1] }, 48);
    const a = N.arena(4096);
    assert.strictEqual(N.load(a, new Uint8Array(0), prog), 0);
    const base = N.info(a, 1);
    new Int8Array(a, base, 4).set([10, 20, 30, 40]);
    const idx = new Int32Array(a, base + 16, 2);
    const out = new Int8Array(a, base + 32, 2);
    idx.set([3, 1]);
    assert.strictEqual(N.invoke(a), 0);
    assert.deepStrictEqual(Array.from(out), [40, 20]);
    idx.set([1, 4]);
    assert.strictEqual(N.invoke(a), BAD_DATA);
    assert.strictEqual(N.info(a, 5), 0); // ERR_OP
    assert.strictEqual(N.info(a, 6), 1); // one bad index
    assert.deepStrictEqual(Array.from(out), [20, 0]);
    idx.set([-1, 2]);
    assert.strictEqual(N.invoke(a), BAD_DATA);
    idx.set([0, 2]);
    assert.strictEqual(N.invoke(a), 0, 'the next good invoke succeeds');
    assert.deepStrictEqual(Array.from(out), [10, 30]);
  });
});

describe('plans no arena can hold', function () {
  it('a model whose plan exceeds 2 GiB fails at planning with E_ARENA_TOO_SMALL', function () {
    const t = h.tinyml();
    const m = new t.PreparedModel(h.readBytes(path.join(h.MODELS, 'hello_world_float.tflite')));
    // As if every activation were 2^24 times larger (a verifier-clean edit of
    // the batch dimension gives the same plan).
    for (const x of m.model.subgraphs[0].tensors) if (x.dataOffset < 0) x.bytes *= 1 << 24;
    assert.throws(() => m.plan(), (e) => e.code === 'E_ARENA_TOO_SMALL' && /2 GiB/.test(e.message));
  });
});
