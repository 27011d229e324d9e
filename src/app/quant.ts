// Floats <-> a tensor's integers, bit for bit as TFLM's QUANTIZE and
// DEQUANTIZE reference kernels: q = clamp(round(x / scale) + zero_point) with
// the division in float32 and round() half away from zero (NaN gives the
// zero point, infinities saturate), and x = float32(scale * (q - zero_point)).
// Plus argmax and top-k over score vectors.
import { fail } from '../core/errors';
import { Interpreter } from '../core/interpreter';
import { Writable, needArray, needInt, needNumber, needSpan } from './util';

/** TFLite dtype codes (as in TensorView.dtype) the quantizers accept. */
export const DTYPE_UINT8 = 3;
export const DTYPE_INT16 = 7;
export const DTYPE_INT8 = 9;

export interface QuantParams {
  scale: number;
  zeroPoint: number;
  dtype: number;
}

// One float32 cell: the only way to round to float32 without Math.fround (ES5).
const f32 = new Float32Array(1);

export function lowOf(dtype: number): number {
  return dtype === DTYPE_INT8 ? -128 : dtype === DTYPE_UINT8 ? 0 : dtype === DTYPE_INT16 ? -32768 :
    fail('E_BAD_INPUT', 'quantize: dtype must be int8 (9), uint8 (3) or int16 (7), got ' + dtype);
}

export function highOf(dtype: number): number {
  return dtype === DTYPE_INT8 ? 127 : dtype === DTYPE_UINT8 ? 255 : 32767;
}

export function checkScale(scale: number, zeroPoint: number): void {
  needNumber('scale', scale);
  if (!(scale > 0)) fail('E_BAD_INPUT', 'scale must be > 0, got ' + scale);
  needInt('zero point', zeroPoint, -32768, 65535);
}

// x / scale in float32, rounded half away from zero, saturated to [lo, hi].
export function quantizeOne(x: number, scale32: number, zeroPoint: number, lo: number, hi: number): number {
  f32[0] = x;
  f32[0] = f32[0] / scale32;
  let q = f32[0];
  if (q !== q) q = 0;
  // Far beyond any output range: clamping first keeps `| 0` exact (and
  // saturates infinities). q has at most 24 significant bits, so q + 0.5 is
  // exact in a double; `| 0` truncates, which is floor for positive values.
  else if (q > 1e9) q = 1e9;
  else if (q < -1e9) q = -1e9;
  const r = (q < 0 ? -((0.5 - q) | 0) : (q + 0.5) | 0) + zeroPoint;
  return r < lo ? lo : r > hi ? hi : r;
}

export function scaleToF32(scale: number): number {
  f32[0] = scale;
  return f32[0];
}

/** One float to the integer a TFLM QUANTIZE op would store. */
export function quantize(x: number, scale: number, zeroPoint: number, dtype: number): number {
  checkScale(scale, zeroPoint);
  if (typeof x !== 'number') fail('E_BAD_INPUT', 'quantize: value must be a number, got ' + typeof x);
  return quantizeOne(x, scaleToF32(scale), zeroPoint, lowOf(dtype), highOf(dtype));
}

/** One integer to the float32 value a TFLM DEQUANTIZE op would produce. */
export function dequantize(q: number, scale: number, zeroPoint: number): number {
  checkScale(scale, zeroPoint);
  if (typeof q !== 'number') fail('E_BAD_INPUT', 'dequantize: value must be a number, got ' + typeof q);
  f32[0] = scaleToF32(scale) * (q - zeroPoint);
  return f32[0];
}

/** dst[dstOffset + i] = quantize(src[srcOffset + i]) for i < length (default: all of src). */
export function quantizeArray(src: ArrayLike<number>, dst: Writable, scale: number, zeroPoint: number,
  dtype: number, srcOffset?: number, dstOffset?: number, length?: number): void {
  checkScale(scale, zeroPoint);
  const lo = lowOf(dtype), hi = highOf(dtype);
  const s = srcOffset === undefined ? 0 : srcOffset, d = dstOffset === undefined ? 0 : dstOffset;
  needArray('quantizeArray source', src);
  const n = length === undefined ? src.length - s : length;
  needSpan('quantizeArray source', src, s, n);
  needSpan('quantizeArray destination', dst, d, n);
  const s32 = scaleToF32(scale);
  for (let i = 0; i < n; i++) dst[d + i] = quantizeOne(src[s + i], s32, zeroPoint, lo, hi);
}

/** dst[dstOffset + i] = dequantize(src[srcOffset + i]) for i < length (default: all of src). */
export function dequantizeArray(src: ArrayLike<number>, dst: Writable, scale: number, zeroPoint: number,
  srcOffset?: number, dstOffset?: number, length?: number): void {
  checkScale(scale, zeroPoint);
  const s = srcOffset === undefined ? 0 : srcOffset, d = dstOffset === undefined ? 0 : dstOffset;
  needArray('dequantizeArray source', src);
  const n = length === undefined ? src.length - s : length;
  needSpan('dequantizeArray source', src, s, n);
  needSpan('dequantizeArray destination', dst, d, n);
  const s32 = scaleToF32(scale);
  for (let i = 0; i < n; i++) {
    f32[0] = s32 * (src[s + i] - zeroPoint);
    dst[d + i] = f32[0];
  }
}

/**
 * Scale, zero point and dtype of input or output `index` of an interpreter
 * (Espruino's typed-array views carry no such properties).
 */
export function quantParams(m: Interpreter, which: 'input' | 'output', index: number): QuantParams {
  if (which !== 'input' && which !== 'output') {
    fail('E_BAD_INPUT', 'quantParams: which must be "input" or "output", got ' + String(which));
  }
  needInt('quantParams ' + which + ' index', index, 0, (which === 'input' ? m.inputCount() : m.outputCount()) - 1);
  const t = which === 'input' ? m.inputInfo(index) : m.outputInfo(index);
  if (!t.scale) fail('E_BAD_INPUT', which + ' ' + index + ' is not quantized');
  return { scale: t.scale, zeroPoint: t.zeroPoint, dtype: t.dtype };
}

/** Index (from offset) of the largest of a[offset .. offset+length); the first one on ties. */
export function argmax(a: ArrayLike<number>, offset?: number, length?: number): number {
  const off = offset === undefined ? 0 : offset;
  needArray('argmax input', a);
  const n = length === undefined ? a.length - off : length;
  needSpan('argmax input', a, off, n);
  if (n < 1) fail('E_BAD_INPUT', 'argmax of an empty range');
  let best = 0, bestValue = a[off];
  for (let i = 1; i < n; i++) {
    if (a[off + i] > bestValue) {
      bestValue = a[off + i];
      best = i;
    }
  }
  return best;
}

/**
 * The k largest of a[offset .. offset+length): their indices (from offset),
 * largest first, earlier index first on ties, into indices[0..k); their
 * values into `values` when given. Insertion into the output, O(n*k), no
 * allocation. Returns how many were written (min(k, length)).
 */
export function topK(a: ArrayLike<number>, k: number, indices: Writable, values?: Writable,
  offset?: number, length?: number): number {
  const off = offset === undefined ? 0 : offset;
  needArray('topK input', a);
  const n = length === undefined ? a.length - off : length;
  needSpan('topK input', a, off, n);
  needInt('topK k', k, 1, 0x7fffffff);
  const m = Math.min(k, n);
  needSpan('topK indices', indices, 0, m);
  if (values !== undefined) needSpan('topK values', values, 0, m);
  let filled = 0;
  for (let i = 0; i < n; i++) {
    const v = a[off + i];
    // Where v goes: after every kept value >= v (keeps earlier indices first).
    let pos = filled;
    while (pos > 0 && a[off + indices[pos - 1]] < v) pos--;
    if (pos >= m) continue;
    const last = filled < m ? filled : m - 1;
    for (let j = last; j > pos; j--) indices[j] = indices[j - 1];
    indices[pos] = i;
    if (filled < m) filled++;
  }
  if (values !== undefined) for (let j = 0; j < m; j++) values[j] = a[off + indices[j]];
  return m;
}
