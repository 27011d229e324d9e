// SVDF: int8 input with int8 or int16 state and time weights (TFLM's
// EvalIntegerSvdfReference), and float32. Mirrors PrepareSvdf in TFLM's
// svdf_common.cc: the same shape checks, the same float-then-double scale
// arithmetic, scratch of the same size. The activation state is the model's
// variable tensor; it travels as an extra output so the native load checks
// that it is writable. Also home of small helpers the LSTM and
// TRANSPOSE_CONV prepares share.
import { OpContext, OpPrepare, PreparedOp } from './types';
import { DType, TensorInfo } from '../model/types';
import { fround, quantizeMultiplier } from './quant';

function shapeStr(s: number[]): string {
  return '[' + s.join(',') + ']';
}

/**
 * Field `id` of the operator's builtin options table (BuiltinOptions union
 * `type`), or `def` when the table or the field is absent. kind: 'b' int8 /
 * bool, 'i' int32, 'f' float32. Reads the FlatBuffer directly: the generated
 * option classes would cost the device bundle more than these few fields.
 */
export function optionField(ctx: OpContext, type: number, id: number, kind: string, def: number): number {
  const op = ctx.op, bb = ctx.model.bb, pos = op.optionsPos;
  if (!pos) return def;
  if (op.optionsType !== type) ctx.invalid('builtin options of type ' + op.optionsType + ', expected ' + type);
  const at = bb.__offset(pos, 4 + 2 * id);
  if (!at) return def;
  return kind === 'f' ? bb.readFloat32(pos + at) : kind === 'i' ? bb.readInt32(pos + at) : bb.readInt8(pos + at);
}

/** Rejects a tensor whose shape is not exactly `want`. */
export function expectShape(ctx: OpContext, t: TensorInfo, want: number[]): void {
  let ok = t.shape.length === want.length;
  for (let i = 0; ok && i < want.length; i++) ok = t.shape[i] === want[i];
  if (!ok) ctx.invalid('tensor ' + t.index + ' is ' + shapeStr(t.shape) + ', expected ' + shapeStr(want));
}

/** The per-tensor scale (TFLM's params.scale); per-channel is not run. */
export function quantScale(ctx: OpContext, t: TensorInfo): number {
  if (t.scale.length !== 1 || !(t.scale[0] > 0)) ctx.unsupported('tensor ' + t.index + ' without one positive scale');
  return t.scale[0];
}

/** The zero point, which must lie in [lo, hi]. */
export function zeroPoint(ctx: OpContext, t: TensorInfo, lo: number, hi: number): number {
  const z = t.zeroPoint.length ? t.zeroPoint[0] : 0;
  if (z < lo || z > hi) ctx.invalid('tensor ' + t.index + ' zero point ' + z + ' out of range');
  return z;
}

/** QuantizeMultiplier, as [multiplier, shift] in the range the kernels take. */
export function multiplierOf(ctx: OpContext, real: number): number[] {
  const q = quantizeMultiplier(real);
  if (!(q.multiplier >= 0) || q.shift > 30 || q.shift < -31) ctx.unsupported('rescale factor ' + real);
  return [q.multiplier, q.shift];
}

export const prepareSvdf: OpPrepare = function (ctx: OpContext): PreparedOp {
  const op = ctx.op;
  if (op.inputs.length !== 5 || op.outputs.length !== 1) ctx.invalid('expects 5 inputs and 1 output');
  const input = ctx.input(0), wf = ctx.input(1), wt = ctx.input(2), bias = ctx.input(3), state = ctx.input(4);
  const output = ctx.output(0);
  if (!input || !wf || !wt || !state || !state.isVariable) {
    return ctx.invalid('needs input, weights and a variable activation state (input 4)');
  }
  // SVDFOptions (BuiltinOptions 6): rank, fused_activation_function.
  const rank = optionField(ctx, 6, 0, 'i', 0), act = optionField(ctx, 6, 1, 'b', 0);

  if (input.shape.length !== 2 || wf.shape.length !== 2 || wt.shape.length !== 2) ctx.invalid('input and weights must be 2-D');
  const batches = input.shape[0], inputSize = input.shape[1], filters = wf.shape[0], memory = wt.shape[1];
  if (!(batches > 0 && inputSize > 0 && memory > 0 && rank > 0) || filters % rank !== 0) {
    ctx.invalid('rank ' + rank + ' does not divide ' + filters + ' filters');
  }
  const units = filters / rank;
  expectShape(ctx, output, [batches, units]);
  expectShape(ctx, wf, [filters, inputSize]);
  expectShape(ctx, wt, [filters, memory]);
  expectShape(ctx, state, [batches, memory * filters]);
  if (bias && (bias.shape[0] !== units || bias.bytes !== units * 4)) ctx.invalid('bias tensor ' + bias.index + ' must hold ' + units + ' values');

  const params = [batches, inputSize, filters, units, rank, memory];
  const inputs = [input.index, wf.index, wt.index, bias ? bias.index : -1];
  const outputs = [output.index, state.index];
  // Time sums (then, for the integer kinds, the unit sums) in one scratch.
  const f32 = input.dtype === DType.FLOAT32;
  const scratch = [{ bytes: batches * (filters + (f32 ? 0 : units)) * 4, state: false }];
  const s16 = wt.dtype === DType.INT16;
  const F = DType.FLOAT32, tdt = f32 ? F : s16 ? DType.INT16 : DType.INT8, i8 = f32 ? F : DType.INT8;
  const want = [input, i8, wf, i8, wt, tdt, state, tdt, output, i8, bias, f32 ? F : DType.INT32];
  for (let k = 0; k < want.length; k += 2) {
    const t = want[k] as TensorInfo | null;
    if (t && t.dtype !== want[k + 1]) ctx.unsupported('tensor ' + t.index + ' of type ' + t.dtype + ' (runs int8 with int8/int16 state, or float32)');
  }
  if (f32) {
    if (!(act >= 0 && act <= 5)) ctx.unsupported('fused activation ' + act);
    params.push(act);
    return { kind: 104, inputs: inputs, outputs: outputs, params: params, buffers: scratch };
  }
  // TFLM reads the bias scale unconditionally (a missing bias crashes it).
  if (!bias) return ctx.unsupported('int8 SVDF without bias');

  const inScale = quantScale(ctx, input), stScale = quantScale(ctx, state), wtScale = quantScale(ctx, wt);
  // Scales multiply and divide in float, then widen to double.
  if (!(Math.abs(bias.scale[0] - fround(stScale * wtScale)) < 1e-5)) ctx.invalid('bias tensor ' + bias.index + ' scale is not state x time weights');
  // The integer kernel ignores the fused activation, as TFLM's does.
  return {
    kind: s16 ? 103 : 102, inputs: inputs, outputs: outputs, buffers: scratch,
    params: params.concat([zeroPoint(ctx, input, -128, 127), zeroPoint(ctx, state, s16 ? -32768 : -128, s16 ? 32767 : 127),
      zeroPoint(ctx, output, -128, 127)],
    multiplierOf(ctx, fround(fround(inScale * quantScale(ctx, wf)) / stScale)),
    multiplierOf(ctx, fround(fround(stScale * wtScale) / quantScale(ctx, output)))),
  };
};
