// SOFTMAX over the last dimension: int8 input (int8 or int16 output, the
// gemmlowp fixed-point path) and float32. Computes what TFLM's
// SoftmaxPrepare / CalculateSoftmaxParams computes.
import { DType } from '../model/types';
import { BuiltinOptions, readOptions, SoftmaxOptions } from '../model/options';
import { OpPrepare } from './types';
import { f32bits, fround, numElements, quantizeMultiplier } from './quant';

const K_SOFTMAX_S8 = 12;
const K_SOFTMAX_F32 = 13;

// The scaled input difference is Q5.26 (kScaledDiffIntegerBits = 5).
const SCALED_DIFF_INT_BITS = 5;

function sameShape(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const prepareSoftmax: OpPrepare = function (ctx) {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (!input || ctx.op.inputs.length !== 1 || ctx.op.outputs.length !== 1) {
    return ctx.invalid('SOFTMAX needs exactly one input and one output');
  }
  if (input.shape.length < 1) ctx.invalid('SOFTMAX input tensor ' + input.index + ' must have rank >= 1');
  if (!sameShape(input.shape, output.shape)) {
    ctx.invalid('SOFTMAX output tensor ' + output.index + ' shape differs from the input\'s');
  }
  const depth = input.shape[input.shape.length - 1];
  const n = numElements(input.shape);
  if (depth <= 0 || n <= 0) ctx.invalid('SOFTMAX input tensor ' + input.index + ' is empty');
  const outer = n / depth;

  const opts = readOptions(ctx.model, ctx.op, new SoftmaxOptions(), BuiltinOptions.SoftmaxOptions);
  const beta = opts ? opts.beta() : 0; // a float32 in the model: exact here

  if (input.dtype === DType.FLOAT32) {
    if (output.dtype !== DType.FLOAT32) ctx.invalid('SOFTMAX float32 input needs a float32 output');
    return {
      kind: K_SOFTMAX_F32, inputs: [input.index], outputs: [output.index],
      params: [outer, depth, f32bits(beta)],
    };
  }
  if (input.dtype === DType.INT16) return ctx.unsupported('SOFTMAX with int16 input (lookup-table path)');
  if (input.dtype !== DType.INT8) return ctx.unsupported('SOFTMAX with input type ' + input.dtype);

  const outZp = output.zeroPoint.length > 0 ? output.zeroPoint[0] : 0;
  const outScale = output.scale.length > 0 ? output.scale[0] : 0;
  if (output.dtype === DType.INT8) {
    if (outZp !== -128 || outScale !== 1 / 256) {
      ctx.invalid('SOFTMAX int8 output tensor ' + output.index + ' must have zero point -128 and scale 1/256');
    }
  } else if (output.dtype === DType.INT16) {
    // TF_LITE_ENSURE_NEAR in float: |scale - 1/65536| <= 0.001 / 65536.
    const delta = Math.abs(fround(outScale - 1 / 65536));
    if (outZp !== -32768 || delta > fround(fround(0.001) / 65536)) {
      ctx.invalid('SOFTMAX int16 output tensor ' + output.index + ' must have zero point -32768 and scale 1/65536');
    }
  } else {
    ctx.invalid('SOFTMAX int8 input needs an int8 or int16 output');
  }
  const inScale = input.scale.length > 0 ? input.scale[0] : 0;

  // PreprocessSoftmaxScaling: beta * scale as a Q5.26 multiplier, capped at
  // 2^31 - 1; it must exceed 1 (TFLM aborts otherwise).
  const real = Math.min(beta * inScale * (1 << (31 - SCALED_DIFF_INT_BITS)), 2147483647);
  if (!(real > 1)) {
    ctx.invalid('SOFTMAX beta x input scale (' + beta + ' x ' + inScale + ') is too small for the int8 path');
  }
  const q = quantizeMultiplier(real);
  // CalculateInputRadius: largest |diff| whose rescaled value still fits.
  const radius = Math.floor(((1 << SCALED_DIFF_INT_BITS) - 1) *
    Math.pow(2, 31 - SCALED_DIFF_INT_BITS) / Math.pow(2, q.shift));
  return {
    kind: K_SOFTMAX_S8, inputs: [input.index], outputs: [output.index],
    params: [outer, depth, q.multiplier, q.shift, (-radius) | 0, output.dtype],
  };
};
