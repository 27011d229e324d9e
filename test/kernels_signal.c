/*
 * kernels_signal.c - standalone checks of the signal-library kernels
 * (window, FFT auto-scale, RFFT int16/int32/float, energy, filter bank,
 * square root, spectral subtraction, PCAN, log) against slow obvious
 * references and hand-computed values, and of their adapters' load-time
 * checks and state handling through tml_load / tml_invoke / tml_reset.
 * Build with every native source, e.g.
 *   clang -std=c99 -fsanitize=address,undefined -Inative/include -Inative/core
 *     test/kernels_signal.c <native sources> -lm
 * Prints "N passed, N failed"; exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tinyml.h"
#include "tinyml_kernels.h"

static int passed, failed;

#define CHECK(cond) check_((cond) ? 1 : 0, #cond, __LINE__)
#define CHECK_EQ(a, b) check_eq_((long long)(a), (long long)(b), #a, __LINE__)

static void check_(int ok, const char *what, int line) {
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL kernels_signal.c:%d: %s\n", line, what);
  }
}

static void check_eq_(long long got, long long want, const char *what,
                      int line) {
  if (got == want) {
    passed++;
  } else {
    failed++;
    printf("FAIL kernels_signal.c:%d: %s == %lld, expected %lld\n", line,
           what, got, want);
  }
}

static uint32_t rng = 0x2545F491u;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
static uint64_t rnd64(void) { return ((uint64_t)rnd() << 32) | rnd(); }

/* ---- window, auto-scale, energy ---- */

static void test_window(void) {
  enum { W = 8, F = 3 };
  int16_t in[W * F], w[W], out[W * F];
  tml_sig_window_params p;
  int32_t i, bad = 0, shift;
  for (shift = 0; shift <= 31; shift += 3) {
    for (i = 0; i < W * F; i++) in[i] = (int16_t)rnd();
    for (i = 0; i < W; i++) w[i] = (int16_t)rnd();
    in[0] = -32768;
    w[0] = -32768; /* 2^30 >> shift: saturates for small shifts */
    p.shift = shift;
    p.size = W * F;
    p.win = W;
    tml_sig_window(&p, in, w, out);
    for (i = 0; i < W * F; i++) {
      const double v = floor((double)in[i] * w[i % W] / pow(2.0, shift));
      const double sat = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
      if (out[i] != (int16_t)sat) bad++;
    }
  }
  CHECK_EQ(bad, 0);
}

static void test_auto_scale(void) {
  tml_sig_auto_scale_params p;
  int16_t out[4];
  int32_t scale = -1;
  {
    const int16_t zeros[3] = {0, 0, 0};
    p.size = 3;
    tml_sig_fft_auto_scale(&p, zeros, out, &scale);
    CHECK_EQ(scale, 0); /* MSB(0) reads as 32: no shift */
  }
  {
    const int16_t in[3] = {1, -1, 0};
    tml_sig_fft_auto_scale(&p, in, out, &scale);
    CHECK_EQ(scale, 14);
    CHECK_EQ(out[0], 16384);
    CHECK_EQ(out[1], -16384);
  }
  {
    const int16_t in[4] = {100, -700, 3, 0};
    p.size = 4;
    tml_sig_fft_auto_scale(&p, in, out, &scale);
    CHECK_EQ(scale, 5); /* 700 needs 10 bits */
    CHECK_EQ(out[1], -22400);
  }
  {
    /* TFLM's int16 running maximum: -(-32768) wraps to -32768, then 5
     * replaces it; the shift of 12 wraps -32768 * 4096 to 0. */
    const int16_t in[3] = {-32768, 5, -3};
    p.size = 3;
    tml_sig_fft_auto_scale(&p, in, out, &scale);
    CHECK_EQ(scale, 12);
    CHECK_EQ(out[0], 0);
    CHECK_EQ(out[1], 20480);
    CHECK_EQ(out[2], -12288);
  }
}

static void test_energy(void) {
  const int16_t in[8] = {3, 4, -32768, -32768, 7, 0, 1, 1};
  uint32_t out[4] = {11, 11, 11, 11};
  tml_sig_energy_params p;
  p.start = 1;
  p.end = 3;
  tml_sig_energy(&p, in, out);
  CHECK_EQ(out[0], 11); /* outside [start, end): untouched */
  CHECK_EQ(out[1], 2147483648u);
  CHECK_EQ(out[2], 49);
  CHECK_EQ(out[3], 11);
}

/* ---- filter bank ---- */

static void test_filter_bank(void) {
  /* 3 channels (+ scratch channel 0) over 8 bins; channel 2 reaches past
   * the spectrum and must contribute nothing. */
  const uint32_t in[8] = {1000, 2000, 3000, 4000, 5000, 6000, 7000, 0xFFFFFFFFu};
  const int16_t weights[8] = {100, 200, 300, -1, 400, 500, 600, 700};
  const int16_t unweights[8] = {10, 20, 30, 40, 50, 60, 70, 80};
  const int16_t freq[4] = {0, 1, 6, 2};
  const int16_t wstart[4] = {0, 1, 3, 6};
  const int16_t width[4] = {1, 2, 3, 2};
  uint64_t out[3] = {0, 0, 0};
  tml_sig_filter_bank_params p;
  uint64_t w0, u0, w1, u1, w3;
  p.num_channels = 3;
  p.in_len = 8;
  p.weights_len = 8;
  p.out_len = 3;
  tml_sig_filter_bank(&p, in, weights, unweights, freq, wstart, width, out);
  /* channel 0 (scratch): bin 0 with weight 0. */
  w0 = 100u * 1000u;
  u0 = 10u * 1000u;
  (void)w0;
  /* channel 1: bins 1..2 with weights 1..2. */
  w1 = 200u * 2000u + 300u * 3000u;
  u1 = 20u * 2000u + 30u * 3000u;
  CHECK(out[0] == u0 + w1);
  /* channel 2: out of range (6 + 3 > 8): only channel 1's unweights. */
  CHECK(out[1] == u1);
  /* channel 3: bins 2..3, weights 6..7. */
  w3 = 600u * 3000u + 700u * 4000u;
  CHECK(out[2] == w3);
  {
    /* A negative weight is sign-extended to 64 bits (wraps the sum). */
    const int16_t f2[2] = {0, 7}, ws2[2] = {0, 3}, wd2[2] = {0, 1};
    p.num_channels = 1;
    p.out_len = 1;
    tml_sig_filter_bank(&p, in, weights, unweights, f2, ws2, wd2, out);
    CHECK(out[0] == (uint64_t)0 - 0xFFFFFFFFu);
  }
}

/* ---- square root ---- */

static uint64_t isqrt64(uint64_t x) {
  uint64_t r = (uint64_t)sqrt((double)x);
  while (r * r > x || r > 0xFFFFFFFFu) r--;
  while (r < 0xFFFFFFFFu && (r + 1) * (r + 1) <= x) r++;
  return r;
}

/* TFLM's rounding: up when the remainder exceeds the root, except at the
 * top of the result range (16 bits below 2^32, 32 bits above). */
static uint32_t ref_sqrt(uint64_t x) {
  const uint64_t r = isqrt64(x);
  const uint64_t cap = (x >> 32) == 0 ? 0xFFFFu : 0xFFFFFFFFu;
  return (uint32_t)(x - r * r > r && r != cap ? r + 1 : r);
}

static void test_sqrt(void) {
  enum { N = 4000 };
  static uint64_t in[N];
  static uint32_t out[N];
  tml_sig_fb_sqrt_params p;
  int32_t i, bad = 0, shift;
  const uint64_t edges[] = {0,
                            1,
                            2,
                            3,
                            4,
                            8,
                            9,
                            15,
                            16,
                            0xFFFFFFFFu,
                            0xFFFE0001u,
                            0xFFFF0000u,
                            (uint64_t)1 << 32,
                            0xFFFFFFFFFFFFFFFFu,
                            0xFFFFFFFE00000001u,
                            0xFFFFFFFF00000000u};
  for (i = 0; i < N; i++) {
    if (i < (int32_t)(sizeof edges / sizeof edges[0])) {
      in[i] = edges[i];
    } else {
      const int32_t bits = 1 + (int32_t)(rnd() % 64);
      in[i] = rnd64() >> (64 - bits);
    }
  }
  p.size = N;
  for (shift = 0; shift < 3; shift++) {
    const int32_t sb[3] = {0, 5, 33}; /* 33 acts as 1 (modulo 32) */
    tml_sig_filter_bank_sqrt(&p, in, &sb[shift], out);
    for (i = 0; i < N; i++) {
      if (out[i] != ref_sqrt(in[i]) >> (sb[shift] & 31)) {
        if (bad++ < 5)
          printf("  sqrt(%llu) >> %d = %u, expected %u\n",
                 (unsigned long long)in[i], (int)sb[shift], out[i],
                 ref_sqrt(in[i]) >> (sb[shift] & 31));
      }
    }
  }
  CHECK_EQ(bad, 0);
}

/* ---- spectral subtraction ---- */

static void test_spectral_sub(void) {
  /* The audio preprocessor's options. */
  tml_sig_spectral_sub_params p;
  uint32_t in[2], out[2], noise[2], state[2] = {0, 0};
  p.num_channels = 2;
  p.smoothing = 409;
  p.one_minus_smoothing = 15975;
  p.alt_smoothing = 983;
  p.alt_one_minus_smoothing = 15401;
  p.min_signal_remaining = 819;
  p.smoothing_bits = 10;
  p.spectral_subtraction_bits = 14;
  p.clamping = 0;
  p.noise_len = 2;
  in[0] = 1000;
  in[1] = 0;
  tml_sig_spectral_sub(&p, in, out, noise, state);
  CHECK_EQ(state[0], 25562); /* 1024000 * 409 >> 14 */
  CHECK_EQ(out[0], 975);     /* (1024000 - 25562) >> 10 */
  CHECK_EQ(noise[0], 25562);
  CHECK_EQ(out[1], 0);
  tml_sig_spectral_sub(&p, in, out, noise, state);
  CHECK_EQ(state[0], 50486);
  CHECK_EQ(out[0], 950);
  /* Silence: the estimate exceeds the signal; without clamping it decays. */
  in[0] = 0;
  tml_sig_spectral_sub(&p, in, out, noise, state);
  CHECK_EQ(state[0], 49225);
  CHECK_EQ(out[0], 0);
  p.clamping = 1;
  tml_sig_spectral_sub(&p, in, out, noise, state);
  CHECK_EQ(state[0], 0);
  /* Floor: min_signal_remaining of the signal survives. */
  state[0] = 0xFFFFFFFFu;
  in[0] = 100000;
  p.clamping = 0;
  tml_sig_spectral_sub(&p, in, out, noise, state);
  CHECK_EQ(out[0], (100000ull * 819) >> 14);
}

/* ---- PCAN ---- */

static uint32_t ref_pcan(uint32_t x, uint32_t noise, const int16_t *lut,
                         int32_t snr_shift) {
  int64_t gain;
  uint64_t snr;
  if (noise <= 2) {
    gain = lut[noise];
  } else {
    int32_t interval = 0, frac;
    int64_t r;
    const int16_t *l;
    while (interval < 32 && (noise >> interval) != 0) interval++;
    l = lut + 4 * interval - 6;
    frac = (int32_t)((interval < 11 ? (uint64_t)noise << (11 - interval)
                                    : noise >> (interval - 11)) &
                     0x3FF);
    r = (int64_t)floor((double)l[2] * frac / 32.0);
    r += (int64_t)l[1] * 32;
    r *= frac;
    r = (int64_t)floor((double)(r + 16384) / 32768.0);
    r += l[0];
    gain = (int16_t)(uint16_t)(r & 0xFFFF);
  }
  snr = ((uint64_t)x * (uint32_t)(int32_t)gain) >> snr_shift;
  snr &= 0xFFFFFFFFu;
  if (snr < 8192) return (uint32_t)((snr * snr) >> 20);
  return (uint32_t)((snr >> 6) - 64);
}

static void test_pcan(void) {
  enum { N = 2000 };
  static uint32_t in[N], noise[N], out[N];
  int16_t lut[125];
  tml_sig_pcan_params p;
  int32_t i, bad = 0;
  /* A gain curve falling with the noise, like the model's. */
  for (i = 0; i < 125; i++) lut[i] = (int16_t)(30000 - 230 * i + (i % 4) * 50);
  for (i = 0; i < N; i++) {
    in[i] = rnd() >> (rnd() % 32);
    noise[i] = i < 40 ? (uint32_t)i : rnd() >> (rnd() % 32);
  }
  noise[40] = 0xFFFFFFFFu;
  p.size = N;
  p.snr_shift = 6;
  tml_sig_pcan(&p, in, noise, lut, out);
  for (i = 0; i < N; i++) {
    if (out[i] != ref_pcan(in[i], noise[i], lut, 6)) {
      if (bad++ < 5)
        printf("  pcan(%u, noise %u) = %u, expected %u\n", in[i], noise[i],
               out[i], ref_pcan(in[i], noise[i], lut, 6));
    }
  }
  CHECK_EQ(bad, 0);
}

/* ---- log ---- */

static void test_log(void) {
  enum { N = 3000 };
  static uint32_t in[N];
  static int16_t out[N];
  tml_sig_fb_log_params p;
  int32_t i, bad = 0;
  for (i = 0; i < N; i++) in[i] = rnd() >> (rnd() % 32);
  in[0] = 0;
  in[1] = 1;
  in[2] = 2;
  in[3] = 1u << 20;
  in[4] = 0xFFFFFFFFu;
  p.size = N;
  p.output_scale = 64;
  p.correction_bits = 0;
  tml_sig_filter_bank_log(&p, in, out);
  CHECK_EQ(out[0], 0);
  CHECK_EQ(out[1], 0);
  CHECK_EQ(out[2], 44);  /* (64 * 45426 + 32768) >> 16 */
  CHECK_EQ(out[3], 887); /* (64 * 45426 * 20 + 32768) >> 16 */
  for (i = 2; i < N; i++) {
    /* The table interpolation is good to a few 1/65536 of log2. */
    const double want = log((double)in[i]) * 64;
    if (in[i] > 1 && fabs(out[i] - want) > 1.0) {
      if (bad++ < 5)
        printf("  log(%u) * 64 = %d, expected about %.2f\n", in[i], out[i],
               want);
    }
  }
  CHECK_EQ(bad, 0);
  /* Correction bits shift first (wrapping in 32 bits); big scales clamp. */
  in[0] = 1;
  in[1] = 0x80000001u;
  p.size = 2;
  p.correction_bits = 1;
  tml_sig_filter_bank_log(&p, in, out);
  CHECK_EQ(out[0], 44);
  CHECK_EQ(out[1], 44);
  in[0] = 0xFFFFFFFFu;
  p.correction_bits = 0;
  p.output_scale = 20000;
  tml_sig_filter_bank_log(&p, in, out);
  CHECK_EQ(out[0], 32767);
}

/* ---- RFFT ---- */

/* kissfft's factorisation (radix 4 first, then 2, 3, 5). */
static int32_t factor(int32_t n, int32_t *st) {
  int32_t p = 4, k = 0;
  const double fs = floor(sqrt((double)n));
  do {
    while (n % p) {
      p = p == 4 ? 2 : p == 2 ? 3 : p + 2;
      if (p > fs) p = n;
    }
    n /= p;
    st[2 * k] = p;
    st[2 * k + 1] = n;
    k++;
  } while (n > 1);
  return k;
}

#define PI 3.14159265358979323846

/* Params words for an fft_length: header, stages, twiddles (kind: 0 s16,
 * 1 s32, 2 f32). Returns the word count, 0 if a radix is above 5. */
static int32_t rfft_words(int32_t len, int32_t in_len, int32_t frames,
                          int kind, int32_t *w) {
  const int32_t n = len / 2;
  int32_t st[64], ns, k, at;
  ns = factor(n, st);
  for (k = 0; k < ns; k++)
    if (st[2 * k] > 5) return 0;
  w[0] = len;
  w[1] = in_len;
  w[2] = frames;
  w[3] = ns;
  memcpy(w + 4, st, sizeof(int32_t) * 2 * ns);
  at = 4 + 2 * ns;
  for (k = 0; k < n + n / 2; k++) {
    const double ph = k < n ? -2 * PI * k / n : -PI * ((double)(k - n + 1) / n + .5);
    const double c = cos(ph), s = sin(ph);
    if (kind == 0) {
      const int32_t re = (int32_t)floor(.5 + 32767 * c);
      const int32_t im = (int32_t)floor(.5 + 32767 * s);
      w[at++] = (int32_t)(((uint32_t)re & 0xFFFFu) | ((uint32_t)im << 16));
    } else if (kind == 1) {
      w[at++] = (int32_t)floor(.5 + 2147483647.0 * c);
      w[at++] = (int32_t)floor(.5 + 2147483647.0 * s);
    } else {
      const float fc = (float)c, fsn = (float)s;
      memcpy(&w[at++], &fc, 4);
      memcpy(&w[at++], &fsn, 4);
    }
  }
  return at;
}

/* Checks the three variants against a direct DFT, scaled as kissfft's
 * fixed point scales (1 / fft_length). */
static void test_rfft_vs_dft(void) {
  static int32_t words[8192];
  static int16_t in16[2048], scr16[1024], out16[2 * 1030];
  static int32_t in32[2048], scr32[1024], out32[2 * 1030];
  static float inf[2048], scrf[1024], outf[2 * 1030];
  static double re[520], im[520];
  const int32_t lens[] = {4, 6, 10, 12, 18, 30, 40, 64, 90, 100, 250, 512, 1000};
  int32_t li, kind, bad16 = 0, bad32 = 0, badf = 0;
  for (li = 0; li < (int32_t)(sizeof lens / sizeof lens[0]); li++) {
    const int32_t len = lens[li], in_len = len - len / 4, frames = 2;
    int32_t k, t, fr;
    tml_sig_rfft_params p;
    p.fft_length = len;
    p.in_len = in_len;
    p.frames = frames;
    for (k = 0; k < in_len * frames; k++) {
      const double v = sin(k * 0.37) * 0.4 + (double)(int32_t)rnd() / 2147483648.0 * 0.3;
      in16[k] = (int16_t)floor(v * 32767);
      in32[k] = (int32_t)floor(v * 2147483647.0);
      inf[k] = (float)v;
    }
    for (kind = 0; kind < 3; kind++) {
      const int32_t nw = rfft_words(len, in_len, frames, kind, words);
      CHECK(nw > 0);
      p.n_stages = words[3];
      if (kind == 0)
        tml_sig_rfft_s16(&p, words + 4, words + 4 + 2 * p.n_stages, in16, scr16, out16);
      else if (kind == 1)
        tml_sig_rfft_s32(&p, words + 4, words + 4 + 2 * p.n_stages, in32, scr32, out32);
      else
        tml_sig_rfft_f32(&p, words + 4, words + 4 + 2 * p.n_stages, inf, scrf, outf);
    }
    for (fr = 0; fr < frames; fr++) {
      for (k = 0; k <= len / 2; k++) {
        re[k] = im[k] = 0;
        for (t = 0; t < in_len; t++) {
          const double v = inf[fr * in_len + t];
          re[k] += v * cos(2 * PI * k * t / len);
          im[k] -= v * sin(2 * PI * k * t / len);
        }
      }
      for (k = 0; k <= len / 2; k++) {
        const int32_t o = fr * (len + 2) + 2 * k;
        /* Fixed point: one rounding per stage, a few LSBs of 1/len. */
        if (fabs(out16[o] - re[k] / len * 32767) > 4 ||
            fabs(out16[o + 1] - im[k] / len * 32767) > 4)
          bad16++;
        if (fabs(out32[o] / 2147483648.0 - re[k] / len) > 1e-6 ||
            fabs(out32[o + 1] / 2147483648.0 - im[k] / len) > 1e-6)
          bad32++;
        if (fabs(outf[o] - re[k]) > 1e-4 * len || fabs(outf[o + 1] - im[k]) > 1e-4 * len)
          badf++;
      }
    }
  }
  CHECK_EQ(bad16, 0);
  CHECK_EQ(bad32, 0);
  CHECK_EQ(badf, 0);
}

static void test_rfft_hostile_twiddles(void) {
  /* Twiddles of -32768 / INT32_MIN and full-scale input: sums wrap, no
   * undefined behaviour (this runs under UBSan). */
  static int32_t words[512];
  static int16_t in16[64], scr16[64], out16[66];
  static int32_t in32[64], scr32[64], out32[66];
  tml_sig_rfft_params p;
  int32_t k, nw;
  p.fft_length = 60;
  p.in_len = 60;
  p.frames = 1;
  for (k = 0; k < 60; k++) {
    in16[k] = (k & 1) ? -32768 : 32767;
    in32[k] = (k & 1) ? INT32_MIN : INT32_MAX;
  }
  nw = rfft_words(60, 60, 1, 0, words);
  p.n_stages = words[3];
  for (k = 4 + 2 * p.n_stages; k < nw; k++) words[k] = (int32_t)0x80008000u;
  tml_sig_rfft_s16(&p, words + 4, words + 4 + 2 * p.n_stages, in16, scr16, out16);
  nw = rfft_words(60, 60, 1, 1, words);
  for (k = 4 + 2 * p.n_stages; k < nw; k++) words[k] = INT32_MIN;
  tml_sig_rfft_s32(&p, words + 4, words + 4 + 2 * p.n_stages, in32, scr32, out32);
  CHECK(1);
}

/* ---- adapters through tml_load ---- */

#define MAX_WORDS 2048

static int32_t prog_w[MAX_WORDS];
static uint8_t arena[16384 + 16];

typedef struct {
  int32_t n_tensors, planned;
  int32_t tensors[16][4];
} tensor_set;

static int32_t add_tensor(tensor_set *s, int32_t dtype, int32_t bytes,
                          int32_t misalign) {
  int32_t *t = s->tensors[s->n_tensors];
  t[0] = dtype;
  t[1] = TML_ARENA;
  t[2] = s->planned + misalign;
  t[3] = bytes;
  s->planned += (bytes + misalign + 15) & ~15;
  return s->n_tensors++;
}

static uint32_t build(const tensor_set *s, int32_t kind, const int32_t *in,
                      int32_t n_in, const int32_t *out, int32_t n_out,
                      const int32_t *params, int32_t n_params) {
  int32_t i, w = 0;
  prog_w[w++] = TML_PROGRAM_MAGIC;
  prog_w[w++] = TML_PROGRAM_VERSION;
  prog_w[w++] = s->n_tensors;
  prog_w[w++] = 1;
  prog_w[w++] = s->planned;
  prog_w[w++] = 0;
  for (i = 0; i < s->n_tensors; i++) {
    memcpy(prog_w + w, s->tensors[i], sizeof s->tensors[i]);
    w += 4;
  }
  prog_w[w++] = kind;
  prog_w[w++] = n_in;
  prog_w[w++] = n_out;
  prog_w[w++] = n_params;
  for (i = 0; i < n_in; i++) prog_w[w++] = in[i];
  for (i = 0; i < n_out; i++) prog_w[w++] = out[i];
  for (i = 0; i < n_params; i++) prog_w[w++] = params[i];
  prog_w[5] = w;
  return (uint32_t)w;
}

static tml_status load(uint32_t n) {
  return tml_load(arena, sizeof arena, NULL, 0, prog_w, n);
}

static uint8_t *data(const tensor_set *s, int32_t t) {
  return arena + tml_info(arena, sizeof arena, TML_INFO_PLANNED_OFFSET) +
         s->tensors[t][2];
}

static void test_window_adapter(void) {
  tensor_set s;
  int32_t in[2], out[1], params[3] = {1, 8, 4};
  memset(&s, 0, sizeof s);
  in[0] = add_tensor(&s, TML_INT16, 16, 0);
  in[1] = add_tensor(&s, TML_INT16, 8, 0);
  out[0] = add_tensor(&s, TML_INT16, 16, 0);
  CHECK_EQ(load(build(&s, TML_K_SIG_WINDOW, in, 2, out, 1, params, 3)), TML_OK);
  {
    int16_t x[8] = {2, 4, 6, 8, 10, 12, 14, 16}, w[4] = {1, 2, 3, -4}, y[8];
    memcpy(data(&s, in[0]), x, sizeof x);
    memcpy(data(&s, in[1]), w, sizeof w);
    CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
    memcpy(y, data(&s, out[0]), sizeof y);
    CHECK_EQ(y[3], -16);
    CHECK_EQ(y[6], 21);
  }
  params[0] = 32; /* shift out of range */
  CHECK_EQ(load(build(&s, TML_K_SIG_WINDOW, in, 2, out, 1, params, 3)), TML_E_BAD_PARAMS);
  params[0] = 1;
  params[2] = 3; /* 8 samples are not whole windows of 3 */
  CHECK_EQ(load(build(&s, TML_K_SIG_WINDOW, in, 2, out, 1, params, 3)), TML_E_BAD_PARAMS);
  params[1] = 12; /* more samples than the tensors hold */
  params[2] = 4;
  CHECK(load(build(&s, TML_K_SIG_WINDOW, in, 2, out, 1, params, 3)) != TML_OK);
  params[1] = 8;
  CHECK(load(build(&s, TML_K_SIG_WINDOW, in, 2, out, 1, params, 2)) != TML_OK);
}

static void test_rfft_adapter(void) {
  static int32_t words[1024];
  tensor_set s;
  int32_t in[1], out[2], nw;
  memset(&s, 0, sizeof s);
  in[0] = add_tensor(&s, TML_INT16, 2 * 48, 0);
  out[0] = add_tensor(&s, TML_INT16, 2 * 66, 0);
  out[1] = add_tensor(&s, TML_INT8, 2 * 64, 0);
  nw = rfft_words(64, 48, 1, 0, words);
  CHECK_EQ(load(build(&s, TML_K_SIG_RFFT_S16, in, 1, out, 2, words, nw)), TML_OK);
  {
    int16_t x[48], y[66];
    int32_t k;
    for (k = 0; k < 48; k++) x[k] = 1000; /* DC: 48000 / 64 = 750 */
    memcpy(data(&s, in[0]), x, sizeof x);
    CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
    memcpy(y, data(&s, out[0]), sizeof y);
    CHECK(abs(y[0] - 750) <= 2);
    CHECK_EQ(y[1], 0);
    CHECK_EQ(y[65], 0);
  }
  /* Wrong kind for the tensors' dtype, stages that do not multiply up,
   * a radix above 5, a short params list, a short scratch. */
  CHECK(load(build(&s, TML_K_SIG_RFFT_S32, in, 1, out, 2, words, nw)) != TML_OK);
  words[4] = 8; /* 32 = 4 * 4 * 2: first stage claims radix 8 */
  CHECK_EQ(load(build(&s, TML_K_SIG_RFFT_S16, in, 1, out, 2, words, nw)), TML_E_BAD_PARAMS);
  nw = rfft_words(64, 48, 1, 0, words);
  words[5] = 7;
  CHECK_EQ(load(build(&s, TML_K_SIG_RFFT_S16, in, 1, out, 2, words, nw)), TML_E_BAD_PARAMS);
  nw = rfft_words(64, 48, 1, 0, words);
  CHECK_EQ(load(build(&s, TML_K_SIG_RFFT_S16, in, 1, out, 2, words, nw - 1)), TML_E_BAD_PARAMS);
  words[1] = 65; /* frame longer than the FFT */
  CHECK_EQ(load(build(&s, TML_K_SIG_RFFT_S16, in, 1, out, 2, words, nw)), TML_E_BAD_PARAMS);
  words[1] = 48;
  s.tensors[out[1]][3] = 100; /* scratch below fft_length * 2 bytes */
  CHECK(load(build(&s, TML_K_SIG_RFFT_S16, in, 1, out, 2, words, nw)) != TML_OK);
  {
    /* A misaligned scratch buffer is refused. */
    tensor_set m;
    memset(&m, 0, sizeof m);
    in[0] = add_tensor(&m, TML_INT16, 2 * 48, 0);
    out[0] = add_tensor(&m, TML_INT16, 2 * 66, 0);
    out[1] = add_tensor(&m, TML_INT8, 2 * 64, 1);
    CHECK_EQ(load(build(&m, TML_K_SIG_RFFT_S16, in, 1, out, 2, words, nw)), TML_E_MISALIGNED);
  }
}

static void test_spectral_sub_state(void) {
  tensor_set s;
  int32_t in[1], out[3];
  const int32_t params[10] = {2, 409, 15975, 983, 15401, 819, 10, 14, 0, 2};
  uint32_t x[2] = {1000, 500}, y[2], first[2];
  memset(&s, 0, sizeof s);
  in[0] = add_tensor(&s, TML_UINT32, 8, 0);
  out[0] = add_tensor(&s, TML_UINT32, 8, 0);
  out[1] = add_tensor(&s, TML_UINT32, 8, 0);
  out[2] = add_tensor(&s, TML_INT8, 8, 0);
  s.tensors[out[2]][1] |= TML_STATE;
  CHECK_EQ(load(build(&s, TML_K_SIG_SPECTRAL_SUB, in, 1, out, 3, params, 10)), TML_OK);
  memcpy(data(&s, in[0]), x, sizeof x);
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  memcpy(first, data(&s, out[0]), sizeof first);
  CHECK_EQ(first[0], 975);
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  memcpy(y, data(&s, out[0]), sizeof y);
  CHECK_EQ(y[0], 950); /* the estimate carried over */
  CHECK_EQ(tml_reset(arena, sizeof arena), TML_OK);
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  memcpy(y, data(&s, out[0]), sizeof y);
  CHECK_EQ(y[0], first[0]);
  CHECK_EQ(y[1], first[1]);
  {
    int32_t bad[10];
    memcpy(bad, params, sizeof bad);
    bad[6] = 32;
    CHECK_EQ(load(build(&s, TML_K_SIG_SPECTRAL_SUB, in, 1, out, 3, bad, 10)), TML_E_BAD_PARAMS);
    memcpy(bad, params, sizeof bad);
    bad[9] = 3; /* noise output longer than the channels */
    CHECK_EQ(load(build(&s, TML_K_SIG_SPECTRAL_SUB, in, 1, out, 3, bad, 10)), TML_E_BAD_PARAMS);
    memcpy(bad, params, sizeof bad);
    bad[8] = 2;
    CHECK_EQ(load(build(&s, TML_K_SIG_SPECTRAL_SUB, in, 1, out, 3, bad, 10)), TML_E_BAD_PARAMS);
  }
}

static void test_other_adapters(void) {
  tensor_set s;
  int32_t in[6], out[1];
  memset(&s, 0, sizeof s);
  {
    /* PCAN needs the 125-entry gain table. */
    const int32_t params[2] = {4, 6};
    in[0] = add_tensor(&s, TML_UINT32, 16, 0);
    in[1] = add_tensor(&s, TML_UINT32, 16, 0);
    in[2] = add_tensor(&s, TML_INT16, 250, 0);
    out[0] = add_tensor(&s, TML_UINT32, 16, 0);
    CHECK_EQ(load(build(&s, TML_K_SIG_PCAN, in, 3, out, 1, params, 2)), TML_OK);
    s.tensors[in[2]][3] = 248;
    CHECK(load(build(&s, TML_K_SIG_PCAN, in, 3, out, 1, params, 2)) != TML_OK);
    s.tensors[in[2]][3] = 250;
    s.tensors[in[0]][0] = TML_INT32; /* uint32 expected */
    CHECK_EQ(load(build(&s, TML_K_SIG_PCAN, in, 3, out, 1, params, 2)), TML_E_BAD_DTYPE);
  }
  {
    const int32_t params[3] = {4, 64, 3};
    int32_t bad[3] = {4, 64, 32};
    memset(&s, 0, sizeof s);
    in[0] = add_tensor(&s, TML_UINT32, 16, 0);
    out[0] = add_tensor(&s, TML_INT16, 8, 0);
    CHECK_EQ(load(build(&s, TML_K_SIG_FILTER_BANK_LOG, in, 1, out, 1, params, 3)), TML_OK);
    CHECK_EQ(load(build(&s, TML_K_SIG_FILTER_BANK_LOG, in, 1, out, 1, bad, 3)), TML_E_BAD_PARAMS);
  }
  {
    /* Filter bank: tables of num_channels + 1, output <= num_channels. */
    int32_t params[4] = {3, 8, 8, 3}, k;
    memset(&s, 0, sizeof s);
    in[0] = add_tensor(&s, TML_UINT32, 32, 0);
    in[1] = add_tensor(&s, TML_INT16, 16, 0);
    in[2] = add_tensor(&s, TML_INT16, 16, 0);
    for (k = 3; k < 6; k++) in[k] = add_tensor(&s, TML_INT16, 8, 0);
    out[0] = add_tensor(&s, TML_UINT64, 24, 0);
    CHECK_EQ(load(build(&s, TML_K_SIG_FILTER_BANK, in, 6, out, 1, params, 4)), TML_OK);
    CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK); /* all-zero tables */
    params[3] = 4;
    CHECK_EQ(load(build(&s, TML_K_SIG_FILTER_BANK, in, 6, out, 1, params, 4)), TML_E_BAD_PARAMS);
    params[3] = 3;
    params[0] = 4; /* tables too short */
    CHECK(load(build(&s, TML_K_SIG_FILTER_BANK, in, 6, out, 1, params, 4)) != TML_OK);
  }
  {
    /* Energy: end beyond the tensors. */
    int32_t params[2] = {1, 4};
    memset(&s, 0, sizeof s);
    in[0] = add_tensor(&s, TML_INT16, 16, 0);
    out[0] = add_tensor(&s, TML_UINT32, 16, 0);
    CHECK_EQ(load(build(&s, TML_K_SIG_ENERGY, in, 1, out, 1, params, 2)), TML_OK);
    params[1] = 5;
    CHECK(load(build(&s, TML_K_SIG_ENERGY, in, 1, out, 1, params, 2)) != TML_OK);
    params[0] = 3;
    params[1] = 2;
    CHECK_EQ(load(build(&s, TML_K_SIG_ENERGY, in, 1, out, 1, params, 2)), TML_E_BAD_PARAMS);
  }
}

int main(void) {
  test_window();
  test_auto_scale();
  test_energy();
  test_filter_bank();
  test_sqrt();
  test_spectral_sub();
  test_pcan();
  test_log();
  test_rfft_vs_dft();
  test_rfft_hostile_twiddles();
  test_window_adapter();
  test_rfft_adapter();
  test_spectral_sub_state();
  test_other_adapters();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
