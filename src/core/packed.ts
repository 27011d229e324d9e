// The packed-model format (layout in native/include/tinyml.h): what the
// device core reads of it. The section is read through an Int32Array, and
// only what is asked for: on a microcontroller every script-level operation
// costs hundreds of instructions. The native layer checks the whole section
// (bounds, versions, hashes) at load; reads here stay inside the array and
// fail with coded errors.
import { fail } from './errors';
import { PROGRAM_VERSION } from './native';

export const PACK_MAGIC = 0x504c4d54; // "TMLP"
export const PACK_VERSION = 1;
export const PACK_HEADER_WORDS = 12;
export const PACK_FOOTER_WORDS = 2;
/** Header word indices (tml_pack_word). */
export const W_MAGIC = 0, W_VERSION = 1, W_RUNTIME = 2, W_MODEL_BYTES = 3, W_MODEL_HASH = 4,
  W_WORDS = 5, W_HASH = 6, W_PROGRAM = 7, W_PROGRAM_WORDS = 8, W_META = 9, W_META_WORDS = 10, W_ARENA = 11;

/** A little-endian int32 at byte p of b. */
export function wordAt(b: Uint8Array, p: number): number {
  return b[p] | b[p + 1] << 8 | b[p + 2] << 16 | b[p + 3] << 24;
}

/** Byte offset of the section of a packed file, or -1 if the bytes carry none. */
export function packedSectionAt(b: Uint8Array): number {
  const n = b.length;
  if (n < 8 || wordAt(b, n - 4) !== PACK_MAGIC) return -1;
  return wordAt(b, n - 8);
}

/** One graph input or output as the packed meta describes it. */
export interface TensorInfo {
  index: number;
  name: string;
  dtype: number;
  shape: number[];
  scale: number;
  zeroPoint: number;
  bytes: number;
  /** 0: read by no op, 1: planned section of the arena, 2: the model bytes. */
  where: number;
  offset: number;
}

export function corrupt(what: string): never {
  return fail('E_BAD_PACK', 'the packed section is truncated or corrupt (' + what + '): pack the model again');
}

/** Checks a section's header words (magic, versions, length); throws coded errors. */
export function checkHeader(w: Int32Array): void {
  if (w.length < PACK_HEADER_WORDS + PACK_FOOTER_WORDS || w[W_MAGIC] !== PACK_MAGIC) corrupt('header');
  if (w[W_VERSION] !== PACK_VERSION || w[W_RUNTIME] !== PROGRAM_VERSION) {
    fail('E_PACK_VERSION', 'packed for format ' + w[W_VERSION] + ', runtime ' + w[W_RUNTIME] + '; this core runs format ' +
      PACK_VERSION + ', runtime ' + PROGRAM_VERSION + ': pack the model again with this version of tinyml');
  }
  if (w[W_WORDS] !== w.length) corrupt('length');
  // The arena figure sizes an allocation before the native layer sees the section.
  if (!(w[W_ARENA] > 0)) corrupt('arena size');
}

/**
 * Checks the meta words (inputs, outputs, op table) and says where each part
 * starts: [inputs, outputs, then the word index of each input's and each
 * output's record, then that of the op table (opIndex, opCode pairs) and its
 * length in words]. Records are read only when asked for (tensorAt): on
 * Espruino every object and array element costs a variable.
 */
export function readMeta(w: Int32Array): number[] {
  let p = w[W_META];
  const end = p + w[W_META_WORDS];
  if (!(p >= PACK_HEADER_WORDS && end <= w.length - PACK_FOOTER_WORDS)) corrupt('meta');
  const at = [w[p], w[p + 1]];
  p += 2;
  for (let i = 0; i < at[0] + at[1] && p < end; i++) {
    at.push(p);
    const rank = w[p + 7];
    p += 8 + (rank > 0 ? (rank < 8 ? rank : 8) : 0);
    const chars = w[p++];
    // p only moves forward: a negative or huge count would loop for ever.
    if (!(chars >= 0 && chars <= 4 * (end - p))) corrupt('meta');
    p += (chars + 3) >> 2;
  }
  const ops = 2 * w[p++];
  at.push(p, ops > end - p ? end - p : ops > 0 ? ops : 0);
  if (!(p <= end && at[0] >= 0 && at[1] >= 0 && at.length === at[0] + at[1] + 4)) corrupt('meta');
  return at;
}

/** The tensor whose meta record starts at word p (a position readMeta gave). */
export function tensorAt(w: Int32Array, p: number): TensorInfo {
  const rank = w[p + 7];
  const shape: number[] = [];
  for (let k = 0; k < rank && k < 8; k++) shape.push(w[p + 8 + k]);
  let q = p + 8 + shape.length;
  const chars = w[q++];
  const codes: number[] = [];
  for (let k = 0; k < chars && k < 256; k++) codes.push(w[q + (k >> 2)] >>> 8 * (k & 3) & 0xff);
  return {
    index: w[p], name: String.fromCharCode.apply(null, codes), dtype: w[p + 1], shape: shape,
    scale: new Float32Array(new Int32Array([w[p + 5]]).buffer)[0], zeroPoint: w[p + 6],
    where: w[p + 2], offset: w[p + 3], bytes: w[p + 4],
  };
}
