'use strict';
// examples/micro_speech against TFLM, beyond test/examples.test.js (which
// runs the default, every row, with `-- save` on host, duktape and
// qemu-m4 and compares the handed-back windows and scores with TFLM's):
// with the classifier on every row (`every=1`, TFLM's own schedule), the
// first full window of each clip (the 49 feature rows the streamed front end
// made, 20 ms of audio per tick) and its scores are byte for byte TFLM's
// (audio_preprocessor_int8 *_1000ms_features outputs, which are also
// micro_speech_int8's *_1000ms inputs, and micro_speech_int8's outputs); the
// verdicts are one "yes" for yes_1000ms, one "no" for no_1000ms and nothing
// at all for silence and noise, on every row and every 8th, the same on
// Node and Duktape; and the shared arena it prints is `tinyml inspect`'s.
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

// Runs the app in a fresh directory (board.output writes there): the printed
// lines ("time:" aside) and the files handed back.
function run(out, board, args) {
  const cwd = fs.mkdtempSync(out + '-' + board + '-');
  const r = h.cli(['emulate', out, '--board', board, '--'].concat(args), { cwd: cwd, timeout: 300000 });
  assert.strictEqual(r.status, 0, board + ' ' + args.join(' ') + ': status ' + r.status + '\n' + r.stdout + r.stderr);
  const files = {};
  for (const f of fs.readdirSync(cwd).sort()) files[f] = h.readBytes(path.join(cwd, f));
  return { lines: r.stdout.split('\n').filter((l) => l && !l.startsWith('time:')), files: files };
}

function heard(lines, clip) {
  return lines.lines.filter((l) => l.startsWith(clip + '.wav: heard ')).map((l) => /heard "(\w+)"/.exec(l)[1]);
}

describe('examples/micro_speech: streamed features and scores are TFLM\'s, verdicts on Node and Duktape', function () {
  this.timeout(300000);
  let work, out, host;

  before(function () {
    const spec = JSON.parse(fs.readFileSync(path.join(DIR, 'example.json'), 'utf8'));
    const args = ['build', path.join(DIR, 'app.ts'), '--board', 'host'];
    for (const name of Object.keys(spec.files)) {
      const file = path.join(h.MODELS, spec.files[name]);
      if (!fs.existsSync(file)) throw new Error(file + ' is missing: set TINYML_MODELS to the shared/models directory');
      args.push('--file', name + '=' + file);
    }
    work = h.tmpDir();
    out = path.join(work, 'micro_speech');
    const r = h.cli(args.concat(['--out', out]), { timeout: 300000 });
    assert.strictEqual(r.status, 0, 'tinyml build: ' + r.stdout + r.stderr);
    host = run(out, 'host', ['save', 'every=1']);
  });

  after(function () {
    if (work && !process.env.TINYML_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  });

  it('each clip\'s first full window: the 49x40 feature rows and the scores are byte-identical to TFLM\'s', function () {
    assert.deepStrictEqual(Object.keys(host.files), CLIPS.map((c) => [c + '.input.bin', c + '.output.bin']).reduce((a, b) => a.concat(b)).sort());
    for (const clip of CLIPS) {
      const want = golden('audio_preprocessor_int8', clip + '_features');
      assert.strictEqual(want.length, 49 * 40);
      assert.deepStrictEqual(host.files[clip + '.input.bin'], want, clip + ' features');
      assert.deepStrictEqual(want, h.readBytes(path.join(h.MODELS, 'golden', 'micro_speech_int8', clip + '.input.bin')), 'golden: the front end\'s features are the classifier\'s input');
      assert.deepStrictEqual(host.files[clip + '.output.bin'], golden('micro_speech_int8', clip), clip + ' scores');
    }
  });

  it('verdicts: "yes", "no", nothing for silence and noise, every row (51 inferences a clip) and every 8th (7)', function () {
    const every8 = run(out, 'host', ['every=8']);
    for (const [got, n] of [[host, 51], [every8, 7]]) {
      for (const clip of CLIPS) {
        assert.deepStrictEqual(heard(got, clip), WANT[clip], clip + ' every ' + (n === 51 ? 1 : 8) + ':\n' + got.lines.join('\n'));
        const summary = (WANT[clip][0] || 'no command') + ' (' + n + ' inferences)';
        assert.ok(got.lines.indexOf(clip + '.wav: ' + summary) >= 0, clip + ': expected "' + summary + '"');
      }
    }
    assert.deepStrictEqual(every8.files, {}, 'nothing handed back without `save`');
  });

  it('the same output on Duktape (device bundle) as on Node', function () {
    assert.deepStrictEqual(run(out, 'duktape', ['save', 'every=1']), host);
  });

  it('one arena for both models: the figures of `tinyml inspect`, smaller than two arenas', function () {
    const r = h.cli(['inspect', path.join(h.MODELS, 'audio_preprocessor_int8.tflite'), path.join(h.MODELS, 'micro_speech_int8.tflite'), '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const s = JSON.parse(r.stdout).shared;
    const line = host.lines.find((l) => l.startsWith('arena: '));
    assert.strictEqual(line, 'arena: ' + s.usedBytes + ' bytes shared (block ' + s.arenaBytes + '), ' + s.separateBytes +
      ' bytes as two arenas: saves ' + (s.separateBytes - s.arenaBytes));
    assert.ok(s.arenaBytes < s.separateBytes);
  });
});
