// The device core bundle (dist/tinyml.core.js, global `tinyml`): runs packed
// models only. What a board needs and nothing more.
export { Interpreter, setPlanner } from './core/interpreter';
export type { InterpreterOptions, TensorView, TensorInfo } from './core/interpreter';
export { TinyMLError } from './core/errors';
export type { ErrorCode } from './core/errors';
export type { NativeModule, OpProfile } from './core/native';
export { setNative } from './core/native';
export { runFrames } from './app/run';
export const version = '0.2.0';
