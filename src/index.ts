// The device bundle's API (global `tinyml` in the ES5 bundle).
export { Interpreter } from './runtime/interpreter';
export type { InterpreterOptions, TensorView } from './runtime/interpreter';
export { TinyMLError } from './runtime/errors';
export type { ErrorCode } from './runtime/errors';
export type { NativeModule } from './native';
export { runFrames } from './app/run';
export { setNative } from './native';
export const version = '0.1.0';
