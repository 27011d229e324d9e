// RESHAPE, SQUEEZE and EXPAND_DIMS: the bytes do not change, only the shape.
// The output is aliased onto the input (the copy kernel then has nothing to
// do) unless the planner cannot, e.g. when the input is a model constant.
// The output shape comes from the model, as in TFLM; we check it against
// what each op's TFLM Prepare checks.
import { Builtin } from '../model/builtin';
import { DType, TensorInfo } from '../model/types';
import { BuiltinOptions, readOptions, SqueezeOptions } from '../model/options';
import { OpContext, OpPrepare } from './types';
import { numElements } from './quant';

const K_COPY = 1;

function checkShape(ctx: OpContext, t: TensorInfo, name: string): void {
  for (let i = 0; i < t.shape.length; i++) {
    if (t.shape[i] < 0) ctx.unsupported(name + ' tensor ' + t.index + ' with a dynamic shape');
  }
}

function checkSqueeze(ctx: OpContext, input: TensorInfo, output: TensorInfo): void {
  const rank = input.shape.length;
  if (rank > 8) ctx.invalid('SQUEEZE input tensor ' + input.index + ' has rank > 8');
  const squeeze: boolean[] = [];
  for (let i = 0; i < rank; i++) squeeze.push(false);
  const opts = readOptions(ctx.model, ctx.op, new SqueezeOptions(), BuiltinOptions.SqueezeOptions);
  const n = opts ? opts.squeezeDimsLength() : 0;
  if (n === 0) {
    for (let i = 0; i < rank; i++) squeeze[i] = input.shape[i] === 1;
  } else {
    for (let i = 0; i < n; i++) {
      const d = opts!.squeezeDims(i) || 0;
      const cur = d < 0 ? d + rank : d;
      if (cur < 0 || cur >= rank || input.shape[cur] !== 1) {
        ctx.invalid('SQUEEZE dim ' + d + ' is not a dimension of size 1 of tensor ' + input.index);
      }
      squeeze[cur] = true;
    }
  }
  let o = 0;
  for (let i = 0; i < rank; i++) {
    if (squeeze[i]) continue;
    if (o >= output.shape.length || output.shape[o] < input.shape[i]) {
      ctx.invalid('SQUEEZE output tensor ' + output.index + ' shape does not match the input');
    }
    o++;
  }
}

function readInt32(bytes: Uint8Array, pos: number): number {
  return bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24);
}

function checkExpandDims(ctx: OpContext, input: TensorInfo, output: TensorInfo): void {
  const axisT = ctx.input(1);
  if (!axisT || ctx.op.inputs.length !== 2) return ctx.invalid('EXPAND_DIMS needs an input and an axis tensor');
  if (axisT.dataOffset < 0) ctx.unsupported('EXPAND_DIMS with a non-constant axis tensor ' + axisT.index);
  if (axisT.shape.length > 1 || axisT.dtype !== DType.INT32 || numElements(axisT.shape) < 1) {
    ctx.invalid('EXPAND_DIMS axis tensor ' + axisT.index + ' must be one int32 value');
  }
  if (input.dtype !== DType.INT8 && input.dtype !== DType.INT16 && input.dtype !== DType.FLOAT32) {
    ctx.unsupported('EXPAND_DIMS with type ' + input.dtype + ' (int8, int16, float32 only)');
  }
  const rank = input.shape.length;
  let axis = readInt32(ctx.model.bytes, axisT.dataOffset);
  if (axis < 0) axis = rank + 1 + axis;
  if (axis < 0 || axis > rank || output.shape.length !== rank + 1) {
    ctx.invalid('EXPAND_DIMS axis ' + axis + ' does not fit tensor ' + input.index);
  }
  for (let i = 0; i <= rank; i++) {
    const want = i < axis ? input.shape[i] : i === axis ? 1 : input.shape[i - 1];
    if (output.shape[i] !== want) {
      ctx.invalid('EXPAND_DIMS output tensor ' + output.index + ' shape does not match axis ' + axis);
    }
  }
}

export const prepareReshape: OpPrepare = function (ctx) {
  const b = ctx.op.builtin;
  const name = b === Builtin.SQUEEZE ? 'SQUEEZE' : b === Builtin.EXPAND_DIMS ? 'EXPAND_DIMS' : 'RESHAPE';
  const input = ctx.input(0);
  const output = ctx.output(0);
  const nIn = ctx.op.inputs.length;
  if (!input || ctx.op.outputs.length !== 1 || nIn < 1 || nIn > 2) {
    return ctx.invalid(name + ' needs one data input and one output');
  }
  if (b === Builtin.SQUEEZE && nIn !== 1) ctx.invalid('SQUEEZE takes exactly one input');
  checkShape(ctx, input, name);
  checkShape(ctx, output, name);
  if (input.dtype === DType.STRING) ctx.unsupported(name + ' of string tensors');
  if (input.dtype !== output.dtype) ctx.invalid(name + ' input and output types differ');
  if (b === Builtin.RESHAPE && nIn === 1 && output.shape.length === 1 && output.shape[0] === 0) {
    ctx.unsupported('RESHAPE to the legacy scalar shape [0]');
  }
  if (b === Builtin.SQUEEZE) checkSqueeze(ctx, input, output);
  if (b === Builtin.EXPAND_DIMS) checkExpandDims(ctx, input, output);
  if (numElements(input.shape) !== numElements(output.shape) || input.bytes !== output.bytes) {
    ctx.invalid(name + ' changes the element count (' + numElements(input.shape) + ' -> ' +
      numElements(output.shape) + ')');
  }
  return {
    kind: K_COPY, inputs: [input.index], outputs: [output.index],
    params: [input.bytes], aliasOutputToInput: true,
  };
};
