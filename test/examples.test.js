'use strict';
// Every examples/<name>/example.json (docs: /examples/README.md): the app is
// built with `tinyml build` for host and qemu-m4 into a temp dir and run with
// `tinyml emulate` on host (Node), duktape and qemu-m4 (the emulated
// Cortex-M4); each run must print the expected lines in order, and the three
// runs must print the same (lines starting with "time:" aside). Files the app
// hands back with board.output (example.json "outputs": file -> golden file
// under the models dir) must equal TFLM's golden bytes on every board.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');

const EXAMPLES = path.join(h.ROOT, 'examples');
const BOARDS = ['host', 'duktape', 'qemu-m4'];

function examples() {
  return fs.readdirSync(EXAMPLES).filter((d) => fs.existsSync(path.join(EXAMPLES, d, 'example.json'))).sort();
}

/** `tinyml <args>` in cwd; asserts exit 0. */
function tinyml(args, cwd, what) {
  const r = spawnSync(process.execPath, [path.join(h.ROOT, 'bin', 'tinyml.js')].concat(args),
    { cwd: cwd, encoding: 'utf8', timeout: 10 * 60 * 1000, maxBuffer: 64 << 20 });
  assert.strictEqual(r.status, 0, what + ': status ' + r.status + (r.signal ? ' (' + r.signal + ')' : '') + '\n' + r.stdout + r.stderr);
  return r;
}

/** The build args of an example: --file name=<models dir>/path for each file (and --arena). */
function fileArgs(spec) {
  const args = spec.arena ? ['--arena', String(spec.arena)] : [];
  Object.keys(spec.files || {}).forEach((name) => {
    const file = path.join(h.MODELS, spec.files[name]);
    if (!fs.existsSync(file)) throw new Error(file + ' not found: set TINYML_MODELS to the shared/models directory');
    args.push('--file', name + '=' + file);
  });
  return args;
}

/** Asserts each expect entry ("exact line" or "/regex/") matches a line, in order. */
function checkExpect(lines, expect, what) {
  let at = 0;
  expect.forEach((e) => {
    const re = e.length > 1 && e[0] === '/' && e[e.length - 1] === '/' ? new RegExp('^' + e.slice(1, -1) + '$') : null;
    const i = lines.slice(at).findIndex((l) => (re ? re.test(l) : l === e));
    assert.ok(i >= 0, what + ': expected ' + JSON.stringify(e) + ' after line ' + at + ' in:\n' + lines.join('\n'));
    at += i + 1;
  });
}

describe('examples/*: built with tinyml build, run on host, duktape and qemu-m4', function () {
  this.timeout(15 * 60 * 1000);
  let work;

  before(function () {
    const q = require(path.join(h.ROOT, 'scripts', 'build-qemu.js'));
    const missing = q.missingTools();
    if (missing.length) throw new Error('the examples run on qemu-m4, which needs ' + missing.join(', ') + ': ' + q.APT);
    work = h.tmpDir();
  });

  after(function () {
    if (work && !process.env.TINYML_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  });

  it('there are examples, each with app.ts, README.md and an expect list', function () {
    const names = examples();
    assert.ok(names.length >= 3, names.join(' '));
    for (const n of names) {
      for (const f of ['app.ts', 'README.md']) assert.ok(fs.existsSync(path.join(EXAMPLES, n, f)), n + '/' + f);
      const spec = JSON.parse(fs.readFileSync(path.join(EXAMPLES, n, 'example.json'), 'utf8'));
      assert.ok(Array.isArray(spec.expect) && spec.expect.length > 0, n + ': example.json has no expect lines');
    }
  });

  for (const name of examples()) {
    describe(name, function () {
      const spec = JSON.parse(fs.readFileSync(path.join(EXAMPLES, name, 'example.json'), 'utf8'));
      const printed = {};
      let dir;

      before(function () {
        dir = path.join(work, name);
        fs.mkdirSync(dir, { recursive: true });
        const app = path.join(EXAMPLES, name, 'app.ts');
        for (const b of ['host', 'qemu-m4']) {
          // (from the repository: the TypeScript plugin resolves from the current directory)
          tinyml(['build', app, '--board', b].concat(fileArgs(spec), ['--out', path.join(dir, b)]), h.ROOT, name + ': build ' + b);
        }
      });

      for (const board of BOARDS) {
        it('on ' + board + ': prints the expected lines' + (spec.outputs ? ', hands back TFLM\'s bytes' : ''), function () {
          const run = path.join(dir, 'run-' + board);
          fs.mkdirSync(run, { recursive: true });
          const build = path.join(dir, board === 'qemu-m4' ? 'qemu-m4' : 'host');
          const r = tinyml(['emulate', build, '--board', board, '--'].concat(spec.args || []), run, name + ' on ' + board);
          const lines = r.stdout.replace(/\n$/, '').split('\n');
          checkExpect(lines, spec.expect, name + ' on ' + board);
          printed[board] = lines.filter((l) => !/^time:/.test(l)).join('\n');
          Object.keys(spec.outputs || {}).forEach((file) => {
            const got = path.join(run, file);
            assert.ok(fs.existsSync(got), name + ' on ' + board + ': the app did not hand back ' + file);
            const want = h.readBytes(path.join(h.MODELS, spec.outputs[file]));
            const at = h.firstDiff(h.readBytes(got), want);
            assert.strictEqual(at, -1, name + ' on ' + board + ': ' + file + ' differs from ' + spec.outputs[file] + ' at byte ' + at);
          });
        });
      }

      it('prints the same on host, duktape and qemu-m4 ("time:" lines aside)', function () {
        for (const b of BOARDS) assert.ok(b in printed, 'no output from ' + b);
        assert.strictEqual(printed.duktape, printed.host, 'duktape vs host');
        assert.strictEqual(printed['qemu-m4'], printed.host, 'qemu-m4 vs host');
      });
    });
  }
});
