// GATHER (TFLM gather.cc): int8 or float32 params, int32 indices, any axis
// and batch_dims. Constant indices are range-checked here; indices computed
// at run time are checked by the kernel, which never reads outside the
// params and zero-fills the slice of an out-of-range index.
import { DType } from '../model/types';
import { BuiltinOptions, GatherOptions, readOptions } from '../model/options';
import { OpPrepare } from './types';
import { check, constInts, elemSize, expectShape, input, io, product, resolveAxis, sameType } from './movement';

export const prepareGather: OpPrepare = function (ctx) {
  io(ctx, 2, 1);
  const inp = input(ctx, 0);
  const coords = input(ctx, 1);
  const out = ctx.output(0);
  check(ctx, coords, [DType.INT32]);
  check(ctx, inp, [DType.FLOAT32, DType.INT8]);
  check(ctx, out);
  sameType(ctx, inp, out);
  const o = readOptions(ctx.model, ctx.op, new GatherOptions(), BuiltinOptions.GatherOptions);
  const s = inp.shape;
  const c = coords.shape;
  const axis = resolveAxis(ctx, o ? o.axis() : 0, s.length);
  let bd = o ? o.batchDims() : 0;
  if (bd < 0) bd += c.length;
  if (bd > axis || bd < 0 || bd > c.length) ctx.invalid('batch_dims ' + bd + ' does not fit axis ' + axis);
  for (let i = 0; i < bd; i++) if (s[i] !== c[i]) ctx.invalid('batch dim ' + i + ' differs between params and indices');
  expectShape(ctx, out, s.slice(0, axis).concat(c.slice(bd), s.slice(axis + 1)));
  if (coords.dataOffset >= 0) {
    const idx = constInts(ctx, coords, false);
    for (let i = 0; i < idx.length; i++) {
      if (idx[i] < 0 || idx[i] >= s[axis]) {
        ctx.invalid('index ' + idx[i] + ' (position ' + i + ' of tensor ' + coords.index + ') is outside [0, ' + s[axis] + ')');
      }
    }
  }
  return {
    kind: 61, inputs: [inp.index, coords.index], outputs: [out.index],
    params: [product(s, 0, bd), product(s, bd, axis), s[axis], product(c, bd, c.length),
      product(s, axis + 1, s.length) * elemSize(inp.dtype)],
  };
};
