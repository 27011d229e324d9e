// Op resolver: builtin operator code (or custom name) -> prepare step.
// Ops not listed here fail at allocateTensors() with E_UNSUPPORTED_OP.
import { Builtin } from './model/builtin';
import { OpPrepare } from './ops/types';
import { prepareFullyConnected } from './ops/fully_connected';
import { prepareSoftmax } from './ops/softmax';
import { prepareAveragePool2D, prepareMaxPool2D } from './ops/pooling';
import { prepareReshape } from './ops/reshape';
import { prepareConv2D, prepareDepthwiseConv2D } from './ops/conv';
// -- elementwise binary, activations, quantize/cast --
import { prepareAdd, prepareDiv, prepareMaximum, prepareMinimum, prepareMul, prepareSub } from './ops/elementwise';
import {
  prepareElu, prepareHardSwish, prepareLeakyRelu, prepareLogistic, prepareRelu, prepareRelu6, prepareTanh,
} from './ops/activations';
import { prepareCast, prepareDequantize, prepareQuantize } from './ops/quantize';
// -- data movement and reductions --
import { prepareConcatenation, preparePack, prepareSplit, prepareSplitV, prepareUnpack } from './ops/concat';
import { prepareSlice, prepareStridedSlice } from './ops/slice';
import { preparePad } from './ops/pad';
import { prepareTranspose } from './ops/transpose';
import { prepareShape } from './ops/shape';
import { prepareGather } from './ops/gather';
import { prepareResizeNearestNeighbor } from './ops/resize';
import { prepareMeanSum } from './ops/reduce';
import { prepareArgMinMax } from './ops/argmax';
// -- TRANSPOSE_CONV, SVDF, LSTM --
import { prepareTransposeConv } from './ops/transpose_conv';
import { prepareSvdf } from './ops/svdf';
import { prepareUnidirectionalSequenceLstm } from './ops/lstm';
// -- signal-library custom ops --
import {
  prepareSignalWindow, prepareSignalFftAutoScale, prepareSignalRfft, prepareSignalEnergy,
  prepareSignalFilterBank, prepareSignalFilterBankSquareRoot,
  prepareSignalFilterBankSpectralSubtraction, prepareSignalPcan, prepareSignalFilterBankLog,
} from './ops/signal';

export function resolveOp(builtin: number, customCode: string): OpPrepare | null {
  switch (builtin) {
    case Builtin.FULLY_CONNECTED: return prepareFullyConnected;
    case Builtin.SOFTMAX: return prepareSoftmax;
    case Builtin.AVERAGE_POOL_2D: return prepareAveragePool2D;
    case Builtin.MAX_POOL_2D: return prepareMaxPool2D;
    case Builtin.RESHAPE: case Builtin.SQUEEZE: case Builtin.EXPAND_DIMS: return prepareReshape;
    case Builtin.CONV_2D: return prepareConv2D;
    case Builtin.DEPTHWISE_CONV_2D: return prepareDepthwiseConv2D;
    // -- elementwise binary, activations, quantize/cast --
    case Builtin.ADD: return prepareAdd;
    case Builtin.SUB: return prepareSub;
    case Builtin.MUL: return prepareMul;
    case Builtin.DIV: return prepareDiv;
    case Builtin.MINIMUM: return prepareMinimum;
    case Builtin.MAXIMUM: return prepareMaximum;
    case Builtin.LOGISTIC: return prepareLogistic;
    case Builtin.TANH: return prepareTanh;
    case Builtin.RELU: return prepareRelu;
    case Builtin.RELU6: return prepareRelu6;
    case Builtin.LEAKY_RELU: return prepareLeakyRelu;
    case Builtin.HARD_SWISH: return prepareHardSwish;
    case Builtin.ELU: return prepareElu;
    case Builtin.QUANTIZE: return prepareQuantize;
    case Builtin.DEQUANTIZE: return prepareDequantize;
    case Builtin.CAST: return prepareCast;
    // -- data movement and reductions --
    case Builtin.CONCATENATION: return prepareConcatenation;
    case Builtin.PACK: return preparePack;
    case Builtin.UNPACK: return prepareUnpack;
    case Builtin.SPLIT: return prepareSplit;
    case Builtin.SPLIT_V: return prepareSplitV;
    case Builtin.SLICE: return prepareSlice;
    case Builtin.STRIDED_SLICE: return prepareStridedSlice;
    case Builtin.PAD: case Builtin.PADV2: return preparePad;
    case Builtin.TRANSPOSE: return prepareTranspose;
    case Builtin.SHAPE: return prepareShape;
    case Builtin.GATHER: return prepareGather;
    case Builtin.RESIZE_NEAREST_NEIGHBOR: return prepareResizeNearestNeighbor;
    case Builtin.MEAN: case Builtin.SUM: return prepareMeanSum;
    case Builtin.ARG_MAX: case Builtin.ARG_MIN: return prepareArgMinMax;
    // -- TRANSPOSE_CONV, SVDF, LSTM --
    case Builtin.TRANSPOSE_CONV: return prepareTransposeConv;
    case Builtin.SVDF: return prepareSvdf;
    case Builtin.UNIDIRECTIONAL_SEQUENCE_LSTM: return prepareUnidirectionalSequenceLstm;
    case Builtin.CUSTOM: return resolveCustom(customCode);
    default: return null;
  }
}

function resolveCustom(name: string): OpPrepare | null {
  switch (name) {
    // -- signal-library custom ops --
    case 'SignalWindow': return prepareSignalWindow;
    case 'SignalFftAutoScale': return prepareSignalFftAutoScale;
    case 'SignalRfft': return prepareSignalRfft;
    case 'SignalEnergy': return prepareSignalEnergy;
    case 'SignalFilterBank': return prepareSignalFilterBank;
    case 'SignalFilterBankSquareRoot': return prepareSignalFilterBankSquareRoot;
    case 'SignalFilterBankSpectralSubtraction': return prepareSignalFilterBankSpectralSubtraction;
    case 'SignalPCAN': return prepareSignalPcan;
    case 'SignalFilterBankLog': return prepareSignalFilterBankLog;
    default: return null;
  }
}
