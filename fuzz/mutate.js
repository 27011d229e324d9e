#!/usr/bin/env node
'use strict';
// TypeScript-side mutation fuzzer: mutates the real models in ../shared/models
// (bit flips, truncation, FlatBuffer offset / vector length / vtable
// corruption, tensor and opcode index edits and swaps, shape, dtype,
// quantization and option edits, splices) and runs each through
// verify -> allocateTensors -> invoke -> resetVariables -> invoke on Node with
// the Node bundle (dist/tinyml.node.js).
//
// Every failure must be a TinyMLError whose code is one of src/core/
// errors.ts. Findings: any other exception, a crash (signal, sanitizer
// report), a hang (a case running longer than --timeout, 20 s). Cases run in a
// pool of child processes; before each case a child writes its number to a
// status file with a synchronous write, so the parent knows exactly which
// case crashed or hung even when the child dies without a word. Cases are
// deterministic (--seed and the case number): a finding is written to
// <out>/findings/ as the mutated .tflite plus a .txt with what happened.
// With --asan (the default when clang is installed) the children load the
// sanitizer-built addon (scripts/build-native-tests.js) under LD_PRELOAD, so
// a native out-of-bounds access is a crash, not silence.
// E_NATIVE (the C layer refused a program the TypeScript side prepared) is a
// TinyMLError with a code, but it means the TypeScript checks let something
// through: it is counted and shown; --strict-native makes it a finding.
//
// With --packed the seeds are the packed forms of the same models and the
// cases run on the device core (dist/tinyml.core.js); see fuzz/packed.js.
// There the op program comes from the section, not from the TypeScript
// planner, so E_NATIVE is the expected answer to a corrupt program: counted
// by cause, never a finding.
//
//   node fuzz/mutate.js [--seconds N] [--cases N] [--jobs N] [--seed N]
//                       [--timeout MS] [--no-asan] [--models DIR] [--out DIR]
//                       [--strict-native] [--packed] [--replay FILE...]
const fs = require('fs');
const os = require('os');
const path = require('path');
const { fork } = require('child_process');
const packed = require('./packed.js');

const ROOT = path.join(__dirname, '..');
const ARENA_CAP = 1 << 20; // a board with 1 MiB for the arena (5x the largest shared model's plan)

// ---------------------------------------------------------------------------
// Options

function parseArgs(argv) {
  const o = {
    seconds: 0, cases: 0, jobs: Math.max(1, Math.min(2, os.cpus().length)), seed: 1,
    timeout: 20000, asan: null, models: process.env.TINYML_MODELS || path.join(ROOT, '..', 'shared', 'models'),
    out: path.join(__dirname, 'out'), strictNative: false, replay: [], quiet: false, batch: 100, packed: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--seconds') o.seconds = Number(next());
    else if (a === '--cases') o.cases = Number(next());
    else if (a === '--jobs') o.jobs = Number(next());
    else if (a === '--seed') o.seed = Number(next());
    else if (a === '--timeout') o.timeout = Number(next());
    else if (a === '--asan') o.asan = true;
    else if (a === '--no-asan') o.asan = false;
    else if (a === '--models') o.models = next();
    else if (a === '--out') o.out = next();
    else if (a === '--strict-native') o.strictNative = true;
    else if (a === '--packed') o.packed = true;
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--batch') o.batch = Number(next());
    else if (a === '--replay') { while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) o.replay.push(next()); }
    else throw new Error('mutate: unknown option ' + a);
  }
  if (!o.seconds && !o.cases && !o.replay.length) o.seconds = 60;
  return o;
}

/** The error codes the runtime may throw, read from src/core/errors.ts. */
function knownCodes() {
  const src = fs.readFileSync(path.join(ROOT, 'src', 'core', 'errors.ts'), 'utf8');
  const m = /export type ErrorCode =([^;]*);/.exec(src);
  const codes = {};
  let r;
  const re = /'(E_[A-Z0-9_]+)'/g;
  while ((r = re.exec(m ? m[1] : src))) codes[r[1]] = true;
  return codes;
}

// ---------------------------------------------------------------------------
// Deterministic randomness

function rng(seed) {
  let x = (seed >>> 0) || 0x9e3779b9;
  const next = () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x;
  };
  next.below = (n) => (n <= 0 ? 0 : next() % n);
  next.pick = (a) => a[next.below(a.length)];
  return next;
}

function caseSeed(seed, n) {
  // splitmix-ish: distinct, well-spread seeds for neighbouring case numbers
  let z = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(n >>> 0, 0x85ebca6b) ^ (Math.floor(n / 4294967296) * 0xc2b2ae35)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x7feb352d) >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x846ca68b) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------
// Where things are in a .tflite FlatBuffer (walked once per seed model)

/** Sites of a valid model: offsets, vector lengths, vtables, indices, shapes... */
function mapModel(b) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.length;
  const S = { uoffset: [], vlen: [], vtable: [], soffset: [], index: [], shape: [], dtype: [], scale: [],
    zp: [], opt: [], opcode: [], data: [], qdim: [], activations: [] };
  const tensorShapes = [];
  const ok = (p, k) => p >= 0 && p + k <= n;
  const u32 = (p) => dv.getUint32(p, true);
  const seen = {};
  function table(t) {
    if (!ok(t, 4) || seen[t]) return null;
    seen[t] = true;
    S.soffset.push(t);
    const vt = t - dv.getInt32(t, true);
    if (!ok(vt, 4)) return null;
    const vsize = dv.getUint16(vt, true);
    if (!ok(vt, vsize)) return null;
    for (let p = vt; p < vt + vsize; p += 2) S.vtable.push(p);
    return {
      field(id) {
        if (4 + 2 * id >= vsize) return -1;
        const o = dv.getUint16(vt + 4 + 2 * id, true);
        return o ? t + o : -1;
      },
    };
  }
  function ref(p) { // follows a uoffset field; records it
    if (!ok(p, 4)) return -1;
    S.uoffset.push(p);
    const q = p + u32(p);
    return ok(q, 4) ? q : -1;
  }
  function vector(tb, id, elem, kind) {
    const f = tb ? tb.field(id) : -1;
    if (f < 0) return null;
    const v = ref(f);
    if (v < 0) return null;
    S.vlen.push(v);
    const len = u32(v);
    if (!ok(v + 4, len * elem)) return null;
    if (kind) for (let i = 0; i < len; i++) S[kind].push(v + 4 + i * elem);
    return { start: v + 4, len };
  }
  function tables(tb, id) {
    const v = vector(tb, id, 4, null);
    const out = [];
    if (!v) return out;
    for (let i = 0; i < v.len; i++) {
      const t = ref(v.start + 4 * i);
      if (t >= 0) out.push(t);
    }
    return out;
  }
  function scalar(tb, id, kind) {
    const f = tb ? tb.field(id) : -1;
    if (f >= 0) S[kind].push(f);
  }
  try {
    if (n < 8) return S;
    const root = ref(0);
    const model = table(root);
    if (!model) return S;
    for (const oc of tables(model, 1)) {
      const t = table(oc);
      scalar(t, 0, 'opcode');
      scalar(t, 3, 'opcode');
    }
    for (const sg of tables(model, 2)) {
      const g = table(sg);
      for (const tt of tables(g, 0)) {
        const t = table(tt);
        const sv = vector(t, 0, 4, 'shape');
        const bf = t ? t.field(2) : -1;
        if (sv && sv.len) tensorShapes.push({ start: sv.start, len: sv.len, buffer: bf >= 0 ? u32(bf) : 0 });
        scalar(t, 1, 'dtype');
        scalar(t, 2, 'index');
        const qf = t ? t.field(4) : -1;
        if (qf >= 0) {
          const q = table(ref(qf));
          vector(q, 2, 4, 'scale');
          vector(q, 3, 8, 'zp');
          scalar(q, 6, 'qdim');
        }
        vector(t, 7, 4, 'shape'); // shape_signature
      }
      vector(g, 1, 4, 'index');
      vector(g, 2, 4, 'index');
      for (const ot of tables(g, 3)) {
        const o = table(ot);
        scalar(o, 0, 'index');
        vector(o, 1, 4, 'index');
        vector(o, 2, 4, 'index');
        vector(o, 8, 4, 'index'); // intermediates
        const bf = o ? o.field(4) : -1;
        if (bf >= 0) {
          const opt = ref(bf);
          // Every field of the options table: strides, padding, activation...
          if (opt >= 0 && ok(opt, 4)) {
            const vt = opt - dv.getInt32(opt, true);
            if (ok(vt, 4)) {
              const vs = dv.getUint16(vt, true);
              for (let k = 4; k + 2 <= vs && ok(vt, k + 2); k += 2) {
                const fo = dv.getUint16(vt + k, true);
                if (fo) S.opt.push(opt + fo);
              }
            }
          }
        }
        const cf = o ? o.field(5) : -1; // custom options bytes
        if (cf >= 0) {
          const v = ref(cf);
          if (v >= 0) { S.vlen.push(v); for (let i = 0; i < Math.min(u32(v), 64); i++) S.opt.push(v + 4 + i); }
        }
      }
    }
    const constant = {};
    tables(model, 4).forEach((bt, i) => {
      const t = table(bt);
      const v = vector(t, 0, 1, null);
      if (v && v.len) { S.data.push([v.start, v.len]); constant[i] = true; }
    });
    // Shapes of the tensors the arena holds: resized together, they stay
    // consistent with each other and reach the planner and the kernels.
    for (const ts of tensorShapes) if (!constant[ts.buffer]) S.activations.push(ts);
  } catch (e) {
    // a partial map is still a map
  }
  return S;
}

// ---------------------------------------------------------------------------
// Mutations

const I32 = [0, 1, -1, 2, 3, 4, 7, 8, 16, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, -0x80000000, -2, -128, 127, 128];

function mutate(seedBytes, map, r) {
  let b = Buffer.from(seedBytes);
  const n0 = b.length;
  const ops = [];
  const w32 = (p, v) => { if (p >= 0 && p + 4 <= b.length) b.writeUInt32LE(v >>> 0, p); };
  const r32 = (p) => (p >= 0 && p + 4 <= b.length ? b.readUInt32LE(p) : 0);
  const anyPos = () => r.below(b.length);
  const value32 = (old) => {
    switch (r.below(9)) {
      case 0: return r.pick(I32);
      case 1: return old + 4;
      case 2: return old - 4;
      case 3: return old * 2;
      case 4: return old ^ (1 << r.below(32));
      case 5: return n0 - r.below(16);
      case 6: return n0 + r.below(64);
      case 7: return r();
      default: return old + r.below(9) - 4;
    }
  };
  const count = 1 + (r.below(4) === 0 ? r.below(4) : 0);
  for (let k = 0; k < count; k++) {
    const what = r.below(100);
    if (what < 12) { // bit flips
      const flips = 1 + r.below(8);
      for (let i = 0; i < flips; i++) { const p = anyPos(); b[p] ^= 1 << r.below(8); }
      ops.push('flip' + flips);
    } else if (what < 18) { // interesting byte / word anywhere
      const p = anyPos();
      if (r.below(2)) b[p] = r.pick([0, 1, 0x7f, 0x80, 0xff, 0xfe]);
      else w32(p & ~3, r.pick(I32));
      ops.push('poke');
    } else if (what < 23) { // truncation
      const len = r.below(3) === 0 ? b.length - 1 - r.below(Math.min(64, b.length)) : r.below(b.length);
      b = b.subarray(0, Math.max(0, len));
      ops.push('trunc');
    } else if (what < 33 && map.uoffset.length) { // offset corruption
      const p = r.pick(map.uoffset);
      w32(p, value32(r32(p)));
      ops.push('uoffset');
    } else if (what < 43 && map.vlen.length) { // vector length corruption
      const p = r.pick(map.vlen);
      w32(p, value32(r32(p)));
      ops.push('vlen');
    } else if (what < 48 && (map.vtable.length || map.soffset.length)) { // vtable / vtable pointer
      if (r.below(3) && map.vtable.length) {
        const p = r.pick(map.vtable);
        if (p + 2 <= b.length) b.writeUInt16LE(r.below(2) ? r.pick([0, 2, 4, 0xfffe, 0xffff]) : (b.readUInt16LE(p) + r.below(9) - 4) & 0xffff, p);
      } else if (map.soffset.length) {
        const p = r.pick(map.soffset);
        w32(p, value32(r32(p)));
      }
      ops.push('vtable');
    } else if (what < 63 && map.index.length) { // index edits and swaps
      const p = r.pick(map.index);
      if (r.below(3) === 0) {
        const q = r.pick(map.index);
        const a = r32(p);
        w32(p, r32(q));
        w32(q, a);
        ops.push('swap');
      } else {
        const old = r32(p) | 0;
        w32(p, r.pick([-1, -2, old + 1, old - 1, 0, 1000, 0x7fffffff, old + r.below(5), r.below(64)]));
        ops.push('index');
      }
    } else if (what < 66 && map.activations.length) { // one dim of every activation, resized together
      const a = r.pick(map.activations);
      const k = r.below(a.len);
      const old = r32(a.start + 4 * k) | 0;
      const nv = r.pick([old * 2, old * 3, old + 1, old * 16, old * 256, 1 << 16, 1 << 20, 1 << 24, 0, 1]);
      for (const t of map.activations) {
        if (t.len === a.len && (r32(t.start + 4 * k) | 0) === old) w32(t.start + 4 * k, nv);
      }
      ops.push('resize');
    } else if (what < 73 && map.shape.length) { // shape edits
      const p = r.pick(map.shape);
      const old = r32(p) | 0;
      w32(p, r.pick([0, -1, 1, old + 1, old - 1, old * 2, 0x10000, 0x7fffffff, 3, 1 << 20]));
      ops.push('shape');
    } else if (what < 78 && map.dtype.length) { // tensor type
      const p = r.pick(map.dtype);
      if (p < b.length) b[p] = r.pick([0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 15, 16, 17, 18, 127, 255]);
      ops.push('dtype');
    } else if (what < 84 && (map.scale.length || map.zp.length || map.qdim.length)) { // quantization
      const c = r.below(3);
      if (c === 0 && map.scale.length) {
        const p = r.pick(map.scale);
        if (p + 4 <= b.length) b.writeFloatLE(r.pick([0, -1, NaN, Infinity, -Infinity, 1e-30, 1e30, 3.4e38, 1.4e-45, -0]), p);
      } else if (c === 1 && map.zp.length) {
        const p = r.pick(map.zp);
        if (p + 8 <= b.length) b.writeBigInt64LE(BigInt(r.pick([-129, 128, 255, 256, -32769, 32768, 0x7fffffff, -0x80000000, 1e12])), p);
      } else if (map.qdim.length) {
        const p = r.pick(map.qdim);
        w32(p, r.pick([-1, 1, 2, 3, 4, 100]));
      }
      ops.push('quant');
    } else if (what < 94 && map.opt.length) { // op options (strides, padding, activation, custom options)
      const p = r.pick(map.opt);
      if (r.below(2)) { if (p < b.length) b[p] = r.pick([0, 1, 2, 3, 4, 5, 6, 0x7f, 0x80, 0xff]); } else w32(p, r.pick(I32));
      ops.push('opt');
    } else if (what < 97 && map.opcode.length) { // builtin code
      const p = r.pick(map.opcode);
      if (r.below(2)) { if (p < b.length) b[p] = r.below(256); } else w32(p, r.below(220));
      ops.push('opcode');
    } else if (map.data.length && r.below(2)) { // weights / constants
      const [s, len] = r.pick(map.data);
      for (let i = 0; i < 1 + r.below(16); i++) { const p = s + r.below(len); if (p < b.length) b[p] = r(); }
      ops.push('data');
    } else { // splice: a chunk copied over another place
      const len = 1 + r.below(64);
      const from = anyPos(), to = anyPos();
      b.copy(b, to, from, Math.min(from + len, b.length));
      ops.push('splice');
    }
  }
  return { bytes: new Uint8Array(b.buffer, b.byteOffset, b.length), ops };
}

// ---------------------------------------------------------------------------
// One case: verify -> allocate -> invoke -> reset -> invoke

function makeRunner(tinyml, native) {
  return function run(bytes, seed) {
    let it = new tinyml.Interpreter(bytes, { native: native });
    const needed = it.arenaUsedBytes(); // before allocateTensors: the plan's figure
    // Plans a board could not hold fail with E_ARENA_TOO_SMALL instead of
    // allocating gigabytes; beyond what an ArrayBuffer arena can be, the
    // default path (no arenaSize) must fail with a code too.
    if (needed > ARENA_CAP && needed <= 0x7fffffff) it = new tinyml.Interpreter(bytes, { native: native, arenaSize: ARENA_CAP });
    it.allocateTensors();
    const r = rng(seed ^ 0x5bd1e995);
    for (let i = 0; i < it.inputCount(); i++) {
      const v = it.input(i);
      const u = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      for (let k = 0; k < u.length; k++) u[k] = r();
    }
    it.invoke();
    for (let i = 0; i < it.outputCount(); i++) it.output(i);
    it.resetVariables();
    it.invoke();
  };
}

/** The same for a packed case { bytes, section? } on the device core: every
 * entry point a board script uses, the tensor metadata too. */
function makePackedRunner(core, native) {
  return function run(c, seed) {
    const opts = { native: native };
    if (c.section) opts.section = c.section;
    let it = new core.Interpreter(c.bytes, opts);
    const needed = it.arenaUsedBytes(); // the section's figure
    if (needed > ARENA_CAP && needed <= 0x7fffffff) {
      opts.arenaSize = ARENA_CAP;
      it = new core.Interpreter(c.bytes, opts);
    }
    it.allocateTensors();
    const r = rng(seed ^ 0x5bd1e995);
    for (let i = 0; i < it.inputCount(); i++) {
      it.inputInfo(i);
      const v = it.input(i);
      const u = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      for (let k = 0; k < u.length; k++) u[k] = r();
    }
    it.invoke();
    for (let i = 0; i < it.outputCount(); i++) { it.outputInfo(i); it.output(i); }
    it.arenaUsedBytes();
    it.resetVariables();
    it.invoke();
  };
}

/** Packed-mode state: the core, the seeds (packed here: deterministic, half a second) and their kernel kinds. */
function packedState(files, addon) {
  const tinyml = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  const core = packed.loadCore();
  const native = require(addon || path.join(ROOT, 'build', 'Release', 'tinyml.node'));
  const seeds = packed.packSeeds(tinyml, files);
  return { core, native, seeds, kinds: packed.seedKinds(seeds), run: makePackedRunner(core, native) };
}

/** A packed reproducer: X.packed.tflite, with X.packed.section beside it when the section travels apart. */
function readPackedCase(file) {
  const c = { bytes: new Uint8Array(fs.readFileSync(file)) };
  const sec = file.replace(/\.tflite$/, '.section');
  if (sec !== file && fs.existsSync(sec)) c.section = new Uint8Array(fs.readFileSync(sec));
  return c;
}

const isPackedFile = (f) => /\.packed\.tflite$/.test(f);

let lastNativeMessage = '';

/** "OP STATUS" of an E_NATIVE message, e.g. "FULLY_CONNECTED E_READ_ONLY". */
function nativeCause(msg) {
  const m = /\(([^)]*)\): native layer refused the program with (E_[A-Z_]+)/.exec(msg) ||
    /refused the program with (E_[A-Z_]+)/.exec(msg);
  if (!m) return 'other';
  return m.length > 2 ? m[1] + ' ' + m[2] : m[1];
}

/** Findings already filed in fuzz/pending/known.json (fixed elsewhere, not
 * yet): counted as KNOWN:<id> and shown, not reported again. */
function knownFindings() {
  const f = path.join(__dirname, 'pending', 'known.json');
  return fs.existsSync(f) ? JSON.parse(fs.readFileSync(f, 'utf8')) : [];
}
const KNOWN = knownFindings();

/** 'ok', a TinyMLError code, or an object describing a finding. */
function classify(run, bytes, seed, codes, TinyMLError) { // bytes: a packed case object in packed mode
  try {
    run(bytes, seed);
    return 'ok';
  } catch (e) {
    const text = String((e && e.stack) || e);
    for (const k of KNOWN) if (text.indexOf(k.match) >= 0) return 'KNOWN:' + k.id;
    if (e instanceof TinyMLError && typeof e.code === 'string' && codes[e.code]) {
      if (e.code === 'E_NATIVE') lastNativeMessage = e.message;
      return e.code;
    }
    return { kind: 'exception', what: (e && e.stack) || String(e) };
  }
}

// ---------------------------------------------------------------------------
// Child process

function child() {
  let state = null;
  process.on('message', (m) => {
    if (m.init) {
      const tinyml = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
      const native = m.init.addon ? require(m.init.addon) : undefined;
      const files = m.init.seeds.map((s) => s.file);
      const pk = m.init.packed || (m.init.replay && m.init.replay.some(isPackedFile)) ? packedState(files, m.init.addon) : null;
      const seeds = m.init.packed ? pk.seeds : files.map((file) => {
        const bytes = new Uint8Array(fs.readFileSync(file));
        return { file, bytes, map: mapModel(bytes) };
      });
      state = {
        tinyml, seeds, weights: m.init.weights, seed: m.init.seed, codes: m.init.codes, pk, packed: m.init.packed,
        run: m.init.packed ? pk.run : makeRunner(tinyml, native), status: fs.openSync(m.init.status, 'r+'), out: m.init.out,
        TinyMLError: m.init.packed ? pk.core.TinyMLError : tinyml.TinyMLError,
      };
      process.send({ ready: true });
      return;
    }
    if (m.batch) {
      const counts = {};
      const findings = [];
      const buf = Buffer.alloc(8);
      for (let c = m.batch.from; c < m.batch.to; c++) {
        buf.writeDoubleLE(c, 0);
        fs.writeSync(state.status, buf, 0, 8, 0);
        const { bytes, ops, model } = makeCase(state.seeds, state.weights, state.seed, c, state.pk);
        const res = classify(state.run, bytes, caseSeed(state.seed, c), state.codes, state.TinyMLError);
        const key = typeof res === 'string' ? res : 'FINDING';
        counts[key] = (counts[key] || 0) + 1;
        if (typeof res !== 'string') findings.push({ c, model, ops, kind: res.kind, what: res.what });
        else if (res === 'E_NATIVE') {
          // Packed: the program is the section's, any op may carry anything: by status only.
          const cause = 'E_NATIVE ' + (state.packed ? nativeCause(lastNativeMessage).split(' ').pop() : nativeCause(lastNativeMessage));
          counts[cause] = (counts[cause] || 0) + 1;
          if (counts[cause] === 1) findings.push({ c, model, ops, kind: 'native', what: lastNativeMessage, cause });
        }
      }
      process.send({ done: m.batch, counts, findings });
      return;
    }
    if (m.replay) {
      const buf = Buffer.alloc(8);
      const results = [];
      for (let i = 0; i < m.replay.length; i++) {
        buf.writeDoubleLE(i, 0);
        fs.writeSync(state.status, buf, 0, 8, 0);
        if (isPackedFile(m.replay[i])) {
          results.push(classify(state.pk.run, readPackedCase(m.replay[i]), 1, state.codes, state.pk.core.TinyMLError));
        } else {
          const bytes = new Uint8Array(fs.readFileSync(m.replay[i]));
          results.push(classify(state.run, bytes, 1, state.codes, state.tinyml.TinyMLError));
        }
      }
      process.send({ replayed: results });
    }
  });
}

/** Case number -> seed model (weighted) and its mutation (pk: packed mode,
 * where `bytes` is a case object { bytes, section? }). */
function makeCase(seeds, weights, seed, c, pk) {
  const r = rng(caseSeed(seed, c));
  let x = r() / 4294967296 * weights[weights.length - 1];
  let i = 0;
  while (i < weights.length - 1 && weights[i] <= x) i++;
  if (pk) {
    const m = packed.mutatePacked(seeds[i], seeds, pk.kinds, r);
    return { bytes: { bytes: m.bytes, section: m.section }, ops: m.ops, model: seeds[i].name };
  }
  const m = mutate(seeds[i].bytes, seeds[i].map, r);
  return { bytes: m.bytes, ops: m.ops, model: path.basename(seeds[i].file) };
}

// ---------------------------------------------------------------------------
// Parent

function listSeeds(dir) {
  const out = [];
  for (const d of [dir, path.join(dir, 'ops')]) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).sort()) if (f.endsWith('.tflite')) out.push(path.join(d, f));
  }
  return out;
}

/** Cumulative weights: small models and models that run get more cases,
 * big plans (a stand-in for slow invokes) fewer. Deterministic, so a case
 * number names the same mutated model on every run with the same models. */
function seedWeights(files, tinyml, native, codes) {
  const run = makeRunner(tinyml, native);
  const w = [];
  let sum = 0;
  for (const f of files) {
    const bytes = new Uint8Array(fs.readFileSync(f));
    const runs = classify(run, bytes, 1, codes, tinyml.TinyMLError) === 'ok';
    let arena = 0;
    try { arena = new tinyml.PreparedModel(bytes).plan().arenaBytes; } catch (e) { /* not plannable */ }
    const weight = (runs ? 4 : 1) / Math.max(1, Math.sqrt(bytes.length / 4096)) / Math.max(1, arena / 16384);
    sum += weight;
    w.push(sum);
  }
  return { weights: w };
}

/** The same for packed seeds: the cost is the file's size and the section's arena figure. */
function packedSeedWeights(pk, codes) {
  const w = [];
  let sum = 0;
  for (const s of pk.seeds) {
    const file = packed.packedFile(s);
    const runs = classify(pk.run, { bytes: file }, 1, codes, pk.core.TinyMLError) === 'ok';
    const weight = (runs ? 4 : 1) / Math.max(1, Math.sqrt(file.length / 4096)) / Math.max(1, s.words[11] / 16384);
    sum += weight;
    w.push(sum);
  }
  return { weights: w };
}

function ensureAddon(o) {
  if (o.asan === false) return { addon: null, env: {} };
  let b;
  try {
    b = require(path.join(ROOT, 'scripts', 'build-native-tests.js'));
    const built = b.build(['addon']);
    return {
      addon: built.addon,
      env: { LD_PRELOAD: b.asanRuntime(), ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=0:allocator_may_return_null=1', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' },
    };
  } catch (e) {
    if (o.asan === true) throw e;
    console.error('mutate: no sanitizer addon (' + e.message.split('\n')[0] + '); using the release addon');
    return { addon: null, env: {} };
  }
}

function main(o) {
  const codes = knownCodes();
  const tinyml = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  const { addon, env } = ensureAddon(o);
  const files = listSeeds(o.models);
  if (!files.length && !o.replay.length) throw new Error('mutate: no .tflite models in ' + o.models + ' (set --models or TINYML_MODELS)');
  const pk = o.packed && !o.replay.length ? packedState(files, null) : null;
  const weights = o.replay.length ? [] : pk ? packedSeedWeights(pk, codes).weights : seedWeights(files, tinyml, undefined, codes).weights;
  fs.mkdirSync(path.join(o.out, 'findings'), { recursive: true });
  const t0 = Date.now();
  const deadline = o.seconds ? t0 + o.seconds * 1000 : Infinity;
  const wantCases = o.cases || Infinity;
  const totals = {};
  const findings = [];
  const nativeSamples = [];
  const replayResults = [];
  let nextCase = 0, done = 0, seedCache = null;

  // Work items: case ranges {from, to}, or one replay file {replay, index}.
  const pending = o.replay.map((file, index) => ({ replay: file, index }));
  function takeWork() {
    if (pending.length) return pending.shift();
    if (o.replay.length || Date.now() >= deadline || nextCase >= wantCases) return null;
    const item = { from: nextCase, to: Math.min(nextCase + o.batch, wantCases) };
    nextCase = item.to;
    return item;
  }
  const moreWork = () => pending.length > 0 || (!o.replay.length && Date.now() < deadline && nextCase < wantCases);

  function caseInfo(c) {
    if (pk) return makeCase(pk.seeds, weights, o.seed, c, pk);
    if (!seedCache) seedCache = files.map((file) => { const bytes = new Uint8Array(fs.readFileSync(file)); return { file, bytes, map: mapModel(bytes) }; });
    return makeCase(seedCache, weights, o.seed, c);
  }

  function record(f) {
    const tag = f.kind + '-' + String(f.model).replace(/\.tflite$/, '') + '-' + f.c;
    let base = path.join(o.out, 'findings', tag);
    if (f.replay) {
      fs.copyFileSync(f.replay, base + '.tflite');
    } else if (pk) { // X.packed.tflite (+ X.packed.section): what --replay reads back
      base += '.packed';
      const c = caseInfo(f.c).bytes;
      fs.writeFileSync(base + '.tflite', c.bytes);
      if (c.section) fs.writeFileSync(base + '.section', c.section);
    } else {
      fs.writeFileSync(base + '.tflite', caseInfo(f.c).bytes);
    }
    fs.writeFileSync(base + '.txt', (f.replay ? 'replay of ' + f.replay : 'case ' + f.c + ' (--seed ' + o.seed + ') of ' + f.model +
      '\nmutations: ' + (f.ops || []).join(' ')) + '\n\n' + f.what + '\n');
    findings.push(f);
    if (!o.quiet) {
      console.error('mutate: FINDING ' + f.kind + ' in case ' + f.c + ' (' + f.model + ': ' + (f.ops || []).join(' ') + ') -> ' +
        path.relative(process.cwd(), base) + '.tflite\n  ' + String(f.what).split('\n').slice(0, 4).join('\n  '));
    }
  }

  return new Promise((resolve) => {
    const workers = [];
    let resolved = false;

    function spawnWorker(id) {
      const status = path.join(o.out, 'status-' + process.pid + '-' + id);
      fs.writeFileSync(status, Buffer.alloc(8));
      const w = { id, status, busy: null, last: -2, lastChange: Date.now(), stderr: '', dead: false };
      w.proc = fork(__filename, ['--child'], {
        env: Object.assign({}, process.env, env), execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      w.proc.stderr.on('data', (d) => { w.stderr = (w.stderr + d).slice(-20000); });
      w.proc.on('message', (m) => onMessage(w, m));
      w.proc.on('exit', (code, signal) => onExit(w, code, signal));
      w.proc.on('error', () => { /* exit follows */ });
      w.proc.send({ init: { addon, seeds: files.map((file) => ({ file })), weights, seed: o.seed, codes, status, out: o.out,
        packed: !!pk, replay: o.replay } });
      workers[id] = w;
    }

    function currentCase(w) {
      try {
        const buf = Buffer.alloc(8);
        const fd = fs.openSync(w.status, 'r');
        fs.readSync(fd, buf, 0, 8, 0);
        fs.closeSync(fd);
        return buf.readDoubleLE(0);
      } catch (e) {
        return -1;
      }
    }

    function giveWork(w) {
      const item = takeWork();
      if (!item) { retire(w); return; }
      w.busy = item;
      w.last = -2;
      w.lastChange = Date.now();
      w.proc.send(item.replay ? { replay: [item.replay] } : { batch: item });
    }

    function retire(w) {
      w.busy = null;
      if (!w.dead) { w.dead = true; w.proc.kill('SIGKILL'); }
      cleanup(w);
      maybeResolve();
    }

    function cleanup(w) {
      try { fs.unlinkSync(w.status); } catch (e) { /* gone */ }
    }

    function onMessage(w, m) {
      if (m.ready) giveWork(w);
      if (m.done) {
        for (const k in m.counts) totals[k] = (totals[k] || 0) + m.counts[k];
        done += m.done.to - m.done.from;
        for (const f of m.findings) {
          if (f.kind !== 'native') record(f);
          else {
            if (!nativeSamples.some((x) => x.cause === f.cause)) nativeSamples.push(f);
            if (o.strictNative && !pk) record(f);
          }
        }
        giveWork(w);
      }
      if (m.replayed) {
        replayResults[w.busy.index] = m.replayed[0];
        giveWork(w);
      }
    }

    function onExit(w, code, signal) {
      const wasDead = w.dead;
      w.dead = true;
      const last = currentCase(w); // before cleanup() removes the status file
      cleanup(w);
      if (!wasDead && w.busy) {
        const why = w.killedForHang ? 'hang' : 'crash';
        const what = (w.killedForHang ? 'no progress for ' + o.timeout + ' ms' : 'exit code ' + code + ', signal ' + signal) +
          '\n' + w.stderr.slice(-6000);
        if (w.busy.replay) {
          replayResults[w.busy.index] = { kind: why, what };
        } else {
          let c = last;
          if (!(c >= w.busy.from && c < w.busy.to)) c = w.busy.from; // died before its first case
          done += c - w.busy.from + 1;
          totals.FINDING = (totals.FINDING || 0) + 1;
          const info = caseInfo(c);
          record({ c, model: info.model, ops: info.ops, kind: why, what });
          if (c + 1 < w.busy.to) pending.unshift({ from: c + 1, to: w.busy.to });
        }
        w.busy = null;
      }
      if (!resolved && moreWork()) spawnWorker(w.id);
      else maybeResolve();
    }

    function maybeResolve() {
      if (resolved || !workers.every((w) => w.dead)) return;
      if (moreWork()) return;
      resolved = true;
      clearInterval(watch);
      clearInterval(progress);
      resolve({ done, secs: (Date.now() - t0) / 1000, totals, findings, nativeSamples, replayResults });
    }

    const watch = setInterval(() => {
      for (const w of workers) {
        if (w.dead || !w.busy) continue;
        const c = currentCase(w);
        if (c !== w.last) { w.last = c; w.lastChange = Date.now(); continue; }
        if (Date.now() - w.lastChange > o.timeout) { w.killedForHang = true; w.proc.kill('SIGKILL'); }
      }
    }, 200);
    const progress = setInterval(() => {
      if (!o.quiet && !o.replay.length) {
        const s = (Date.now() - t0) / 1000;
        console.error('mutate: ' + done + ' cases, ' + Math.round(done / s) + '/s, ' + findings.length + ' findings, E_NATIVE ' + (totals.E_NATIVE || 0));
      }
    }, 30000);

    const jobs = o.replay.length ? 1 : o.jobs;
    for (let i = 0; i < jobs; i++) spawnWorker(i);
  });
}

function report(o, r) {
  const lines = [];
  const keys = Object.keys(r.totals).filter((k) => k.indexOf(' ') < 0).sort((a, b) => r.totals[b] - r.totals[a]);
  const causes = Object.keys(r.totals).filter((k) => k.indexOf(' ') >= 0).sort((a, b) => r.totals[b] - r.totals[a]);
  lines.push('mutate: ' + r.done + (o.packed ? ' mutated packed models in ' : ' mutated models in ') + r.secs.toFixed(1) + ' s (' + Math.round(r.done / r.secs) + '/s, ' + o.jobs + ' jobs, seed ' + o.seed + ')');
  lines.push('  outcomes: ' + keys.map((k) => k + ' ' + r.totals[k]).join(', '));
  if (causes.length) {
    lines.push(o.packed ? '  E_NATIVE (the native layer refused the section\'s program), by native status:'
      : '  E_NATIVE (the TypeScript checks let a program through that C refused), by op and native status:');
    for (const k of causes) {
      const f = r.nativeSamples.find((x) => x.cause === k);
      lines.push('    ' + k.slice(9) + ': ' + r.totals[k] + (f ? ' (e.g. case ' + f.c + ', ' + f.model + ' [' + f.ops.join(' ') + '])' : ''));
    }
  }
  const known = keys.filter((k) => k.indexOf('KNOWN:') === 0);
  if (known.length) lines.push('  known findings, filed in fuzz/pending/ (not counted): ' + known.map((k) => k.slice(6) + ' ' + r.totals[k]).join(', '));
  lines.push('  findings: ' + r.findings.length + (r.findings.length ? ' (in ' + path.join(o.out, 'findings') + ')' : ''));
  return lines.join('\n');
}

if (require.main === module) {
  if (process.argv[2] === '--child') {
    child();
  } else {
    let o;
    try {
      o = parseArgs(process.argv.slice(2));
    } catch (e) {
      console.error(e.message);
      process.exit(2);
    }
    main(o).then((r) => {
      if (o.replay.length) {
        let bad = 0;
        o.replay.forEach((f, i) => {
          const res = r.replayResults[i];
          const good = typeof res === 'string' && res !== 'unknown';
          if (!good) bad++;
          console.log((good ? 'ok   ' : 'FAIL ') + path.relative(process.cwd(), f) + ': ' + (typeof res === 'string' ? res : res ? res.kind + ': ' + String(res.what).split('\n').slice(0, 4).join(' | ') : 'not run'));
        });
        process.exit(bad ? 1 : 0);
      }
      console.log(report(o, r));
      process.exit(r.findings.length ? 1 : 0);
    }).catch((e) => {
      console.error('mutate: ' + (e.stack || e));
      process.exit(2);
    });
  }
}

module.exports = { mapModel, mutate, rng, caseSeed, knownCodes, listSeeds, makeCase, classify, packedState, packedSeedWeights };
