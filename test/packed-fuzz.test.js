'use strict';
// Regressions of the packed-mode mutation fuzzer (fuzz/mutate.js --packed):
// sections whose hash was recomputed after the edit (a hash is no proof), run
// on the device core bundle. Before the fixes each one threw a RangeError or
// looped for ever instead of a TinyMLError with a code.
const assert = require('assert');
const path = require('path');
const h = require('./helpers');
const packed = require('../fuzz/packed.js');

const ROOT = path.join(__dirname, '..');
const W_HASH = 6, W_ARENA = 11;

describe('packed sections edited and re-hashed (fuzz regressions, device core)', function () {
  let core, native;
  before(function () {
    core = packed.loadCore();
    native = require(path.join(ROOT, 'build', 'Release', 'tinyml.node'));
  });

  /** The packed seed of a shared model, its section words edited by fn(words, layout), re-hashed. */
  function edited(name, fn) {
    const seed = packed.packSeeds(h.tinyml(), [path.join(h.MODELS, name + '.tflite')])[0];
    const w = seed.words.slice();
    fn(w, seed.layout);
    w[W_HASH] = packed.fnv(new Uint8Array(w.buffer), W_HASH);
    return packed.assemble(seed.model, w);
  }

  function throwsCode(fn, code) {
    assert.throws(fn, (e) => {
      assert.ok(e instanceof core.TinyMLError, 'not a TinyMLError: ' + (e && e.stack));
      assert.strictEqual(e.code, code, e.message);
      return true;
    });
  }

  it('the unedited seed runs (the oracle for the edits below)', function () {
    const it = new core.Interpreter(edited('hello_world_float', () => {}), { native });
    it.allocateTensors();
    it.input(0)[0] = 1;
    it.invoke();
    assert.ok(Math.abs(it.output(0)[0] - Math.sin(1)) < 0.1);
  });

  it('an arena figure of 0 or below: E_BAD_PACK (was a RangeError from arena())', function () {
    for (const v of [0, -1, -0x80000000]) {
      throwsCode(() => new core.Interpreter(edited('hello_world_float', (w) => { w[W_ARENA] = v; }), { native }), 'E_BAD_PACK');
    }
  });

  it('an input with a negative dim or a misaligned float offset: E_BAD_PACK at input() (was a RangeError)', function () {
    const dim = new core.Interpreter(edited('hello_world_float', (w, L) => { w[L.meta.dim[0]] = -3; }), { native });
    dim.allocateTensors();
    throwsCode(() => dim.input(0), 'E_BAD_PACK');
    const off = new core.Interpreter(edited('hello_world_float', (w, L) => { w[L.meta.offset[0]] += 2; }), { native });
    off.allocateTensors();
    throwsCode(() => off.input(0), 'E_BAD_PACK');
  });

  it('an input no op reads claiming 2 GiB: E_BAD_PACK, nothing allocated', function () {
    const it = new core.Interpreter(edited('hello_world_float', (w, L) => {
      w[L.meta.where[0]] = 0;
      w[L.meta.bytes[0]] = 0x7fffffff;
    }), { native });
    it.allocateTensors();
    throwsCode(() => it.input(0), 'E_BAD_PACK');
  });

  it('a negative name length with a huge input count: E_BAD_PACK (was an endless loop)', function () {
    const it = new core.Interpreter(edited('hello_world_float', (w, L) => {
      w[L.metaCount[0]] = 0x7fffffff;
      w[L.meta.chars[0]] = -1000;
    }), { native });
    throwsCode(() => it.inputCount(), 'E_BAD_PACK');
  });
});
