// Shared by the data-movement ops: the generic strided move program
// (TML_K_MOVE), constant-tensor readers and checks. Ops that only move
// elements (CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, SLICE,
// STRIDED_SLICE, TRANSPOSE, PAD, PADV2, SHAPE) describe what TFLM's loops
// visit as a few copy/fill steps of up to MOVE_RANK dims each; the native
// side checks every step against its tensors and runs it for any dtype.
// Messages need not repeat the op's name: ctx prefixes "op N (NAME)".
import { DType, TensorInfo } from '../model/types';
import { OpContext, PreparedOp } from './types';
import { dtypeName, numElements } from './quant';

export const MOVE_RANK = 6;

/** Element size of a dtype the movement kernels handle, 0 otherwise. */
export function elemSize(dtype: number): number {
  switch (dtype) {
    case DType.INT8: case DType.UINT8: case DType.BOOL: return 1;
    case DType.INT16: return 2;
    case DType.FLOAT32: case DType.INT32: return 4;
    case DType.INT64: return 8;
    default: return 0;
  }
}


export function shapeStr(s: number[]): string {
  return '[' + s.join(',') + ']';
}

/** Row-major element strides of a shape. */
export function stridesOf(shape: number[]): number[] {
  const s: number[] = [];
  let n = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = n;
    n *= shape[i];
  }
  return s;
}

/** Product of shape[from..to). */
export function product(shape: number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

/** Exactly nIn inputs (any number if -1) and nOut outputs. */
export function io(ctx: OpContext, nIn: number, nOut: number): void {
  const i = ctx.op.inputs.length;
  const o = ctx.op.outputs.length;
  if ((nIn >= 0 && i !== nIn) || o !== nOut) ctx.invalid(i + ' inputs and ' + o + ' outputs, expected ' + nIn + ' and ' + nOut);
}

/** Input i, which must be present. */
export function input(ctx: OpContext, i: number): TensorInfo {
  return ctx.input(i) || ctx.invalid('input ' + i + ' is missing');
}

/**
 * Rejects dynamic or empty shapes (the plan needs static, non-empty
 * tensors) and, with `types`, a dtype not in the list.
 */
export function check(ctx: OpContext, t: TensorInfo, types?: number[]): void {
  for (let i = 0; i < t.shape.length; i++) {
    if (t.shape[i] <= 0) ctx.unsupported('tensor ' + t.index + ' with shape ' + shapeStr(t.shape));
  }
  if (!types) return;
  for (let i = 0; i < types.length; i++) if (t.dtype === types[i]) return;
  ctx.unsupported(dtypeName(t.dtype) + ' tensor ' + t.index);
}

/** b has a's dtype. */
export function sameType(ctx: OpContext, a: TensorInfo, b: TensorInfo): void {
  if (a.dtype !== b.dtype) ctx.invalid('tensor ' + b.index + ' is ' + dtypeName(b.dtype) + ', not ' + dtypeName(a.dtype));
}

/** t has exactly the shape want. */
export function expectShape(ctx: OpContext, t: TensorInfo, want: number[]): void {
  let ok = t.shape.length === want.length;
  for (let i = 0; ok && i < want.length; i++) ok = t.shape[i] === want[i];
  if (!ok) ctx.invalid('tensor ' + t.index + ' has shape ' + shapeStr(t.shape) + ', expected ' + shapeStr(want));
}

/** A possibly negative axis resolved against rank. */
export function resolveAxis(ctx: OpContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) ctx.invalid('axis ' + axis + ' is out of range for rank ' + rank);
  return a;
}

function i32At(b: Uint8Array, p: number): number {
  return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
}

/**
 * Values of a constant int32 (or, with allow64, int64) tensor from the
 * model bytes; int64 values must fit in int32.
 */
export function constInts(ctx: OpContext, t: TensorInfo, allow64: boolean): number[] {
  if (t.dataOffset < 0) ctx.unsupported('non-constant tensor ' + t.index);
  const size = t.dtype === DType.INT32 ? 4 : allow64 && t.dtype === DType.INT64 ? 8 : 0;
  if (!size) ctx.unsupported(dtypeName(t.dtype) + ' tensor ' + t.index);
  const n = numElements(t.shape);
  if (n * size > t.bytes) ctx.invalid('tensor ' + t.index + ' is shorter than its shape');
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = t.dataOffset + i * size;
    const lo = i32At(ctx.model.bytes, p);
    if (size === 8 && i32At(ctx.model.bytes, p + 4) !== (lo < 0 ? -1 : 0)) {
      ctx.unsupported('tensor ' + t.index + ' value ' + i + ' beyond int32');
    }
    out.push(lo);
  }
  return out;
}

/** Per-tensor quantization as TFLM reads it (0 when absent). */
export function qScale(t: TensorInfo): number { return t.scale.length ? t.scale[0] : 0; }
export function qZero(t: TensorInfo): number { return t.zeroPoint.length ? t.zeroPoint[0] : 0; }

/**
 * Collects move steps for one op (tml_move_step words). Dims of count 1
 * are dropped and adjacent dims contiguous on both sides merged, so most
 * steps become one long run the kernel copies with memcpy.
 */
export class MoveProgram {
  private words: number[];
  constructor(private ctx: OpContext, elem: number) {
    this.words = [elem, 0];
  }

  /** type 0 COPY (src slot), 1 FILL (value lo/hi), 2 FILL_FROM (src slot, element srcOff). */
  step(type: number, src: number, dst: number, srcOff: number, dstOff: number,
    count: number[], ss: number[], ds: number[], lo?: number, hi?: number): void {
    const c: number[] = [];
    const s: number[] = [];
    const d: number[] = [];
    for (let i = 0; i < count.length; i++) {
      if (count[i] === 0) return; // nothing to move
      if (count[i] === 1) continue;
      const k = c.length - 1;
      if (k >= 0 && s[k] === ss[i] * count[i] && d[k] === ds[i] * count[i]) {
        c[k] *= count[i];
        s[k] = ss[i];
        d[k] = ds[i];
      } else {
        c.push(count[i]);
        s.push(ss[i]);
        d.push(ds[i]);
      }
    }
    if (c.length > MOVE_RANK) this.ctx.unsupported('a move over more than ' + MOVE_RANK + ' separate dims');
    while (c.length < MOVE_RANK) {
      c.unshift(1);
      s.unshift(0);
      d.unshift(0);
    }
    this.words = this.words.concat([type, src, dst, srcOff, dstOff], c, s, d, [lo || 0, hi || 0]);
    this.words[1]++;
  }

  /** Copies count[] elements from input slot src (strides ss) to output slot dst (strides ds). */
  copy(src: number, dst: number, srcOff: number, dstOff: number, count: number[], ss: number[], ds: number[]): void {
    this.step(0, src, dst, srcOff, dstOff, count, ss, ds);
  }

  /** The prepared op: tensor indices in slot order. */
  op(inputs: number[], outputs: number[]): PreparedOp {
    return { kind: 60, inputs: inputs, outputs: outputs, params: this.words };
  }
}
