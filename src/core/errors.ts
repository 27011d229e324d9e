// One error type for the whole runtime: a stable code plus a one-line message
// that names the op / tensor / index involved.

export type ErrorCode =
  | 'E_MODEL_TRUNCATED' // the bytes end before a table/vector they reference
  | 'E_BAD_IDENTIFIER' // not a TFLite FlatBuffer (file identifier is not TFL3)
  | 'E_BAD_MODEL' // structurally broken: offsets, vtables, lengths, shapes
  | 'E_BAD_INDEX' // a tensor/buffer/opcode/subgraph index out of range
  | 'E_UNSUPPORTED_OP' // op (or op variant/option) this runtime cannot run
  | 'E_ARENA_TOO_SMALL' // message says how many bytes are needed
  | 'E_BAD_INPUT' // wrong input length / type / shape from the caller
  | 'E_BAD_STATE' // e.g. invoke() before allocateTensors()
  | 'E_NO_NATIVE' // the native module is not available on this engine
  | 'E_NOT_PACKED' // raw .tflite given to a core without the on-device planner
  | 'E_BAD_PACK' // packed section truncated or corrupt
  | 'E_PACK_MISMATCH' // packed for other model bytes
  | 'E_PACK_VERSION' // packed for another pack format / runtime version
  | 'E_NATIVE'; // the native layer refused the program (should not happen)

export class TinyMLError extends Error {
  code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(code + ': ' + message);
    // ES5 targets lose the prototype chain when extending Error.
    Object.setPrototypeOf(this, TinyMLError.prototype);
    this.name = 'TinyMLError';
    this.code = code;
    this.message = code + ': ' + message;
  }
}

export function fail(code: ErrorCode, message: string): never {
  throw new TinyMLError(code, message);
}
