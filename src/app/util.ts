// Argument checks and copies shared by the app helpers. Checks run once per
// call, never per element; everything throws TinyMLError E_BAD_INPUT.
import { fail } from '../core/errors';

/** Typed arrays the helpers store samples, rows and pixels in. */
export type Samples = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Float32Array;

/** Anything indexable to write numbers into (typed arrays, plain arrays). */
export interface Writable {
  length: number;
  [i: number]: number;
}

// The checks below are the per-call cost of every helper (on Duktape a call
// costs thousands of instructions): plain tests inline, and messages are
// built only when a check fails.

function isArrayLike(a: unknown): boolean {
  return typeof a === 'object' && a !== null && typeof (a as ArrayLike<number>).length === 'number';
}

/** An integer in [min, max]. */
export function needInt(what: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || Math.floor(v) !== v || v < min || v > max) {
    fail('E_BAD_INPUT', what + ' must be an integer in ' + min + '..' + max + ', got ' + String(v));
  }
  return v as number;
}

/** A finite number. */
export function needNumber(what: string, v: unknown): number {
  if (typeof v !== 'number' || !(v - v === 0)) fail('E_BAD_INPUT', what + ' must be a finite number, got ' + String(v));
  return v as number;
}

export function needArray(what: string, a: unknown): void {
  if (!isArrayLike(a)) fail('E_BAD_INPUT', what + ' must be an array or typed array');
}

/** `a` is array-like and a[offset .. offset+length) lies inside it. */
export function needSpan(what: string, a: unknown, offset: number, length: number): void {
  // `x | 0` is x only for integers below 2^31: no array here is longer.
  if (typeof a !== 'object' || a === null || typeof offset !== 'number' || typeof length !== 'number' ||
    (offset | 0) !== offset || (length | 0) !== length || offset < 0 || length < 0 ||
    !(offset + length <= (a as ArrayLike<number>).length)) {
    spanFail(what, a, offset, length);
  }
}

function spanFail(what: string, a: unknown, offset: number, length: number): void {
  needArray(what, a);
  const n = (a as ArrayLike<number>).length;
  needInt(what + ' offset', offset, 0, n);
  needInt(what + ' length', length, 0, n);
  fail('E_BAD_INPUT', what + ' has ' + n + ' elements, needs ' + length + ' from offset ' + offset);
}

/** Storage for `n` elements: a new Int16Array(n) or the given typed array (checked). */
export function storage(what: string, given: Samples | undefined, n: number, make: (n: number) => Samples): Samples {
  if (given === undefined) return make(n);
  needArray(what, given);
  if (given.length < n) fail('E_BAD_INPUT', what + ' has ' + given.length + ' elements, needs ' + n);
  return given;
}

// What bulk copies need from a typed array (absent on plain arrays).
interface Bulk {
  set?: (a: ArrayLike<number>, offset?: number) => void;
  subarray?: (begin: number, end: number) => ArrayLike<number>;
  byteOffset?: number;
  BYTES_PER_ELEMENT?: number;
}

/** Whether src[begin ..] can be viewed with subarray(): Espruino takes byte offsets below 65536 only. */
export function canView(a: unknown, begin: number): boolean {
  const b = a as Bulk;
  return typeof b.subarray === 'function' && (b.byteOffset as number) + begin * (b.BYTES_PER_ELEMENT as number) < 65536;
}

/**
 * dst[d..d+n) = src[s..s+n), overlapping or not. Typed arrays copy with the
 * engine's native set() (on Duktape a plain loop costs ~1000x more); a part
 * of src costs one subarray view per call, never one per element.
 */
export function copyInto(src: ArrayLike<number>, s: number, dst: Writable, d: number, n: number): void {
  const to = dst as unknown as Bulk;
  if (n > 16 && typeof to.set === 'function') {
    if (s === 0 && n === src.length && typeof (src as Bulk).subarray === 'function') {
      to.set(src, d);
      return;
    }
    if (canView(src, s)) {
      to.set(((src as Bulk).subarray as (b: number, e: number) => ArrayLike<number>).call(src, s, s + n), d);
      return;
    }
  }
  if ((src as unknown) === dst && d > s) {
    for (let i = n - 1; i >= 0; i--) dst[d + i] = src[s + i];
  } else {
    for (let i = 0; i < n; i++) dst[d + i] = src[s + i];
  }
}
