'use strict';
// src/model: reading every shared model, and the verifier's error codes on
// corrupt inputs (built by patching real models at fields found by walking
// the FlatBuffer, not at hard-coded offsets).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');

const MODELS = process.env.TINYML_MODELS || path.resolve(__dirname, '../../shared/models');

// The modules under test. Compiled here with the TypeScript API to CommonJS in
// a temp dir; swap this one function for the rollup node build later.
function loadModelModules() {
  const ts = require('typescript');
  const root = path.resolve(__dirname, '..');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-model-test-'));
  const cfg = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config;
  const parsed = ts.parseJsonConfigFileContent(cfg, ts.sys, root);
  const options = Object.assign({}, parsed.options, {
    module: ts.ModuleKind.CommonJS,
    outDir: outDir,
    rootDir: path.join(root, 'src'),
    noEmitOnError: true,
  });
  const files = ['reader.ts', 'verify.ts', 'options.ts', 'names.ts', 'builtin.ts'].map((f) =>
    path.join(root, 'src', 'planner', 'model', f)
  );
  const program = ts.createProgram(files, options);
  const result = program.emit();
  const diags = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  if (diags.length) {
    throw new Error(ts.formatDiagnostics(diags, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    }));
  }
  const req = (p) => require(path.join(outDir, p));
  return {
    outDir: outDir,
    reader: req('planner/model/reader.js'),
    verify: req('planner/model/verify.js'),
    options: req('planner/model/options.js'),
    names: req('planner/model/names.js'),
    errors: req('core/errors.js'),
  };
}

// ---- a tiny FlatBuffer walker for the tests ----
const rd = {
  i32: (b, p) => b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24),
  u32: (b, p) => rd.i32(b, p) >>> 0,
  u16: (b, p) => b[p] | (b[p + 1] << 8),
};
function put32(b, p, v) {
  b[p] = v & 255;
  b[p + 1] = (v >>> 8) & 255;
  b[p + 2] = (v >>> 16) & 255;
  b[p + 3] = (v >>> 24) & 255;
}
/** Absolute position of field `slot` of the table at t, or -1. */
function fieldPos(b, t, slot) {
  const vt = t - rd.i32(b, t);
  if (4 + 2 * slot >= rd.u16(b, vt)) return -1;
  const off = rd.u16(b, vt + 4 + 2 * slot);
  return off ? t + off : -1;
}
function deref(b, p) {
  return p + rd.u32(b, p);
}
/** Vector of field `slot`: { pos (length word), len } or null. */
function vec(b, t, slot) {
  const f = fieldPos(b, t, slot);
  if (f < 0) return null;
  const v = deref(b, f);
  return { pos: v, len: rd.u32(b, v) };
}
function elem(b, v, i) {
  return deref(b, v.pos + 4 + 4 * i);
}
const rootOf = (b) => rd.u32(b, 0);
const subgraphOf = (b, s) => elem(b, vec(b, rootOf(b), 2), s || 0);

function load(file) {
  const buf = fs.readFileSync(file);
  const u = new Uint8Array(buf.length);
  u.set(buf);
  return u;
}

function modelFiles() {
  const top = fs.readdirSync(MODELS).filter((f) => f.endsWith('.tflite')).map((f) => path.join(MODELS, f));
  const opsDir = path.join(MODELS, 'ops');
  const ops = fs.existsSync(opsDir)
    ? fs.readdirSync(opsDir).filter((f) => f.endsWith('.tflite')).map((f) => path.join(opsDir, f))
    : [];
  return top.concat(ops).sort();
}

const DTYPE_NAMES = ['FLOAT32', 'FLOAT16', 'INT32', 'UINT8', 'INT64', 'STRING', 'BOOL', 'INT16', 'COMPLEX64',
  'INT8', 'FLOAT64', 'COMPLEX128', 'UINT64', 'RESOURCE', 'VARIANT', 'UINT32', 'UINT16', 'INT4'];

describe('model reader', function () {
  let M;
  const goldens = {};

  before(function () {
    this.timeout(120000);
    if (!fs.existsSync(MODELS)) this.skip();
    M = loadModelModules();
    for (const g of ['golden/golden.json', 'ops/golden/ops.json']) {
      const file = path.join(MODELS, g);
      if (!fs.existsSync(file)) continue;
      for (const m of JSON.parse(fs.readFileSync(file, 'utf8')).models) goldens[path.basename(m.file)] = m;
    }
  });

  after(function () {
    if (M) fs.rmSync(M.outDir, { recursive: true, force: true });
  });

  function opName(op) {
    return op.builtin === 32 ? 'CUSTOM:' + op.customCode : M.names.builtinName(op.builtin);
  }

  function expectCode(bytes, code, label) {
    let err = null;
    try {
      M.reader.readModel(bytes);
    } catch (e) {
      err = e;
    }
    assert.ok(err, (label || '') + ': expected ' + code + ', but the model was accepted');
    assert.ok(err instanceof M.errors.TinyMLError, (label || '') + ': not a TinyMLError: ' + err);
    assert.strictEqual(err.code, code, (label || '') + ': ' + err.message);
    assert.ok(err.message.length > code.length + 10, 'message says what is wrong: ' + err.message);
    return err;
  }

  it('reads every shared model and matches golden tensors and ops', function () {
    const files = modelFiles();
    assert.ok(files.length > 0, 'no models under ' + MODELS);
    let compared = 0;
    for (const file of files) {
      const bytes = load(file);
      const m = M.reader.readModel(bytes);
      const label = path.basename(file);
      assert.ok(m.subgraphs.length >= 1, label);
      assert.strictEqual(m.bytes, bytes);
      assert.ok(m.bb && typeof m.bb.readInt32 === 'function', label + ': bb');
      for (const sg of m.subgraphs) {
        for (const t of sg.tensors) {
          assert.ok(t.shape.every((d) => d >= 0), label + ' tensor ' + t.index);
          if (t.dataOffset >= 0) assert.ok(t.dataOffset + t.bytes <= bytes.length, label + ' tensor ' + t.index);
        }
      }
      const g = goldens[label];
      if (!g) continue;
      compared++;
      const sg = m.subgraphs[0];
      const check = (list, gl, what) => {
        assert.strictEqual(list.length, gl.length, label + ' ' + what + ' count');
        gl.forEach((gt, i) => {
          const t = sg.tensors[list[i]];
          const at = label + ' ' + what + ' ' + i;
          assert.strictEqual(DTYPE_NAMES[t.dtype], gt.dtype, at + ' dtype');
          assert.deepStrictEqual(t.shape, gt.shape, at + ' shape');
          assert.strictEqual(t.bytes, gt.bytes, at + ' bytes');
          assert.strictEqual(t.scale.length ? t.scale[0] : 0, Math.fround(gt.scale), at + ' scale');
          assert.strictEqual(t.zeroPoint.length ? t.zeroPoint[0] : 0, gt.zero_point, at + ' zero_point');
        });
      };
      check(sg.inputs, g.inputs, 'input');
      check(sg.outputs, g.outputs, 'output');
      const types = {};
      m.subgraphs.forEach((s, i) => {
        const names = s.operators.map(opName);
        if (g.subgraphs && g.subgraphs[i]) assert.deepStrictEqual(names, g.subgraphs[i].ops, label + ' ops');
        names.forEach((n) => (types[n] = true));
      });
      assert.deepStrictEqual(Object.keys(types).sort(), g.op_types.slice().sort(), label + ' op_types');
      assert.strictEqual(m.subgraphs.reduce((a, s) => a + s.tensors.length, 0), g.tensor_count, label + ' tensors');
    }
    assert.ok(compared > 0, 'no model had a golden entry');
  });

  it('resolves constant data, per-channel quantization and options', function () {
    const bytes = load(path.join(MODELS, 'person_detect_int8.tflite'));
    const m = M.reader.readModel(bytes);
    const sg = m.subgraphs[0];
    const conv = sg.operators.filter((o) => o.builtin === 3)[0];
    const w = sg.tensors[conv.inputs[1]];
    assert.ok(w.dataOffset > 0, 'weights are constant');
    assert.strictEqual(w.scale.length, w.shape[w.quantizedDimension], 'per-channel scales');
    assert.strictEqual(w.zeroPoint.length, w.scale.length);
    // The data really is the buffer's: compare with a walk of our own.
    const buffers = vec(bytes, rootOf(bytes), 4);
    const data = vec(bytes, elem(bytes, buffers, w.buffer), 0);
    assert.strictEqual(w.dataOffset, data.pos + 4);
    assert.strictEqual(w.bytes, data.len);
    const opts = M.options.readOptions(m, conv, new M.options.Conv2DOptions(), 1 /* BuiltinOptions.Conv2DOptions */);
    assert.ok(opts);
    assert.ok(opts.strideW() >= 1 && opts.strideH() >= 1);
    assert.ok(opts.padding() === 0 || opts.padding() === 1);
    assert.throws(() => M.options.readOptions(m, conv, new M.options.Conv2DOptions(), 13), /E_BAD_MODEL/);
    const noOpts = Object.assign({}, conv, { optionsPos: 0 });
    assert.strictEqual(M.options.readOptions(m, noOpts, new M.options.Conv2DOptions()), null);
    const reshape = sg.operators.filter((o) => o.builtin === 22)[0];
    if (reshape && reshape.optionsPos) {
      const r = M.options.readOptions(m, reshape, new M.options.ReshapeOptions());
      assert.ok(r.newShapeLength() >= 1);
    }
  });

  it('names builtin operators', function () {
    assert.strictEqual(M.names.builtinName(0), 'ADD');
    assert.strictEqual(M.names.builtinName(9), 'FULLY_CONNECTED');
    assert.strictEqual(M.names.builtinName(32), 'CUSTOM');
    assert.strictEqual(M.names.builtinName(44), 'UNIDIRECTIONAL_SEQUENCE_LSTM');
    assert.strictEqual(M.names.builtinName(9999), 'BUILTIN_9999');
    assert.strictEqual(M.names.builtinName(-1), 'BUILTIN_-1');
  });

  it('keeps its field lists in line with the generated accessors', function () {
    // verify.ts lists fields by slot; flatc's classes know the real vtable offsets.
    const dir = path.resolve(__dirname, '../src/planner/model/tflite');
    const byClass = {};
    for (const f of fs.readdirSync(dir)) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      const c = /export class (\w+)/.exec(src);
      if (c) byClass[c[1]] = src;
    }
    const camel = (s) => s.replace(/_([a-z0-9])/g, (a, c) => c.toUpperCase());
    let checked = 0;
    for (const table of Object.keys(M.verify.TABLE_SPECS)) {
      const src = byClass[table];
      assert.ok(src, 'generated class for ' + table);
      M.verify.TABLE_SPECS[table].split(' ').forEach((f, slot) => {
        const name = camel(f.split(':')[0]);
        const re = new RegExp('\\n' + name + '(?:<[^>]*>)?\\([^)]*\\)[^{]*\\{\\n\\s*const offset = this\\.bb!\\.__offset\\(this\\.bb_pos, (\\d+)\\)');
        const m = re.exec(src);
        if (!m) return; // dropped by gen-schema (64-bit) or deprecated
        assert.strictEqual(+m[1], 4 + 2 * slot, table + '.' + f);
        checked++;
      });
    }
    assert.ok(checked > 50, 'checked ' + checked + ' fields');
  });

  it('decodes strings without TextDecoder', function () {
    const fb = require(path.join(M.outDir, 'planner/model/flatbuffers.js'));
    const saved = global.TextDecoder;
    try {
      global.TextDecoder = undefined;
      const s = 'ok \u00e9\u4e2d\ud83d\ude00';
      const u = new Uint8Array(Buffer.from(s, 'utf8'));
      assert.strictEqual(fb.utf8(u, 0, u.length), s);
      assert.strictEqual(fb.utf8(new Uint8Array([0x61, 0xff, 0xc3]), 0, 3), 'a\ufffd\ufffd');
      const m = M.reader.readModel(load(path.join(MODELS, 'hello_world_int8.tflite')));
      assert.ok(m.subgraphs[0].tensors.some((t) => t.name.length > 0));
    } finally {
      global.TextDecoder = saved;
    }
  });

  describe('rejects corrupt models with a specific code', function () {
    let hello;
    let kws;
    before(function () {
      hello = load(path.join(MODELS, 'hello_world_int8.tflite'));
      kws = load(path.join(MODELS, 'kws_ds_cnn_int8.tflite'));
    });

    it('truncated models: E_MODEL_TRUNCATED', function () {
      for (const bytes of [hello, kws]) {
        const n = bytes.length;
        const cuts = [0, 3, 7, 8, 12, 64, n >> 3, n >> 2, n >> 1, (3 * n) >> 2, n - 16, n - 1];
        for (const cut of cuts) expectCode(bytes.slice(0, cut), 'E_MODEL_TRUNCATED', 'cut at ' + cut + '/' + n);
      }
    });

    it('random bytes and a wrong identifier: E_BAD_IDENTIFIER', function () {
      let x = 12345;
      for (let k = 0; k < 20; k++) {
        const b = new Uint8Array(64 + k * 97);
        for (let i = 0; i < b.length; i++) {
          x = (x * 1103515245 + 12345) >>> 0;
          b[i] = x >>> 24;
        }
        expectCode(b, 'E_BAD_IDENTIFIER', 'random ' + k);
      }
      const b = hello.slice();
      b[7] = 0x32; // "TFL2"
      expectCode(b, 'E_BAD_IDENTIFIER');
    });

    it('out-of-range tensor index in an operator: E_BAD_INDEX', function () {
      const b = hello.slice();
      const sg = subgraphOf(b, 0);
      const nT = vec(b, sg, 0).len;
      const op = elem(b, vec(b, sg, 3), 1);
      const ins = vec(b, op, 1);
      put32(b, ins.pos + 4 + 4 * 1, nT + 47);
      const e = expectCode(b, 'E_BAD_INDEX');
      assert.ok(/subgraph 0 operator 1 input 1: tensor index \d+ out of range \(\d+ tensors\)/.test(e.message), e.message);
      const c = hello.slice();
      const outs = vec(c, elem(c, vec(c, subgraphOf(c, 0), 3), 0), 2);
      put32(c, outs.pos + 4, -1);
      expectCode(c, 'E_BAD_INDEX', 'output -1');
      const d = hello.slice();
      put32(d, vec(d, subgraphOf(d, 0), 1).pos + 4, nT);
      expectCode(d, 'E_BAD_INDEX', 'subgraph input');
    });

    it('out-of-range buffer index: E_BAD_INDEX', function () {
      const b = hello.slice();
      const nBuf = vec(b, rootOf(b), 4).len;
      const t = elem(b, vec(b, subgraphOf(b, 0), 0), 0);
      const p = fieldPos(b, t, 2);
      assert.ok(p > 0, 'tensor 0 has a buffer field');
      put32(b, p, nBuf + 3);
      const e = expectCode(b, 'E_BAD_INDEX');
      assert.ok(/buffer index/.test(e.message), e.message);
    });

    it('out-of-range opcode index: E_BAD_INDEX', function () {
      // opcode_index 0 is the default and not stored: take an operator that has one.
      const b = kws.slice();
      const nCodes = vec(b, rootOf(b), 1).len;
      const ops = vec(b, subgraphOf(b, 0), 3);
      let i = 0;
      while (i < ops.len && fieldPos(b, elem(b, ops, i), 0) < 0) i++;
      assert.ok(i < ops.len, 'an operator stores its opcode_index');
      put32(b, fieldPos(b, elem(b, ops, i), 0), nCodes);
      const e = expectCode(b, 'E_BAD_INDEX');
      assert.ok(new RegExp('operator ' + i + ': opcode index ' + nCodes + ' out of range').test(e.message), e.message);
    });

    it('tensor larger than its buffer: E_BAD_MODEL', function () {
      // Find a tensor with constant data and grow its first dimension.
      const b = kws.slice();
      const buffers = vec(b, rootOf(b), 4);
      const tensors = vec(b, subgraphOf(b, 0), 0);
      let done = false;
      for (let i = 0; i < tensors.len && !done; i++) {
        const t = elem(b, tensors, i);
        const bp = fieldPos(b, t, 2);
        if (bp < 0) continue;
        const data = vec(b, elem(b, buffers, rd.u32(b, bp)), 0);
        if (!data || data.len === 0) continue;
        const shape = vec(b, t, 0);
        put32(b, shape.pos + 4, rd.i32(b, shape.pos + 4) + 1);
        done = true;
      }
      assert.ok(done, 'found a constant tensor');
      const e = expectCode(b, 'E_BAD_MODEL');
      assert.ok(/needs \d+ bytes of data but its buffer \d+ holds \d+/.test(e.message), e.message);
    });

    it('negative dims, unknown dtype, bad vtables: E_BAD_MODEL', function () {
      const t0 = (b) => elem(b, vec(b, subgraphOf(b, 0), 0), 0);
      const a = hello.slice();
      put32(a, vec(a, t0(a), 0).pos + 4, -2);
      expectCode(a, 'E_BAD_MODEL', 'negative dim');
      const c = hello.slice();
      const tp = fieldPos(c, t0(c), 1);
      if (tp > 0) {
        c[tp] = 99;
        expectCode(c, 'E_BAD_MODEL', 'dtype 99');
      }
      const d = hello.slice();
      const t = t0(d);
      put32(d, t, t + 1000); // soffset to a vtable before the start
      expectCode(d, 'E_BAD_MODEL', 'vtable before start');
      const e = hello.slice();
      put32(e, 0, rd.u32(e, 0) + 2); // misaligned root
      expectCode(e, 'E_BAD_MODEL', 'misaligned root');
      const f = hello.slice();
      const shape = vec(f, t0(f), 0);
      put32(f, shape.pos, 0x7fffffff); // vector length overflow
      expectCode(f, 'E_BAD_MODEL', 'vector length');
      const g = hello.slice();
      const sv = vec(g, t0(g), 0);
      put32(g, sv.pos, (g.length >> 2) + 4); // runs past the end
      expectCode(g, 'E_MODEL_TRUNCATED', 'vector past end');
    });

    it('fuzz: every failure is a TinyMLError with a code', function () {
      this.timeout(120000);
      let x = 0x9e3779b9;
      const rnd = (n) => {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        return (x >>> 0) % n;
      };
      const codes = {};
      let accepted = 0;
      for (const base of [hello, kws]) {
        for (let k = 0; k < 2000; k++) {
          const b = base.slice();
          const edits = 1 + rnd(4);
          for (let e = 0; e < edits; e++) {
            const mode = rnd(4);
            const p = rnd(b.length);
            if (mode === 0) b[p] = rnd(256);
            else if (mode === 1) b[p] ^= 1 << rnd(8);
            else if (mode === 2 && p + 4 <= b.length) put32(b, p & ~3, rnd(0x7fffffff) * (rnd(2) ? 1 : -1));
            else b[p] = 0xff;
          }
          const bytes = rnd(10) === 0 ? b.slice(0, rnd(b.length)) : b;
          try {
            const m = M.reader.readModel(bytes);
            accepted++;
            // What was accepted must be internally consistent.
            for (const sg of m.subgraphs) {
              for (const op of sg.operators) {
                for (const i of op.inputs) assert.ok(i === -1 || (i >= 0 && i < sg.tensors.length));
                for (const i of op.outputs) assert.ok(i >= 0 && i < sg.tensors.length);
              }
              for (const t of sg.tensors) {
                if (t.dataOffset >= 0) assert.ok(t.dataOffset + t.bytes <= bytes.length, 'data inside model');
              }
            }
          } catch (e) {
            if (!(e instanceof M.errors.TinyMLError) || !e.code) throw e;
            codes[e.code] = (codes[e.code] || 0) + 1;
          }
        }
      }
      assert.ok(Object.keys(codes).length >= 3, JSON.stringify(codes));
      assert.ok(accepted > 0);
    });
  });
});
