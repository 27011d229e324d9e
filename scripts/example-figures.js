#!/usr/bin/env node
'use strict';
// node scripts/example-figures.js <name> [--out dir]   (--out keeps the build)
// The figures of examples/<name> on the emulated Cortex-M4 (qemu-m4), as a
// markdown table for its README:
// - kernel instructions per inference, per model: `tinyml emulate --profile`
//   of the app itself (its real inputs); invokes are told apart by their
//   model's op count;
// - invoke() as an app calls it (kernels + binding + the script's call):
//   the board's bench mode on the model alone (scripts/build-qemu.js,
//   `fw bench`: invoke from a script loop, n = 1 less n = 0);
// - time at 64 MHz (QEMU -icount shift=0: one instruction per cycle);
// - RAM: statics, arena block, JS heap peak (`--stats`), stack peak;
// - flash: code, app bytecode, models (packed) and other files (build.json).
// Needs qemu-system-arm, gcc-arm-none-eabi, picolibc-arm-none-eabi.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const MODELS = process.env.TINYML_MODELS || path.resolve(ROOT, '..', 'shared', 'models');
const MHZ = 64;

function die(msg) {
  process.stderr.write('example-figures: ' + msg + '\n');
  process.exit(1);
}

const num = (n) => Math.round(n).toLocaleString('en-US');
const ms = (instr) => (instr / (MHZ * 1000)).toFixed(instr < 64e4 ? 3 : 1) + ' ms';

function tinyml(args, cwd) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tinyml.js')].concat(args),
    { cwd: cwd, encoding: 'utf8', maxBuffer: 256 << 20, timeout: 30 * 60 * 1000 });
  if (r.status !== 0) die('tinyml ' + args.slice(0, 2).join(' ') + ' failed (' + r.status + '):\n' + r.stdout + r.stderr);
  return r;
}

/** The board's bench of one model (invoke from a script loop); null without a golden input. */
function bench(q, modelFile, work) {
  const golden = JSON.parse(fs.readFileSync(path.join(MODELS, 'golden', 'golden.json'), 'utf8'));
  const g = golden.models.find((m) => path.resolve(MODELS, m.file) === path.resolve(modelFile));
  if (!g || !g.cases.length) return null;
  const L = require(path.join(ROOT, 'dist', 'tinyml.node.js'));
  const plan = new L.PreparedModel(new Uint8Array(fs.readFileSync(modelFile))).plan();
  const fw = q.firmware(modelFile);
  const c = g.cases[0];
  const r = spawnSync('qemu-system-arm', q.qemuArgs(fw.elf, ['bench', path.join(MODELS, c.input.file),
    path.join(work, g.name + '.bench.bin'), '1', '0', String(plan.arenaBytes), '0']), { encoding: 'utf8', timeout: 30 * 60 * 1000 });
  const line = (r.stdout || '').split('\n').find((l) => l.indexOf('TMLBENCH ') === 0);
  if (r.status !== 0 || !line) die(g.name + ': bench run failed: ' + (r.stderr || r.stdout));
  return JSON.parse(line.slice(9));
}

function main(argv) {
  const name = argv[0];
  if (!name || name[0] === '-') die('usage: node scripts/example-figures.js <example name> [--out dir]');
  const exDir = path.join(ROOT, 'examples', name);
  const specFile = path.join(exDir, 'example.json');
  if (!fs.existsSync(specFile)) die(specFile + ' not found');
  const spec = JSON.parse(fs.readFileSync(specFile, 'utf8'));
  const q = require(path.join(ROOT, 'scripts', 'build-qemu.js'));
  const missing = q.missingTools();
  if (missing.length) die('qemu-m4 needs ' + missing.join(', ') + ': ' + q.APT);
  const outAt = argv.indexOf('--out');
  const work = outAt >= 0 ? path.resolve(argv[outAt + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-figures-'));
  fs.mkdirSync(work, { recursive: true });

  // Build and run the app with --profile --stats.
  const files = spec.arena ? ['--arena', String(spec.arena)] : [];
  Object.keys(spec.files || {}).forEach((f) => files.push('--file', f + '=' + path.join(MODELS, spec.files[f])));
  const out = path.join(work, 'qemu-m4');
  process.stderr.write('example-figures: building ' + name + ' for qemu-m4\n');
  tinyml(['build', path.join(exDir, 'app.ts'), '--board', 'qemu-m4'].concat(files, ['--out', out]), ROOT);
  const build = JSON.parse(fs.readFileSync(path.join(out, 'build.json'), 'utf8'));
  process.stderr.write('example-figures: running it (--profile --stats)\n');
  // example.json "figuresArgs" (default none): "args" may ask for test-only work (e.g. -- save).
  const run = tinyml(['emulate', out, '--board', 'qemu-m4', '--profile', '--stats', '--'].concat(spec.figuresArgs || []), work);
  const stats = JSON.parse(/^stats: (\{.*\})$/m.exec(run.stderr)[1]);

  // Invokes per model: a profile's op count names its model.
  const models = build.files.filter((f) => f.model);
  const perModel = models.map((f) => ({ file: f, kernel: [], ops: null }));
  const re = /^profile: invoke \d+: (\d+) kernel instructions, \d+ in ops[^\n]*\n((?: {2}op [^\n]*\n?)*)/gm;
  let m;
  while ((m = re.exec(run.stderr)) !== null) {
    const ops = m[2].trim().split('\n').map((l) => {
      const w = /^\s*op (\d+)\s+(\S+)\s+(\d+)$/.exec(l);
      return { name: w[2], instructions: Number(w[3]) };
    });
    const owners = perModel.filter((p) => p.file.model.ops.length === ops.length);
    const p = owners.length === 1 ? owners[0] : null;
    if (!p) continue;
    p.kernel.push(Number(m[1]));
    if (!p.ops) p.ops = ops.map((o) => ({ name: o.name, instructions: 0 }));
    ops.forEach((o, i) => { p.ops[i].instructions += o.instructions; });
  }

  const rows = [];
  for (const p of perModel) {
    const label = path.basename(p.file.source).replace(/\.tflite$/, '');
    if (!p.kernel.length) {
      rows.push([label + ': kernels per inference', 'not told apart (another model has as many ops)']);
      continue;
    }
    const mean = p.kernel.reduce((s, k) => s + k, 0) / p.kernel.length;
    const lo = Math.min.apply(null, p.kernel), hi = Math.max.apply(null, p.kernel);
    // Kernel kinds, largest first.
    const byKind = {};
    p.ops.forEach((o) => { byKind[o.name] = (byKind[o.name] || 0) + o.instructions / p.kernel.length; });
    const kinds = Object.keys(byKind).sort((a, b) => byKind[b] - byKind[a]).slice(0, 3)
      .map((k) => k + ' ' + (byKind[k] / mean * 100).toFixed(0) + '%');
    const inOps = Object.keys(byKind).reduce((s, k) => s + byKind[k], 0);
    if (inOps < 0.99 * mean) kinds.push('outside the ops ' + ((1 - inOps / mean) * 100).toFixed(0) + '%');
    rows.push([label + ': kernels per inference', num(mean) + ' instructions = ' + ms(mean) +
      (lo !== hi ? ' (' + num(lo) + '-' + num(hi) + ')' : '') + ', ' + p.kernel.length + ' inferences; ' + kinds.join(', ')]);
    const b = bench(q, p.file.source, work);
    if (b) {
      const whole = mean + (b.appInvokeInstructions - b.appKernelInstructions);
      rows.push([label + ': invoke() from JS', num(whole) + ' instructions = ' + ms(whole) + ' (kernels + ' +
        num(b.appInvokeInstructions - b.appKernelInstructions) + ' for the script call and binding, bench mode)']);
    }
  }
  const fw = build.firmware;
  const statics = fw.data + fw.bss;
  rows.push(['RAM: arena', num(stats.arenaBlock) + ' bytes (block)']);
  rows.push(['RAM: JS heap', num(stats.heapPeak) + ' bytes peak (' + num(stats.heapEmpty) + ' empty heap, ' + num(stats.heapLive) + ' live at exit)']);
  rows.push(['RAM: stack', num(stats.stackPeak) + ' bytes peak (' + num(fw.stack) + ' reserved)']);
  rows.push(['RAM: total', num(statics + stats.heapPeak + stats.arenaBlock + stats.stackPeak) +
    ' bytes of 262,144 (statics ' + num(statics) + ' + arena + heap peak + stack peak)']);
  const modelBytes = build.files.filter((f) => f.model).reduce((s, f) => s + f.bytes, 0);
  const otherBytes = build.files.filter((f) => !f.model).reduce((s, f) => s + f.bytes, 0);
  const code = fw.text - fw.share.model - fw.share.bundle;
  rows.push(['flash', num(fw.text) + ' bytes: code ' + num(code) + ' + app bytecode ' + num(fw.share.bundle) +
    ' + files ' + num(fw.share.model) + ' (models ' + num(modelBytes) + ' packed' +
    (otherBytes ? ', inputs ' + num(otherBytes) : '') + ', file table)']);

  // The app firmware's kernel backend as build.json records it (builds that do not record it used the reference kernels).
  const kernels = (fw && fw.kernels) || 'reference';
  const lines = ['| qemu-m4 (Cortex-M4F, 64 MHz, ' + kernels + ' kernels) | |', '|---|---|']
    .concat(rows.map((r) => '| ' + r[0] + ' | ' + r[1] + ' |'));
  process.stdout.write(lines.join('\n') + '\n');
  if (outAt < 0) fs.rmSync(work, { recursive: true, force: true });
}

main(process.argv.slice(2));
