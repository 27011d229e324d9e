'use strict';
// Shared arenas exercised on any engine. ES5 only: test/shared-arena.test.js
// runs this on Node and sends its source text to Duktape. It only computes;
// the test checks the results against TFLM golden outputs and against the
// same runs on separate arenas.
//
// files (Uint8Arrays): 0..4 the packed models audio_preprocessor_int8,
// micro_speech_int8, mnist_lstm_int8, kws_ds_cnn_int8, hello_world_int8;
// 5, 6 the preprocessor's yes/no_1000ms_features inputs (49 frames);
// 7 micro_speech's yes_1000ms input; 8 mnist's samples0to3_sequence input
// (4 frames); 9, 10 kws prng_seed1/prngzp_seed1; 11, 12 hello_world's.
function run(tm, app, files) {
  var PRE = 0, MICRO = 1, MNIST = 2, KWS = 3, HELLO = 4;
  function bytesOf(v) {
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  function arr(u8) {
    var a = [];
    for (var i = 0; i < u8.length; i++) a.push(u8[i]);
    return a;
  }
  // Input 0 of m <- bytes [frame * n, frame * n + n) of src (n = its size).
  // In a shared arena inputs live in the shared region: write them right
  // before the invoke, after the other models ran.
  function put(m, src, frame) {
    var dst = bytesOf(m.input(0));
    var n = dst.length, at = frame * n;
    for (var k = 0; k < n; k++) dst[k] = src[at + k];
  }
  function out(m) {
    return arr(bytesOf(m.output(0)));
  }
  function make(list, mode) {
    var ms = [];
    for (var i = 0; i < list.length; i++) ms.push(new tm.Interpreter(files[list[i]]));
    var layout = null;
    if (mode === 'shared') layout = app.allocateShared(ms);
    else for (i = 0; i < ms.length; i++) ms[i].allocateTensors();
    var used = [];
    for (i = 0; i < ms.length; i++) used.push(ms[i].arenaUsedBytes());
    return { ms: ms, used: used, layout: layout && { usedBytes: layout.usedBytes, arenaBytes: layout.arenaBytes, separateBytes: layout.separateBytes } };
  }

  // micro_speech: the front end (stateful) runs frame by frame; after every
  // frame the classifier runs on the rows so far (zeros after them), so the
  // front end's state must survive 49 invokes of the other model.
  function speech(mode, clip) {
    var g = make([PRE, MICRO], mode), pre = g.ms[0], micro = g.ms[1];
    var feats = [], between = [];
    for (var f = 0; f < 49; f++) {
      put(pre, files[clip], f);
      pre.invoke();
      feats = feats.concat(out(pre));
      var win = bytesOf(micro.input(0));
      for (var k = 0; k < win.length; k++) win[k] = k < feats.length ? feats[k] : 0;
      micro.invoke();
      between.push(out(micro));
    }
    var window = new Uint8Array(feats.length);
    for (k = 0; k < feats.length; k++) window[k] = feats[k];
    put(micro, window, 0);
    micro.invoke();
    return { features: feats, between: between, scores: out(micro), used: g.used, layout: g.layout };
  }

  // Two stateful models: the preprocessor's 49 frames with mnist_lstm's
  // 4-frame sequence (LSTM state carried over) interleaved, then each reset.
  function stateful(mode) {
    var g = make([MNIST, PRE], mode), mnist = g.ms[0], pre = g.ms[1];
    var feats = [], digits = [], j = 0;
    for (var f = 0; f < 49; f++) {
      if (f % 12 === 0 && j < 4) {
        put(mnist, files[8], j++);
        mnist.invoke();
        digits = digits.concat(out(mnist));
      }
      put(pre, files[6], f);
      pre.invoke();
      feats = feats.concat(out(pre));
    }
    mnist.resetVariables();
    put(mnist, files[8], 0);
    mnist.invoke();
    var digitAfterReset = out(mnist);
    pre.resetVariables();
    put(pre, files[6], 0);
    pre.invoke();
    return { features: feats, digits: digits, digitAfterReset: digitAfterReset, frameAfterReset: out(pre), used: g.used, layout: g.layout };
  }

  // Two stateless models, interleaved.
  function stateless(mode) {
    var g = make([KWS, HELLO], mode), kws = g.ms[0], hello = g.ms[1], r = [];
    for (var c = 0; c < 2; c++) {
      put(kws, files[9 + c], 0);
      kws.invoke();
      var k = out(kws);
      put(hello, files[11 + c], 0);
      hello.invoke();
      r.push(k, out(hello));
    }
    return { outputs: r, used: g.used, layout: g.layout };
  }

  // All five in one block: a round of each between the front end's frames.
  function all(mode) {
    var g = make([PRE, MICRO, MNIST, KWS, HELLO], mode), m = g.ms;
    var feats = [], digits = [], r = [], j = 0;
    for (var f = 0; f < 49; f++) {
      put(m[0], files[5], f);
      m[0].invoke();
      feats = feats.concat(out(m[0]));
      if (f % 12 === 0 && j < 4) {
        put(m[2], files[8], j++);
        m[2].invoke();
        digits = digits.concat(out(m[2]));
      }
      if (f === 20) {
        put(m[3], files[9], 0);
        m[3].invoke();
        r.push(out(m[3]));
        put(m[4], files[11], 0);
        m[4].invoke();
        r.push(out(m[4]));
      }
    }
    put(m[1], files[7], 0);
    m[1].invoke();
    return { features: feats, digits: digits, others: r, scores: out(m[1]), used: g.used, layout: g.layout };
  }

  function errorOf(fn) {
    try {
      fn();
    } catch (e) {
      return [e && e.name, e && e.code, String(e && e.message)];
    }
    return 'no error';
  }

  var res = { shared: {}, separate: {} };
  var modes = ['shared', 'separate'];
  for (var i = 0; i < 2; i++) {
    var mode = modes[i];
    res[mode].yes = speech(mode, 5);
    res[mode].no = speech(mode, 6);
    res[mode].stateful = stateful(mode);
    res[mode].stateless = stateless(mode);
    res[mode].all = all(mode);
  }

  // Sizes and misuse.
  var a = new tm.Interpreter(files[KWS]), b = new tm.Interpreter(files[HELLO]);
  var need = app.sharedLayout([a.words, b.words]).arenaBytes;
  res.errors = {
    tooSmall: errorOf(function () { app.allocateShared([a, b], { arenaSize: need - 1 }); }),
    empty: errorOf(function () { app.allocateShared([]); }),
    notArray: errorOf(function () { app.allocateShared(a); }),
    twice: errorOf(function () { app.allocateShared([a, a]); }),
    notInterpreter: errorOf(function () { app.allocateShared([a, {}]); }),
    badSize: errorOf(function () { app.allocateShared([a, b], { arenaSize: 1.5 }); }),
    beforeAllocate: errorOf(function () { a.invoke(); }),
  };
  // A roomier block works the same; an interpreter can leave the group.
  var big = app.allocateShared([a, b], { arenaSize: need + 1000 });
  put(a, files[9], 0);
  a.invoke();
  res.roomy = { usedBytes: big.usedBytes, arenaUsed: [a.arenaUsedBytes(), b.arenaUsedBytes()], kws: out(a) };
  b.allocateTensors();
  put(a, files[10], 0);
  put(b, files[12], 0);
  b.invoke();
  a.invoke();
  res.leave = { kws: out(a), hello: out(b), arenaUsed: [a.arenaUsedBytes(), b.arenaUsedBytes()] };
  return res;
}

module.exports = { run: run };
