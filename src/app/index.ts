// App helpers: the pipeline around a model (sensor buffers, feature windows,
// quantization, decisions, WAV and BMP input). ES5; storage is made once, in
// constructors or by the caller; nothing is allocated per sample. Wrong
// arguments throw TinyMLError E_BAD_INPUT (E_BAD_STATE for Framer.read too early).
export { RingBuffer, Framer, frameCount, copyFrame } from './ring';
export { SlidingWindow } from './window';
export type { SlidingWindowOptions } from './window';
export {
  quantize, dequantize, quantizeArray, dequantizeArray, quantParams,
  argmax, topK, DTYPE_INT8, DTYPE_UINT8, DTYPE_INT16,
} from './quant';
export { CommandRecognizer } from './recognize';
export type { RecognizerOptions } from './recognize';
export { readWav } from './wav';
export type { Wav } from './wav';
export { readBmp, rgbToGray, resize, resizeRegion, crop, grayToInt8, grayToQuantized } from './image';
export type { QuantParams } from './quant';
export type { Image } from './image';
export { allocateShared, sharedLayout } from './shared';
export type { SharedLayout, SharedOptions } from './shared';
