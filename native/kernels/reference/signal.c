/*
 * signal.c - the TFLM signal-library kernels of an audio front end (window,
 * FFT auto-scale, energy, mel filter bank, square root, spectral
 * subtraction, PCAN gain control, log), bit-exact with TFLM's signal/src.
 *
 * The originals lean on unsigned wrap-around and on the compiler's handling
 * of int16 narrowing; here every narrowing and every wrapping sum is spelled
 * out, and shifts never reach a negative value or a count out of range.
 */
#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* x modulo 2^16 as int16 (what storing an int into an int16_t does). */
static int16_t wrap16(int32_t x) {
  const uint32_t u = (uint32_t)x & 0xFFFFu;
  return (int16_t)((int32_t)u - (int32_t)((u & 0x8000u) << 1));
}

/* Bits needed for x; 32 for x == 0, as TFLM's GCC build answers. */
static int32_t msb32(uint32_t x) { return x ? 32 - tml_fp_clz32(x) : 32; }

static int32_t clz64(uint64_t x) {
  const uint32_t hi = (uint32_t)(x >> 32);
  return hi ? tml_fp_clz32(hi) : 32 + tml_fp_clz32((uint32_t)x);
}

void tml_sig_window(const tml_sig_window_params *p, const int16_t *in,
                    const int16_t *w, int16_t *out) {
  int32_t base, i;
  for (base = 0; base + p->win <= p->size; base += p->win) {
    for (i = 0; i < p->win; i++) {
      const int32_t v = tml_fp_asr((int32_t)in[base + i] * w[i], p->shift);
      out[base + i] = (int16_t)(v < INT16_MIN ? INT16_MIN
                                              : v > INT16_MAX ? INT16_MAX : v);
    }
  }
}

void tml_sig_fft_auto_scale(const tml_sig_auto_scale_params *p,
                            const int16_t *in, int16_t *out,
                            int32_t *scale_bits) {
  /* TFLM keeps the running maximum in an int16: -(-32768) wraps to -32768,
   * after which any larger sample replaces it. Replayed as is. */
  int16_t max = 0;
  int32_t i, scale;
  for (i = 0; i < p->size; i++) {
    const int32_t v = in[i];
    if (v > max) {
      max = (int16_t)v;
    } else if (-v > max) {
      max = wrap16(-v);
    }
  }
  /* A negative max reads as a huge uint32 (MSB 32), as does 0. */
  scale = 16 - msb32((uint32_t)(int32_t)max) - 1;
  if (scale < 0) scale = 0;
  for (i = 0; i < p->size; i++) out[i] = wrap16((int32_t)in[i] * (1 << scale));
  *scale_bits = scale;
}

void tml_sig_energy(const tml_sig_energy_params *p, const int16_t *in,
                    uint32_t *out) {
  int32_t i;
  for (i = p->start; i < p->end; i++) {
    const int32_t re = in[2 * i], im = in[2 * i + 1];
    /* Each square fits int32; the sum may need all 32 bits. */
    out[i] = (uint32_t)(re * re) + (uint32_t)(im * im);
  }
}

void tml_sig_filter_bank(const tml_sig_filter_bank_params *p,
                         const uint32_t *in, const int16_t *weights,
                         const int16_t *unweights, const int16_t *freq_starts,
                         const int16_t *weight_starts, const int16_t *widths,
                         uint64_t *out) {
  /* Each spectrum bin feeds two adjacent channels: weight into this one,
   * unweight (1 - weight) into the next. Weights are sign-extended to 64
   * bits before the multiply, as the original's int16 * uint64 does. */
  uint64_t acc = 0, next = 0;
  int32_t c, j;
  for (c = 0; c <= p->num_channels; c++) {
    const int32_t f0 = freq_starts[c], w0 = weight_starts[c], n = widths[c];
    if (n > 0 && f0 >= 0 && w0 >= 0 && f0 <= p->in_len - n &&
        w0 <= p->weights_len - n) {
      for (j = 0; j < n; j++) {
        const uint64_t x = in[f0 + j];
        acc += (uint64_t)(int64_t)weights[w0 + j] * x;
        next += (uint64_t)(int64_t)unweights[w0 + j] * x;
      }
    }
    if (c >= 1 && c - 1 < p->out_len) out[c - 1] = acc;
    acc = next;
    next = 0;
  }
}

/* Bit-by-bit integer square root, rounded up when the remainder exceeds
 * the root (TFLM Sqrt32 / Sqrt64). */
static uint32_t sqrt32(uint32_t num) {
  uint32_t res = 0, bit;
  int32_t top, steps;
  if (num == 0) return 0;
  top = tml_fp_clz32(num) | 1;
  bit = (uint32_t)1 << (31 - top);
  for (steps = (31 - top) / 2 + 1; steps > 0; steps--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != 0xFFFFu) res++;
  return res;
}

static uint32_t sqrt64(uint64_t num) {
  uint64_t res = 0, bit;
  int32_t top, steps;
  /* TFLM's shortcut: 32-bit arithmetic when the high word is clear. */
  if ((num >> 32) == 0) return sqrt32((uint32_t)num);
  top = clz64(num) | 1;
  bit = (uint64_t)1 << (63 - top);
  for (steps = (63 - top) / 2 + 1; steps > 0; steps--) {
    if (num >= res + bit) {
      num -= res + bit;
      res = (res >> 1) + bit;
    } else {
      res >>= 1;
    }
    bit >>= 2;
  }
  if (num > res && res != 0xFFFFFFFFu) res++;
  return (uint32_t)res;
}

void tml_sig_filter_bank_sqrt(const tml_sig_fb_sqrt_params *p,
                              const uint64_t *in, const int32_t *scale_bits,
                              uint32_t *out) {
  /* The shift comes from a tensor; counts outside [0, 31] are undefined in
   * the original and taken modulo 32 here (what x86 and Arm do). */
  const int32_t shift = *scale_bits & 31;
  int32_t i;
  for (i = 0; i < p->size; i++) out[i] = sqrt64(in[i]) >> shift;
}

void tml_sig_spectral_sub(const tml_sig_spectral_sub_params *p,
                          const uint32_t *in, uint32_t *out,
                          uint32_t *noise_out, uint32_t *state) {
  const int32_t sb = p->smoothing_bits, ssb = p->spectral_subtraction_bits;
  int32_t i;
  for (i = 0; i < p->num_channels; i++) {
    const int odd = i & 1;
    const uint32_t smooth = (uint32_t)(odd ? p->alt_smoothing : p->smoothing);
    const uint32_t keep = (uint32_t)(odd ? p->alt_one_minus_smoothing
                                         : p->one_minus_smoothing);
    const uint32_t up = in[i] << sb;
    uint32_t estimate, floor_v, sub;
    state[i] = (uint32_t)(((uint64_t)up * smooth + (uint64_t)state[i] * keep) >>
                          ssb);
    estimate = state[i];
    /* Never subtract more than the signal. */
    if (estimate > up) {
      estimate = up;
      if (p->clamping) state[i] = estimate;
    }
    floor_v = (uint32_t)(((uint64_t)in[i] * (uint32_t)p->min_signal_remaining) >>
                         ssb);
    sub = (up - estimate) >> sb;
    out[i] = sub > floor_v ? sub : floor_v;
  }
  for (i = 0; i < p->noise_len; i++) noise_out[i] = state[i];
}

/* PCAN gain: piecewise quadratic over the lookup table, 4 entries per
 * power-of-two interval of x (TFLM WideDynamicFunction). */
static int16_t pcan_gain(uint32_t x, const int16_t *lut) {
  int32_t interval, frac, r;
  if (x <= 2) return lut[x];
  interval = msb32(x); /* 2..32 */
  lut += 4 * interval - 6;
  frac = (int32_t)((interval < 11 ? x << (11 - interval)
                                  : x >> (interval - 11)) &
                   0x3FFu);
  r = tml_fp_asr((int32_t)lut[2] * frac, 5);
  r = tml_fp_add(r, (int32_t)((uint32_t)(int32_t)lut[1] << 5));
  r = (int32_t)((uint32_t)r * (uint32_t)frac);
  r = tml_fp_asr(tml_fp_add(r, 1 << 14), 15);
  return wrap16(r + lut[0]);
}

void tml_sig_pcan(const tml_sig_pcan_params *p, const uint32_t *in,
                  const uint32_t *noise, const int16_t *lut, uint32_t *out) {
  /* snr has 12 fractional bits, the output 6 (kPcanSnrBits, OutputBits). */
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const uint32_t gain = (uint32_t)(int32_t)pcan_gain(noise[i], lut);
    const uint32_t snr = (uint32_t)(((uint64_t)in[i] * gain) >> p->snr_shift);
    /* shrink(x) = x^2 / 4 below 2, x - 1 above. */
    out[i] = snr < (2u << 12) ? (snr * snr) >> 20 : (snr >> 6) - (1u << 6);
  }
}

/* round(65536 * (log2(1 + i/128) - i/128)) for i = 0..128, plus a 0: the
 * correction from linear interpolation to log2 over one octave. */
static const uint16_t log2_corr[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163,
    2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487, 3611, 3732, 3848,
    3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934,
    5001, 5063, 5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507,
    5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633,
    5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370,
    5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762,
    4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848,
    3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659,
    2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224,
    1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

/* ln(x) * out_scale for x >= 2, in TFLM's fixed point: log2 with 16
 * fractional bits (interpolated correction table), times ln 2 (45426/2^16),
 * then the scale; the final product wraps in 32 bits as the original's. */
static uint32_t log_scaled(uint32_t x, uint32_t out_scale) {
  const int32_t integer = msb32(x) - 1; /* 1..31 */
  int32_t frac = (int32_t)(x - ((uint32_t)1 << integer));
  int32_t seg, c0, c1, rel;
  uint32_t log2v, ln;
  if (integer < 16) {
    frac <<= 16 - integer;
  } else {
    frac >>= integer - 16;
  }
  seg = frac >> 9; /* 128 segments of 512 */
  c0 = log2_corr[seg];
  c1 = log2_corr[seg + 1];
  rel = tml_fp_asr((c1 - c0) * (frac - (seg << 9)), 16);
  log2v = ((uint32_t)integer << 16) + (uint32_t)(frac + c0 + rel);
  ln = (uint32_t)(((uint64_t)45426 * log2v + 32768u) >> 16);
  return (out_scale * ln + 32768u) >> 16;
}

void tml_sig_filter_bank_log(const tml_sig_fb_log_params *p,
                             const uint32_t *in, int16_t *out) {
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const uint32_t scaled = in[i] << p->correction_bits;
    if (scaled > 1) {
      const uint32_t v = log_scaled(scaled, (uint32_t)p->output_scale);
      out[i] = (int16_t)(v < 32767u ? v : 32767u);
    } else {
      out[i] = 0;
    }
  }
}
