// SHAPE: the input's static shape as int32, known at prepare time; the
// kernel just writes those constants (it never reads the input).
import { DType } from '../model/types';
import { OpPrepare } from './types';
import { numElements } from './quant';
import { check, input, io, MoveProgram } from './movement';

export const prepareShape: OpPrepare = function (ctx) {
  io(ctx, 1, 1);
  const shape = input(ctx, 0).shape;
  const out = ctx.output(0);
  check(ctx, out, [DType.INT32]); // TFLM writes int32 only
  if (!shape.length || numElements(out.shape) !== shape.length) ctx.invalid('output must hold ' + shape.length + ' values');
  const prog = new MoveProgram(ctx, 4);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] < 0) ctx.unsupported('a dynamic input shape');
    prog.step(1, 0, 0, 0, d, [1], [1], [1], shape[d]);
  }
  return prog.op([], [out.index]);
};
