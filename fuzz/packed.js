'use strict';
// Packed mode of the mutation fuzzer (fuzz/mutate.js --packed): mutates packed
// models (`tinyml pack`; layout in native/include/tinyml.h above
// tml_load_packed) and runs them on the device core (dist/tinyml.core.js),
// which reads no FlatBuffer: everything it and the native layer trust comes
// from the section.
//
// Seeds are the packed files of the shared models and of the single-op
// models in ops/. The mutations know the section's structure: header words,
// the op program (its header, tensor records, op kinds, counts, indices and
// params), the meta the core reads (I/O tensor records: index, dtype, where,
// offset, bytes, scale, zero point, rank, dims, name; the op table), the
// footer; words inserted into or removed from the program (framing fixed up
// or not); another model's program grafted in; the model bytes under a valid
// section; truncation; a section grafted onto another model. Most cases get
// their section hash (and, when the model changed, sometimes the model hash
// and size) recomputed, so they reach tml_load's program checks and the
// script's meta reader instead of stopping at a hash; the rest keep it stale.
// A quarter of the cases hand the section over apart from the model
// (Interpreter options.section, native load(arena, model, section)).
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const ROOT = path.join(__dirname, '..');
const MAGIC = 0x504c4d54;
const HEADER = 12, FOOTER = 2;
const W_MODEL_BYTES = 3, W_MODEL_HASH = 4, W_WORDS = 5, W_HASH = 6, W_PROGRAM = 7, W_PROGRAM_WORDS = 8,
  W_META = 9, W_META_WORDS = 10, W_ARENA = 11;
const P_HEADER = 6, P_TENSOR = 4, P_OP_HEADER = 4;

/** FNV-1a over little-endian words, the last partial word zero-filled, word `skip` read as 0 (tml_pack_hash). */
function fnv(b, skip) {
  let h = 0x811c9dc5 | 0;
  const whole = b.length >> 2;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < whole; i++) h = Math.imul(h ^ (i === skip ? 0 : dv.getInt32(4 * i, true)), 0x01000193);
  if (b.length & 3) {
    let x = 0;
    for (let k = (b.length & 3) - 1; k >= 0; k--) x = x << 8 | b[4 * whole + k];
    h = Math.imul(h ^ x, 0x01000193);
  }
  return h | 0;
}

/** The device core bundle, evaluated in this realm (its instanceof checks see our typed arrays). */
function loadCore() {
  const file = path.join(ROOT, 'dist', 'tinyml.core.js');
  return vm.runInThisContext(fs.readFileSync(file, 'utf8') + '\n;tinyml', { filename: file });
}

const align16 = (n) => Math.ceil(n / 16) * 16;

/** Word indices (from the section start) of every field a mutation may aim at. */
function layoutOf(w) {
  const L = { progHeader: [], tensor: [[], [], [], []], kind: [], count: [], index: [], param: [], opStart: [],
    metaCount: [], meta: {}, opTable: [], nt: 0 };
  for (const k of ['index', 'dtype', 'where', 'offset', 'bytes', 'scale', 'zp', 'rank', 'dim', 'chars', 'name']) L.meta[k] = [];
  const p0 = w[W_PROGRAM], pend = p0 + w[W_PROGRAM_WORDS];
  for (let i = 0; i < P_HEADER; i++) L.progHeader.push(p0 + i);
  const nt = L.nt = w[p0 + 2], nops = w[p0 + 3];
  for (let t = 0; t < nt; t++) for (let f = 0; f < P_TENSOR; f++) L.tensor[f].push(p0 + P_HEADER + P_TENSOR * t + f);
  let at = p0 + P_HEADER + P_TENSOR * nt;
  for (let o = 0; o < nops && at + P_OP_HEADER <= pend; o++) {
    const ni = w[at + 1], no = w[at + 2], np = w[at + 3];
    L.opStart.push(at);
    L.kind.push(at);
    L.count.push(at + 1, at + 2, at + 3);
    for (let k = 0; k < ni + no; k++) L.index.push(at + P_OP_HEADER + k);
    for (let k = 0; k < np; k++) L.param.push(at + P_OP_HEADER + ni + no + k);
    at += P_OP_HEADER + ni + no + np;
  }
  let p = w[W_META];
  L.metaCount.push(p, p + 1);
  const counts = [w[p], w[p + 1]];
  p += 2;
  const names = ['index', 'dtype', 'where', 'offset', 'bytes', 'scale', 'zp', 'rank'];
  for (let l = 0; l < 2; l++) {
    for (let i = 0; i < counts[l]; i++) {
      for (let f = 0; f < 8; f++) L.meta[names[f]].push(p + f);
      const rank = w[p + 7];
      p += 8;
      for (let k = 0; k < rank; k++) L.meta.dim.push(p++);
      L.meta.chars.push(p);
      const chars = w[p++];
      for (let k = 0; k < (chars + 3) >> 2; k++) L.meta.name.push(p++);
    }
  }
  L.metaCount.push(p);
  for (let k = 0; k < 2 * w[p]; k++) L.opTable.push(p + 1 + k);
  return L;
}

/** The packed seeds: every model the planner packs, as its model bytes and section words. */
function packSeeds(tinyml, files) {
  const out = [];
  for (const file of files) {
    const raw = new Uint8Array(fs.readFileSync(file));
    let section;
    try {
      section = tinyml.packSection(raw);
    } catch (e) {
      continue; // a model this runtime cannot plan has no packed form
    }
    const words = new Int32Array(section.buffer, section.byteOffset, section.length >> 2).slice();
    out.push({ file, name: path.basename(file), model: raw, words, layout: layoutOf(words) });
  }
  return out;
}

/** The packed file of a seed (what `tinyml pack` writes). */
function packedFile(seed) {
  return assemble(seed.model, seed.words);
}

function assemble(model, words) {
  const at = align16(model.length);
  const b = new Uint8Array(at + 4 * words.length);
  b.set(model, 0);
  b.set(new Uint8Array(words.buffer, words.byteOffset, 4 * words.length), at);
  return b;
}

const I32 = [0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 17, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, -0x80000000,
  -2, -4, -16, -128, 127, 128, 0x3fffffff, 0x40000000, 0x7ffffff0];
const DTYPES = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 12, 15, 16, 17, 18, 127, -1];

/**
 * One mutated case from a seed: { bytes, section?, ops } (section set when it
 * travels apart from the model). `seeds` is every seed (for grafts), `kinds`
 * the kernel kinds seen in them.
 */
function mutatePacked(seed, seeds, kinds, r) {
  let w = Array.prototype.slice.call(seed.words);
  let model = seed.model;
  const L = seed.layout;
  const ops = [];
  const n0 = w.length;
  let rehash = r.below(100) < 85; // section hash recomputed
  let modelChanged = false, reframe = false, footerFixed = true;
  const value32 = (old) => {
    switch (r.below(10)) {
      case 0: case 1: return r.pick(I32);
      case 2: return old + 1;
      case 3: return old - 1;
      case 4: return old * 2;
      case 5: return old ^ (1 << r.below(32));
      case 6: return old + 16 * (r.below(9) - 4);
      case 7: return r() | 0;
      case 8: return -old;
      default: return old + r.below(9) - 4;
    }
  };
  // Only words that exist: a write far past the end would make a sparse array
  // of up to 2^31 words (a mutated program offset), and gigabytes in Int32Array.from.
  const set = (i, v) => { if (i >= 0 && i < w.length) w[i] = v | 0; };
  const tweak = (list, tag, fn) => {
    if (!list.length) return false;
    const i = r.pick(list);
    set(i, fn ? fn(w[i]) : value32(w[i]));
    ops.push(tag);
    return true;
  };
  const scratch = new DataView(new ArrayBuffer(4));
  const count = 1 + (r.below(3) === 0 ? r.below(3) : 0);
  for (let k = 0; k < count; k++) {
    const what = r.below(100);
    if (what < 6) { // a header word (sizes, offsets, versions, arena figure)
      const i = r.below(HEADER);
      if (i === W_HASH) rehash = false;
      set(i, i === W_ARENA && r.below(2) ? r.pick([0, -1, -16, 1, 63, 0x7fffffff, -0x80000000, w[i] - 1, w[i] >> 1, w[i] * 4]) : value32(w[i]));
      ops.push('hdr' + i);
    } else if (what < 10) { // the program's own header: magic, version, counts, planned bytes, words
      tweak(L.progHeader, 'phdr');
    } else if (what < 22) { // a tensor record: dtype, place, offset, bytes
      const f = r.below(4);
      tweak(L.tensor[f], 'tensor' + f, f === 0 ? () => r.pick(DTYPES)
        : f === 1 ? (old) => r.pick([0, 1, 2, 3, 0x101, 0x102, 0x7f0101, old ^ 0x100, old + (1 << 16), 0x200, -1])
          : null);
    } else if (what < 28) { // an op's kernel kind
      tweak(L.kind, 'kind', () => (r.below(4) ? r.pick(kinds) : r.pick([0, -1, 255, 256, 1000, r.below(300)])));
    } else if (what < 33) { // an op's input / output / param count (misframes the rest)
      tweak(L.count, 'count', (old) => r.pick([old + 1, old - 1, 0, -1, 64, 65, 0x7fffffff, old * 2]));
    } else if (what < 45) { // an op's tensor index, or two swapped
      if (L.index.length && r.below(4) === 0) {
        const a = r.pick(L.index), b = r.pick(L.index);
        const t = w[a]; set(a, w[b]); set(b, t); // set(): in range only (a graft may have shortened w)
        ops.push('swapidx');
      } else {
        tweak(L.index, 'index', () => r.below(L.nt + 5) - 2);
      }
    } else if (what < 60) { // an op parameter (geometry, multipliers, strides, counts)
      tweak(L.param, 'param');
    } else if (what < 74) { // the meta the core reads: I/O tensors, op table
      const keys = ['index', 'dtype', 'where', 'offset', 'bytes', 'scale', 'zp', 'rank', 'dim', 'chars', 'name'];
      const key = r.pick(keys);
      const list = L.meta[key];
      if (key === 'scale' && list.length) {
        const i = r.pick(list);
        scratch.setFloat32(0, r.pick([0, -1, NaN, Infinity, -Infinity, 1e-30, 3.4e38, -0]), true);
        w[i] = scratch.getInt32(0, true);
        ops.push('meta.scale');
      } else if (key === 'where') {
        tweak(list, 'meta.where', () => r.pick([0, 1, 2, 3, -1, 256]));
      } else if (key === 'dtype') {
        tweak(list, 'meta.dtype', () => r.pick(DTYPES));
      } else if (key === 'rank' || key === 'chars') {
        tweak(list, 'meta.' + key, (old) => r.pick([0, 1, old + 1, old - 1, 8, 9, 255, 256, 1000, -1, 0x7fffffff]));
      } else if (!tweak(list, 'meta.' + key)) {
        tweak(L.metaCount.concat(L.opTable), 'meta.count');
      }
      if (r.below(4) === 0) tweak(L.metaCount.concat(L.opTable), 'meta.table');
    } else if (what < 77) { // the footer: section offset, magic
      const i = w.length - 1 - r.below(FOOTER);
      set(i, value32(w[i]));
      footerFixed = false;
      ops.push('footer');
    } else if (what < 84) { // a word inserted into / removed from the program
      const p0 = w[W_PROGRAM], pend = p0 + w[W_PROGRAM_WORDS];
      const at = r.below(3) === 0 && L.opStart.length ? r.pick(L.opStart) + r.below(6) : p0 + r.below(pend - p0 + 1);
      if (r.below(2)) { w.splice(at, 0, r.pick(I32)); ops.push('insert'); } else { w.splice(at, 1); ops.push('delete'); }
      reframe = r.below(4) !== 0; // fix the section's framing (word counts, meta offset) most times
      if (reframe) {
        const d = w.length - n0;
        w[W_PROGRAM_WORDS] += d;
        w[W_META] += d;
        if (r.below(2)) set(w[W_PROGRAM] + 5, w[w[W_PROGRAM] + 5] + d); // the program header's word count too
      }
    } else if (what < 88 && seeds.length > 1) { // another model's program and meta on this model
      const other = r.pick(seeds);
      w = Array.prototype.slice.call(other.words);
      if (r.below(4)) { w[W_MODEL_BYTES] = model.length; w[W_MODEL_HASH] = fnv(model, -1); }
      ops.push('graft:' + other.name.replace(/\.tflite$/, ''));
    } else if (what < 96) { // the model bytes under a valid section
      const m = Buffer.from(model);
      const c = r.below(5);
      if (c < 3) {
        for (let i = 0, n = 1 + r.below(8); i < n; i++) m[r.below(m.length)] = c === 0 ? r() : r.pick([0, 0xff, 0x80, 0x7f]);
        model = m;
      } else if (c === 3) {
        model = m.subarray(0, r.below(m.length));
      } else {
        model = Buffer.concat([m, Buffer.alloc(1 + r.below(64), r.below(256))]);
      }
      modelChanged = true;
      ops.push('model' + c);
    } else { // bit flips anywhere in the section
      for (let i = 0, n = 1 + r.below(6); i < n; i++) { const p = r.below(w.length); w[p] ^= 1 << r.below(32); }
      ops.push('flip');
    }
  }
  if (modelChanged && r.below(2)) { // sometimes re-signed, so the C checks run against the changed model
    w[W_MODEL_BYTES] = model.length;
    w[W_MODEL_HASH] = fnv(model, -1);
    ops.push('modelhash');
  }
  if (w.length !== n0 && (reframe || r.below(2))) w[W_WORDS] = w.length;
  if (footerFixed && w.length >= FOOTER) { w[w.length - 2] = align16(model.length); w[w.length - 1] = MAGIC; }
  const words = Int32Array.from(w);
  const secBytes = new Uint8Array(words.buffer);
  if (rehash && words.length > W_HASH) words[W_HASH] = fnv(secBytes, W_HASH);
  else ops.push('stale');
  let bytes, section;
  if (r.below(4) === 0) { // the section apart from the model
    section = secBytes;
    bytes = r.below(8) === 0 ? assemble(model, words) : new Uint8Array(model);
    ops.push('apart');
    if (r.below(10) === 0) { section = section.subarray(0, r.below(section.length + 1)); ops.push('cut'); }
  } else {
    bytes = assemble(model, words);
    if (r.below(12) === 0) { bytes = bytes.subarray(0, r.below(bytes.length + 1)); ops.push('cut'); }
  }
  return { bytes, section, ops };
}

/** The kernel kinds the seeds' programs use. */
function seedKinds(seeds) {
  const seen = {};
  for (const s of seeds) for (const i of s.layout.kind) seen[s.words[i]] = true;
  return Object.keys(seen).map(Number).sort((a, b) => a - b);
}

module.exports = { fnv, loadCore, layoutOf, packSeeds, packedFile, mutatePacked, seedKinds, assemble };
