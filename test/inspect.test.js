'use strict';
// `tinyml inspect --json`: the arena plan against TFLM's arena_used_bytes.
const assert = require('assert');
const path = require('path');
const h = require('./helpers');

const MODELS = ['hello_world_int8', 'hello_world_float', 'micro_speech_int8', 'kws_ds_cnn_int8'];

describe('tinyml inspect', function () {
  const manifest = h.golden();
  const rows = [];
  after(function () {
    if (rows.length) console.log('\n    arena bytes, tinyml-ts vs TFLM x86_64:\n' + rows.map((r) => '      ' + r).join('\n'));
  });
  for (const name of MODELS) {
    const model = manifest.models.find((m) => m.name === name);
    it(name + ': arenaBytes <= TFLM x86_64 and the report matches the model', function () {
      const r = h.cli(['inspect', path.join(h.MODELS, model.file), '--json']);
      assert.strictEqual(r.status, 0, r.stderr);
      const rep = JSON.parse(r.stdout);
      const tflm = model.tflm_arena_used_bytes.x86_64;
      rows.push(name.padEnd(20) + String(rep.arenaBytes).padStart(7) + ' vs ' + String(tflm).padStart(7) +
        '  (' + (rep.arenaBytes / tflm).toFixed(2) + 'x; persistent ' + rep.arena.persistent + ', planned ' + rep.arena.planned + ')');
      assert.ok(rep.arenaBytes <= tflm, rep.arenaBytes + ' > ' + tflm);
      assert.strictEqual(rep.arenaBytes, rep.arena.persistent + rep.arena.planned + rep.arena.alignment);
      assert.strictEqual(rep.arena.alignment, 15);
      assert.strictEqual(rep.ops.length, model.op_count);
      assert.deepStrictEqual([...new Set(rep.ops.map((o) => o.op))].sort(), model.op_types.slice().sort());
      const t = rep.tensors[rep.inputs[0]];
      assert.deepStrictEqual(t.shape, model.inputs[0].shape);
      assert.strictEqual(t.dtype, model.inputs[0].dtype);
    });
  }
  it('the arena figure it prints is one that works: run --arena <that figure> succeeds, one byte less fails', function () {
    const tmp = h.tmpDir();
    try {
      for (const name of ['micro_speech_int8', 'hello_world_float']) {
        const model = manifest.models.find((m) => m.name === name);
        const file = path.join(h.MODELS, model.file);
        const arena = JSON.parse(h.cli(['inspect', file, '--json']).stdout).arenaBytes;
        const input = path.join(h.MODELS, model.cases[0].input.file);
        const out = path.join(tmp, 'out.bin');
        const ok = h.cli(['run', file, '--input', input, '--output', out, '--arena', String(arena)]);
        assert.strictEqual(ok.status, 0, name + ' with --arena ' + arena + ': ' + ok.stderr);
        const line = h.runFails(['run', file, '--input', input, '--output', out, '--arena', String(arena - 1)], 'E_ARENA_TOO_SMALL');
        assert.ok(line.indexOf(String(arena)) >= 0, 'the error names ' + arena + ': ' + line);
      }
    } finally {
      require('fs').rmSync(tmp, { recursive: true, force: true });
    }
  });
  it('kws_ds_cnn_int8 MACs match the MLPerf figure', function () {
    const rep = JSON.parse(h.cli(['inspect', path.join(h.MODELS, 'kws_ds_cnn_int8.tflite'), '--json']).stdout);
    assert.strictEqual(rep.macs, 2656768); // ANCHORS.md
  });
  it('prints a readable table without --json', function () {
    const r = h.cli(['inspect', path.join(h.MODELS, 'hello_world_int8.tflite')]);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.ok(/arena: \d+ bytes \(persistent \d+ \+ planned \d+ \+ up to 15 to align the block\)/.test(r.stdout), r.stdout);
    assert.ok(/FULLY_CONNECTED/.test(r.stdout));
  });
  it('--help explains the commands', function () {
    const r = h.cli(['--help']);
    assert.strictEqual(r.status, 0);
    assert.ok(/tinyml run <model.tflite>/.test(r.stdout) && /tinyml inspect/.test(r.stdout));
  });
});
