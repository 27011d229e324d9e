/*
 * kernels_b.c - standalone tests for the CONV_2D / DEPTHWISE_CONV_2D kernels
 * and their op adapters.
 *
 * Hand-computed cases (padding SAME/VALID, stride 2, dilation 2, groups,
 * depth multiplier 2, no bias, offsets and clamping), a randomized
 * comparison against a straightforward re-derivation, and load-time checks of
 * the adapters through tml_load (this file supplies its own tml_find_op, so
 * only the core, the conv adapters and the kernels are linked).
 *
 * Build (repo root):
 *   clang -std=c99 -Wall -Wextra -Werror -ffp-contract=off -g \
 *     -fsanitize=address,undefined -Inative/include -Inative/core \
 *     test/kernels_b.c native/core/tinyml.c native/ops/conv.c \
 *     native/kernels/reference/conv.c native/kernels/reference/depthwise_conv.c \
 *     native/kernels/reference/fixedpoint.c -o kernels_b && ./kernels_b
 * Add -DKB_STUB_FIXEDPOINT (and drop fixedpoint.c) to use the local stub.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int passed, failed;

static void expect(int cond, const char *what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    printf("FAIL: %s\n", what);
  }
}

#ifdef KB_STUB_FIXEDPOINT
/* Stand-in with the same double-rounding semantics, for use before the
 * shared fixed-point helper exists. */
int32_t tml_mul_by_quantized_mult(int32_t x, int32_t mult, int32_t shift) {
  int32_t left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  int64_t ab = (int64_t)(int32_t)((uint32_t)x << left) * mult;
  int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  int32_t hi, mask, rem, thr;
  if ((int32_t)((uint32_t)x << left) == INT32_MIN && mult == INT32_MIN)
    hi = INT32_MAX;
  else
    hi = (int32_t)((ab + nudge) / ((int64_t)1 << 31));
  if (right == 0) return hi;
  mask = (int32_t)(((int64_t)1 << right) - 1);
  rem = hi & mask;
  thr = (mask >> 1) + (hi < 0 ? 1 : 0);
  return (hi >> right) + (rem > thr ? 1 : 0);
}
#endif

/* Identity requantization: (x * 2) * 2^30 / 2^31 = x exactly. */
#define ONE_MULT (1 << 30)
#define ONE_SHIFT 1

static tml_conv_params base_params(void) {
  tml_conv_params p;
  memset(&p, 0, sizeof p);
  p.stride_w = p.stride_h = 1;
  p.dil_w = p.dil_h = 1;
  p.batches = 1;
  p.f_in_c = 1;
  p.depth_mult = 1;
  return p;
}

static void set_f32_range(tml_conv_params *p, float lo, float hi) {
  memcpy(&p->act_min, &lo, 4);
  memcpy(&p->act_max, &hi, 4);
}

static int same_f32(const float *a, const float *b, int n) {
  return memcmp(a, b, (size_t)n * sizeof(float)) == 0;
}

/* ---- hand-computed float conv cases ------------------------------------ */

static void test_conv_f32_hand(void) {
  static const float in9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const float ones9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  float out[32];
  tml_conv_params p = base_params();

  /* VALID 3x3 on 3x3 with bias 0.5 -> one output. */
  {
    static const float bias[1] = {0.5f};
    static const float want[1] = {45.5f};
    p.in_h = p.in_w = 3; p.in_c = 1;
    p.f_h = p.f_w = 3; p.out_h = p.out_w = 1; p.out_c = 1;
    set_f32_range(&p, -1e30f, 1e30f);
    tml_conv_f32(&p, in9, ones9, bias, out);
    expect(same_f32(out, want, 1), "conv_f32 VALID 3x3 + bias");
  }
  /* SAME 3x3 (pad 1), no bias: neighbourhood sums. */
  {
    static const float want[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
    p.pad_h = p.pad_w = 1; p.out_h = p.out_w = 3;
    tml_conv_f32(&p, in9, ones9, NULL, out);
    expect(same_f32(out, want, 9), "conv_f32 SAME 3x3 no bias");
  }
  /* Same with RELU6-style clamp [0, 30]. */
  {
    static const float want[9] = {12, 21, 16, 27, 30, 30, 24, 30, 28};
    set_f32_range(&p, 0.0f, 30.0f);
    tml_conv_f32(&p, in9, ones9, NULL, out);
    expect(same_f32(out, want, 9), "conv_f32 SAME clamp");
  }
  /* Stride 2, VALID, 5x5 input 1..25: 3x3 block sums = 9 * centre. */
  {
    float in25[25];
    int i;
    static const float want[4] = {63, 81, 153, 171};
    for (i = 0; i < 25; i++) in25[i] = (float)(i + 1);
    p = base_params();
    p.in_h = p.in_w = 5; p.in_c = 1;
    p.f_h = p.f_w = 3; p.stride_h = p.stride_w = 2;
    p.out_h = p.out_w = 2; p.out_c = 1;
    set_f32_range(&p, -1e30f, 1e30f);
    tml_conv_f32(&p, in25, ones9, NULL, out);
    expect(same_f32(out, want, 4), "conv_f32 stride 2 VALID");

    /* Dilation 2: taps at rows/cols 0,2,4 -> 1+3+5+11+13+15+21+23+25. */
    p.stride_h = p.stride_w = 1; p.dil_h = p.dil_w = 2;
    p.out_h = p.out_w = 1;
    tml_conv_f32(&p, in25, ones9, NULL, out);
    expect(out[0] == 117.0f, "conv_f32 dilation 2 VALID");

    /* Dilation 2 SAME on 5x5 (pad 2): centre output equals the VALID one. */
    p.pad_h = p.pad_w = 2; p.out_h = p.out_w = 5;
    tml_conv_f32(&p, in25, ones9, NULL, out);
    expect(out[12] == 117.0f && out[0] == 1 + 3 + 11 + 13,
           "conv_f32 dilation 2 SAME");
  }
  /* Groups: 4 input channels, filter depth 2 -> 2 groups, 2 filters each. */
  {
    static const float in4[4] = {1, 2, 3, 4};
    static const float f[8] = {1, 0, 0, 1, 1, 1, 1, -1};
    static const float want[4] = {1, 2, 7, -1};
    p = base_params();
    p.in_h = p.in_w = 1; p.in_c = 4; p.f_in_c = 2;
    p.f_h = p.f_w = 1; p.out_h = p.out_w = 1; p.out_c = 4;
    set_f32_range(&p, -1e30f, 1e30f);
    tml_conv_f32(&p, in4, f, NULL, out);
    expect(same_f32(out, want, 4), "conv_f32 groups=2");
  }
  /* Batch 2, 1x1 conv, 2 -> 3 channels. */
  {
    static const float in[4] = {1, 2, -3, 4};
    static const float f[6] = {1, 1, 2, 0, 0, -1};
    static const float bias[3] = {0, 1, 2};
    static const float want[6] = {3, 3, 0, 1, -5, -2};
    p = base_params();
    p.batches = 2; p.in_h = p.in_w = 1; p.in_c = 2; p.f_in_c = 2;
    p.f_h = p.f_w = 1; p.out_h = p.out_w = 1; p.out_c = 3;
    set_f32_range(&p, -1e30f, 1e30f);
    tml_conv_f32(&p, in, f, bias, out);
    expect(same_f32(out, want, 6), "conv_f32 batch 2");
  }
}

/* ---- hand-computed int8 conv cases ------------------------------------- */

static void test_conv_s8_hand(void) {
  int8_t out[32];
  int32_t mult[4] = {ONE_MULT, ONE_MULT, ONE_MULT, ONE_MULT};
  int8_t shift[4] = {ONE_SHIFT, ONE_SHIFT, ONE_SHIFT, ONE_SHIFT};
  tml_conv_params p = base_params();

  /* 1x1, offsets and clamp: acc0 = 1*13 + 2*(-2) + 1 = 10 -> 9;
   * acc1 = -13 - 2 - 100 = -115 -> -116 -> clamped to -100. */
  {
    static const int8_t in[2] = {10, -5};
    static const int8_t f[4] = {1, 2, -1, 1};
    static const int32_t bias[2] = {1, -100};
    p.in_h = p.in_w = 1; p.in_c = 2; p.f_in_c = 2;
    p.f_h = p.f_w = 1; p.out_h = p.out_w = 1; p.out_c = 2;
    p.in_offset = 3; p.out_offset = -1; p.act_min = -100; p.act_max = 127;
    tml_conv_s8(&p, mult, shift, in, f, bias, out);
    expect(out[0] == 9 && out[1] == -100, "conv_s8 1x1 offsets + clamp");
  }
  /* SAME 3x3 with per-channel multipliers: channel 0 identity, channel 1
   * scaled by 0.5 on doubled weights (exact, even accumulators). */
  {
    static const int8_t in9[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    int8_t f[18];
    int32_t m2[2] = {ONE_MULT, ONE_MULT};
    int8_t s2[2] = {ONE_SHIFT, 0};
    static const int8_t want[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
    int i, ok = 1;
    for (i = 0; i < 9; i++) { f[i] = 1; f[9 + i] = 2; }
    p = base_params();
    p.in_h = p.in_w = 3; p.in_c = 1;
    p.f_h = p.f_w = 3; p.pad_h = p.pad_w = 1;
    p.out_h = p.out_w = 3; p.out_c = 2;
    p.act_min = -128; p.act_max = 127;
    tml_conv_s8(&p, m2, s2, in9, f, NULL, out);
    for (i = 0; i < 9; i++) ok &= out[2 * i] == want[i] && out[2 * i + 1] == want[i];
    expect(ok, "conv_s8 SAME 3x3 per-channel, no bias");
  }
  /* Stride 2 x, 1 y with asymmetric SAME padding (pad 0 top/left). 1x4 input,
   * 1x2 filter [1,1], stride_w 2 -> out 1x2: (a0+a1, a2+a3). */
  {
    static const int8_t in[4] = {-128, 127, 5, -7};
    static const int8_t f[2] = {1, 1};
    p = base_params();
    p.in_h = 1; p.in_w = 4; p.in_c = 1;
    p.f_h = 1; p.f_w = 2; p.stride_w = 2;
    p.out_h = 1; p.out_w = 2; p.out_c = 1;
    p.act_min = -128; p.act_max = 127;
    tml_conv_s8(&p, mult, shift, in, f, NULL, out);
    expect(out[0] == -1 && out[1] == -2, "conv_s8 stride 2");
  }
  /* Saturation: large sum clamps to 127, and a -128 zero point (in_offset
   * 128) turns input -128 into 0. */
  {
    static const int8_t in[2] = {-128, 127};
    static const int8_t f[2] = {1, 1};
    p = base_params();
    p.in_h = 1; p.in_w = 1; p.in_c = 2; p.f_in_c = 2;
    p.f_h = p.f_w = 1; p.out_h = p.out_w = 1; p.out_c = 1;
    p.in_offset = 128; p.act_min = -128; p.act_max = 127;
    tml_conv_s8(&p, mult, shift, in, f, NULL, out);
    expect(out[0] == 127, "conv_s8 saturate high, zp -128");
  }
  /* Groups in int8: same layout as the float case. */
  {
    static const int8_t in4[4] = {1, 2, 3, 4};
    static const int8_t f[8] = {1, 0, 0, 1, 1, 1, 1, -1};
    p = base_params();
    p.in_h = p.in_w = 1; p.in_c = 4; p.f_in_c = 2;
    p.f_h = p.f_w = 1; p.out_h = p.out_w = 1; p.out_c = 4;
    p.act_min = -128; p.act_max = 127;
    tml_conv_s8(&p, mult, shift, in4, f, NULL, out);
    expect(out[0] == 1 && out[1] == 2 && out[2] == 7 && out[3] == -1,
           "conv_s8 groups=2");
  }
}

/* ---- hand-computed depthwise cases ------------------------------------- */

static void test_dwconv_hand(void) {
  /* 1x2x2x2 input, NHWC: ch0 = 1,2,3,4; ch1 = 10,20,30,40. */
  static const float inf[8] = {1, 10, 2, 20, 3, 30, 4, 40};
  static const int8_t ini[8] = {1, 10, 2, 20, 3, 30, 4, 40};
  /* filter [1,2,2,4], oc = ic*2 + m. oc0: ones; oc1: tap (0,0);
   * oc2: ones; oc3: -1 at (1,1). */
  static const float ff[16] = {1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, -1};
  static const int8_t fi[16] = {1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, -1};
  static const float biasf[4] = {1, 2, 3, 4};
  static const int32_t biasi[4] = {1, 2, 3, 4};
  static const float wantf[4] = {11, 3, 103, -36};
  int32_t mult[4] = {ONE_MULT, ONE_MULT, ONE_MULT, ONE_MULT};
  int8_t shift[4] = {ONE_SHIFT, ONE_SHIFT, ONE_SHIFT, ONE_SHIFT};
  float outf[32];
  int8_t outi[32];
  tml_conv_params p = base_params();

  p.in_h = p.in_w = 2; p.in_c = 2; p.depth_mult = 2;
  p.f_h = p.f_w = 2; p.out_h = p.out_w = 1; p.out_c = 4;
  set_f32_range(&p, -1e30f, 1e30f);
  tml_dwconv_f32(&p, inf, ff, biasf, outf);
  expect(same_f32(outf, wantf, 4), "dwconv_f32 mult 2 VALID");

  p.act_min = -128; p.act_max = 127;
  tml_dwconv_s8(&p, mult, shift, ini, fi, biasi, outi);
  expect(outi[0] == 11 && outi[1] == 3 && outi[2] == 103 && outi[3] == -36,
         "dwconv_s8 mult 2 VALID");

  /* SAME 3x3, no bias, 2 channels: ch1 has doubled input, halved by its
   * multiplier; both give the neighbourhood sums. */
  {
    int8_t in[18], f[18];
    float inf2[18], ff2[18], of[18];
    int32_t m2[2] = {ONE_MULT, ONE_MULT};
    int8_t s2[2] = {ONE_SHIFT, 0};
    static const int8_t want[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
    int i, ok = 1, okf = 1;
    for (i = 0; i < 9; i++) {
      in[2 * i] = (int8_t)(i + 1); in[2 * i + 1] = (int8_t)(2 * (i + 1));
      f[2 * i] = f[2 * i + 1] = 1;
      inf2[2 * i] = (float)(i + 1); inf2[2 * i + 1] = (float)(-(i + 1));
      ff2[2 * i] = ff2[2 * i + 1] = 1.0f;
    }
    p = base_params();
    p.in_h = p.in_w = 3; p.in_c = 2;
    p.f_h = p.f_w = 3; p.pad_h = p.pad_w = 1;
    p.out_h = p.out_w = 3; p.out_c = 2;
    p.act_min = -128; p.act_max = 127;
    tml_dwconv_s8(&p, m2, s2, in, f, NULL, outi);
    for (i = 0; i < 9; i++) ok &= outi[2 * i] == want[i] && outi[2 * i + 1] == want[i];
    expect(ok, "dwconv_s8 SAME 3x3 no bias per-channel");

    set_f32_range(&p, -30.0f, 1e30f); /* clamp the negative channel at -30 */
    tml_dwconv_f32(&p, inf2, ff2, NULL, of);
    for (i = 0; i < 9; i++) {
      float neg = -(float)want[i];
      okf &= of[2 * i] == (float)want[i];
      okf &= of[2 * i + 1] == (neg < -30.0f ? -30.0f : neg);
    }
    expect(okf, "dwconv_f32 SAME 3x3 no bias clamp");
  }
  /* Stride 2 + dilation 2 depthwise on 5x5 single channel, VALID:
   * dilation 2, 3x3 -> effective 5, out 1x1 = 117 (as for conv). */
  {
    int8_t in[25], f[9];
    float inf3[25], ff3[9], of;
    int i;
    for (i = 0; i < 25; i++) { in[i] = (int8_t)(i + 1); inf3[i] = (float)(i + 1); }
    for (i = 0; i < 9; i++) { f[i] = 1; ff3[i] = 1.0f; }
    p = base_params();
    p.in_h = p.in_w = 5; p.in_c = 1;
    p.f_h = p.f_w = 3; p.dil_h = p.dil_w = 2; p.stride_h = p.stride_w = 2;
    p.out_h = p.out_w = 1; p.out_c = 1;
    p.act_min = -128; p.act_max = 127;
    tml_dwconv_s8(&p, mult, shift, in, f, NULL, outi);
    expect(outi[0] == 117, "dwconv_s8 dilation 2 stride 2");
    set_f32_range(&p, -1e30f, 1e30f);
    tml_dwconv_f32(&p, inf3, ff3, NULL, &of);
    expect(of == 117.0f, "dwconv_f32 dilation 2 stride 2");
  }
}

/* ---- randomized comparison with a direct re-derivation ------------------ */

static uint32_t rng = 12345u;
static uint32_t next_u32(void) {
  rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5;
  return rng;
}
static int32_t rnd(int32_t lo, int32_t hi) { /* inclusive */
  return lo + (int32_t)(next_u32() % (uint32_t)(hi - lo + 1));
}

/* Filter weight for (oc, fy, fx, ic) by its mathematical position. */
static int32_t fidx(const tml_conv_params *p, int dw, int oc, int fy, int fx, int ic) {
  if (dw) return (fy * p->f_w + fx) * p->out_c + oc;
  return ((oc * p->f_h + fy) * p->f_w + fx) * p->f_in_c + ic;
}

/* Reference: one output at a time, input channel chosen by group or by
 * oc / depth_mult; same tap order (fy, fx, ic) as TFLM. */
static void ref_run(const tml_conv_params *p, int dw, const int32_t *mult,
                    const int8_t *shift, const int8_t *in8, const int8_t *f8,
                    const int32_t *b32, int8_t *o8, const float *inf,
                    const float *ff, const float *bf, float *of) {
  int b, oy, ox, oc, fy, fx, ic;
  float lo = tml_f32_from_bits(p->act_min), hi = tml_f32_from_bits(p->act_max);
  for (b = 0; b < p->batches; b++)
    for (oy = 0; oy < p->out_h; oy++)
      for (ox = 0; ox < p->out_w; ox++)
        for (oc = 0; oc < p->out_c; oc++) {
          int32_t acc = 0;
          float tot = 0.0f;
          int n_ic = dw ? 1 : p->f_in_c;
          int first = dw ? oc / p->depth_mult
                         : (oc / (p->out_c / (p->in_c / p->f_in_c))) * p->f_in_c;
          int o = ((b * p->out_h + oy) * p->out_w + ox) * p->out_c + oc;
          for (fy = 0; fy < p->f_h; fy++)
            for (fx = 0; fx < p->f_w; fx++)
              for (ic = 0; ic < n_ic; ic++) {
                int y = oy * p->stride_h - p->pad_h + fy * p->dil_h;
                int x = ox * p->stride_w - p->pad_w + fx * p->dil_w;
                int ii = ((b * p->in_h + y) * p->in_w + x) * p->in_c + first + ic;
                int fi = fidx(p, dw, oc, fy, fx, ic);
                if (y < 0 || x < 0 || y >= p->in_h || x >= p->in_w) continue;
                if (in8) acc += f8[fi] * (in8[ii] + p->in_offset);
                else tot += inf[ii] * ff[fi];
              }
          if (in8) {
            if (b32) acc += b32[oc];
            acc = tml_mul_by_quantized_mult(acc, mult[oc], shift[oc]) + p->out_offset;
            acc = acc < p->act_min ? p->act_min : acc > p->act_max ? p->act_max : acc;
            o8[o] = (int8_t)acc;
          } else {
            float v = tot + (bf ? bf[oc] : 0.0f);
            v = v < lo ? lo : v;
            v = hi < v ? hi : v;
            of[o] = v;
          }
        }
}

#define RMAX 4096
static void test_random(void) {
  static int8_t in8[RMAX], f8[RMAX], o8[RMAX], r8[RMAX];
  static float inf[RMAX], ff[RMAX], of[RMAX], rf[RMAX], bf[64];
  static int32_t b32[64], mult[64];
  static int8_t shift[64];
  int iter, bad_s8 = 0, bad_f32 = 0, runs = 0;
  for (iter = 0; iter < 3000; iter++) {
    tml_conv_params p = base_params();
    int dw = iter & 1, has_bias = (iter >> 1) & 1, same = (iter >> 2) & 1;
    int i, n_in, n_f, n_out, eff_h, eff_w;
    p.batches = rnd(1, 2);
    p.in_h = rnd(1, 9); p.in_w = rnd(1, 9);
    p.f_h = rnd(1, 4); p.f_w = rnd(1, 4);
    p.stride_h = rnd(1, 3); p.stride_w = rnd(1, 3);
    p.dil_h = rnd(1, 3); p.dil_w = rnd(1, 3);
    if (dw) {
      p.in_c = rnd(1, 5); p.depth_mult = rnd(1, 3);
      p.out_c = p.in_c * p.depth_mult;
    } else {
      int groups = rnd(1, 3);
      p.f_in_c = rnd(1, 4);
      p.in_c = groups * p.f_in_c;
      p.out_c = groups * rnd(1, 3);
    }
    eff_h = (p.f_h - 1) * p.dil_h + 1;
    eff_w = (p.f_w - 1) * p.dil_w + 1;
    if (same) {
      p.out_h = (p.in_h + p.stride_h - 1) / p.stride_h;
      p.out_w = (p.in_w + p.stride_w - 1) / p.stride_w;
      p.pad_h = ((p.out_h - 1) * p.stride_h + eff_h - p.in_h) / 2;
      p.pad_w = ((p.out_w - 1) * p.stride_w + eff_w - p.in_w) / 2;
      if (p.pad_h < 0) p.pad_h = 0;
      if (p.pad_w < 0) p.pad_w = 0;
    } else {
      p.out_h = (p.in_h + p.stride_h - eff_h) / p.stride_h;
      p.out_w = (p.in_w + p.stride_w - eff_w) / p.stride_w;
    }
    if (p.out_h <= 0 || p.out_w <= 0) continue;
    n_in = p.batches * p.in_h * p.in_w * p.in_c;
    n_f = dw ? p.f_h * p.f_w * p.out_c : p.out_c * p.f_h * p.f_w * p.f_in_c;
    n_out = p.batches * p.out_h * p.out_w * p.out_c;
    if (n_in > RMAX || n_f > RMAX || n_out > RMAX) continue;
    runs++;
    for (i = 0; i < n_in; i++) {
      in8[i] = (int8_t)rnd(-128, 127);
      inf[i] = (float)rnd(-1000000, 1000000) / 65536.0f;
    }
    for (i = 0; i < n_f; i++) {
      f8[i] = (int8_t)rnd(-127, 127);
      ff[i] = (float)rnd(-1000000, 1000000) / 1048576.0f;
    }
    for (i = 0; i < p.out_c; i++) {
      b32[i] = rnd(-20000, 20000);
      bf[i] = (float)rnd(-1000, 1000) / 128.0f;
      mult[i] = rnd(1 << 30, 0x7FFFFFFF);
      shift[i] = rnd(-12, -4);
    }
    p.in_offset = rnd(-127, 128);
    p.out_offset = rnd(-128, 127);
    p.act_min = rnd(-128, 0);
    p.act_max = rnd(0, 127);
    if (dw) tml_dwconv_s8(&p, mult, shift, in8, f8, has_bias ? b32 : NULL, o8);
    else tml_conv_s8(&p, mult, shift, in8, f8, has_bias ? b32 : NULL, o8);
    ref_run(&p, dw, mult, shift, in8, f8, has_bias ? b32 : NULL, r8, NULL, NULL, NULL, NULL);
    if (memcmp(o8, r8, (size_t)n_out) != 0) bad_s8++;

    if (iter & 8) set_f32_range(&p, -(float)rnd(0, 8), (float)rnd(1, 8));
    else set_f32_range(&p, -3.4028235e38f, 3.4028235e38f);
    if (dw) tml_dwconv_f32(&p, inf, ff, has_bias ? bf : NULL, of);
    else tml_conv_f32(&p, inf, ff, has_bias ? bf : NULL, of);
    ref_run(&p, dw, NULL, NULL, NULL, NULL, NULL, NULL, inf, ff, has_bias ? bf : NULL, rf);
    if (memcmp(of, rf, (size_t)n_out * 4) != 0) bad_f32++;
  }
  expect(runs > 1000, "random: enough runs");
  expect(bad_s8 == 0, "random: s8 kernels match the re-derivation");
  expect(bad_f32 == 0, "random: f32 kernels match the re-derivation");
}

/* ---- adapters through tml_load ----------------------------------------- */

extern const tml_op_entry tml_op_conv_s8, tml_op_conv_f32, tml_op_dwconv_s8,
    tml_op_dwconv_f32;

const tml_op_entry *tml_find_op(int32_t kind) {
  switch (kind) {
    case TML_K_CONV_S8: return &tml_op_conv_s8;
    case TML_K_CONV_F32: return &tml_op_conv_f32;
    case TML_K_DWCONV_S8: return &tml_op_dwconv_s8;
    case TML_K_DWCONV_F32: return &tml_op_dwconv_f32;
    default: return NULL;
  }
}

#define NP ((int)(sizeof(tml_conv_params) / 4))

/* Program with 4 tensors (input, filter, bias, output), all in the arena, and
 * one op of `kind`; returns its word count. */
static uint32_t make_program(int32_t *w, int32_t kind, int32_t dtype,
                             const tml_conv_params *p, int32_t bias_index,
                             int32_t in_bytes, int32_t f_bytes, int32_t b_bytes,
                             int32_t out_bytes, int s8) {
  uint32_t n = 0, i;
  int32_t off = 0, sizes[4];
  int32_t types[4];
  sizes[0] = in_bytes; sizes[1] = f_bytes; sizes[2] = b_bytes; sizes[3] = out_bytes;
  types[0] = dtype; types[1] = dtype; types[2] = s8 ? TML_INT32 : TML_FLOAT32;
  types[3] = dtype;
  w[n++] = TML_PROGRAM_MAGIC; w[n++] = TML_PROGRAM_VERSION;
  w[n++] = 4; w[n++] = 1; w[n++] = 0; w[n++] = 0; /* planned, total: below */
  for (i = 0; i < 4; i++) {
    w[n++] = types[i]; w[n++] = TML_ARENA; w[n++] = off; w[n++] = sizes[i];
    off += (sizes[i] + 15) & ~15;
  }
  w[4] = off;
  w[n++] = kind; w[n++] = 3; w[n++] = 1;
  w[n++] = NP + (s8 ? p->out_c + TML_SHIFT_WORDS(p->out_c) : 0);
  w[n++] = 0; w[n++] = 1; w[n++] = bias_index; w[n++] = 3;
  memcpy(w + n, p, sizeof *p);
  n += NP;
  if (s8) {
    for (i = 0; i < (uint32_t)p->out_c; i++) w[n + i] = ONE_MULT;
    /* shifts: int8, packed four per word */
    for (i = 0; i < (uint32_t)TML_SHIFT_WORDS(p->out_c); i++) w[n + p->out_c + i] = 0;
    for (i = 0; i < (uint32_t)p->out_c; i++)
      ((int8_t *)(void *)(w + n + p->out_c))[i] = (int8_t)ONE_SHIFT;
    n += (uint32_t)(p->out_c + TML_SHIFT_WORDS(p->out_c));
  }
  w[5] = (int32_t)n;
  return n;
}

static uint8_t arena[8192]; /* tml_load aligns inside the block */

static tml_status load(const int32_t *w, uint32_t n) {
  return tml_load(arena, sizeof arena, NULL, 0, w, n);
}

static void test_adapters(void) {
  int32_t w[256];
  uint32_t n;
  tml_conv_params p = base_params(), q;
  const int32_t op_params = 6 + 4 * 4 + 4 + 4; /* header + tensors + op hdr + io */

  /* A valid int8 conv: 1x4x4x2 -> 3x3 SAME stride 1 -> 1x4x4x3, groups 1. */
  p.in_h = p.in_w = 4; p.in_c = 2; p.f_in_c = 2;
  p.f_h = p.f_w = 3; p.pad_h = p.pad_w = 1;
  p.out_h = p.out_w = 4; p.out_c = 3;
  p.act_min = -128; p.act_max = 127;
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 12, 48, 1);
  expect(load(w, n) == TML_OK, "adapter: valid conv_s8 loads");
  {
    /* Run it: input all 1, filter all 1, bias 0 -> 2 * taps inside. */
    int8_t *in = (int8_t *)(arena + tml_info(arena, sizeof arena, TML_INFO_PLANNED_OFFSET));
    int8_t *flt = in + 32, *out = in + 32 + 64 + 16;
    memset(in, 1, 32);
    memset(flt, 1, 54);
    expect(tml_invoke(arena, sizeof arena) == TML_OK && out[0] == 8 &&
               out[3 * 5] == 18 && out[47] == 8,
           "adapter: conv_s8 eval through invoke");
  }
  /* Same program without bias (-1). */
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, -1, 32, 54, 12, 48, 1);
  expect(load(w, n) == TML_OK, "adapter: conv_s8 bias -1 loads");

  /* Filter one byte short. */
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 53, 12, 48, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: short filter rejected");
  /* Input short. */
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 31, 54, 12, 48, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: short input rejected");
  /* Bias short. */
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 8, 48, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: short bias rejected");
  /* Output short. */
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 12, 47, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: short output rejected");
  /* Wrong dtype (float tensors for the s8 kind). */
  n = make_program(w, TML_K_CONV_S8, TML_FLOAT32, &p, 2, 128, 216, 12, 192, 1);
  expect(load(w, n) == TML_E_BAD_DTYPE, "adapter: dtype mismatch rejected");

  /* Per-channel shift out of range / negative multiplier. */
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 12, 48, 1);
  ((int8_t *)(void *)(w + op_params + NP + p.out_c))[1] = 31;
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: shift 31 rejected");
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 12, 48, 1);
  ((int8_t *)(void *)(w + op_params + NP + p.out_c))[1] = -32;
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: shift -32 rejected");
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 12, 48, 1);
  w[op_params + NP] = -1;
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: negative multiplier rejected");

  /* Missing per-channel words (n_params = struct only). */
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 12, 48, 1);
  w[6 + 16 + 3] = NP;
  expect(load(w, n) != TML_OK, "adapter: missing per-channel arrays rejected");

  /* Field-by-field corruption of an otherwise valid program. */
  {
    int32_t *fields;
    int k;
    static const struct { int idx; int32_t value; } bad[] = {
        {2, 0}, {3, -1}, {4, 0}, {5, 0}, {6, -1}, {7, -1}, {8, 128}, {9, -129},
        {10, 0}, {11, 0}, {12, 0}, {13, 0}, {14, 0}, {15, 0}, {16, 0},
        {16, 3}, {17, 2}, {18, 0}, {19, 0}, {20, 0}, {20, 2}, {3, 0x40000000},
        {9, 200}, {8, -200}, {11, 0x7FFFFFFF}, {20, 0x7FFFFFFF},
    };
    for (k = 0; k < (int)(sizeof bad / sizeof bad[0]); k++) {
      char what[80];
      n = make_program(w, TML_K_CONV_S8, TML_INT8, &p, 2, 32, 54, 12, 48, 1);
      fields = w + op_params;
      fields[bad[k].idx] = bad[k].value;
      snprintf(what, sizeof what, "adapter: conv_s8 param %d = %ld rejected",
               bad[k].idx, (long)bad[k].value);
      expect(load(w, n) != TML_OK, what);
    }
  }

  /* Huge stride: coordinates would overflow int32 -> rejected. */
  q = p;
  q.stride_h = 0x7FFFFFFF; q.out_h = 4;
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &q, 2, 32, 54, 12, 48, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: coordinate overflow rejected");

  /* Grouped conv: in_c 4, f_in_c 2, out_c 3 (not a multiple of 2 groups). */
  q = base_params();
  q.in_h = q.in_w = 1; q.in_c = 4; q.f_in_c = 2; q.f_h = q.f_w = 1;
  q.out_h = q.out_w = 1; q.out_c = 4; q.act_min = -128; q.act_max = 127;
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &q, -1, 4, 8, 16, 4, 1);
  expect(load(w, n) == TML_OK, "adapter: grouped conv loads");
  q.out_c = 3;
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &q, -1, 4, 8, 12, 3, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: out_c % groups rejected");
  q.out_c = 4; q.f_in_c = 3;
  n = make_program(w, TML_K_CONV_S8, TML_INT8, &q, -1, 4, 12, 16, 4, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: in_c % f_in_c rejected");

  /* Float conv: valid, bad act range (min > max, NaN). */
  n = make_program(w, TML_K_CONV_F32, TML_FLOAT32, &p, 2, 128, 216, 12, 192, 0);
  /* p's int range (-128, 127) read as float bits: min is a NaN -> rejected. */
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: f32 with int act range rejected");
  q = p;
  set_f32_range(&q, -1.0f, 6.0f);
  n = make_program(w, TML_K_CONV_F32, TML_FLOAT32, &q, 2, 128, 216, 12, 192, 0);
  expect(load(w, n) == TML_OK, "adapter: valid conv_f32 loads");
  set_f32_range(&q, 6.0f, -1.0f);
  n = make_program(w, TML_K_CONV_F32, TML_FLOAT32, &q, 2, 128, 216, 12, 192, 0);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: f32 min > max rejected");
  set_f32_range(&q, NAN, 1.0f);
  n = make_program(w, TML_K_CONV_F32, TML_FLOAT32, &q, 2, 128, 216, 12, 192, 0);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: f32 NaN range rejected");
  set_f32_range(&q, -1.0f, 6.0f);
  n = make_program(w, TML_K_CONV_F32, TML_FLOAT32, &q, -1, 128, 216, 12, 192, 0);
  expect(load(w, n) == TML_OK, "adapter: conv_f32 bias -1 loads");
  n = make_program(w, TML_K_CONV_F32, TML_FLOAT32, &q, 2, 128, 216, 12, 192, 0);
  w[6 + 16 + 3] = NP + 1;
  w[n] = 0;
  w[5] = (int32_t)n + 1;
  expect(load(w, n + 1) == TML_E_BAD_PARAMS, "adapter: f32 extra param word rejected");

  /* Depthwise: 1x3x3x2 mult 2 -> 1x3x3x4, filter [1,3,3,4]. */
  q = base_params();
  q.in_h = q.in_w = 3; q.in_c = 2; q.depth_mult = 2;
  q.f_h = q.f_w = 3; q.pad_h = q.pad_w = 1;
  q.out_h = q.out_w = 3; q.out_c = 4; q.act_min = -128; q.act_max = 127;
  n = make_program(w, TML_K_DWCONV_S8, TML_INT8, &q, 2, 18, 36, 16, 36, 1);
  expect(load(w, n) == TML_OK, "adapter: valid dwconv_s8 loads");
  n = make_program(w, TML_K_DWCONV_S8, TML_INT8, &q, -1, 18, 36, 16, 36, 1);
  expect(load(w, n) == TML_OK, "adapter: dwconv_s8 bias -1 loads");
  n = make_program(w, TML_K_DWCONV_S8, TML_INT8, &q, 2, 18, 35, 16, 36, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: dwconv short filter rejected");
  q.depth_mult = 1;
  n = make_program(w, TML_K_DWCONV_S8, TML_INT8, &q, 2, 18, 36, 16, 36, 1);
  expect(load(w, n) == TML_E_BAD_PARAMS, "adapter: dwconv out_c != in_c*mult rejected");
  q.depth_mult = 2;
  set_f32_range(&q, 0.0f, 6.0f);
  n = make_program(w, TML_K_DWCONV_F32, TML_FLOAT32, &q, 2, 72, 144, 16, 144, 0);
  expect(load(w, n) == TML_OK, "adapter: valid dwconv_f32 loads");
  {
    float *in = (float *)(void *)(arena + tml_info(arena, sizeof arena, TML_INFO_PLANNED_OFFSET));
    float *flt = in + 80 / 4, *out = in + (80 + 144 + 16) / 4;
    int i;
    for (i = 0; i < 18; i++) in[i] = 0.5f;
    for (i = 0; i < 36; i++) flt[i] = 1.0f;
    expect(tml_invoke(arena, sizeof arena) == TML_OK && out[0] == 2.0f &&
               out[4 * 4 + 1] == 4.5f && out[35] == 2.0f,
           "adapter: dwconv_f32 eval through invoke (bias 0, clamp 6)");
  }
}

int main(void) {
  test_conv_f32_hand();
  test_conv_s8_hand();
  test_dwconv_hand();
  test_random();
  test_adapters();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
