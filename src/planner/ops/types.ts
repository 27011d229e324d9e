// The contract between the runtime and one op's prepare step.
import { ModelInfo, OperatorInfo, TensorInfo } from '../model/types';

/** Everything prepare may look at for one operator. */
export interface OpContext {
  model: ModelInfo;
  op: OperatorInfo;
  tensors: TensorInfo[];
  /** Input tensor in slot i, or null when absent (index -1 or slot missing). */
  input(i: number): TensorInfo | null;
  output(i: number): TensorInfo;
  /** Throws a TinyMLError(E_UNSUPPORTED_OP / E_BAD_MODEL) naming the op and its index. */
  unsupported(what: string): never;
  invalid(what: string): never;
}

/** What prepare hands the planner and the native layer for one operator. */
export interface PreparedOp {
  /** Native kernel kind (tml_kernel_kind in native/include/tinyml.h). */
  kind: number;
  /** Tensor indices in the order the native adapter expects; -1 = absent. */
  inputs: number[];
  outputs: number[];
  /** int32 param words: the kernel's struct fields in order, then arrays. */
  params: number[];
  /** Output 0 may share input 0's memory (RESHAPE-like ops): the planner aliases them. */
  aliasOutputToInput?: boolean;
  /**
   * Input slots whose memory output 0 may take over when that input dies at
   * this op (element-wise kernels that read element i before writing it).
   */
  inPlaceInputs?: number[];
  /** Set by a fusion pass (src/planner/fuse.ts): this op's work is done by another op. */
  absorbed?: boolean;
  /**
   * Extra arena buffers the kernel needs, appended to `outputs` in this order
   * (16-byte aligned). Scratch (state false) lives only during this op; state
   * lives across invokes and is set to `fill` (default 0) at allocation and by
   * resetVariables(), like TFLM's variable tensors.
   */
  buffers?: { bytes: number; state: boolean; fill?: number }[];
}

export type OpPrepare = (ctx: OpContext) => PreparedOp;
