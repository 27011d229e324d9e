// PAD and PADV2 (TFLM registers one kernel for both): fill the output with
// the pad value, then copy the input into its interior. TFLM writes each
// output element once, either way; the result is the same.
import { DType } from '../model/types';
import { OpPrepare } from './types';
import { f32bits, numElements } from './quant';
import { check, constInts, elemSize, input, MoveProgram, qScale, qZero, sameType, shapeStr, stridesOf } from './movement';

export const preparePad: OpPrepare = function (ctx) {
  const nIn = ctx.op.inputs.length;
  if ((nIn !== 2 && nIn !== 3) || ctx.op.outputs.length !== 1) ctx.invalid('needs 2 or 3 inputs and one output');
  const inp = input(ctx, 0);
  const padT = input(ctx, 1);
  const cv = ctx.input(2);
  const out = ctx.output(0);
  check(ctx, inp, [DType.FLOAT32, DType.INT8, DType.INT16, DType.INT32]);
  check(ctx, out);
  sameType(ctx, inp, out);
  const rank = inp.shape.length;
  if (rank > 5) ctx.unsupported('rank ' + rank + ' (TFLM: at most 5)');
  if (cv) {
    sameType(ctx, inp, cv);
    if (numElements(cv.shape) !== 1) ctx.invalid('constant_values tensor ' + cv.index + ' is not a scalar');
  }
  const pads = constInts(ctx, padT, false);
  if (out.shape.length !== rank || pads.length !== rank * 2) ctx.invalid('paddings do not match rank ' + rank);
  const outStrides = stridesOf(out.shape);
  let dstOff = 0;
  for (let d = 0; d < rank; d++) {
    const l = pads[2 * d];
    const r = pads[2 * d + 1];
    if (l < 0 || r < 0) ctx.unsupported('negative paddings on dim ' + d);
    if (out.shape[d] !== inp.shape[d] + l + r) {
      ctx.invalid('output ' + shapeStr(out.shape) + ' is not input ' + shapeStr(inp.shape) + ' plus paddings');
    }
    dstOff += l * outStrides[d];
  }
  // Without constant_values: 0, or the output zero point for int8.
  let value = inp.dtype === DType.FLOAT32 ? f32bits(0) : 0;
  if (inp.dtype === DType.INT8) {
    if (cv && (qZero(cv) !== qZero(out) || qScale(cv) !== qScale(out))) {
      ctx.unsupported('int8 constant_values quantized unlike the output');
    }
    value = qZero(out);
    if (value < -128 || value > 127) ctx.invalid('output zero point ' + value + ' is outside int8');
  }
  const prog = new MoveProgram(ctx, elemSize(inp.dtype));
  const total = [numElements(out.shape)];
  const inputs = [inp.index];
  if (total[0] !== numElements(inp.shape)) {
    // FILL_FROM reads constant_values at invoke time (it may be computed).
    if (cv) inputs.push(cv.index);
    prog.step(cv ? 2 : 1, 1, 0, 0, 0, total, [1], [1], value);
  }
  prog.copy(0, 0, 0, dstOff, inp.shape, stridesOf(inp.shape), outStrides);
  return prog.op(inputs, [out.index]);
};
