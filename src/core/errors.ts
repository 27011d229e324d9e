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
  | 'E_NATIVE' // the native layer refused the program (should not happen)
  // over-the-air updates (src/ota, native/ota/README.md)
  | 'E_OTA_ARG'
  | 'E_OTA_STATE'
  | 'E_OTA_BUSY'
  | 'E_OTA_TOO_BIG'
  | 'E_OTA_SIZE'
  | 'E_OTA_BAD_MAGIC'
  | 'E_OTA_BAD_FORMAT'
  | 'E_OTA_BAD_HEADER'
  | 'E_OTA_FOREIGN_BOARD'
  | 'E_OTA_FOREIGN_KEY'
  | 'E_OTA_DOWNGRADE'
  | 'E_OTA_OUT_OF_ORDER'
  | 'E_OTA_DUPLICATE'
  | 'E_OTA_TOO_LONG'
  | 'E_OTA_TRUNCATED'
  | 'E_OTA_BAD_SIGNATURE'
  | 'E_OTA_MANIFEST_HASH'
  | 'E_OTA_BAD_MANIFEST'
  | 'E_OTA_FILE_HASH'
  | 'E_OTA_FLASH'
  | 'E_OTA_NO_IMAGE'
  | 'E_OTA_NOT_FOUND'
  | 'E_OTA_BUILD'
  | 'E_OTA_KEY';

/** The one error type every public entry point throws: a stable code and a one-line message. */
export interface TinyMLError extends Error {
  code: ErrorCode;
}

/**
 * Written as an ES5 constructor, not `class extends Error`: the class form
 * pulls TypeScript's inheritance helper into the device core (about 400
 * bytes) and loses the prototype chain on ES5 engines anyway.
 */
export const TinyMLError = function (this: TinyMLError, code: ErrorCode, message: string) {
  this.name = 'TinyMLError';
  this.code = code;
  this.message = code + ': ' + message;
  // Where the engine records stacks (Node), keep one.
  const trace = (Error as any).captureStackTrace;
  if (trace) trace(this, TinyMLError);
} as unknown as { new (code: ErrorCode, message: string): TinyMLError; prototype: TinyMLError };
TinyMLError.prototype = Object.create(Error.prototype);
TinyMLError.prototype.constructor = TinyMLError;

export function fail(code: ErrorCode, message: string): never {
  throw new TinyMLError(code, message);
}
