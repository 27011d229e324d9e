// Fixed-point and padding helpers with TFLM's exact semantics. Everything the
// native kernels later compute with is derived here, once, at prepare time.

/** Float32 rounding without Math.fround (missing on some ES5 engines). */
const f32buf = new Float32Array(1);
export function fround(x: number): number {
  f32buf[0] = x;
  return f32buf[0];
}

/** IEEE-754 bit pattern of x as float32, as an int32 param word. */
const bitsI32 = new Int32Array(f32buf.buffer);
export function f32bits(x: number): number {
  f32buf[0] = x;
  return bitsI32[0];
}

export const FLT_MAX = 3.4028234663852886e38;

/** std::round: halves away from zero (Math.round rounds them up). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5);
}

/** std::frexp: x = mantissa * 2^exponent with |mantissa| in [0.5, 1). */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !isFinite(x) || x !== x) return { mantissa: x, exponent: 0 };
  let m = Math.abs(x);
  let e = 0;
  // Scaling by powers of two is exact in binary64 (no subnormals reached here).
  while (m >= 1) { m /= 2; e++; }
  while (m < 0.5) { m *= 2; e--; }
  return { mantissa: x < 0 ? -m : m, exponent: e };
}

/** TFLM QuantizeMultiplier (double rounding build): Q31 multiplier and shift. */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (real === 0) return { multiplier: 0, shift: 0 };
  const fr = frexp(real);
  let shift = fr.exponent;
  let q = roundHalfAway(fr.mantissa * 2147483648);
  if (q === 2147483648) { q /= 2; shift++; }
  if (shift < -31) { shift = 0; q = 0; }
  return { multiplier: q, shift: shift };
}

export const enum Activation { NONE = 0, RELU = 1, RELU_N1_TO_1 = 2, RELU6 = 3, TANH = 4, SIGN_BIT = 5 }

/** TFLM Quantize() used by the activation range: float division, roundf. */
function quantizeFloat(scale: number, zeroPoint: number, f: number): number {
  return zeroPoint + roundHalfAway(fround(f / fround(scale)));
}

/** CalculateActivationRangeQuantized for an output with scale/zeroPoint and [qmin, qmax]. */
export function activationRangeQuantized(act: number, scale: number, zeroPoint: number,
  qmin: number, qmax: number): { min: number; max: number } | null {
  switch (act) {
    case Activation.NONE: return { min: qmin, max: qmax };
    case Activation.RELU: return { min: Math.max(qmin, quantizeFloat(scale, zeroPoint, 0)), max: qmax };
    case Activation.RELU6: return {
      min: Math.max(qmin, quantizeFloat(scale, zeroPoint, 0)),
      max: Math.min(qmax, quantizeFloat(scale, zeroPoint, 6)),
    };
    case Activation.RELU_N1_TO_1: return {
      min: Math.max(qmin, quantizeFloat(scale, zeroPoint, -1)),
      max: Math.min(qmax, quantizeFloat(scale, zeroPoint, 1)),
    };
    default: return null; // TANH / SIGN_BIT are not fused activations TFLM runs
  }
}

/** CalculateActivationRange for float kernels, as float32 bit patterns. */
export function activationRangeFloat(act: number): { min: number; max: number } | null {
  switch (act) {
    case Activation.NONE: return { min: f32bits(-FLT_MAX), max: f32bits(FLT_MAX) };
    case Activation.RELU: return { min: f32bits(0), max: f32bits(FLT_MAX) };
    case Activation.RELU6: return { min: f32bits(0), max: f32bits(6) };
    case Activation.RELU_N1_TO_1: return { min: f32bits(-1), max: f32bits(1) };
    default: return null;
  }
}

export const enum Padding { SAME = 0, VALID = 1 }

/** Output size along one spatial dim (TFLM ComputeOutSize). */
export function computeOutSize(padding: number, inSize: number, filter: number,
  stride: number, dilation: number): number {
  const effective = (filter - 1) * dilation + 1;
  if (padding === Padding.SAME) return Math.floor((inSize + stride - 1) / stride);
  return Math.floor((inSize + stride - effective) / stride);
}

/** Leading padding along one spatial dim (TFLM ComputePaddingWithOffset). */
export function computePadding(stride: number, dilation: number, inSize: number,
  filter: number, outSize: number): number {
  const effective = (filter - 1) * dilation + 1;
  const total = Math.max((outSize - 1) * stride + effective - inSize, 0);
  return Math.floor(total / 2);
}

/** Packs int8 values four per int32 word, little-endian (per-channel shifts). */
export function packInt8(values: number[]): number[] {
  const words: number[] = [];
  for (let i = 0; i < values.length; i += 4) {
    let w = 0;
    for (let k = 3; k >= 0; k--) w = (w << 8) | ((i + k < values.length ? values[i + k] : 0) & 0xff);
    words.push(w | 0);
  }
  return words;
}

/** Product of a shape's dims (1 for a scalar). */
export function numElements(shape: number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** TFLite dtype names (TensorType order), for messages. */
const DTYPE_NAMES = 'float32 float16 int32 uint8 int64 string bool int16 complex64 int8 float64 complex128 uint64 resource variant uint32 uint16 int4'.split(' ');

export function dtypeName(dtype: number): string {
  return DTYPE_NAMES[dtype] || 'type ' + dtype;
}

/** Integer range of a quantized dtype. */
export function dtypeRange(dtype: number): { min: number; max: number } {
  switch (dtype) {
    case 9: return { min: -128, max: 127 }; // INT8
    case 3: return { min: 0, max: 255 }; // UINT8
    case 7: return { min: -32768, max: 32767 }; // INT16
    default: return { min: -2147483648, max: 2147483647 };
  }
}
