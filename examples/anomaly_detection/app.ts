// anomaly_detection: the MLPerf Tiny autoencoder (ToyADMOS/DCASE machine
// sounds) flags a slice of sound as anomalous when it cannot reconstruct it.
// Input: log-mel features of a normal machine (200 frames x 128 mel bins,
// float32 little-endian, built into the image). A slice is 5 consecutive
// frames (640 values); its error is the mean squared difference between the
// (dequantized) input and the model's (dequantized) reconstruction.
//
// 1. Calibrate: the slices starting at frames 0, 5, ..., 95 are known to be
//    normal; threshold = mean + 3 standard deviations of their errors.
// 2. Detect on the slices at frames 100, 105, ..., 195, as recorded (normal),
//    and once more with a SYNTHETIC disturbance the app adds: a 20 dB whine
//    in mel bins 60-67 (the shipped recording has no anomalous machine).
// `-- save` hands back the input and output tensors of the slices at frames
// 0 and 100 (slice<frame>.input.bin / .output.bin; the test compares them
// with TFLM's golden dcase_slice0 / dcase_slice100).
import { Interpreter } from 'tinyml-ts';
import { copyFrame, quantizeArray, dequantizeArray, quantParams } from 'tinyml-ts/app';

const BINS = 128, FRAMES = 5, N = BINS * FRAMES, STEP = 5;
const CALIBRATE_TO = 100, TOTAL_FRAMES = 200; // calibration: frames [0, 100); detection: [100, 200)
const WHINE_FROM = 60, WHINE_TO = 67, WHINE_DB = 20;

const model = board.file('model');
const features = board.file('features');
if (model === null || features === null) throw new Error('build with --file model=ad_autoencoder_int8.tflite --file features=<features>.bin');
if (features.length !== TOTAL_FRAMES * BINS * 4) throw new Error('features: ' + features.length + ' bytes, expected 200x128 float32');
const m = new Interpreter(model);
m.allocateTensors();
const qin = quantParams(m, 'input', 0), qout = quantParams(m, 'output', 0);
const input = m.input(0), out = m.output(0); // views onto the arena, made once
const save = board.args[0] === 'save';

// Storage made once: the slice's bytes (aligned, whatever the file's offset),
// its floats, its quantized codes; each int8 code's value in feature units
// (input and output scales), so the error needs no per-value dequantize.
const raw = new Uint8Array(N * 4);
const slice = new Float32Array(raw.buffer);
const codes = new Int8Array(N);
const inValue = new Float32Array(256), outValue = new Float32Array(256), all = new Int16Array(256);
for (let q = 0; q < 256; q++) all[q] = q - 128;
dequantizeArray(all, inValue, qin.scale, qin.zeroPoint);
dequantizeArray(all, outValue, qout.scale, qout.zeroPoint);
const saved = new Uint8Array(N);

/** Reconstruction error of the slice at `frame`; `whine` adds the synthetic disturbance. */
function sliceError(frame: number, whine: boolean): number {
  copyFrame(features!, frame, N * 4, BINS * 4, raw); // the slice's bytes: frames [frame, frame + 5)
  if (whine) {
    for (let f = 0; f < FRAMES; f++) for (let b = WHINE_FROM; b <= WHINE_TO; b++) slice[f * BINS + b] += WHINE_DB;
  }
  quantizeArray(slice, codes, qin.scale, qin.zeroPoint, qin.dtype);
  copyFrame(codes, 0, N, N, input);
  if (save && !whine && (frame === 0 || frame === CALIBRATE_TO)) board.output('slice' + frame + '.input.bin', bytesOf(input));
  m.invoke();
  if (save && !whine && (frame === 0 || frame === CALIBRATE_TO)) board.output('slice' + frame + '.output.bin', bytesOf(out));
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const d = inValue[codes[i] + 128] - outValue[out[i] + 128];
    sum += d * d;
  }
  return sum / N;
}

function bytesOf(t: ArrayLike<number>): Uint8Array {
  for (let i = 0; i < t.length; i++) saved[i] = t[i] & 255;
  return saved;
}

board.print('model: ' + N + ' features in, ' + N + ' out, arena ' + m.arenaUsedBytes() + ' bytes');
const t0 = board.millis();
let sum = 0, sum2 = 0, n = 0, worst = 0;
for (let frame = 0; frame + FRAMES <= CALIBRATE_TO; frame += STEP) {
  const e = sliceError(frame, false);
  sum += e;
  sum2 += e * e;
  if (e > worst) worst = e;
  n++;
}
const mean = sum / n, sd = Math.sqrt(Math.max(0, sum2 / n - mean * mean));
const threshold = mean + 3 * sd;
board.print('calibration: ' + n + ' normal slices, error mean ' + mean.toFixed(2) + ' sd ' + sd.toFixed(2) +
  ' max ' + worst.toFixed(2) + ': threshold ' + threshold.toFixed(2));
board.print('time: ' + n + ' slices in ' + (board.millis() - t0) + ' ms');

for (let pass = 0; pass < 2; pass++) {
  const whine = pass === 1;
  const label = whine ? 'synthetic whine' : 'as recorded';
  let flagged = 0, total = 0;
  for (let frame = CALIBRATE_TO; frame + FRAMES <= TOTAL_FRAMES; frame += STEP) {
    const e = sliceError(frame, whine);
    const anomalous = e > threshold;
    if (anomalous) flagged++;
    total++;
    board.print('frames ' + frame + '-' + (frame + FRAMES - 1) + ' (' + label + '): error ' + e.toFixed(2) + ' ' + (anomalous ? 'ANOMALOUS' : 'normal'));
  }
  board.print(label + ': ' + flagged + ' of ' + total + ' slices anomalous');
}
