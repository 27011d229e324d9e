// MEAN and SUM (TFLM reduce.cc / reduce_common.cc, reference reduce.h).
// int8/int16: QuantizedMeanOrSum, i.e. an int32 sum, minus in_zp * n,
// requantized by input_scale / output_scale; MEAN folds 1/n into that
// multiplier the way TFLM does (shift by floor(log2 n), integer divide).
// float32: a sum from 0 in input order, MEAN then divides by n.
import { Builtin } from '../model/builtin';
import { DType } from '../model/types';
import { OpPrepare } from './types';
import { dtypeRange, numElements, quantizeMultiplier } from './quant';
import { check, constInts, input, io, qScale, qZero, sameType, stridesOf } from './movement';

const RANK = 4; // TML_REDUCE_RANK

/** floor(mult * 2^shift / n) exactly (the product may exceed 2^53). */
function scaledQuotient(mult: number, shift: number, n: number): number {
  let q = Math.floor(mult / n);
  let r = mult - q * n;
  for (let i = 0; i < shift; i++) {
    r *= 2;
    q *= 2;
    if (r >= n) {
      r -= n;
      q++;
    }
  }
  return q;
}

/**
 * Counts and strides of the runs of adjacent kept (want = false) or
 * reduced (want = true) dims, size-1 dims ignored, right-aligned in RANK
 * slots: the native loops nest them outermost first.
 */
function runs(shape: number[], reduced: boolean[], want: boolean): number[] | null {
  const strides = stridesOf(shape);
  const count: number[] = [];
  const stride: number[] = [];
  let extend = false; // the previous dim of size > 1 is in this run
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    if (reduced[d] !== want) {
      extend = false;
    } else if (extend) {
      count[count.length - 1] *= shape[d];
      stride[stride.length - 1] = strides[d];
    } else {
      count.push(shape[d]);
      stride.push(strides[d]);
      extend = true;
    }
  }
  if (count.length > RANK) return null;
  while (count.length < RANK) {
    count.unshift(1);
    stride.unshift(0);
  }
  return count.concat(stride);
}

export const prepareMeanSum: OpPrepare = function (ctx) {
  const mean = ctx.op.builtin === Builtin.MEAN;
  io(ctx, 2, 1);
  const inp = input(ctx, 0);
  const out = ctx.output(0);
  check(ctx, inp, [DType.FLOAT32, DType.INT8, DType.INT16]);
  check(ctx, out);
  sameType(ctx, inp, out);
  const axes = constInts(ctx, input(ctx, 1), false);
  const f32 = inp.dtype === DType.FLOAT32;
  // TFLM copies the float MEAN axes into MeanParams::axis[4].
  if (mean && f32 && axes.length > 4) ctx.unsupported(axes.length + ' axis values (TFLM: at most 4)');
  const rank = inp.shape.length;
  const reduced: boolean[] = [];
  for (let i = 0; i < axes.length && rank > 0; i++) {
    const a = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (!(a >= 0 && a < rank)) ctx.invalid('axis ' + axes[i] + ' is out of range for rank ' + rank);
    reduced[a] = true;
  }
  let kept = 1;
  let n = 1;
  for (let d = 0; d < rank; d++) {
    if (reduced[d]) n *= inp.shape[d];
    else kept *= inp.shape[d];
    reduced[d] = !!reduced[d];
  }
  if (numElements(out.shape) !== kept) ctx.invalid('output tensor ' + out.index + ' does not hold ' + kept + ' elements');
  const k = runs(inp.shape, reduced, false);
  const r = runs(inp.shape, reduced, true);
  if (!k || !r) return ctx.unsupported('a reduction over more than ' + RANK + ' separate dim groups');
  const geometry = k.concat(r);
  if (f32) return { kind: 64, inputs: [inp.index], outputs: [out.index], params: [mean ? 1 : 0].concat(geometry) };
  if (!(qScale(inp) > 0 && qScale(out) > 0)) ctx.invalid('tensors ' + inp.index + '/' + out.index + ' are not quantized');
  const q = quantizeMultiplier(qScale(inp) / qScale(out));
  let mult = q.multiplier;
  let shift = q.shift;
  if (mean) {
    let s = 0;
    while (Math.pow(2, s + 1) <= n) s++; // floor(log2 n)
    s = Math.min(s, 32, 31 + shift);
    mult = scaledQuotient(mult, s, n);
    shift -= s;
  }
  if (shift < -31 || shift > 30) ctx.unsupported('input/output scale ratio ' + qScale(inp) / qScale(out));
  const range = dtypeRange(inp.dtype);
  if (qZero(inp) < range.min || qZero(inp) > range.max || qZero(out) < range.min || qZero(out) > range.max) {
    ctx.invalid('zero point outside the ' + (inp.dtype === DType.INT16 ? 'int16' : 'int8') + ' range');
  }
  return {
    kind: 63, inputs: [inp.index], outputs: [out.index],
    params: [inp.dtype, qZero(inp), qZero(out), mult, shift].concat(geometry),
  };
};
