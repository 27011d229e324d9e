// Op resolver: builtin operator code (or custom name) -> prepare step.
// Ops not listed here fail at allocateTensors() with E_UNSUPPORTED_OP.
import { Builtin } from '../model/builtin';
import { OpPrepare } from '../ops/types';
import { prepareFullyConnected } from '../ops/fully_connected';
import { prepareSoftmax } from '../ops/softmax';
import { prepareAveragePool2D, prepareMaxPool2D } from '../ops/pooling';
import { prepareReshape } from '../ops/reshape';
import { prepareConv2D, prepareDepthwiseConv2D } from '../ops/conv';
// -- elementwise binary, activations, quantize/cast --
// -- data movement and reductions --
// -- TRANSPOSE_CONV, SVDF, LSTM --
// -- signal-library custom ops --

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
    // -- data movement and reductions --
    // -- TRANSPOSE_CONV, SVDF, LSTM --
    case Builtin.CUSTOM: return resolveCustom(customCode);
    default: return null;
  }
}

function resolveCustom(name: string): OpPrepare | null {
  switch (name) {
    // -- signal-library custom ops --
    default: return null;
  }
}
