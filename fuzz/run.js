#!/usr/bin/env node
'use strict';
// `npm run fuzz -- --seconds N`: both fuzzers for about N seconds of wall time
// (default 60), side by side:
//   - the TypeScript mutation fuzzer (fuzz/mutate.js): half of N on the
//     .tflite models, then half on their packed forms (--packed, the device core);
//   - the libFuzzer targets: the structure-aware build (fuzz_load_struct) for
//     1/2 of N, the raw-bytes build (fuzz_load) for 1/4, both starting from
//     the committed seeds (fuzz/corpus), then the packed-model target
//     (fuzz_packed) for 1/4, from packed files of the shared models written
//     here (fuzz/out/corpus-packed-seeds); plus what earlier runs found
//     (fuzz/out/corpus-*, not committed).
// First every committed regression is replayed (fuzz/regressions/*.bin
// through the libFuzzer target, *.tflite through the mutation fuzzer).
// Exits non-zero on any finding: a crash, sanitizer report, hang or timeout,
// or a JS exception that is not a TinyMLError with a code. Findings land in
// fuzz/out/ (libFuzzer artifacts, mutated models with a .txt each).
//
//   node fuzz/run.js [--seconds N] [--jobs N] [--seed N] [--only libfuzzer|mutate]
//                    [--timeout S] [--strict-native]
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const build = require('../scripts/build-native-tests.js');

const ROOT = path.join(__dirname, '..');
const WORK = path.join(__dirname, 'out');
const REGRESSIONS = path.join(__dirname, 'regressions');
const CORPUS = path.join(__dirname, 'corpus');

function parseArgs(argv) {
  const o = { seconds: 60, jobs: 1, seed: Date.now() % 100000, only: null, timeout: 10, strictNative: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seconds') o.seconds = Number(argv[++i]);
    else if (a === '--jobs') o.jobs = Number(argv[++i]);
    else if (a === '--seed') o.seed = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--timeout') o.timeout = Number(argv[++i]);
    else if (a === '--strict-native') o.strictNative = true;
    else throw new Error('fuzz: unknown option ' + a + ' (--seconds N --jobs N --seed N --only libfuzzer|mutate --timeout S --strict-native)');
  }
  if (!(o.seconds > 0)) throw new Error('fuzz: --seconds must be positive');
  return o;
}

function files(dir, ext) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => path.join(dir, f));
}

/** Runs each committed C regression once through the libFuzzer target. */
function replayNative(bin) {
  const inputs = files(REGRESSIONS, '.bin');
  if (!inputs.length) return { ok: true, n: 0 };
  const r = spawnSync(bin, ['-runs=1'].concat(inputs), { env: build.sanitizerEnv(), encoding: 'utf8', timeout: 300000 });
  return { ok: r.status === 0, n: inputs.length, out: (r.stderr || '') + (r.stdout || '') };
}

/** Runs each committed model regression through the mutation fuzzer's case runner. */
function replayModels(jsArgs) {
  const inputs = files(REGRESSIONS, '.tflite');
  if (!inputs.length) return { ok: true, n: 0 };
  const r = spawnSync(process.execPath, [path.join(__dirname, 'mutate.js'), '--replay'].concat(inputs, jsArgs),
    { encoding: 'utf8', timeout: 600000 });
  return { ok: r.status === 0, n: inputs.length, out: (r.stdout || '') + (r.stderr || '') };
}

/** Seeds of fuzz_packed.c: [flags 0][u32 0][packed file] for each shared model packed below 32 KiB. */
function packedSeeds() {
  const dir = path.join(WORK, 'corpus-packed-seeds');
  fs.mkdirSync(dir, { recursive: true });
  const tinyml = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  const packed = require('./packed.js');
  const models = process.env.TINYML_MODELS || path.join(ROOT, '..', 'shared', 'models');
  const files = [];
  for (const d of [models, path.join(models, 'ops')]) {
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d).sort()) if (f.endsWith('.tflite')) files.push(path.join(d, f));
  }
  let n = 0;
  for (const s of packed.packSeeds(tinyml, files)) {
    const file = packed.packedFile(s);
    if (file.length > 32768) continue;
    fs.writeFileSync(path.join(dir, s.name.replace(/\.tflite$/, '.bin')), Buffer.concat([Buffer.alloc(5), Buffer.from(file)]));
    n++;
  }
  return { dir, n };
}

function libFuzzer(bin, name, seconds, timeout, seeds) {
  const corpus = path.join(WORK, 'corpus-' + name);
  const artifacts = path.join(WORK, 'artifacts') + path.sep;
  fs.mkdirSync(corpus, { recursive: true });
  fs.mkdirSync(artifacts, { recursive: true });
  const args = ['-max_total_time=' + Math.max(1, Math.round(seconds)), '-max_len=65536', '-timeout=' + timeout,
    '-rss_limit_mb=2048', '-print_final_stats=1', '-artifact_prefix=' + artifacts, corpus];
  if (seeds) args.push(seeds);
  else if (fs.existsSync(CORPUS)) args.push(CORPUS);
  return new Promise((resolve) => {
    const p = spawn(bin, args, { env: build.sanitizerEnv({ ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0' }), stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => { err = (err + d).slice(-30000); });
    p.on('exit', (code, signal) => {
      const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(err);
      const cov = /cov: (\d+) ft: (\d+)/g;
      let m, last = null;
      while ((m = cov.exec(err))) last = m;
      resolve({ name, ok: code === 0, code, signal, runs: runs ? Number(runs[1]) : 0,
        cov: last ? last[1] + ' edges, ' + last[2] + ' features' : '?', out: err });
    });
  });
}

function mutateRun(o, seconds, packedMode) {
  const args = [path.join(__dirname, 'mutate.js'), '--seconds', String(seconds), '--jobs', String(o.jobs), '--seed', String(o.seed), '--out', WORK, '--quiet'];
  if (o.strictNative) args.push('--strict-native');
  if (packedMode) args.push('--packed');
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => resolve({ ok: code === 0, code, out }));
  });
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const what = o.only === 'mutate' ? ['addon'] : o.only === 'libfuzzer' ? ['fuzz'] : ['addon', 'fuzz'];
  const built = build.build(what);
  if (!fs.existsSync(path.join(ROOT, 'dist', 'tinyml.node.js'))) throw new Error('fuzz: run `npm run build` first');
  const lines = [];
  let ok = true;

  if (built.fuzzers) {
    const r = replayNative(built.fuzzers.fuzz_load);
    lines.push('regressions (C): ' + r.n + (r.ok ? ' ok' : ' FAILED\n' + r.out.slice(-4000)));
    ok = ok && r.ok;
  }
  if (built.addon) {
    const r = replayModels([]);
    lines.push('regressions (models): ' + r.n + (r.ok ? ' ok' : ' FAILED\n' + r.out.slice(-4000)));
    ok = ok && r.ok;
  }
  const left = Math.max(5, o.seconds - (Date.now() - t0) / 1000);
  const jobs = [];
  if (built.addon) {
    jobs.push((async () => {
      const a = await mutateRun(o, left / 2, false);
      const b = await mutateRun(o, left / 2, true);
      return { ok: a.ok && b.ok, out: a.out.trim() + '\n' + b.out.trim() };
    })());
  }
  if (built.fuzzers) {
    jobs.push((async () => {
      const a = await libFuzzer(built.fuzzers.fuzz_load_struct, 'struct', left / 2, o.timeout);
      if (!a.ok) return [a];
      const b = await libFuzzer(built.fuzzers.fuzz_load, 'raw', left / 4, o.timeout);
      if (!b.ok) return [a, b];
      const c = await libFuzzer(built.fuzzers.fuzz_packed, 'packed', left / 4, o.timeout, packedSeeds().dir);
      return [a, b, c];
    })());
  }
  const results = await Promise.all(jobs);
  for (const r of results) {
    if (Array.isArray(r)) {
      for (const f of r) {
        lines.push('libFuzzer ' + f.name + ': ' + f.runs + ' runs, ' + f.cov + (f.ok ? ', no finding' : ', FINDING (exit ' + f.code +
          (f.signal ? ', ' + f.signal : '') + '; artifacts in ' + path.relative(process.cwd(), path.join(WORK, 'artifacts')) + ')\n' + f.out.slice(-6000)));
        ok = ok && f.ok;
      }
    } else {
      lines.push(r.out.trim());
      ok = ok && r.ok;
    }
  }
  lines.push('fuzz: ' + (ok ? 'no findings' : 'FINDINGS') + ' in ' + ((Date.now() - t0) / 1000).toFixed(0) + ' s (seed ' + o.seed + ')');
  console.log(lines.join('\n'));
  return ok;
}

if (require.main === module) {
  main().then((ok) => process.exit(ok ? 0 : 1), (e) => {
    console.error(e.message || e);
    process.exit(2);
  });
}
