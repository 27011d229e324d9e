// CONV_2D and DEPTHWISE_CONV_2D: shapes, padding, per-channel multipliers and
// activation range, computed the way TFLM's conv_common.cc /
// depthwise_conv_common.cc do, packed as tml_conv_params words
// (native/include/tinyml_kernels.h); int8 adds out_c multipliers then shifts.
import { OpContext, OpPrepare, PreparedOp } from './types';
import { DType, TensorInfo } from '../model/types';
import { readOptions, Conv2DOptions, DepthwiseConv2DOptions, BuiltinOptions } from '../model/options';
import {
  quantizeMultiplier, activationRangeQuantized, activationRangeFloat,
  computeOutSize, computePadding, numElements, Padding, packInt8, dtypeName,
} from './quant';

// tml_kernel_kind values (native/include/tinyml.h).
const K_CONV_S8 = 4, K_CONV_F32 = 5, K_DWCONV_S8 = 6, K_DWCONV_F32 = 7;
const INT32_MAX = 2147483647;

interface Geometry {
  padding: number;
  strideW: number;
  strideH: number;
  dilW: number;
  dilH: number;
  act: number;
}

const ACT_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];

function actName(a: number): string {
  return a >= 0 && a < ACT_NAMES.length ? ACT_NAMES[a] : String(a);
}

function shapeStr(s: number[]): string {
  return '[' + s.join(',') + ']';
}

function require4D(ctx: OpContext, t: TensorInfo, what: string): void {
  if (t.shape.length !== 4) ctx.invalid(what + ' tensor ' + t.index + ' must be 4-D, is ' + shapeStr(t.shape));
  for (let i = 0; i < 4; i++) {
    if (!(t.shape[i] > 0)) ctx.invalid(what + ' tensor ' + t.index + ' has an empty dimension ' + shapeStr(t.shape));
  }
}

/** Type combinations TFLM runs on the reference kernels, minus the ones we leave out. */
function checkTypes(ctx: OpContext, input: TensorInfo, filter: TensorInfo, output: TensorInfo): boolean {
  if (input.dtype !== output.dtype) {
    ctx.invalid('input tensor ' + input.index + ' is ' + dtypeName(input.dtype) + ' but output tensor ' +
      output.index + ' is ' + dtypeName(output.dtype));
  }
  if (input.dtype === DType.FLOAT32) {
    if (filter.dtype !== DType.FLOAT32) {
      ctx.unsupported('hybrid float input with ' + dtypeName(filter.dtype) + ' filter tensor ' + filter.index);
    }
    return false;
  }
  if (input.dtype === DType.INT8) {
    if (filter.dtype === DType.INT8) return true;
    if (filter.dtype === DType.INT4) ctx.unsupported('int4 filter tensor ' + filter.index);
    ctx.unsupported(dtypeName(filter.dtype) + ' filter tensor ' + filter.index + ' with int8 input');
  }
  if (input.dtype === DType.INT16) ctx.unsupported('int16 activations (input tensor ' + input.index + ')');
  return ctx.unsupported(dtypeName(input.dtype) + ' input tensor ' + input.index);
}

function checkGeometry(ctx: OpContext, g: Geometry): void {
  if (g.padding !== Padding.SAME && g.padding !== Padding.VALID) ctx.unsupported('padding type ' + g.padding);
  if (!(g.strideW > 0 && g.strideH > 0)) ctx.invalid('stride ' + g.strideW + 'x' + g.strideH + ' must be positive');
  if (!(g.dilW > 0 && g.dilH > 0)) ctx.invalid('dilation ' + g.dilW + 'x' + g.dilH + ' must be positive');
}

/** Output size and leading padding along one axis; throws if the window does not fit. */
function axis(ctx: OpContext, name: string, g: Geometry, inSize: number, filter: number,
  stride: number, dil: number): { out: number; pad: number } {
  const out = computeOutSize(g.padding, inSize, filter, stride, dil);
  if (!(out > 0)) {
    ctx.invalid(name + ': filter ' + filter + ' (dilation ' + dil + ') does not fit input ' + inSize);
  }
  const pad = computePadding(stride, dil, inSize, filter, out);
  // The native kernel indexes with int32 coordinates up to this value.
  if ((out - 1) * stride + (filter - 1) * dil > INT32_MAX || pad > INT32_MAX) {
    ctx.invalid(name + ': stride/dilation too large');
  }
  return { out: out, pad: pad };
}

function prepare(ctx: OpContext, dw: boolean, g: Geometry): PreparedOp {
  const op = ctx.op;
  // TFLM takes 2 (no bias) or 3 inputs; a third input of -1 also means no bias.
  if (op.inputs.length !== 2 && op.inputs.length !== 3) {
    ctx.invalid('expects 2 or 3 inputs, has ' + op.inputs.length);
  }
  if (op.outputs.length !== 1) ctx.invalid('expects 1 output, has ' + op.outputs.length);
  const input = ctx.input(0);
  const filter = ctx.input(1);
  const bias = ctx.input(2);
  const output = ctx.output(0);
  if (!input) return ctx.invalid('input 0 (data) is missing');
  if (!filter) return ctx.invalid('input 1 (filter) is missing');

  const s8 = checkTypes(ctx, input, filter, output);
  require4D(ctx, input, 'input');
  require4D(ctx, filter, 'filter');
  require4D(ctx, output, 'output');
  checkGeometry(ctx, g);

  const batches = input.shape[0], inH = input.shape[1], inW = input.shape[2], inC = input.shape[3];
  const fH = filter.shape[1], fW = filter.shape[2];
  let outC: number, fInC: number, depthMult: number;
  if (dw) {
    // Filter [1, fH, fW, outC]. The multiplier comes from the shapes: some
    // converters store 0 or a stale value in the options.
    if (filter.shape[0] !== 1) ctx.invalid('depthwise filter tensor ' + filter.index + ' must be [1,h,w,c], is ' + shapeStr(filter.shape));
    outC = filter.shape[3];
    if (outC % inC !== 0) {
      ctx.invalid('filter channels ' + outC + ' are not a multiple of input channels ' + inC);
    }
    depthMult = outC / inC;
    fInC = 1;
  } else {
    // Filter [outC, fH, fW, fInC]; groups = inC / fInC.
    outC = filter.shape[0];
    fInC = filter.shape[3];
    if (inC % fInC !== 0) {
      ctx.invalid('input channels ' + inC + ' are not a multiple of filter depth ' + fInC);
    }
    const groups = inC / fInC;
    if (outC % groups !== 0) ctx.invalid('output channels ' + outC + ' are not a multiple of groups ' + groups);
    depthMult = 1;
  }

  const h = axis(ctx, 'height', g, inH, fH, g.strideH, g.dilH);
  const w = axis(ctx, 'width', g, inW, fW, g.strideW, g.dilW);
  const os = output.shape;
  if (os[0] !== batches || os[1] !== h.out || os[2] !== w.out || os[3] !== outC) {
    ctx.invalid('output tensor ' + output.index + ' has shape ' + shapeStr(os) + ', expected ' +
      shapeStr([batches, h.out, w.out, outC]));
  }

  if (bias) {
    const want = s8 ? DType.INT32 : DType.FLOAT32;
    if (bias.dtype !== want) {
      ctx.unsupported(dtypeName(bias.dtype) + ' bias tensor ' + bias.index + ' (needs ' + dtypeName(want) + ')');
    }
    if (numElements(bias.shape) !== outC) {
      ctx.invalid('bias tensor ' + bias.index + ' has ' + numElements(bias.shape) + ' elements, expected ' + outC);
    }
  }

  let inOffset = 0, outOffset = 0, actMin: number, actMax: number;
  const mults: number[] = [], shifts: number[] = [];
  if (s8) {
    if (input.scale.length < 1) ctx.invalid('input tensor ' + input.index + ' is not quantized');
    if (output.scale.length < 1) ctx.invalid('output tensor ' + output.index + ' is not quantized');
    const fs = filter.scale;
    const qDim = dw ? 3 : 0;
    if (fs.length !== 1 && fs.length !== outC) {
      ctx.invalid('filter tensor ' + filter.index + ' has ' + fs.length + ' scales for ' + outC + ' channels');
    }
    if (dw && filter.zeroPoint.length !== fs.length) {
      ctx.invalid('filter tensor ' + filter.index + ' has ' + filter.zeroPoint.length + ' zero points for ' +
        fs.length + ' scales');
    }
    const perChannel = fs.length > 1;
    if (perChannel && (filter.quantizedDimension < 0 || filter.quantizedDimension > 3 ||
        filter.shape[filter.quantizedDimension] !== outC)) {
      ctx.invalid('filter tensor ' + filter.index + ' is quantized along dimension ' +
        filter.quantizedDimension + ', expected ' + qDim);
    }
    const inScale = input.scale[0], outScale = output.scale[0];
    for (let c = 0; c < outC; c++) {
      // Double arithmetic on the float32 scales, as TFLM's
      // PopulateConvolutionQuantizationParams; per-tensor scale broadcast.
      const eff = inScale * (perChannel ? fs[c] : fs[0]) / outScale;
      const q = quantizeMultiplier(eff);
      if (!(q.multiplier >= 0 && q.multiplier <= INT32_MAX) || q.shift > 30 || q.shift < -31) {
        ctx.unsupported('channel ' + c + ' output scale ' + eff + ' (multiplier out of range)');
      }
      mults.push(q.multiplier);
      shifts.push(q.shift);
    }
    inOffset = input.zeroPoint.length ? -input.zeroPoint[0] : 0;
    outOffset = output.zeroPoint.length ? output.zeroPoint[0] : 0;
    const r = activationRangeQuantized(g.act, outScale, outOffset, -128, 127);
    if (!r) return ctx.unsupported('fused activation ' + actName(g.act));
    if (r.min > r.max) {
      ctx.invalid('output tensor ' + output.index + ': zero point ' + outOffset + ' leaves an empty activation range');
    }
    actMin = r.min;
    actMax = r.max;
  } else {
    const r = activationRangeFloat(g.act);
    if (!r) return ctx.unsupported('fused activation ' + actName(g.act));
    actMin = r.min;
    actMax = r.max;
  }

  const params = [
    inOffset, outOffset, g.strideW, g.strideH, g.dilW, g.dilH, w.pad, h.pad, actMin, actMax,
    batches, inH, inW, inC, fH, fW, fInC, depthMult, h.out, w.out, outC,
  ];
  for (let c = 0; c < mults.length; c++) params.push(mults[c]);
  const packed = packInt8(shifts);
  for (let c = 0; c < packed.length; c++) params.push(packed[c]);

  return {
    kind: dw ? (s8 ? K_DWCONV_S8 : K_DWCONV_F32) : (s8 ? K_CONV_S8 : K_CONV_F32),
    inputs: [input.index, filter.index, bias ? bias.index : -1],
    outputs: [output.index],
    params: params,
  };
}

export const prepareConv2D: OpPrepare = function (ctx: OpContext): PreparedOp {
  const o = readOptions(ctx.model, ctx.op, new Conv2DOptions(), BuiltinOptions.Conv2DOptions);
  if (!o) return ctx.invalid('missing Conv2DOptions');
  return prepare(ctx, false, {
    padding: o.padding(), strideW: o.strideW(), strideH: o.strideH(),
    dilW: o.dilationWFactor(), dilH: o.dilationHFactor(), act: o.fusedActivationFunction(),
  });
};

export const prepareDepthwiseConv2D: OpPrepare = function (ctx: OpContext): PreparedOp {
  const o = readOptions(ctx.model, ctx.op, new DepthwiseConv2DOptions(),
    BuiltinOptions.DepthwiseConv2DOptions);
  if (!o) return ctx.invalid('missing DepthwiseConv2DOptions');
  return prepare(ctx, true, {
    padding: o.padding(), strideW: o.strideW(), strideH: o.strideH(),
    dilW: o.dilationWFactor(), dilH: o.dilationHFactor(), act: o.fusedActivationFunction(),
  });
};
