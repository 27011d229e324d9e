// UNIDIRECTIONAL_SEQUENCE_LSTM as TFLM's micro kernel prepares it
// (unidirectional_sequence_lstm.cc, lstm_eval_common.cc): the standard LSTM
// only (no peephole, projection, layer norm or CIFG), int8 activations and
// weights with an int16 cell state, or float32. Every multiplier is computed
// here with TFLM's float/double steps; TFLM's micro LSTM precomputes no
// weight sums, so the only persistent cost is the params words. Hidden and
// cell state are the model's variable tensors and travel as extra outputs
// (the native load checks they are writable); one scratch buffer holds the
// kernel's four step buffers.
import { OpContext, OpPrepare, PreparedOp } from './types';
import { DType, TensorInfo } from '../model/types';
import { f32bits, fround, roundHalfAway } from './quant';
import { expectShape, quantScale, zeroPoint, multiplierOf, optionField } from './svdf';

// Input slots (TFLM lstm_shared.h) per gate, in the kernel's order: forget,
// input, cell, output. Then the slots of the variants we do not run.
const IN_W = [2, 1, 3, 4], REC_W = [6, 5, 7, 8], BIAS = [13, 12, 14, 15];
const ABSENT = [9, 10, 11, 16, 17, 20, 21, 22, 23];
// Q3.12 gate inputs, Q0.15 gate outputs.
const GATE_IN = 0.000244140625, GATE_OUT = 0.000030517578125;

export const prepareUnidirectionalSequenceLstm: OpPrepare = function (ctx: OpContext): PreparedOp {
  const op = ctx.op;
  if (op.inputs.length !== 24 || op.outputs.length !== 1) ctx.invalid('expects 24 inputs and 1 output');
  const input = ctx.input(0), hidden = ctx.input(18), cell = ctx.input(19), output = ctx.output(0);
  if (!input || !hidden || !cell || !hidden.isVariable || !cell.isVariable || hidden === cell ||
      output === hidden || output === cell) {
    return ctx.invalid('needs input 0, distinct variable hidden/cell state inputs 18, 19 and another output');
  }
  for (let k = 0; k < ABSENT.length; k++) {
    if (ctx.input(ABSENT[k])) ctx.unsupported('input ' + ABSENT[k] + ' (peephole, projection or layer norm)');
  }
  const w: TensorInfo[] = [], r: TensorInfo[] = [], b: TensorInfo[] = [];
  for (let g = 0; g < 4; g++) {
    const wi = ctx.input(IN_W[g]), wr = ctx.input(REC_W[g]), bi = ctx.input(BIAS[g]);
    if (!wi || !wr || !bi) return ctx.unsupported('missing input ' + (!wi ? IN_W[g] : !wr ? REC_W[g] : BIAS[g]) + ' (CIFG)');
    w.push(wi); r.push(wr); b.push(bi);
  }

  // UnidirectionalSequenceLSTMOptions (BuiltinOptions 71): activation,
  // cell_clip, proj_clip (no projection here), time_major.
  const act = optionField(ctx, 71, 0, 'b', 0), clip = optionField(ctx, 71, 1, 'f', 0);
  const timeMajor = optionField(ctx, 71, 3, 'b', 0) !== 0;
  // The cell gate's nonlinearity: TFLM runs tanh (or sigmoid, which the
  // schema cannot express).
  if (act !== 4) ctx.unsupported('cell activation ' + act + ' (only TANH)');

  // Types: int8 in/weights, int32 bias, int16 cell; or float32 throughout.
  const f32 = cell.dtype === DType.FLOAT32;
  const act8 = f32 ? DType.FLOAT32 : DType.INT8;
  const want = [input, act8, hidden, act8, output, act8, cell, f32 ? DType.FLOAT32 : DType.INT16];
  for (let g = 0; g < 4; g++) {
    want.push(w[g], act8, r[g], act8, b[g], f32 ? DType.FLOAT32 : DType.INT32);
  }
  for (let k = 0; k < want.length; k += 2) {
    const t = want[k] as TensorInfo;
    if (t.dtype !== want[k + 1]) {
      ctx.unsupported('tensor ' + t.index + ' of type ' + t.dtype + ' (runs int8 with int16 cell state, or float32)');
    }
  }

  // Sizes: CreateLstmSizeInfo and ValidateTensorSize.
  const is = input.shape;
  if (is.length !== 3 || hidden.shape.length !== 2) ctx.invalid('input must be 3-D and hidden state 2-D');
  const B = is[timeMajor ? 1 : 0], T = is[timeMajor ? 0 : 1], I = is[2], S = hidden.shape[1];
  if (!(B > 0 && T > 0 && I > 0 && S > 0)) ctx.invalid('empty input or state');
  for (let g = 0; g < 4; g++) {
    expectShape(ctx, w[g], [S, I]);
    expectShape(ctx, r[g], [S, S]);
    expectShape(ctx, b[g], [S]);
  }
  expectShape(ctx, hidden, [B, S]);
  if (cell.bytes !== B * S * (f32 ? 4 : 2)) ctx.invalid('cell state tensor ' + cell.index + ' does not hold ' + B + 'x' + S);
  expectShape(ctx, output, [is[0], is[1], S]);

  const inputs = [input.index];
  for (let g = 0; g < 12; g++) inputs.push((g < 4 ? w : g < 8 ? r : b)[g % 4].index);
  // Four step buffers of (time major ? B : 1) x S cell values.
  const scratch = [{ bytes: 4 * (timeMajor ? B : 1) * S * (f32 ? 4 : 2), state: false }];
  const params = [timeMajor ? 1 : 0, B, T, I, S];
  if (f32) {
    params.push(f32bits(clip));
    return { kind: 106, inputs: inputs, outputs: [output.index, hidden.index, cell.index], params: params, buffers: scratch };
  }

  const inScale = quantScale(ctx, input), hScale = quantScale(ctx, hidden), cScale = quantScale(ctx, cell);
  const inZp = zeroPoint(ctx, input, -128, 127), hZp = zeroPoint(ctx, hidden, -128, 127);
  let fcIn: number[] = [], fcRec: number[] = [];
  for (let g = 0; g < 4; g++) {
    // GetQuantizedConvolutionMultipler: scale product in float, then the
    // division by the gate scale in double.
    fcIn = fcIn.concat([-inZp, -zeroPoint(ctx, w[g], -128, 127)],
      multiplierOf(ctx, fround(inScale * quantScale(ctx, w[g])) / GATE_IN));
    fcRec = fcRec.concat([-hZp, -zeroPoint(ctx, r[g], -128, 127)],
      multiplierOf(ctx, fround(hScale * quantScale(ctx, r[g])) / GATE_IN));
  }
  // TFLM CheckedLog2: log in float, rounded half away from zero; the cell
  // tanh needs it in [-43, 2] to stay inside int32.
  const power = roundHalfAway(fround(fround(Math.log(cScale)) * fround(1 / fround(Math.log(2)))));
  if (power < -43 || power > 2) ctx.unsupported('cell state scale ' + cScale);
  // static_cast<int16_t> of the clamped double truncates toward zero.
  const q = Math.min(Math.max(clip / cScale, -32768), 32767);
  return {
    kind: 105, inputs: inputs, outputs: [output.index, hidden.index, cell.index],
    params: params.concat(fcIn, fcRec,
      multiplierOf(ctx, GATE_OUT * cScale / cScale),
      multiplierOf(ctx, GATE_OUT * GATE_OUT / cScale),
      multiplierOf(ctx, GATE_OUT * GATE_OUT / hScale),
      [hZp, clip > 0 ? 1 : 0, clip > 0 ? (q < 0 ? -Math.floor(-q) : Math.floor(q)) : 0, power]),
    buffers: scratch,
  };
};
