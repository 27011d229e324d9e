'use strict';
// Every ES5 device bundle is free of what Espruino 2v29 refuses or runs
// differently (scripts/espruino-syntax.js; CI has no Espruino). The scanner
// itself is checked on one small script per rule (test/espruino-snippets.js),
// and test/engines.test.js runs those scripts on a real Espruino.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const h = require('./helpers');
const { scan } = require('../scripts/espruino-syntax.js');
const { SNIPPETS, runOnNode } = require('./espruino-snippets.js');

/** The rules that found something in `code`, each once. */
function rules(code) {
  return scan(code).map(function (f) { return f.rule; }).filter(function (r, i, all) { return all.indexOf(r) === i; });
}

describe('Espruino syntax scanner (scripts/espruino-syntax.js)', function () {
  for (const s of SNIPPETS) {
    it(s.rule + ': finds ' + s.name + ', and not its rewrite (both print the same on Node)', function () {
      const want = runOnNode(s.good);
      assert.match(want, /^OK /);
      assert.strictEqual(runOnNode(s.bad), want);
      assert.deepStrictEqual(rules(s.bad), [s.rule]);
      assert.deepStrictEqual(scan(s.good), []);
    });
  }
  it('reports line and column, and code that is not ES5', function () {
    const f = scan('var a = 1;\n  lbl: for (;;) break lbl;\n'); // the label and the break
    assert.deepStrictEqual(f.map(function (x) { return [x.rule, x.line, x.column]; }), [['label', 2, 2], ['label', 2, 16]]);
    assert.deepStrictEqual(rules('let a = 1;'), ['parse']);
  });
  it('accepts what the device bundles rely on: hoisted vars, vars in for headers, vars used only where they run', function () {
    assert.deepStrictEqual(scan('function f(t) { var i, n = 0; for (i = 0; i < t.length; i++) n += t[i]; return n; }\n' +
      'function g(t) { for (var n = 1, e = 0; e < t.length; e++) n *= t[e]; return n; }\n' +
      'function k(t) { if (t) { var e = t[0]; return e + 1; } return 0; }\n' +
      'var s = !function () { return k(1); }() ? 0 : (function () { return 1; })();\n' +
      'for ((function () {})(), s = 0; s < 1; s++);\n' +
      'var o = { get: 1, set: 2 }; o.get = Math.floor(Math.SQRT1_2) + o.set;\n'), []);
  });
});

describe('device bundles have nothing Espruino 2v29 refuses', function () {
  const dist = path.join(h.ROOT, 'dist');
  // Every .js in dist/ but the Node bundles (rollup.config.js's outputs that are not IIFEs):
  // the device bundles, whatever their names (tinyml.core.js, tinyml.device.js, tinyml.ota.js, ...).
  const config = require('../rollup.config.js');
  const nodeOnly = config.filter(function (c) { return c.output.format !== 'iife'; })
    .map(function (c) { return path.basename(c.output.file); });
  const bundles = fs.readdirSync(dist).filter(function (f) { return /\.js$/.test(f) && nodeOnly.indexOf(f) < 0; });

  it('finds every device bundle rollup.config.js makes', function () {
    const made = config.filter(function (c) { return c.output.format === 'iife'; })
      .map(function (c) { return path.basename(c.output.file); });
    assert.ok(made.indexOf('tinyml.device.js') >= 0 && made.indexOf('tinyml.core.js') >= 0, made.join(', '));
    assert.deepStrictEqual(made.filter(function (f) { return bundles.indexOf(f) < 0; }), [], 'not built: run `npm run build`');
  });
  for (const f of bundles) {
    it('dist/' + f, function () {
      const found = scan(fs.readFileSync(path.join(dist, f), 'utf8'));
      assert.deepStrictEqual(found.map(function (x) { return x.rule + ' at ' + x.line + ':' + (x.column + 1) + ': ' + x.text; }), []);
    });
  }

  describe('per-model bundles (scripts/device-bundle.js)', function () {
    this.timeout(300000);
    const deviceBundle = require('../scripts/device-bundle.js');
    const models = ['hello_world_int8', 'kws_ds_cnn_int8', 'micro_speech_int8', 'person_detect_int8'];
    for (const m of models) {
      it(m, async function () {
        const ops = deviceBundle.modelOps(path.join(h.MODELS, m + '.tflite'));
        assert.ok(ops && ops.builtins.length > 0, m + ': no ops read');
        const file = await deviceBundle.bundleFor(ops);
        const found = scan(fs.readFileSync(file, 'utf8'));
        assert.deepStrictEqual(found.map(function (x) { return x.rule + ' at ' + x.line + ':' + (x.column + 1) + ': ' + x.text; }), []);
      });
    }
    it('the core alone (no ops)', async function () {
      const found = scan(fs.readFileSync(await deviceBundle.bundleFor(null), 'utf8'));
      assert.deepStrictEqual(found.map(function (x) { return x.rule + ': ' + x.text; }), []);
    });
  });
});
