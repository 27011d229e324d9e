// Sample buffers for sensor streams. Storage is allocated once (or given by
// the caller); nothing is allocated per sample (a bulk copy of part of a
// typed array costs one subarray view per call: see copyInto).
import { fail } from '../core/errors';
import { Samples, Writable, canView, needArray, needInt, needSpan, storage, copyInto } from './util';

function int16(n: number): Samples { return new Int16Array(n); }

/**
 * The last `capacity` samples of a stream. Values are stored as the backing
 * typed array stores them (an Int16Array wraps out-of-range integers).
 */
export class RingBuffer {
  readonly data: Samples;
  readonly capacity: number;
  /** Samples pushed since construction or clear(), including overwritten ones. */
  written = 0;
  private head = 0; // next slot to write
  private size = 0;

  /** `capacity` samples in a new Int16Array, or `storage`'s whole length. */
  constructor(capacityOrStorage: number | Samples) {
    if (typeof capacityOrStorage === 'number') {
      this.capacity = needInt('RingBuffer capacity', capacityOrStorage, 1, 0x7fffffff);
      this.data = int16(this.capacity);
    } else {
      this.data = storage('RingBuffer storage', capacityOrStorage, 1, int16);
      this.capacity = this.data.length;
    }
  }

  push(v: number): void {
    this.data[this.head] = v;
    this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    if (this.size < this.capacity) this.size++;
    this.written++;
  }

  /** Pushes src[offset .. offset+length) (default: all of src). */
  pushMany(src: ArrayLike<number>, offset?: number, length?: number): void {
    const off = offset === undefined ? 0 : offset;
    if (length === undefined) needArray('RingBuffer.pushMany source', src);
    const len = length === undefined ? src.length - off : length;
    needSpan('RingBuffer.pushMany source', src, off, len);
    // Only the last `capacity` samples can survive.
    const skip = len > this.capacity ? len - this.capacity : 0;
    const n = len - skip, cap = this.capacity;
    const first = Math.min(n, cap - this.head);
    copyInto(src, off + skip, this.data, this.head, first);
    copyInto(src, off + skip + first, this.data, 0, n - first);
    this.head = (this.head + n) % cap;
    this.size = Math.min(cap, this.size + len);
    this.written += len;
  }

  /** How many samples are held (at most capacity). */
  count(): number { return this.size; }

  /** Copies the newest `n` samples, oldest first, to dst[dstOffset ..]. */
  latest(n: number, dst: Writable, dstOffset?: number): void {
    const d = dstOffset === undefined ? 0 : dstOffset;
    needInt('RingBuffer.latest count', n, 0, this.capacity);
    if (n > this.size) fail('E_BAD_INPUT', 'RingBuffer.latest(' + n + '): only ' + this.size + ' samples held');
    needSpan('RingBuffer.latest destination', dst, d, n);
    let start = this.head - n;
    if (start < 0) start += this.capacity;
    const first = Math.min(n, this.capacity - start);
    copyInto(this.data, start, dst, d, first);
    copyInto(this.data, 0, dst, d + first, n - first);
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
    this.written = 0;
  }
}

/** How many whole frames of `size` samples, `hop` apart, fit in `total` samples. */
export function frameCount(total: number, size: number, hop: number): number {
  needInt('total', total, 0, 0x7fffffff);
  needInt('frame size', size, 1, 0x7fffffff);
  needInt('hop', hop, 1, 0x7fffffff);
  return total < size ? 0 : Math.floor((total - size) / hop) + 1;
}

/** Copies frame k (samples [k*hop, k*hop+size) after srcOffset) to dst[dstOffset ..]. */
export function copyFrame(src: ArrayLike<number>, k: number, size: number, hop: number,
  dst: Writable, srcOffset?: number, dstOffset?: number): void {
  const s = srcOffset === undefined ? 0 : srcOffset;
  const d = dstOffset === undefined ? 0 : dstOffset;
  needInt('frame index', k, 0, 0x7fffffff);
  needInt('frame size', size, 1, 0x7fffffff);
  needInt('hop', hop, 1, 0x7fffffff);
  needSpan('frame source', src, s + k * hop, size);
  needSpan('frame destination', dst, d, size);
  copyInto(src, s + k * hop, dst, d, size);
}

/**
 * Cuts a stream into frames of `size` samples every `hop` samples, the first
 * one complete after `size` samples (as TFLM's micro_speech cuts 30 ms
 * windows every 20 ms). Feed any chunk size:
 *
 *   for (let p = 0; p < n; ) {
 *     p += framer.push(chunk, p, n - p);
 *     if (framer.ready()) { framer.read(input); ... }
 *   }
 *
 * The frame is kept in order in its storage, so read() is one native copy.
 */
export class Framer {
  readonly size: number;
  readonly hop: number;
  /** The current frame (its first `size` elements): Int16Array by default. */
  readonly data: Samples;
  /** Frames completed since construction or clear(). */
  frames = 0;
  private fill = 0; // samples of the next frame already in data
  private skip = 0; // samples to drop before the next frame starts (hop > size)
  private isReady = false;
  private readonly tail: ArrayLike<number> | null; // data[hop .. size), made once

  constructor(size: number, hop: number, storageArray?: Samples) {
    this.size = needInt('frame size', size, 1, 0x7fffffff);
    this.hop = needInt('hop', hop, 1, 0x7fffffff);
    this.data = storage('Framer storage', storageArray, size, int16);
    this.tail = hop < size && canView(this.data, hop) ? this.data.subarray(hop, size) : null;
  }

  /**
   * Takes samples from src[offset ..] up to `length` of them, stopping where a
   * frame completes; returns how many it took. A ready frame that was not
   * read is dropped by the next push that takes samples.
   */
  push(src: ArrayLike<number>, offset?: number, length?: number): number {
    const off = offset === undefined ? 0 : offset;
    if (length === undefined) needArray('Framer.push source', src);
    const len = length === undefined ? src.length - off : length;
    needSpan('Framer.push source', src, off, len);
    if (len === 0) return 0;
    if (this.isReady) {
      // Move on by one hop: keep the overlap, or drop what lies between frames.
      const size = this.size, hop = this.hop;
      if (hop < size) {
        if (this.tail) (this.data as Int16Array).set(this.tail);
        else copyInto(this.data, hop, this.data, 0, size - hop);
        this.fill = size - hop;
      } else {
        this.fill = 0;
        this.skip = hop - size;
      }
      this.isReady = false;
    }
    let taken = Math.min(this.skip, len);
    this.skip -= taken;
    const take = Math.min(len - taken, this.size - this.fill);
    copyInto(src, off + taken, this.data, this.fill, take);
    this.fill += take;
    taken += take;
    if (this.fill === this.size) {
      this.isReady = true;
      this.frames++;
    }
    return taken;
  }

  /** True when the last push completed a frame. */
  ready(): boolean { return this.isReady; }

  /** Copies the frame just completed (oldest sample first) to dst[dstOffset ..]. */
  read(dst: Writable, dstOffset?: number): void {
    if (!this.isReady) fail('E_BAD_STATE', 'Framer.read: no frame is ready (read right after the push that completes one)');
    const d = dstOffset === undefined ? 0 : dstOffset;
    needSpan('Framer.read destination', dst, d, this.size);
    copyInto(this.data, 0, dst, d, this.size);
  }

  clear(): void {
    this.fill = 0;
    this.skip = 0;
    this.isReady = false;
    this.frames = 0;
  }
}
