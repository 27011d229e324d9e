'use strict';
// The arena planner: no two buffers that are alive at the same time overlap,
// offline plans are honoured, and the runtime paths (aliasing, offline
// metadata) keep outputs identical to TFLM.
const assert = require('assert');
const path = require('path');
const h = require('./helpers');

function overlapsInTime(a, b) { return a.first <= b.last && b.first <= a.last; }
function overlapsInMemory(a, b) { return a.offset < b.offset + b.size && b.offset < a.offset + a.size; }

function checkPlan(buffers, total) {
  for (let i = 0; i < buffers.length; i++) {
    const a = buffers[i];
    assert.strictEqual(a.offset % 16, 0, 'buffer ' + i + ' misaligned');
    assert.ok(a.offset + a.size <= total, 'buffer ' + i + ' past the planned section');
    for (let j = i + 1; j < buffers.length; j++) {
      const b = buffers[j];
      assert.ok(!(overlapsInTime(a, b) && overlapsInMemory(a, b)), 'buffers ' + i + ' and ' + j + ' collide');
    }
  }
}

describe('memory planner', function () {
  it('never overlaps live buffers (500 random plans)', function () {
    const { planMemory } = h.tinyml();
    let x = 99;
    const rnd = (n) => { x = (x * 1103515245 + 12345) >>> 0; return x % n; };
    for (let k = 0; k < 500; k++) {
      const buffers = [];
      const count = 1 + rnd(30);
      for (let i = 0; i < count; i++) {
        const first = rnd(20);
        buffers.push({ size: 1 + rnd(5000), first, last: first + rnd(6), offset: 0 });
      }
      checkPlan(buffers, planMemory(buffers));
    }
  });
  it('is no worse than the sum of the two largest for a chain', function () {
    const { planMemory } = h.tinyml();
    const buffers = [1000, 3000, 2000, 500].map((size, i) => ({ size, first: i, last: i + 1, offset: 0 }));
    assert.strictEqual(planMemory(buffers), 5008); // 3000 + 2000 (+ alignment of 3000 -> 3008)
  });
  it('keeps offline-planned buffers where the model puts them', function () {
    const { planMemory } = h.tinyml();
    const buffers = [
      { size: 100, first: 0, last: 5, offset: 256, fixed: true },
      { size: 300, first: 0, last: 1, offset: 0 },
      { size: 50, first: 2, last: 3, offset: 0 },
    ];
    const total = planMemory(buffers);
    assert.strictEqual(buffers[0].offset, 256);
    checkPlan(buffers, total);
  });
  it('runs kws_ds_cnn with an offline plan from model metadata, byte-exact', function () {
    const t = h.tinyml();
    const bytes = h.readBytes(path.join(h.MODELS, 'kws_ds_cnn_int8.tflite'));
    const online = new t.PreparedModel(bytes);
    const plan = online.plan();
    // Offline offsets = the online plan shifted by 64 bytes (every activation tensor).
    const n = online.model.subgraphs[0].tensors.length;
    const words = new Int32Array(3 + n);
    words[0] = 1; words[1] = 0; words[2] = n;
    for (let i = 0; i < n; i++) {
      const p = plan.placements[i];
      words[3 + i] = p.where === 1 && p.offset === 0 ? 64 : -1;
    }
    const prepared = new t.PreparedModel(bytes);
    prepared.model.metadata.OfflineMemoryAllocation = new Uint8Array(words.buffer);
    const plan2 = prepared.plan();
    let moved = 0;
    for (let i = 0; i < n; i++) if (words[3 + i] >= 0) { assert.strictEqual(plan2.placements[i].offset, 64); moved++; }
    assert.ok(moved > 0);
    const m = new t.Interpreter(bytes, { section: t.sectionOf(prepared) });
    m.allocateTensors();
    const input = h.readBytes(path.join(h.MODELS, 'golden', 'kws_ds_cnn_int8', 'prng_seed1.input.bin'));
    m.input(0).set(new Int8Array(input.buffer));
    m.invoke();
    const want = h.readBytes(path.join(h.MODELS, 'golden', 'kws_ds_cnn_int8', 'prng_seed1.output.bin'));
    assert.deepStrictEqual(Array.from(new Uint8Array(m.output(0).buffer, m.output(0).byteOffset, 12)), Array.from(want));
  });
  it('rejects malformed offline metadata with E_BAD_MODEL', function () {
    const t = h.tinyml();
    const m = new t.PreparedModel(h.readBytes(path.join(h.MODELS, 'hello_world_int8.tflite')));
    m.model.metadata.OfflineMemoryAllocation = new Uint8Array(new Int32Array([1, 0, 3, 0, 0, 0]).buffer);
    assert.throws(() => m.plan(), (e) => e.code === 'E_BAD_MODEL' && /OfflineMemoryAllocation/.test(e.message));
  });
});
