// What the model reader hands the runtime: plain data, no FlatBuffer objects,
// so the planner and the ops never touch the raw bytes except through here.
import { ByteBuffer } from './flatbuffers';

/** TFLite TensorType numbers (the same values travel to the native layer). */
export const enum DType {
  FLOAT32 = 0,
  FLOAT16 = 1,
  INT32 = 2,
  UINT8 = 3,
  INT64 = 4,
  STRING = 5,
  BOOL = 6,
  INT16 = 7,
  COMPLEX64 = 8,
  INT8 = 9,
  FLOAT64 = 10,
  COMPLEX128 = 11,
  UINT64 = 12,
  RESOURCE = 13,
  VARIANT = 14,
  UINT32 = 15,
  UINT16 = 16,
  INT4 = 17,
}

export interface TensorInfo {
  index: number;
  name: string;
  dtype: number; // DType
  shape: number[];
  /** Bytes of the tensor's data: product(shape) * element size. */
  bytes: number;
  /** Index into Model.buffers (0 = no data). */
  buffer: number;
  /** Constant data inside the model bytes, or -1 when the tensor has none. */
  dataOffset: number;
  /** Per-tensor or per-channel quantization; empty arrays when not quantized. */
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  isVariable: boolean;
}

export interface OperatorInfo {
  index: number;
  /** Builtin operator code (BuiltinOperator), resolved from the opcode table. */
  builtin: number;
  /** Custom op name when builtin is CUSTOM (32), else "". */
  customCode: string;
  version: number;
  inputs: number[]; // -1 = optional input left out
  outputs: number[];
  intermediates: number[];
  /** BuiltinOptions union type and the table's absolute position in the bytes (0 if none). */
  optionsType: number;
  optionsPos: number;
  /** BuiltinOptions2 union (newer ops), same convention. */
  options2Type: number;
  options2Pos: number;
  /** Raw bytes of custom_options (flexbuffer), or null. */
  customOptions: Uint8Array | null;
}

export interface SubgraphInfo {
  name: string;
  tensors: TensorInfo[];
  inputs: number[];
  outputs: number[];
  operators: OperatorInfo[];
}

export interface ModelInfo {
  version: number;
  description: string;
  bytes: Uint8Array;
  subgraphs: SubgraphInfo[];
  /** Metadata entries by name -> buffer data (e.g. "OfflineMemoryAllocation"). */
  metadata: { [name: string]: Uint8Array };
  /** FlatBuffer view over `bytes`, for ops reading their option tables (see options.ts). */
  bb: ByteBuffer;
}
