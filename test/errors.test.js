'use strict';
// Bad input gets one clear line and a non-zero exit, never a signal or a stack
// trace, on every engine.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const fb = require('./fbpatch');

const tmp = h.tmpDir();
const write = h.tmpWriter(tmp);
const runFails = h.runFails;
const HELLO = path.join(h.MODELS, 'hello_world_int8.tflite');
const KWS = path.join(h.MODELS, 'kws_ds_cnn_int8.tflite');
const HELLO_IN = path.join(h.MODELS, 'golden', 'hello_world_int8', 'prng_seed1.input.bin');
const KWS_IN = path.join(h.MODELS, 'golden', 'kws_ds_cnn_int8', 'prng_seed1.input.bin');

function patched(file, fn) {
  const b = Buffer.from(fs.readFileSync(file));
  fn(b);
  return b;
}

const cases = [
  ['truncated model (half)', () => write('trunc.tflite', fs.readFileSync(KWS).subarray(0, 9000)), KWS_IN, 'E_MODEL_TRUNCATED'],
  ['truncated model (header only)', () => write('trunc2.tflite', fs.readFileSync(HELLO).subarray(0, 6)), HELLO_IN, 'E_MODEL_TRUNCATED'],
  ['wrong identifier', () => write('ident.tflite', patched(HELLO, (b) => b.write('TFL2', 4))), HELLO_IN, 'E_BAD_IDENTIFIER'],
  ['operator input tensor index out of range', () => write('tidx.tflite', patched(HELLO, (b) => {
    const ins = fb.vector(b, fb.operator(b, 1), 1);
    b.writeInt32LE(1000, ins.start);
  })), HELLO_IN, 'E_BAD_INDEX'],
  ['tensor buffer index out of range', () => write('bidx.tflite', patched(HELLO, (b) => {
    b.writeUInt32LE(5000, fb.field(b, fb.tensor(b, 1), 2));
  })), HELLO_IN, 'E_BAD_INDEX'],
  ['opcode index out of range', () => write('oidx.tflite', patched(KWS, (b) => {
    // An op whose opcode_index is stored (index 0 is the default and left out).
    for (let i = 0; ; i++) {
      const f = fb.field(b, fb.operator(b, i), 0);
      if (f >= 0) { b.writeUInt32LE(77, f); return; }
    }
  })), KWS_IN, 'E_BAD_INDEX'],
  ['tensor larger than its buffer', () => write('big.tflite', patched(KWS, (b) => {
    // The first conv's filter: one more output channel than its buffer holds.
    const filterIndex = b.readInt32LE(fb.vector(b, fb.operator(b, 0), 1).start + 4);
    const shape = fb.vector(b, fb.tensor(b, filterIndex), 0);
    b.writeInt32LE(b.readInt32LE(shape.start) + 1, shape.start);
  })), KWS_IN, 'E_BAD_MODEL'],
];

describe('bad input: one line, a code, a non-zero exit', function () {
  for (const engine of ['node', 'duktape']) {
    describe('engine ' + engine, function () {
      for (const [what, make, input, code] of cases) {
        it(what + ' -> ' + code, function () {
          runFails(['run', make(), '--input', input, '--output', path.join(tmp, 'o.bin'), '--engine', engine], code);
        });
      }
      it('random bytes -> E_BAD_IDENTIFIER / E_MODEL_TRUNCATED', function () {
        let x = 12345;
        const bytes = Buffer.alloc(3000);
        for (let i = 0; i < bytes.length; i++) { x = (x * 1103515245 + 12345) >>> 0; bytes[i] = x >>> 24; }
        const r = h.cli(['run', write('random.tflite', bytes), '--input', HELLO_IN, '--output', path.join(tmp, 'o.bin'), '--engine', engine]);
        assert.strictEqual(r.signal, null);
        assert.ok(/^tinyml: E_(BAD_IDENTIFIER|MODEL_TRUNCATED|BAD_MODEL): [^\n]+\n$/.test(r.stderr), r.stderr);
      });
      it('unsupported op names the op and its index', function () {
        // Every op of hello_world uses opcode 0: make it HASHTABLE_LOOKUP (10).
        const f = write('unsup.tflite', patched(HELLO, (b) => {
          const oc = fb.opcode(b, 0);
          const dep = fb.field(b, oc, 0);
          if (dep >= 0) b.writeInt8(10, dep);
          const code = fb.field(b, oc, 3);
          if (code >= 0) b.writeInt32LE(10, code);
        }));
        const line = runFails(['run', f, '--input', HELLO_IN, '--output', path.join(tmp, 'o.bin'), '--engine', engine], 'E_UNSUPPORTED_OP');
        assert.ok(/op 0 \(HASHTABLE_LOOKUP\)/.test(line), line);
      });
      it('arena too small says how many bytes are needed', function () {
        const plan = JSON.parse(h.cli(['inspect', KWS, '--json']).stdout);
        const line = runFails(['run', KWS, '--input', KWS_IN, '--output', path.join(tmp, 'o.bin'), '--engine', engine, '--arena', '4096'], 'E_ARENA_TOO_SMALL');
        const m = /needs (\d+) bytes/.exec(line);
        assert.ok(m, line);
        assert.ok(Number(m[1]) >= plan.arenaBytes && Number(m[1]) < plan.arenaBytes + 16, line + ' vs arenaBytes ' + plan.arenaBytes);
      });
      it('input of the wrong length', function () {
        const line = runFails(['run', KWS, '--input', write('short.bin', Buffer.alloc(489)), '--output', path.join(tmp, 'o.bin'), '--engine', engine], 'E_BAD_INPUT');
        assert.ok(/489 bytes, expected 490/.test(line), line);
      });
    });
  }
  it('a missing model file is a one-line usage error', function () {
    const r = h.cli(['run', path.join(tmp, 'nope.tflite'), '--input', HELLO_IN, '--output', path.join(tmp, 'o.bin')]);
    assert.strictEqual(r.status, 2);
    assert.ok(/^tinyml: cannot read model .*ENOENT\n$/.test(r.stderr), r.stderr);
  });
});
