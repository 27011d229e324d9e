// TRANSPOSE_CONV: int8 (per-channel weights) and float32, as TFLM's
// transpose_conv.cc prepares it: padding from the output size, per-channel
// multipliers, activation range. Packed as tml_tconv_params words
// (native/include/tinyml_kernels.h); int8 adds out_c multipliers, packed
// shifts and an int32 accumulator scratch buffer.
import { OpContext, OpPrepare, PreparedOp } from './types';
import { DType } from '../model/types';
import { activationRangeQuantized, activationRangeFloat, computePadding, numElements, packInt8, Padding } from './quant';
import { expectShape, zeroPoint, multiplierOf, optionField } from './svdf';

/** TFLM ComputeOutSize with C's truncating division (its VALID numerator
 * can be negative here, where flooring would differ). */
function outSizeC(padding: number, size: number, filter: number, stride: number): number {
  const n = padding === Padding.SAME ? size + stride - 1 : size + stride - filter;
  return n >= 0 ? Math.floor(n / stride) : -Math.floor(-n / stride);
}

export const prepareTransposeConv: OpPrepare = function (ctx: OpContext): PreparedOp {
  const op = ctx.op;
  // Inputs: output_shape, filter, input[, bias]. TFLM sizes everything from
  // the output tensor and never reads output_shape's data.
  if ((op.inputs.length !== 3 && op.inputs.length !== 4) || op.outputs.length !== 1) {
    ctx.invalid('expects 3 or 4 inputs and 1 output');
  }
  const filter = ctx.input(1), input = ctx.input(2), bias = ctx.input(3), output = ctx.output(0);
  if (!filter || !input) return ctx.invalid('filter (input 1) and data (input 2) are required');
  // TransposeConvOptions (BuiltinOptions 49): padding, stride_w, stride_h,
  // fused_activation_function.
  const padding = optionField(ctx, 49, 0, 'b', 0), sw = optionField(ctx, 49, 1, 'i', 0);
  const sh = optionField(ctx, 49, 2, 'i', 0), act = optionField(ctx, 49, 3, 'b', 0);

  const s8 = input.dtype === DType.INT8, dt = s8 ? DType.INT8 : DType.FLOAT32;
  if (!s8 && input.dtype !== DType.FLOAT32) ctx.unsupported('input of type ' + input.dtype + ' (only int8 and float32)');
  const want = [filter, dt, output, dt, bias, s8 ? DType.INT32 : dt];
  for (let k = 0; k < want.length; k += 2) {
    const t = want[k] as { index: number; dtype: number } | null;
    if (t && t.dtype !== want[k + 1]) ctx.unsupported('tensor ' + t.index + ' of type ' + t.dtype + ' with input of type ' + dt);
  }
  const is = input.shape, fs = filter.shape, os = output.shape;
  if (is.length !== 4 || fs.length !== 4 || os.length !== 4) ctx.invalid('input, filter and output must be 4-D');
  const outC = fs[0];
  expectShape(ctx, filter, [outC, fs[1], fs[2], is[3]]);
  expectShape(ctx, output, [is[0], os[1], os[2], outC]);
  if (bias) expectShape(ctx, bias, [outC]);
  if (numElements(is) <= 0 || numElements(fs) <= 0 || numElements(os) <= 0) ctx.invalid('empty tensor');
  if (padding !== Padding.SAME && padding !== Padding.VALID) ctx.unsupported('padding ' + padding);
  if (!(sw > 0 && sh > 0) || (is[1] - 1) * sh + fs[1] > 2147483647 || (is[2] - 1) * sw + fs[2] > 2147483647) {
    ctx.invalid('stride ' + sw + 'x' + sh);
  }

  let range: { min: number; max: number } | null;
  const mults: number[] = [], shifts: number[] = [];
  let inOffset = 0, outOffset = 0;
  if (s8) {
    const sc = filter.scale;
    if (!input.scale.length || !output.scale.length || (sc.length !== 1 && sc.length !== outC) ||
        filter.zeroPoint.length !== sc.length || (sc.length > 1 && fs[filter.quantizedDimension] !== outC)) {
      ctx.invalid('quantization of the input, output or filter (tensor ' + filter.index + ')');
    }
    for (let c = 0; c < outC; c++) {
      // PopulateConvolutionQuantizationParams: double math on float scales.
      const q = multiplierOf(ctx, input.scale[0] * sc[sc.length > 1 ? c : 0] / output.scale[0]);
      mults.push(q[0]);
      shifts.push(q[1]);
    }
    inOffset = -zeroPoint(ctx, input, -128, 127);
    outOffset = zeroPoint(ctx, output, -128, 127);
    range = activationRangeQuantized(act, output.scale[0], outOffset, -128, 127);
    if (range && range.min > range.max) ctx.invalid('empty activation range');
  } else {
    range = activationRangeFloat(act);
  }
  if (!range) return ctx.unsupported('fused activation ' + act);

  // ComputePaddingHeightWidth with the output size as the "input" size.
  const params = [inOffset, outOffset, sw, sh,
    computePadding(sw, 1, os[2], fs[2], outSizeC(padding, os[2], fs[2], sw)),
    computePadding(sh, 1, os[1], fs[1], outSizeC(padding, os[1], fs[1], sh)),
    range.min, range.max, is[0], is[1], is[2], is[3], fs[1], fs[2], os[1], os[2], outC];
  const inputs = [input.index, filter.index, bias ? bias.index : -1];
  if (!s8) return { kind: 101, inputs: inputs, outputs: [output.index], params: params };
  return {
    kind: 100, inputs: inputs, outputs: [output.index], params: params.concat(mults, packInt8(shifts)),
    buffers: [{ bytes: numElements(os) * 4, state: false }],
  };
};
