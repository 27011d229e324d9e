// hello_world: TFLM's sine approximator as a board app. The model maps x in
// [0, 2*pi] to sin(x); the app quantizes x with the input's scale and zero
// point, runs the model and prints its y next to the real sin(x).
// `-- save` also runs every int8 input (-128..127) in order and hands the 256
// outputs back to the host as sweep.output.bin (the test compares them with
// TFLM's golden sweep).
import { Interpreter } from 'tinyml-ts';
import { quantize, dequantize, quantParams } from 'tinyml-ts/app';

const model = board.file('model');
if (model === null) throw new Error('build with --file model=hello_world_int8.tflite');
const m = new Interpreter(model);
m.allocateTensors();
const qin = quantParams(m, 'input', 0), qout = quantParams(m, 'output', 0);
board.print('arena: ' + m.arenaUsedBytes() + ' bytes');

const STEPS = 8;
let worst = 0, spent = 0;
for (let k = 0; k <= STEPS; k++) {
  const x = 2 * Math.PI * k / STEPS;
  const input = m.input(0), output = m.output(0);
  input[0] = quantize(x, qin.scale, qin.zeroPoint, qin.dtype);
  const t0 = board.millis();
  m.invoke();
  const t1 = board.millis();
  spent += t1 - t0;
  const y = dequantize(output[0], qout.scale, qout.zeroPoint);
  let s = Math.sin(x);
  if (Math.abs(s) < 5e-4) s = 0; // sin(pi) and sin(2*pi) print as 0.000, not -0.000
  const err = Math.abs(y - s);
  if (err > worst) worst = err;
  board.print('x=' + x.toFixed(3) + ' model=' + y.toFixed(3) + ' sin=' + s.toFixed(3));
}
board.print('time: ' + (STEPS + 1) + ' invokes in ' + spent + ' ms');
board.print('largest error: ' + worst.toFixed(3));

if (board.args[0] === 'save') {
  const out = new Uint8Array(256);
  for (let q = -128; q < 128; q++) {
    m.input(0)[0] = q;
    m.invoke();
    out[q + 128] = m.output(0)[0] & 255;
  }
  board.print('sweep saved: ' + board.output('sweep.output.bin', out));
}
