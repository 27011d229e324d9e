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

// ---------------------------------------------------------------------------
// The check suite. ES5 only: its source is also sent to Duktape.
// Returns [{ name, got, want }]; the engines' callers assert them.
function suite(N, stressCount) {
  var out = [];
  function check(name, got, want) {
    out.push({ name: name, got: got, want: want });
  }
  function errorName(fn) {
    try {
      fn();
    } catch (e) {
      if (e instanceof TypeError) return 'TypeError';
      if (e instanceof RangeError) return 'RangeError';
      return 'other: ' + String(e);
    }
    return 'no error';
  }
  function bytes(u8) {
    var a = [];
    for (var i = 0; i < u8.length; i++) a.push(u8[i]);
    return a;
  }
  function allZero(buf) {
    var u = new Uint8Array(buf);
    for (var i = 0; i < u.length; i++) if (u[i] !== 0) return false;
    return true;
  }
  // tensors: [dtype, where, offset, bytes]; ops: [kind, ins, outs, params]
  function program(tensors, ops, planned, patch) {
    var w = [0x314c4d54, 1, tensors.length, ops.length, planned, 0];
    var i, j;
    for (i = 0; i < tensors.length; i++) for (j = 0; j < 4; j++) w.push(tensors[i][j]);
    for (i = 0; i < ops.length; i++) {
      var op = ops[i];
      w.push(op[0], op[1].length, op[2].length, op[3].length);
      for (j = 0; j < op[1].length; j++) w.push(op[1][j]);
      for (j = 0; j < op[2].length; j++) w.push(op[2][j]);
      for (j = 0; j < op[3].length; j++) w.push(op[3][j]);
    }
    w[5] = w.length;
    if (patch) patch(w);
    var p = new Int32Array(w.length);
    for (i = 0; i < w.length; i++) p[i] = w[i];
    return p;
  }
  var INT8 = 9, UINT8 = 3, ARENA = 1, MODEL = 2, COPY = 1;
  // Copies arena tensor 0 (bytes 0..15) to arena tensor 1 (bytes 16..31).
  // Tensor 0 is state (TML_STATE 0x100) with fill byte 0x5A: load and reset set it.
  var STATE_5A = ARENA | 0x100 | (0x5A << 16);
  var copyProg = program([[INT8, STATE_5A, 0, 16], [INT8, ARENA, 16, 16]],
    [[COPY, [0], [1], [16]]], 32);
  var fill5A = [];
  for (i = 0; i < 16; i++) fill5A.push(0x5A);
  var noModel = new Uint8Array(0);
  var i, a, st;

  // arena(): sizes and zero fill
  var sizes = [1, 15, 100, 4096, 65536];
  for (i = 0; i < sizes.length; i++) {
    a = N.arena(sizes[i]);
    check('arena(' + sizes[i] + ') is an ArrayBuffer', a instanceof ArrayBuffer, true);
    check('arena(' + sizes[i] + ').byteLength', a.byteLength, sizes[i]);
    check('arena(' + sizes[i] + ') is zero-filled', allZero(a), true);
  }
  var badSizes = [[0, 'RangeError'], [-1, 'RangeError'], [1.5, 'RangeError'],
    [NaN, 'RangeError'], [Infinity, 'RangeError'], [2147483648, 'RangeError'],
    ['16', 'TypeError'], [null, 'TypeError'], [undefined, 'TypeError'], [{}, 'TypeError']];
  for (i = 0; i < badSizes.length; i++) {
    check('arena(' + String(badSizes[i][0]) + ') throws',
      errorName(function () { N.arena(badSizes[i][0]); }), badSizes[i][1]);
  }
  check('arena() throws', errorName(function () { N.arena(); }), 'TypeError');

  // load + invoke + reset of a one-op COPY program
  a = N.arena(1024);
  check('invoke before load = E_NOT_LOADED', N.invoke(a), 9);
  check('reset before load = E_NOT_LOADED', N.reset(a), 9);
  check('info before load = -1', N.info(a, 1), -1);
  check('load COPY program', N.load(a, noModel, copyProg), 0);
  var off = N.info(a, 1);
  var ctxBytes = N.info(a, 7);
  check('planned offset is past the context', off >= ctxBytes && off < ctxBytes + 16, true);
  check('info USED_BYTES = ctx + planned + program',
    N.info(a, 2) === ctxBytes + 32 + copyProg.length * 4, true);
  check('info PLANNED_BYTES', N.info(a, 4), 32);
  check('info ERR_OP after a good load', N.info(a, 5), -1);
  check('info unknown key', N.info(a, 12345), -1);
  check('info non-integer key', N.info(a, 1.5), -1);
  var src = new Uint8Array(a, off, 16);
  var dst = new Uint8Array(a, off + 16, 16);
  check('planned section zeroed by load', bytes(dst), bytes(new Uint8Array(16)));
  check('state tensor filled by load', bytes(src), fill5A);
  for (i = 0; i < 16; i++) src[i] = i * 7 + 1;
  check('invoke COPY', N.invoke(a), 0);
  check('COPY moved the bytes', bytes(dst), bytes(src));
  var copied = bytes(dst);
  check('reset', N.reset(a), 0);
  check('reset refilled only the state tensor', bytes(src).concat(bytes(dst)),
    fill5A.concat(copied));

  // views with a byteOffset: program words and model bytes from inside larger buffers
  var modelBuf = new Uint8Array(64);
  for (i = 0; i < 64; i++) modelBuf[i] = 200 - i;
  var model = new Uint8Array(modelBuf.buffer, 5, 40);
  var fromModel = program([[UINT8, MODEL, 4, 16], [UINT8, ARENA, 0, 16]],
    [[COPY, [0], [1], [16]]], 16);
  var progBuf = new Int32Array(fromModel.length + 7);
  for (i = 0; i < fromModel.length; i++) progBuf[i + 3] = fromModel[i];
  var progView = new Int32Array(progBuf.buffer, 12, fromModel.length);
  a = N.arena(1024);
  check('load with byteOffset views', N.load(a, model, progView), 0);
  check('invoke model->arena COPY', N.invoke(a), 0);
  check('model view byteOffset honoured', bytes(new Uint8Array(a, N.info(a, 1), 16)),
    bytes(new Uint8Array(modelBuf.buffer, 9, 16)));

  // C statuses are returned, not thrown
  a = N.arena(1024);
  check('bad magic -> E_BAD_PROGRAM',
    N.load(a, noModel, program([], [], 0, function (w) { w[0] = 0x12345678; })), 2);
  check('total_words mismatch -> E_BAD_PROGRAM',
    N.load(a, noModel, program([], [], 0, function (w) { w[5] = 99; })), 2);
  check('short program -> E_BAD_PROGRAM', N.load(a, noModel, new Int32Array(3)), 2);
  check('invoke after failed load = E_NOT_LOADED', N.invoke(a), 9);

  var big = program([[INT8, ARENA, 0, 16], [INT8, ARENA, 16, 16]],
    [[COPY, [0], [1], [16]]], 4096);
  a = N.arena(256);
  check('arena too small -> E_ARENA_TOO_SMALL', N.load(a, noModel, big), 3);
  var need = N.info(a, 6);
  var exact = N.info(a, 7) + 4096 + big.length * 4;
  check('ERR_DETAIL = bytes needed (plus this block\'s alignment pad)',
    need >= exact && need <= exact + 15, true);
  check('an arena of the worst-case size loads', N.load(N.arena(exact + 15), noModel, big), 0);

  a = N.arena(1024);
  check('tensor index out of range -> E_BAD_INDEX',
    N.load(a, noModel, program([[INT8, ARENA, 0, 16], [INT8, ARENA, 16, 16]],
      [[COPY, [5], [1], [16]]], 32)), 4);
  check('ERR_DETAIL = the bad index', N.info(a, 6), 5);
  check('ERR_OP = 0', N.info(a, 5), 0);
  check('model offset out of bounds -> E_OUT_OF_BOUNDS',
    N.load(a, new Uint8Array(8), program([[INT8, MODEL, 0, 16], [INT8, ARENA, 0, 16]],
      [[COPY, [0], [1], [16]]], 16)), 5);
  check('ERR_DETAIL = the tensor', N.info(a, 6), 0);
  check('arena offset out of bounds -> E_OUT_OF_BOUNDS',
    N.load(a, noModel, program([[INT8, ARENA, 0, 16], [INT8, ARENA, 24, 16]],
      [[COPY, [0], [1], [16]]], 32)), 5);
  check('unknown kind -> E_UNSUPPORTED_OP',
    N.load(a, noModel, program([[INT8, ARENA, 0, 16]], [[99, [0], [0], []]], 16)), 6);
  check('ERR_DETAIL = the kind', N.info(a, 6), 99);

  // wrong JS argument types throw TypeError
  a = N.arena(1024);
  var typeCases = [
    ['load(number, ...)', function () { N.load(1024, noModel, copyProg); }],
    ['load(Uint8Array arena, ...)', function () { N.load(new Uint8Array(1024), noModel, copyProg); }],
    ['load(arena, Array, ...)', function () { N.load(a, [1, 2, 3], copyProg); }],
    ['load(arena, Int8Array, ...)', function () { N.load(a, new Int8Array(4), copyProg); }],
    ['load(arena, ArrayBuffer, ...)', function () { N.load(a, new ArrayBuffer(4), copyProg); }],
    ['load(arena, model, Array)', function () { N.load(a, noModel, [0x314c4d54, 1, 0, 0, 0, 6]); }],
    ['load(arena, model, Uint32Array)', function () { N.load(a, noModel, new Uint32Array(6)); }],
    ['load(arena, model, Uint8Array)', function () { N.load(a, noModel, new Uint8Array(24)); }],
    ['load(arena, model)', function () { N.load(a, noModel); }],
    ['load()', function () { N.load(); }],
    ['invoke({})', function () { N.invoke({}); }],
    ['invoke(Uint8Array)', function () { N.invoke(new Uint8Array(a)); }],
    ['invoke()', function () { N.invoke(); }],
    ['reset("x")', function () { N.reset('x'); }],
    ['info(null, 1)', function () { N.info(null, 1); }],
    ['info(arena, "1")', function () { N.info(a, '1'); }],
    ['info(arena)', function () { N.info(a); }],
  ];
  for (i = 0; i < typeCases.length; i++) {
    check(typeCases[i][0] + ' throws', errorName(typeCases[i][1]), 'TypeError');
  }

  // GC stress: make and drop many arenas, each loaded and run once
  var ok = 0;
  for (i = 0; i < stressCount; i++) {
    var s = N.arena(1024 * 1024);
    st = N.load(s, noModel, copyProg);
    if (st === 0 && N.invoke(s) === 0) ok++;
  }
  check('GC stress: every arena loaded and ran', ok, stressCount);
  return out;
}

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

    it('exports exactly the five functions and defines no global', function () {
      assert.deepStrictEqual(Object.keys(N).sort(), ['arena', 'info', 'invoke', 'load', 'reset']);
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
      assert.strictEqual(r.stderr, 'tinyml: load: arena must be an ArrayBuffer\n');
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
