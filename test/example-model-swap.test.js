'use strict';
// examples/model_swap against TFLM and with bytes handed in at run time.
// 1. The default run (updates from the image through a simulated link): every
//    tick's model value is TFLM's for the model in use at that tick (golden
//    sweeps: hello_world_float at x = i*2*pi/63; hello_world_int8 over every
//    int8 input, the input quantized here from the golden x), so the swaps
//    really happen when the app says; the refusals carry their codes.
// 2. `-- updates=...` through board.input: host files on host and duktape,
//    semihosting on qemu-m4 (QEMU runs in the test's directory): a packed
//    model (`tinyml pack`), a corrupted pack, a plain .tflite, a missing file.
// test/examples.test.js checks the default run on host, duktape and qemu-m4.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');

const DIR = path.join(h.ROOT, 'examples', 'model_swap');
const STEPS = 63;

function gold(model, name) {
  return fs.readFileSync(path.join(h.MODELS, 'golden', model, name + '.output.bin'));
}

// The app's number format (a float through an integer, 3 decimals).
function fixed3(v) {
  const n = Math.round(v * 1000), a = Math.abs(n);
  return (n < 0 ? '-' : '') + Math.floor(a / 1000) + '.' + String(a % 1000).padStart(3, '0');
}

// TFLM's QUANTIZE: round(x / scale) half away from zero in float32, + zero point, saturated.
function quantize(x, scale, zp) {
  const q = Math.fround(Math.fround(x) / Math.fround(scale));
  const r = (q < 0 ? -Math.round(-q) : Math.round(q)) + zp;
  return Math.max(-128, Math.min(127, r));
}

describe('examples/model_swap: each tick is TFLM\'s answer for the model in use; updates through board.input', function () {
  this.timeout(600000);
  let work, builds, models;

  function build(board) {
    const spec = JSON.parse(fs.readFileSync(path.join(DIR, 'example.json'), 'utf8'));
    const args = ['build', path.join(DIR, 'app.ts'), '--board', board];
    for (const name of Object.keys(spec.files)) args.push('--file', name + '=' + path.join(h.MODELS, spec.files[name]));
    const out = path.join(work, board);
    const r = h.cli(args.concat(['--out', out]), { timeout: 600000 });
    assert.strictEqual(r.status, 0, 'tinyml build --board ' + board + ': ' + r.stdout + r.stderr);
    return out;
  }

  function run(board, args) {
    const r = h.cli(['emulate', builds[board === 'qemu-m4' ? 'qemu-m4' : 'host'], '--board', board, '--'].concat(args || []),
      { cwd: work, timeout: 300000 });
    assert.strictEqual(r.status, 0, board + ': status ' + r.status + '\n' + r.stdout + r.stderr);
    return r.stdout.split('\n').filter((l) => l && !l.startsWith('time:'));
  }

  before(function () {
    const g = h.golden().models;
    const int8 = g.find((m) => m.name === 'hello_world_int8'), float = g.find((m) => m.name === 'hello_world_float');
    const xs = fs.readFileSync(path.join(h.MODELS, 'golden', 'hello_world_float', 'sweep_0_2pi.input.bin'));
    const fy = gold('hello_world_float', 'sweep_0_2pi'), qy = gold('hello_world_int8', 'sweep_all_int8');
    assert.strictEqual(xs.length, 4 * (STEPS + 1));
    assert.strictEqual(qy.length, 256);
    // The model value TFLM gives at step i, for each version of the app's model.
    const inQ = int8.inputs[0], outQ = int8.outputs[0];
    models = {
      int8: (i) => {
        const q = quantize(xs.readFloatLE(4 * i), inQ.scale, inQ.zero_point);
        return Math.fround(Math.fround(outQ.scale) * (qy.readInt8(q + 128) - outQ.zero_point));
      },
      float: (i) => fy.readFloatLE(4 * i),
      x: (i) => xs.readFloatLE(4 * i),
    };
    assert.strictEqual(float.inputs[0].dtype, 'FLOAT32');
    work = h.tmpDir();
    builds = { host: build('host'), 'qemu-m4': build('qemu-m4') };
  });

  after(function () {
    if (work && !process.env.TINYML_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  });

  it('default run (host): v1 int8 -> v2 float -> four refusals with their codes -> v3 int8, TFLM\'s value at every tick', function () {
    const lines = run('host');
    const versions = { 1: 'int8', 2: 'float', 3: 'int8' };
    let ticks = 0;
    for (const l of lines) {
      const m = /^tick (\d+) v(\d) sin\((-?[\d.]+)\) = (-?[\d.]+) model (-?[\d.]+)$/.exec(l);
      if (!m) continue;
      const i = +m[1], kind = versions[m[2]];
      assert.strictEqual(m[2], String(ticks < 10 ? 1 : ticks < 60 ? 2 : 3), l);
      assert.strictEqual(i, ticks % (STEPS + 1), l);
      assert.strictEqual(m[3], fixed3(models.x(i)), l);
      assert.strictEqual(m[5], fixed3(models[kind](i)), l + ': TFLM gives ' + models[kind](i));
      ticks++;
    }
    assert.strictEqual(ticks, 70);
    const codes = lines.filter((l) => / refused: /.test(l)).map((l) => /refused: (E_\w+)/.exec(l)[1]);
    assert.deepStrictEqual(codes, ['E_PACK_MISMATCH', 'E_BAD_PACK', 'E_NOT_PACKED', 'E_BAD_INPUT']);
    assert.strictEqual(lines.filter((l) => / swapped in as v/.test(l)).length, 2);
    assert.strictEqual(lines[lines.length - 1], 'done: 70 ticks, running v3 (model_v1)');
  });

  it('updates handed in at run time (board.input) on host, duktape and qemu-m4 (semihosting): the same answers', function () {
    const float = path.join(h.MODELS, 'hello_world_float.tflite');
    let r = h.cli(['pack', float, '-o', path.join(work, 'v2.tflite')]);
    assert.strictEqual(r.status, 0, r.stderr);
    const packed = fs.readFileSync(path.join(work, 'v2.tflite'));
    const bad = Buffer.from(packed);
    bad[100] ^= 1; // in the model's flatbuffer: its hash no longer matches the pack's
    fs.writeFileSync(path.join(work, 'v2-bad.tflite'), bad);
    fs.copyFileSync(float, path.join(work, 'plain.tflite'));
    r = h.cli(['pack', path.join(h.MODELS, 'hello_world_int8.tflite'), '-o', path.join(work, 'v1.tflite')]);
    assert.strictEqual(r.status, 0, r.stderr);
    const v1 = fs.statSync(path.join(work, 'v1.tflite')).size;
    // Then v1 and v2 by turns, 6 more swaps: more arenas than the qemu-m4
    // block holds (3600 bytes), so the two slots must be reused.
    const turns = ['v1', 'v2', 'v1', 'v2', 'v1', 'v2'];
    const args = ['updates=v2-bad.tflite,plain.tflite,missing.tflite,v2.tflite,' + turns.map((v) => v + '.tflite').join(',')];
    const outs = {};
    for (const board of ['host', 'duktape', 'qemu-m4']) {
      const lines = outs[board] = run(board, args);
      assert.ok(lines[0].endsWith('10 update(s) to come from board.input'), lines[0]);
      const events = lines.filter((l) => l.startsWith('update '));
      assert.deepStrictEqual(events.map((l) => l.replace(/: (the|this) .*; still/, ': ...; still')), [
        'update 1 (input v2-bad.tflite, ' + bad.length + ' bytes) refused: E_PACK_MISMATCH: ...; still running v1 (model_v1)',
        'update 2 (input plain.tflite, ' + fs.statSync(float).size + ' bytes) refused: E_NOT_PACKED: ...; still running v1 (model_v1)',
        'update 3 (input missing.tflite): nothing received; still running v1 (model_v1)',
        'update 4 (input v2.tflite, ' + packed.length + ' bytes): swapped in as v2, [1,1] float32 -> [1,1] float32, arena 532 bytes in slot B',
      ].concat(turns.map((v, k) => 'update ' + (5 + k) + ' (input ' + v + '.tflite, ' + (v === 'v1' ? v1 : packed.length) +
        ' bytes): swapped in as v' + (3 + k) + ', ' + (v === 'v1' ? '[1,1] int8 -> [1,1] int8, arena 496 bytes in slot A' :
        '[1,1] float32 -> [1,1] float32, arena 532 bytes in slot B'))), board);
      // Every tick after a swap is TFLM's value for the model swapped in.
      let ticks = 0;
      for (const l of lines) {
        const m = /^tick (\d+) v(\d+) sin\S+ = \S+ model (\S+)$/.exec(l);
        if (!m) continue;
        const ver = +m[2], kind = ver === 1 || (ver >= 3 && ver % 2 === 1) ? 'int8' : 'float';
        assert.strictEqual(m[3], fixed3(models[kind](+m[1])), board + ': ' + l);
        ticks++;
      }
      assert.strictEqual(ticks, 110, board);
      assert.strictEqual(lines[lines.length - 1], 'done: 110 ticks, running v8 (input v2.tflite)', board);
    }
    assert.deepStrictEqual(outs.duktape, outs.host);
    assert.deepStrictEqual(outs['qemu-m4'], outs.host);
  });
});
