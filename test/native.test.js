'use strict';
// The native module under clang's AddressSanitizer + UndefinedBehaviorSanitizer
// (every report fatal): the standalone C test runners (test/kernels_*.c,
// test/native/*_test.c), the committed fuzz regressions, the seed corpus, and
// a bounded run of both fuzzers (about 60 s; TINYML_FUZZ_SECONDS changes it,
// 0 skips it). Needs clang and libclang-rt-14-dev: without them this file
// fails with the install hint rather than skipping.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const build = require('../scripts/build-native-tests.js');

const ROOT = path.join(__dirname, '..');
const FUZZ_SECONDS = process.env.TINYML_FUZZ_SECONDS !== undefined ? Number(process.env.TINYML_FUZZ_SECONDS) : 60;

function runnerNames() {
  const out = [];
  for (const f of fs.readdirSync(__dirname).sort()) if (/^kernels_.*\.c$/.test(f)) out.push(f);
  const nd = path.join(__dirname, 'native');
  if (fs.existsSync(nd)) for (const f of fs.readdirSync(nd).sort()) if (/_test\.c$/.test(f)) out.push('native/' + f);
  return out;
}

function tail(s, n) {
  s = String(s || '');
  return s.length > n ? '...' + s.slice(-n) : s;
}

describe('native: sanitizer builds (clang -fsanitize=address,undefined)', function () {
  this.timeout(900000);
  let built = null;

  before(function () {
    // Throws with "sudo apt-get install clang libclang-rt-14-dev" when the
    // toolchain is missing: a missing sanitizer is a failure, not a skip.
    built = build.build(['tests', 'addon', 'fuzz']);
  });

  for (const name of runnerNames()) {
    it('test/' + name + ': N passed, 0 failed, no sanitizer report', function () {
      const runner = built.runners.find((r) => r.name === 'test/' + name);
      assert.ok(runner, 'no runner built for ' + name);
      const r = spawnSync(runner.bin, [], { cwd: ROOT, env: build.sanitizerEnv(), encoding: 'utf8', timeout: 600000 });
      const out = (r.stdout || '') + (r.stderr || '');
      assert.strictEqual(r.signal, null, name + ' died with ' + r.signal + '\n' + tail(out, 6000));
      const m = /(\d+) passed, (\d+) failed\s*$/.exec((r.stdout || '').trim());
      assert.ok(m, name + ' printed no "N passed, N failed" line:\n' + tail(out, 6000));
      assert.strictEqual(Number(m[2]), 0, name + ':\n' + tail(out, 6000));
      assert.ok(Number(m[1]) > 0);
      assert.strictEqual(r.status, 0, name + ' exit ' + r.status + ':\n' + tail(out, 6000));
    });
  }

  it('every committed fuzz regression and seed runs clean through the libFuzzer target', function () {
    const inputs = [];
    for (const d of ['regressions', 'corpus']) {
      const dir = path.join(ROOT, 'fuzz', d);
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.bin')) inputs.push(path.join(dir, f));
    }
    assert.ok(inputs.length > 0, 'fuzz/corpus is empty: run `node fuzz/make-corpus.js`');
    for (const bin of [built.fuzzers.fuzz_load, built.fuzzers.fuzz_load_struct]) {
      const r = spawnSync(bin, ['-runs=1'].concat(inputs), { env: build.sanitizerEnv(), encoding: 'utf8', timeout: 600000 });
      assert.strictEqual(r.status, 0, path.basename(bin) + ' exit ' + r.status + ' ' + (r.signal || '') + '\n' + tail(r.stderr, 6000));
    }
  });

  // Model regressions (.tflite) are kept only when they are not edited copies
  // of the shared models; the test exists when there are any.
  const regressionDir = path.join(ROOT, 'fuzz', 'regressions');
  const models = fs.existsSync(regressionDir) ? fs.readdirSync(regressionDir)
    .filter((f) => f.endsWith('.tflite')).map((f) => path.join(regressionDir, f)) : [];
  if (models.length) it('every committed model regression ends in ok or a TinyMLError with a code (sanitizer addon)', function () {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'fuzz', 'mutate.js'), '--asan', '--replay'].concat(models),
      { cwd: ROOT, encoding: 'utf8', timeout: 600000 });
    assert.strictEqual(r.status, 0, tail((r.stdout || '') + (r.stderr || ''), 6000));
  });

  it('the real models run on the sanitizer-built addon', function () {
    // Whatever the runtime supports today, end to end, under the sanitizers.
    const script = [
      "const fs = require('fs'), path = require('path');",
      'const t = require(' + JSON.stringify(path.join(ROOT, 'dist', 'tinyml.node.js')) + ');',
      'const native = require(' + JSON.stringify(built.addon) + ');',
      'const dir = ' + JSON.stringify(require('./helpers').MODELS) + ';',
      'let ran = 0, refused = 0;',
      "for (const d of [dir, path.join(dir, 'ops')]) {",
      '  if (!fs.existsSync(d)) continue;',
      "  for (const f of fs.readdirSync(d).filter((x) => x.endsWith('.tflite'))) {",
      '    let it;',
      '    try { it = new t.Interpreter(new Uint8Array(fs.readFileSync(path.join(d, f))), { native }); it.allocateTensors(); }',
      '    catch (e) { if (!(e instanceof t.TinyMLError)) throw e; refused++; continue; }',
      '    for (let i = 0; i < it.inputCount(); i++) { const v = it.input(i); new Uint8Array(v.buffer, v.byteOffset, v.byteLength).fill(7); }',
      '    it.invoke(); it.resetVariables(); it.invoke(); ran++;',
      '  }',
      '}',
      "console.log(ran + ' ran, ' + refused + ' refused');",
    ].join('\n');
    const env = Object.assign({}, process.env, { LD_PRELOAD: build.asanRuntime(), ASAN_OPTIONS: 'detect_leaks=0', UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' });
    const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, env, encoding: 'utf8', timeout: 600000 });
    assert.strictEqual(r.status, 0, tail((r.stdout || '') + (r.stderr || ''), 6000));
    const m = /(\d+) ran/.exec(r.stdout);
    assert.ok(m && Number(m[1]) > 0, r.stdout);
  });

  it('bounded fuzz run (libFuzzer + model mutation): no finding', function () {
    if (!(FUZZ_SECONDS > 0)) this.skip();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'fuzz', 'run.js'), '--seconds', String(FUZZ_SECONDS)],
      { cwd: ROOT, encoding: 'utf8', timeout: (FUZZ_SECONDS + 600) * 1000 });
    const out = (r.stdout || '') + (r.stderr || '');
    process.stdout.write(out.split('\n').map((l) => '      ' + l).join('\n') + '\n');
    assert.strictEqual(r.status, 0, 'fuzz findings (see fuzz/out/):\n' + tail(out, 8000));
  });
});
