'use strict';
// What the golden tests cover. Every entry here must pass byte-exact (integer)
// or within the stated float tolerance on Node and Duktape; nothing listed is
// skipped. Grow these lists as ops land; the goal is every model and family.
module.exports = {
  // golden.json models
  MODELS: [
    'hello_world_int8', 'hello_world_float', 'micro_speech_int8', 'kws_ds_cnn_int8',
    'ad_autoencoder_int8', 'person_detect_int8', 'vww_mobilenet_int8',
    'keyword_scrambled', 'keyword_scrambled_8bit', 'mnist_lstm_int8', 'mnist_lstm_float',
    // elementwise binary, activations, quantize/cast
    'simple_add', 'ic_resnet8_int8', 'ic_resnet8_float',
    // signal-library custom ops
    'audio_preprocessor_int8', 'audio_preprocessor_float',
  ],
  // ops.json families
  OP_FAMILIES: [
    'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'AVERAGE_POOL_2D', 'MAX_POOL_2D',
    'SOFTMAX', 'RESHAPE', 'SQUEEZE', 'EXPAND_DIMS',
    // data movement and reductions
    'CONCATENATION', 'STRIDED_SLICE', 'SLICE', 'PAD', 'PADV2', 'TRANSPOSE', 'SPLIT', 'PACK', 'UNPACK',
    'GATHER', 'SHAPE', 'RESIZE_NEAREST_NEIGHBOR', 'MEAN', 'SUM', 'ARG_MAX',
    'TRANSPOSE_CONV',
    // elementwise binary, activations, quantize/cast
    'ADD', 'SUB', 'MUL', 'MINIMUM', 'MAXIMUM', 'LOGISTIC', 'TANH', 'RELU', 'RELU6', 'LEAKY_RELU',
    'HARD_SWISH', 'ELU', 'QUANTIZE', 'DEQUANTIZE',
  ],
};
