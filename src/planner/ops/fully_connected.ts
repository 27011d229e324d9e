// FULLY_CONNECTED: int8 (per-tensor or per-channel weights) and float32.
// Computes what TFLM's FullyConnectedPrepare / CalculateOpDataFullyConnected
// computes: output multiplier(s) and shift(s), activation range, offsets.
import { DType, TensorInfo } from '../model/types';
import { BuiltinOptions, FullyConnectedOptions, readOptions } from '../model/options';
import { OpContext, OpPrepare } from './types';
import {
  activationRangeFloat, activationRangeQuantized, fround, numElements, quantizeMultiplier, packInt8,
} from './quant';

const K_FC_S8 = 2;
const K_FC_F32 = 3;

function zeroPoint(t: TensorInfo): number {
  return t.zeroPoint.length > 0 ? t.zeroPoint[0] : 0;
}

function scaleOf(ctx: OpContext, t: TensorInfo, what: string): number {
  if (t.scale.length === 0 || !(t.scale[0] > 0) || !isFinite(t.scale[0])) {
    ctx.invalid(what + ' tensor ' + t.index + ' has no valid quantization scale');
  }
  return t.scale[0];
}

function checkZeroPoint(ctx: OpContext, t: TensorInfo, what: string): number {
  const zp = zeroPoint(t);
  if (zp < -128 || zp > 127) ctx.invalid(what + ' tensor ' + t.index + ' zero point ' + zp + ' is outside int8');
  return zp;
}

function checkShift(ctx: OpContext, q: { multiplier: number; shift: number }): void {
  // Left shifts above 30 would overflow before the high multiply (TFLM
  // itself relies on undefined behaviour there).
  if (q.shift > 30) ctx.unsupported('FULLY_CONNECTED output multiplier too large (shift ' + q.shift + ')');
}

export const prepareFullyConnected: OpPrepare = function (ctx) {
  const input = ctx.input(0);
  const weights = ctx.input(1);
  const bias = ctx.input(2);
  const output = ctx.output(0);
  if (!input || !weights) return ctx.invalid('FULLY_CONNECTED needs an input and a weights tensor');
  if (ctx.op.outputs.length !== 1) ctx.invalid('FULLY_CONNECTED needs exactly one output');

  const opts = readOptions(ctx.model, ctx.op, new FullyConnectedOptions(), BuiltinOptions.FullyConnectedOptions);
  const act: number = opts ? opts.fusedActivationFunction() : 0;
  // TFLM's parser refuses every weights format but DEFAULT.
  if (opts && opts.weightsFormat() !== 0) {
    ctx.unsupported('FULLY_CONNECTED weights format ' + opts.weightsFormat() + ' (only DEFAULT)');
  }

  // Shapes: TFLM reads accum_depth from the weights' last dim, out_depth and
  // batches from the output; we also insist they agree with the input.
  const ws = weights.shape;
  if (ws.length < 2) ctx.invalid('FULLY_CONNECTED weights tensor ' + weights.index + ' must have rank >= 2');
  const accumDepth = ws[ws.length - 1];
  const units = ws[ws.length - 2];
  if (numElements(ws) !== accumDepth * units) {
    ctx.invalid('FULLY_CONNECTED weights tensor ' + weights.index + ' must be [units, depth]');
  }
  if (output.shape.length < 1) ctx.invalid('FULLY_CONNECTED output tensor ' + output.index + ' is a scalar');
  const outDepth = output.shape[output.shape.length - 1];
  if (accumDepth <= 0 || outDepth <= 0) ctx.invalid('FULLY_CONNECTED with an empty dimension');
  if (outDepth !== units) {
    ctx.invalid('FULLY_CONNECTED output depth ' + outDepth + ' differs from the weights\' ' + units + ' units');
  }
  const batches = numElements(output.shape) / outDepth;
  if (batches <= 0 || numElements(input.shape) !== batches * accumDepth) {
    ctx.invalid('FULLY_CONNECTED input tensor ' + input.index + ' has ' + numElements(input.shape) +
      ' elements, expected ' + batches + ' x ' + accumDepth);
  }
  if (bias && numElements(bias.shape) !== units) {
    ctx.invalid('FULLY_CONNECTED bias tensor ' + bias.index + ' must hold ' + units + ' values');
  }
  const inputs = [input.index, weights.index, bias ? bias.index : -1];

  if (input.dtype === DType.FLOAT32) {
    if (weights.dtype !== DType.FLOAT32 || output.dtype !== DType.FLOAT32 ||
        (bias && bias.dtype !== DType.FLOAT32)) {
      ctx.invalid('FULLY_CONNECTED float32 input needs float32 weights, bias and output');
    }
    const range = activationRangeFloat(act);
    if (!range) return ctx.unsupported('FULLY_CONNECTED fused activation ' + act);
    return {
      kind: K_FC_F32, inputs: inputs, outputs: [output.index],
      params: [range.min, range.max, batches, accumDepth, outDepth],
    };
  }

  if (input.dtype !== DType.INT8) {
    return ctx.unsupported('FULLY_CONNECTED with input type ' + input.dtype + ' (only int8 and float32)');
  }
  if (weights.dtype !== DType.INT8) {
    ctx.unsupported('FULLY_CONNECTED int8 input with weights type ' + weights.dtype + ' (only int8)');
  }
  if (output.dtype !== DType.INT8) ctx.invalid('FULLY_CONNECTED int8 input needs an int8 output');
  if (bias && bias.dtype !== DType.INT32) ctx.invalid('FULLY_CONNECTED int8 needs an int32 bias');

  const inScale = scaleOf(ctx, input, 'FULLY_CONNECTED input');
  const outScale = scaleOf(ctx, output, 'FULLY_CONNECTED output');
  scaleOf(ctx, weights, 'FULLY_CONNECTED weights');
  const inZp = checkZeroPoint(ctx, input, 'FULLY_CONNECTED input');
  const outZp = checkZeroPoint(ctx, output, 'FULLY_CONNECTED output');
  const wZp = checkZeroPoint(ctx, weights, 'FULLY_CONNECTED weights');
  const range = activationRangeQuantized(act, outScale, outZp, -128, 127);
  if (!range) return ctx.unsupported('FULLY_CONNECTED fused activation ' + act);
  if (range.min > range.max) ctx.invalid('FULLY_CONNECTED empty activation range');

  const perChannel = weights.scale.length > 1;
  const params = [-inZp, perChannel ? 0 : -wZp, outZp, 0, 0, range.min, range.max, batches, accumDepth, outDepth];
  if (perChannel) {
    if (weights.quantizedDimension !== 0 || weights.scale.length !== units) {
      ctx.unsupported('FULLY_CONNECTED per-channel weights other than one scale per unit (dimension 0)');
    }
    const mults: number[] = [];
    const shifts: number[] = [];
    for (let c = 0; c < units; c++) {
      // (double)input_scale * filter_scale / (double)output_scale
      const q = quantizeMultiplier(inScale * weights.scale[c] / outScale);
      checkShift(ctx, q);
      mults.push(q.multiplier);
      shifts.push(q.shift);
    }
    for (let c = 0; c < units; c++) params.push(mults[c]);
    const packed = packInt8(shifts);
    for (let c = 0; c < packed.length; c++) params.push(packed[c]);
  } else {
    const wScale = weights.scale[0];
    if (bias) {
      // GetQuantizedConvolutionMultipler: the bias scale must be close to
      // input_scale * weights_scale (in double).
      const biasScale = bias.scale.length > 0 ? bias.scale[0] : 0;
      if (!(Math.abs(inScale * wScale - biasScale) / outScale <= 0.02)) {
        ctx.invalid('FULLY_CONNECTED bias tensor ' + bias.index + ' scale ' + biasScale +
          ' is not input scale x weights scale');
      }
    }
    // The product is formed in float, then divided in double, as TFLM does.
    const product = fround(inScale * wScale);
    if (!(product >= 0)) ctx.invalid('FULLY_CONNECTED negative input x weights scale');
    const q = quantizeMultiplier(product / outScale);
    checkShift(ctx, q);
    params[3] = q.multiplier;
    params[4] = q.shift;
  }
  return { kind: K_FC_S8, inputs: inputs, outputs: [output.index], params: params };
};
