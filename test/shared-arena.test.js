'use strict';
// Several interpreters in one arena (allocateShared, tml_load_shared) on Node
// and on Duktape (dist/tinyml-duk --script with the device core and the app
// helpers bundle, as a board runs them). test/shared-arena-suite.js does the
// work; here every output is checked against TFLM's golden outputs and
// against the same runs on separate arenas, and the saving is printed.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');
const { run } = require('./shared-arena-suite');
const { buildAppBundle } = require('../scripts/app-bundle');

const DUK = path.join(h.ROOT, 'dist', 'tinyml-duk');
const MODELS = ['audio_preprocessor_int8', 'micro_speech_int8', 'mnist_lstm_int8', 'kws_ds_cnn_int8', 'hello_world_int8'];
const INPUTS = ['audio_preprocessor_int8/yes_1000ms_features', 'audio_preprocessor_int8/no_1000ms_features',
  'micro_speech_int8/yes_1000ms', 'mnist_lstm_int8/mnist_samples0to3_sequence',
  'kws_ds_cnn_int8/prng_seed1', 'kws_ds_cnn_int8/prngzp_seed1', 'hello_world_int8/prng_seed1', 'hello_world_int8/prngzp_seed1'];

function golden(name) {
  return Array.from(h.readBytes(path.join(h.MODELS, 'golden', name + '.output.bin')));
}
function goldenInput(name) {
  return h.readBytes(path.join(h.MODELS, 'golden', name + '.input.bin'));
}
function sum(a) {
  return a.reduce((x, y) => x + y, 0);
}

describe('shared arena (several interpreters, one block)', function () {
  this.timeout(300000);
  const ctx = { results: {} };

  before(async function () {
    const tm = h.tinyml();
    ctx.tmp = h.tmpDir();
    // Packed on the host, as boards get them: the device core runs them.
    ctx.files = MODELS.map((m) => tm.packModel(h.readBytes(path.join(h.MODELS, m + '.tflite'))))
      .concat(INPUTS.map(goldenInput));
    ctx.results.node = JSON.parse(JSON.stringify(run(tm, tm, ctx.files)));
    if (!fs.existsSync(DUK)) {
      ctx.dukError = DUK + ' is missing: run `npm run build` (needs Debian duktape-dev: apt-get install duktape-dev)';
      return;
    }
    const appFile = path.join(ctx.tmp, 'tinyml.app.js');
    await buildAppBundle(appFile);
    const script = path.join(ctx.tmp, 'shared.js');
    fs.writeFileSync(script, fs.readFileSync(path.join(h.ROOT, 'dist', 'tinyml.core.js'), 'utf8') + '\n' +
      fs.readFileSync(appFile, 'utf8') + '\nvar run = ' + run.toString() + ';\n' +
      '(function () {\n' +
      '  var a = __host.args, files = [];\n' +
      '  for (var i = 1; i < a.length; i++) files.push(__host.readFile(a[i]));\n' +
      '  var s = JSON.stringify(run(tinyml, tinymlApp, files)), b = new Uint8Array(s.length);\n' +
      '  for (i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);\n' +
      '  if (!__host.writeFile(a[0], b)) throw new Error("cannot write " + a[0]);\n' +
      '})();\n');
    const names = ctx.files.map((f, i) => {
      const p = path.join(ctx.tmp, 'f' + i + '.bin');
      fs.writeFileSync(p, f);
      return p;
    });
    const outFile = path.join(ctx.tmp, 'out.json');
    const r = spawnSync(DUK, ['--script', script, outFile].concat(names), { encoding: 'utf8', timeout: 240000 });
    if (r.status !== 0) ctx.dukError = 'tinyml-duk exited ' + r.status + ': ' + r.stderr + r.stdout;
    else ctx.results.duktape = JSON.parse(fs.readFileSync(outFile, 'latin1'));
  });

  it('tinyml inspect <models...> prints the shared total, the same as allocateShared\'s', function () {
    const files = ['audio_preprocessor_int8', 'micro_speech_int8'].map((m) => path.join(h.MODELS, m + '.tflite'));
    const r = h.cli(['inspect'].concat(files, ['--json']));
    assert.strictEqual(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    const L = ctx.results.node.shared.yes.layout;
    assert.deepStrictEqual(j.shared, { usedBytes: L.usedBytes, arenaBytes: L.arenaBytes, separateBytes: L.separateBytes });
    const text = h.cli(['inspect'].concat(files));
    assert.match(text.stdout, new RegExp('shared arena: ' + L.arenaBytes + ' bytes \\(' + L.usedBytes + ' in use'));
  });

  for (const engine of ['node', 'duktape']) {
    describe('on ' + engine, function () {
      let R;
      before(function () {
        if (engine === 'duktape' && ctx.dukError) throw new Error(ctx.dukError);
        R = ctx.results[engine];
      });

      it('micro_speech: the front end (stateful) and the classifier interleaved give TFLM\'s features and scores', function () {
        for (const clip of ['yes', 'no']) {
          const s = R.shared[clip];
          assert.deepStrictEqual(s.features, golden('audio_preprocessor_int8/' + clip + '_1000ms_features'), clip + ' features');
          if (clip === 'yes') assert.deepStrictEqual(s.scores, golden('micro_speech_int8/yes_1000ms'), 'scores');
          assert.deepStrictEqual(s, Object.assign({}, R.separate[clip], { used: s.used, layout: s.layout }),
            clip + ': every output as on separate arenas');
        }
      });

      it('two stateful models (mnist_lstm + the preprocessor) keep their state across each other\'s invokes', function () {
        const s = R.shared.stateful;
        assert.deepStrictEqual(s.digits, golden('mnist_lstm_int8/mnist_samples0to3_sequence'), 'LSTM sequence');
        assert.deepStrictEqual(s.features, golden('audio_preprocessor_int8/no_1000ms_features'), 'front end sequence');
        assert.deepStrictEqual(s.digitAfterReset, golden('mnist_lstm_int8/mnist_samples0to3_sequence').slice(0, 10), 'resetVariables');
        assert.deepStrictEqual(s.frameAfterReset, golden('audio_preprocessor_int8/no_1000ms_features').slice(0, 40), 'resetVariables');
        assert.deepStrictEqual(s, Object.assign({}, R.separate.stateful, { used: s.used, layout: s.layout }));
      });

      it('two stateless models (kws_ds_cnn + hello_world) interleaved', function () {
        const s = R.shared.stateless;
        assert.deepStrictEqual(s.outputs, [golden('kws_ds_cnn_int8/prng_seed1'), golden('hello_world_int8/prng_seed1'),
          golden('kws_ds_cnn_int8/prngzp_seed1'), golden('hello_world_int8/prngzp_seed1')]);
        assert.deepStrictEqual(s.outputs, R.separate.stateless.outputs);
      });

      it('all five in one block', function () {
        const s = R.shared.all;
        assert.deepStrictEqual(s.features, golden('audio_preprocessor_int8/yes_1000ms_features'));
        assert.deepStrictEqual(s.digits, golden('mnist_lstm_int8/mnist_samples0to3_sequence'));
        assert.deepStrictEqual(s.others, [golden('kws_ds_cnn_int8/prng_seed1'), golden('hello_world_int8/prng_seed1')]);
        assert.deepStrictEqual(s.scores, golden('micro_speech_int8/yes_1000ms'));
        assert.deepStrictEqual(s, Object.assign({}, R.separate.all, { used: s.used, layout: s.layout }));
      });

      it('arenaUsedBytes() is the shared total, smaller than the separate arenas added up', function () {
        const groups = [['micro_speech (audio_preprocessor_int8 + micro_speech_int8)', 'yes'],
          ['mnist_lstm_int8 + audio_preprocessor_int8 (both stateful)', 'stateful'],
          ['kws_ds_cnn_int8 + hello_world_int8', 'stateless'], ['all five', 'all']];
        for (const [label, key] of groups) {
          const s = R.shared[key], sep = R.separate[key];
          for (const u of s.used) assert.strictEqual(u, s.layout.usedBytes, label + ': every interpreter reports the block');
          const apart = sum(sep.used);
          assert.ok(s.layout.usedBytes < apart, label + ': ' + s.layout.usedBytes + ' < ' + apart);
          assert.ok(s.layout.arenaBytes < s.layout.separateBytes);
          if (engine === 'node') {
            console.log('      ' + label + ': shared ' + s.layout.usedBytes + ' bytes vs separate ' + sep.used.join(' + ') +
              ' = ' + apart + ' (' + Math.round(100 * (1 - s.layout.usedBytes / apart)) + '% less; blocks with alignment slack ' +
              s.layout.arenaBytes + ' vs ' + s.layout.separateBytes + ')');
          }
        }
        assert.strictEqual(R.shared.yes.layout.usedBytes, R.shared.no.layout.usedBytes);
      });

      it('misuse gets coded errors; a roomier block and leaving the group work', function () {
        const e = R.errors;
        const need = /need (\d+) bytes together/.exec(e.tooSmall[2]);
        assert.deepStrictEqual(e.tooSmall.slice(0, 2), ['TinyMLError', 'E_ARENA_TOO_SMALL']);
        assert.ok(need, e.tooSmall[2]);
        assert.ok(e.tooSmall[2].indexOf('arena of ' + (Number(need[1]) - 1) + ' bytes') >= 0, e.tooSmall[2]);
        for (const k of ['empty', 'notArray', 'twice', 'notInterpreter', 'badSize']) {
          assert.deepStrictEqual(e[k].slice(0, 2), ['TinyMLError', 'E_BAD_INPUT'], k + ': ' + e[k]);
        }
        assert.deepStrictEqual(e.beforeAllocate.slice(0, 2), ['TinyMLError', 'E_BAD_STATE']);
        assert.deepStrictEqual(R.roomy.kws, golden('kws_ds_cnn_int8/prng_seed1'));
        assert.deepStrictEqual(R.roomy.arenaUsed, [R.roomy.usedBytes, R.roomy.usedBytes]);
        assert.strictEqual(R.roomy.usedBytes + 15, Number(need[1]));
        assert.deepStrictEqual(R.leave.kws, golden('kws_ds_cnn_int8/prngzp_seed1'));
        assert.deepStrictEqual(R.leave.hello, golden('hello_world_int8/prngzp_seed1'));
        assert.ok(R.leave.arenaUsed[1] < R.roomy.usedBytes, 'hello_world alone again');
      });

      if (engine === 'duktape') {
        it('gives the same results as Node', function () {
          assert.deepStrictEqual(R, ctx.results.node);
        });
      }
    });
  }
});
