'use strict';
// What the golden tests cover. Every entry here must pass byte-exact (integer)
// or within the stated float tolerance on Node and Duktape; nothing listed is
// skipped. Grow these lists as ops land; the goal is every model and family.
module.exports = {
  // golden.json models
  MODELS: [
    'hello_world_int8', 'hello_world_float', 'micro_speech_int8', 'kws_ds_cnn_int8',
    'ad_autoencoder_int8', 'person_detect_int8', 'vww_mobilenet_int8',
  ],
  // ops.json families
  OP_FAMILIES: [
    'CONV_2D', 'DEPTHWISE_CONV_2D', 'FULLY_CONNECTED', 'AVERAGE_POOL_2D', 'MAX_POOL_2D',
    'SOFTMAX', 'RESHAPE', 'SQUEEZE', 'EXPAND_DIMS',
  ],
};
