// QUANTIZE, DEQUANTIZE, CAST: the type pairs TFLM's kernels evaluate
// (quantize_common.cc, dequantize_common.cc, cast.cc) and the multiplier
// TFLM's PrepareQuantizeReference computes for integer requantization.
import { DType } from '../model/types';
import { OpPrepare } from './types';
import { dtypeName, f32bits, quantizeMultiplier } from './quant';
import { zeroPointOf } from './elementwise';
import { prepared, unary } from './activations';

const K_REQUANTIZE = 40;
const K_QUANTIZE_F32 = 41;
const K_DEQUANTIZE = 42;
const K_CAST = 43;

/** Output types TFLM's QUANTIZE evaluates, per input type. */
function quantizeTargets(input: number): number[] {
  switch (input) {
    case DType.FLOAT32: return [DType.INT8, DType.INT16];
    case DType.INT32: return [DType.INT8, DType.INT16];
    case DType.INT16: return [DType.INT8, DType.INT16, DType.INT32];
    case DType.INT8: return [DType.INT8, DType.UINT8, DType.INT16, DType.INT32];
    case DType.UINT8: return [DType.INT8];
    default: return [];
  }
}

export const prepareQuantize: OpPrepare = function (ctx) {
  const u = unary(ctx, true);
  const inT = u.input.dtype, outT = u.output.dtype;
  const targets = quantizeTargets(inT);
  let ok = false;
  for (let i = 0; i < targets.length; i++) if (targets[i] === outT) ok = true;
  if (!ok) return ctx.unsupported('from ' + dtypeName(inT) + ' to ' + dtypeName(outT));
  if (u.output.scale.length !== 1) {
    ctx.unsupported('output tensor ' + u.output.index + ' needs exactly one (per-tensor) scale');
  }
  const sOut = u.output.scale[0];
  if (!(sOut > 0) || !isFinite(sOut)) ctx.invalid('output tensor ' + u.output.index + ' has no valid quantization scale');
  const zpOut = zeroPointOf(ctx, u.output);
  if (inT === DType.FLOAT32) return prepared(K_QUANTIZE_F32, u, [u.size, outT, zpOut, f32bits(sOut)]);
  // An unquantized input reads as scale 0, zero point 0, as in TFLM.
  const sIn = u.input.scale.length ? u.input.scale[0] : 0;
  if (!(sIn >= 0) || !isFinite(sIn)) ctx.invalid('input tensor ' + u.input.index + ' has an invalid quantization scale');
  const q = quantizeMultiplier(sIn / sOut);
  if (q.shift > 30) ctx.unsupported('rescale factor ' + (sIn / sOut) + ' is too large');
  return prepared(K_REQUANTIZE, u, [u.size, inT, outT, zeroPointOf(ctx, u.input), zpOut, q.multiplier, q.shift]);
};

export const prepareDequantize: OpPrepare = function (ctx) {
  const u = unary(ctx, true);
  const inT = u.input.dtype;
  if (inT !== DType.INT8 && inT !== DType.INT16 && inT !== DType.UINT8) {
    return ctx.unsupported('from ' + dtypeName(inT) + ' (int8, int16 and uint8 only)');
  }
  if (u.output.dtype !== DType.FLOAT32) ctx.unsupported('to ' + dtypeName(u.output.dtype) + ' (float32 only)');
  const s = u.input.scale.length ? u.input.scale[0] : 0;
  return prepared(K_DEQUANTIZE, u, [u.size, inT, zeroPointOf(ctx, u.input), f32bits(s)]);
};

function castable(dt: number, asOutput: boolean): boolean {
  switch (dt) {
    case DType.INT8: case DType.INT16: case DType.INT32: case DType.UINT32: case DType.FLOAT32: return true;
    case DType.BOOL: return !asOutput;
    default: return false;
  }
}

export const prepareCast: OpPrepare = function (ctx) {
  const u = unary(ctx, true);
  const inT = u.input.dtype, outT = u.output.dtype;
  if (!castable(inT, false) || !castable(outT, true)) {
    ctx.unsupported('from ' + dtypeName(inT) + ' to ' + dtypeName(outT));
  }
  return prepared(K_CAST, u, [u.size, inT, outT]);
};
