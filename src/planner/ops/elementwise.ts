// Broadcasting binary ops: ADD, SUB, MUL, DIV, MINIMUM, MAXIMUM. Computes
// what TFLM's Prepare steps compute (add_common.cc, sub_common.cc,
// mul_common.cc, div.cc): per-input and output multipliers, offsets and
// activation ranges, plus the broadcast shape the native walker needs.
import { DType, TensorInfo } from '../model/types';
import { AddOptions, BuiltinOptions, readOptions } from '../model/options';
import { OpContext, OpPrepare, PreparedOp } from './types';
import { activationRangeFloat, activationRangeQuantized, dtypeName, dtypeRange, fround, quantizeMultiplier } from './quant';

const K_ADDSUB_Q = 20;
const K_MUL_Q = 21;
const K_DIV_S8 = 22;
const K_BINARY = 23;

const enum BinOp { ADD = 0, SUB = 1, MUL = 2, DIV = 3, MIN = 4, MAX = 5 }

/** Broadcast ranks the native walker handles (TML_BCAST_DIMS). */
const BCAST_DIMS = 6;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function shapeStr(s: number[]): string {
  return '[' + s.join(',') + ']';
}

/** Pads a shape on the left with 1s to BCAST_DIMS dims. */
function extend(ctx: OpContext, t: TensorInfo): number[] {
  if (t.shape.length > BCAST_DIMS) {
    ctx.unsupported('tensor ' + t.index + ' has rank ' + t.shape.length + ' (at most ' + BCAST_DIMS + ')');
  }
  const r: number[] = [];
  for (let i = t.shape.length; i < BCAST_DIMS; i++) r.push(1);
  for (let i = 0; i < t.shape.length; i++) {
    if (!(t.shape[i] > 0)) ctx.invalid('tensor ' + t.index + ' has an empty dimension ' + shapeStr(t.shape));
    r.push(t.shape[i]);
  }
  return r;
}

/** The op's tensors and the shape words: out dims, in1 dims, in2 dims. */
interface Binary {
  a: TensorInfo;
  b: TensorInfo;
  out: TensorInfo;
  shape: number[];
}

function binary(ctx: OpContext): Binary {
  const a = ctx.input(0);
  const b = ctx.input(1);
  if (!a || !b || ctx.op.inputs.length !== 2) return ctx.invalid('needs exactly two inputs');
  if (ctx.op.outputs.length !== 1) ctx.invalid('needs exactly one output');
  const out = ctx.output(0);
  const ea = extend(ctx, a), eb = extend(ctx, b), eo = extend(ctx, out);
  for (let i = 0; i < BCAST_DIMS; i++) {
    const da = ea[i], db = eb[i];
    if (da !== db && da !== 1 && db !== 1) {
      ctx.invalid('input shapes ' + shapeStr(a.shape) + ' and ' + shapeStr(b.shape) + ' do not broadcast');
    }
    if (eo[i] !== (da > db ? da : db)) {
      ctx.invalid('output tensor ' + out.index + ' shape ' + shapeStr(out.shape) + ' is not the broadcast of ' +
        shapeStr(a.shape) + ' and ' + shapeStr(b.shape));
    }
  }
  return { a: a, b: b, out: out, shape: eo.concat(ea, eb) };
}

function sameTypes(ctx: OpContext, t: Binary): number {
  const dt = t.out.dtype;
  if (t.a.dtype !== dt || t.b.dtype !== dt) {
    ctx.unsupported('input types ' + dtypeName(t.a.dtype) + ', ' + dtypeName(t.b.dtype) +
      ' and output type ' + dtypeName(dt));
  }
  return dt;
}

export function scaleOf(ctx: OpContext, t: TensorInfo): number {
  const s = t.scale.length > 0 ? t.scale[0] : 0;
  if (!(s > 0) || !isFinite(s)) ctx.invalid('tensor ' + t.index + ' has no valid quantization scale');
  return s;
}

export function zeroPointOf(ctx: OpContext, t: TensorInfo): number {
  const zp = t.zeroPoint.length > 0 ? t.zeroPoint[0] : 0;
  const r = dtypeRange(t.dtype);
  if (zp < r.min || zp > r.max) ctx.invalid('tensor ' + t.index + ' zero point ' + zp + ' is outside ' + dtypeName(t.dtype));
  return zp;
}

const ACT_NAMES = ['NONE', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'TANH', 'SIGN_BIT'];
function actName(act: number): string {
  return act >= 0 && act < ACT_NAMES.length ? ACT_NAMES[act] : String(act);
}

/** CalculateActivationRange<int32_t>. */
function intActRange(ctx: OpContext, act: number): { min: number; max: number } {
  switch (act) {
    case 0: return { min: INT32_MIN, max: INT32_MAX };
    case 1: return { min: 0, max: INT32_MAX };
    case 2: return { min: -1, max: 1 };
    case 3: return { min: 0, max: 6 };
    default: return ctx.unsupported('fused activation ' + actName(act));
  }
}

function floatActRange(ctx: OpContext, act: number): { min: number; max: number } {
  const r = activationRangeFloat(act);
  return r ? r : ctx.unsupported('fused activation ' + actName(act));
}

function quantActRange(ctx: OpContext, act: number, out: TensorInfo): { min: number; max: number } {
  const q = dtypeRange(out.dtype);
  const r = activationRangeQuantized(act, scaleOf(ctx, out), zeroPointOf(ctx, out), q.min, q.max);
  if (!r) return ctx.unsupported('fused activation ' + actName(act));
  if (r.min > r.max) ctx.invalid('output tensor ' + out.index + ': zero point leaves an empty activation range');
  return r;
}

function unquantized(ctx: OpContext, ts: TensorInfo[]): void {
  for (let i = 0; i < ts.length; i++) {
    if (ts[i].scale.length > 0) ctx.unsupported('int32 with quantized tensor ' + ts[i].index);
  }
}

function op(kind: number, t: Binary, params: number[]): PreparedOp {
  // The kernels read both inputs of element i before writing it: the output
  // may take over a same-size input.
  return {
    kind: kind, inputs: [t.a.index, t.b.index], outputs: [t.out.index], params: t.shape.concat(params),
    inPlaceInputs: [0, 1],
  };
}

/** QuantizeMultiplierSmallerThanOneExp: TFLM aborts outside (0, 1). */
function smallMultiplier(ctx: OpContext, real: number): { multiplier: number; shift: number } {
  const q = quantizeMultiplier(real);
  if (!(real > 0 && real < 1) || q.shift > 0) {
    ctx.unsupported('rescale factor ' + real + ' is outside (0, 1): output scale too small for the inputs');
  }
  return q;
}

// The four arithmetic ops' options tables all keep fused_activation_function
// in field 0: AddOptions reads it for each (one generated class in the bundle).
const OPTION_TYPES = [BuiltinOptions.AddOptions, BuiltinOptions.SubOptions, BuiltinOptions.MulOptions,
  BuiltinOptions.DivOptions];

/** ADD, SUB, MUL, DIV. */
function prepareArith(ctx: OpContext, binOp: number): PreparedOp {
  const opts = readOptions(ctx.model, ctx.op, new AddOptions(), OPTION_TYPES[binOp]);
  const act = opts ? opts.fusedActivationFunction() : 0;
  const t = binary(ctx);
  const dt = sameTypes(ctx, t);
  if (dt === DType.FLOAT32 || dt === DType.INT32) {
    let r: { min: number; max: number };
    if (dt === DType.FLOAT32) {
      r = floatActRange(ctx, act);
    } else {
      // TFLM refuses quantized int32 inputs (and output, for SUB) except in
      // MUL, and its int32 ADD ignores the fused activation.
      if (binOp !== BinOp.MUL) unquantized(ctx, binOp === BinOp.SUB ? [t.a, t.b, t.out] : [t.a, t.b]);
      r = binOp === BinOp.ADD ? { min: INT32_MIN, max: INT32_MAX } : intActRange(ctx, act);
    }
    return op(K_BINARY, t, [dt, binOp, r.min, r.max]);
  }
  if (dt !== DType.INT8 && (dt !== DType.INT16 || binOp === BinOp.DIV)) {
    return ctx.unsupported('tensor type ' + dtypeName(dt));
  }
  const s1 = scaleOf(ctx, t.a), s2 = scaleOf(ctx, t.b), so = scaleOf(ctx, t.out);
  const zp1 = zeroPointOf(ctx, t.a), zp2 = zeroPointOf(ctx, t.b), zpo = zeroPointOf(ctx, t.out);
  const r = quantActRange(ctx, act, t.out);
  if (binOp === BinOp.MUL || binOp === BinOp.DIV) {
    // MUL: s1 * s2 / so in double; DIV: s1 / (s2 * so) in float.
    const q = quantizeMultiplier(binOp === BinOp.MUL ? s1 * s2 / so : fround(s1 / fround(s2 * so)));
    if (q.shift > 30) ctx.unsupported('output multiplier too large (shift ' + q.shift + ')');
    if (dt === DType.INT16 && (zp1 !== 0 || zp2 !== 0 || zpo !== 0)) ctx.unsupported('int16 with a non-zero zero point');
    return op(binOp === BinOp.MUL ? K_MUL_Q : K_DIV_S8, t, [dt, -zp1, -zp2, zpo, q.multiplier, q.shift, r.min, r.max]);
  }
  // ADD and SUB: both inputs onto twice the larger input scale, then the
  // output; SUB computes these factors in float, ADD in double.
  const isSub = binOp === BinOp.SUB;
  const leftShift = dt === DType.INT16 ? 15 : 20;
  const twiceMax = isSub ? fround(2 * Math.max(s1, s2)) : 2 * Math.max(s1, s2);
  const q1 = smallMultiplier(ctx, isSub ? fround(s1 / twiceMax) : s1 / twiceMax);
  const q2 = smallMultiplier(ctx, isSub ? fround(s2 / twiceMax) : s2 / twiceMax);
  const qo = smallMultiplier(ctx, isSub ? fround(twiceMax / fround((1 << leftShift) * so))
    : twiceMax / ((1 << leftShift) * so));
  return op(K_ADDSUB_Q, t, [dt, isSub ? 1 : 0, leftShift, -zp1, q1.multiplier, q1.shift,
    -zp2, q2.multiplier, q2.shift, zpo, qo.multiplier, qo.shift, r.min, r.max]);
}

export const prepareAdd: OpPrepare = function (ctx) { return prepareArith(ctx, BinOp.ADD); };
export const prepareSub: OpPrepare = function (ctx) { return prepareArith(ctx, BinOp.SUB); };
export const prepareMul: OpPrepare = function (ctx) { return prepareArith(ctx, BinOp.MUL); };
export const prepareDiv: OpPrepare = function (ctx) { return prepareArith(ctx, BinOp.DIV); };

function prepareMinMax(ctx: OpContext, binOp: number): PreparedOp {
  const t = binary(ctx);
  const dt = sameTypes(ctx, t);
  if (dt !== DType.FLOAT32 && dt !== DType.INT32 && dt !== DType.INT8 && dt !== DType.INT16) {
    ctx.unsupported('tensor type ' + dtypeName(dt));
  }
  // Raw values compared; the kernel does not clamp MIN/MAX results.
  const r = dt === DType.FLOAT32 ? floatActRange(ctx, 0) : { min: INT32_MIN, max: INT32_MAX };
  return op(K_BINARY, t, [dt, binOp, r.min, r.max]);
}

export const prepareMinimum: OpPrepare = function (ctx) { return prepareMinMax(ctx, BinOp.MIN); };
export const prepareMaximum: OpPrepare = function (ctx) { return prepareMinMax(ctx, BinOp.MAX); };
