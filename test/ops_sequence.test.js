'use strict';
// TRANSPOSE_CONV, SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM beyond the goldens:
// state that carries over between invokes and starts over with
// resetVariables(), and clear rejections of the variants we (or TFLM) do not
// run, built by patching the shipped models.
const assert = require('assert');
const path = require('path');
const h = require('./helpers');
const fb = require('./fbpatch');
const setType = fb.setType;

const model = (name) => h.readBytes(path.join(h.MODELS, name + '.tflite'));
const goldenModel = (name) => h.golden().models.find((m) => m.name === name);

/** Copies frame `i` of a concatenated input file into the interpreter's inputs. */
function setFrame(interp, bytes, i) {
  let frameBytes = 0;
  for (let k = 0; k < interp.inputCount(); k++) frameBytes += interp.input(k).byteLength;
  let p = i * frameBytes;
  for (let k = 0; k < interp.inputCount(); k++) {
    const v = interp.input(k);
    new Uint8Array(v.buffer, v.byteOffset, v.byteLength).set(bytes.subarray(p, p + v.byteLength));
    p += v.byteLength;
  }
}

function outputBytes(interp) {
  const v = interp.output(0);
  return Uint8Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
}

/** Integer outputs byte for byte; float within golden.test.js's libm bound. */
function assertClose(m, actual, expected, what) {
  if (m.outputs[0].dtype !== 'FLOAT32') {
    assert.strictEqual(h.firstDiff(actual, expected), -1, what);
    return;
  }
  const a = new DataView(actual.buffer, actual.byteOffset, actual.length);
  const e = new DataView(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < expected.length; i += 4) {
    const x = a.getInt32(i, true), y = e.getInt32(i, true);
    const kx = x < 0 ? 0x80000000 - (x & 0x7fffffff) : x + 0x80000000;
    const ky = y < 0 ? 0x80000000 - (y & 0x7fffffff) : y + 0x80000000;
    assert.ok(Math.abs(kx - ky) <= 128, what + ': float ' + i / 4 + ' is ' + a.getFloat32(i, true) + ', TFLM ' + e.getFloat32(i, true));
  }
}

function newInterpreter(bytes) {
  const t = h.tinyml();
  const interp = new t.Interpreter(bytes);
  interp.allocateTensors();
  return interp;
}

/** Runs `frames` invokes; returns each frame's output. */
function runSequence(interp, input, frames) {
  const outs = [];
  for (let i = 0; i < frames; i++) {
    setFrame(interp, input, i);
    interp.invoke();
    outs.push(outputBytes(interp));
  }
  return outs;
}

describe('stateful ops: sequences and resetVariables()', function () {
  for (const name of ['mnist_lstm_int8', 'mnist_lstm_float']) {
    describe(name, function () {
      const m = goldenModel(name);
      const seq = m.cases.find((c) => c.mode === 'sequence');
      const input = h.readBytes(path.join(h.MODELS, seq.input.file));
      const expected = h.readBytes(path.join(h.MODELS, seq.output.file));

      it('one interpreter carries state across the golden sequence', function () {
        const outs = runSequence(newInterpreter(model(name)), input, seq.frames);
        const frame = expected.length / seq.frames;
        for (let i = 0; i < seq.frames; i++) {
          assertClose(m, outs[i], expected.subarray(i * frame, (i + 1) * frame), 'frame ' + i);
        }
      });

      it('state matters: frame 1 after frame 0 differs from frame 1 alone', function () {
        // Watch the LSTM's own output: the classifier's may round both alike.
        const b = Buffer.from(model(name));
        const lstmOut = b.readInt32LE(fb.vector(b, fb.operator(b, 0), 2).start);
        b.writeInt32LE(lstmOut, fb.vector(b, fb.subgraph(b, 0), 2).start);
        const chained = runSequence(newInterpreter(new Uint8Array(b)), input, 2)[1];
        const fresh = newInterpreter(new Uint8Array(b));
        setFrame(fresh, input, 1);
        fresh.invoke();
        assert.notStrictEqual(h.firstDiff(chained, outputBytes(fresh)), -1);
      });

      it('resetVariables() restores the initial output', function () {
        const interp = newInterpreter(model(name));
        const first = runSequence(interp, input, seq.frames)[0];
        interp.resetVariables();
        setFrame(interp, input, 0);
        interp.invoke();
        assert.strictEqual(h.firstDiff(outputBytes(interp), first), -1);
      });
    });
  }

  for (const name of ['keyword_scrambled', 'keyword_scrambled_8bit']) {
    describe(name, function () {
      // The outputs of these scrambled models saturate: watch the first
      // SVDF's output (tensor 5) and its activation state (tensor 4, 64
      // filters x 8 memory slots) by making them the model's output.
      const m = goldenModel(name);
      const watch = (tensor) => {
        const b = Buffer.from(model(name));
        b.writeInt32LE(tensor, fb.vector(b, fb.subgraph(b, 0), 2).start);
        return new Uint8Array(b);
      };
      const frames = new Uint8Array(Buffer.concat([21, 21, 22].map((s) => Buffer.from(h.prngInput(m, s, 'full')))));
      const golden = m.intermediates.tensors.find((t) => t.tensor_index === 5);

      it('the first SVDF output matches TFLM\'s intermediate', function () {
        const interp = newInterpreter(watch(5));
        setFrame(interp, h.readBytes(path.join(h.MODELS, m.cases[0].input.file)), 0);
        interp.invoke();
        assert.strictEqual(h.firstDiff(outputBytes(interp), h.readBytes(path.join(h.MODELS, golden.file))), -1);
      });

      it('the state moves one slot per invoke, the newest activation last', function () {
        const interp = newInterpreter(watch(4));
        const v = interp.output(0);
        const fill = v.dtype === 9 ? v.zeroPoint : 0; // int8 state starts at its zero point
        const states = [];
        for (let i = 0; i < 3; i++) {
          setFrame(interp, frames, i);
          interp.invoke();
          states.push(Array.from(interp.output(0)));
        }
        for (let f = 0; f < 64; f++) {
          const slot = (k, mem) => states[k][f * 8 + mem];
          for (let mem = 0; mem < 5; mem++) assert.strictEqual(slot(2, mem), fill, 'filter ' + f + ' slot ' + mem);
          assert.strictEqual(slot(0, 6), fill);
          assert.strictEqual(slot(1, 6), slot(0, 7), 'filter ' + f + ': frame 1 shifts frame 0');
          assert.strictEqual(slot(1, 7), slot(0, 7), 'filter ' + f + ': same input, same activation');
          assert.strictEqual(slot(2, 5), slot(0, 7));
          assert.strictEqual(slot(2, 6), slot(1, 7));
        }
        // Frame 2 has another input: some newest activation differs.
        let differs = false;
        for (let f = 0; f < 64; f++) differs = differs || states[2][f * 8 + 7] !== states[1][f * 8 + 7];
        assert.ok(differs);
      });

      it('resetVariables() restores the initial state and output', function () {
        for (const tensor of [4, 5]) {
          const interp = newInterpreter(watch(tensor));
          const outs = runSequence(interp, frames, 3);
          interp.resetVariables();
          setFrame(interp, frames, 0);
          interp.invoke();
          assert.strictEqual(h.firstDiff(outputBytes(interp), outs[0]), -1, 'tensor ' + tensor);
        }
      });
    });
  }
});

/** Builds a patched model and asserts allocateTensors() rejects it. */
function rejects(name, patch, code, pattern) {
  const b = Buffer.from(model(name));
  patch(b);
  const t = h.tinyml();
  assert.throws(() => new t.Interpreter(new Uint8Array(b)).allocateTensors(), (e) => {
    assert.ok(e instanceof t.TinyMLError, String(e));
    assert.strictEqual(e.code, code, e.message);
    assert.ok(pattern.test(e.message), e.message);
    return true;
  });
}

/** Absolute position of the operator's builtin_options table. */
function options(b, op) {
  const f = fb.field(b, fb.operator(b, op), 4);
  return f + b.readUInt32LE(f);
}

function setInput(b, op, slot, tensor) {
  b.writeInt32LE(tensor, fb.vector(b, fb.operator(b, op), 1).start + 4 * slot);
}

describe('stateful ops: rejections', function () {
  it('LSTM with a cell activation other than TANH', function () {
    rejects('mnist_lstm_int8', (b) => {
      const f = fb.field(b, options(b, 0), 0);
      assert.ok(f >= 0);
      b.writeInt8(1, f); // RELU
    }, 'E_UNSUPPORTED_OP', /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*cell activation 1/);
  });

  it('LSTM whose hidden state is not a variable tensor', function () {
    rejects('mnist_lstm_int8', (b) => {
      const f = fb.field(b, fb.tensor(b, 16), 5);
      assert.ok(f >= 0);
      b.writeUInt8(0, f);
    }, 'E_BAD_MODEL', /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*variable hidden\/cell state/);
  });

  it('LSTM writing its output over its hidden state', function () {
    rejects('mnist_lstm_int8', (b) => b.writeInt32LE(16, fb.vector(b, fb.operator(b, 0), 2).start),
      'E_BAD_MODEL', /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*another output/);
  });

  it('LSTM with peephole weights', function () {
    rejects('mnist_lstm_float', (b) => setInput(b, 0, 9, 8), 'E_UNSUPPORTED_OP',
      /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*input 9/);
  });

  it('LSTM without input gate (CIFG)', function () {
    rejects('mnist_lstm_float', (b) => setInput(b, 0, 1, -1), 'E_UNSUPPORTED_OP',
      /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*CIFG/);
  });

  it('LSTM with weights of another shape', function () {
    // Recurrent weights [20,20] where input weights [20,28] belong.
    rejects('mnist_lstm_float', (b) => setInput(b, 0, 2, 4), 'E_BAD_MODEL',
      /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*tensor 4 is \[20,20\], expected \[20,28\]/);
  });

  it('LSTM with an int8 cell state', function () {
    rejects('mnist_lstm_int8', (b) => setType(b, 17, 9), 'E_UNSUPPORTED_OP',
      /op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\).*tensor 17 of type 9/);
  });

  it('SVDF whose rank does not divide the filters', function () {
    rejects('keyword_scrambled', (b) => {
      const f = fb.field(b, options(b, 1), 0);
      assert.ok(f >= 0);
      b.writeInt32LE(3, f);
    }, 'E_BAD_MODEL', /op 1 \(SVDF\).*rank 3/);
  });

  it('int8 SVDF without bias (TFLM dereferences the missing bias)', function () {
    rejects('keyword_scrambled_8bit', (b) => setInput(b, 1, 3, -1), 'E_UNSUPPORTED_OP',
      /op 1 \(SVDF\).*without bias/);
  });

  it('SVDF whose state is a constant', function () {
    rejects('keyword_scrambled', (b) => {
      const f = fb.field(b, fb.tensor(b, 4), 5);
      assert.ok(f >= 0);
      b.writeUInt8(0, f);
    }, 'E_BAD_MODEL', /op 1 \(SVDF\).*variable activation state/);
  });

  it('TRANSPOSE_CONV with int16 activations', function () {
    rejects(path.join('ops', 'tconv_i8_3x3_same_s2_none'), (b) => {
      const op = fb.operator(b, 0);
      const ins = fb.vector(b, op, 1), outs = fb.vector(b, op, 2);
      setType(b, b.readInt32LE(ins.start + 8), 7);
      setType(b, b.readInt32LE(outs.start), 7);
    }, 'E_UNSUPPORTED_OP', /op 0 \(TRANSPOSE_CONV\).*only int8 and float32/);
  });

  it('TRANSPOSE_CONV whose output depth is not the filter count', function () {
    rejects(path.join('ops', 'tconv_f32_3x3_same_s2_none'), (b) => {
      const op = fb.operator(b, 0);
      const out = b.readInt32LE(fb.vector(b, op, 2).start);
      const shape = fb.vector(b, fb.tensor(b, out), 0);
      b.writeInt32LE(5, shape.start + 12);
    }, 'E_BAD_MODEL', /op 0 \(TRANSPOSE_CONV\).*tensor \d+ is \[1,8,8,5\], expected \[1,8,8,4\]/);
  });
});
