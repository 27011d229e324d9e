'use strict';
// The device bundle is ES5 and small; it really runs on Duktape (golden tests).
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');

describe('device bundle', function () {
  const bundle = path.join(h.ROOT, 'dist', 'tinyml.device.js');
  it('passes es-check es5', function () {
    const esCheck = path.join(h.ROOT, 'node_modules', 'es-check', 'lib', 'cli', 'index.js');
    const r = spawnSync(process.execPath, [esCheck, 'es5', bundle], { encoding: 'utf8' });
    assert.strictEqual(r.status, 0, r.stdout + r.stderr);
  });
  it('stays within its size budget (prints its size)', function () {
    // The full bundle carries every op; boards get a per-model bundle with
    // only the ops their model uses (scripts/device-bundle.js).
    const size = fs.statSync(bundle).size;
    console.log('      dist/tinyml.device.js: ' + size + ' bytes minified (all ops)');
    assert.ok(size < 112 * 1024, size + ' bytes');
  });
  it('defines the global tinyml API when evaluated as a plain script', function () {
    const vm = require('vm');
    const sandbox = {};
    vm.runInNewContext(fs.readFileSync(bundle, 'utf8'), sandbox);
    assert.strictEqual(typeof sandbox.tinyml.Interpreter, 'function');
    assert.strictEqual(typeof sandbox.tinyml.runFrames, 'function');
  });
});
