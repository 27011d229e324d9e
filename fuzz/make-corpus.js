#!/usr/bin/env node
'use strict';
// Writes the libFuzzer seed corpus (fuzz/corpus/*.bin) from the real models:
// the TypeScript runtime plans each model in ../shared/models (and the
// single-op models in ops/), its op program is captured, and every program
// (and every op of it, alone) becomes one seed in fuzz_load.c's layout:
//   [flags = 1 (synthetic model)][u32 model length][program words]
// The model's constants are not copied: the op program's model tensors are
// re-laid out back to back (16-byte aligned) and the fuzz target fills a
// synthetic model of that length, so the seeds stay a few KiB each.
// Programs that take long to run (> 20 ms on the release addon) are left out
// so the fuzzer keeps its pace.
//
//   node fuzz/make-corpus.js [--models DIR] [--out DIR]
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const ROOT = path.join(__dirname, '..');
const HEADER = 6, TENSOR = 4, OP_HEADER = 4;
const WHERE_NONE = 0, WHERE_ARENA = 1, WHERE_MODEL = 2;
const MAX_MODEL = 1 << 20, MAX_PLANNED = 1 << 20, SLOW_MS = 20;

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

/** The op program the runtime would hand to tml_load, or null with the reason. */
function captureProgram(tinyml, bytes) {
  try {
    return { program: new tinyml.PreparedModel(bytes).program() };
  } catch (e) {
    return { error: e.code || String(e) };
  }
}

/** Splits a program into tensor records and op records. */
function decode(p) {
  const nt = p[2], nops = p[3];
  const tensors = [];
  for (let i = 0; i < nt; i++) tensors.push(Array.prototype.slice.call(p, HEADER + i * TENSOR, HEADER + (i + 1) * TENSOR));
  const ops = [];
  let at = HEADER + nt * TENSOR;
  for (let i = 0; i < nops; i++) {
    const ni = p[at + 1], no = p[at + 2], np = p[at + 3];
    const ins = Array.prototype.slice.call(p, at + 4, at + 4 + ni);
    const outs = Array.prototype.slice.call(p, at + 4 + ni, at + 4 + ni + no);
    const params = Array.prototype.slice.call(p, at + 4 + ni + no, at + 4 + ni + no + np);
    ops.push({ kind: p[at], ins, outs, params });
    at += OP_HEADER + ni + no + np;
  }
  return { tensors, ops, planned: p[4] };
}

const align16 = (n) => Math.ceil(n / 16) * 16;

/** A program over the given tensors (old indices) and ops, laid out compactly. */
function compact(dec, keep, ops) {
  const map = {};
  const tensors = [];
  let arena = 0, model = 0;
  const modelAt = {};
  for (const t of keep) {
    const r = dec.tensors[t].slice();
    const where = r[1] & 0xff;
    if (where === WHERE_ARENA) {
      r[2] = arena;
      arena += align16(r[3]);
    } else if (where === WHERE_MODEL) {
      const key = r[2] + ':' + r[3];
      if (!(key in modelAt)) {
        modelAt[key] = model;
        model += align16(r[3]);
      }
      r[2] = modelAt[key];
    }
    map[t] = tensors.length;
    tensors.push(r);
  }
  const words = [0x314c4d54, 1, tensors.length, ops.length, arena, 0];
  for (const r of tensors) words.push(r[0], r[1], r[2], r[3]);
  for (const op of ops) {
    words.push(op.kind, op.ins.length, op.outs.length, op.params.length);
    for (const t of op.ins) words.push(t < 0 ? t : map[t]);
    for (const t of op.outs) words.push(map[t]);
    for (const v of op.params) words.push(v);
  }
  words[5] = words.length;
  return { words: Int32Array.from(words), modelLen: model, planned: arena };
}

function usedTensors(ops) {
  const seen = {};
  const out = [];
  for (const op of ops) {
    for (const t of op.ins.concat(op.outs)) {
      if (t >= 0 && !seen[t]) { seen[t] = true; out.push(t); }
    }
  }
  return out.sort((a, b) => a - b);
}

function seedBytes(c) {
  const b = Buffer.alloc(5 + c.words.length * 4);
  b[0] = 1;
  b.writeUInt32LE(c.modelLen, 1);
  for (let i = 0; i < c.words.length; i++) b.writeInt32LE(c.words[i], 5 + i * 4);
  return b;
}

/** Milliseconds one invoke takes on the release addon, or -1 if it does not load. */
function timeIt(native, c) {
  const model = new Uint8Array(Math.max(c.modelLen, 1));
  for (let i = 0; i < model.length; i++) model[i] = (i * 131 + 7) & 0xff;
  const size = 15 + 64 + align16(c.planned) + c.words.length * 4;
  const a = native.arena(size);
  if (native.load(a, model.subarray(0, c.modelLen), c.words) !== 0) return -1;
  const t0 = process.hrtime.bigint();
  native.invoke(a);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function main() {
  const modelsDir = path.resolve(arg('--models', process.env.TINYML_MODELS || path.join(ROOT, '..', 'shared', 'models')));
  const outDir = path.resolve(arg('--out', path.join(__dirname, 'corpus')));
  const tinyml = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  const native = require(path.join(ROOT, 'build', 'Release', 'tinyml.node'));
  const files = [];
  for (const d of [modelsDir, path.join(modelsDir, 'ops')]) {
    if (!fs.existsSync(d)) continue;
    for (const f of fs.readdirSync(d).sort()) if (f.endsWith('.tflite')) files.push(path.join(d, f));
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) if (f.endsWith('.bin')) fs.unlinkSync(path.join(outDir, f));
  const seen = {};
  let written = 0, bytes = 0, slow = 0, skipped = 0;
  for (const file of files) {
    const name = path.basename(file, '.tflite');
    const r = captureProgram(tinyml, new Uint8Array(fs.readFileSync(file)));
    if (!r.program) { skipped++; continue; }
    const dec = decode(r.program);
    // Tensors are laid out without the planner's reuse (aliased RESHAPE
    // outputs get a buffer of their own): the values change, not the checks.
    const cands = [{ tag: 'all', c: compact(dec, usedTensors(dec.ops), dec.ops) }];
    dec.ops.forEach((op, i) => cands.push({ tag: 'op' + i + '_k' + op.kind, c: compact(dec, usedTensors([op]), [op]) }));
    for (const { tag, c } of cands) {
      if (c.modelLen > MAX_MODEL || c.planned > MAX_PLANNED) continue;
      const b = seedBytes(c);
      const h = crypto.createHash('sha1').update(b).digest('hex').slice(0, 12);
      if (seen[h]) continue;
      const ms = timeIt(native, c);
      if (ms < 0) { skipped++; continue; }
      if (ms > SLOW_MS) { slow++; continue; }
      seen[h] = true;
      fs.writeFileSync(path.join(outDir, name + '__' + tag + '.bin'), b);
      written++;
      bytes += b.length;
    }
  }
  console.log('make-corpus: ' + written + ' seeds (' + Math.round(bytes / 1024) + ' KiB) from ' + files.length +
    ' models in ' + path.relative(process.cwd(), outDir) + '; ' + slow + ' too slow, ' + skipped + ' not loadable');
}

main();
