// SLICE and STRIDED_SLICE as one strided copy each. The begin/end/stride
// logic follows TFLM exactly: its Prepare checks the output shape with
// StartForAxis/StopForAxis (strided_slice_logic.h), while its Eval pads to
// five dims and loops with StridedSliceStartForAxis/EndForAxis; the two
// differ in corner cases, so both are computed and must agree here.
import { DType, TensorInfo } from '../model/types';
import { BuiltinOptions, readOptions, StridedSliceOptions } from '../model/options';
import { OpContext, OpPrepare } from './types';
import { fround, numElements } from './quant';
import { check, constInts, elemSize, expectShape, input, io, MoveProgram, sameType, shapeStr, stridesOf } from './movement';

const TYPES = [DType.FLOAT32, DType.INT8, DType.INT16, DType.INT32, DType.BOOL];
const BIG = 2147483647;

function clamp(v: number, lo: number, hi: number): number {
  return v > hi ? hi : v < lo ? lo : v;
}

/** Clamps an index as TFLM does for the stride's direction. */
function clampFor(v: number, size: number, stride: number): number {
  return stride > 0 ? clamp(v, 0, size) : clamp(v, -1, size - 1);
}

/** Copies count[d] elements from start[d] by step[d] in every dim of shape, in order. */
function emit(ctx: OpContext, inp: TensorInfo, out: TensorInfo, shape: number[], start: number[],
  count: number[], step: number[]): ReturnType<OpPrepare> {
  const strides = stridesOf(shape);
  const src: number[] = [];
  let off = 0;
  let total = 1;
  for (let d = 0; d < shape.length; d++) {
    total *= count[d];
    off += start[d] * strides[d];
    src.push(step[d] * strides[d]);
  }
  // TFLM's kernel writes its elements one after the other into the output.
  if (total !== numElements(out.shape)) {
    ctx.unsupported('a slice of ' + total + ' elements into tensor ' + out.index + ' ' + shapeStr(out.shape));
  }
  const prog = new MoveProgram(ctx, elemSize(inp.dtype));
  prog.copy(0, 0, off, 0, count, src, stridesOf(count));
  return prog.op([inp.index], [out.index]);
}

export const prepareSlice: OpPrepare = function (ctx) {
  io(ctx, 3, 1);
  const inp = input(ctx, 0);
  const beginT = input(ctx, 1);
  const out = ctx.output(0);
  check(ctx, inp, TYPES);
  check(ctx, out);
  sameType(ctx, inp, out);
  const rank = inp.shape.length;
  if (rank > 5) ctx.unsupported('rank ' + rank + ' (TFLM: at most 5)');
  sameType(ctx, beginT, input(ctx, 2));
  const begin = constInts(ctx, beginT, true);
  const size = constInts(ctx, input(ctx, 2), true);
  if (begin.length !== rank || size.length !== rank) ctx.invalid('begin/size do not have ' + rank + ' values');
  const count: number[] = [];
  const ones: number[] = [];
  for (let d = 0; d < rank; d++) {
    const stop = size[d] === -1 ? inp.shape[d] : begin[d] + size[d];
    if (begin[d] < 0 || stop > inp.shape[d] || stop < begin[d]) {
      ctx.invalid('begin ' + begin[d] + ' size ' + size[d] + ' exceed dim ' + d + ' of ' + shapeStr(inp.shape));
    }
    count.push(stop - begin[d]);
    ones.push(1);
  }
  return emit(ctx, inp, out, inp.shape, begin, count, ones);
};

export const prepareStridedSlice: OpPrepare = function (ctx) {
  io(ctx, 4, 1);
  const inp = input(ctx, 0);
  const out = ctx.output(0);
  check(ctx, inp, TYPES);
  check(ctx, out);
  sameType(ctx, inp, out);
  const dims = inp.shape.length;
  if (dims > 4) ctx.unsupported('rank ' + dims + ' (TFLM: at most 4)');
  const begin = constInts(ctx, input(ctx, 1), false);
  const end = constInts(ctx, input(ctx, 2), false);
  const strides = constInts(ctx, input(ctx, 3), false);
  if (begin.length !== dims || end.length !== dims || strides.length !== dims) {
    ctx.unsupported('begin/end/strides not of ' + dims + ' values each (TFLM reads one per dim)');
  }
  const o = readOptions(ctx.model, ctx.op, new StridedSliceOptions(), BuiltinOptions.StridedSliceOptions);
  const beginMask = o ? o.beginMask() : 0;
  const endMask = o ? o.endMask() : 0;
  const shrinkMask = o ? o.shrinkAxisMask() : 0;
  // TFLM zeroes these, which gives other results than TensorFlow wherever
  // they matter: refuse rather than guess.
  if (o && (o.ellipsisMask() || o.newAxisMask() || o.offset())) {
    ctx.unsupported('ellipsis_mask, new_axis_mask or offset (TFLM ignores them)');
  }
  const want: number[] = [];
  const shape = [1, 1, 1, 1, 1];
  const start = [0, 0, 0, 0, 0];
  const count = [1, 1, 1, 1, 1];
  const step = [1, 1, 1, 1, 1];
  for (let d = 0; d < dims; d++) {
    const size = inp.shape[d];
    const stride = strides[d];
    const bm = (beginMask >> d) & 1;
    const em = (endMask >> d) & 1;
    const shrink = (shrinkMask >> d) & 1;
    if (stride === 0) ctx.invalid('stride ' + d + ' is zero');
    // Prepare (StartForAxis / StopForAxis): the mask before the clamp.
    let b = bm ? (stride > 0 ? -BIG : BIG) : begin[d];
    b = clampFor(b < 0 ? b + size : b, size, stride);
    let e = em ? (stride > 0 ? BIG : -BIG) : end[d];
    e = shrink ? b + 1 : clampFor(e < 0 ? e + size : e, size, stride);
    // std::ceil((end - begin) / static_cast<float>(stride)), in float32.
    if (!shrink) want.push(Math.max(0, Math.ceil(fround(fround(e - b) / stride))));
    // Eval (StridedSliceStartForAxis / EndForAxis): the mask after it.
    let s = clampFor(begin[d] < 0 ? begin[d] + size : begin[d], size, stride);
    if (bm) s = stride > 0 ? 0 : size - 1;
    if (shrink) {
      e = s >= size ? s : s + 1;
    } else {
      e = clampFor(end[d] < 0 ? end[d] + size : end[d], size, stride);
      if (em) e = stride > 0 ? size : -1;
    }
    const k = 5 - dims + d;
    shape[k] = size;
    start[k] = s;
    step[k] = stride;
    count[k] = Math.max(0, Math.ceil((e - s) / stride));
    if (!count[k]) ctx.unsupported('an empty slice along dim ' + d);
  }
  expectShape(ctx, out, want);
  return emit(ctx, inp, out, shape, start, count, step);
};
