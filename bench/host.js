#!/usr/bin/env node
'use strict';
// Host timing of the kernel backends: the Node addon with the reference
// kernels (build/Release/tinyml.node) against the same addon built with the
// optimized kernels' portable C path (tinyml_opt.node, binding.gyp), in one
// process, alternating, on golden case prng_seed1 of each model; outputs
// must be byte-identical. Wall-clock, so only the ratio means much.
//
//   node bench/host.js [--models a,b] [--reps N]
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const MODELS = process.env.TINYML_MODELS || path.resolve(ROOT, '..', 'shared', 'models');
const lib = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
const addons = {
  reference: require(path.join(ROOT, 'build', 'Release', 'tinyml.node')),
  optimized: require(path.join(ROOT, 'build', 'Release', 'tinyml_opt.node')),
};

function args(argv) {
  const o = { models: ['kws_ds_cnn_int8', 'vww_mobilenet_int8', 'ic_resnet8_int8', 'person_detect_int8',
    'micro_speech_int8', 'ad_autoencoder_int8'], reps: 5 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--models') o.models = String(argv[++i]).split(',');
    else if (argv[i] === '--reps') o.reps = Number(argv[++i]);
    else throw new Error('unknown option ' + argv[i]);
  }
  return o;
}

/** Seconds per invoke (best of reps, each timing enough invokes for ~0.2 s) and the output bytes. */
function time(backend, bytes, input, reps) {
  lib.setNative(addons[backend]);
  const it = new lib.Interpreter(bytes);
  it.allocateTensors();
  it.input(0).set(input);
  it.invoke();
  const out = Buffer.from(it.output(0).slice().buffer);
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) it.invoke();
    if (Number(process.hrtime.bigint() - t0) > 2e8) break;
    n *= 2;
  }
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) it.invoke();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9 / n);
  }
  return { s: best, out: out };
}

function main() {
  const o = args(process.argv.slice(2));
  const golden = JSON.parse(fs.readFileSync(path.join(MODELS, 'golden', 'golden.json'), 'utf8'));
  let bad = 0;
  console.log('| model | reference (ms/invoke) | optimized, portable C (ms/invoke) | speed-up | outputs equal |');
  console.log('|---|---|---|---|---|');
  for (const name of o.models) {
    const m = golden.models.find((g) => g.name === name);
    const bytes = new Uint8Array(fs.readFileSync(path.join(MODELS, m.file)));
    const c = m.cases.find((x) => x.name === 'prng_seed1') || m.cases[0];
    const input = new Uint8Array(fs.readFileSync(path.join(MODELS, c.input.file)));
    const ref = time('reference', bytes, input, o.reps);
    const opt = time('optimized', bytes, input, o.reps);
    const same = Buffer.compare(ref.out, opt.out) === 0;
    if (!same) bad++;
    console.log('| ' + [name, (ref.s * 1e3).toFixed(3), (opt.s * 1e3).toFixed(3), (ref.s / opt.s).toFixed(2) + 'x',
      same ? 'yes' : 'NO'].join(' | ') + ' |');
  }
  return bad ? 1 : 0;
}

process.exitCode = main();
