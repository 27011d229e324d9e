#!/usr/bin/env node
'use strict';
// npm run bench: every golden.json model on the emulated Cortex-M4 board
// (boards/qemu-m4: Duktape + native module, 256 KB RAM, QEMU mps2-an386
// under -icount shift=0, so instruction counts are exact and repeatable).
//
// Per model (packed on the host, run by the device core): instructions of
// one invoke() after a warm-up (input: golden case prng_seed1, whose output
// is checked byte for byte), split into the native tml_invoke (kernels and
// the op loop) and the JS + binding overhead of invoke() (as the firmware
// calls it, and as an app's own script loop pays it); instructions from the
// start of the bundle to ready for the first invoke (loadInstructions: bundle
// + new Interpreter + allocateTensors, of which the native checks); arena
// bytes; JS heap (empty, high-water during load and invoke, live bytes once
// garbage is collected, the pool the board had); stack peaks; the device
// core's minified ES5 bytes; firmware .text/.data/.bss and who takes .text;
// ratios against TFLM's figures on the same emulator (bench/tflm-anchors.json).
// A model that does not fit 256 KB is measured again with a larger RAM and
// flagged.
//
// Options: --models a,b,c   only these models
//          --require-fit     exit 1 unless every model run fits 256 KB
//          --kernels a,b     kernel backends to measure (reference, optimized,
//                            cmsis-nn: needs CMSIS_NN_DIR, a CMSIS-NN checkout;
//                            default: the board's); the first fills the main
//                            tables, all go to the per-backend tables
// Results: bench/results/qemu-m4.json and bench/results/qemu-m4.md.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const MODELS = process.env.TINYML_MODELS || path.resolve(ROOT, '..', 'shared', 'models');
const RESULTS = path.join(__dirname, 'results');
const BIG_RAM = 4 << 20;
const FIRST = ['hello_world_int8', 'micro_speech_int8', 'kws_ds_cnn_int8', 'ad_autoencoder_int8',
  'ic_resnet8_int8', 'vww_mobilenet_int8', 'person_detect_int8'];

function parseArgs(argv) {
  const o = { models: null, requireFit: false, kernels: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--models') o.models = String(argv[++i] || '').split(',').filter(Boolean);
    else if (argv[i] === '--require-fit') o.requireFit = true;
    else if (argv[i] === '--kernels') o.kernels = String(argv[++i] || '').split(',').filter(Boolean);
    else throw new Error('unknown option ' + argv[i] + ' (--models a,b --require-fit --kernels a,b)');
  }
  return o;
}

let progressShown = false;
function progress(text) {
  if (process.stderr.isTTY) {
    process.stderr.write('\r' + text.slice(0, (process.stderr.columns || 100) - 1).padEnd((process.stderr.columns || 100) - 1));
    progressShown = true;
  } else {
    process.stderr.write(text + '\n');
  }
}
function endProgress() {
  if (progressShown) process.stderr.write('\n');
  progressShown = false;
}

/** Runs one firmware; returns { status, stdout, stderr, bench }. */
function runFirmware(q, elf, args) {
  const r = spawnSync('qemu-system-arm', q.qemuArgs(elf, args), { encoding: 'utf8', timeout: 30 * 60 * 1000 });
  const line = (r.stdout || '').split('\n').filter((l) => l.indexOf('TMLBENCH ') === 0)[0];
  return {
    status: r.status === null ? 3 : r.status,
    stdout: r.stdout || '',
    stderr: ((r.stderr || '') + (r.error ? r.error.message : '')).trim(),
    bench: line ? JSON.parse(line.slice(9)) : null,
  };
}

// As test/golden.test.js: integers byte for byte; float outputs of models
// whose kernels call libm (exp, tanh) within LIBM_ULP ulp, others exact.
const LIBM_ULP = 128;
const LIBM_OPS = ['LOGISTIC', 'TANH', 'ELU', 'SOFTMAX', 'UNIDIRECTIONAL_SEQUENCE_LSTM', 'CUSTOM:SignalFilterBankLog'];

function ulpDistance(a, b) {
  const ka = a < 0 ? 0x80000000 - (a & 0x7fffffff) : a + 0x80000000;
  const kb = b < 0 ? 0x80000000 - (b & 0x7fffffff) : b + 0x80000000;
  return Math.abs(ka - kb);
}

function compareOutputs(model, actual, expected) {
  if (actual.length !== expected.length) return { ok: false };
  const maxUlp = model.op_types.some((op) => LIBM_OPS.indexOf(op) >= 0) ? LIBM_ULP : 0;
  let frame = 0;
  for (const o of model.outputs) frame += o.bytes;
  let worst = 0;
  for (let base = 0; base < expected.length; base += frame) {
    let p = base;
    for (const o of model.outputs) {
      for (let i = 0; i < o.bytes; i += o.dtype === 'FLOAT32' ? 4 : 1) {
        if (o.dtype === 'FLOAT32') {
          const d = ulpDistance(actual.readInt32LE(p + i), expected.readInt32LE(p + i));
          if (d > maxUlp) return { ok: false };
          worst = Math.max(worst, d);
        } else if (actual[p + i] !== expected[p + i]) {
          return { ok: false };
        }
      }
      p += o.bytes;
    }
  }
  return { ok: true, ulp: worst };
}

function outOfMemory(run) {
  return /JS heap pool of \d+ bytes ran out|does not fit the board's/.test(run.stderr);
}

function ratio(a, b) {
  return a && b ? a / b : null;
}

function benchModel(q, lib, model, opts, index, total) {
  const name = model.name;
  const tag = '[' + (index + 1) + '/' + total + '] ' + name;
  const row = { model: name };
  const c = model.cases.filter((x) => x.name === 'prng_seed1')[0] || model.cases[0];
  const modelFile = path.join(MODELS, model.file);
  const bytes = new Uint8Array(fs.readFileSync(modelFile));
  try {
    const plan = new lib.PreparedModel(bytes).plan();
    row.arenaBytes = plan.arenaBytes;
    row.block = plan.arenaBytes; // includes the slack to align the block
  } catch (e) {
    row.error = e.message;
    return row;
  }
  progress(tag + ': building the firmware');
  let fw;
  try {
    fw = q.firmware(modelFile, { log: (m) => progress(tag + ': ' + m), kernels: opts.kernel });
  } catch (e) {
    row.error = e.message + (e.detail ? ' ' + e.detail.split('\n').slice(-3).join(' ') : '');
    return row;
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-bench-'));
  try {
    const out = path.join(tmp, 'out.bin');
    const args = ['bench', path.join(MODELS, c.input.file), out, '1', '0', String(row.block)];
    progress(tag + ': running on the 256 KB board');
    let run = runFirmware(q, fw.elf, args.concat(['0']));
    row.fits = run.status === 0;
    if (!row.fits && !outOfMemory(run)) delete row.fits; // failed for another reason: said below
    if (run.status !== 0 && outOfMemory(run)) {
      row.fitError = run.stderr.split('\n').pop();
      const pool = /pool of (\d+) bytes/.exec(row.fitError);
      row.boardPool = pool ? Number(pool[1]) : null;
      progress(tag + ': does not fit 256 KB, measuring with ' + (BIG_RAM >> 20) + ' MB of RAM');
      fw = q.firmware(modelFile, { ramBytes: BIG_RAM, kernels: opts.kernel });
      run = runFirmware(q, fw.elf, args.concat(['0']));
    }
    if (run.status !== 0 || !run.bench) {
      row.error = run.stderr.split('\n').pop() || 'exit ' + run.status;
      return row;
    }
    const expected = fs.readFileSync(path.join(MODELS, c.output.file));
    const cmp = fs.existsSync(out) ? compareOutputs(model, fs.readFileSync(out), expected) : { ok: false };
    row.outputMatchesTflm = cmp.ok;
    if (cmp.ulp) row.outputUlp = cmp.ulp;
    const b = run.bench;
    row.case = c.name;
    row.invokeInstructions = b.invokeInstructions;
    row.kernelInstructions = b.kernelInstructions;
    row.overheadInstructions = b.invokeInstructions - b.kernelInstructions;
    row.overheadPercent = 100 * row.overheadInstructions / b.invokeInstructions;
    row.appInvokeOverhead = b.appInvokeInstructions - b.appKernelInstructions;
    row.warmupInstructions = b.warmupInstructions;
    // Bundle start to ready for the first invoke.
    row.loadInstructions = b.evalInstructions + b.loadInstructions;
    row.bundleInstructions = b.evalInstructions;
    row.modelLoadInstructions = b.loadInstructions;
    row.nativeLoadInstructions = b.nativeLoadInstructions;
    row.arenaUsed = b.arenaUsed;
    row.heap = {
      pool: b.heapPool, empty: b.heapEmpty, liveAfterBundle: b.heapLiveEval, liveAfterLoad: b.heapLiveLoad,
      liveAfterRun: b.heapLiveRun, highWater: Math.max(b.heapPeakEval, b.heapPeakLoad, b.heapPeakRun),
    };
    row.heap.aboveEmpty = row.heap.highWater - row.heap.empty;
    row.stack = { bundle: b.stackPeakEval, load: b.stackPeakLoad, invoke: b.stackPeakRun, reserve: b.stackSize };
    row.staticBytes = b.staticBytes;
    row.ramBytes = fw.ramBytes;
    row.firmware = q.sizes(fw.elf);
    row.kernels = fw.kernels;
    row.bundleBytes = fs.statSync(fw.bundle).size;
    row.jsBlobBytes = fs.statSync(fw.js).size;
    const a = anchors.models[name];
    if (a) {
      row.tflm = a;
      row.vsTflmRef = ratio(row.invokeInstructions, a.instrRef);
      row.vsTflmCmsis = ratio(row.invokeInstructions, a.instrCmsis);
      row.kernelVsTflmRef = ratio(row.kernelInstructions, a.instrRef);
      row.arenaVsTflmRef = ratio(row.arenaUsed, a.arenaRef);
      row.loadVsTflmReady = ratio(row.loadInstructions, a.readyRef);
      row.instrPerMac = a.macs ? row.invokeInstructions / a.macs : null;
    }
    return row;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const anchors = JSON.parse(fs.readFileSync(path.join(__dirname, 'tflm-anchors.json'), 'utf8'));

function kb(n) {
  return n === undefined || n === null ? '' : (n / 1024).toFixed(1);
}
function num(n) {
  return n === undefined || n === null ? '' : n.toLocaleString('en-US');
}
function x(r) {
  return r === undefined || r === null ? '' : r.toFixed(2) + 'x';
}

function markdown(rows, meta) {
  const L = [];
  L.push('# tinyml-ts on the emulated Cortex-M4 (qemu-m4)', '');
  L.push('QEMU ' + meta.machine + ', -icount shift=0 (instructions counted with SysTick, 40 per tick), Duktape ' +
    'firmware with 256 KB RAM / 1 MB flash; one invoke() after a warm-up (and a state reset) on golden case ' +
    'prng_seed1, output checked against TFLM (integers byte for byte, floats as test/golden.test.js does). ' +
    'TFLM figures: same emulator, same input (bench/tflm-anchors.json). ' +
    'Generated by `npm run bench` on ' + meta.date + '.', '');
  L.push('Device core: ' + num(meta.coreBytes) + ' bytes of minified ES5 (dist/tinyml.core.js); with the on-device planner ' +
    'add-on (dist/tinyml.device.js, for raw .tflite models): ' + num(meta.deviceBytes) + ' bytes.', '');
  L.push('| model | fits 256 KB | instructions / invoke | in tml_invoke | JS + binding overhead (firmware call / app loop) | vs TFLM ref | vs TFLM CMSIS-NN | ready: bundle start to first invoke (native) | vs TFLM ready | arena bytes (TFLM ref) | JS heap high-water above empty (KB) | stack peak: load / invoke | .text / .data / .bss | native .text | output = TFLM |');
  L.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.error) {
      L.push('| ' + r.model + ' | ' + (r.fits === false ? 'no' : '') + ' | ' + String(r.error).replace(/\|/g, '/') + ' |||||||||||');
      continue;
    }
    const f = r.firmware;
    L.push('| ' + [
      r.model,
      r.fits ? 'yes' : 'no (measured with ' + (r.ramBytes >> 20) + ' MB)',
      num(r.invokeInstructions),
      num(r.kernelInstructions),
      num(r.overheadInstructions) + ' / ' + num(r.appInvokeOverhead),
      x(r.vsTflmRef),
      x(r.vsTflmCmsis),
      num(r.loadInstructions) + ' (' + num(r.nativeLoadInstructions) + ')',
      r.tflm ? x(r.loadVsTflmReady) + ' (' + num(r.tflm.readyRef) + ')' : '',
      num(r.arenaUsed) + (r.tflm ? ' (' + num(r.tflm.arenaRef) + ')' : ''),
      kb(r.heap.aboveEmpty) + (r.fits ? '' : ' (ran out of ' + kb(r.boardPool) + ')'),
      num(r.stack.load) + ' / ' + num(r.stack.invoke),
      num(f.text) + ' / ' + num(f.data) + ' / ' + num(f.bss),
      num(f.share.native) + ' (' + (100 * f.share.native / f.text).toFixed(0) + '%)',
      r.outputMatchesTflm ? (r.outputUlp ? 'yes (' + r.outputUlp + ' ulp)' : 'yes') : 'NO',
    ].join(' | ') + ' |');
  }
  L.push('');
  L.push('RAM of the 256 KB board, per model: statics (.data + .bss), JS heap pool, arena block and stack reserve fill it; ' +
    '"live" is what the heap holds after a full garbage collection (no reference counting in this Duktape build), ' +
    'the pool is what the board had left for it.', '');
  L.push('| model | statics | JS heap: empty / high-water / live after load / pool | arena block | stack reserve (peak while loading the bundle / model / invoking) | .text: native / Duktape / board / libc / bundle bytecode / model (packed) |');
  L.push('|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.error) continue;
    const s = r.firmware.share;
    L.push('| ' + [
      r.model,
      num(r.firmware.data + r.firmware.bss),
      num(r.heap.empty) + ' / ' + num(r.heap.highWater) + ' / ' + num(r.heap.liveAfterLoad) + ' / ' + num(r.heap.pool),
      num(r.block),
      num(r.stack.reserve) + ' (' + num(r.stack.bundle) + ' / ' + num(r.stack.load) + ' / ' + num(r.stack.invoke) + ')',
      [s.native, s.duktape, s.board, s.libc, s.bundle, s.model].map(num).join(' / '),
    ].join(' | ') + ' |');
  }
  L.push('');
  return L.join('\n');
}

// ---- per kernel backend (native/ops/backend.h) ----
function kernelsTable(byBackend) {
  const L = ['Per kernel backend (`--kernels`): instructions per invoke (JS + binding included), per multiply-accumulate, ' +
    'against TFLM with CMSIS-NN on the same emulator, and the native module\'s code (.text of core, adapters and kernels ' +
    'linked for this model) next to TFLM+CMSIS-NN\'s code bytes (its library included).', '',
    '| model | kernels | instructions / invoke | instr / MAC | vs TFLM CMSIS-NN | native code bytes (TFLM+CMSIS-NN) | stack peak invoke | output = TFLM |',
    '|---|---|---|---|---|---|---|---|'];
  for (const k of Object.keys(byBackend)) {
    for (const r of byBackend[k]) {
      if (r.error) { L.push('| ' + r.model + ' | ' + k + ' | ' + String(r.error).replace(/\|/g, '/') + ' |||||'); continue; }
      L.push('| ' + [r.model, k, num(r.invokeInstructions), r.instrPerMac ? r.instrPerMac.toFixed(2) : '', x(r.vsTflmCmsis),
        num(r.firmware.share.nativeCode) + (r.tflm ? ' (' + num(r.tflm.codeCmsis) + ')' : ''), num(r.stack.invoke),
        r.outputMatchesTflm ? 'yes' : 'NO'].join(' | ') + ' |');
    }
  }
  L.push('');
  return L.join('\n') + '\n' + backendColumns(byBackend);
}

/** One row per model, one column per backend: instructions per invoke, per MAC and against TFLM+CMSIS-NN. */
function backendColumns(byBackend) {
  const ks = Object.keys(byBackend);
  const models = [];
  ks.forEach((k) => byBackend[k].forEach((r) => { if (models.indexOf(r.model) < 0) models.push(r.model); }));
  const L = ['Instructions per invoke by backend (instr / MAC, x TFLM+CMSIS-NN); the last column is TFLM+CMSIS-NN ' +
    '(bench/tflm-anchors.json).', '',
    '| model | MACs | ' + ks.join(' | ') + ' | TFLM+CMSIS-NN |', '|---|---|' + ks.map(() => '---|').join('') + '---|'];
  for (const m of models) {
    const a = anchors.models[m];
    const cells = ks.map((k) => {
      const r = byBackend[k].filter((x) => x.model === m)[0];
      if (!r || r.error) return r ? 'error' : '';
      return num(r.invokeInstructions) + (r.instrPerMac ? ' (' + r.instrPerMac.toFixed(2) + ', ' + x(r.vsTflmCmsis) + ')' : '') +
        (r.outputMatchesTflm ? '' : ' OUTPUT DIFFERS');
    });
    L.push('| ' + [m, a ? num(a.macs) : ''].concat(cells, [a ? num(a.instrCmsis) + ' (' + (a.instrCmsis / a.macs).toFixed(2) + ')' : '']).join(' | ') + ' |');
  }
  L.push('');
  return L.join('\n');
}
// ---- end of per kernel backend ----

function main() {
  let opts = parseArgs(process.argv.slice(2));
  const q = require(path.join(ROOT, 'scripts', 'build-qemu.js'));
  const missing = q.missingTools();
  if (missing.length) throw new Error(missing.join(', ') + ' not found: ' + q.APT);
  const nodeBundle = path.join(ROOT, 'dist', 'tinyml.node.js');
  if (!fs.existsSync(nodeBundle)) throw new Error('dist/tinyml.node.js is missing: run `npm run build`');
  const lib = require(nodeBundle);
  const golden = JSON.parse(fs.readFileSync(path.join(MODELS, 'golden', 'golden.json'), 'utf8'));
  let models = golden.models.slice().sort((a, b) => {
    const ia = FIRST.indexOf(a.name), ib = FIRST.indexOf(b.name);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  if (opts.models) {
    models = opts.models.map((n) => {
      const m = golden.models.filter((g) => g.name === n)[0];
      if (!m) throw new Error('no model ' + n + ' in golden.json');
      return m;
    });
  }
  const t0 = Date.now();
  const backends = opts.kernels || [q.kernelsFor({})];
  // An unknown backend, or cmsis-nn without CMSIS_NN_DIR, stops here rather than after the others ran.
  backends.forEach((k) => q.backendBuild(q.kernelsFor({ kernels: k })));
  const byBackend = {};
  const extra = [];
  backends.slice(1).forEach((k) => {
    byBackend[k] = models.map((m, i) => {
      const r = benchModel(q, lib, m, Object.assign({}, opts, { kernel: k }), i, models.length);
      endProgress();
      process.stdout.write(m.name + ' (' + k + '): ' + (r.error || num(r.invokeInstructions) + ' instructions/invoke' +
        (r.outputMatchesTflm ? '' : ', OUTPUT DIFFERS FROM TFLM')) + '\n');
      return r;
    });
    extra.push.apply(extra, byBackend[k]);
  });
  const rows = [];
  opts = Object.assign({}, opts, { kernel: backends[0] });
  models.forEach((m, i) => {
    const row = benchModel(q, lib, m, opts, i, models.length);
    rows.push(row);
    endProgress();
    if (row.error) {
      process.stdout.write(m.name + ': ' + row.error + '\n');
    } else {
      process.stdout.write(m.name + ': ' + num(row.invokeInstructions) + ' instructions/invoke (' +
        row.overheadPercent.toFixed(3) + '% JS + binding)' + (row.vsTflmRef ? ', ' + x(row.vsTflmRef) + ' TFLM ref' : '') +
        ', ready in ' + num(row.loadInstructions) + ', arena ' + num(row.arenaUsed) + ' B, JS heap +' + kb(row.heap.aboveEmpty) +
        ' KB, ' + (row.fits ? 'fits 256 KB' : 'DOES NOT FIT 256 KB') + (row.outputMatchesTflm ? '' : ', OUTPUT DIFFERS FROM TFLM') + '\n');
    }
  });
  const meta = { machine: q.BOARD.machine, ramBytes: q.BOARD.ram.bytes, flashBytes: q.BOARD.flash.bytes,
    coreBytes: fs.statSync(path.join(ROOT, 'dist', 'tinyml.core.js')).size,
    deviceBytes: fs.statSync(path.join(ROOT, 'dist', 'tinyml.device.js')).size,
    date: new Date().toISOString().slice(0, 10), seconds: Math.round((Date.now() - t0) / 1000) };
  fs.mkdirSync(RESULTS, { recursive: true });
  byBackend[backends[0]] = rows;
  const ordered = {};
  backends.forEach((k) => { ordered[k] = byBackend[k]; });
  fs.writeFileSync(path.join(RESULTS, 'qemu-m4.json'), JSON.stringify({ meta: meta, rows: rows, kernels: ordered }, null, 1) + '\n');
  const md = markdown(rows, meta) + '\n' + kernelsTable(ordered);
  fs.writeFileSync(path.join(RESULTS, 'qemu-m4.md'), md);
  process.stdout.write('\n' + md + '\n(' + meta.seconds + ' s; saved bench/results/qemu-m4.json and .md)\n');
  const bad = rows.concat(extra).filter((r) => !r.error && !r.outputMatchesTflm);
  if (bad.length) {
    process.stderr.write('bench: output differs from TFLM for ' + bad.map((r) => r.model).join(', ') + '\n');
    return 1;
  }
  if (opts.requireFit) {
    const unfit = rows.filter((r) => r.error || !r.fits);
    if (unfit.length) {
      process.stderr.write('bench: does not run in 256 KB: ' + unfit.map((r) => r.model).join(', ') + '\n');
      return 1;
    }
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    endProgress();
    process.stderr.write('bench: ' + e.message + '\n');
    process.exitCode = 2;
  }
}
