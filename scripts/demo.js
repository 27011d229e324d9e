#!/usr/bin/env node
'use strict';
// The main demo: hello_world (a sine approximator) on Node and on Duktape,
// checked against TFLM's outputs from the shared golden set.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.join(__dirname, '..');
const models = process.env.TINYML_MODELS || path.resolve(root, '..', 'shared', 'models');
const model = path.join(models, 'hello_world_int8.tflite');
const input = path.join(models, 'golden', 'hello_world_int8', 'sweep_all_int8.input.bin');
const golden = path.join(models, 'golden', 'hello_world_int8', 'sweep_all_int8.output.bin');
if (!fs.existsSync(model)) {
  console.error('demo: ' + model + ' not found (set TINYML_MODELS to the shared/models directory)');
  process.exit(1);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-demo-'));
const inScale = 0.0244801156, inZp = -128, outScale = 0.00829095673, outZp = 5;
const expected = fs.readFileSync(golden);
let ok = true;
for (const engine of ['node', 'duktape']) {
  const out = path.join(tmp, engine + '.bin');
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'tinyml.js'), 'run', model, '--input', input,
    '--output', out, '--engine', engine, '--frames', '256'], { encoding: 'utf8' });
  if (r.status !== 0) { console.error(r.stderr.trim()); process.exit(1); }
  const y = fs.readFileSync(out);
  const same = Buffer.compare(y, expected) === 0;
  ok = ok && same;
  const xs = [0, 40, 80, 120, 160, 200, 255];
  const row = xs.map((i) => {
    const x = ((i - 128) - inZp) * inScale;
    const v = (new Int8Array(y.buffer, y.byteOffset, y.length)[i] - outZp) * outScale;
    return 'sin(' + x.toFixed(2) + ')~' + v.toFixed(2);
  });
  console.log('hello_world_int8 on ' + engine.padEnd(7) + ' 256 invokes, ' + (same ? 'identical to TFLM' : 'DIFFERS from TFLM') + ': ' + row.join(' '));
}
process.exit(ok ? 0 : 1);
