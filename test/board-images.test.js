'use strict';
// What `tinyml build` writes for the real boards, checked without them:
//   esp32     tinyml.img, read back by the board's own C reader
//             (boards/esp32/main/tinyml_image.c, compiled here with the
//             sanitizers), and app.js run in Node over the board's primitives:
//             the same output as `tinyml emulate --board host`
//   nrf52840  upload.js, run against a recording Storage: every file and the
//             app (.bootcde) arrive byte for byte
// With engine builds (test:engines; boards/README.md) the images run for
// real: tinyml.img on tinyml-esp32-host (the esp32 board's portable C on a
// host JerryScript, TINYML_JERRYSCRIPT_DIR) and upload.js then .bootcde on
// Espruino's Linux build (TINYML_ESPRUINO_DIR): the same output again.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const vm = require('vm');
const { spawnSync } = require('child_process');
const h = require('./helpers');

const APP_TS = `import { Interpreter } from 'tinyml-ts';
const model = board.file('hello');
if (model === null) throw new Error('no model');
const m = new Interpreter(model);
m.allocateTensors();
let i = 0;
board.print('arena', m.arenaUsedBytes(), 'missing', board.file('nope'));
board.loop(function () {
  m.input(0)[0] = i * 40 - 128;
  m.invoke();
  board.print('x', i, 'y', m.output(0)[0], 'late', board.millis() < 50 * i);
  if (++i === 6) board.exit(0);
}, 50);
`;

/** The board's name line differs; everything else must not. */
function same(a, b, what) {
  assert.strictEqual(a.trim(), b.trim(), what);
}

describe('board images: tinyml build --board esp32 | nrf52840', function () {
  this.timeout(5 * 60 * 1000);
  let work, builds = {}, hostOut;

  function build(board) {
    const out = path.join(work, 'build-' + board);
    const r = spawnSync(process.execPath, [path.join(h.ROOT, 'bin', 'tinyml.js'), 'build', 'app.ts', '--board', board,
      '--file', 'hello=' + path.join(h.MODELS, 'hello_world_int8.tflite'), '--out', out], { cwd: work, encoding: 'utf8' });
    assert.strictEqual(r.status, 0, board + ': ' + r.stdout + r.stderr);
    return out;
  }

  before(function () {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-boards-'));
    fs.writeFileSync(path.join(work, 'app.ts'), APP_TS);
    for (const b of ['host', 'esp32', 'nrf52840']) builds[b] = build(b);
    const r = h.cli(['emulate', builds.host, '--board', 'host']);
    assert.strictEqual(r.status, 0, r.stderr);
    hostOut = r.stdout;
    assert.ok(/^x 5 y -?\d+ late false$/m.test(hostOut), hostOut);
  });

  after(function () {
    if (work && !process.env.TINYML_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  });

  /** Files of an image as the board's C reader sees them. */
  function readImage(img) {
    const dumper = path.join(work, 'image-dump');
    if (!fs.existsSync(dumper)) {
      const src = path.join(work, 'image-dump.c');
      fs.writeFileSync(src, [
        '#include <stdio.h>',
        '#include "tinyml_image.h"',
        '/* image-dump <image> <name>...: writes each file\'s bytes to <name>.out, or says NOT_FOUND. */',
        'static uint8_t image[4 << 20];',
        'int main(int argc, char **argv) {',
        '  FILE *f = fopen(argv[1], "rb");',
        '  size_t n;',
        '  int i;',
        '  if (!f) return 2;',
        '  n = fread(image, 1, sizeof image, f);',
        '  fclose(f);',
        '  if (tml_image_check(image, n) != TML_IMAGE_OK) {',
        '    printf("BAD\\n");',
        '    return 0;',
        '  }',
        '  for (i = 2; i < argc; i++) {',
        '    const uint8_t *data;',
        '    uint32_t size;',
        '    char out[64];',
        '    if (tml_image_find(image, n, argv[i], &data, &size) != TML_IMAGE_OK) {',
        '      printf("NOT_FOUND %s\\n", argv[i]);',
        '      continue;',
        '    }',
        '    snprintf(out, sizeof out, "%.50s.out", argv[i]);',
        '    f = fopen(out, "wb");',
        '    if (!f || fwrite(data, 1, size, f) != size) return 3;',
        '    fclose(f);',
        '    printf("OK %s %u\\n", argv[i], (unsigned)size);',
        '  }',
        '  return 0;',
        '}',
      ].join('\n'));
      const cc = spawnSync('cc', ['-std=c99', '-Wall', '-Wextra', '-Werror', '-g', '-fsanitize=address,undefined',
        '-fno-sanitize-recover=all', '-I', path.join(h.ROOT, 'boards', 'esp32', 'main'), src,
        path.join(h.ROOT, 'boards', 'esp32', 'main', 'tinyml_image.c'), '-o', dumper], { encoding: 'utf8' });
      assert.strictEqual(cc.status, 0, 'cc (apt-get install build-essential): ' + cc.stderr);
    }
    return function (names) {
      const r = spawnSync(dumper, [img].concat(names), { cwd: work, encoding: 'utf8' });
      assert.strictEqual(r.status, 0, r.stderr);
      return r.stdout.trim().split('\n');
    };
  }

  it('esp32: tinyml.img holds app.js and the packed model, read back by the board\'s C reader', function () {
    const img = path.join(builds.esp32, 'tinyml.img');
    const lines = readImage(img)(['app.js', 'hello', 'nope']);
    assert.deepStrictEqual(lines.map((l) => l.split(' ').slice(0, 2).join(' ')), ['OK app.js', 'OK hello', 'NOT_FOUND nope']);
    assert.ok(fs.readFileSync(path.join(work, 'app.js.out')).equals(fs.readFileSync(path.join(builds.esp32, 'app.js'))));
    assert.ok(fs.readFileSync(path.join(work, 'hello.out')).equals(fs.readFileSync(path.join(builds.esp32, 'files', 'hello'))));
    // and refuses a cut image
    const cut = path.join(work, 'cut.img');
    const bytes = fs.readFileSync(img);
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    assert.deepStrictEqual(readImage(cut)(['hello']), ['BAD']);
  });

  it('esp32: app.js over the board\'s primitives (as tinyml_board.c gives them) prints what the host prints', function () {
    const lib = require(path.join(h.ROOT, 'dist', 'tinyml.node.js'));
    const files = { hello: new Uint8Array(fs.readFileSync(path.join(builds.esp32, 'files', 'hello'))) };
    let out = '', clock = 0;
    // In this realm, as `tinyml emulate --board host` runs apps: the addon's
    // typed arrays and the app's are the same classes.
    const g = global, saved = {};
    const globals = {
      __tinyml_native: lib.loadAddon(),
      __native: {
        name: 'esp32',
        print: function (line) { out += line + '\n'; },
        file: function (name) { return files[name] || null; },
        millis: function () { return clock; },
      },
      print: function (line) { out += line + '\n'; },
    };
    for (const k of Object.keys(globals).concat(['board', 'tinyml'])) saved[k] = g[k];
    try {
      Object.assign(g, globals);
      vm.runInThisContext(fs.readFileSync(path.join(builds.esp32, 'app.js'), 'utf8'));
      // the board's loop: call __tick, sleep what it says, until -1
      let ticks = 0;
      for (let w = g.board.__tick(); w >= 0; w = g.board.__tick()) {
        clock += w + 3;
        assert.ok(++ticks < 100, 'the loop did not end');
      }
    } finally {
      // (the app's `var` globals cannot be deleted: they are set back instead)
      for (const k of Object.keys(saved)) { try { if (saved[k] === undefined) delete g[k]; else g[k] = saved[k]; } catch (e) { g[k] = saved[k]; } }
    }
    same(out, hostOut, 'esp32 output');
  });

  it('esp32: an image over the partition is refused, saying by how much', function () {
    const big = path.join(work, 'big.bin');
    fs.writeFileSync(big, Buffer.alloc(2200000, 7));
    const r = spawnSync(process.execPath, [path.join(h.ROOT, 'bin', 'tinyml.js'), 'build', 'app.ts', '--board', 'esp32',
      '--file', 'hello=' + path.join(h.MODELS, 'hello_world_int8.tflite'), '--file', 'big=' + big, '--out', path.join(work, 'big')],
    { cwd: work, encoding: 'utf8' });
    assert.notStrictEqual(r.status, 0);
    assert.ok(/over|does not fit/.test(r.stderr), r.stderr);
  });

  it('nrf52840: upload.js writes every file and the app (.bootcde) to Storage byte for byte', function () {
    const storage = {};
    const ctx = {
      require: function (m) {
        assert.strictEqual(m, 'Storage');
        return {
          write: function (name, data, offset, size) {
            if (offset === 0) storage[name] = Buffer.alloc(size);
            assert.ok(storage[name], name + ' written at ' + offset + ' before it was created');
            assert.ok(offset + data.length <= storage[name].length, name + ' written past its size');
            Buffer.from(data, 'latin1').copy(storage[name], offset);
          },
        };
      },
      atob: function (s) { return Buffer.from(s, 'base64').toString('latin1'); },
      console: { log: function () {} },
    };
    vm.createContext(ctx);
    vm.runInContext(fs.readFileSync(path.join(builds.nrf52840, 'upload.js'), 'utf8'), ctx);
    assert.deepStrictEqual(Object.keys(storage).sort(), ['.bootcde', 'hello']);
    assert.ok(storage['.bootcde'].equals(fs.readFileSync(path.join(builds.nrf52840, 'app.js'))));
    assert.ok(storage.hello.equals(fs.readFileSync(path.join(builds.nrf52840, 'files', 'hello'))));
  });

  describe('on engine builds (test:engines)', function () {
    const jerry = process.env.TINYML_JERRYSCRIPT_DIR;
    const espruino = process.env.TINYML_ESPRUINO_DIR;
    if (!jerry) {
      it('esp32 SKIPPED: TINYML_JERRYSCRIPT_DIR is not set (it must hold tinyml-esp32-host; boards/README.md)');
    } else {
      it('esp32: tinyml.img on tinyml-esp32-host (tinyml_board.c on JerryScript 3.0) prints what the host prints', function () {
        const bin = path.join(jerry, 'tinyml-esp32-host');
        assert.ok(fs.existsSync(bin), bin + ' missing: rebuild with native/bindings/jerryscript/Makefile');
        const r = spawnSync(bin, [path.join(builds.esp32, 'tinyml.img')], { encoding: 'utf8' });
        assert.strictEqual(r.status, 0, r.stdout + r.stderr);
        same(r.stdout, hostOut, 'tinyml-esp32-host output');
      });
    }
    if (!espruino) {
      it('nrf52840 SKIPPED: TINYML_ESPRUINO_DIR is not set (it must hold an espruino Linux build; boards/README.md)');
    } else {
      it('nrf52840: upload.js then .bootcde on Espruino 2v29 print what the host prints', function () {
        const dir = fs.mkdtempSync(path.join(work, 'espruino-'));
        const script = path.join(dir, 'run.js');
        // Storage lives in ./espruino.flash on the Linux build; the app runs as it would after a reset.
        fs.writeFileSync(script, fs.readFileSync(path.join(builds.nrf52840, 'upload.js'), 'utf8') +
          'console.log("TINYML_BEGIN");\neval(require("Storage").read(".bootcde"));\n');
        const r = spawnSync(path.join(espruino, 'espruino'), [script], { cwd: dir, encoding: 'utf8', input: '', timeout: 120000 });
        // the REPL's prompt and line clears interleave with the app's lines
        const text = r.stdout.replace(/\x1b\[J|\r/g, '').split('\n').map((l) => l.replace(/^>+/, ''));
        const lines = text.slice(text.indexOf('TINYML_BEGIN') + 1).filter((l) => /^(arena|x) /.test(l));
        same(lines.join('\n'), hostOut, 'Espruino output:\n' + r.stdout);
      });
    }
  });
});
