// Turns a stream of int8 score vectors (one per inference, with its time in
// ms) into commands, with the behaviour of TFLM micro_speech's
// RecognizeCommands:
// - results older than averageWindowMs before the newest are forgotten;
// - with fewer than minimumCount results, or results spanning less than a
//   quarter of the window, nothing is decided: the command stays the last
//   detected one, with score 0;
// - otherwise each label's score is the integer mean of (score + 128) over
//   the kept results; the top label is the first with the highest mean;
// - the top label is a new detection when its mean is above
//   detectionThreshold and it differs from the last detected label, or the
//   last detection is more than suppressionMs old. Label 0 (silence) never
//   suppresses: after it anything counts as new.
// Two deliberate differences, both only for inputs TFLM mishandles: a time
// earlier than the newest kept result is refused (TFLM compares with the
// oldest), and a full history drops its oldest result (TFLM drops the newest).
import { fail } from '../core/errors';
import { needArray, needInt, needNumber, needSpan } from './util';

export interface RecognizerOptions {
  /** Results within this many ms of the newest are averaged (default 1000). */
  averageWindowMs?: number;
  /** A mean score (0..255) must exceed this to detect (default 200). */
  detectionThreshold?: number;
  /** The same label again within this many ms is not new (default 1500). */
  suppressionMs?: number;
  /** Fewer results than this decide nothing (default 3). */
  minimumCount?: number;
  /** Results kept at most (default 50, as TFLM). */
  maxResults?: number;
  /** Labels heard() never reports (default ['silence', 'unknown']). */
  quiet?: string[];
}

function opt(what: string, v: number | undefined, dflt: number, min: number, max: number): number {
  return v === undefined ? dflt : needInt(what, v, min, max);
}

export class CommandRecognizer {
  readonly labels: string[];
  readonly averageWindowMs: number;
  readonly detectionThreshold: number;
  readonly suppressionMs: number;
  readonly minimumCount: number;
  /** The top label of the last call (the last detected one when undecided). */
  command: string;
  /** Its index in labels. */
  index = 0;
  /** Its mean score 0..255 (0 when undecided). */
  score = 0;
  /** Whether the last call detected a new command. */
  isNew = false;

  private readonly quietLabel: boolean[] = [];
  private readonly maxResults: number;
  private readonly quarterWindowMs: number; // results must span this much (integer division, as TFLM)
  private readonly times: number[] = [];
  private readonly scores: Int16Array; // maxResults rows of labels.length (score + 128)
  private readonly sums: Int32Array; // per label: the sum of the kept (score + 128)
  private front = 0; // ring index of the oldest result
  private size = 0;
  private lastIndex = 0; // last detected label (starts as label 0, silence)
  private lastTime = 0;
  private detected = false;

  constructor(labels: string[], options?: RecognizerOptions) {
    needArray('labels', labels);
    if (labels.length < 1) fail('E_BAD_INPUT', 'CommandRecognizer needs at least one label');
    const o = options || {};
    this.labels = [];
    for (let i = 0; i < labels.length; i++) {
      if (typeof labels[i] !== 'string') fail('E_BAD_INPUT', 'label ' + i + ' must be a string');
      this.labels.push(labels[i]);
    }
    this.averageWindowMs = opt('averageWindowMs', o.averageWindowMs, 1000, 0, 0x7fffffff);
    this.detectionThreshold = opt('detectionThreshold', o.detectionThreshold, 200, 0, 255);
    this.suppressionMs = opt('suppressionMs', o.suppressionMs, 1500, 0, 0x7fffffff);
    this.minimumCount = opt('minimumCount', o.minimumCount, 3, 0, 0x7fffffff);
    this.maxResults = opt('maxResults', o.maxResults, 50, 1, 100000);
    this.quarterWindowMs = Math.floor(this.averageWindowMs / 4);
    const quiet = o.quiet === undefined ? ['silence', 'unknown'] : o.quiet;
    needArray('quiet', quiet);
    for (let i = 0; i < this.labels.length; i++) {
      let q = false;
      for (let j = 0; j < quiet.length; j++) if (quiet[j] === this.labels[i]) q = true;
      this.quietLabel.push(q);
    }
    for (let i = 0; i < this.maxResults; i++) this.times.push(0);
    this.scores = new Int16Array(this.maxResults * this.labels.length);
    this.sums = new Int32Array(this.labels.length);
    this.command = this.labels[0];
  }

  /**
   * Adds one inference's int8 scores, scores[offset .. offset+labels.length),
   * made at timeMs; updates command/index/score/isNew and returns isNew.
   */
  process(scores: ArrayLike<number>, timeMs: number, offset?: number): boolean {
    const off = offset === undefined ? 0 : offset;
    const n = this.labels.length, cap = this.maxResults;
    needSpan('CommandRecognizer.process scores', scores, off, n);
    if (typeof timeMs !== 'number' || !(timeMs - timeMs === 0)) needNumber('timeMs', timeMs);
    if (this.size > 0) {
      const newest = this.times[(this.front + this.size - 1) % cap];
      if (timeMs < newest) fail('E_BAD_INPUT', 'times must not decrease: got ' + timeMs + ' ms after ' + newest + ' ms');
    }
    for (let i = 0; i < n; i++) {
      const v = scores[off + i];
      if (!(v >= -128 && v <= 127 && (v | 0) === v)) fail('E_BAD_INPUT', 'score ' + i + ' must be an int8, got ' + v);
    }
    // Append, dropping the oldest when full; sums follow every change.
    const sums = this.sums;
    if (this.size === cap) this.dropOldest();
    const slot = (this.front + this.size) % cap;
    this.times[slot] = timeMs;
    for (let i = 0; i < n; i++) {
      const v = scores[off + i] + 128;
      this.scores[slot * n + i] = v;
      sums[i] += v;
    }
    this.size++;
    // Forget results older than the window.
    const limit = timeMs - this.averageWindowMs;
    while (this.size > 0 && this.times[this.front] < limit) this.dropOldest();

    this.isNew = false;
    if (this.size < this.minimumCount || timeMs - this.times[this.front] < this.quarterWindowMs) {
      this.index = this.lastIndex;
      this.command = this.labels[this.lastIndex];
      this.score = 0;
      return false;
    }
    let top = 0, topScore = 0;
    for (let i = 0; i < n; i++) {
      const mean = (sums[i] / this.size) | 0; // sums are below 2^31
      if (mean > topScore) {
        topScore = mean;
        top = i;
      }
    }
    const sinceLast = !this.detected || this.lastIndex === 0 ? Infinity : timeMs - this.lastTime;
    if (topScore > this.detectionThreshold && (top !== this.lastIndex || sinceLast > this.suppressionMs)) {
      this.lastIndex = top;
      this.lastTime = timeMs;
      this.detected = true;
      this.isNew = true;
    }
    this.index = top;
    this.command = this.labels[top];
    this.score = topScore;
    return this.isNew;
  }

  private dropOldest(): void {
    const n = this.labels.length, at = this.front * n;
    for (let i = 0; i < n; i++) this.sums[i] -= this.scores[at + i];
    this.front = this.front + 1 === this.maxResults ? 0 : this.front + 1;
    this.size--;
  }

  /** The command detected by the last call, or '' (none, or a quiet label). */
  heard(): string {
    return this.isNew && !this.quietLabel[this.index] ? this.command : '';
  }

  /** Forgets every result and the last detection. */
  reset(): void {
    for (let i = 0; i < this.sums.length; i++) this.sums[i] = 0;
    this.front = 0;
    this.size = 0;
    this.lastIndex = 0;
    this.lastTime = 0;
    this.detected = false;
    this.index = 0;
    this.command = this.labels[0];
    this.score = 0;
    this.isNew = false;
  }
}
