// hello_world: a sine approximator, scripted the way a board would run it.
// Runs on Node against the built bundle:
//   node examples/hello_world/app.js [path/to/hello_world_int8.tflite]
// On a device the same calls run on the ES5 bundle (global `tinyml`), with the
// model bytes coming from flash instead of the file system.
'use strict';
const fs = require('fs');
const path = require('path');
const tinyml = require('../../dist/tinyml.node.js');

const modelFile = process.argv[2] ||
  path.join(__dirname, '..', '..', '..', 'shared', 'models', 'hello_world_int8.tflite');
const m = new tinyml.Interpreter(new Uint8Array(fs.readFileSync(modelFile)));
m.allocateTensors();

const input = m.input(0);   // Int8Array onto the arena, with .scale / .zeroPoint
const output = m.output(0);
console.log('arena: ' + m.arenaUsedBytes() + ' bytes');
for (let x = 0; x <= 6.2; x += 0.5) {
  input[0] = Math.max(-128, Math.min(127, Math.round(x / input.scale + input.zeroPoint)));
  m.invoke();
  const y = (output[0] - output.zeroPoint) * output.scale;
  console.log('sin(' + x.toFixed(1) + ') = ' + Math.sin(x).toFixed(3) + '   model: ' + y.toFixed(3));
}
