'use strict';
// The raw native interface's check suite, shared by test/bindings.test.js
// (Node, Duktape) and test/engines.test.js (JerryScript, Espruino). ES5 only:
// its source text (suite.toString()) is what the other engines run.
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

  // Packed models: without a program (or with something that is not a typed
  // array) the model bytes must be a packed file; a Uint8Array third
  // argument is a packed section. Neither is one here: E_BAD_PACK (13).
  check('load(arena, model) of an unpacked model = E_BAD_PACK', N.load(a, noModel), 13);
  check('load(arena, model, Array) = a packed-file load', N.load(a, noModel, [0x314c4d54, 1, 0, 0, 0, 6]), 13);
  check('load(arena, model, Uint8Array) of a bad section = E_BAD_PACK', N.load(a, noModel, new Uint8Array(24)), 13);
  check('load(arena, model, empty Uint8Array) = E_BAD_PACK', N.load(a, noModel, new Uint8Array(0)), 13);

  // Two programs sharing one block (tml_load_shared): each loaded through a
  // Uint8Array from its context on, with sharedAt = where the shared region
  // starts past that context. copyProg's state (bytes 0..15) is its own
  // part; its scratch (bytes 16..31) lies in the shared region.
  var sb = N.arena(1024);
  var own = 64 + 16 + Math.ceil(copyProg.length * 4 / 16) * 16;
  var va = new Uint8Array(sb, 0), vb = new Uint8Array(sb, own);
  check('shared: load A (view at 0)', N.load(va, noModel, copyProg, 2 * own), 0);
  check('shared: load B (view past A)', N.load(vb, noModel, copyProg, own), 0);
  var pad = N.info(va, 1) - 64;
  check('shared: B planned offset (its view)', N.info(vb, 1), pad + 64);
  check('shared: split = the state', [N.info(va, 8), N.info(vb, 8)], [16, 16]);
  check('shared: shared offsets', [N.info(va, 9), N.info(vb, 9)], [pad + 2 * own, pad + own]);
  check('shared: A uses through the shared region', N.info(va, 2), 2 * own + 16);
  var stA = new Uint8Array(sb, pad + 64, 16), stB = new Uint8Array(sb, own + pad + 64, 16);
  var scratch = new Uint8Array(sb, pad + 2 * own, 16);
  check('shared: both states filled', bytes(stA).concat(bytes(stB)), fill5A.concat(fill5A));
  for (i = 0; i < 16; i++) { stA[i] = i + 1; stB[i] = 100 + i; }
  var wantA = bytes(stA), wantB = bytes(stB);
  check('shared: invoke A', N.invoke(va), 0);
  check('shared: A wrote the shared region', bytes(scratch), wantA);
  check('shared: invoke B', N.invoke(vb), 0);
  check('shared: B overwrote it, both states kept', [bytes(scratch), bytes(stA), bytes(stB)], [wantB, wantA, wantB]);
  check('shared: reset B leaves A', [N.reset(vb), bytes(stA), bytes(stB)], [0, wantA, fill5A]);
  check('shared: sharedAt 0 = alone', N.load(N.arena(1024), noModel, copyProg, 0), 0);
  a = N.arena(1024);
  check('shared: sharedAt not a multiple of 16 = E_BAD_ARG', N.load(a, noModel, copyProg, own + 8), 1);
  check('shared: sharedAt on the program copy = E_BAD_ARG', N.load(a, noModel, copyProg, own - 16), 1);
  check('shared: sharedAt past the block = E_ARENA_TOO_SMALL', N.load(a, noModel, copyProg, 1024), 3);
  var sharedNeed = N.info(a, 6); // this block's own alignment pad (0..15) comes on top
  check('shared: ERR_DETAIL = bytes needed', sharedNeed >= 1024 + 16 && sharedNeed <= 1024 + 16 + 15, true);
  check('shared: sharedAt -16 throws', errorName(function () { N.load(a, noModel, copyProg, -16); }), 'RangeError');
  check('shared: sharedAt 1.5 throws', errorName(function () { N.load(a, noModel, copyProg, 1.5); }), 'RangeError');

  // wrong JS argument types throw TypeError
  a = N.arena(1024);
  var typeCases = [
    ['load(number, ...)', function () { N.load(1024, noModel, copyProg); }],
    ['load(Int8Array arena, ...)', function () { N.load(new Int8Array(1024), noModel, copyProg); }],
    ['load(arena, model, program, Uint8Array)', function () { N.load(a, noModel, copyProg, new Uint8Array(4)); }],
    ['load(arena, Array, ...)', function () { N.load(a, [1, 2, 3], copyProg); }],
    ['load(arena, Int8Array, ...)', function () { N.load(a, new Int8Array(4), copyProg); }],
    ['load(arena, ArrayBuffer, ...)', function () { N.load(a, new ArrayBuffer(4), copyProg); }],
    ['load(arena, model, Uint32Array)', function () { N.load(a, noModel, new Uint32Array(6)); }],
    ['load(arena, model, Int8Array)', function () { N.load(a, noModel, new Int8Array(24)); }],
    ['load()', function () { N.load(); }],
    ['invoke({})', function () { N.invoke({}); }],
    ['invoke(Int32Array)', function () { N.invoke(new Int32Array(a)); }],
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

module.exports = { suite };
