'use strict';
// The raw native interface (arena/load/invoke/reset/info) on every host
// engine, without the TypeScript runtime. One ES5 check suite runs on Node
// (the N-API addon) and on Duktape (dist/tinyml-duk with a test bundle), so
// both engines are held to the same answers.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const ADDON = path.join(ROOT, 'build', 'Release', 'tinyml.node');

const { suite } = require('./native-suite');

function assertSuite(results) {
  const failed = results.filter((r) => JSON.stringify(r.got) !== JSON.stringify(r.want));
  assert.ok(results.length > 50, 'suite ran only ' + results.length + ' checks');
  assert.deepStrictEqual(
    failed.map((r) => r.name + ': got ' + JSON.stringify(r.got) + ', want ' + JSON.stringify(r.want)),
    []
  );
}

// ---------------------------------------------------------------------------
describe('native bindings', function () {
  describe('Node (N-API)', function () {
    let N;
    before(function () {
      if (!fs.existsSync(ADDON)) throw new Error(ADDON + ' missing: run `npm install` or `npm run build`');
      N = require(ADDON);
    });

    it('exports exactly the five functions (and the optional profile) and defines no global', function () {
      assert.deepStrictEqual(Object.keys(N).sort(), ['arena', 'info', 'invoke', 'load', 'profile', 'reset']);
      for (const k of Object.keys(N)) assert.strictEqual(typeof N[k], 'function');
      assert.strictEqual(typeof globalThis.__tinyml_native, 'undefined');
    });

    it('passes the check suite (with 2000 arenas of GC stress)', function () {
      assertSuite(suite(N, 2000));
    });

    it('a Buffer (Uint8Array subclass) works as the model', function () {
      const a = N.arena(1024);
      assert.strictEqual(N.load(a, Buffer.alloc(4), new Int32Array([0x314c4d54, 1, 0, 0, 0, 6])), 0);
    });

    it('refuses arenas and models that could shrink under the core', function () {
      const prog = new Int32Array([0x314c4d54, 1, 0, 0, 0, 6]);
      const resizable = new ArrayBuffer(1024, { maxByteLength: 4096 });
      if (resizable.resizable !== true) this.skip();
      assert.throws(() => N.load(resizable, new Uint8Array(0), prog), TypeError);
      assert.throws(() => N.load(N.arena(1024), new Uint8Array(resizable), prog), TypeError);
      // growable SharedArrayBuffers and resizable program buffers are harmless
      assert.strictEqual(N.load(N.arena(1024), new Uint8Array(new SharedArrayBuffer(8)), prog), 0);
      assert.strictEqual(N.load(N.arena(1024), new Uint8Array(0), new Int32Array(
        new ArrayBuffer(24, { maxByteLength: 64 }))), 2);
    });

    it('refuses an arena on a SharedArrayBuffer: another thread could rewrite the program between check and run', function () {
      const prog = new Int32Array([0x314c4d54, 1, 0, 0, 0, 6]);
      assert.throws(() => N.load(new Uint8Array(new SharedArrayBuffer(1024)), new Uint8Array(0), prog),
        (e) => e instanceof TypeError && /SharedArrayBuffer/.test(e.message));
      // the same bytes as an arena of its own load
      assert.strictEqual(N.load(new Uint8Array(N.arena(1024)), new Uint8Array(0), prog), 0);
    });

    it('a model detached after load (structuredClone transfer) is refused at invoke, not read', function () {
      // COPY 16 model bytes into the arena
      const prog = new Int32Array([0x314c4d54, 1, 2, 1, 16, 21, 3, 2, 0, 16, 3, 1, 0, 16, 1, 1, 1, 1, 0, 1, 16]);
      const model = new Uint8Array(32).map((_, i) => 100 + i);
      const a = N.arena(1024);
      assert.strictEqual(N.load(a, model, prog), 0);
      assert.strictEqual(N.invoke(a), 0);
      assert.deepStrictEqual(Array.from(new Uint8Array(a, N.info(a, 1), 16)), Array.from(model.subarray(0, 16)));
      // another object over the same bytes was not given to load()
      assert.strictEqual(N.invoke(new Uint8Array(a)), 9);
      const moved = structuredClone(model.buffer, { transfer: [model.buffer] });
      assert.strictEqual(model.byteLength, 0);
      assert.strictEqual(N.invoke(a), 9);
      assert.strictEqual(N.invoke(a, (s) => 'onError ' + s), 'onError 9');
      // loading again (here from the buffer the bytes moved to) makes it runnable
      assert.strictEqual(N.load(a, new Uint8Array(moved), prog), 0);
      assert.strictEqual(N.invoke(a), 0);
    });

    it('a detached arena gives statuses, not crashes', function () {
      const a = N.arena(1024);
      structuredClone(a, { transfer: [a] });
      assert.strictEqual(N.load(a, new Uint8Array(0), new Int32Array([0x314c4d54, 1, 0, 0, 0, 6])), 3);
      assert.strictEqual(N.invoke(a), 9);
      assert.strictEqual(N.reset(a), 9);
      assert.strictEqual(N.info(a, 1), -1);
    });

    it('does not leak arenas (2000 x 1 MB, after GC)', function () {
      const v8 = require('v8');
      const vm = require('vm');
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc');
      const prog = new Int32Array([0x314c4d54, 1, 0, 0, 0, 6]);
      const model = new Uint8Array(0);
      gc();
      const before = process.memoryUsage().arrayBuffers;
      for (let i = 0; i < 2000; i++) {
        const a = N.arena(1024 * 1024);
        assert.strictEqual(N.load(a, model, prog), 0);
      }
      gc();
      gc();
      const grown = process.memoryUsage().arrayBuffers - before;
      assert.ok(grown < 64 * 1024 * 1024, 'array buffers grew by ' + grown + ' bytes');
    });
  });

  describe('Duktape (tinyml-duk)', function () {
    let runner;
    let dir;
    before(function () {
      this.timeout(300000);
      runner = require('../scripts/build-duktape.js').buildDuktapeRunner();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-bindings-'));
    });
    after(function () {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    function write(name, text) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, text);
      return file;
    }

    // Runs the runner on a bundle whose runFrames is `body`.
    function run(body, opts) {
      const o = opts || {};
      const bundle = write('bundle.js',
        '(function (g) {\n' + (o.prelude || '') +
        'g.tinyml = { runFrames: function (model, input, frames, arenaSize) {\n' +
        body + '\n} };\n})(this);\n');
      const model = o.model || write('model.bin', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
      const input = o.input || write('input.bin', Buffer.from([9, 8, 7]));
      const output = path.join(dir, 'out.bin');
      fs.rmSync(output, { force: true });
      const args = [bundle, model, input, output, String(o.frames || 1), String(o.arenaSize || 4096)];
      let cmd = runner;
      let argv = o.args || args;
      if (o.ulimitKb) {
        cmd = 'sh';
        argv = ['-c', 'ulimit -v ' + o.ulimitKb + ' && exec "$0" "$@"', runner].concat(argv);
      }
      const r = spawnSync(cmd, argv, {
        encoding: 'utf8',
        input: o.stdin,
        env: Object.assign({}, process.env, o.env || {}),
      });
      r.out = fs.existsSync(output) ? fs.readFileSync(output) : null;
      return r;
    }

    const TO_BYTES =
      'function toBytes(s) { var u = new Uint8Array(s.length);' +
      ' for (var i = 0; i < s.length; i++) u[i] = s.charCodeAt(i) & 255; return u; }\n';

    it('registers __tinyml_native with the five functions', function () {
      const r = run(TO_BYTES + 'var k = []; for (var n in __tinyml_native) k.push(n + ":" + typeof __tinyml_native[n]);' +
        ' return toBytes(k.sort().join(","));');
      assert.strictEqual(r.stderr, '');
      assert.strictEqual(r.status, 0);
      assert.strictEqual(r.out.toString(), 'arena:function,info:function,invoke:function,load:function,reset:function');
    });

    it('passes the check suite (with 2000 arenas of GC stress)', function () {
      const r = run(TO_BYTES + 'return toBytes(JSON.stringify((' + suite.toString() + ')(__tinyml_native, 2000)));');
      assert.strictEqual(r.stderr, '');
      assert.strictEqual(r.status, 0);
      assertSuite(JSON.parse(r.out.toString()));
    });

    it('passes model and input as Uint8Arrays, frames and arenaSize as numbers', function () {
      const r = run(
        'if (!(model instanceof Uint8Array) || !(input instanceof Uint8Array)) throw new Error("not Uint8Array");\n' +
        'var out = new Uint8Array(model.length + input.length + 2);\n' +
        'out.set(model, 0); out.set(input, model.length);\n' +
        'out[out.length - 2] = frames; out[out.length - 1] = arenaSize / 256;\n' +
        'print("hello", 1);\n' +
        'return out;',
        { frames: 3, arenaSize: 2048 }
      );
      assert.strictEqual(r.stderr, '');
      assert.strictEqual(r.status, 0);
      assert.strictEqual(r.stdout, 'hello 1\n');
      assert.deepStrictEqual([...r.out], [1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 7, 3, 8]);
    });

    it('reads the input from stdin for "-"', function () {
      const r = run('return input;', { input: '-', stdin: Buffer.from([42, 43, 44]) });
      assert.strictEqual(r.status, 0, r.stderr);
      assert.deepStrictEqual([...r.out], [42, 43, 44]);
    });

    it('runs a model tensor through the native COPY and returns it', function () {
      // 300 KB model: the file reader must grow its buffer.
      const big = Buffer.alloc(300 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 255;
      const r = run(
        'var N = __tinyml_native, n = model.length;\n' +
        'var p = new Int32Array([0x314c4d54, 1, 2, 1, n, 23, 3, 2, 0, n, 3, 1, 0, n, 1, 1, 1, 1, 0, 1, n]);\n' +
        'p[5] = p.length;\n' +
        'var a = N.arena(arenaSize), st = N.load(a, model, p);\n' +
        'if (st !== 0) throw new Error("load " + st + " detail " + N.info(a, 6));\n' +
        'for (var f = 0; f < frames; f++) if (N.invoke(a) !== 0) throw new Error("invoke");\n' +
        'return new Uint8Array(a, N.info(a, 1), n);',
        { model: write('big.bin', big), arenaSize: 400 * 1024, frames: 2 }
      );
      assert.strictEqual(r.status, 0, r.stderr);
      assert.ok(r.out.equals(big));
    });

    it('a JS error prints one line "tinyml: <message>" and exits 1', function () {
      const r = run('throw new Error("boom\\nsecond line");');
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stderr, 'tinyml: boom second line\n');
      assert.strictEqual(r.out, null);
    });

    it('a thrown non-Error, a syntax error and a bad return value exit 1 with one line', function () {
      let r = run('throw "plain string";');
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stderr, 'tinyml: plain string\n');
      r = run('return 1 +;');
      assert.strictEqual(r.status, 1);
      assert.match(r.stderr, /^tinyml: [^\n]+\n$/);
      r = run('return 42;');
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stderr, 'tinyml: runFrames did not return a Uint8Array\n');
      r = run('return new Uint8Array(1);', { prelude: 'g.tinyml = {}; return;\n' });
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stderr, 'tinyml: bundle has no tinyml.runFrames function\n');
      r = run('return __tinyml_native.load(1, 2, 3);');
      assert.strictEqual(r.status, 1);
      assert.strictEqual(r.stderr, 'tinyml: load: arena must be an ArrayBuffer or a Uint8Array\n');
    });

    it('file and usage errors print one line and exit 2', function () {
      let r = run('return input;', { model: path.join(dir, 'no-such-model.tflite') });
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /^tinyml: cannot open [^\n]*no-such-model\.tflite\n$/);
      r = run('return input;', { args: ['a', 'b'] });
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /^tinyml: usage: [^\n]+\n$/);
      r = run('return input;', { args: [path.join(dir, 'bundle.js'), path.join(dir, 'model.bin'),
        path.join(dir, 'input.bin'), path.join(dir, 'no-dir', 'out.bin'), '1', '1024'] });
      assert.strictEqual(r.status, 2);
      assert.match(r.stderr, /^tinyml: cannot write [^\n]+\n$/);
    });

    it('carves arenas from a board block (TINYML_DUK_BLOCK)', function () {
      const r = run(TO_BYTES +
        'var N = __tinyml_native, res = [];\n' +
        'var a = N.arena(30000), b = N.arena(30000);\n' +
        'var p = new Int32Array([0x314c4d54, 1, 2, 1, 32, 21, 9, 1, 0, 16, 9, 1, 16, 16, 1, 1, 1, 1, 0, 1, 16]);\n' +
        'res.push(a.byteLength, b.byteLength, N.load(a, new Uint8Array(0), p), N.load(b, new Uint8Array(0), p));\n' +
        'var u = new Uint8Array(a, N.info(a, 1), 32); u[0] = 77; res.push(N.invoke(a), u[16]);\n' +
        'res.push(new Uint8Array(b, N.info(b, 1), 32)[16]);\n' +
        'try { N.arena(30000); } catch (e) { res.push(e.name + ": " + e.message); }\n' +
        'return toBytes(JSON.stringify(res));',
        { env: { TINYML_DUK_BLOCK: '65536' } });
      assert.strictEqual(r.status, 0, r.stderr);
      const res = JSON.parse(r.out.toString());
      assert.deepStrictEqual(res.slice(0, 7), [30000, 30000, 0, 0, 0, 77, 0]);
      const m = /^RangeError: arena: 30000 bytes requested, (\d+) left in the board's block$/.exec(res[7]);
      assert.ok(m, res[7]);
      // 65536 - 2 * 30000, less the block's own alignment pad (< 16)
      assert.ok(+m[1] <= 5536 && +m[1] > 5536 - 16, m[1]);
    });

    it('does not leak arenas (2000 x 1 MB under a 256 MB address-space limit)', function () {
      if (process.platform !== 'linux') this.skip();
      const r = run(
        'var N = __tinyml_native, p = new Int32Array([0x314c4d54, 1, 0, 0, 0, 6]);\n' +
        'for (var i = 0; i < 2000; i++) { var a = N.arena(1024 * 1024);' +
        ' if (N.load(a, model, p) !== 0) throw new Error("load"); }\n' +
        'return new Uint8Array(1);',
        { ulimitKb: 256 * 1024 }
      );
      assert.strictEqual(r.stderr, '');
      assert.strictEqual(r.status, 0);
    });
  });
});
