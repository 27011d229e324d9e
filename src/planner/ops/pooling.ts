// AVERAGE_POOL_2D and MAX_POOL_2D (NHWC), int8 and float32. Computes what
// TFLM's PoolingPrepare computes: padding, output size, activation range.
import { DType } from '../model/types';
import { BuiltinOptions, Pool2DOptions, readOptions } from '../model/options';
import { OpContext, PreparedOp } from './types';
import {
  activationRangeFloat, activationRangeQuantized, computeOutSize, computePadding, fround, Padding,
} from './quant';

const K_AVGPOOL_S8 = 8;
const K_AVGPOOL_F32 = 9;
const K_MAXPOOL_S8 = 10;
const K_MAXPOOL_F32 = 11;

function preparePool(ctx: OpContext, name: string, kindS8: number, kindF32: number): PreparedOp {
  const input = ctx.input(0);
  const output = ctx.output(0);
  if (!input || ctx.op.inputs.length !== 1 || ctx.op.outputs.length !== 1) {
    return ctx.invalid(name + ' needs exactly one input and one output');
  }
  if (input.shape.length !== 4 || output.shape.length !== 4) {
    ctx.invalid(name + ' input and output must be 4-D NHWC');
  }
  const opts = readOptions(ctx.model, ctx.op, new Pool2DOptions(), BuiltinOptions.Pool2DOptions);
  if (!opts) return ctx.invalid(name + ' has no Pool2DOptions');
  const padding: number = opts.padding();
  const strideH = opts.strideH();
  const strideW = opts.strideW();
  const fH = opts.filterHeight();
  const fW = opts.filterWidth();
  const act: number = opts.fusedActivationFunction();
  if (padding !== Padding.SAME && padding !== Padding.VALID) ctx.invalid(name + ' padding ' + padding);
  if (strideH <= 0 || strideW <= 0 || fH <= 0 || fW <= 0) {
    ctx.invalid(name + ' stride ' + strideH + 'x' + strideW + ' / filter ' + fH + 'x' + fW + ' must be positive');
  }

  const batches = input.shape[0];
  const inH = input.shape[1];
  const inW = input.shape[2];
  const channels = input.shape[3];
  const outH = computeOutSize(padding, inH, fH, strideH, 1);
  const outW = computeOutSize(padding, inW, fW, strideW, 1);
  const padH = computePadding(strideH, 1, inH, fH, outH);
  const padW = computePadding(strideW, 1, inW, fW, outW);
  const os = output.shape;
  if (batches <= 0 || inH <= 0 || inW <= 0 || channels <= 0 || outH <= 0 || outW <= 0) {
    ctx.invalid(name + ' with an empty input or output');
  }
  if (os[0] !== batches || os[1] !== outH || os[2] !== outW || os[3] !== channels) {
    ctx.invalid(name + ' output tensor ' + output.index + ' shape [' + os.join(', ') + '], expected [' +
      batches + ', ' + outH + ', ' + outW + ', ' + channels + ']');
  }
  const geometry = [batches, inH, inW, channels, fH, fW, strideH, strideW, padH, padW, outH, outW];

  if (input.dtype === DType.FLOAT32) {
    if (output.dtype !== DType.FLOAT32) ctx.invalid(name + ' float32 input needs a float32 output');
    const fr = activationRangeFloat(act);
    if (!fr) return ctx.unsupported(name + ' fused activation ' + act);
    geometry.push(fr.min, fr.max);
    return { kind: kindF32, inputs: [input.index], outputs: [output.index], params: geometry };
  }
  if (input.dtype === DType.INT16) return ctx.unsupported(name + ' with int16 input');
  if (input.dtype !== DType.INT8) return ctx.unsupported(name + ' with input type ' + input.dtype);
  if (output.dtype !== DType.INT8) ctx.invalid(name + ' int8 input needs an int8 output');

  const inScale = input.scale.length > 0 ? input.scale[0] : 0;
  const outScale = output.scale.length > 0 ? output.scale[0] : 0;
  const inZp = input.zeroPoint.length > 0 ? input.zeroPoint[0] : 0;
  const outZp = output.zeroPoint.length > 0 ? output.zeroPoint[0] : 0;
  // Pooling does not requantize: TFLM wants (nearly) the same scale, in
  // float, and the same zero point on both sides.
  if (!(Math.abs(fround(inScale - outScale)) <= 1e-6) || inZp !== outZp) {
    ctx.invalid(name + ' int8 input and output must share scale and zero point');
  }
  const qr = activationRangeQuantized(act, outScale, outZp, -128, 127);
  if (!qr) return ctx.unsupported(name + ' fused activation ' + act);
  if (qr.min > qr.max) ctx.invalid(name + ' empty activation range');
  geometry.push(qr.min, qr.max);
  return { kind: kindS8, inputs: [input.index], outputs: [output.index], params: geometry };
}

export function prepareAveragePool2D(ctx: OpContext): PreparedOp {
  return preparePool(ctx, 'AVERAGE_POOL_2D', K_AVGPOOL_S8, K_AVGPOOL_F32);
}

export function prepareMaxPool2D(ctx: OpContext): PreparedOp {
  return preparePool(ctx, 'MAX_POOL_2D', K_MAXPOOL_S8, K_MAXPOOL_F32);
}
