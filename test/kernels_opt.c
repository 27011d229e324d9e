/* kernels_opt.c - the optimized kernels (native/kernels/optimized, here their
 * portable C path: the same code as on the Cortex-M4 with each DSP
 * instruction spelled out in C) against the reference kernels, byte for
 * byte: edge shapes (1-pixel images, odd channel counts and counts not a
 * multiple of 4, padding on every side, stride 2 and 3, dilation, batches,
 * receptive fields past the stack patch), zero points and per-channel shifts
 * at their extremes, no bias, and the requantization alone over extreme
 * accumulators. Every buffer is its own allocation of the exact size, so an
 * out-of-bounds read trips AddressSanitizer. Prints "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyml.h"
#include "tinyml_kernels.h"

#include "../native/kernels/optimized/opt.h"
#include "../native/kernels/reference/fixedpoint.h"
#include "native/check.h"

static uint32_t seed = 12345;
static uint32_t rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}
static int32_t pick(const int32_t *v, int32_t n) { return v[rnd() % (uint32_t)n]; }
static int32_t range(int32_t lo, int32_t hi) {
  return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

static int8_t *bytes(size_t n) {
  int8_t *p = (int8_t *)malloc(n ? n : 1);
  size_t i;
  for (i = 0; i < n; i++) p[i] = (int8_t)rnd();
  return p;
}

/* Per-channel multipliers and shifts: the whole accepted range, extremes
 * more often than their share; every other call all shifts right shifts of
 * [-31, -2] (the models' case, the requantization's fast paths: folded up
 * to -22, wide past it). */
static void quant(int32_t n, int32_t *mult, int8_t *shift) {
  int32_t i;
  const int right = rnd() % 2, wide = rnd() % 2;
  for (i = 0; i < n; i++) {
    const uint32_t r = rnd() % 8;
    if (right) {
      mult[i] = r == 0 ? 0 : r == 1 ? INT32_MAX : (int32_t)(0x40000000u + rnd() % 0x40000000u);
      shift[i] = (int8_t)(r == 2 ? -2 : r == 3 ? (wide ? -31 : -22) : wide ? range(-31, -2) : range(-22, -2));
      continue;
    }
    mult[i] = r == 0 ? 0 : r == 1 ? INT32_MAX : (int32_t)(0x40000000u + rnd() % 0x40000000u);
    shift[i] = (int8_t)(r == 2 ? 30 : r == 3 ? -31 : r == 4 ? range(1, 12) : range(-12, 0));
  }
}

static int32_t *biases(int32_t n) {
  int32_t *b = (int32_t *)malloc(sizeof(int32_t) * (size_t)n);
  int32_t i;
  for (i = 0; i < n; i++) b[i] = (int32_t)(rnd() % 200001) - 100000;
  return b;
}

static int same(const int8_t *a, const int8_t *b, size_t n) { return memcmp(a, b, n) == 0; }

static void describe(const char *what, const tml_conv_params *p) {
  printf("  %s: b%d in %dx%dx%d f %dx%dx%d dm %d s %d,%d d %d,%d pad %d,%d out %dx%dx%d off %d\n",
         what, p->batches, p->in_h, p->in_w, p->in_c, p->f_h, p->f_w, p->f_in_c,
         p->depth_mult, p->stride_h, p->stride_w, p->dil_h, p->dil_w, p->pad_h,
         p->pad_w, p->out_h, p->out_w, p->out_c, p->in_offset);
}

/* Output size with pad_before on top/left and 0..f-1 more rows of padding
 * below/right (the reference only knows the top/left pad). */
static int32_t out_size(int32_t in, int32_t f, int32_t stride, int32_t dil,
                        int32_t pad) {
  const int32_t eff = dil * (f - 1) + 1;
  const int32_t after = range(0, eff - 1);
  const int32_t span = in + pad + after - eff;
  return span < 0 ? 0 : span / stride + 1;
}

static int conv_shape(tml_conv_params *p, int dw) {
  static const int32_t cs[] = {1, 2, 3, 4, 5, 7, 8, 12, 16, 17, 32, 64};
  static const int32_t fs[] = {1, 1, 2, 3, 3, 4, 5};
  memset(p, 0, sizeof *p);
  p->batches = range(1, 2);
  p->in_h = range(1, 9);
  p->in_w = range(1, 9);
  p->in_c = pick(cs, 12);
  p->f_h = pick(fs, 7);
  p->f_w = pick(fs, 7);
  p->stride_h = range(1, 3);
  p->stride_w = range(1, 3);
  p->dil_h = rnd() % 4 == 0 ? 2 : 1;
  p->dil_w = rnd() % 4 == 0 ? 2 : 1;
  p->pad_h = range(0, p->dil_h * (p->f_h - 1));
  p->pad_w = range(0, p->dil_w * (p->f_w - 1));
  p->out_h = out_size(p->in_h, p->f_h, p->stride_h, p->dil_h, p->pad_h);
  p->out_w = out_size(p->in_w, p->f_w, p->stride_w, p->dil_w, p->pad_w);
  if (p->out_h < 1 || p->out_w < 1) return 0;
  if (dw) {
    p->depth_mult = rnd() % 3 == 0 ? range(2, 9) : 1;
    if (p->depth_mult > 1 && rnd() % 2) p->in_c = 1;
    p->f_in_c = 1;
    p->out_c = p->in_c * p->depth_mult;
  } else {
    p->depth_mult = 1;
    p->f_in_c = p->in_c;
    p->out_c = pick(cs, 12) % 13 + (rnd() % 2);
    if (p->out_c < 1) p->out_c = 1;
  }
  /* Zero points at and inside their extremes. */
  p->in_offset = rnd() % 4 == 0 ? (rnd() % 2 ? 128 : -127) : range(-127, 128);
  p->out_offset = rnd() % 4 == 0 ? (rnd() % 2 ? 127 : -128) : range(-128, 127);
  p->act_min = range(-128, 0);
  p->act_max = range(p->act_min, 127);
  return 1;
}

static void run_conv(const tml_conv_params *p, int dw, int with_bias,
                     const char *what) {
  const size_t in_n = (size_t)p->batches * p->in_h * p->in_w * p->in_c;
  const size_t f_n = dw ? (size_t)p->f_h * p->f_w * p->out_c
                        : (size_t)p->out_c * p->f_h * p->f_w * p->f_in_c;
  const size_t out_n = (size_t)p->batches * p->out_h * p->out_w * p->out_c;
  int8_t *in = bytes(in_n), *f = bytes(f_n);
  int8_t *ref = bytes(out_n), *opt = bytes(out_n);
  int32_t *bias = with_bias ? biases(p->out_c) : NULL;
  int32_t *mult = (int32_t *)malloc(sizeof(int32_t) * (size_t)p->out_c);
  int8_t *shift = (int8_t *)malloc((size_t)p->out_c);
  int ok;
  quant(p->out_c, mult, shift);
  if (dw) {
    tml_dwconv_s8(p, mult, shift, in, f, bias, ref);
    tml_opt_dwconv_s8(p, mult, shift, in, f, bias, opt);
  } else {
    tml_conv_s8(p, mult, shift, in, f, bias, ref);
    tml_opt_conv_s8(p, mult, shift, in, f, bias, opt);
  }
  ok = same(ref, opt, out_n);
  CHECK(ok);
  if (!ok) describe(what, p);
  free(in); free(f); free(ref); free(opt); free(bias); free(mult); free(shift);
}

static void test_conv_random(int dw, int n) {
  int i;
  tml_conv_params p;
  for (i = 0; i < n; i++) {
    if (!conv_shape(&p, dw)) continue;
    run_conv(&p, dw, rnd() % 5 != 0, dw ? "dwconv" : "conv");
  }
}

/* Named shapes: the models' layers and the paths' edges. */
static void fixed_conv(int dw, int32_t in_h, int32_t in_w, int32_t in_c,
                       int32_t f_h, int32_t f_w, int32_t s, int32_t pad_h,
                       int32_t pad_w, int32_t out_c, int32_t dm) {
  tml_conv_params p;
  memset(&p, 0, sizeof p);
  p.batches = 1; p.in_h = in_h; p.in_w = in_w; p.in_c = in_c;
  p.f_h = f_h; p.f_w = f_w; p.stride_h = p.stride_w = s; p.dil_h = p.dil_w = 1;
  p.pad_h = pad_h; p.pad_w = pad_w;
  p.out_h = (in_h + 2 * pad_h - f_h) / s + 1;
  p.out_w = (in_w + 2 * pad_w - f_w) / s + 1;
  p.f_in_c = dw ? 1 : in_c;
  p.depth_mult = dw ? dm : 1;
  p.out_c = dw ? in_c * dm : out_c;
  p.in_offset = 128; p.out_offset = -128; p.act_min = -128; p.act_max = 127;
  run_conv(&p, dw, 1, "fixed");
  p.in_offset = -127;
  run_conv(&p, dw, 0, "fixed");
}

static void test_conv_fixed(void) {
  fixed_conv(0, 49, 10, 1, 10, 4, 2, 4, 1, 64, 1);  /* kws first layer */
  fixed_conv(0, 25, 5, 64, 1, 1, 1, 0, 0, 64, 1);   /* kws pointwise */
  fixed_conv(1, 25, 5, 64, 3, 3, 1, 1, 1, 0, 1);    /* kws depthwise */
  fixed_conv(1, 49, 40, 1, 10, 8, 2, 4, 3, 0, 8);   /* micro_speech */
  fixed_conv(0, 9, 9, 3, 3, 3, 2, 1, 1, 8, 1);      /* rgb stem, K % 4 = 3 */
  fixed_conv(0, 6, 6, 32, 3, 3, 1, 1, 1, 5, 1);     /* K = 288: the reference */
  fixed_conv(0, 1, 1, 17, 1, 1, 1, 0, 0, 3, 1);     /* one pixel */
  fixed_conv(1, 1, 1, 7, 3, 3, 1, 1, 1, 0, 1);      /* one pixel, all padding around */
  fixed_conv(1, 5, 5, 3, 3, 3, 2, 1, 1, 0, 3);      /* depth_mult 3: the reference */
  fixed_conv(1, 3, 3, 1, 17, 17, 1, 8, 8, 0, 4);    /* 289 taps: the reference */
  fixed_conv(1, 12, 12, 1, 3, 3, 2, 1, 1, 0, 8);    /* person stem: K = 9, padded to 12 */
  fixed_conv(0, 7, 7, 3, 3, 3, 1, 1, 1, 1, 1);      /* one channel: only the last-row path */
  fixed_conv(0, 5, 5, 5, 1, 1, 1, 0, 0, 3, 1);      /* K = 5 */
  fixed_conv(0, 4, 6, 2, 2, 3, 1, 1, 1, 7, 1);      /* rows of 6 bytes, staged */
  fixed_conv(0, 3, 3, 16, 1, 1, 1, 0, 0, 130, 1);   /* three channel blocks */
  fixed_conv(1, 4, 4, 130, 3, 3, 1, 1, 1, 0, 1);    /* depthwise, three blocks */
  fixed_conv(0, 1, 1, 3, 3, 3, 2, 1, 1, 5, 1);      /* one pixel, padding all round */
}

static void test_grouped(void) {
  tml_conv_params p;
  memset(&p, 0, sizeof p);
  p.batches = 1; p.in_h = 4; p.in_w = 4; p.in_c = 8; p.f_h = p.f_w = 3;
  p.f_in_c = 4; p.depth_mult = 1; p.out_c = 6; p.stride_h = p.stride_w = 1;
  p.dil_h = p.dil_w = 1; p.pad_h = p.pad_w = 1; p.out_h = p.out_w = 4;
  p.in_offset = 3; p.act_min = -128; p.act_max = 127;
  run_conv(&p, 0, 1, "grouped");
}

static void test_fc(int n) {
  static const int32_t ds[] = {1, 3, 4, 5, 8, 63, 64, 192, 193, 255, 256, 257, 260, 600};
  static const int32_t os[] = {1, 2, 3, 4, 5, 7, 12, 63, 64, 65, 70, 128, 129, 130};
  int i;
  for (i = 0; i < n; i++) {
    tml_fc_s8_params p;
    const int per_channel = rnd() % 2;
    size_t in_n, w_n, out_n;
    int8_t *in, *w, *ref, *opt, *shift;
    int32_t *bias, *mult;
    memset(&p, 0, sizeof p);
    p.batches = range(1, 3);
    /* depth <= 192, out <= 128 and one batch: the small-layer path */
    p.accum_depth = pick(ds, 14);
    p.out_depth = pick(os, 14);
    p.in_offset = rnd() % 4 == 0 ? (rnd() % 2 ? 128 : -127) : range(-127, 128);
    p.w_offset = rnd() % 6 == 0 ? range(-127, 128) : 0; /* != 0: the reference */
    p.out_offset = range(-128, 127);
    p.act_min = range(-128, 0);
    p.act_max = range(p.act_min, 127);
    in_n = (size_t)p.batches * p.accum_depth;
    w_n = (size_t)p.out_depth * p.accum_depth;
    out_n = (size_t)p.batches * p.out_depth;
    in = bytes(in_n); w = bytes(w_n); ref = bytes(out_n); opt = bytes(out_n);
    bias = rnd() % 5 ? biases(p.out_depth) : NULL;
    mult = (int32_t *)malloc(sizeof(int32_t) * (size_t)p.out_depth);
    shift = (int8_t *)malloc((size_t)p.out_depth);
    quant(p.out_depth, mult, shift);
    p.out_mult = mult[0];
    p.out_shift = shift[0];
    if (per_channel) {
      tml_fc_s8_per_channel(&p, mult, shift, in, w, bias, ref);
      tml_opt_fc_s8_per_channel(&p, mult, shift, in, w, bias, opt);
    } else {
      tml_fc_s8(&p, in, w, bias, ref);
      tml_opt_fc_s8(&p, in, w, bias, opt);
    }
    CHECK(same(ref, opt, out_n));
    if (!same(ref, opt, out_n))
      printf("  fc: b%d depth %d out %d pc %d in_off %d w_off %d\n", p.batches,
             p.accum_depth, p.out_depth, per_channel, p.in_offset, p.w_offset);
    free(in); free(w); free(ref); free(opt); free(bias); free(mult); free(shift);
  }
}

static void test_avgpool(int n) {
  static const int32_t cs[] = {1, 2, 3, 4, 5, 7, 8, 13, 64};
  int i;
  for (i = 0; i < n; i++) {
    tml_pool_params p;
    size_t in_n, out_n;
    int8_t *in, *ref, *opt;
    const int big = i % 10 == 0; /* windows of more than 256 taps */
    memset(&p, 0, sizeof p);
    p.batches = range(1, 2);
    p.in_h = big ? range(17, 24) : range(1, 8);
    p.in_w = big ? range(17, 24) : range(1, 8);
    p.channels = pick(cs, 9);
    p.f_h = big ? p.in_h : range(1, p.in_h);
    p.f_w = big ? p.in_w : range(1, p.in_w);
    p.stride_h = range(1, 3);
    p.stride_w = range(1, 3);
    p.pad_h = range(0, p.f_h - 1);
    p.pad_w = range(0, p.f_w - 1);
    /* Every window keeps at least one tap inside (the adapter's rule). */
    p.out_h = (p.in_h + p.pad_h - 1) / p.stride_h + 1;
    p.out_w = (p.in_w + p.pad_w - 1) / p.stride_w + 1;
    p.act_min = range(-128, 0);
    p.act_max = range(p.act_min, 127);
    in_n = (size_t)p.batches * p.in_h * p.in_w * p.channels;
    out_n = (size_t)p.batches * p.out_h * p.out_w * p.channels;
    in = bytes(in_n); ref = bytes(out_n); opt = bytes(out_n);
    if (big) memset(in, rnd() % 2 ? 127 : -128, in_n); /* lane sums at their limits */
    tml_avgpool_s8(&p, in, ref);
    tml_opt_avgpool_s8(&p, in, opt);
    CHECK(same(ref, opt, out_n));
    free(in); free(ref); free(opt);
  }
}

static void test_requant(void) {
  static const int32_t xs[] = {0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN,
                               INT32_MAX - 1, INT32_MIN + 1, 0x40000000, -0x40000000,
                               0x3FFFFFFF, -0x3FFFFFFF, 12345, -12345};
  static const int32_t ms[] = {0, 1, INT32_MAX, 0x40000000, 0x40000001, 1518500250};
  int32_t i, j, s;
  int bad = 0;
  for (i = 0; i < 17; i++)
    for (j = 0; j < 6; j++)
      for (s = -31; s <= 30; s++)
        if (opt_requant(xs[i], ms[j], s) != tml_fp_mul_by_qm(xs[i], ms[j], s) ||
            (s <= 0 && opt_requant_r(xs[i], ms[j], s) != tml_fp_mul_by_qm(xs[i], ms[j], s)))
          bad++;
  for (i = 0; i < 200000; i++) {
    const int32_t x = (int32_t)rnd() >> (rnd() % 32);
    const int32_t m = (int32_t)(rnd() & 0x7FFFFFFFu);
    s = range(-31, 30);
    if (opt_requant(x, m, s) != tml_fp_mul_by_qm(x, m, s)) bad++;
    if (s <= 0 && opt_requant_r(x, m, s) != tml_fp_mul_by_qm(x, m, s)) bad++;
  }
  CHECK_EQ(bad, 0);
}

/* tml_opt_requant (the folded rounding of requant.c, one and two pixels)
 * against TFLM's requantization + offset, clamped: every shift, extreme
 * accumulators, multipliers and output offsets, full and narrow ranges. */
static void test_requant_block(void) {
  static const int32_t xs[] = {0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN,
                               INT32_MAX - 1, INT32_MIN + 1, 0x40000000, -0x40000000,
                               0x3FFFFFFF, -0x3FFFFFFF, 12345, -12345, 1 << 21,
                               -(1 << 21), (1 << 21) + 1, -(1 << 21) - 1};
  static const int32_t ms[] = {0, 1, INT32_MAX, 0x40000000, 0x40000001, 1518500250};
  enum { N = OPT_OCB };
  int32_t a0[N], a1[N], mult[N], i, r;
  int8_t shift[N], o0[N], o1[N];
  int bad = 0, fast, inrange;
  for (r = 0; r < 3000; r++) {
    const int32_t off = r % 7 == 0 ? (r % 2 ? 127 : -128) : range(-128, 127);
    const int32_t lo = r % 3 ? -128 : range(-128, 0);
    const int32_t hi = r % 3 ? 127 : range(lo, 127);
    const int two = r % 2;
    const int32_t n = range(1, N);
    for (i = 0; i < n; i++) {
      const uint32_t k = rnd() % 4;
      a0[i] = k == 0 ? xs[rnd() % 21] : (int32_t)rnd() >> (rnd() % 32);
      a1[i] = k == 1 ? xs[rnd() % 21] : (int32_t)rnd() >> (rnd() % 32);
      mult[i] = rnd() % 3 == 0 ? ms[rnd() % 6] : (int32_t)(rnd() & 0x7FFFFFFFu);
      /* Every shift alone, then mixed ones, the fast paths' ranges
       * [-22, -2] and [-31, -2] (tml_opt_rq_fast) with their ends more
       * often. */
      shift[i] = (int8_t)(r < 62 ? r - 31
                          : r % 3 == 0 ? range(-31, 30)
                          : r % 3 == 1 ? (rnd() % 4 == 0 ? (rnd() % 2 ? -22 : -2) : range(-22, -2))
                                       : (rnd() % 4 == 0 ? (rnd() % 2 ? -31 : -23) : range(-31, -2)));
    }
    fast = tml_opt_rq_fast(n, shift);
    for (i = 0, inrange = TML_OPT_RQ_FOLDED; i < n; i++)
      if (shift[i] > -2) inrange = 0;
      else if (shift[i] < -22 && inrange) inrange = TML_OPT_RQ_WIDE;
    if (fast != inrange) bad++;
    tml_opt_requant(a0, two ? a1 : NULL, n, mult, shift, fast, off, lo, hi, o0,
                    two ? o1 : NULL);
    for (i = 0; i < n; i++) {
      int32_t v = (int32_t)((uint32_t)tml_fp_mul_by_qm(a0[i], mult[i], shift[i]) + (uint32_t)off);
      v = v < lo ? lo : v > hi ? hi : v;
      if (o0[i] != v) bad++;
      if (two) {
        v = (int32_t)((uint32_t)tml_fp_mul_by_qm(a1[i], mult[i], shift[i]) + (uint32_t)off);
        v = v < lo ? lo : v > hi ? hi : v;
        if (o1[i] != v) bad++;
      }
    }
  }
  CHECK_EQ(bad, 0);
}

/* CONV_2D + ADD: both ADD slots, apart and in place over x. */
static void test_conv_add(int n) {
  int i, d;
  for (i = 0; i < n; i++) {
    tml_conv_params p;
    tml_addsub_q_params a;
    size_t in_n, f_n, out_n, row_n;
    int8_t *in, *f, *x, *ref, *opt, *row, *shift;
    int32_t *bias, *mult;
    const int32_t slot = (int32_t)(rnd() % 2);
    const int in_place = rnd() % 2;
    if (!conv_shape(&p, 0)) continue;
    memset(&a, 0, sizeof a);
    a.dtype = TML_INT8; a.left_shift = 20;
    a.in1_offset = range(-127, 128); a.in1_mult = 1500000000; a.in1_shift = -1;
    a.in2_offset = range(-127, 128); a.in2_mult = 1100000000; a.in2_shift = 0;
    a.out_offset = range(-128, 127); a.out_mult = 1300000000; a.out_shift = -19;
    a.act_min = -128; a.act_max = range(0, 127);
    for (d = 0; d < TML_BCAST_DIMS; d++) a.shape.out[d] = a.shape.in1[d] = a.shape.in2[d] = 1;
    in_n = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
    f_n = (size_t)p.out_c * p.f_h * p.f_w * p.f_in_c;
    out_n = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
    row_n = (size_t)p.out_w * p.out_c;
    in = bytes(in_n); f = bytes(f_n); x = bytes(out_n); row = bytes(row_n);
    ref = bytes(out_n); opt = bytes(out_n);
    bias = biases(p.out_c);
    mult = (int32_t *)malloc(sizeof(int32_t) * (size_t)p.out_c);
    shift = (int8_t *)malloc((size_t)p.out_c);
    quant(p.out_c, mult, shift);
    if (in_place) {
      memcpy(ref, x, out_n);
      memcpy(opt, x, out_n);
      tml_conv_add_s8(&p, mult, shift, &a, slot, in, f, bias, ref, ref, row);
      tml_opt_conv_add_s8(&p, mult, shift, &a, slot, in, f, bias, opt, opt, row);
    } else {
      tml_conv_add_s8(&p, mult, shift, &a, slot, in, f, bias, x, ref, row);
      tml_opt_conv_add_s8(&p, mult, shift, &a, slot, in, f, bias, x, opt, row);
    }
    CHECK(same(ref, opt, out_n));
    if (!same(ref, opt, out_n)) describe("conv_add", &p);
    free(in); free(f); free(x); free(row); free(ref); free(opt); free(bias); free(mult); free(shift);
  }
}

/* ADD / SUB int8 (no broadcasting: the fast path; broadcasting and int16:
 * the reference). */
static void test_addsub(int n) {
  int i, d;
  for (i = 0; i < n; i++) {
    tml_addsub_q_params a;
    const int bcast = rnd() % 4 == 0, is16 = rnd() % 8 == 0;
    const int32_t len = range(1, 300);
    const size_t es = is16 ? 2 : 1;
    int8_t *x1, *x2, *ref, *opt;
    memset(&a, 0, sizeof a);
    a.dtype = is16 ? TML_INT16 : TML_INT8;
    a.left_shift = is16 ? 15 : 20;
    a.is_sub = (int32_t)(rnd() % 2);
    a.in1_offset = is16 ? 0 : range(-127, 128);
    a.in2_offset = is16 ? 0 : range(-127, 128);
    a.in1_mult = (int32_t)(0x40000000u + rnd() % 0x40000000u); a.in1_shift = -range(0, 31);
    a.in2_mult = (int32_t)(0x40000000u + rnd() % 0x40000000u); a.in2_shift = -range(0, 31);
    a.out_mult = (int32_t)(0x40000000u + rnd() % 0x40000000u); a.out_shift = -range(0, 31);
    if (rnd() % 4 == 0) a.in1_shift = a.in2_shift = a.out_shift = rnd() % 2 ? 0 : -31;
    a.out_offset = range(-128, 127);
    a.act_min = is16 ? -32768 : range(-128, 0);
    a.act_max = is16 ? 32767 : range(a.act_min, 127);
    for (d = 0; d < TML_BCAST_DIMS; d++) a.shape.out[d] = a.shape.in1[d] = a.shape.in2[d] = 1;
    a.shape.out[TML_BCAST_DIMS - 1] = a.shape.in1[TML_BCAST_DIMS - 1] = len;
    a.shape.in2[TML_BCAST_DIMS - 1] = bcast ? 1 : len;
    x1 = bytes((size_t)len * es); x2 = bytes((bcast ? 1 : (size_t)len) * es);
    ref = bytes((size_t)len * es); opt = bytes((size_t)len * es);
    tml_addsub_q(&a, x1, x2, ref);
    tml_opt_addsub_q(&a, x1, x2, opt);
    CHECK(same(ref, opt, (size_t)len * es));
    /* In place over the first input. */
    memcpy(opt, x1, (size_t)len * es);
    tml_opt_addsub_q(&a, opt, x2, opt);
    CHECK(same(ref, opt, (size_t)len * es));
    free(x1); free(x2); free(ref); free(opt);
  }
}

int main(void) {
  test_requant();
  test_requant_block();
  test_conv_fixed();
  test_grouped();
  test_conv_random(0, 400);
  test_conv_random(1, 400);
  test_fc(300);
  test_avgpool(200);
  test_conv_add(150);
  test_addsub(300);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
