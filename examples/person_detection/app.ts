// person_detection: TFLM's person detector (MobileNet, 96x96 grayscale) on
// two images built into the image, person.bmp and no_person.bmp.
// Each BMP is read with readBmp and scaled to the model's input with resize
// (at 96x96 a plain copy). These two BMPs are TFLM's test images, whose
// bytes are already the model's int8 values (stored as unsigned bytes): the
// Int8Array input takes each byte as it is (200 -> -56), exactly what TFLM's
// person_detection_test feeds. A camera frame of real gray levels would go
// through grayToInt8 (pixel - 128) instead.
// `-- save` hands each input and output tensor back to the host
// (<image>.input.bin, <image>.output.bin; the test compares them with TFLM's).
import { Interpreter } from 'tinyml-ts';
import { readBmp, resize, dequantize, quantParams } from 'tinyml-ts/app';

const IMAGES = ['person', 'no_person'];
const NO_PERSON = 0, PERSON = 1; // the model's output classes

const model = board.file('model');
if (model === null) throw new Error('build with --file model=person_detect_int8.tflite');
const m = new Interpreter(model);
m.allocateTensors();
const shape = m.inputInfo(0).shape; // [1, height, width, 1]
const height = shape[1], width = shape[2];
const qout = quantParams(m, 'output', 0);
const save = board.args[0] === 'save';
board.print('model: ' + width + 'x' + height + ' gray, arena ' + m.arenaUsedBytes() + ' bytes');

let next = 0;
board.loop(function () {
  if (next === IMAGES.length) board.exit(0);
  const name = IMAGES[next++];
  const bytes = board.file(name);
  if (bytes === null) throw new Error('build with --file ' + name + '=inputs/' + name + '.bmp');
  const img = readBmp(bytes);
  if (img.channels !== 1) throw new Error(name + '.bmp is not grayscale');
  const input = m.input(0);
  resize(img.data, img.width, img.height, 1, input, width, height, 'nearest');
  // (before invoke: the arena reuses the input's bytes for later tensors)
  if (save) board.output(name + '.input.bin', bytesOf(input));
  const t0 = board.millis();
  m.invoke();
  const t1 = board.millis();
  const out = m.output(0);
  const person = dequantize(out[PERSON], qout.scale, qout.zeroPoint);
  const none = dequantize(out[NO_PERSON], qout.scale, qout.zeroPoint);
  board.print(name + '.bmp: ' + (person > none ? 'person' : 'no person') +
    ' (score ' + person.toFixed(3) + ', no-person score ' + none.toFixed(3) + ')');
  board.print('time: ' + name + ' ' + (t1 - t0) + ' ms');
  if (save) board.output(name + '.output.bin', bytesOf(out));
}, 1000);

/** A tensor's bytes as a Uint8Array copy (board.output takes bytes). */
function bytesOf(t: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) b[i] = t[i] & 255;
  return b;
}
