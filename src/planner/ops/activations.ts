// Activations: LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, ELU.
// Computes what TFLM's Prepare steps compute (logistic_common.cc, tanh.cc,
// activations_common.cc, leaky_relu_common.cc, hard_swish_common.cc,
// elu.cc), including the ELU int8 lookup table, built in float32 as TFLM
// builds it.
import { DType, TensorInfo } from '../model/types';
import { BuiltinOptions, LeakyReluOptions, readOptions } from '../model/options';
import { OpContext, OpPrepare, PreparedOp } from './types';
import { dtypeName, dtypeRange, f32bits, frexp, fround, numElements, quantizeMultiplier, roundHalfAway } from './quant';
import { scaleOf, zeroPointOf } from './elementwise';

const K_LOGISTIC_S8 = 30;
const K_TANH_S8 = 31;
const K_UNARY_F32 = 32;
const K_RELU_Q = 33;
const K_CLAMP_Q = 34;
const K_LEAKY_RELU_Q = 35;
const K_HARD_SWISH_S8 = 36;
const K_LUT_S8 = 37;

const enum Fn { RELU = 0, RELU6 = 1, LOGISTIC = 2, TANH = 3, ELU = 4, HARD_SWISH = 5, LEAKY_RELU = 6 }

export interface Unary {
  input: TensorInfo;
  output: TensorInfo;
  size: number;
  dtype: number;
}

/** One input, one output of the same element count (and type, unless
 * anyTypes). */
export function unary(ctx: OpContext, anyTypes?: boolean): Unary {
  const input = ctx.input(0);
  if (!input || ctx.op.inputs.length !== 1) return ctx.invalid('needs exactly one input');
  if (ctx.op.outputs.length !== 1) ctx.invalid('needs exactly one output');
  const output = ctx.output(0);
  const size = numElements(input.shape);
  if (!(size > 0)) ctx.invalid('input tensor ' + input.index + ' is empty');
  if (numElements(output.shape) !== size) {
    ctx.invalid('output tensor ' + output.index + ' has ' + numElements(output.shape) + ' elements, the input ' + size);
  }
  if (!anyTypes && input.dtype !== output.dtype) {
    ctx.unsupported('from ' + dtypeName(input.dtype) + ' to ' + dtypeName(output.dtype));
  }
  return { input: input, output: output, size: size, dtype: input.dtype };
}

export function prepared(kind: number, u: Unary, params: number[]): PreparedOp {
  // Element i is read before it is written: in place over a same-size input.
  return { kind: kind, inputs: [u.input.index], outputs: [u.output.index], params: params, inPlaceInputs: [0] };
}

function floatOp(u: Unary, fn: number, alpha?: number): PreparedOp {
  return prepared(K_UNARY_F32, u, [u.size, fn, f32bits(alpha || 0)]);
}

function checkShift(ctx: OpContext, q: { multiplier: number; shift: number }): void {
  if (q.shift > 30) ctx.unsupported('multiplier too large (shift ' + q.shift + ')');
}

/** LOGISTIC / TANH int8: input rescaled to Q4.27 (kInputIntegerBits = 4). */
function sigmoidParams(ctx: OpContext, u: Unary): number[] {
  const real = scaleOf(ctx, u.input) * (1 << 27);
  const fr = frexp(real);
  const mult = roundHalfAway(fr.mantissa * 2147483648);
  const shift = fr.exponent;
  if (mult >= 2147483648 || shift < 0 || shift > 31) {
    ctx.unsupported('int8 input scale ' + u.input.scale[0] + ' is out of the supported range');
  }
  // CalculateInputRadius(4, shift, 31): largest |input| that does not saturate.
  const radius = Math.floor(15 * Math.pow(2, 27) / Math.pow(2, shift));
  return [u.size, zeroPointOf(ctx, u.input), radius, mult, shift];
}

export const prepareLogistic: OpPrepare = function (ctx) {
  const u = unary(ctx);
  if (u.dtype === DType.FLOAT32) return floatOp(u, Fn.LOGISTIC);
  if (u.dtype !== DType.INT8) return ctx.unsupported('tensor type ' + dtypeName(u.dtype) + ' (float32 and int8 only)');
  const zp = u.output.zeroPoint.length ? u.output.zeroPoint[0] : 0;
  if (zp !== -128) ctx.unsupported('int8 output tensor ' + u.output.index + ' zero point ' + zp + ' (TFLM needs -128)');
  return prepared(K_LOGISTIC_S8, u, sigmoidParams(ctx, u));
};

export const prepareTanh: OpPrepare = function (ctx) {
  const u = unary(ctx);
  if (u.dtype === DType.FLOAT32) return floatOp(u, Fn.TANH);
  if (u.dtype !== DType.INT8) return ctx.unsupported('tensor type ' + dtypeName(u.dtype) + ' (float32 and int8 only)');
  return prepared(K_TANH_S8, u, sigmoidParams(ctx, u));
};

function isQ(dt: number): boolean {
  return dt === DType.INT8 || dt === DType.INT16;
}

export const prepareRelu: OpPrepare = function (ctx) {
  const u = unary(ctx);
  if (u.dtype === DType.FLOAT32) return floatOp(u, Fn.RELU);
  if (!isQ(u.dtype)) return ctx.unsupported('tensor type ' + dtypeName(u.dtype));
  const zpIn = zeroPointOf(ctx, u.input), zpOut = zeroPointOf(ctx, u.output);
  if (u.dtype === DType.INT16 && (zpIn !== 0 || zpOut !== 0)) ctx.unsupported('int16 with a non-zero zero point');
  const q = quantizeMultiplier(fround(scaleOf(ctx, u.input) / scaleOf(ctx, u.output)));
  checkShift(ctx, q);
  const r = dtypeRange(u.dtype);
  // The lower bound is the quantized 0.0: the output zero point.
  return prepared(K_RELU_Q, u, [u.size, u.dtype, zpIn, zpOut, q.multiplier, q.shift, Math.max(r.min, zpOut), r.max]);
};

export const prepareRelu6: OpPrepare = function (ctx) {
  const u = unary(ctx);
  if (u.dtype === DType.FLOAT32) return floatOp(u, Fn.RELU6);
  if (!isQ(u.dtype)) return ctx.unsupported('tensor type ' + dtypeName(u.dtype));
  // TFLM clamps the raw input to [zero point, quantized 6.0] of the input's
  // quantization (FloatToQuantizedType); the output's is not consulted.
  const zp = zeroPointOf(ctx, u.input);
  const r = dtypeRange(u.dtype);
  const six = Math.min(r.max, Math.max(r.min, roundHalfAway(fround(6 / scaleOf(ctx, u.input))) + zp));
  return prepared(K_CLAMP_Q, u, [u.size, u.dtype, zp, six]);
};

export const prepareLeakyRelu: OpPrepare = function (ctx) {
  const u = unary(ctx);
  const opts = readOptions(ctx.model, ctx.op, new LeakyReluOptions(), BuiltinOptions.LeakyReluOptions);
  const alpha = opts ? opts.alpha() : 0;
  if (u.dtype === DType.FLOAT32) return floatOp(u, Fn.LEAKY_RELU, alpha);
  if (!isQ(u.dtype)) return ctx.unsupported('tensor type ' + dtypeName(u.dtype));
  const sIn = scaleOf(ctx, u.input), sOut = scaleOf(ctx, u.output);
  const realAlpha = fround(fround(sIn * alpha) / sOut);
  const qa = quantizeMultiplier(Math.abs(realAlpha));
  const qi = quantizeMultiplier(fround(sIn / sOut));
  checkShift(ctx, qa);
  checkShift(ctx, qi);
  return prepared(K_LEAKY_RELU_Q, u, [u.size, u.dtype, zeroPointOf(ctx, u.input), zeroPointOf(ctx, u.output),
    qi.multiplier, qi.shift, qa.multiplier, qa.shift, realAlpha < 0 ? 1 : 0]);
};

/** DownScaleInt32ToInt16Multiplier: Q31 -> Q15, rounding, saturating. */
function toQ15(m: number): number {
  if (m >= 2147483647 - 32768) return 32767;
  return Math.floor((m + 32768) / 65536);
}

export const prepareHardSwish: OpPrepare = function (ctx) {
  const u = unary(ctx);
  if (u.dtype === DType.FLOAT32) return floatOp(u, Fn.HARD_SWISH);
  if (u.dtype !== DType.INT8) return ctx.unsupported('tensor type ' + dtypeName(u.dtype) + ' (float32 and int8 only)');
  const hiresScale = fround(fround(1 / 128) * scaleOf(ctx, u.input));
  const reluishScale = fround(3 / 32768);
  const qo = quantizeMultiplier(fround(hiresScale / scaleOf(ctx, u.output)));
  const qr = quantizeMultiplier(fround(hiresScale / reluishScale));
  if (qo.shift > 0) ctx.unsupported('output scale too small for the input scale (TFLM needs a shift <= 0)');
  if (qr.shift > 31 || qr.shift < -31) ctx.unsupported('input scale ' + u.input.scale[0] + ' is out of range');
  return prepared(K_HARD_SWISH_S8, u, [u.size, zeroPointOf(ctx, u.input), zeroPointOf(ctx, u.output),
    toQ15(qo.multiplier), qo.shift, toQ15(qr.multiplier), qr.shift]);
};

/** float32 exp(x) - 1 as TFLM's ELU table transform computes it (expf, then
 * a float subtraction). */
function eluF32(x: number): number {
  return x < 0 ? fround(fround(Math.exp(x)) - 1) : x;
}

export const prepareElu: OpPrepare = function (ctx) {
  const u = unary(ctx);
  if (u.dtype === DType.FLOAT32) return floatOp(u, Fn.ELU);
  if (u.dtype !== DType.INT8) return ctx.unsupported('tensor type ' + dtypeName(u.dtype) + ' (float32 and int8 only)');
  const sIn = scaleOf(ctx, u.input), zpIn = zeroPointOf(ctx, u.input);
  const zpOut = zeroPointOf(ctx, u.output);
  const inv = fround(1 / scaleOf(ctx, u.output));
  // Entry for input byte b (as uint8) of every int8 value, four per word.
  const table: number[] = [];
  for (let w = 0; w < 64; w++) table.push(0);
  for (let v = -128; v <= 127; v++) {
    const y = eluF32(fround(sIn * (v - zpIn)));
    const rescaled = roundHalfAway(fround(y * inv));
    let q = fround(rescaled + zpOut);
    q = q > 127 ? 127 : (q < -128 ? -128 : (q < 0 ? Math.ceil(q) : Math.floor(q)));
    const b = v & 0xff;
    table[b >> 2] |= (q & 0xff) << (8 * (b & 3));
  }
  return prepared(K_LUT_S8, u, [u.size].concat(table));
};
