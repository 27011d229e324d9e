// The TFLM signal-library custom ops of an audio front end (SignalWindow ...
// SignalFilterBankLog). Options come from the op's FlexBuffers map; each
// prepare checks what TFLM's Prepare checks, plus what TFLM leaves to luck
// (index ranges, shift counts), and computes the kernel's params. SignalRfft
// gets its kissfft factorisation and twiddle tables here, so the native layer
// needs no libm.
import { DType, TensorInfo } from '../model/types';
import { FlexMap } from '../model/flexbuffers';
import { OpContext, OpPrepare } from './types';
import { dtypeName, f32bits, fround, numElements } from './quant';

const K_WINDOW = 120, K_AUTO_SCALE = 121, K_RFFT_S16 = 122, K_RFFT_S32 = 123, K_RFFT_F32 = 124;
const K_ENERGY = 125, K_FILTER_BANK = 126, K_FB_SQRT = 127, K_SPECTRAL_SUB = 128, K_PCAN = 129;
const K_FB_LOG = 130;

// Entries of the PCAN gain table the kernel may index (4 * 32 - 6 + 3).
const PCAN_LUT_ENTRIES = 125;


/** The op's tensors, after checking counts, types and ranks (-1 = any rank >= 1). */
function tensors(ctx: OpContext, ins: number[][], outs: number[][]): { i: TensorInfo[]; o: TensorInfo[] } {
  if (ctx.op.inputs.length !== ins.length || ctx.op.outputs.length !== outs.length) {
    ctx.invalid('needs ' + ins.length + ' input(s) and ' + outs.length + ' output(s)');
  }
  const r = { i: [] as TensorInfo[], o: [] as TensorInfo[] };
  for (let k = 0; k < ins.length + outs.length; k++) {
    const isIn = k < ins.length;
    const slot = isIn ? k : k - ins.length;
    const want = isIn ? ins[slot] : outs[slot];
    const t = isIn ? ctx.input(slot) : ctx.output(slot);
    const what = (isIn ? 'input ' : 'output ') + slot;
    if (!t) return ctx.invalid(what + ' is missing');
    if (!isIn && t.dataOffset >= 0) ctx.invalid(what + ' (tensor ' + t.index + ') is a constant');
    if (t.dtype !== want[0]) {
      ctx.invalid(what + ' (tensor ' + t.index + ') must be ' + dtypeName(want[0]) + ', not ' + dtypeName(t.dtype));
    }
    const rank = t.shape.length;
    if (want[1] >= 0 ? rank !== want[1] : rank < 1) {
      ctx.invalid(what + ' (tensor ' + t.index + ') has rank ' + rank + ', expected ' + (want[1] >= 0 ? want[1] : '>= 1'));
    }
    for (let d = 0; d < rank; d++) {
      if (t.shape[d] <= 0) ctx.unsupported(what + ' (tensor ' + t.index + ') is empty');
    }
    (isIn ? r.i : r.o).push(t);
  }
  return r;
}

function options(ctx: OpContext): FlexMap {
  return new FlexMap(ctx.op.customOptions, ctx.invalid);
}

function inRange(ctx: OpContext, what: string, v: number, lo: number, hi: number): number {
  if (!(v >= lo && v <= hi)) ctx.invalid(what + ' ' + v + ' is outside [' + lo + ', ' + hi + ']');
  return v;
}

function int16At(bytes: Uint8Array, t: TensorInfo, i: number): number {
  const p = t.dataOffset + 2 * i;
  return ((bytes[p] | bytes[p + 1] << 8) << 16) >> 16;
}

export const prepareSignalWindow: OpPrepare = function (ctx) {
  const t = tensors(ctx, [[DType.INT16, -1], [DType.INT16, 1]], [[DType.INT16, -1]]);
  const input = t.i[0], output = t.o[0];
  if (input.shape.length !== output.shape.length) ctx.invalid('input and output ranks differ');
  const shift = inRange(ctx, 'shift', options(ctx).int('shift'), 0, 31);
  const size = numElements(input.shape), win = t.i[1].shape[0];
  if (size % win !== 0) ctx.invalid('input of ' + size + ' samples is not whole windows of ' + win);
  if (numElements(output.shape) !== size) ctx.invalid('output size differs from the input\'s');
  return { kind: K_WINDOW, inputs: [input.index, t.i[1].index], outputs: [output.index], params: [shift, size, win] };
};

export const prepareSignalFftAutoScale: OpPrepare = function (ctx) {
  const t = tensors(ctx, [[DType.INT16, 1]], [[DType.INT16, 1], [DType.INT32, 0]]);
  const size = t.o[0].shape[0];
  if (t.i[0].shape[0] < size) ctx.invalid('input is shorter than its output');
  return { kind: K_AUTO_SCALE, inputs: [t.i[0].index], outputs: [t.o[0].index, t.o[1].index], params: [size] };
};

/** kissfft's kf_factor: radix 4s first, then 2, then odd primes; the rest as one stage. */
function kissFactors(n: number): number[] {
  const out: number[] = [];
  const floorSqrt = Math.floor(Math.sqrt(n));
  let p = 4;
  do {
    while (n % p) {
      p = p === 4 ? 2 : p === 2 ? 3 : p + 2;
      if (p > floorSqrt) p = n;
    }
    n /= p;
    out.push(p, n);
  } while (n > 1);
  return out;
}

export const prepareSignalRfft: OpPrepare = function (ctx) {
  const opts = options(ctx);
  const type = opts.int('T');
  let kind: number, amp = 0;
  if (type === DType.INT16) { kind = K_RFFT_S16; amp = 32767; }
  else if (type === DType.INT32) { kind = K_RFFT_S32; amp = 2147483647; }
  else if (type === DType.FLOAT32) kind = K_RFFT_F32;
  else return ctx.unsupported('T = ' + dtypeName(type) + ' (int16, int32 and float32 only)');
  const t = tensors(ctx, [[type, -1]], [[type, -1]]);
  const input = t.i[0], output = t.o[0];
  if (input.shape.length !== output.shape.length) ctx.invalid('input and output ranks differ');
  const len = opts.int('fft_length');
  if (len < 4 || len % 2 !== 0 || len > (1 << 24)) {
    ctx.unsupported('fft_length ' + len + ' (kissfft needs an even length >= 4)');
  }
  const n = len / 2;
  const stages = kissFactors(n);
  for (let s = 0; s < stages.length; s += 2) {
    if (stages[s] > 5) {
      ctx.unsupported('fft_length ' + len + ': radix ' + stages[s] +
        ' needs kissfft\'s generic butterfly, which TFLM cannot run');
    }
  }
  const inLen = input.shape[input.shape.length - 1];
  if (inLen > len) ctx.invalid('frames of ' + inLen + ' samples exceed fft_length ' + len);
  const frames = numElements(input.shape) / inLen;
  if (output.shape[output.shape.length - 1] !== len + 2 || numElements(output.shape) !== frames * (len + 2)) {
    ctx.unsupported('output tensor ' + output.index + ' must hold ' + frames + ' x ' + (len + 2) + ' values');
  }
  const params = [len, inLen, frames, stages.length / 2].concat(stages);
  // Twiddles as kissfft computes them (double precision, then the scalar).
  for (let k = 0; k < n + (n >> 1); k++) {
    const phase = k < n ? -2 * Math.PI * k / n : -Math.PI * ((k - n + 1) / n + 0.5);
    const c = Math.cos(phase), s = Math.sin(phase);
    if (kind === K_RFFT_F32) {
      params.push(f32bits(fround(c)), f32bits(fround(s)));
    } else {
      const re = Math.floor(0.5 + amp * c), im = Math.floor(0.5 + amp * s);
      if (kind === K_RFFT_S16) params.push((re & 0xffff) | (im << 16));
      else params.push(re | 0, im | 0);
    }
  }
  return {
    kind: kind, inputs: [input.index], outputs: [output.index], params: params,
    buffers: [{ bytes: len * (kind === K_RFFT_S16 ? 2 : 4), state: false }],
  };
};

export const prepareSignalEnergy: OpPrepare = function (ctx) {
  const t = tensors(ctx, [[DType.INT16, 1]], [[DType.UINT32, 1]]);
  const opts = options(ctx);
  const start = opts.int('start_index');
  let end = opts.int('end_index');
  if (start < 0) ctx.invalid('start_index ' + start + ' is negative');
  if (end < start) end = start; // nothing to do, as in TFLM
  if (end > t.o[0].shape[0] || 2 * end > t.i[0].shape[0]) {
    ctx.invalid('end_index ' + end + ' is beyond the spectrum');
  }
  return { kind: K_ENERGY, inputs: [t.i[0].index], outputs: [t.o[0].index], params: [start, end] };
};

export const prepareSignalFilterBank: OpPrepare = function (ctx) {
  const I16 = [DType.INT16, 1];
  const t = tensors(ctx, [[DType.UINT32, 1], I16, I16, I16, I16, I16], [[DType.UINT64, 1]]);
  const channels = options(ctx).int('num_channels');
  if (channels < 1) ctx.invalid('num_channels ' + channels + ' must be positive');
  const inLen = t.i[0].shape[0];
  const wLen = Math.min(t.i[1].shape[0], t.i[2].shape[0]);
  for (let k = 3; k < 6; k++) {
    if (t.i[k].shape[0] < channels + 1) {
      ctx.invalid('table tensor ' + t.i[k].index + ' needs num_channels + 1 = ' + (channels + 1) + ' entries');
    }
  }
  const outLen = t.o[0].shape[0];
  if (outLen > channels) ctx.invalid('output has more than num_channels = ' + channels + ' entries');
  // Constant tables (the usual case): every band must lie inside the
  // spectrum and the weights, or TFLM would read past them.
  const fs = t.i[3], ws = t.i[4], wd = t.i[5], b = ctx.model.bytes;
  if (fs.dataOffset >= 0 && ws.dataOffset >= 0 && wd.dataOffset >= 0) {
    for (let c = 0; c <= channels; c++) {
      const f0 = int16At(b, fs, c), w0 = int16At(b, ws, c), width = int16At(b, wd, c);
      if (width > 0 && (f0 < 0 || w0 < 0 || f0 + width > inLen || w0 + width > wLen)) {
        ctx.invalid('channel ' + c + ' reaches outside the spectrum or the weights');
      }
    }
  }
  const ins: number[] = [];
  for (let k = 0; k < 6; k++) ins.push(t.i[k].index);
  return { kind: K_FILTER_BANK, inputs: ins, outputs: [t.o[0].index], params: [channels, inLen, wLen, outLen] };
};

export const prepareSignalFilterBankSquareRoot: OpPrepare = function (ctx) {
  const t = tensors(ctx, [[DType.UINT64, 1], [DType.INT32, 0]], [[DType.UINT32, 1]]);
  const n = t.i[0].shape[0];
  if (t.o[0].shape[0] < n) ctx.invalid('output is shorter than its input');
  return { kind: K_FB_SQRT, inputs: [t.i[0].index, t.i[1].index], outputs: [t.o[0].index], params: [n] };
};

export const prepareSignalFilterBankSpectralSubtraction: OpPrepare = function (ctx) {
  const U32 = [DType.UINT32, 1];
  const t = tensors(ctx, [U32], [U32, U32]);
  const o = options(ctx);
  const n = o.int('num_channels');
  if (n < 1) ctx.invalid('num_channels ' + n + ' must be positive');
  if (t.i[0].shape[0] < n || t.o[0].shape[0] < n) {
    ctx.invalid('input/output hold fewer than num_channels = ' + n + ' values');
  }
  const noiseLen = t.o[1].shape[0];
  if (noiseLen > n) ctx.invalid('noise estimate output exceeds num_channels');
  const params = [
    n, o.int('smoothing'), o.int('one_minus_smoothing'), o.int('alternate_smoothing'),
    o.int('alternate_one_minus_smoothing'), o.int('min_signal_remaining'),
    inRange(ctx, 'smoothing_bits', o.int('smoothing_bits'), 0, 31),
    inRange(ctx, 'spectral_subtraction_bits', o.int('spectral_subtraction_bits'), 0, 63),
    o.bool('clamping') ? 1 : 0, noiseLen,
  ];
  return {
    kind: K_SPECTRAL_SUB, inputs: [t.i[0].index], outputs: [t.o[0].index, t.o[1].index], params: params,
    // The noise estimate lives across invokes; zero at start and on reset.
    buffers: [{ bytes: 4 * n, state: true }],
  };
};

export const prepareSignalPcan: OpPrepare = function (ctx) {
  const U32 = [DType.UINT32, 1];
  const t = tensors(ctx, [U32, U32, [DType.INT16, 1]], [U32]);
  const n = t.i[0].shape[0];
  if (t.o[0].shape[0] !== n || t.i[1].shape[0] < n) {
    ctx.invalid('output and noise estimate must match the input\'s ' + n + ' channels');
  }
  if (t.i[2].shape[0] < PCAN_LUT_ENTRIES) {
    ctx.invalid('gain table tensor ' + t.i[2].index + ' has fewer than ' + PCAN_LUT_ENTRIES + ' entries');
  }
  const shift = inRange(ctx, 'snr_shift', options(ctx).int('snr_shift'), 0, 63);
  return {
    kind: K_PCAN, inputs: [t.i[0].index, t.i[1].index, t.i[2].index], outputs: [t.o[0].index], params: [n, shift],
  };
};

export const prepareSignalFilterBankLog: OpPrepare = function (ctx) {
  const t = tensors(ctx, [[DType.UINT32, 1]], [[DType.INT16, 1]]);
  const o = options(ctx);
  const n = t.i[0].shape[0];
  if (t.o[0].shape[0] < n) ctx.invalid('output is shorter than its input');
  const bits = inRange(ctx, 'input_correction_bits', o.int('input_correction_bits'), 0, 31);
  return { kind: K_FB_LOG, inputs: [t.i[0].index], outputs: [t.o[0].index], params: [n, o.int('output_scale'), bits] };
};
