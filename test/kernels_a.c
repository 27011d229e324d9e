/*
 * kernels_a.c - standalone checks of the fixed-point helpers and of the
 * FULLY_CONNECTED, SOFTMAX, pooling and copy kernels and adapters, on
 * hand-computed cases and edge cases. Build with every native source, e.g.
 *   clang -std=c99 -fsanitize=address,undefined -Inative/include -Inative/core
 *     test/kernels_a.c <native sources> -lm
 * Prints "N passed, N failed"; exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tinyml.h"
#include "tinyml_kernels.h"

#include "../native/kernels/reference/fixedpoint.h"

#include "native/check.h"

/* ---- independent references, written the slow obvious way ---- */

/* floor(n / 2^s) for int64 n, s in [0, 62], without shifting negatives. */
static int64_t floor_div_pot(int64_t n, int s) {
  const int64_t d = (int64_t)1 << s;
  int64_t q = n / d;
  if (n % d != 0 && n < 0) q--;
  return q;
}

/* VQRDMULH: floor((a*b + 2^30) / 2^31), INT32_MIN^2 saturating. */
static int32_t ref_srdhm(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return (int32_t)floor_div_pot((int64_t)a * b + ((int64_t)1 << 30), 31);
}

/* x / 2^e rounded to nearest, ties away from zero. */
static int32_t ref_rdbpot(int32_t x, int e) {
  int64_t m, q;
  if (e == 0) return x;
  m = x < 0 ? -(int64_t)x : (int64_t)x;
  q = (m + ((int64_t)1 << (e - 1))) >> e;
  return (int32_t)(x < 0 ? -q : q);
}

static int32_t ref_mbqm(int32_t x, int32_t mult, int shift) {
  if (shift > 0) {
    int64_t wide = (int64_t)x * ((int64_t)1 << shift);
    /* keep the low 32 bits, two's complement */
    return ref_srdhm((int32_t)(uint32_t)(uint64_t)wide, mult);
  }
  return ref_rdbpot(ref_srdhm(x, mult), -shift);
}

static uint32_t rng = 12345u;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static const int32_t edge_values[] = {
    0, 1, -1, 2, -2, 3, -3, 5, -5, 127, -128, 255, -255, 1 << 15,
    -(1 << 15), (1 << 30) - 1, 1 << 30, -(1 << 30), (1 << 30) + 1,
    INT32_MAX, INT32_MIN, INT32_MAX - 1, INT32_MIN + 1, 0x55555555,
    -0x55555555, 1073741823, 1518500250};
#define N_EDGE ((int)(sizeof edge_values / sizeof edge_values[0]))

static void test_srdhm(void) {
  int i, j;
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN),
           INT32_MAX);
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(INT32_MAX, INT32_MAX),
           2147483646);
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MAX),
           -2147483647);
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(1 << 30, 1 << 30), 1 << 29);
  /* +0.5 rounds up to 1, -0.5 rounds up to 0, -1.5 to -1 (VQRDMULH) */
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(1, 1 << 30), 1);
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(-1, 1 << 30), 0);
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(-3, 1 << 30), -1);
  CHECK_EQ(tml_saturating_rounding_doubling_high_mul(-9, 1 << 30), -4);
  {
    int bad = 0;
    for (i = 0; i < N_EDGE; i++)
      for (j = 0; j < N_EDGE; j++)
        if (tml_fp_srdhm(edge_values[i], edge_values[j]) !=
            ref_srdhm(edge_values[i], edge_values[j]))
          bad++;
    for (i = 0; i < 200000; i++) {
      int32_t a = (int32_t)next_rand(), b = (int32_t)next_rand();
      if (i & 1) a >>= (next_rand() % 31);
      if (tml_fp_srdhm(a, b) != ref_srdhm(a, b)) bad++;
    }
    CHECK_EQ(bad, 0);
  }
}

static void test_rdbpot(void) {
  int i, e, bad = 0;
  CHECK_EQ(tml_rounding_divide_by_pot(5, 1), 3);
  CHECK_EQ(tml_rounding_divide_by_pot(-5, 1), -3);
  CHECK_EQ(tml_rounding_divide_by_pot(-4, 1), -2);
  CHECK_EQ(tml_rounding_divide_by_pot(-6, 2), -2); /* -1.5 -> -2 */
  CHECK_EQ(tml_rounding_divide_by_pot(-5, 2), -1); /* -1.25 -> -1 */
  CHECK_EQ(tml_rounding_divide_by_pot(7, 0), 7);
  CHECK_EQ(tml_rounding_divide_by_pot(INT32_MIN, 31), -1);
  CHECK_EQ(tml_rounding_divide_by_pot(INT32_MAX, 31), 1);
  CHECK_EQ(tml_rounding_divide_by_pot(1 << 30, 31), 1);
  CHECK_EQ(tml_rounding_divide_by_pot(-(1 << 30), 31), -1);
  CHECK_EQ(tml_rounding_divide_by_pot((1 << 30) - 1, 31), 0);
  CHECK_EQ(tml_rounding_divide_by_pot(INT32_MIN, 0), INT32_MIN);
  /* out-of-range exponents are clamped, never undefined */
  CHECK_EQ(tml_rounding_divide_by_pot(INT32_MIN, 40), -1);
  CHECK_EQ(tml_rounding_divide_by_pot(-7, -3), -7);
  for (e = 0; e <= 31; e++) {
    for (i = 0; i < N_EDGE; i++)
      if (tml_fp_rdbpot(edge_values[i], e) != ref_rdbpot(edge_values[i], e))
        bad++;
    for (i = 0; i < 5000; i++) {
      int32_t x = (int32_t)next_rand();
      if (tml_fp_rdbpot(x, e) != ref_rdbpot(x, e)) bad++;
    }
  }
  CHECK_EQ(bad, 0);
}

static void test_mbqm(void) {
  int i, s, bad = 0;
  CHECK_EQ(tml_mul_by_quantized_mult(100, 1 << 30, 0), 50);
  /* double rounding: 5 * 0.5 = 2.5 -> 3, then 3 / 2 = 1.5 -> 2 */
  CHECK_EQ(tml_mul_by_quantized_mult(5, 1 << 30, -1), 2);
  CHECK_EQ(tml_mul_by_quantized_mult(-5, 1 << 30, -1), -1);
  CHECK_EQ(tml_mul_by_quantized_mult(3, 1 << 30, 2), 6);
  CHECK_EQ(tml_mul_by_quantized_mult(1, 1 << 30, 30), 1 << 29);
  CHECK_EQ(tml_mul_by_quantized_mult(INT32_MAX, INT32_MAX, -31), 1);
  CHECK_EQ(tml_mul_by_quantized_mult(INT32_MIN, INT32_MAX, -31), -1);
  CHECK_EQ(tml_mul_by_quantized_mult(INT32_MIN, 0, 30), 0);
  for (s = -31; s <= 30; s++) {
    for (i = 0; i < N_EDGE; i++) {
      int j;
      for (j = 0; j < N_EDGE; j++) {
        const int32_t m = edge_values[j] < 0 ? 0 : edge_values[j];
        if (tml_mul_by_quantized_mult(edge_values[i], m, s) !=
            ref_mbqm(edge_values[i], m, s))
          bad++;
      }
    }
    for (i = 0; i < 3000; i++) {
      int32_t x = (int32_t)next_rand() >> (next_rand() % 32);
      int32_t m = (int32_t)(next_rand() >> 1);
      if (tml_mul_by_quantized_mult(x, m, s) != ref_mbqm(x, m, s)) bad++;
    }
  }
  CHECK_EQ(bad, 0);
}

static void test_exp_recip(void) {
  int i, bad = 0;
  double worst = 0;
  CHECK_EQ(tml_fp_exp_on_negative(0, 5), INT32_MAX);
  /* exp(-1) in Q0 from -1.0 in Q5.26: three rounded products of table
   * constants (exp(-1/4) from the series, exp(-1/4), exp(-1/2)) */
  CHECK_EQ(tml_fp_exp_on_negative(-(1 << 26), 5), 790015308);
  /* a very negative input flushes towards 0 */
  CHECK(tml_fp_exp_on_negative(INT32_MIN, 5) >= 0);
  CHECK(tml_fp_exp_on_negative(INT32_MIN, 5) < 2);
  for (i = 0; i < 20000; i++) {
    const int32_t a = -(int32_t)(next_rand() % (16u << 26)); /* [-16, 0] */
    const double got = tml_fp_exp_on_negative(a, 5) / 2147483648.0;
    const double want = exp(a / 67108864.0);
    const double err = fabs(got - want);
    if (err > worst) worst = err;
    if (err > 2e-6) bad++;
  }
  CHECK_EQ(bad, 0);
  /* the same function at other integer-bit counts (as logistic/tanh use) */
  CHECK(fabs(tml_fp_exp_on_negative(-(1 << 27), 4) / 2147483648.0 - exp(-1.0)) <
        2e-6);
  CHECK(fabs(tml_fp_exp_on_negative(-(1 << 30), 1) / 2147483648.0 - exp(-1.0)) <
        2e-6);
  CHECK_EQ(tml_fp_exp_on_negative(-(1 << 25) * 33, 6), 0); /* < -32 in Q6 */

  bad = 0;
  for (i = 0; i < 20000; i++) {
    const int32_t a = (int32_t)(next_rand() >> 1); /* [0, 1) */
    const double got = tml_fp_one_over_one_plus_x(a) / 2147483648.0;
    const double want = 1.0 / (1.0 + a / 2147483648.0);
    if (fabs(got - want) > 2e-8 * 64) bad++;
  }
  CHECK_EQ(bad, 0);
  {
    int32_t nbits;
    /* 3.0 in Q12: 1/3 = (2/3) * 2^-1 */
    int32_t r = tml_fp_reciprocal(3 << 19, 12, &nbits);
    CHECK_EQ(nbits, 1);
    CHECK(fabs(r / 2147483648.0 - 2.0 / 3.0) < 1e-7);
    r = tml_fp_reciprocal(0, 12, &nbits); /* defined even on garbage */
    CHECK_EQ(nbits, 12 - 32);
  }
  CHECK_EQ(tml_fp_rounding_half_sum(INT32_MAX, INT32_MAX), INT32_MAX);
  CHECK_EQ(tml_fp_rounding_half_sum(INT32_MIN, INT32_MIN), INT32_MIN);
  CHECK_EQ(tml_fp_rounding_half_sum(0, 1), 1);
  CHECK_EQ(tml_fp_rounding_half_sum(0, -1), -1);
  CHECK_EQ(tml_fp_sat_shl(1 << 29, 2), INT32_MAX);
  CHECK_EQ(tml_fp_sat_shl(-(1 << 29), 2), INT32_MIN);
  CHECK_EQ(tml_fp_sat_shl(-(1 << 29) + 1, 2), (-(1 << 29) + 1) * 4);
  CHECK_EQ(tml_fp_clz32(0), 32);
  CHECK_EQ(tml_fp_clz32(1), 31);
  CHECK_EQ(tml_fp_clz32(0x80000000u), 0);
  (void)worst;
}

/* ---- kernels ---- */

static void test_fc(void) {
  const int8_t in[2] = {1, 2};
  const int8_t w[4] = {1, 2, 3, -4};
  const int32_t bias[2] = {10, -3};
  int8_t out[2];
  tml_fc_s8_params p = {1, 0, -1, 1 << 30, 0, -128, 127, 1, 2, 2};
  /* acc0 = 1*2 + 2*3 + 10 = 18 -> 9 -> 8; acc1 = 6 - 12 - 3 = -9 -> -4 -> -5 */
  tml_fc_s8(&p, in, w, bias, out);
  CHECK_EQ(out[0], 8);
  CHECK_EQ(out[1], -5);
  p.act_min = -3;
  p.act_max = 5;
  tml_fc_s8(&p, in, w, bias, out);
  CHECK_EQ(out[0], 5);
  CHECK_EQ(out[1], -3);
  /* no bias: 8 -> 4 -> 3; -6 -> -3 -> -4 */
  p.act_min = -128;
  p.act_max = 127;
  tml_fc_s8(&p, in, w, NULL, out);
  CHECK_EQ(out[0], 3);
  CHECK_EQ(out[1], -4);
  /* weights offset (per-tensor): w + 1 -> acc0 = 2*2 + 3*3 + 10 = 23 -> 12 */
  p.w_offset = 1;
  tml_fc_s8(&p, in, w, bias, out);
  CHECK_EQ(out[0], 11);
  {
    /* per-channel ignores w_offset; channel 1 has shift -1: -9 -> -4 -> -2 */
    const int32_t mult[2] = {1 << 30, 1 << 30};
    const int8_t shift[2] = {0, -1};
    p.w_offset = 5;
    tml_fc_s8_per_channel(&p, mult, shift, in, w, bias, out);
    CHECK_EQ(out[0], 8);
    CHECK_EQ(out[1], -3);
  }
  {
    /* two batches, saturation at the int8 limits */
    const int8_t in2[4] = {127, 127, -128, -128};
    const int8_t w2[2] = {127, 127};
    int8_t o2[2];
    tml_fc_s8_params q = {0, 0, 0, INT32_MAX, 0, -128, 127, 2, 2, 1};
    tml_fc_s8(&q, in2, w2, NULL, o2);
    CHECK_EQ(o2[0], 127);
    CHECK_EQ(o2[1], -128);
  }
  {
    const float fin[4] = {1.5f, -2.0f, 0.0f, 1.0f};
    const float fw[4] = {2.0f, 1.0f, 0.5f, 0.25f};
    const float fb[2] = {0.5f, 0.0f};
    float fo[4];
    tml_fc_f32_params f;
    f.act_min = 0;
    f.act_max = 0;
    {
      float lo = -3.4028234663852886e38f, hi = 3.4028234663852886e38f;
      memcpy(&f.act_min, &lo, 4);
      memcpy(&f.act_max, &hi, 4);
    }
    f.batches = 2;
    f.accum_depth = 2;
    f.out_depth = 2;
    tml_fc_f32(&f, fin, fw, fb, fo);
    CHECK(fo[0] == 1.5f);  /* 3 - 2 + 0.5 */
    CHECK(fo[1] == 0.25f); /* 0.75 - 0.5 */
    CHECK(fo[2] == 1.5f);  /* 0 + 1 + 0.5 */
    CHECK(fo[3] == 0.25f);
    {
      float lo = 0.0f, hi = 1.0f;
      memcpy(&f.act_min, &lo, 4);
      memcpy(&f.act_max, &hi, 4);
    }
    tml_fc_f32(&f, fin, fw, NULL, fo);
    CHECK(fo[0] == 1.0f); /* 1.0 clamped at 1 */
    CHECK(fo[1] == 0.25f);
    CHECK(fo[2] == 1.0f);
  }
}

static void test_softmax(void) {
  /* beta 1, scale 1/16: multiplier 2^22 in Q5.26 -> (2^30, shift 23),
   * diff_min = -floor(31 * 2^26 / 2^23) = -248 */
  tml_softmax_s8_params p = {2, 4, 1 << 30, 23, -248, TML_INT8};
  const int8_t in[8] = {5, 5, 5, 5, 127, -128, -128, -128};
  int8_t out[8];
  int16_t out16[8];
  tml_softmax_s8(&p, in, out);
  CHECK_EQ(out[0], -64); /* 1/4 -> 64 - 128 */
  CHECK_EQ(out[3], -64);
  CHECK_EQ(out[4], 127); /* 1.0 saturates */
  CHECK_EQ(out[5], -128);
  p.out_dtype = TML_INT16;
  tml_softmax_s8(&p, in, out16);
  CHECK_EQ(out16[0], -16384); /* 1/4 * 65536 - 32768 */
  CHECK_EQ(out16[4], 32767);
  CHECK_EQ(out16[7], -32768);
  {
    /* two values one step apart: e^0 and e^-1/16 */
    const int8_t in2[2] = {0, -1};
    int8_t o2[2];
    double e1 = exp(-1.0 / 16);
    tml_softmax_s8_params q = {1, 2, 1 << 30, 23, -248, TML_INT8};
    tml_softmax_s8(&q, in2, o2);
    CHECK(fabs((o2[0] + 128) - 256.0 / (1 + e1)) <= 1.0);
    CHECK(fabs((o2[1] + 128) - 256.0 * e1 / (1 + e1)) <= 1.0);
  }
  {
    /* left shift 31 with diff_min 0: only the row max contributes */
    const int8_t in3[3] = {3, 3, 2};
    int8_t o3[3];
    tml_softmax_s8_params q = {1, 3, INT32_MAX, 31, 0, TML_INT8};
    tml_softmax_s8(&q, in3, o3);
    CHECK_EQ(o3[0], 0); /* 1/2 */
    CHECK_EQ(o3[1], 0);
    CHECK_EQ(o3[2], -128);
  }
  {
    const float fin[6] = {0, 0, 0, 0, 1.0f, 1.0f};
    float fo[6];
    float beta = 1.0f;
    tml_softmax_f32_params f;
    f.outer = 2;
    f.depth = 3;
    memcpy(&f.beta, &beta, 4);
    tml_softmax_f32(&f, fin, fo);
    CHECK(fo[0] == 1.0f / 3.0f);
    {
      /* row 2: {0, 1, 1} -> e^-1, 1, 1 in that order */
      const float e = expf((0.0f - 1.0f) * 1.0f);
      const float sum = (e + 1.0f) + 1.0f;
      CHECK(fo[3] == e / sum);
      CHECK(fo[4] == 1.0f / sum);
    }
  }
}

static tml_pool_params pool(int32_t in_h, int32_t in_w, int32_t ch,
                            int32_t f, int32_t stride, int32_t pad,
                            int32_t out_hw) {
  tml_pool_params p;
  p.batches = 1;
  p.in_h = in_h;
  p.in_w = in_w;
  p.channels = ch;
  p.f_h = f;
  p.f_w = f;
  p.stride_h = stride;
  p.stride_w = stride;
  p.pad_h = pad;
  p.pad_w = pad;
  p.out_h = out_hw;
  p.out_w = out_hw;
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

static void test_pool(void) {
  const int8_t in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 10};
  const int8_t neg[9] = {-1, -2, 0, -3, -4, 0, 0, 0, 0};
  int8_t out[4];
  tml_pool_params p = pool(3, 3, 1, 2, 1, 0, 2);
  tml_avgpool_s8(&p, in, out);
  CHECK_EQ(out[0], 3); /* 12 / 4 */
  CHECK_EQ(out[1], 4); /* 16 / 4 */
  CHECK_EQ(out[2], 6); /* 24 / 4 */
  CHECK_EQ(out[3], 7); /* 29 / 4 = 7.25 */
  tml_avgpool_s8(&p, neg, out);
  CHECK_EQ(out[0], -3); /* -10 / 4 = -2.5 -> -3 */
  CHECK_EQ(out[1], -2); /* -6 / 4 = -1.5 -> -2 */
  CHECK_EQ(out[3], -1); /* -4 / 4 */
  tml_maxpool_s8(&p, in, out);
  CHECK_EQ(out[0], 5);
  CHECK_EQ(out[3], 10);
  tml_maxpool_s8(&p, neg, out);
  CHECK_EQ(out[0], -1);
  CHECK_EQ(out[3], 0);
  /* SAME 3x3 stride 2 on 3x3 (pad 1): corner windows have 4 valid taps */
  p = pool(3, 3, 1, 3, 2, 1, 2);
  tml_avgpool_s8(&p, in, out);
  CHECK_EQ(out[0], 3);  /* (1+2+4+5)/4 */
  CHECK_EQ(out[1], 4);  /* (2+3+5+6)/4 */
  CHECK_EQ(out[2], 6);  /* (4+5+7+8)/4 */
  CHECK_EQ(out[3], 7);  /* (5+6+8+10)/4 = 7.25 */
  p.act_min = 4;
  p.act_max = 6;
  tml_maxpool_s8(&p, in, out);
  CHECK_EQ(out[0], 5);
  CHECK_EQ(out[1], 6);
  CHECK_EQ(out[3], 6);
  tml_avgpool_s8(&p, in, out);
  CHECK_EQ(out[0], 4);
  {
    /* two channels interleaved, float */
    const float fin[8] = {1, -1, 2, -2, 3, -3, 4, -5};
    float fo[2];
    float lo = -3.4028234663852886e38f, hi = 3.4028234663852886e38f;
    tml_pool_params q = pool(2, 2, 2, 2, 2, 0, 1);
    memcpy(&q.act_min, &lo, 4);
    memcpy(&q.act_max, &hi, 4);
    tml_avgpool_f32(&q, fin, fo);
    CHECK(fo[0] == 2.5f);
    CHECK(fo[1] == -2.75f);
    tml_maxpool_f32(&q, fin, fo);
    CHECK(fo[0] == 4.0f);
    CHECK(fo[1] == -1.0f);
    lo = 0.0f;
    hi = 6.0f;
    memcpy(&q.act_min, &lo, 4);
    memcpy(&q.act_max, &hi, 4);
    tml_avgpool_f32(&q, fin, fo);
    CHECK(fo[1] == 0.0f);
  }
}

/* ---- adapters through tml_load / tml_invoke ---- */

static uint8_t arena[4096 + 16];
static int32_t prog[256];

/* Builds a one-op program: tensors[i] = {dtype, where, offset, bytes}. */
static uint32_t build(const int32_t (*tensors)[4], int32_t n_tensors,
                      int32_t planned, int32_t kind, const int32_t *ins,
                      int32_t n_in, const int32_t *outs, int32_t n_out,
                      const int32_t *params, int32_t n_params) {
  int32_t i, w = 0;
  prog[w++] = TML_PROGRAM_MAGIC;
  prog[w++] = TML_PROGRAM_VERSION;
  prog[w++] = n_tensors;
  prog[w++] = 1;
  prog[w++] = planned;
  prog[w++] = 0; /* total words, below */
  for (i = 0; i < n_tensors; i++) {
    prog[w++] = tensors[i][0];
    prog[w++] = tensors[i][1];
    prog[w++] = tensors[i][2];
    prog[w++] = tensors[i][3];
  }
  prog[w++] = kind;
  prog[w++] = n_in;
  prog[w++] = n_out;
  prog[w++] = n_params;
  for (i = 0; i < n_in; i++) prog[w++] = ins[i];
  for (i = 0; i < n_out; i++) prog[w++] = outs[i];
  for (i = 0; i < n_params; i++) prog[w++] = params[i];
  prog[5] = w;
  return (uint32_t)w;
}

static uint8_t *planned(void) {
  return arena + tml_info(arena, sizeof arena, TML_INFO_PLANNED_OFFSET);
}

static void test_adapters(void) {
  /* model: int8 weights {1,2,3,-4} at 0, int32 bias {10,-3} at 16 */
  static int32_t model_words[8];
  const uint8_t *model = (const uint8_t *)model_words;
  const int32_t tensors[4][4] = {{TML_INT8, TML_ARENA, 0, 2},
                                 {TML_INT8, TML_MODEL, 0, 4},
                                 {TML_INT32, TML_MODEL, 16, 8},
                                 {TML_INT8, TML_ARENA, 16, 2}};
  const int32_t ins[3] = {0, 1, 2};
  const int32_t no_bias[3] = {0, 1, -1};
  const int32_t outs[1] = {3};
  /* per-tensor words, then per-channel multipliers and packed int8 shifts
   * {0, -1} (little-endian bytes 0x00, 0xFF). */
  int32_t params[13] = {1, 0, -1, 1 << 30, 0, -128, 127, 1, 2, 2, 1 << 30,
                        1 << 30, 0xFF00};
  uint32_t n;
  {
    int8_t w[4] = {1, 2, 3, -4};
    int32_t b[2] = {10, -3};
    memcpy(model_words, w, 4);
    memcpy(model_words + 4, b, 8);
  }
  n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, outs, 1, params, 10);
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_OK);
  planned()[0] = 1;
  planned()[1] = 2;
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  CHECK_EQ((int8_t)planned()[16], 8);
  CHECK_EQ((int8_t)planned()[17], -5);
  /* per-channel: 10 + out_depth + ceil(out_depth / 4) words */
  n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, outs, 1, params, 13);
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_OK);
  planned()[0] = 1;
  planned()[1] = 2;
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  CHECK_EQ((int8_t)planned()[17], -3);
  /* optional bias absent */
  n = build(tensors, 4, 32, TML_K_FC_S8, no_bias, 3, outs, 1, params, 10);
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_OK);
  /* rejections */
  n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, outs, 1, params, 11);
  CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
        TML_OK);
  params[4] = 31; /* shift out of range */
  n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, outs, 1, params, 10);
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_E_BAD_PARAMS);
  params[4] = 0;
  params[8] = 3; /* accum depth larger than the tensors */
  n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, outs, 1, params, 10);
  CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
        TML_OK);
  params[8] = 2;
  params[5] = 10; /* act_min > act_max */
  params[6] = 9;
  n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, outs, 1, params, 10);
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_E_BAD_PARAMS);
  params[5] = -128;
  params[6] = 127;
  params[7] = 0x40000000; /* batches * depth overflows */
  n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, outs, 1, params, 10);
  CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
        TML_OK);
  params[7] = 1;
  {
    /* output in the model: read-only */
    const int32_t ro_out[1] = {1};
    n = build(tensors, 4, 32, TML_K_FC_S8, ins, 3, ro_out, 1, params, 10);
    CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
          TML_OK);
  }

  {
    /* copy: 2 bytes arena -> arena, then aliased (same offset) */
    const int32_t ct[2][4] = {{TML_INT8, TML_ARENA, 0, 2},
                              {TML_INT8, TML_ARENA, 16, 2}};
    const int32_t ci[1] = {0}, co[1] = {1};
    int32_t bytes = 2;
    n = build(ct, 2, 32, TML_K_COPY, ci, 1, co, 1, &bytes, 1);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_OK);
    planned()[0] = 7;
    planned()[1] = 9;
    CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
    CHECK_EQ(planned()[16], 7);
    CHECK_EQ(planned()[17], 9);
    bytes = 3; /* more than the tensors hold */
    n = build(ct, 2, 32, TML_K_COPY, ci, 1, co, 1, &bytes, 1);
    CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
          TML_OK);
    bytes = -1;
    n = build(ct, 2, 32, TML_K_COPY, ci, 1, co, 1, &bytes, 1);
    CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
          TML_OK);
  }
  {
    /* softmax int8 -> int16 and pool checks */
    const int32_t st[2][4] = {{TML_INT8, TML_ARENA, 0, 4},
                              {TML_INT16, TML_ARENA, 16, 8}};
    const int32_t si[1] = {0}, so[1] = {1};
    int32_t sp[6] = {1, 4, 1 << 30, 23, -248, TML_INT16};
    n = build(st, 2, 32, TML_K_SOFTMAX_S8, si, 1, so, 1, sp, 6);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_OK);
    memset(planned(), 5, 4);
    CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
    {
      int16_t v;
      memcpy(&v, planned() + 16, 2);
      CHECK_EQ(v, -16384);
    }
    sp[5] = TML_INT8; /* output tensor is int16: dtype mismatch */
    n = build(st, 2, 32, TML_K_SOFTMAX_S8, si, 1, so, 1, sp, 6);
    CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
          TML_OK);
    sp[5] = TML_INT16;
    sp[3] = 32;
    n = build(st, 2, 32, TML_K_SOFTMAX_S8, si, 1, so, 1, sp, 6);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_E_BAD_PARAMS);
  }
  {
    const int32_t pt[2][4] = {{TML_INT8, TML_ARENA, 0, 9},
                              {TML_INT8, TML_ARENA, 16, 4}};
    const int32_t pi[1] = {0}, po[1] = {1};
    tml_pool_params pp = pool(3, 3, 1, 3, 2, 1, 2);
    int32_t words[14];
    memcpy(words, &pp, sizeof words);
    n = build(pt, 2, 32, TML_K_AVGPOOL_S8, pi, 1, po, 1, words, 14);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_OK);
    n = build(pt, 2, 32, TML_K_MAXPOOL_S8, pi, 1, po, 1, words, 14);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_OK);
    pp.pad_h = 3; /* windows entirely in the padding */
    memcpy(words, &pp, sizeof words);
    n = build(pt, 2, 32, TML_K_AVGPOOL_S8, pi, 1, po, 1, words, 14);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_E_BAD_PARAMS);
    pp = pool(3, 3, 1, 1, 4, 0, 2); /* second window starts past the input */
    memcpy(words, &pp, sizeof words);
    n = build(pt, 2, 32, TML_K_AVGPOOL_S8, pi, 1, po, 1, words, 14);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_E_BAD_PARAMS);
    pp = pool(3, 3, 1, 2, 1, 0, 2);
    pp.stride_w = 0;
    memcpy(words, &pp, sizeof words);
    n = build(pt, 2, 32, TML_K_MAXPOOL_S8, pi, 1, po, 1, words, 14);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_E_BAD_PARAMS);
  }
}

int main(void) {
  test_srdhm();
  test_rdbpot();
  test_mbqm();
  test_exp_recip();
  test_fc();
  test_softmax();
  test_pool();
  test_adapters();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
