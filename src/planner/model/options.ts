// Option tables the ops read, and readOptions() to point one at an operator's
// BuiltinOptions. Enum fields (Padding, ActivationFunctionType, ...) come back
// as plain numbers; the const enums below name them at no bundle cost.
import { ByteBuffer } from './flatbuffers';
import { fail } from '../../core/errors';
import { ModelInfo, OperatorInfo } from './types';

export { Conv2DOptions } from './tflite/conv2doptions';
export { DepthwiseConv2DOptions } from './tflite/depthwise-conv2doptions';
export { FullyConnectedOptions } from './tflite/fully-connected-options';
export { Pool2DOptions } from './tflite/pool2doptions';
export { SoftmaxOptions } from './tflite/softmax-options';
export { ReshapeOptions } from './tflite/reshape-options';
export { SqueezeOptions } from './tflite/squeeze-options';
export { AddOptions } from './tflite/add-options';
export { SubOptions } from './tflite/sub-options';
export { MulOptions } from './tflite/mul-options';
export { DivOptions } from './tflite/div-options';
export { ConcatenationOptions } from './tflite/concatenation-options';
export { StridedSliceOptions } from './tflite/strided-slice-options';
export { PadOptions } from './tflite/pad-options';
export { PadV2Options } from './tflite/pad-v2options';
export { ReducerOptions } from './tflite/reducer-options';
export { TransposeConvOptions } from './tflite/transpose-conv-options';
export { LeakyReluOptions } from './tflite/leaky-relu-options';
export { SplitOptions } from './tflite/split-options';
export { SplitVOptions } from './tflite/split-voptions';
export { PackOptions } from './tflite/pack-options';
export { UnpackOptions } from './tflite/unpack-options';
export { ArgMaxOptions } from './tflite/arg-max-options';
export { ArgMinOptions } from './tflite/arg-min-options';
export { ResizeNearestNeighborOptions } from './tflite/resize-nearest-neighbor-options';
export { ResizeBilinearOptions } from './tflite/resize-bilinear-options';
export { GatherOptions } from './tflite/gather-options';
export { SVDFOptions } from './tflite/svdfoptions';
export { UnidirectionalSequenceLSTMOptions } from './tflite/unidirectional-sequence-lstmoptions';
export { CastOptions } from './tflite/cast-options';
export { ShapeOptions } from './tflite/shape-options';
export { ExpandDimsOptions } from './tflite/expand-dims-options';
export { TransposeOptions } from './tflite/transpose-options';
export { MirrorPadOptions } from './tflite/mirror-pad-options';
export { DepthToSpaceOptions } from './tflite/depth-to-space-options';
export { SpaceToDepthOptions } from './tflite/space-to-depth-options';
export { L2NormOptions } from './tflite/l2norm-options';
export { BatchMatMulOptions } from './tflite/batch-mat-mul-options';
export { CumsumOptions } from './tflite/cumsum-options';
export { HardSwishOptions } from './tflite/hard-swish-options';
export { QuantizeOptions } from './tflite/quantize-options';
export { DequantizeOptions } from './tflite/dequantize-options';
export { MaximumMinimumOptions } from './tflite/maximum-minimum-options';
export { LogSoftmaxOptions } from './tflite/log-softmax-options';
export { Padding } from './tflite/padding';
export { ActivationFunctionType } from './tflite/activation-function-type';
export { BuiltinOptions } from './tflite/builtin-options';
export { BuiltinOptions2 } from './tflite/builtin-options2';
export { FullyConnectedOptionsWeightsFormat } from './tflite/fully-connected-options-weights-format';
export { MirrorPadMode } from './tflite/mirror-pad-mode';

/** Anything generated for a table: it can be pointed at a position. */
export interface OptionsTable<T> {
  __init(i: number, bb: ByteBuffer): T;
}

/**
 * Points `table` at the operator's BuiltinOptions, or returns null when the
 * operator has none (the op then uses the schema defaults). With `type`
 * (a BuiltinOptions value) a table of another type is rejected.
 */
export function readOptions<T>(model: ModelInfo, op: OperatorInfo, table: OptionsTable<T>, type?: number): T | null {
  if (!op.optionsPos) return null;
  if (type !== undefined && op.optionsType !== type) {
    fail('E_BAD_MODEL', 'operator ' + op.index + ': builtin options are of type ' + op.optionsType + ', expected ' + type);
  }
  return table.__init(op.optionsPos, model.bb);
}
