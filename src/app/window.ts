// A window of the last `rows` feature rows (e.g. micro_speech's 49 rows of 40
// int8 filterbank values, one row per 20 ms), oldest row first when read.
import { Samples, Writable, canView, needInt, needNumber, needSpan, storage, copyInto } from './util';

function int8(n: number): Samples { return new Int8Array(n); }

export interface SlidingWindowOptions {
  /**
   * Rows in time order inside the storage at all times (each push moves the
   * rows up one, with one native copy), so `data` can be handed on as it is.
   * Default false: a circular store, read out in order with copyTo().
   * Do not give a model's input view as storage: the interpreter may reuse
   * an input's bytes during invoke() (Interpreter docs), so copy the window
   * into the input before every invoke.
   */
  ordered?: boolean;
  /** Value of the rows not pushed yet (default 0). */
  fill?: number;
}

export class SlidingWindow {
  readonly rows: number;
  readonly cols: number;
  /** rows*cols values: an Int8Array by default, or the storage given. */
  readonly data: Samples;
  /** Rows pushed since construction or clear(). */
  pushed = 0;
  private readonly ordered: boolean;
  private readonly fill: number;
  private next = 0; // circular mode: the slot of the oldest row, written next
  private readonly tail: ArrayLike<number> | null; // ordered mode: rows 1.. as a view, made once

  constructor(rows: number, cols: number, storageArray?: Samples, options?: SlidingWindowOptions) {
    this.rows = needInt('SlidingWindow rows', rows, 1, 0x7fffffff);
    this.cols = needInt('SlidingWindow cols', cols, 1, 0x7fffffff);
    needInt('SlidingWindow size', rows * cols, 1, 0x7fffffff);
    const o = options || {};
    this.ordered = !!o.ordered;
    this.fill = o.fill === undefined ? 0 : needNumber('SlidingWindow fill', o.fill);
    this.data = storage('SlidingWindow storage', storageArray, rows * cols, int8);
    this.tail = this.ordered && rows > 1 && canView(this.data, cols) ? this.data.subarray(cols, rows * cols) : null;
    this.clear();
  }

  /** Appends one row: src[offset .. offset+cols). */
  pushRow(src: ArrayLike<number>, offset?: number): void {
    const off = offset === undefined ? 0 : offset;
    needSpan('SlidingWindow.pushRow source', src, off, this.cols);
    const cols = this.cols, data = this.data;
    if (this.ordered) {
      const keep = (this.rows - 1) * cols;
      if (this.tail) (data as Int8Array).set(this.tail);
      else copyInto(data, cols, data, 0, keep);
      copyInto(src, off, data, keep, cols);
    } else {
      copyInto(src, off, data, this.next * cols, cols);
      this.next = this.next + 1 === this.rows ? 0 : this.next + 1;
    }
    this.pushed++;
  }

  /** Rows holding pushed data (at most `rows`). */
  count(): number { return Math.min(this.pushed, this.rows); }

  full(): boolean { return this.pushed >= this.rows; }

  /** Copies the window, oldest row first, to dst[dstOffset .. +rows*cols). */
  copyTo(dst: Writable, dstOffset?: number): void {
    const d = dstOffset === undefined ? 0 : dstOffset;
    const n = this.rows * this.cols;
    needSpan('SlidingWindow.copyTo destination', dst, d, n);
    const split = this.next * this.cols; // 0 in ordered mode
    copyInto(this.data, split, dst, d, n - split);
    copyInto(this.data, 0, dst, d + n - split, split);
  }

  /** Forgets every row: the window holds `fill` again. */
  clear(): void {
    const n = this.rows * this.cols;
    for (let i = 0; i < n; i++) this.data[i] = this.fill;
    this.next = 0;
    this.pushed = 0;
  }
}
