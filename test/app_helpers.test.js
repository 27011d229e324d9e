'use strict';
// The app helpers (src/app/index.ts) on Node and on Duktape: the same ES5
// bundle (scripts/app-bundle.js) runs test/app-suite.js on both engines, and
// every result is checked here against an oracle computed independently:
// TFLM golden data (the micro_speech features, the person image bytes,
// QUANTIZE/DEQUANTIZE/RESIZE_NEAREST_NEIGHBOR op outputs), the runtime's
// QUANTIZE/DEQUANTIZE kernels, WAV/BMP bytes read with Node Buffers, and
// reference models of the recognizer, ring buffer and window written here.
// Then the helpers drive the real micro_speech and person_detect models on Node.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const { spawnSync } = require('child_process');
const h = require('./helpers');
const { suite, pipelines } = require('./app-suite');
const { buildAppBundle } = require('../scripts/app-bundle');

const INPUTS = path.join(h.MODELS, 'inputs');
const DUK = path.join(h.ROOT, 'dist', 'tinyml-duk');
const fround = Math.fround;

function inputFile(name) { return h.readBytes(path.join(INPUTS, name)); }
function goldenFile(rel) { return h.readBytes(path.join(h.MODELS, rel)); }
function int8s(u8) { return Array.from(new Int8Array(u8.buffer, u8.byteOffset, u8.length)); }
function int16s(u8) {
  const b = Buffer.from(u8.buffer, u8.byteOffset, u8.length);
  const a = [];
  for (let i = 0; i + 1 < b.length; i += 2) a.push(b.readInt16LE(i));
  return a;
}
function f32bits(values) { return Array.from(new Uint32Array(new Float32Array(values).buffer)); }

function xorshift(seed) {
  let x = seed >>> 0;
  return function () {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return x;
  };
}

// ---------- crafted files ----------

function riff(chunks) {
  const body = Buffer.concat([Buffer.from('WAVE')].concat(chunks));
  const head = Buffer.alloc(8);
  head.write('RIFF', 0);
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}
function chunk(id, data, declared) {
  const head = Buffer.alloc(8);
  head.write(id, 0);
  head.writeUInt32LE(declared === undefined ? data.length : declared, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
}
function fmt(format, channels, rate, bits, extra) {
  const b = Buffer.alloc(16 + (extra || 0));
  b.writeUInt16LE(format, 0);
  b.writeUInt16LE(channels, 2);
  b.writeUInt32LE(rate, 4);
  b.writeUInt32LE(rate * channels * bits / 8, 8);
  b.writeUInt16LE(channels * bits / 8, 12);
  b.writeUInt16LE(bits, 14);
  return chunk('fmt ', b);
}
function pcm(samples) {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => b.writeInt16LE(v, 2 * i));
  return b;
}

const STEREO = [1, -1, 32767, -32768, 1000, -1000, 7, 8];
const WAVS_OK = {
  stereo: riff([fmt(1, 2, 8000, 16), chunk('data', pcm(STEREO))]),
  // an odd-sized LIST chunk (padded) and an extended fmt chunk before the data
  list_chunk: riff([fmt(1, 1, 22050, 16, 2), chunk('LIST', Buffer.from('INFOx')), chunk('data', pcm([5, -6, 7]))]),
};
const WAVS_BAD = {
  not_riff: Buffer.from('RIFX\0\0\0\0WAVEfmt '),
  pcm8: riff([fmt(1, 1, 8000, 8), chunk('data', Buffer.from([1, 2, 3, 4]))]),
  float32: riff([fmt(3, 1, 8000, 32), chunk('data', Buffer.alloc(8))]),
  extensible: riff([fmt(0xfffe, 1, 8000, 16, 24), chunk('data', pcm([1, 2]))]),
  truncated: riff([fmt(1, 1, 8000, 16), chunk('data', pcm([1, 2]), 400)]),
  no_data: riff([fmt(1, 1, 8000, 16)]),
  data_first: riff([chunk('data', pcm([1, 2])), fmt(1, 1, 8000, 16)]),
  half_frame: riff([fmt(1, 2, 8000, 16), chunk('data', pcm([1, 2, 3]))]),
};

// bmp(width, height, bpp, palette [[r,g,b]...] or null, pixel(x, y) -> index or [r,g,b], topDown, opts)
function bmp(width, height, bpp, palette, pixel, topDown, opts) {
  const o = opts || {};
  const stride = Math.floor((width * bpp + 31) / 32) * 4;
  const pal = palette ? palette.length * 4 : 0;
  const dataAt = 54 + pal;
  const b = Buffer.alloc(dataAt + stride * height, 0xee); // padding bytes nonzero on purpose
  b.write('BM', 0);
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(dataAt, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(topDown ? -height : height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(o.bpp || bpp, 28);
  b.writeUInt32LE(o.compression || 0, 30);
  b.writeUInt32LE(stride * height, 34);
  b.writeUInt32LE(palette ? palette.length : 0, 46);
  if (palette) palette.forEach((c, i) => { b[54 + 4 * i] = c[2]; b[55 + 4 * i] = c[1]; b[56 + 4 * i] = c[0]; b[57 + 4 * i] = 0; });
  for (let y = 0; y < height; y++) {
    const row = dataAt + stride * (topDown ? y : height - 1 - y);
    for (let x = 0; x < width; x++) {
      const p = pixel(x, y);
      if (bpp === 8) b[row + x] = p;
      else { b[row + 3 * x] = p[2]; b[row + 3 * x + 1] = p[1]; b[row + 3 * x + 2] = p[0]; }
    }
  }
  return o.truncate ? b.subarray(0, b.length - o.truncate) : b;
}

/** person.bmp's pixels, top row first, read here with Buffer offsets. */
function personGray(name) {
  const b = Buffer.from(inputFile(name || 'person.bmp'));
  assert.strictEqual(b.toString('latin1', 0, 2), 'BM');
  const at = b.readUInt32LE(10), w = b.readInt32LE(18), hgt = b.readInt32LE(22);
  assert.deepStrictEqual([w, hgt, b.readUInt16LE(28)], [96, 96, 8]);
  const out = [];
  for (let y = 0; y < 96; y++) for (let x = 0; x < 96; x++) out.push(b[at + (95 - y) * 96 + x]);
  return out;
}

const RGB = (() => {
  const next = xorshift(77);
  const px = [];
  for (let i = 0; i < 7 * 5; i++) px.push([next() & 255, next() & 255, next() & 255]);
  return px;
})();
const GRAY_PALETTE = []; // index i shows gray 255 - i
for (let i = 0; i < 256; i++) GRAY_PALETTE.push([255 - i, 255 - i, 255 - i]);
const BMPS_OK = {
  rgb24_topdown_7x5: bmp(7, 5, 24, null, (x, y) => RGB[y * 7 + x], true),
  pal8_inverted_5x3: bmp(5, 3, 8, GRAY_PALETTE, (x, y) => (y * 5 + x) * 11, false),
  pal8_colour_3x2: bmp(3, 2, 8, [[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]], (x, y) => (x + y) % 4, false),
};
const BMPS_BAD = {
  not_bmp: Buffer.from('PK\x03\x04' + 'x'.repeat(60), 'latin1'),
  rle8: bmp(4, 4, 8, GRAY_PALETTE, () => 0, false, { compression: 1 }),
  bpp16: bmp(4, 4, 24, null, () => [0, 0, 0], false, { bpp: 16 }),
  truncated: bmp(4, 4, 24, null, () => [1, 2, 3], false, { truncate: 5 }),
  index_past_palette: bmp(4, 1, 8, [[0, 0, 0], [1, 1, 1]], (x) => x, false),
};

// ---------- plan and files for the suite ----------

const Q_MODELS = [
  { model: 'quantize_f32_to_i8', scale: 0.00784313772, zeroPoint: -1, dtype: 9 },
  { model: 'quantize_f32_to_i8_saturating', scale: 0.00352941174, zeroPoint: -43, dtype: 9 },
];
const DQ_MODELS = [
  { model: 'dequantize_i8_to_f32', scale: 0.0196078438, zeroPoint: -26 },
  { model: 'dequantize_i8_to_f32_zpm128', scale: 0.0235294122, zeroPoint: -128 },
];
const PERSON_Q = { scale: 0.007843137718737125, zeroPoint: -1 };
const ALL_INT8 = [];
for (let v = -128; v < 128; v++) ALL_INT8.push(v);

function edgeFloats() {
  const v = [0, -0, NaN, Infinity, -Infinity, 1e30, -1e30, 3.4e38, -3.4e38, 1e-45, -1e-45, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5,
    1, -1, 0.999, -0.999, 300, -300, 40000, -40000];
  for (const q of Q_MODELS) {
    const s = fround(q.scale);
    for (let k = -140; k <= 140; k += 3) {
      const tie = fround((k + 0.5) * s);
      v.push(tie, fround(tie * (1 + 1e-7)), fround(tie * (1 - 1e-7)));
    }
  }
  const next = xorshift(5);
  while (v.length % 48 !== 0) v.push(((next() >>> 8) / (1 << 24) - 0.5) * 4);
  return v;
}

function makePlan() {
  const files = [];
  const names = {};
  function add(name, bytes) { names[name] = files.length; files.push(new Uint8Array(bytes)); }
  add('yes_1000ms', inputFile('yes_1000ms.wav'));
  add('yes_30ms', inputFile('yes_30ms.wav'));
  add('no_30ms', inputFile('no_30ms.wav'));
  add('person', inputFile('person.bmp'));
  add('no_person', inputFile('no_person.bmp'));
  add('yes_features', goldenFile('golden/audio_preprocessor_int8/yes_1000ms_features.output.bin'));
  add('no_features', goldenFile('golden/audio_preprocessor_int8/no_1000ms_features.output.bin'));
  const prng = Array.from(new Float32Array(goldenFile('ops/golden/quantize_f32_to_i8/prng_seed1.input.bin').slice().buffer));
  const floats = prng.concat(edgeFloats());
  add('floats', new Uint8Array(new Float32Array(floats).buffer));
  for (const n of Object.keys(WAVS_OK)) add(n, WAVS_OK[n]);
  for (const n of Object.keys(WAVS_BAD)) add(n, WAVS_BAD[n]);
  for (const n of Object.keys(BMPS_OK)) add(n, BMPS_OK[n]);
  for (const n of Object.keys(BMPS_BAD)) add(n, BMPS_BAD[n]);
  const gray = personGray();
  add('person_rgb24', bmp(96, 96, 24, null, (x, y) => { const g = gray[y * 96 + x]; return [g, g, g]; }, false));
  const nearest = [];
  for (const m of [['resize_nn_i8_up_half_pixel', 4, 3, 2, 7, 5], ['resize_nn_i8_down_half_pixel_7x5_to_3x2', 5, 7, 3, 2, 3]]) {
    for (const c of ['prng_seed1', 'prngzp_seed1']) {
      const rel = 'ops/golden/' + m[0] + '/' + c;
      add(rel, goldenFile(rel + '.input.bin'));
      nearest.push({ input: rel, output: rel + '.output.bin', width: m[1], height: m[2], channels: m[3], dw: m[4], dh: m[5] });
    }
  }

  const next = xorshift(2024);
  const ringOps = [];
  for (let i = 0; i < 120; i++) {
    const r = next() % 10;
    if (r < 3) ringOps.push(['push', (next() % 70000) - 35000]);
    else if (r < 6) {
      const n = next() % 30, off = next() % 4, len = next() % (n + 1);
      const vals = [];
      for (let k = 0; k < n + off; k++) vals.push((next() % 65536) - 32768);
      ringOps.push(['many', vals, off, Math.min(len, vals.length - off)]);
    } else if (r < 8) ringOps.push(['latest', null]);
    else if (r < 9) ringOps.push(['count']);
    else if (i % 3 === 0) ringOps.push(['clear']);
  }

  const ranking = [
    { a: [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], k: 4 },
    { a: [-5, 7, 7, -5, 7, 0], k: 6, type: 'int8' },
    { a: [0.25, -1.5, 0.25, 2.75, 1e-3, 2.75], k: 3, type: 'float32' },
    { a: [9, 1, 2, 3, 8, 9], k: 2, offset: 1, length: 4 },
    { a: [4, 4], k: 5 },
  ];
  const rn = xorshift(99);
  const big = [];
  for (let i = 0; i < 40; i++) big.push((rn() % 21) - 10);
  ranking.push({ a: big, k: 7, type: 'int8' });

  const plan = {
    files: names,
    ring: { capacity: 17, ops: ringOps },
    framer: { size: 480, hop: 320, chunks: [320, 100, 7, 1000, 1, 479, 2000] },
    quant: [],
    ranking: ranking,
    recognizer: recognizerCases(),
    wavOk: ['yes_1000ms', 'yes_30ms', 'no_30ms'].concat(Object.keys(WAVS_OK)),
    wavBad: Object.keys(WAVS_BAD),
    bmpOk: ['person', 'no_person', 'person_rgb24'].concat(Object.keys(BMPS_OK)),
    bmpBad: Object.keys(BMPS_BAD),
    rgbPixels: [].concat.apply([], RGB),
    bilinear: [
      { x: 0, y: 0, w: 96, h: 96, dw: 37, dh: 53, channels: 1 },
      { x: 10, y: 5, w: 80, h: 70, dw: 96, dh: 96, channels: 1 },
      { x: 3, y: 7, w: 17, h: 11, dw: 50, dh: 5, channels: 3 },
      { x: 0, y: 0, w: 96, h: 96, dw: 1, dh: 1, channels: 1 },
    ],
    nearest: nearest,
    // 96 -> 37: destination column 18 maps to 47.99999... in float32 (48 in doubles): TFLM picks 47.
    nearestRegions: [
      { x: 40, y: 30, w: 10, h: 10, dw: 3, dh: 3 },
      { x: 0, y: 0, w: 96, h: 96, dw: 37, dh: 53 },
      { x: 1, y: 2, w: 95, h: 90, dw: 200, dh: 7 },
    ],
    person: PERSON_Q,
  };
  for (const q of Q_MODELS) plan.quant.push({ scale: q.scale, zeroPoint: q.zeroPoint, dtype: q.dtype, ints: ALL_INT8 });
  plan.quant.push({ scale: 1 / 255, zeroPoint: 0, dtype: 3, ints: [0, 1, 128, 255] });
  plan.quant.push({ scale: 1 / 4096, zeroPoint: 0, dtype: 7, ints: [-32768, -1, 0, 1, 32767] });
  plan.quant.push({ scale: 0.001, zeroPoint: 3, dtype: 7, ints: [-32768, 3, 32767] });
  for (const q of DQ_MODELS) plan.quant.push({ scale: q.scale, zeroPoint: q.zeroPoint, dtype: 9, ints: ALL_INT8 });
  // latest(n) asks for a random n that is valid at that point (the reference decides).
  let held = 0;
  for (const op of ringOps) {
    if (op[0] === 'push') held = Math.min(17, held + 1);
    else if (op[0] === 'many') held = Math.min(17, held + op[3]);
    else if (op[0] === 'clear') held = 0;
    else if (op[0] === 'latest') op[1] = held === 0 ? 0 : next() % (held + 1);
  }
  // files[0] is the plan itself.
  for (const k of Object.keys(names)) names[k] += 1;
  files.unshift(new Uint8Array(Buffer.from(JSON.stringify(plan))));
  return { plan, files, floats };
}

// ---------- recognizer ----------

const SPEECH = ['silence', 'unknown', 'yes', 'no'];
function scores(label, high, low) {
  const s = [low === undefined ? -128 : low, low === undefined ? -128 : low, low === undefined ? -128 : low, low === undefined ? -128 : low];
  s[SPEECH.indexOf(label)] = high;
  return s;
}

// Scripted by hand; the expected rows are derived from the semantics in the
// comments, not from running the code. Row: [command, index, score, isNew, heard].
const SCRIPTED = [
  [0, scores('yes', 127), ['silence', 0, 0, false, '']], // 1 result < minimumCount 3
  [20, scores('yes', 127), ['silence', 0, 0, false, '']],
  [40, scores('yes', 127), ['silence', 0, 0, false, '']], // 3 results but span 40 ms < 1000/4
  [260, scores('yes', 127), ['yes', 2, 255, true, 'yes']], // span 260: mean 255 > 200, yes != silence
  [280, scores('yes', 127), ['yes', 2, 255, false, '']], // same label 20 ms later: suppressed
  [1300, scores('no', 127), ['yes', 2, 0, false, '']], // everything before 300 forgotten: 1 result
  [1320, scores('no', 127), ['yes', 2, 0, false, '']],
  [1340, scores('no', 127), ['yes', 2, 0, false, '']],
  [1560, scores('no', 127), ['no', 3, 255, true, 'no']], // a different label is new at once
  [1580, scores('no', 127), ['no', 3, 255, false, '']],
  [3000, scores('no', 127), ['no', 3, 0, false, '']],
  [3020, scores('no', 127), ['no', 3, 0, false, '']],
  [3040, scores('no', 127), ['no', 3, 0, false, '']],
  [3260, scores('no', 127), ['no', 3, 255, true, 'no']], // same label 1700 ms > 1500 after the last: new
  [3280, scores('silence', 127), ['no', 3, 204, false, '']], // means: no (4*255+0)/5=204, silence 51
  [3300, scores('silence', 127), ['no', 3, 170, false, '']], // no 1020/6=170 not above 200
  [3320, scores('silence', 127), ['no', 3, 145, false, '']], // no 1020/7=145.7 -> 145 (silence 382/7 -> 109)
];
// Threshold and rounding: 4 results with yes+128 = 200 average exactly 200 (not above 200).
const THRESHOLD = [
  [0, scores('yes', 72, -128), ['silence', 0, 0, false, '']],
  [100, scores('yes', 72, -128), ['silence', 0, 0, false, '']],
  [200, scores('yes', 72, -128), ['silence', 0, 0, false, '']],
  [300, scores('yes', 72, -128), ['yes', 2, 200, false, '']],
  [400, scores('yes', 74, -128), ['yes', 2, 200, false, '']], // (800+202)/5 = 200.4 -> 200
  [500, scores('yes', 127, -128), ['yes', 2, 209, true, 'yes']], // (1002+255)/6 = 209.5 -> 209
  [600, [127, -128, -128, -128], ['yes', 2, 179, false, '']], // yes 1257/7 = 179; silence 255/7 = 36
];
// Label 0 never suppresses: after a silence detection, silence is new every time (heard() stays quiet).
const SILENCE = [
  [0, scores('silence', 127), ['silence', 0, 0, false, '']],
  [100, scores('silence', 127), ['silence', 0, 0, false, '']],
  [300, scores('silence', 127), ['silence', 0, 255, true, '']],
  [400, scores('silence', 127), ['silence', 0, 255, true, '']],
  [500, [-128, -128, 127, 127], ['silence', 0, 204, true, '']], // silence 1020/5=204; yes/no 51
];
// Ties go to the first label; a 300 ms window with minimumCount 2 and suppression 0.
const TIES = [
  [0, [-128, -128, 127, 127], ['silence', 0, 0, false, '']],
  [80, [-128, -128, 127, 127], ['yes', 2, 255, true, 'yes']], // span 80 >= 300/4 = 75
  [81, [-128, -128, 127, 127], ['yes', 2, 255, true, 'yes']], // 1 ms > suppression 0
  [81, [-128, -128, 127, 127], ['yes', 2, 255, false, '']], // 0 ms is not > 0
];

function recognizerCases() {
  const cases = [
    { labels: SPEECH, steps: SCRIPTED.map((s) => [s[0]].concat(s[1])) },
    { labels: SPEECH, steps: THRESHOLD.map((s) => [s[0]].concat(s[1])) },
    { labels: SPEECH, steps: SILENCE.map((s) => [s[0]].concat(s[1])) },
    { labels: SPEECH, options: { averageWindowMs: 300, minimumCount: 2, suppressionMs: 0 }, steps: TIES.map((s) => [s[0]].concat(s[1])) },
  ];
  // Random streams for the reference model: bursts of one label over noise.
  const options = [{}, { averageWindowMs: 500, detectionThreshold: 150, suppressionMs: 700, minimumCount: 2, maxResults: 12 },
    { detectionThreshold: 0, minimumCount: 0, averageWindowMs: 0 }, { quiet: ['no'] }];
  for (let c = 0; c < options.length; c++) {
    const next = xorshift(31 + c);
    const steps = [];
    let t = 0, label = 0;
    for (let i = 0; i < 400; i++) {
      t += [0, 20, 20, 20, 30, 100, 450][next() % 7];
      if (next() % 25 === 0) label = next() % 4;
      const s = [];
      for (let k = 0; k < 4; k++) s.push(k === label ? 127 - (next() % 90) : -128 + (next() % 100));
      steps.push([t].concat(s));
    }
    cases.push({ labels: SPEECH, options: options[c], steps: steps });
  }
  return cases;
}

/** The recognizer's semantics, recomputed from the whole history at every step. */
function referenceRecognizer(labels, options, steps) {
  const o = Object.assign({ averageWindowMs: 1000, detectionThreshold: 200, suppressionMs: 1500, minimumCount: 3, maxResults: 50, quiet: ['silence', 'unknown'] }, options || {});
  const history = [];
  let last = 0, lastTime = null;
  const rows = [];
  for (const s of steps) {
    const t = s[0];
    history.push({ t: t, scores: s.slice(1) });
    let kept = history.filter((r) => r.t >= t - o.averageWindowMs);
    kept = kept.slice(Math.max(0, kept.length - o.maxResults));
    // results dropped for room stay dropped: the window only ever shrinks from the front
    const firstKept = history.indexOf(kept[0]);
    history.splice(0, firstKept);
    if (kept.length < o.minimumCount || t - kept[0].t < Math.floor(o.averageWindowMs / 4)) {
      rows.push([labels[last], last, 0, false, false, '']);
      continue;
    }
    const means = labels.map((_, i) => Math.floor(kept.reduce((a, r) => a + r.scores[i] + 128, 0) / kept.length));
    const topScore = Math.max(0, ...means);
    const top = topScore === 0 ? 0 : means.indexOf(topScore);
    const since = lastTime === null || last === 0 ? Infinity : t - lastTime;
    let isNew = false;
    if (topScore > o.detectionThreshold && (top !== last || since > o.suppressionMs)) {
      last = top;
      lastTime = t;
      isNew = true;
    }
    rows.push([labels[top], top, topScore, isNew, isNew, isNew && o.quiet.indexOf(labels[top]) < 0 ? labels[top] : '']);
  }
  return rows;
}

// ---------- quantization oracles ----------

/** TFLM's AffineQuantize written with Math.fround (float32 division, roundf, saturation). */
function refQuantize(x, scale, zp, dtype) {
  const q = fround(fround(x) / fround(scale));
  const r = q !== q ? 0 : q < 0 ? -Math.floor(-q + 0.5) : Math.floor(q + 0.5);
  const lo = dtype === 9 ? -128 : dtype === 3 ? 0 : -32768, hi = dtype === 9 ? 127 : dtype === 3 ? 255 : 32767;
  return Math.min(hi, Math.max(lo, r + zp));
}

/** A single-op model run through the runtime on `values`, 48 at a time (the op models are [1,4,4,3]). */
function runOpModel(name, values) {
  const tm = h.tinyml();
  const m = new tm.Interpreter(h.readBytes(path.join(h.MODELS, 'ops', name + '.tflite')));
  m.allocateTensors();
  const out = [];
  for (let p = 0; p < values.length; p += 48) {
    const inp = m.input(0);
    assert.strictEqual(inp.length, 48);
    for (let i = 0; i < 48; i++) inp[i] = p + i < values.length ? values[p + i] : 0;
    m.invoke();
    const o = m.output(0);
    for (let i = 0; i < 48 && p + i < values.length; i++) out.push(o[i]);
  }
  return out;
}

// ---------- running the suite ----------

function pack(files) {
  const parts = [];
  const head = Buffer.alloc(4);
  head.writeUInt32LE(files.length, 0);
  parts.push(head);
  let at = 4;
  for (const f of files) {
    const len = Buffer.alloc(4);
    len.writeUInt32LE(f.length, 0);
    parts.push(len);
    at += 4;
    const pad = (16 - (at % 16)) % 16; // each file starts 16-aligned: models and WAV views need it
    parts.push(Buffer.alloc(pad));
    at += pad;
    parts.push(Buffer.from(f));
    at += f.length;
  }
  return Buffer.concat(parts);
}

// ES5 glue for the Duktape runner: tinyml.runFrames(pack) -> JSON bytes of suite(tinymlApp, files).
const GLUE = '\n;(function (g) {\n' +
  '  var suite = ' + suite.toString() + ';\n' +
  '  function unpack(b) {\n' +
  '    function u32(p) { return b[p] + b[p + 1] * 256 + b[p + 2] * 65536 + b[p + 3] * 16777216; }\n' +
  '    var n = u32(0), at = 4, files = [];\n' +
  '    for (var i = 0; i < n; i++) { var len = u32(at); at += 4; at += (16 - at % 16) % 16; files.push(b.subarray(at, at + len)); at += len; }\n' +
  '    return files;\n' +
  '  }\n' +
  '  g.tinyml = { runFrames: function (model) {\n' +
  '    var s = JSON.stringify(suite(g.tinymlApp, unpack(model))), u = new Uint8Array(s.length);\n' +
  '    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255;\n' +
  '    return u;\n' +
  '  } };\n' +
  '})(this);\n';

function pipelineGlue() {
  return '\n;(function (g) {\n' +
    '  var pipelines = ' + pipelines.toString() + ';\n' +
    '  var rt = g.tinyml;\n' +
    '  function unpack(b) {\n' +
    '    function u32(p) { return b[p] + b[p + 1] * 256 + b[p + 2] * 65536 + b[p + 3] * 16777216; }\n' +
    '    var n = u32(0), at = 4, files = [];\n' +
    '    for (var i = 0; i < n; i++) { var len = u32(at); at += 4; at += (16 - at % 16) % 16; files.push(b.subarray(at, at + len)); at += len; }\n' +
    '    return files;\n' +
    '  }\n' +
    '  g.tinyml = { runFrames: function (model) {\n' +
    '    var s = JSON.stringify(pipelines(rt, g.tinymlApp, unpack(model))), u = new Uint8Array(s.length);\n' +
    '    for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255;\n' +
    '    return u;\n' +
    '  } };\n' +
    '})(this);\n';
}

describe('app helpers (src/app)', function () {
  this.timeout(300000);
  const ctx = {};

  before(async function () {
    ctx.tmp = h.tmpDir();
    ctx.bundleFile = path.join(ctx.tmp, 'tinyml.app.js');
    await buildAppBundle(ctx.bundleFile);
    ctx.bundle = fs.readFileSync(ctx.bundleFile, 'utf8');
    const sandbox = {};
    vm.runInNewContext(ctx.bundle, sandbox);
    ctx.app = sandbox.tinymlApp;
    const made = makePlan();
    ctx.plan = made.plan;
    ctx.files = made.files;
    ctx.floats = made.floats;
    ctx.results = {};
    // Node: the bundle in a fresh context; the suite's JSON round trip as on Duktape.
    ctx.results.node = JSON.parse(JSON.stringify(suite(ctx.app, ctx.files)));
    if (fs.existsSync(DUK)) {
      const script = path.join(ctx.tmp, 'duk-suite.js');
      fs.writeFileSync(script, ctx.bundle + GLUE);
      const packFile = path.join(ctx.tmp, 'pack.bin');
      fs.writeFileSync(packFile, pack(ctx.files));
      const outFile = path.join(ctx.tmp, 'duk-out.json');
      const r = spawnSync(DUK, [script, packFile, packFile, outFile, '1', '0'], { encoding: 'utf8', timeout: 240000 });
      ctx.dukError = r.status === 0 ? null : 'tinyml-duk exited ' + r.status + ': ' + r.stderr;
      if (!ctx.dukError) ctx.results.duktape = JSON.parse(fs.readFileSync(outFile, 'latin1'));
    } else {
      ctx.dukError = DUK + ' is missing: run `npm run build` (needs Debian duktape-dev: apt-get install duktape-dev)';
    }
  });

  describe('bundle', function () {
    it('is ES5 (es-check) and reports its minified size', function () {
      const esCheck = path.join(h.ROOT, 'node_modules', 'es-check', 'lib', 'cli', 'index.js');
      const r = spawnSync(process.execPath, [esCheck, 'es5', ctx.bundleFile], { encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stdout + r.stderr);
      const size = fs.statSync(ctx.bundleFile).size;
      console.log('      app helpers bundle: ' + size + ' bytes minified ES5');
      assert.ok(size < 24 * 1024, size + ' bytes');
    });
  });

  for (const engine of ['node', 'duktape']) {
    describe('on ' + engine, function () {
      let R;
      before(function () {
        if (engine === 'duktape' && ctx.dukError) throw new Error(ctx.dukError);
        R = ctx.results[engine];
      });
      function ok(name) {
        assert.ok(R[name] && !R[name].threw, name + ' threw: ' + (R[name] && R[name].threw));
        return R[name];
      }

      it('RingBuffer: latest/count/written match a full-history model (int16 wrapping), Float32 storage', function () {
        const res = ok('ring');
        const want = [];
        let hist = [], written = 0;
        const cap = ctx.plan.ring.capacity;
        for (const op of ctx.plan.ring.ops) {
          if (op[0] === 'push') { hist.push(op[1]); written++; }
          else if (op[0] === 'many') { hist = hist.concat(op[1].slice(op[2], op[2] + op[3])); written += op[3]; }
          else if (op[0] === 'clear') { hist = []; written = 0; }
          else if (op[0] === 'count') want.push([Math.min(cap, hist.length), written]);
          else want.push([0].concat(Array.from(new Int16Array(hist.slice(hist.length - op[1]))), [0]));
        }
        assert.deepStrictEqual(res, want);
        assert.deepStrictEqual(ok('ringHigh'), want, 'storage past byte 65535 (plain loops)');
        assert.deepStrictEqual(ok('ringFloat'), { capacity: 4, latest: f32bits([3.75, 1e-3, 2.5, -7].slice(1).concat([0.125])) });
        assert.deepStrictEqual(ok('ringErrors'), ['E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT']);
      });

      it('Framer: yes_1000ms.wav streamed in odd chunks gives the 49 windows TFLM fed the preprocessor', function () {
        const res = ok('framer');
        const golden = int16s(goldenFile('golden/audio_preprocessor_int8/yes_1000ms_features.input.bin'));
        assert.strictEqual(golden.length, 49 * 480);
        assert.strictEqual(res.frames, 49);
        assert.strictEqual(res.count, 49);
        assert.strictEqual(h.firstDiff(res.streamed, golden), -1);
        assert.strictEqual(h.firstDiff(res.cut, golden), -1);
        assert.strictEqual(res.clearedFrames, 0);
        assert.deepStrictEqual(res.errors, ['E_BAD_STATE', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT']);
        const hop = ok('framerHop');
        hop.cases.forEach((c, k) => {
          const size = c[0], step = c[1], want = [];
          for (let start = 0; start + size <= hop.src.length; start += step) want.push(hop.src.slice(start, start + size));
          assert.deepStrictEqual(hop.frames[k], want, 'size ' + size + ' hop ' + step);
        });
      });

      it('SlidingWindow: 49 golden feature rows read out equal micro_speech\'s golden input; time order after more rows', function () {
        const res = ok('window');
        const yes = int8s(goldenFile('golden/audio_preprocessor_int8/yes_1000ms_features.output.bin'));
        const no = int8s(goldenFile('golden/audio_preprocessor_int8/no_1000ms_features.output.bin'));
        const microInput = int8s(goldenFile('golden/micro_speech_int8/yes_1000ms.input.bin'));
        assert.strictEqual(microInput.length, 1960);
        assert.deepStrictEqual(res.partial, { count: 3, full: false });
        assert.deepStrictEqual(res.full49, [0].concat(microInput, [0]));
        assert.strictEqual(res.fullFlag, true);
        const shifted = yes.slice(400).concat(no.slice(0, 400));
        assert.deepStrictEqual(res.shifted, [0, 0].concat(shifted));
        assert.deepStrictEqual(res.ordered, shifted);
        assert.deepStrictEqual(res.orderedCopy, shifted);
        assert.deepStrictEqual(res.orderedHigh, shifted, 'ordered storage past byte 65535');
        assert.deepStrictEqual(res.circularHigh, shifted, 'circular storage past byte 65535');
        assert.deepStrictEqual(res.pushed, [59, 49]);
        assert.deepStrictEqual(res.fill, [-128, -128, -128, -128, -128, -128, 1, 2, 3, 4, 5, 6]);
        assert.deepStrictEqual(res.cleared, new Array(12).fill(-128).concat([0]));
        assert.deepStrictEqual(res.errors, ['E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT']);
      });

      it('quantize: TFLM QUANTIZE golden outputs, and the QUANTIZE kernel on ties/NaN/inf/saturation', function () {
        const res = ok('quant');
        const n = ctx.floats.length;
        for (let c = 0; c < Q_MODELS.length; c++) {
          const q = Q_MODELS[c], got = res.cases[c];
          const golden = int8s(goldenFile('ops/golden/' + q.model + '/prng_seed1.output.bin'));
          assert.deepStrictEqual(got.array.slice(0, 48), golden, q.model + ' golden');
          const kernel = runOpModel(q.model, ctx.floats);
          assert.strictEqual(h.firstDiff(got.array, kernel), -1, q.model + ' vs the QUANTIZE kernel');
          assert.deepStrictEqual(got.scalar, got.array);
          assert.strictEqual(got.array.length, n);
        }
        ctx.plan.quant.forEach((q, c) => {
          assert.deepStrictEqual(res.cases[c].dequant, f32bits(q.ints.map((v) => fround(q.scale) * (v - q.zeroPoint))), 'dequantize case ' + c);
        });
        // uint8 and int16 have no op model: the fround formula of TFLM's AffineQuantize.
        for (let c = Q_MODELS.length; c < Q_MODELS.length + 3; c++) {
          const q = ctx.plan.quant[c], got = res.cases[c];
          assert.deepStrictEqual(got.array, ctx.floats.map((x) => refQuantize(x, q.scale, q.zeroPoint, q.dtype)), 'dtype ' + q.dtype);
          assert.deepStrictEqual(got.scalar, got.array);
          assert.deepStrictEqual(got.dequant, f32bits(q.ints.map((v) => fround(q.scale) * (v - q.zeroPoint))));
          assert.deepStrictEqual(got.dequantScalar, got.dequant);
        }
        assert.ok(res.cases[3].array.indexOf(32767) >= 0 && res.cases[3].array.indexOf(-32768) >= 0, 'int16 saturates');
        for (let d = 0; d < DQ_MODELS.length; d++) {
          const q = DQ_MODELS[d], got = res.cases[Q_MODELS.length + 3 + d];
          for (const c of ['prng_seed1', 'prngzp_seed1']) {
            const ins = int8s(goldenFile('ops/golden/' + q.model + '/' + c + '.input.bin'));
            const outs = Array.from(new Uint32Array(goldenFile('ops/golden/' + q.model + '/' + c + '.output.bin').slice().buffer));
            assert.deepStrictEqual(ins.map((v) => got.dequant[v + 128]), outs, q.model + ' ' + c + ' golden');
          }
          assert.deepStrictEqual(got.dequant, f32bits(runOpModel(q.model, ALL_INT8)), q.model + ' vs the DEQUANTIZE kernel');
          assert.deepStrictEqual(got.dequantScalar, got.dequant);
        }
        assert.deepStrictEqual(res.offsets, [0, 0, 2, 3, 4, 0]);
        assert.deepStrictEqual(res.errors, ['E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT']);
      });

      it('argmax and topK agree with a stable sort (ties: earlier index first)', function () {
        const res = ok('ranking');
        ctx.plan.ranking.forEach((t, c) => {
          const off = t.offset || 0, len = t.length === undefined ? t.a.length - off : t.length;
          const vals = (t.type === 'int8' ? Array.from(new Int8Array(t.a)) : t.type === 'float32' ? Array.from(new Float32Array(t.a)) : t.a).slice(off, off + len);
          const order = vals.map((v, i) => i).sort((a, b) => vals[b] - vals[a] || a - b);
          const k = Math.min(t.k, len);
          assert.deepStrictEqual(res.cases[c], {
            argmax: order[0], n: k, indices: order.slice(0, k), values: f32bits(order.slice(0, k).map((i) => vals[i])),
          }, 'case ' + c);
        });
        assert.deepStrictEqual(res.errors, ['E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT']);
      });

      it('CommandRecognizer: hand-derived detections (window, minimum count, threshold, suppression, silence, ties)', function () {
        const res = ok('recognizer');
        [SCRIPTED, THRESHOLD, SILENCE, TIES].forEach((script, c) => {
          const got = res.cases[c];
          script.forEach((s, k) => {
            const w = s[2];
            assert.deepStrictEqual(got[k], [w[0], w[1], w[2], w[3], w[3], w[4]], 'case ' + c + ' step ' + k + ' (t=' + s[0] + ')');
          });
          assert.deepStrictEqual(got[script.length], ['silence', 0, 0, false], 'after reset');
        });
        assert.deepStrictEqual(res.errors, ['E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT']);
      });

      it('CommandRecognizer: 4 random 400-step streams equal the reference model (incl. a full history)', function () {
        const res = ok('recognizer');
        let detections = 0;
        for (let c = 4; c < ctx.plan.recognizer.length; c++) {
          const t = ctx.plan.recognizer[c];
          const want = referenceRecognizer(t.labels, t.options, t.steps);
          const got = res.cases[c].slice(0, t.steps.length);
          for (let k = 0; k < want.length; k++) assert.deepStrictEqual(got[k], want[k], 'case ' + c + ' step ' + k);
          detections += want.filter((r) => r[3]).length;
        }
        assert.ok(detections > 20, 'the streams detect something: ' + detections);
      });

      it('readWav: the shared WAVs equal their bytes read with Buffer; crafted stereo/LIST files; coded errors', function () {
        const res = ok('wav');
        for (const name of ['yes_1000ms', 'yes_30ms', 'no_30ms']) {
          const b = Buffer.from(inputFile(name + '.wav'));
          const at = b.indexOf('data') + 8;
          const want = int16s(b.subarray(at, at + b.readUInt32LE(at - 4)));
          assert.strictEqual(want.length, name === 'yes_1000ms' ? 16000 : 480);
          assert.deepStrictEqual(res[name], { sampleRate: b.readUInt32LE(24), channels: 1, bits: 16, samples: want }, name);
          assert.strictEqual(b.readUInt32LE(24), 16000);
        }
        assert.deepStrictEqual(res.stereo, { sampleRate: 8000, channels: 2, bits: 16, samples: STEREO });
        assert.deepStrictEqual(res.list_chunk, { sampleRate: 22050, channels: 1, bits: 16, samples: [5, -6, 7] });
        assert.deepStrictEqual(res.oddOffset, res.yes_30ms.samples);
        assert.deepStrictEqual(res.copy, res.yes_30ms.samples);
        assert.strictEqual(res.viewShares, true, 'an aligned file gives a view');
        assert.strictEqual(res.copyShares, false, 'copy=true copies');
        const want = {};
        for (const n of Object.keys(WAVS_BAD)) want[n] = 'E_BAD_INPUT';
        assert.deepStrictEqual(res.errors, want);
      });

      it('readBmp: person/no_person equal the golden model inputs (PIL bytes); 24-bit, top-down, padded, palettes; coded errors', function () {
        const res = ok('bmp');
        for (const name of ['person', 'no_person']) {
          const golden = Array.from(goldenFile('golden/person_detect_int8/' + name + '.input.bin'));
          assert.deepStrictEqual(res[name], { width: 96, height: 96, channels: 1, data: golden }, name);
          assert.deepStrictEqual(res[name].data, personGray(name + '.bmp'));
        }
        const gray = personGray();
        assert.deepStrictEqual(res.person_rgb24, { width: 96, height: 96, channels: 3, data: [].concat.apply([], gray.map((g) => [g, g, g])) });
        assert.deepStrictEqual(res.rgb24_topdown_7x5, { width: 7, height: 5, channels: 3, data: [].concat.apply([], RGB) });
        const inv = [];
        for (let i = 0; i < 15; i++) inv.push(255 - i * 11);
        assert.deepStrictEqual(res.pal8_inverted_5x3, { width: 5, height: 3, channels: 1, data: inv });
        const pal = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]];
        assert.deepStrictEqual(res.pal8_colour_3x2, { width: 3, height: 2, channels: 3, data: [].concat.apply([], [0, 1, 2, 1, 2, 3].map((i) => pal[i])) });
        const want = {};
        for (const n of Object.keys(BMPS_BAD)) want[n] = 'E_BAD_INPUT';
        assert.deepStrictEqual(res.errors, want);
      });

      it('image: nearest equals TFLM RESIZE_NEAREST_NEIGHBOR (half-pixel) golden outputs', function () {
        const res = ok('image');
        ctx.plan.nearest.forEach((n, k) => {
          assert.deepStrictEqual(res.nearest[k], int8s(goldenFile(n.output)), n.output);
        });
        assert.deepStrictEqual(res.nearestIdentity, personGray());
        // TFLM's GetNearestNeighbor (half_pixel_centers) with Math.fround for its float32 arithmetic.
        const g = personGray();
        const pick = (o, inSize, outSize) => Math.max(0, Math.min(Math.floor(fround((o + 0.5) * fround(inSize / outSize))), inSize - 1));
        ctx.plan.nearestRegions.forEach((t, k) => {
          const want = [];
          for (let oy = 0; oy < t.dh; oy++) for (let ox = 0; ox < t.dw; ox++) {
            want.push(g[(t.y + pick(oy, t.h, t.dh)) * 96 + t.x + pick(ox, t.w, t.dw)]);
          }
          assert.deepStrictEqual(res.nearestRegions[k], want, 'region ' + k);
        });
        assert.strictEqual(pick(18, 96, 37), 47, 'the float32 case the second region exercises');
      });

      it('image: bilinear (2x2 block means, the TF half-pixel formula, identity), crop, rgbToGray, gray to int8/quantized', function () {
        const res = ok('image');
        const g = personGray();
        const half = [];
        for (let y = 0; y < 48; y++) for (let x = 0; x < 48; x++) {
          const s = g[2 * y * 96 + 2 * x] + g[2 * y * 96 + 2 * x + 1] + g[(2 * y + 1) * 96 + 2 * x] + g[(2 * y + 1) * 96 + 2 * x + 1];
          half.push((s + 2) >> 2);
        }
        assert.deepStrictEqual(res.half, half);
        assert.deepStrictEqual(res.bilinearIdentity, g);
        // TF's bilinear with half-pixel centres in doubles; a value within 1e-9 of a .5 tie may round either way.
        ctx.plan.bilinear.forEach((t, k) => {
          const src = t.channels === 1 ? g : [].concat.apply([], g.map((v) => [v, v, v]));
          const got = res.bilinear[k];
          let i = 0;
          for (let oy = 0; oy < t.dh; oy++) for (let ox = 0; ox < t.dw; ox++) for (let c = 0; c < t.channels; c++, i++) {
            const iy = Math.min(Math.max((oy + 0.5) * t.h / t.dh - 0.5, 0), t.h - 1);
            const ix = Math.min(Math.max((ox + 0.5) * t.w / t.dw - 0.5, 0), t.w - 1);
            const y0 = Math.floor(iy), x0 = Math.floor(ix), y1 = Math.min(y0 + 1, t.h - 1), x1 = Math.min(x0 + 1, t.w - 1);
            const p = (yy, xx) => src[((t.y + yy) * 96 + t.x + xx) * t.channels + c];
            const top = p(y0, x0) + (p(y0, x1) - p(y0, x0)) * (ix - x0);
            const bot = p(y1, x0) + (p(y1, x1) - p(y1, x0)) * (ix - x0);
            const v = top + (bot - top) * (iy - y0);
            const frac = v - Math.floor(v);
            if (Math.abs(frac - 0.5) < 1e-9) assert.ok(got[i] === Math.floor(v) || got[i] === Math.ceil(v), 'tie');
            else assert.strictEqual(got[i], Math.floor(v + 0.5), 'bilinear ' + k + ' pixel ' + i + ' (' + v + ')');
          }
          assert.strictEqual(i, got.length);
        });
        const crop = [];
        for (let y = 20; y < 60; y++) for (let x = 10; x < 40; x++) crop.push(g[y * 96 + x]);
        assert.deepStrictEqual(res.crop, crop);
        assert.deepStrictEqual(res.rgbToGray, g, 'gray R=G=B stays itself');
        RGB.forEach((p, i) => {
          const y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
          assert.ok(Math.abs(res.colourGray[i] - y) <= 0.5 + 1e-3, 'luma ' + i + ': ' + res.colourGray[i] + ' vs ' + y);
        });
        assert.deepStrictEqual(res.grayToInt8, g.map((v) => v - 128));
        assert.deepStrictEqual(res.grayToQuantized, g.map((v) => refQuantize(-1 + v * 2 / 255, PERSON_Q.scale, PERSON_Q.zeroPoint, 9)));
        assert.deepStrictEqual(res.grayToUint8, g.map((v) => refQuantize(v / 255, 1 / 255, 0, 3)));
        assert.deepStrictEqual(res.errors, ['E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT', 'E_BAD_INPUT']);
      });
    });
  }

  describe('around the real models', function () {
    const CLIPS = ['yes', 'no', 'silence', 'noise'];
    const WANT_HEARD = { yes: ['yes'], no: ['no'], silence: [], noise: [] };
    function pipelineFiles() {
      return ['audio_preprocessor_int8.tflite', 'micro_speech_int8.tflite', 'person_detect_int8.tflite'].map((f) => h.readBytes(path.join(h.MODELS, f)))
        .concat(CLIPS.map((c) => inputFile(c + '_1000ms.wav')), [inputFile('person.bmp'), inputFile('no_person.bmp')]);
    }
    before(function () {
      const files = pipelineFiles();
      ctx.pipes = { node: JSON.parse(JSON.stringify(pipelines(h.tinyml(), ctx.app, files))) };
      if (ctx.dukError) return;
      const script = path.join(ctx.tmp, 'duk-pipelines.js');
      fs.writeFileSync(script, fs.readFileSync(path.join(h.ROOT, 'dist', 'tinyml.device.js'), 'utf8') + '\n' + ctx.bundle + pipelineGlue());
      const packFile = path.join(ctx.tmp, 'pipes.bin');
      fs.writeFileSync(packFile, pack(files));
      const outFile = path.join(ctx.tmp, 'duk-pipes.json');
      const r = spawnSync(DUK, [script, packFile, packFile, outFile, '1', '0'], { encoding: 'utf8', timeout: 240000 });
      if (r.status !== 0) ctx.pipesError = 'tinyml-duk exited ' + r.status + ': ' + r.stderr;
      else ctx.pipes.duktape = JSON.parse(fs.readFileSync(outFile, 'latin1'));
    });

    for (const engine of ['node', 'duktape']) {
      it('micro_speech on ' + engine + ': 20 ms at a time through Framer, the preprocessor, SlidingWindow, the model and CommandRecognizer', function () {
        if (engine === 'duktape' && (ctx.dukError || ctx.pipesError)) throw new Error(ctx.dukError || ctx.pipesError);
        const got = ctx.pipes[engine].speech;
        CLIPS.forEach((clip, c) => {
          // The first full window is the 49 rows TFLM computed, and so are its scores.
          assert.deepStrictEqual(got[c].firstWindow, int8s(goldenFile('golden/audio_preprocessor_int8/' + clip + '_1000ms_features.output.bin')), clip + ' features');
          assert.deepStrictEqual(got[c].firstScores, int8s(goldenFile('golden/micro_speech_int8/' + clip + '_1000ms.output.bin')), clip + ' scores');
          assert.strictEqual(got[c].inferences, 51, clip);
          assert.deepStrictEqual(got[c].heard.map((x) => x.split('@')[0]), WANT_HEARD[clip], clip + ' heard ' + JSON.stringify(got[c].heard));
        });
        if (engine === 'duktape') assert.deepStrictEqual(got, ctx.pipes.node.speech, 'the same on both engines');
      });

      it('person_detect on ' + engine + ': readBmp -> the 96x96x1 int8 input -> golden scores and verdicts', function () {
        if (engine === 'duktape' && (ctx.dukError || ctx.pipesError)) throw new Error(ctx.dukError || ctx.pipesError);
        const got = ctx.pipes[engine].person;
        ['person', 'no_person'].forEach((name, k) => {
          assert.deepStrictEqual(got[k].shape, [96, 96, 1, 9216]);
          assert.deepStrictEqual(got[k].scores, int8s(goldenFile('golden/person_detect_int8/' + name + '.output.bin')), name);
          assert.strictEqual(got[k].verdict, name === 'person' ? 'person' : 'no person');
        });
      });
    }

    it('quantParams reads scale/zero point/dtype from the model, as golden.json lists them', function () {
      const tm = h.tinyml();
      for (const name of ['micro_speech_int8', 'person_detect_int8', 'hello_world_int8']) {
        const info = h.golden().models.find((m) => m.name === name);
        const m = new tm.Interpreter(h.readBytes(path.join(h.MODELS, info.file)));
        m.allocateTensors();
        for (const which of ['input', 'output']) {
          const g = info[which + 's'][0];
          const q = ctx.app.quantParams(m, which, 0);
          assert.deepStrictEqual([q.scale, q.zeroPoint, q.dtype], [fround(g.scale), g.zero_point, 9], name + ' ' + which);
          const view = m[which](0);
          assert.deepStrictEqual([view.scale, view.zeroPoint], [q.scale, q.zeroPoint]);
        }
        assert.throws(() => ctx.app.quantParams(m, 'input', 1), /E_BAD_INPUT/);
        assert.throws(() => ctx.app.quantParams(m, 'middle', 0), /E_BAD_INPUT/);
      }
      const pre = new tm.Interpreter(h.readBytes(path.join(h.MODELS, 'audio_preprocessor_int8.tflite')));
      assert.throws(() => ctx.app.quantParams(pre, 'input', 0), /E_BAD_INPUT: input 0 is not quantized/);
    });
  });
});
