'use strict';
// examples/micro_speech against TFLM: the app, built for the host board and
// run with `-- features every=1`, prints each clip's first full window (the
// 49 feature rows its streamed front end made, 20 ms of audio per tick) and
// the classifier's scores on it. Those must be byte for byte TFLM's: the
// audio_preprocessor_int8 *_1000ms_features outputs and the micro_speech_int8
// *_1000ms outputs of golden.json. Then the verdicts: one "yes" for
// yes_1000ms, one "no" for no_1000ms, nothing for silence and noise, with
// the classifier on every row and every 8th row (the default), the same on
// Node and Duktape; and the shared arena it prints is `tinyml inspect`'s.
// (test/examples.test.js runs the default on host, duktape and qemu-m4.)
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');

const DIR = path.join(h.ROOT, 'examples', 'micro_speech');
const CLIPS = ['yes_1000ms', 'no_1000ms', 'silence_1000ms', 'noise_1000ms'];
const WANT = { yes_1000ms: ['yes'], no_1000ms: ['no'], silence_1000ms: [], noise_1000ms: [] };

function golden(model, name) {
  return h.readBytes(path.join(h.MODELS, 'golden', model, name + '.output.bin'));
}

function run(out, board, args) {
  const r = h.cli(['emulate', out, '--board', board, '--'].concat(args), { timeout: 300000 });
  assert.strictEqual(r.status, 0, board + ' ' + args.join(' ') + ': status ' + r.status + '\n' + r.stdout + r.stderr);
  return r.stdout.split('\n').filter((l) => l && !l.startsWith('time:'));
}

function heard(lines, clip) {
  return lines.filter((l) => l.startsWith(clip + '.wav: heard ')).map((l) => /heard "(\w+)"/.exec(l)[1]);
}

describe('examples/micro_speech: streamed features and scores are TFLM\'s, verdicts on Node and Duktape', function () {
  this.timeout(300000);
  let out, host;

  before(function () {
    const spec = JSON.parse(fs.readFileSync(path.join(DIR, 'example.json'), 'utf8'));
    const args = ['build', path.join(DIR, 'app.ts'), '--board', 'host'];
    for (const name of Object.keys(spec.files)) {
      const file = path.join(h.MODELS, spec.files[name]);
      if (!fs.existsSync(file)) throw new Error(file + ' is missing: set TINYML_MODELS to the shared/models directory');
      args.push('--file', name + '=' + file);
    }
    out = path.join(h.tmpDir(), 'micro_speech');
    const r = h.cli(args.concat(['--out', out]), { timeout: 300000 });
    assert.strictEqual(r.status, 0, 'tinyml build: ' + r.stdout + r.stderr);
    host = run(out, 'host', ['features', 'every=1']);
  });

  it('each clip\'s first full window: the 49x40 feature rows and the scores are byte-identical to TFLM\'s', function () {
    for (const clip of CLIPS) {
      const rows = host.filter((l) => l.startsWith('features ' + clip + ' ')).map((l) => l.split(' '));
      assert.strictEqual(rows.length, 49, clip + ' rows');
      rows.forEach((r, i) => assert.strictEqual(+r[2], i, clip + ' row order'));
      const features = Buffer.from(rows.map((r) => r[3]).join(''), 'hex');
      const want = golden('audio_preprocessor_int8', clip + '_features');
      assert.strictEqual(want.length, 49 * 40);
      assert.deepStrictEqual(new Uint8Array(features), want, clip + ' features');
      const scores = host.filter((l) => l.startsWith('scores ' + clip + ' '));
      assert.strictEqual(scores.length, 1, clip + ' scores line');
      assert.deepStrictEqual(new Uint8Array(Buffer.from(scores[0].split(' ')[2], 'hex')), golden('micro_speech_int8', clip), clip + ' scores');
    }
  });

  it('verdicts: "yes", "no", nothing for silence and noise, every row (51 inferences a clip) and every 8th (7)', function () {
    const every8 = run(out, 'host', []);
    for (const [lines, n] of [[host, 51], [every8, 7]]) {
      for (const clip of CLIPS) {
        assert.deepStrictEqual(heard(lines, clip), WANT[clip], clip + ' every ' + (n === 51 ? 1 : 8) + ':\n' + lines.join('\n'));
        const summary = (WANT[clip][0] || 'no command') + ' (' + n + ' inferences)';
        assert.ok(lines.indexOf(clip + '.wav: ' + summary) >= 0, clip + ': expected "' + summary + '"');
      }
    }
    assert.ok(!every8.some((l) => l.startsWith('features ')), 'no feature dump without the argument');
  });

  it('the same output on Duktape (device bundle) as on Node', function () {
    assert.deepStrictEqual(run(out, 'duktape', ['features', 'every=1']), host);
  });

  it('one arena for both models: the figures of `tinyml inspect`, smaller than two arenas', function () {
    const r = h.cli(['inspect', path.join(h.MODELS, 'audio_preprocessor_int8.tflite'), path.join(h.MODELS, 'micro_speech_int8.tflite'), '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout).shared;
    const line = host.find((l) => l.startsWith('arena: '));
    assert.strictEqual(line, 'arena: ' + s.usedBytes + ' bytes shared (block ' + s.arenaBytes + '), ' + s.separateBytes +
      ' bytes as two arenas: saves ' + (s.separateBytes - s.arenaBytes));
    assert.ok(s.arenaBytes < s.separateBytes);
  });
});
