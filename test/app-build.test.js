'use strict';
// A user's app from `npm install` to the emulated board: in a scratch project
// outside the repository (the packed package installed there), a TypeScript
// app that runs micro_speech_int8 (--file kws=...) over the golden feature
// frames (--file frames=..., read in place from flash on qemu-m4) is built
// with `tinyml build` and run with `tinyml emulate` on host, duktape and
// qemu-m4: the same printed output everywhere, and the scores it hands back
// (board.output) byte for byte TFLM's golden outputs. Also: --profile's
// per-op instructions against the invoke's kernel instructions, the JS heap
// prediction against the board's measurement and the bench, a refusal of an
// image that does not fit, and `tinyml init`.
// The build tools (rollup, TypeScript, terser, tslib) come from this
// repository's node_modules, linked into the scratch project (nothing fetched);
// qemu-m4 objects are shared with the repository's cache (dist/qemu-m4).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');
const { packAndInstall } = require('./package-helpers');

const TOOLS = ['rollup', '@rollup/plugin-typescript', '@rollup/plugin-terser', 'typescript', 'tslib'];
const SAMPLES = ['yes_1000ms', 'no_1000ms', 'silence_1000ms', 'noise_1000ms'];

const APP_TS = `// Keyword spotting over recorded feature frames: the model and the frames
// are files in the image; the scores go back to the host (board.output).
import { Interpreter } from 'tinyml-ts';

const LABELS = ['silence', 'unknown', 'yes', 'no'];
const model = board.file('kws');
const frames = board.file('frames');
if (model === null || frames === null) throw new Error('build with --file kws=... --file frames=...');
const m = new Interpreter(model);
m.allocateTensors();
const n = m.input(0).length, k = m.output(0).length;
const scores = new Uint8Array(frames.length / n * k);
let f = 0;
board.print('model', m.inputInfo(0).shape.join('x'), '->', k, 'classes on', board.name === 'qemu-m4' ? 'the board' : 'the host');
board.loop(function () {
  if (f * n >= frames.length) {
    board.print('sent', board.output(board.args[0], scores));
    board.exit(0);
  }
  const input = m.input(0), out = m.output(0);
  for (let i = 0; i < n; i++) input[i] = (frames[f * n + i] << 24) >> 24;
  m.invoke();
  let best = 0;
  for (let i = 0; i < k; i++) {
    scores[f * k + i] = out[i] & 255;
    if (out[i] > out[best]) best = i;
  }
  board.print('frame', f++, LABELS[best], out[best]);
}, 1000);
`;

describe('app: tinyml build / emulate in a scratch project (host, duktape, qemu-m4)', function () {
  this.timeout(15 * 60 * 1000);
  let work, app, tinyml, env, golden, qemuOk;

  function cli(args, what, expectStatus) {
    const r = spawnSync(process.execPath, [tinyml].concat(args), { cwd: app, env: env, encoding: 'utf8', timeout: 10 * 60 * 1000 });
    if (expectStatus !== null) {
      assert.strictEqual(r.status, expectStatus === undefined ? 0 : expectStatus, what + ': status ' + r.status + '\n' + r.stdout + r.stderr);
    }
    return r;
  }

  before(function () {
    const q = require(path.join(h.ROOT, 'scripts', 'build-qemu.js'));
    const missing = q.missingTools();
    if (missing.length) throw new Error('qemu-m4 needs ' + missing.join(', ') + ': ' + q.APT);
    qemuOk = true;
    golden = h.golden().models.find((x) => x.name === 'micro_speech_int8');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-app-'));
    app = packAndInstall(work).app;
    tinyml = path.join(app, 'node_modules', 'tinyml-ts', 'bin', 'tinyml.js');
    // The build tools, as `npm install --save-dev` would put them (linked from this repository).
    for (const t of TOOLS) {
      const from = path.join(h.ROOT, 'node_modules', t);
      const to = path.join(app, 'node_modules', t);
      if (fs.existsSync(from) && !fs.existsSync(to)) {
        fs.mkdirSync(path.dirname(to), { recursive: true });
        fs.symlinkSync(fs.realpathSync(from), to);
      }
    }
    env = Object.assign({}, process.env, { TINYML_QEMU_CACHE: path.join(h.ROOT, 'dist', 'qemu-m4') });
    fs.writeFileSync(path.join(app, 'app.ts'), APP_TS);
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, target: 'ES5', lib: ['ES5'], module: 'ESNext', moduleResolution: 'bundler', types: ['tinyml-ts/board'], noEmit: true },
      files: ['app.ts'],
    }));
    const frames = Buffer.concat(SAMPLES.map((s) => fs.readFileSync(path.join(h.MODELS, golden.cases.find((c) => c.name === s).input.file))));
    fs.writeFileSync(path.join(app, 'frames.bin'), frames);
  });

  after(function () {
    if (work && !process.env.TINYML_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  });

  const model = () => path.join(h.MODELS, golden.file);
  const expectedScores = () => Buffer.concat(SAMPLES.map((s) => fs.readFileSync(path.join(h.MODELS, golden.cases.find((c) => c.name === s).output.file))));
  let printed = null;

  function checkRun(r, out, what) {
    const lines = r.stdout.trim().split('\n');
    assert.strictEqual(lines.length, 2 + SAMPLES.length, what + ': printed\n' + r.stdout + r.stderr);
    assert.strictEqual(lines[lines.length - 1], 'sent true', what);
    // The top class per frame, from TFLM's outputs.
    const exp = expectedScores();
    SAMPLES.forEach((s, f) => {
      const row = Array.from(exp.subarray(f * 4, f * 4 + 4)).map((b) => (b << 24) >> 24);
      const best = row.indexOf(Math.max.apply(null, row));
      assert.strictEqual(lines[1 + f], 'frame ' + f + ' ' + ['silence', 'unknown', 'yes', 'no'][best] + ' ' + row[best], what + ': ' + s);
    });
    assert.strictEqual(h.firstDiff(h.readBytes(path.join(app, out)), new Uint8Array(exp)), -1, what + ': scores differ from TFLM');
    const rest = lines.slice(1).join('\n');
    if (printed === null) printed = rest;
    assert.strictEqual(rest, printed, what + ': printed output differs from the other boards');
  }

  it('builds for the host: app.js, files/ (model packed), build.json with sizes, hashes and the app version', function () {
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify(Object.assign(JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8')), { version: '1.2.3' })));
    const r = cli(['build', 'app.ts', '--board', 'host', '--file', 'kws=' + model(), '--file', 'frames=frames.bin', '--out', 'out/host'], 'build host');
    assert.match(r.stderr, /\[2\/3\] bundling app\.ts/);
    const b = JSON.parse(fs.readFileSync(path.join(app, 'out', 'host', 'build.json'), 'utf8'));
    assert.strictEqual(b.board, 'host');
    assert.deepStrictEqual(b.version, { name: 'scratch-app', version: '1.2.3' });
    const kws = b.files.find((f) => f.name === 'kws');
    const bytes = fs.readFileSync(path.join(app, 'out', 'host', 'files', 'kws'));
    assert.strictEqual(kws.bytes, bytes.length);
    assert.strictEqual(kws.sha256, require('crypto').createHash('sha256').update(bytes).digest('hex'));
    assert.ok(kws.model && kws.model.packed && bytes.length > fs.statSync(model()).size, 'the model is packed');
    assert.ok(fs.statSync(path.join(app, 'out', 'host', 'app.js')).size < 20000, 'device core + app, minified');
  });

  it('runs on the host (Node) and on Duktape: same output, scores = TFLM', function () {
    checkRun(cli(['emulate', 'out/host', '--board', 'host', '--', 'scores-host.bin'], 'emulate host'), 'scores-host.bin', 'host');
    checkRun(cli(['emulate', 'out/host', '--board', 'duktape', '--', 'scores-duk.bin'], 'emulate duktape'), 'scores-duk.bin', 'duktape');
  });

  it('builds firmware for qemu-m4 and runs it there: same output, scores = TFLM; heap within 10% of the prediction', function () {
    const r = cli(['build', 'app.ts', '--board', 'qemu-m4', '--file', 'kws=' + model(), '--file', 'frames=frames.bin', '--out', 'out/qemu'], 'build qemu-m4');
    assert.match(r.stderr, /\[3\/4\] firmware/);
    assert.match(r.stderr, /RAM: \d+ bytes of 262144/);
    const b = JSON.parse(fs.readFileSync(path.join(app, 'out', 'qemu', 'build.json'), 'utf8'));
    assert.ok(fs.existsSync(path.join(app, 'out', 'qemu', 'firmware.elf')));
    const run = cli(['emulate', 'out/qemu', '--stats', '--', 'scores-qemu.bin'], 'emulate qemu-m4');
    checkRun(run, 'scores-qemu.bin', 'qemu-m4');
    const stats = JSON.parse(/stats: (\{.*\})/.exec(run.stderr)[1]);
    const err = b.fit.heapPredicted / stats.heapPeak - 1;
    console.log('      JS heap: predicted ' + b.fit.heapPredicted + ', measured peak ' + stats.heapPeak + ' (' + (100 * err).toFixed(1) + '%)');
    assert.ok(Math.abs(err) <= 0.10, 'heap prediction ' + b.fit.heapPredicted + ' vs measured ' + stats.heapPeak);
  });

  it('--profile on qemu-m4: per-op instructions of each invoke sum to within 1% of its kernel instructions', function () {
    const r = cli(['emulate', 'out/qemu', '--profile', '--', 'scores-prof.bin'], 'emulate --profile');
    checkRun(r, 'scores-prof.bin', 'qemu-m4 --profile');
    const invokes = r.stderr.split('\n').filter((l) => /^profile: invoke/.test(l));
    assert.strictEqual(invokes.length, SAMPLES.length, r.stderr);
    for (const l of invokes) {
      const m = /(\d+) kernel instructions, (\d+) in ops/.exec(l);
      const kernel = Number(m[1]), ops = Number(m[2]);
      assert.ok(kernel > 5e5 && ops <= kernel && ops >= 0.99 * kernel, l);
    }
    assert.match(r.stderr, /op 0 +DWCONV_S8 +\d+/);
  });

  it('inspect --board qemu-m4: the kws heap prediction is within 10% of the bench\'s measurement', function () {
    const bench = JSON.parse(fs.readFileSync(path.join(h.ROOT, 'bench', 'results', 'qemu-m4.json'), 'utf8'));
    const row = bench.rows.find((x) => x.model === 'kws_ds_cnn_int8');
    const r = cli(['inspect', path.join(h.MODELS, 'kws_ds_cnn_int8.tflite'), '--board', 'qemu-m4', '--json'], 'inspect --board');
    const fit = JSON.parse(r.stdout).fit;
    const err = fit.heapPredicted / row.heap.highWater - 1;
    console.log('      kws JS heap: predicted ' + fit.heapPredicted + ', bench ' + row.heap.highWater + ' (' + (100 * err).toFixed(1) + '%)');
    assert.ok(Math.abs(err) <= 0.10, 'prediction ' + fit.heapPredicted + ' vs bench ' + row.heap.highWater);
    assert.ok(fit.fits);
  });

  it('refuses an image that does not fit, naming what is over and by how much', function () {
    // Two models whose arenas (83 KB + 135 KB) with the JS heap and stack overflow 256 KB of RAM.
    const r = cli(['build', 'app.ts', '--board', 'qemu-m4', '--file', 'kws=' + path.join(h.MODELS, 'vww_mobilenet_int8.tflite'),
      '--file', 'other=' + path.join(h.MODELS, 'ic_resnet8_float.tflite'), '--file', 'frames=frames.bin', '--out', 'out/big'], 'build (too big)', 1);
    const line = r.stderr.trim().split('\n').pop();
    const m = /^tinyml: the image does not fit qemu-m4: RAM over by (\d+) bytes \((\d+) > 262144; largest: arena/.exec(line);
    assert.ok(m, line);
    assert.strictEqual(Number(m[1]), Number(m[2]) - 262144);
    assert.ok(!fs.existsSync(path.join(app, 'out', 'big', 'build.json')), 'nothing written');
  });

  it('a raw TFLite file (not *.tflite, so not packed) brings the on-device planner along; same output as packed', function () {
    const hw = h.golden().models.find((x) => x.name === 'hello_world_int8');
    const c = hw.cases[0];
    fs.copyFileSync(path.join(h.MODELS, hw.file), path.join(app, 'hw.bin'));
    fs.writeFileSync(path.join(app, 'raw.ts'), "import { Interpreter } from 'tinyml-ts';\n" +
      "const m = new Interpreter(board.file('hw')!);\nm.allocateTensors();\nconst x = board.file('x')!;\n" +
      "for (let i = 0; i < x.length; i++) m.input(0)[i] = (x[i] << 24) >> 24;\nm.invoke();\nboard.print('y', m.output(0)[0]);\n");
    const x = path.join(h.MODELS, c.input.file);
    const raw = cli(['build', 'raw.ts', '--board', 'host', '--file', 'hw=hw.bin', '--file', 'x=' + x, '--out', 'out/raw'], 'build raw');
    assert.match(raw.stderr, /hw: raw TFLite, planned on the device/);
    cli(['build', 'raw.ts', '--board', 'host', '--file', 'hw=' + path.join(h.MODELS, hw.file), '--file', 'x=' + x, '--out', 'out/packed'], 'build packed');
    assert.ok(fs.statSync(path.join(app, 'out', 'raw', 'app.js')).size > 2 * fs.statSync(path.join(app, 'out', 'packed', 'app.js')).size);
    const y = (h.readBytes(path.join(h.MODELS, c.output.file))[0] << 24) >> 24;
    assert.strictEqual(cli(['emulate', 'out/raw'], 'emulate raw').stdout, 'y ' + y + '\n');
    assert.strictEqual(cli(['emulate', 'out/packed'], 'emulate packed').stdout, 'y ' + y + '\n');
  });

  it('tinyml init: a starter that builds and runs on the host', function () {
    cli(['init', 'starter'], 'init');
    for (const f of ['app.ts', 'tsconfig.json', 'package.json', 'README.md']) assert.ok(fs.existsSync(path.join(app, 'starter', f)), f);
    const scripts = JSON.parse(fs.readFileSync(path.join(app, 'starter', 'package.json'), 'utf8')).scripts;
    assert.match(scripts.build, /build:host.*build:qemu/);
    cli(['build', 'starter/app.ts', '--board', 'host', '--file', 'model=' + path.join(h.MODELS, 'kws_ds_cnn_int8.tflite'), '--out', 'starter/build/host'], 'build starter');
    const r = cli(['emulate', 'starter/build/host'], 'emulate starter');
    assert.strictEqual(r.stdout.trim().split('\n').filter((l) => /^frame \d top class \d+ score -?\d+ in \d+ ms$/.test(l)).length, 3, r.stdout);
  });
});
