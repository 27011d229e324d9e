// ARG_MAX and ARG_MIN (TFLM arg_min_max.cc): int8 or float32 input, a
// constant int32 axis, int32 output. Strict comparisons, so the first of
// equal values wins, as in TFLM.
import { Builtin } from '../model/builtin';
import { DType } from '../model/types';
import { OpPrepare } from './types';
import { dtypeName } from './quant';
import { check, constInts, expectShape, input, io, product, resolveAxis } from './movement';

export const prepareArgMinMax: OpPrepare = function (ctx) {
  io(ctx, 2, 1);
  const inp = input(ctx, 0);
  const out = ctx.output(0);
  if (out.dtype !== DType.INT32) ctx.unsupported(dtypeName(out.dtype) + ' output (TFLM writes int32 only)');
  check(ctx, inp, [DType.FLOAT32, DType.INT8]);
  check(ctx, out);
  const s = inp.shape;
  const axis = resolveAxis(ctx, constInts(ctx, input(ctx, 1), false)[0], s.length);
  expectShape(ctx, out, s.slice(0, axis).concat(s.slice(axis + 1)));
  return {
    kind: 65, inputs: [inp.index], outputs: [out.index],
    params: [inp.dtype, ctx.op.builtin === Builtin.ARG_MAX ? 1 : 0, product(s, 0, axis), s[axis],
      product(s, axis + 1, s.length)],
  };
};
