// The device bundle's API (global `tinyml` in the ES5 bundle).
export { Interpreter } from './runtime/interpreter';
export { TinyMLError } from './runtime/errors';
export { runFrames } from './app/run';
export { setNative } from './native';
export const version = '0.1.0';
