'use strict';
// The app helpers exercised on any engine. ES5 only: test/app_helpers.test.js
// runs this function on Node and sends its source text (suite.toString()) to
// Duktape. It only computes: every input comes in `files` (files[0] is a JSON
// plan made by the test), every result goes back as JSON-able values, and the
// test checks them against oracles computed independently on Node.
function suite(app, files) {
  var out = {};
  function text(u8) {
    var s = '';
    for (var i = 0; i < u8.length; i++) s += String.fromCharCode(u8[i]);
    return s;
  }
  function arr(t) {
    var a = [];
    for (var i = 0; i < t.length; i++) a.push(t[i]);
    return a;
  }
  // Float results as their float32 bit patterns: exact through JSON on any engine.
  function bits(values) {
    var f = new Float32Array(values.length);
    for (var i = 0; i < values.length; i++) f[i] = values[i];
    return arr(new Uint32Array(f.buffer));
  }
  function f32(u8) {
    var copy = new Uint8Array(u8.length);
    copy.set(u8);
    return new Float32Array(copy.buffer);
  }
  function i8(u8) {
    var copy = new Uint8Array(u8.length);
    copy.set(u8);
    return new Int8Array(copy.buffer);
  }
  function errorOf(fn) {
    try {
      fn();
    } catch (e) {
      return (e && e.name === 'TinyMLError' ? '' : 'not a TinyMLError: ') + (e && e.code);
    }
    return 'no error';
  }
  function put(name, fn) {
    try {
      out[name] = fn();
    } catch (e) {
      out[name] = { threw: String(e && e.message ? e.message : e) };
    }
  }
  var P = JSON.parse(text(files[0]));
  function file(name) { return files[P.files[name]]; }

  // Storage past byte 65535 of its buffer: no subarray views (Espruino's limit), plain loops.
  function high(Type, n) { return new Type(new ArrayBuffer(66000 + n * 4), 66000, n); }
  function ringRun(r) {
    var res = [];
    for (var k = 0; k < P.ring.ops.length; k++) {
      var op = P.ring.ops[k];
      if (op[0] === 'push') r.push(op[1]);
      else if (op[0] === 'many') r.pushMany(op[1], op[2], op[3]);
      else if (op[0] === 'clear') r.clear();
      else if (op[0] === 'count') res.push([r.count(), r.written]);
      else {
        var dst = new Int16Array(op[1] + 2);
        r.latest(op[1], dst, 1);
        res.push(arr(dst));
      }
    }
    return res;
  }
  put('ring', function () { return ringRun(new app.RingBuffer(P.ring.capacity)); });
  put('ringHigh', function () { return ringRun(new app.RingBuffer(high(Int16Array, P.ring.capacity))); });
  put('framerHop', function () {
    var src = new Int16Array(40), res = [];
    for (var i = 0; i < 40; i++) src[i] = i * 3 - 50;
    var cases = [[3, 5, 4, null], [4, 4, 3, null], [5, 2, 7, high(Int16Array, 5)], [20, 3, 17, null], [20, 3, 40, high(Int16Array, 20)]];
    for (var c = 0; c < cases.length; c++) {
      var f = new app.Framer(cases[c][0], cases[c][1], cases[c][3] || undefined), frames = [];
      var frame = new Int16Array(cases[c][0]);
      for (var p = 0; p < src.length;) {
        p += f.push(src, p, Math.min(cases[c][2], src.length - p));
        if (f.ready()) { f.read(frame); frames.push(arr(frame)); }
      }
      res.push(frames);
    }
    return { src: arr(src), cases: cases.map(function (k) { return [k[0], k[1]]; }), frames: res };
  });
  put('ringFloat', function () {
    var r = new app.RingBuffer(new Float32Array(4));
    var src = new Float32Array([0.5, -1.25, 3.75, 1e-3, 2.5, -7]);
    r.pushMany(src, 1);
    r.push(0.125);
    var dst = new Float32Array(4);
    r.latest(4, dst);
    return { capacity: r.capacity, latest: bits(dst) };
  });
  put('ringErrors', function () {
    var r = new app.RingBuffer(8);
    r.pushMany([1, 2, 3]);
    return [
      errorOf(function () { return new app.RingBuffer(0); }),
      errorOf(function () { return new app.RingBuffer(2.5); }),
      errorOf(function () { r.latest(4, new Int16Array(8)); }),
      errorOf(function () { r.latest(9, new Int16Array(16)); }),
      errorOf(function () { r.latest(3, new Int16Array(2)); }),
      errorOf(function () { r.pushMany([1, 2, 3], 2, 2); }),
      errorOf(function () { r.pushMany(null); }),
    ];
  });

  put('framer', function () {
    var wav = app.readWav(file('yes_1000ms'));
    var f = new app.Framer(P.framer.size, P.framer.hop);
    var frame = new Int16Array(P.framer.size);
    var frames = [];
    var s = wav.samples, p = 0, c = 0;
    while (p < s.length) {
      var chunk = Math.min(P.framer.chunks[c++ % P.framer.chunks.length], s.length - p);
      var end = p + chunk;
      while (p < end) {
        p += f.push(s, p, end - p);
        if (f.ready()) {
          f.read(frame);
          for (var i = 0; i < frame.length; i++) frames.push(frame[i]);
        }
      }
    }
    var count = app.frameCount(s.length, P.framer.size, P.framer.hop);
    var cut = [];
    for (var k = 0; k < count; k++) {
      app.copyFrame(s, k, P.framer.size, P.framer.hop, frame);
      for (var j = 0; j < frame.length; j++) cut.push(frame[j]);
    }
    var again = f.frames;
    f.clear();
    return {
      frames: again, streamed: frames, count: count, cut: cut, clearedFrames: f.frames,
      errors: [
        errorOf(function () { f.read(frame); }),
        errorOf(function () { return new app.Framer(0, 1); }),
        errorOf(function () { app.copyFrame(s, count, P.framer.size, P.framer.hop, frame); }),
        errorOf(function () { app.frameCount(-1, 4, 2); }),
      ],
    };
  });

  put('window', function () {
    var yes = i8(file('yes_features')), no = i8(file('no_features'));
    var w = new app.SlidingWindow(49, 40);
    var ordered = new app.SlidingWindow(49, 40, new Int8Array(1960), { ordered: true });
    var orderedHigh = new app.SlidingWindow(49, 40, high(Int8Array, 1960), { ordered: true });
    var circularHigh = new app.SlidingWindow(49, 40, high(Int8Array, 1960));
    var dst = new Int8Array(1962);
    var res = {};
    function pushAll(rows, r) { w.pushRow(rows, r * 40); ordered.pushRow(rows, r * 40); orderedHigh.pushRow(rows, r * 40); circularHigh.pushRow(rows, r * 40); }
    for (var r = 0; r < 3; r++) pushAll(yes, r);
    res.partial = { count: w.count(), full: w.full() };
    for (r = 3; r < 49; r++) pushAll(yes, r);
    w.copyTo(dst, 1);
    res.full49 = arr(dst);
    res.fullFlag = w.full();
    for (r = 0; r < 10; r++) pushAll(no, r);
    var dst2 = new Int8Array(1962);
    w.copyTo(dst2, 2);
    res.shifted = arr(dst2);
    res.ordered = arr(ordered.data);
    var orderedCopy = new Int8Array(1960);
    ordered.copyTo(orderedCopy);
    res.orderedCopy = arr(orderedCopy);
    res.orderedHigh = arr(orderedHigh.data);
    var highCopy = high(Int8Array, 1960);
    circularHigh.copyTo(highCopy);
    res.circularHigh = arr(highCopy);
    res.pushed = [w.pushed, w.count()];
    var filled = new app.SlidingWindow(4, 3, undefined, { fill: -128 });
    filled.pushRow([1, 2, 3]);
    filled.pushRow(new Int16Array([9, 4, 5, 6]), 1);
    var small = new Int8Array(12);
    filled.copyTo(small);
    res.fill = arr(small);
    filled.clear();
    filled.copyTo(small);
    res.cleared = arr(small).concat([filled.pushed]);
    res.errors = [
      errorOf(function () { w.pushRow(yes, 1960 - 39); }),
      errorOf(function () { w.copyTo(new Int8Array(1959)); }),
      errorOf(function () { return new app.SlidingWindow(49, 40, new Int8Array(100)); }),
      errorOf(function () { return new app.SlidingWindow(0, 40); }),
    ];
    return res;
  });

  put('quant', function () {
    var xs = f32(file('floats'));
    var res = [];
    for (var c = 0; c < P.quant.length; c++) {
      var q = P.quant[c];
      var dst = q.dtype === 7 ? new Int16Array(xs.length) : q.dtype === 3 ? new Uint8Array(xs.length) : new Int8Array(xs.length);
      app.quantizeArray(xs, dst, q.scale, q.zeroPoint, q.dtype);
      var scalar = [];
      for (var i = 0; i < xs.length; i++) scalar.push(app.quantize(xs[i], q.scale, q.zeroPoint, q.dtype));
      var ints = [], deq = new Float32Array(q.ints.length), deqScalar = [];
      for (i = 0; i < q.ints.length; i++) ints.push(q.ints[i]);
      app.dequantizeArray(ints, deq, q.scale, q.zeroPoint);
      for (i = 0; i < ints.length; i++) deqScalar.push(app.dequantize(ints[i], q.scale, q.zeroPoint));
      res.push({ array: arr(dst), scalar: scalar, dequant: bits(deq), dequantScalar: bits(deqScalar) });
    }
    var part = new Int8Array(6);
    app.quantizeArray([9, 0.5, 1, 1.5, 9], part, 0.5, 1, 9, 1, 2, 3);
    return {
      cases: res,
      offsets: arr(part),
      errors: [
        errorOf(function () { app.quantize(1, 0, 0, 9); }),
        errorOf(function () { app.quantize(1, -1, 0, 9); }),
        errorOf(function () { app.quantize(1, 0.5, 0, 1); }),
        errorOf(function () { app.quantize(1, 0.5, 0.5, 9); }),
        errorOf(function () { app.quantize('1', 0.5, 0, 9); }),
        errorOf(function () { app.quantizeArray([1, 2], new Int8Array(1), 0.5, 0, 9); }),
        errorOf(function () { app.dequantizeArray([1, 2], new Float32Array(2), 0.5, 0, 1, 0, 2); }),
      ],
    };
  });

  put('ranking', function () {
    var res = [];
    for (var c = 0; c < P.ranking.length; c++) {
      var t = P.ranking[c];
      var a = t.type === 'int8' ? new Int8Array(t.a) : t.type === 'float32' ? new Float32Array(t.a) : t.a;
      var idx = new Int32Array(t.k), vals = new Float32Array(t.k);
      var n = app.topK(a, t.k, idx, vals, t.offset, t.length);
      res.push({ argmax: app.argmax(a, t.offset, t.length), n: n, indices: arr(idx).slice(0, n), values: bits(arr(vals).slice(0, n)) });
    }
    return {
      cases: res,
      errors: [
        errorOf(function () { app.argmax([]); }),
        errorOf(function () { app.argmax([1, 2], 1, 2); }),
        errorOf(function () { app.topK([1, 2, 3], 0, [0]); }),
        errorOf(function () { app.topK([1, 2, 3], 3, [0, 0]); }),
      ],
    };
  });

  put('recognizer', function () {
    var res = [];
    for (var c = 0; c < P.recognizer.length; c++) {
      var t = P.recognizer[c];
      var r = new app.CommandRecognizer(t.labels, t.options);
      var scores = new Int8Array(t.labels.length + 1);
      var steps = [];
      for (var k = 0; k < t.steps.length; k++) {
        var s = t.steps[k];
        for (var i = 0; i < t.labels.length; i++) scores[i + 1] = s[i + 1];
        var isNew = r.process(scores, s[0], 1);
        steps.push([r.command, r.index, r.score, r.isNew, isNew, r.heard()]);
      }
      r.reset();
      steps.push([r.command, r.index, r.score, r.isNew]);
      res.push(steps);
    }
    var rec = new app.CommandRecognizer(['silence', 'unknown', 'yes', 'no']);
    rec.process([0, 0, 0, 0], 100);
    return {
      cases: res,
      errors: [
        errorOf(function () { rec.process([0, 0, 0], 200); }),
        errorOf(function () { rec.process([0, 0, 0, 0], 50); }),
        errorOf(function () { rec.process([0, 0, 128, 0], 300); }),
        errorOf(function () { rec.process([0, 0, 0.5, 0], 300); }),
        errorOf(function () { return new app.CommandRecognizer([]); }),
        errorOf(function () { return new app.CommandRecognizer(['a'], { detectionThreshold: 300 }); }),
        errorOf(function () { return new app.CommandRecognizer(['a', 2]); }),
      ],
    };
  });

  put('wav', function () {
    var res = {};
    var names = P.wavOk;
    for (var i = 0; i < names.length; i++) {
      var w = app.readWav(file(names[i]));
      res[names[i]] = { sampleRate: w.sampleRate, channels: w.channels, bits: w.bitsPerSample, samples: arr(w.samples) };
    }
    var bytes = file('yes_30ms');
    var shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    var odd = app.readWav(shifted.subarray(1));
    res.oddOffset = arr(odd.samples);
    // A view sees later writes to the file bytes; a copy does not.
    var own = new Uint8Array(bytes.length);
    own.set(bytes);
    var view = app.readWav(own), copy = app.readWav(own, true);
    res.copy = arr(copy.samples);
    own[44] = 0x34;
    own[45] = 0x12;
    res.viewShares = view.samples[0] === 0x1234;
    res.copyShares = copy.samples[0] === 0x1234;
    res.errors = {};
    for (i = 0; i < P.wavBad.length; i++) {
      var b = file(P.wavBad[i]);
      res.errors[P.wavBad[i]] = errorOf(function () { app.readWav(b); });
    }
    return res;
  });

  put('bmp', function () {
    var res = {};
    for (var i = 0; i < P.bmpOk.length; i++) {
      var im = app.readBmp(file(P.bmpOk[i]));
      res[P.bmpOk[i]] = { width: im.width, height: im.height, channels: im.channels, data: arr(im.data) };
    }
    res.errors = {};
    for (i = 0; i < P.bmpBad.length; i++) {
      var b = file(P.bmpBad[i]);
      res.errors[P.bmpBad[i]] = errorOf(function () { app.readBmp(b); });
    }
    return res;
  });

  put('image', function () {
    var res = {};
    var person = app.readBmp(file('person')).data;
    var rgb = app.readBmp(file('person_rgb24'));
    var gray = new Uint8Array(96 * 96);
    app.rgbToGray(rgb.data, gray, 96 * 96);
    res.rgbToGray = arr(gray);
    var colour = new Uint8Array(P.rgbPixels.length / 3);
    app.rgbToGray(P.rgbPixels, colour, colour.length);
    res.colourGray = arr(colour);
    var c = new Uint8Array(30 * 40);
    app.crop(person, 96, 96, 1, 10, 20, 30, 40, c);
    res.crop = arr(c);
    var half = new Uint8Array(48 * 48);
    app.resize(person, 96, 96, 1, half, 48, 48, 'bilinear');
    res.half = arr(half);
    res.bilinear = [];
    for (var k = 0; k < P.bilinear.length; k++) {
      var t = P.bilinear[k];
      var d = new Uint8Array(t.dw * t.dh * t.channels);
      var src = t.channels === 1 ? person : rgb.data;
      app.resizeRegion(src, 96, 96, t.channels, t.x, t.y, t.w, t.h, d, t.dw, t.dh, 'bilinear');
      res.bilinear.push(arr(d));
    }
    res.nearest = [];
    for (k = 0; k < P.nearest.length; k++) {
      var n = P.nearest[k];
      var input = i8(file(n.input));
      var o = new Int8Array(n.dw * n.dh * n.channels);
      app.resize(input, n.width, n.height, n.channels, o, n.dw, n.dh, 'nearest');
      res.nearest.push(arr(o));
    }
    res.nearestRegions = [];
    for (k = 0; k < P.nearestRegions.length; k++) {
      var t2 = P.nearestRegions[k];
      var d2 = new Uint8Array(t2.dw * t2.dh);
      app.resizeRegion(person, 96, 96, 1, t2.x, t2.y, t2.w, t2.h, d2, t2.dw, t2.dh, 'nearest');
      res.nearestRegions.push(arr(d2));
    }
    var same = new Uint8Array(96 * 96);
    app.resize(person, 96, 96, 1, same, 96, 96, 'bilinear');
    res.bilinearIdentity = arr(same);
    var sameNearest = new Uint8Array(96 * 96);
    app.resize(person, 96, 96, 1, sameNearest, 96, 96, 'nearest');
    res.nearestIdentity = arr(sameNearest);
    var asInt8 = new Int8Array(96 * 96);
    app.grayToInt8(person, asInt8);
    res.grayToInt8 = arr(asInt8);
    var q = new Int8Array(96 * 96);
    app.grayToQuantized(person, q, P.person.scale, P.person.zeroPoint, 9, -1, 1);
    res.grayToQuantized = arr(q);
    var qu = new Uint8Array(96 * 96);
    app.grayToQuantized(person, qu, 1 / 255, 0, 3, 0, 1);
    res.grayToUint8 = arr(qu);
    res.errors = [
      errorOf(function () { app.crop(person, 96, 96, 1, 90, 0, 7, 1, c); }),
      errorOf(function () { app.resize(person, 96, 96, 1, new Uint8Array(10), 48, 48, 'nearest'); }),
      errorOf(function () { app.resize(person, 96, 96, 1, half, 48, 48, 'cubic'); }),
      errorOf(function () { app.resize(person, 97, 96, 1, half, 48, 48, 'nearest'); }),
      errorOf(function () { app.rgbToGray(person, gray, 96 * 96); }),
      errorOf(function () { app.grayToQuantized(person, q, 0.1, 0, 2, 0, 1); }),
    ];
    return res;
  });
  return out;
}

// The helpers around the real models, with the runtime `tm` of the engine
// (Node's bundle or the device bundle). files: audio_preprocessor_int8,
// micro_speech_int8, person_detect_int8 models, then the four 1 s WAVs
// (yes, no, silence, noise), then person.bmp and no_person.bmp.
function pipelines(tm, app, files) {
  var labels = ['silence', 'unknown', 'yes', 'no'];
  function arr(t) {
    var a = [];
    for (var i = 0; i < t.length; i++) a.push(t[i]);
    return a;
  }
  // A board's loop: 20 ms of audio at a time (the clip, then 1 s of zeros);
  // each completed 30 ms frame becomes a feature row; once the window holds
  // 49 rows, every new row means one inference and one recognizer step.
  function speech(wavBytes) {
    var pre = new tm.Interpreter(files[0]), micro = new tm.Interpreter(files[1]);
    pre.allocateTensors();
    micro.allocateTensors();
    var audio = pre.input(0), features = pre.output(0), input = micro.input(0), scores = micro.output(0);
    var framer = new app.Framer(480, 320), win = new app.SlidingWindow(49, 40);
    var rec = new app.CommandRecognizer(labels);
    var samples = app.readWav(wavBytes).samples, zeros = new Int16Array(320);
    var res = { heard: [], inferences: 0 }, t = 0;
    for (var hop = 0; hop < 100; hop++) {
      var src = hop < 50 ? samples : zeros, p = hop < 50 ? hop * 320 : 0, end = p + 320;
      while (p < end) {
        p += framer.push(src, p, end - p);
        if (!framer.ready()) continue;
        framer.read(audio);
        pre.invoke();
        win.pushRow(features);
        t += 20;
        if (!win.full()) continue;
        win.copyTo(input);
        if (res.inferences === 0) res.firstWindow = arr(input);
        micro.invoke();
        if (res.inferences === 0) res.firstScores = arr(scores);
        res.inferences++;
        rec.process(scores, t);
        if (rec.heard()) res.heard.push(rec.heard() + '@' + t);
      }
    }
    res.top = [rec.command, rec.score];
    return res;
  }
  var out = { speech: [], person: [] };
  for (var c = 3; c < 7; c++) out.speech.push(speech(files[c]));
  var m = new tm.Interpreter(files[2]);
  m.allocateTensors();
  var input = m.input(0), scores = m.output(0);
  for (var k = 7; k < 9; k++) {
    var im = app.readBmp(files[k]);
    // The shipped BMPs hold int8 pixels as bytes: TFLM's test copies them as they are.
    input.set(im.data);
    m.invoke();
    out.person.push({ shape: [im.width, im.height, im.channels, input.length], scores: arr(scores), verdict: app.argmax(scores) === 1 ? 'person' : 'no person' });
  }
  return out;
}

module.exports = { suite: suite, pipelines: pipelines };
