// CONCATENATION, PACK, UNPACK, SPLIT and SPLIT_V: block copies along one
// axis, as TFLM's concatenation.cc, pack.cc, unpack.cc, split.cc and
// split_v.cc do them, expressed as generic move steps.
import { DType, TensorInfo } from '../model/types';
import {
  BuiltinOptions, ConcatenationOptions, PackOptions, readOptions, UnpackOptions,
} from '../model/options';
import { OpContext, OpPrepare } from './types';
import { numElements } from './quant';
import {
  check, constInts, elemSize, input, io, MoveProgram, product, qScale, qZero, resolveAxis, sameType,
  shapeStr, stridesOf,
} from './movement';

const F32 = DType.FLOAT32;
const I8 = DType.INT8;
const I16 = DType.INT16;
const I32 = DType.INT32;

/** a and b agree on every dim but axis. */
function fitsAlong(ctx: OpContext, a: TensorInfo, b: TensorInfo, axis: number): void {
  let ok = a.shape.length === b.shape.length;
  for (let i = 0; ok && i < a.shape.length; i++) ok = i === axis || a.shape[i] === b.shape[i];
  if (!ok) ctx.invalid('tensor ' + a.index + ' ' + shapeStr(a.shape) + ' does not fit ' + shapeStr(b.shape) + ' along axis ' + axis);
}

function sumAlong(ctx: OpContext, at: number, t: TensorInfo, axis: number): void {
  if (at !== t.shape[axis]) ctx.invalid('parts add up to ' + at + ' along axis ' + axis + ' of tensor ' + t.index);
}

export const prepareConcatenation: OpPrepare = function (ctx) {
  io(ctx, -1, 1);
  const n = ctx.op.inputs.length;
  if (n > 10) ctx.unsupported(n + ' inputs (TFLM: at most 10)');
  const out = ctx.output(0);
  const o = readOptions(ctx.model, ctx.op, new ConcatenationOptions(), BuiltinOptions.ConcatenationOptions);
  if (o && o.fusedActivationFunction()) ctx.unsupported('a fused activation');
  check(ctx, out, [F32, I8, I16, I32, DType.INT64, DType.BOOL]);
  if (out.shape.length > 6) ctx.unsupported('rank ' + out.shape.length + ' (TFLM: at most 6)');
  const axis = resolveAxis(ctx, o ? o.axis() : 0, out.shape.length);
  const outStrides = stridesOf(out.shape);
  const prog = new MoveProgram(ctx, elemSize(out.dtype));
  const inputs: number[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const t = input(ctx, i);
    sameType(ctx, out, t);
    check(ctx, t);
    // TFLM's int8 kernel does not rescale; int16 needs zero points of 0.
    if ((t.dtype === I8 && (qScale(t) !== qScale(out) || qZero(t) !== qZero(out))) ||
      (t.dtype === I16 && (qZero(t) || qZero(out)))) {
      ctx.unsupported(t.dtype === I8 ? 'int8 input tensor ' + t.index + ' (scale ' + qScale(t) + ', zero point ' + qZero(t) +
        ') quantized unlike the output (scale ' + qScale(out) + ', zero point ' + qZero(out) + '): TFLM does not rescale'
        : 'int16 with a non-zero zero point');
    }
    fitsAlong(ctx, t, out, axis);
    prog.copy(i, 0, 0, at * outStrides[axis], t.shape, stridesOf(t.shape), outStrides);
    at += t.shape[axis];
    inputs.push(t.index);
  }
  sumAlong(ctx, at, out, axis);
  return prog.op(inputs, [out.index]);
};

/**
 * PACK (pack = true: inputs -> output) and UNPACK (outputs <- input), as
 * TFLM copies them: part i's k-th block of `copy` elements is block
 * k * count + i of the whole.
 */
function packAny(ctx: OpContext, pack: boolean, count: number, axisOpt: number): ReturnType<OpPrepare> {
  if (count < 1 || (pack ? ctx.op.inputs.length : ctx.op.outputs.length) !== count) {
    ctx.invalid('values_count/num ' + count + ' does not match the tensors');
  }
  io(ctx, pack ? count : 1, pack ? 1 : count);
  const whole = pack ? ctx.output(0) : input(ctx, 0);
  check(ctx, whole, pack ? [F32, I8, I16, I32, DType.INT64] : [F32, I32, I16, I8]);
  const rank = whole.shape.length;
  const axis = resolveAxis(ctx, axisOpt, rank);
  if (whole.shape[axis] !== count) ctx.invalid('tensor ' + whole.index + ' ' + shapeStr(whole.shape) + ' has not ' + count + ' along axis ' + axis);
  const outer = product(whole.shape, 0, axis);
  const copy = product(whole.shape, axis + 1, rank);
  const prog = new MoveProgram(ctx, elemSize(whole.dtype));
  const parts: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = pack ? input(ctx, i) : ctx.output(i);
    sameType(ctx, whole, t);
    check(ctx, t);
    if (numElements(t.shape) !== outer * copy) ctx.invalid('tensor ' + t.index + ' ' + shapeStr(t.shape) + ' does not fit ' + shapeStr(whole.shape));
    if (pack) prog.copy(i, 0, 0, i * copy, [outer, copy], [copy, 1], [count * copy, 1]);
    else prog.copy(0, i, i * copy, 0, [outer, copy], [count * copy, 1], [copy, 1]);
    parts.push(t.index);
  }
  return pack ? prog.op(parts, [whole.index]) : prog.op([whole.index], parts);
}

export const preparePack: OpPrepare = function (ctx) {
  const o = readOptions(ctx.model, ctx.op, new PackOptions(), BuiltinOptions.PackOptions);
  return packAny(ctx, true, o ? o.valuesCount() : 0, o ? o.axis() : 0);
};

export const prepareUnpack: OpPrepare = function (ctx) {
  const o = readOptions(ctx.model, ctx.op, new UnpackOptions(), BuiltinOptions.UnpackOptions);
  return packAny(ctx, false, o ? o.num() : 0, o ? o.axis() : 0);
};

/** SPLIT (inputs axis, input) and SPLIT_V (inputs input, size_splits, axis). */
function splitAny(ctx: OpContext, v: boolean): ReturnType<OpPrepare> {
  const nOut = ctx.op.outputs.length;
  io(ctx, v ? 3 : 2, nOut);
  if (nOut < 1) ctx.invalid('no outputs');
  const inp = input(ctx, v ? 0 : 1);
  check(ctx, inp, [F32, I8, I16, I32]);
  // TFLM reads the axis as int32 and, for SPLIT_V, sizes from the outputs.
  const axis = resolveAxis(ctx, constInts(ctx, input(ctx, v ? 2 : 0), false)[0], inp.shape.length);
  const inStrides = stridesOf(inp.shape);
  const prog = new MoveProgram(ctx, elemSize(inp.dtype));
  const outputs: number[] = [];
  let at = 0;
  for (let i = 0; i < nOut; i++) {
    const t = ctx.output(i);
    sameType(ctx, inp, t);
    check(ctx, t);
    fitsAlong(ctx, t, inp, axis);
    // SPLIT sizes every output like output 0 (TFLM uses its dims for all).
    if (!v && t.shape[axis] !== ctx.output(0).shape[axis]) ctx.invalid('outputs 0 and ' + i + ' differ in size');
    prog.copy(0, i, at * inStrides[axis], 0, t.shape, inStrides, stridesOf(t.shape));
    at += t.shape[axis];
    outputs.push(t.index);
  }
  sumAlong(ctx, at, inp, axis);
  return prog.op([inp.index], outputs);
}

export const prepareSplit: OpPrepare = function (ctx) { return splitAny(ctx, false); };
export const prepareSplitV: OpPrepare = function (ctx) { return splitAny(ctx, true); };
