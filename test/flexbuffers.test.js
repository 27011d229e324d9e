'use strict';
// src/planner/model/flexbuffers.ts: the FlexBuffers map reader custom ops read their
// options with. Blobs are built with the flatbuffers package's FlexBuffers
// builder (a dev dependency, test only); every value form the builder makes
// is read back, and every truncation and byte flip of real option blobs
// either reads or fails through the `invalid` callback, never with another
// exception.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const flex = require('flatbuffers/js/flexbuffers.js');

function loadFlexMap() {
  const ts = require('typescript');
  const root = path.resolve(__dirname, '..');
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-flex-test-'));
  const cfg = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile).config;
  const parsed = ts.parseJsonConfigFileContent(cfg, ts.sys, root);
  const options = Object.assign({}, parsed.options, {
    module: ts.ModuleKind.CommonJS, outDir: outDir, rootDir: path.join(root, 'src'), noEmitOnError: true,
  });
  const program = ts.createProgram([path.join(root, 'src', 'planner', 'model', 'flexbuffers.ts')], options);
  const result = program.emit();
  const diags = ts.getPreEmitDiagnostics(program).concat(result.diagnostics);
  assert.strictEqual(diags.length, 0, ts.formatDiagnostics(diags, {
    getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n',
  }));
  return require(path.join(outDir, 'planner', 'model', 'flexbuffers.js')).FlexMap;
}

class Invalid extends Error {}
const invalid = (what) => { throw new Invalid(what); };

/** A map blob from (builder) => void that adds key/value pairs. */
function blob(fill) {
  const b = flex.builder();
  b.startMap();
  fill(b);
  b.end();
  return new Uint8Array(b.finish());
}

describe('FlexBuffers map reader (src/planner/model/flexbuffers.ts)', function () {
  let FlexMap;
  before(function () {
    this.timeout(60000);
    FlexMap = loadFlexMap();
  });

  it('reads ints of every width, signed and unsigned, as int32 (low 32 bits)', function () {
    const m = new FlexMap(blob((b) => {
      b.addKey('a'); b.addInt(5);
      b.addKey('b'); b.addInt(-3);
      b.addKey('c'); b.addInt(300);
      b.addKey('d'); b.addInt(-40000);
      b.addKey('e'); b.addInt(2147483647);
      b.addKey('f'); b.addInt(-2147483648);
      b.addKey('g'); b.addUInt(4000000000);
      b.addKey('h'); b.addInt(BigInt('0x100000005'));
      b.addKey('i'); b.addInt(BigInt(-5));
    }), invalid);
    assert.deepStrictEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((k) => m.int(k)),
      [5, -3, 300, -40000, 2147483647, -2147483648, 4000000000 | 0, 5, -5]);
  });

  it('reads indirect ints and floats', function () {
    const m = new FlexMap(blob((b) => {
      b.addKey('ii'); b.addInt(-70000, true);
      b.addKey('iu'); b.addUInt(9, true);
      b.addKey('if'); b.addFloat(0.1, true);
    }), invalid);
    assert.strictEqual(m.int('ii'), -70000);
    assert.strictEqual(m.int('iu'), 9);
    assert.strictEqual(m.float('if'), 0.1);
  });

  it('reads bools and floats (float32 and float64), and ints as floats', function () {
    // Inline scalars take the width of their map (as the C++ reader TFLM
    // uses reads them), so float32 and float64 go in separate maps: the npm
    // builder writes a narrower float into a wider slot as is.
    const m = new FlexMap(blob((b) => {
      b.addKey('t'); b.add(true);
      b.addKey('f'); b.add(false);
      b.addKey('x'); b.addFloat(0.5);
      b.addKey('n'); b.addInt(7);
    }), invalid);
    assert.strictEqual(m.bool('t'), true);
    assert.strictEqual(m.bool('f'), false);
    assert.strictEqual(m.int('t'), 1);
    assert.strictEqual(m.float('x'), 0.5);
    assert.strictEqual(m.float('n'), 7);
    assert.strictEqual(m.bool('n'), true);
    const d = new FlexMap(blob((b) => { b.addKey('y'); b.addFloat(0.1); }), invalid);
    assert.strictEqual(d.float('y'), 0.1);
  });

  it('reads typed, fixed-size typed and untyped vectors', function () {
    const vec = (b, key, values, adder) => {
      b.addKey(key);
      b.startVector();
      for (const v of values) adder(b, v);
      b.end();
    };
    const m = new FlexMap(blob((b) => {
      vec(b, 'typed', [1, -2, 300, 4, 5], (bb, v) => bb.addInt(v));
      vec(b, 'fixed3', [7, 8, 9], (bb, v) => bb.addInt(v));
      vec(b, 'uints', [1, 2, 3, 4, 5, 70000], (bb, v) => bb.addUInt(v));
      vec(b, 'floats', [0.5, 1.5, 2.5, 3.5, 4.5], (bb, v) => bb.addFloat(v));
      vec(b, 'mixed', [1, 2.5, true], (bb, v) => bb.add(v));
      vec(b, 'empty', [], (bb, v) => bb.addInt(v));
    }), invalid);
    assert.deepStrictEqual(m.ints('typed'), [1, -2, 300, 4, 5]);
    assert.deepStrictEqual(m.ints('fixed3'), [7, 8, 9]);
    assert.deepStrictEqual(m.ints('uints'), [1, 2, 3, 4, 5, 70000]);
    assert.deepStrictEqual(m.ints('floats'), [0.5, 1.5, 2.5, 3.5, 4.5]);
    assert.deepStrictEqual(m.ints('mixed'), [1, 2.5, 1]);
    assert.deepStrictEqual(m.ints('empty'), []);
  });

  it('finds keys in big maps with wide offsets', function () {
    const m = new FlexMap(blob((b) => {
      for (let i = 0; i < 300; i++) { b.addKey('key_' + i); b.addInt(i * 1000); }
    }), invalid);
    assert.strictEqual(m.int('key_0'), 0);
    assert.strictEqual(m.int('key_299'), 299000);
    assert.strictEqual(m.has('key_300'), false);
  });

  it('reports missing keys, wrong types and non-map roots through invalid()', function () {
    const m = new FlexMap(blob((b) => { b.addKey('s'); b.add('text'); b.addKey('v'); b.startVector(); b.addInt(1); b.end(); }), invalid);
    assert.throws(() => m.int('nope'), /custom option "nope" is missing/);
    assert.throws(() => m.int('s'), /"s" is not an integer/);
    assert.throws(() => m.ints('s'), /"s" is not a vector/);
    assert.throws(() => m.int('v'), Invalid);
    const vecRoot = flex.builder();
    vecRoot.startVector(); vecRoot.addInt(1); vecRoot.end();
    assert.throws(() => new FlexMap(new Uint8Array(vecRoot.finish()), invalid), /root is not a map/);
    assert.throws(() => new FlexMap(null, invalid), /missing or too short/);
    assert.throws(() => new FlexMap(new Uint8Array(2), invalid), /missing or too short/);
  });

  it('reads the signal ops\' options of the audio preprocessor (empty map included)', function () {
    const hex = {
      SignalFftAutoScale: '00000100002401',
      SignalRfft: '54006666745f6c656e67746800020e0d020001000200070000020505062501',
      SignalFilterBankLog: '696e7075745f636f7272656374696f6e5f62697473006f75747075745f7363616c650002240f02010203400404042401',
    };
    const m0 = new FlexMap(Buffer.from(hex.SignalFftAutoScale, 'hex'), invalid);
    assert.strictEqual(m0.has('T'), false);
    const m1 = new FlexMap(Buffer.from(hex.SignalRfft, 'hex'), invalid);
    assert.strictEqual(m1.int('T'), 7);
    assert.strictEqual(m1.int('fft_length'), 512);
    const m2 = new FlexMap(Buffer.from(hex.SignalFilterBankLog, 'hex'), invalid);
    assert.strictEqual(m2.int('input_correction_bits'), 3);
    assert.strictEqual(m2.int('output_scale'), 64);
  });

  it('every truncation and single-byte corruption either reads or calls invalid()', function () {
    this.timeout(60000);
    const samples = [
      blob((b) => { b.addKey('shift'); b.addInt(12); }),
      blob((b) => {
        b.addKey('alternate_smoothing'); b.addInt(983); b.addKey('clamping'); b.add(false);
        b.addKey('floats'); b.startVector(); b.addFloat(0.25); b.addFloat(1e10); b.end();
        b.addKey('mixed'); b.startVector(); b.addInt(1); b.add('x'); b.addFloat(2.5, true); b.end();
        b.addKey('big'); b.addInt(BigInt('0x7000000000000000'));
      }),
    ];
    let tried = 0;
    const probe = (bytes) => {
      tried++;
      try {
        const m = new FlexMap(bytes, invalid);
        for (const k of ['shift', 'alternate_smoothing', 'clamping', 'floats', 'mixed', 'big', 'zzz']) {
          for (const read of ['int', 'bool', 'float', 'ints']) {
            try { m[read](k); } catch (e) { if (!(e instanceof Invalid)) throw e; }
          }
        }
      } catch (e) {
        if (!(e instanceof Invalid)) throw new Error('bytes ' + Buffer.from(bytes).toString('hex') + ': ' + e.stack);
      }
    };
    for (const s of samples) {
      for (let n = 0; n <= s.length; n++) probe(s.subarray(0, n));
      for (let n = 0; n <= s.length; n++) probe(s.subarray(s.length - n));
      for (let i = 0; i < s.length; i++) {
        for (const v of [0, 1, 2, 3, 0x7f, 0x80, 0xfe, 0xff, s[i] ^ 1, s[i] ^ 0x10]) {
          const c = Uint8Array.from(s);
          c[i] = v;
          probe(c);
        }
      }
    }
    assert.ok(tried > 1000);
  });
});
