// TRANSPOSE: one strided copy; output dim d walks input dim perm[d].
import { DType } from '../model/types';
import { OpPrepare } from './types';
import { check, constInts, elemSize, expectShape, input, io, MoveProgram, sameType, shapeStr, stridesOf } from './movement';

export const prepareTranspose: OpPrepare = function (ctx) {
  io(ctx, 2, 1);
  const inp = input(ctx, 0);
  const permT = input(ctx, 1);
  const out = ctx.output(0);
  check(ctx, inp, [DType.FLOAT32, DType.INT8, DType.INT16]);
  check(ctx, out);
  sameType(ctx, inp, out);
  const dims = inp.shape.length;
  if (dims < 1 || dims > 5) ctx.unsupported('rank ' + dims + ' (TFLM: 1 to 5)');
  const perm = constInts(ctx, permT, false);
  const seen: boolean[] = [];
  const want: number[] = [];
  const src: number[] = [];
  const inStrides = stridesOf(inp.shape);
  for (let d = 0; d < dims; d++) {
    const p = perm[d];
    if (permT.shape.length !== 1 || perm.length !== dims || !(p >= 0 && p < dims) || seen[p]) {
      ctx.invalid('perm ' + shapeStr(perm) + ' is not a permutation of ' + dims + ' dims');
    }
    seen[p] = true;
    want.push(inp.shape[p]);
    src.push(inStrides[p]);
  }
  expectShape(ctx, out, want);
  const prog = new MoveProgram(ctx, elemSize(inp.dtype));
  prog.copy(0, 0, 0, 0, want, src, stridesOf(want));
  return prog.op([inp.index], [out.index]);
};
