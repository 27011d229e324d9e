'use strict';
// Packed models (`tinyml pack`, src/planner/pack.ts, native/core/packed.c) and
// the device core that runs them (src/core/, dist/tinyml.core.js).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');

const ROOT = path.join(__dirname, '..');
const W_RUNTIME = 2, W_MODEL_HASH = 4, W_HASH = 6, W_ARENA = 11;

function modelBytes(name) { return h.readBytes(path.join(h.MODELS, name + '.tflite')); }

/** Output 0's bytes after running golden case c on an interpreter. */
function runCase(it, c) {
  const raw = h.readBytes(path.join(h.MODELS, c.input.file));
  let p = 0;
  for (let i = 0; i < it.inputCount(); i++) {
    const v = it.input(i);
    const u = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    u.set(raw.subarray(p, p + u.length));
    p += u.length;
  }
  it.invoke();
  const outs = [];
  for (let i = 0; i < it.outputCount(); i++) {
    const v = it.output(i);
    outs.push(Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
  }
  return Buffer.concat(outs);
}

/** Sets the section hash of the section at byte `at` of b (a Buffer) to what its words say. */
function rehash(b, at) {
  b.writeInt32LE(h.tinyml().packHash(new Uint8Array(b.buffer, b.byteOffset + at, b.length - at), 0, b.length - at, W_HASH),
    at + 4 * W_HASH);
}

/** A copy of a packed file's section word i set to v, the section hash kept valid or not. */
function patchWord(packed, i, v, keepHashValid) {
  const b = Buffer.from(packed);
  const at = b.readInt32LE(b.length - 8);
  b.writeInt32LE(v, at + 4 * i);
  if (keepHashValid) rehash(b, at);
  return new Uint8Array(b);
}

function throwsCode(fn, code) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof h.tinyml().TinyMLError, 'not a TinyMLError: ' + e);
    assert.strictEqual(e.code, code, e.message);
    return true;
  });
}

describe('packed models', function () {
  const manifest = h.golden();

  it('every shared model: packing is deterministic, the model bytes stay a prefix, golden cases are byte-exact', function () {
    const t = h.tinyml();
    for (const m of manifest.models) {
      const raw = modelBytes(m.name);
      const a = t.packModel(raw), b = t.packModel(raw);
      assert.deepStrictEqual(Buffer.from(a), Buffer.from(b), m.name + ': two packs differ');
      // A FlatBuffer reader starts at byte 0 and never looks past the model:
      // the packed file is the model, byte for byte, then the section.
      assert.deepStrictEqual(Buffer.from(a.subarray(0, raw.length)), Buffer.from(raw), m.name);
      assert.strictEqual(t.readModel(a).subgraphs[0].operators.length, m.op_count, m.name + ': still reads as a .tflite');
      // Re-packing a packed file gives the same bytes (the old section is dropped).
      assert.deepStrictEqual(Buffer.from(t.packModel(a)), Buffer.from(a), m.name + ': pack of a packed file');
      const single = m.cases.filter((c) => c.mode === 'single');
      const it = new t.Interpreter(a);
      it.allocateTensors();
      for (const c of single) {
        it.resetVariables();
        const want = h.readBytes(path.join(h.MODELS, c.output.file));
        assert.strictEqual(h.firstDiff(runCase(it, c), want), -1, m.name + ' ' + c.name);
      }
    }
  });

  it('the core reads no FlatBuffer: a packed kws whose model tables are zeroed still loads (the C checks run on the program)', function () {
    // The section carries everything the core needs; only tensor data is read
    // from the model. Zeroing the FlatBuffer root changes the model hash, so
    // the native layer refuses it: the script itself never parsed it.
    const t = h.tinyml();
    const packed = t.packModel(modelBytes('kws_ds_cnn_int8'));
    const broken = new Uint8Array(packed);
    broken.fill(0, 0, 8);
    const it = new t.Interpreter(broken);
    assert.strictEqual(it.inputInfo(0).name, 'input_1');
    throwsCode(() => it.allocateTensors(), 'E_PACK_MISMATCH');
  });

  it('inputInfo/outputInfo carry name, dtype, shape, scale and zero point from the model', function () {
    const t = h.tinyml();
    for (const name of ['kws_ds_cnn_int8', 'micro_speech_int8', 'mnist_lstm_float', 'audio_preprocessor_int8']) {
      const raw = modelBytes(name);
      const g = t.readModel(raw).subgraphs[0];
      const it = new t.Interpreter(t.packModel(raw));
      for (let i = 0; i < g.inputs.length + g.outputs.length; i++) {
        const isIn = i < g.inputs.length;
        const want = g.tensors[isIn ? g.inputs[i] : g.outputs[i - g.inputs.length]];
        const got = isIn ? it.inputInfo(i) : it.outputInfo(i - g.inputs.length);
        assert.strictEqual(got.name, want.name);
        assert.strictEqual(got.dtype, want.dtype);
        assert.deepStrictEqual(got.shape, want.shape);
        assert.strictEqual(got.scale, want.scale.length ? want.scale[0] : 0);
        assert.strictEqual(got.zeroPoint, want.zeroPoint.length ? want.zeroPoint[0] : 0);
      }
    }
  });

  it('refuses a section grafted onto another model (E_PACK_MISMATCH) and another runtime version (E_PACK_VERSION)', function () {
    const t = h.tinyml();
    const hello = t.packModel(modelBytes('hello_world_int8'));
    const other = t.packSection(modelBytes('hello_world_float'));
    // hello_world_int8's model bytes with hello_world_float's section appended.
    const raw = modelBytes('hello_world_int8');
    const at = Math.ceil(raw.length / 16) * 16;
    const graft = Buffer.alloc(at + other.length);
    graft.set(raw, 0);
    graft.set(other, at);
    // As written, its footer points where the float model's section would be.
    throwsCode(() => new t.Interpreter(new Uint8Array(graft)).allocateTensors(), 'E_BAD_PACK');
    graft.writeInt32LE(at, graft.length - 8);
    rehash(graft, at);
    throwsCode(() => new t.Interpreter(new Uint8Array(graft)).allocateTensors(), 'E_PACK_MISMATCH');
    // The same section handed over apart from the model.
    throwsCode(() => new t.Interpreter(raw, { section: other }).allocateTensors(), 'E_PACK_MISMATCH');
    const own = new t.Interpreter(raw, { section: t.packSection(raw) });
    own.allocateTensors();
    // A model hash that does not match (section otherwise intact).
    throwsCode(() => new t.Interpreter(patchWord(hello, W_MODEL_HASH, 12345, true)).allocateTensors(), 'E_PACK_MISMATCH');
    // A section for the next runtime: refused before anything loads, and by C too.
    throwsCode(() => new t.Interpreter(patchWord(hello, W_RUNTIME, 2, true)), 'E_PACK_VERSION');
    const nat = require(path.join(ROOT, 'build', 'Release', 'tinyml.node'));
    const arena = nat.arena(4096);
    assert.strictEqual(nat.load(arena, patchWord(hello, W_RUNTIME, 2, true)), 15);
  });

  it('every truncation and every single-byte change of a packed file is refused with a code or runs as packed', function () {
    const t = h.tinyml();
    const raw = modelBytes('hello_world_int8');
    const packed = t.packModel(raw);
    const codes = {};
    const tally = (fn) => {
      try {
        fn();
        codes.ok = (codes.ok || 0) + 1;
      } catch (e) {
        assert.ok(e instanceof t.TinyMLError, 'not a TinyMLError: ' + (e && e.stack));
        codes[e.code] = (codes[e.code] || 0) + 1;
      }
    };
    const runs = (bytes) => () => { const it = new t.Interpreter(bytes); it.allocateTensors(); it.invoke(); };
    // Cut inside the section, the rest is a plain model: the Node entry has
    // the planner, so that runs (planned here); cut inside the model, nothing does.
    for (let n = 0; n < raw.length; n++) tally(runs(packed.subarray(0, n)));
    assert.strictEqual(codes.ok || 0, 0, 'a truncated model ran');
    for (let n = raw.length; n < packed.length; n++) tally(runs(packed.subarray(0, n)));
    const sectionAt = Math.ceil(raw.length / 16) * 16;
    const ran = [];
    for (let i = sectionAt; i < packed.length; i++) {
      const b = new Uint8Array(packed);
      b[i] ^= 0x5a;
      const before = codes.ok || 0;
      tally(runs(b));
      if ((codes.ok || 0) > before) ran.push(i - packed.length);
    }
    // The section hash covers every other section byte. A changed footer
    // magic makes the file a plain model with trailing bytes: planned here.
    assert.deepStrictEqual(ran, [-4, -3, -2, -1], 'a changed section ran');
    assert.ok(codes.E_BAD_PACK > 0 && codes.E_PACK_VERSION > 0 && codes.E_MODEL_TRUNCATED > 0, JSON.stringify(codes));
  });

  it('an arena one byte short of the packed figure fails with E_ARENA_TOO_SMALL naming the figure', function () {
    const t = h.tinyml();
    const packed = t.packModel(modelBytes('micro_speech_int8'));
    const need = new t.Interpreter(packed).arenaUsedBytes();
    assert.strictEqual(need, Buffer.from(packed).readInt32LE(Buffer.from(packed).readInt32LE(packed.length - 8) + 4 * W_ARENA));
    new t.Interpreter(packed, { arenaSize: need }).allocateTensors();
    assert.throws(() => new t.Interpreter(packed, { arenaSize: need - 1 }).allocateTensors(),
      (e) => e.code === 'E_ARENA_TOO_SMALL' && e.message.indexOf(String(need)) >= 0);
  });

  it('models given as ArrayBuffer or any typed array load; wrong arguments are TinyMLErrors (E_BAD_INPUT)', function () {
    const t = h.tinyml();
    const raw = modelBytes('hello_world_int8');
    const packed = t.packModel(raw);
    const c = manifest.models.find((m) => m.name === 'hello_world_int8').cases[0];
    const want = h.readBytes(path.join(h.MODELS, c.output.file));
    const copy = () => { const a = new ArrayBuffer(packed.length); new Uint8Array(a).set(packed); return a; };
    for (const form of [copy(), new Int8Array(copy()), new Int32Array(copy()), new DataView(copy()), Buffer.from(packed)]) {
      const it = new t.Interpreter(form);
      it.allocateTensors();
      assert.strictEqual(h.firstDiff(runCase(it, c), want), -1, Object.prototype.toString.call(form));
    }
    // A model at an odd offset of its buffer (tensors must be aligned): copied, still exact.
    const odd = new Uint8Array(packed.length + 3);
    odd.set(packed, 3);
    const it = new t.Interpreter(odd.subarray(3));
    it.allocateTensors();
    assert.strictEqual(h.firstDiff(runCase(it, c), want), -1, 'odd offset');
    for (const bad of [undefined, null, 42, 'model.tflite', {}, [1, 2, 3]]) {
      throwsCode(() => new t.Interpreter(bad), 'E_BAD_INPUT');
    }
    for (const opts of [{ arenaSize: '8000' }, { arenaSize: -1 }, { arenaSize: 1.5 }, 'big', 7]) {
      throwsCode(() => new t.Interpreter(packed, opts), 'E_BAD_INPUT');
    }
  });

  it('a board that has no room left for an arena: allocateTensors and allocateShared throw E_ARENA_TOO_SMALL, not the board\'s error', function () {
    const t = h.tinyml();
    const real = require(path.join(ROOT, 'build', 'Release', 'tinyml.node'));
    // The qemu-m4 firmware's arena() throws a RangeError when its block is used up.
    const full = Object.assign({}, real, { arena: function (n) { throw new RangeError('arena: ' + n + ' bytes requested, 384 left in the board\'s block'); } });
    const packed = t.packModel(modelBytes('hello_world_int8'));
    for (const fn of [
      () => new t.Interpreter(packed, { native: full }).allocateTensors(),
      () => t.allocateShared([new t.Interpreter(packed, { native: full })]),
    ]) {
      try {
        fn();
        assert.fail('no error');
      } catch (e) {
        assert.ok(e instanceof t.TinyMLError, String(e));
        assert.strictEqual(e.code, 'E_ARENA_TOO_SMALL');
        assert.ok(/no room for an arena of \d+ bytes: arena: \d+ bytes requested, 384 left/.test(e.message), e.message);
      }
    }
  });

  it('the core bundle refuses a raw model with E_NOT_PACKED; the full bundle plans it on the device', function () {
    const dir = h.tmpDir();
    try {
      const model = path.join(h.MODELS, 'hello_world_int8.tflite');
      const script = (bundle, file) => fs.readFileSync(path.join(ROOT, 'dist', bundle), 'utf8') + '\n' +
        'try { var m = new tinyml.Interpreter(__host.readFile(' + JSON.stringify(file) + ')); m.allocateTensors(); print("ok " + m.outputInfo(0).name); }\n' +
        'catch (e) { print(e.code + " " + (e instanceof tinyml.TinyMLError)); }\n';
      const run = (bundle, file) => {
        const f = path.join(dir, bundle + '.js');
        fs.writeFileSync(f, script(bundle, file));
        const r = spawnSync(path.join(ROOT, 'dist', 'tinyml-duk'), ['--script', f], { encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stderr);
        return r.stdout.trim();
      };
      const g = h.tinyml().readModel(h.readBytes(model)).subgraphs[0];
      const name = 'ok ' + g.tensors[g.outputs[0]].name;
      assert.strictEqual(run('tinyml.core.js', model), 'E_NOT_PACKED true');
      assert.strictEqual(run('tinyml.device.js', model), name);
      const packed = path.join(dir, 'hello.packed.tflite');
      fs.writeFileSync(packed, h.tinyml().packModel(h.readBytes(model)));
      assert.strictEqual(run('tinyml.core.js', packed), name);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the section planned on the device (Duktape, full bundle) is byte-identical to the host\'s, for every shared model', function () {
    this.timeout(600000);
    const dir = h.tmpDir();
    try {
      const names = manifest.models.map((m) => m.name);
      const f = path.join(dir, 'plan.js');
      fs.writeFileSync(f, fs.readFileSync(path.join(ROOT, 'dist', 'tinyml.device.js'), 'utf8') + '\n' +
        'var names = ' + JSON.stringify(names) + ';\n' +
        'for (var i = 0; i < names.length; i++) {\n' +
        '  var model = __host.readFile(' + JSON.stringify(h.MODELS + '/') + ' + names[i] + ".tflite");\n' +
        '  if (!__host.writeFile(' + JSON.stringify(dir + '/') + ' + names[i] + ".section", tinyml.packSection(model))) throw new Error("write");\n' +
        '}\n');
      const r = spawnSync(path.join(ROOT, 'dist', 'tinyml-duk'), ['--script', f], { encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      const t = h.tinyml();
      for (const name of names) {
        const host = Buffer.from(t.packSection(modelBytes(name)));
        const device = fs.readFileSync(path.join(dir, name + '.section'));
        assert.ok(host.equals(device), name + ': device and host sections differ');
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`tinyml pack` writes <model>.packed.tflite (or -o), says what it wrote, and refuses what it cannot plan', function () {
    const dir = h.tmpDir();
    try {
      const src = path.join(dir, 'kws.tflite');
      fs.copyFileSync(path.join(h.MODELS, 'kws_ds_cnn_int8.tflite'), src);
      let r = h.cli(['pack', src]);
      assert.strictEqual(r.status, 0, r.stderr);
      const out = path.join(dir, 'kws.packed.tflite');
      assert.ok(r.stdout.indexOf(out) >= 0, r.stdout);
      assert.deepStrictEqual(fs.readFileSync(out), Buffer.from(h.tinyml().packModel(h.readBytes(src))));
      r = h.cli(['pack', src, '-o', path.join(dir, 'x.tflite')]);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.ok(fs.readFileSync(path.join(dir, 'x.tflite')).equals(fs.readFileSync(out)));
      // The packed file runs like the model (tinyml run reads either).
      const c = manifest.models.find((m) => m.name === 'kws_ds_cnn_int8').cases[0];
      r = h.cli(['run', out, '--input', path.join(h.MODELS, c.input.file), '--output', path.join(dir, 'o.bin')]);
      assert.strictEqual(r.status, 0, r.stderr);
      assert.strictEqual(h.firstDiff(h.readBytes(path.join(dir, 'o.bin')), h.readBytes(path.join(h.MODELS, c.output.file))), -1);
      fs.writeFileSync(path.join(dir, 'junk.tflite'), Buffer.alloc(100, 7));
      h.runFails(['pack', path.join(dir, 'junk.tflite')], 'E_BAD_IDENTIFIER');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
