/*
 * kernels_elementwise.c - standalone checks of the broadcast walker, the
 * binary kernels (ADD/SUB/MUL/DIV/MIN/MAX), the activation kernels and the
 * QUANTIZE / DEQUANTIZE / CAST kernels and their adapters, against slow
 * obvious references and edge cases. Build with every native source, e.g.
 *   clang -std=c99 -fsanitize=address,undefined -Inative/include -Inative/core
 *     test/kernels_elementwise.c $(node scripts/native-sources.js) -lm
 * Prints "N passed, N failed"; exits non-zero on any failure.
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "tinyml.h"
#include "tinyml_kernels.h"

#include "native/check.h"

static uint32_t rng = 20240611u;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static int32_t f32_bits(float f) {
  int32_t b;
  memcpy(&b, &f, sizeof b);
  return b;
}

/* ---- independent fixed-point references (int64, floor division) ---- */

static int64_t floor_div_pot(int64_t n, int s) {
  const int64_t d = (int64_t)1 << s;
  int64_t q = n / d;
  if (n % d != 0 && n < 0) q--;
  return q;
}

static int32_t ref_srdhm(int32_t a, int32_t b) {
  /* VQRDMULH: floor((a*b + 2^30) / 2^31), ties toward +infinity */
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  return (int32_t)floor_div_pot((int64_t)a * b + ((int64_t)1 << 30), 31);
}

static int32_t ref_rdbpot(int32_t x, int e) {
  /* round(x / 2^e), ties away from zero */
  const int64_t half = e > 0 ? (int64_t)1 << (e - 1) : 0;
  if (e <= 0) return x;
  return (int32_t)(x >= 0 ? floor_div_pot((int64_t)x + half, e)
                          : -floor_div_pot(-(int64_t)x + half, e));
}

static int32_t ref_mbqm(int32_t x, int32_t mult, int shift) {
  if (shift > 0) return ref_srdhm((int32_t)((uint32_t)x << shift), mult);
  return ref_rdbpot(ref_srdhm(x, mult), -shift);
}

/* QuantizeMultiplier (double rounding build). */
static void quantize_mult(double real, int32_t *mult, int32_t *shift) {
  int e;
  double q;
  int64_t qf;
  if (real == 0.0) {
    *mult = 0;
    *shift = 0;
    return;
  }
  q = frexp(real, &e);
  qf = (int64_t)round(q * 2147483648.0);
  if (qf == ((int64_t)1 << 31)) {
    qf /= 2;
    e++;
  }
  if (e < -31) {
    e = 0;
    qf = 0;
  }
  *mult = (int32_t)qf;
  *shift = e;
}

static void test_ref_rdbpot(void) {
  /* The reference itself: ties away from zero. */
  CHECK_EQ(ref_rdbpot(5, 1), 3);
  CHECK_EQ(ref_rdbpot(-5, 1), -3);
  CHECK_EQ(ref_rdbpot(-6, 2), -2);
  CHECK_EQ(ref_rdbpot(-7, 2), -2);
  CHECK_EQ(ref_rdbpot(6, 2), 2);
}

/* ---- broadcast walker (through int32 SUB: order matters) ---- */

static void set_shape(int32_t *dst, const int32_t *dims, int rank) {
  int i;
  for (i = 0; i < TML_BCAST_DIMS; i++) dst[i] = 1;
  for (i = 0; i < rank; i++) dst[TML_BCAST_DIMS - rank + i] = dims[i];
}

static int32_t flat_count(const int32_t *d) {
  int32_t n = 1, i;
  for (i = 0; i < TML_BCAST_DIMS; i++) n *= d[i];
  return n;
}

static void test_broadcast(void) {
  static int32_t a[800], b[800], out[800];
  int iter;
  for (iter = 0; iter < 400; iter++) {
    tml_binary_params p;
    int32_t od[TML_BCAST_DIMS];
    int32_t i, d, n, bad = 0;
    int rank = (int)(next_rand() % 7);
    for (d = 0; d < TML_BCAST_DIMS; d++) {
      od[d] = d < TML_BCAST_DIMS - rank ? 1 : 1 + (int32_t)(next_rand() % 3);
      p.shape.out[d] = od[d];
      p.shape.in1[d] = (next_rand() & 1) ? od[d] : 1;
      p.shape.in2[d] = (next_rand() & 1) ? od[d] : 1;
      /* out must be the broadcast of the inputs */
      if (p.shape.in1[d] == 1 && p.shape.in2[d] == 1) p.shape.in2[d] = od[d];
    }
    /* drop leading dims of one input sometimes (a rank-2 vs rank-4 case) */
    p.dtype = TML_INT32;
    p.op = TML_BIN_SUB;
    p.act_min = INT32_MIN;
    p.act_max = INT32_MAX;
    for (i = 0; i < flat_count(p.shape.in1); i++) a[i] = 1000 * (i + 1);
    for (i = 0; i < flat_count(p.shape.in2); i++) b[i] = i + 1;
    n = flat_count(p.shape.out);
    tml_binary(&p, a, b, out);
    for (i = 0; i < n; i++) {
      /* multi-index of output element i, then each input's flat index */
      int32_t rem = i, ia = 0, ib = 0, sa = 1, sb = 1, idx[TML_BCAST_DIMS];
      for (d = TML_BCAST_DIMS - 1; d >= 0; d--) {
        idx[d] = rem % p.shape.out[d];
        rem /= p.shape.out[d];
      }
      for (d = TML_BCAST_DIMS - 1; d >= 0; d--) {
        ia += (p.shape.in1[d] == 1 ? 0 : idx[d]) * sa;
        ib += (p.shape.in2[d] == 1 ? 0 : idx[d]) * sb;
        sa *= p.shape.in1[d];
        sb *= p.shape.in2[d];
      }
      if (out[i] != a[ia] - b[ib]) bad++;
    }
    CHECK_EQ(bad, 0);
  }
  {
    /* rank-2 [4,2] against rank-4 [1,3,4,2], and scalars */
    tml_binary_params p;
    const int32_t big[4] = {1, 3, 4, 2}, small[2] = {4, 2}, none[1] = {1};
    int32_t i, bad = 0;
    set_shape(p.shape.out, big, 4);
    set_shape(p.shape.in1, big, 4);
    set_shape(p.shape.in2, small, 2);
    p.dtype = TML_INT32;
    p.op = TML_BIN_ADD;
    p.act_min = INT32_MIN;
    p.act_max = INT32_MAX;
    for (i = 0; i < 24; i++) a[i] = 100 * i;
    for (i = 0; i < 8; i++) b[i] = i;
    tml_binary(&p, a, b, out);
    for (i = 0; i < 24; i++) bad += out[i] != 100 * i + i % 8;
    CHECK_EQ(bad, 0);
    set_shape(p.shape.out, none, 0);
    set_shape(p.shape.in1, none, 0);
    set_shape(p.shape.in2, none, 0);
    a[0] = 7;
    b[0] = 5;
    tml_binary(&p, a, b, out);
    CHECK_EQ(out[0], 12);
  }
}

/* ---- quantized ADD / SUB / MUL against the formula ---- */

static void fill_shape_flat(tml_bcast_shape *s, int32_t n) {
  int d;
  for (d = 0; d < TML_BCAST_DIMS; d++) s->out[d] = s->in1[d] = s->in2[d] = 1;
  s->out[5] = s->in1[5] = s->in2[5] = n;
}

static void test_addsub_q(void) {
  static int16_t a[256], b[256], out[256];
  int iter;
  for (iter = 0; iter < 200; iter++) {
    tml_addsub_q_params p;
    const int is16 = iter & 1;
    const double s1 = 0.001 + (next_rand() % 1000) / 10000.0;
    const double s2 = 0.001 + (next_rand() % 1000) / 10000.0;
    const double so = 0.002 + (next_rand() % 1000) / 5000.0;
    const double twice = 2 * (s1 > s2 ? s1 : s2);
    const int32_t lo = is16 ? -32768 : -128, hi = is16 ? 32767 : 127;
    int32_t i, bad = 0;
    fill_shape_flat(&p.shape, 256);
    p.dtype = is16 ? TML_INT16 : TML_INT8;
    p.is_sub = (iter >> 1) & 1;
    p.left_shift = is16 ? 15 : 20;
    p.in1_offset = is16 ? 0 : -(int32_t)(next_rand() % 256) + 128;
    p.in2_offset = is16 ? 0 : -(int32_t)(next_rand() % 256) + 128;
    p.out_offset = is16 ? 0 : (int32_t)(next_rand() % 256) - 128;
    quantize_mult(s1 / twice, &p.in1_mult, &p.in1_shift);
    quantize_mult(s2 / twice, &p.in2_mult, &p.in2_shift);
    quantize_mult(twice / ((1 << p.left_shift) * so), &p.out_mult,
                  &p.out_shift);
    if (p.out_shift > 0) continue; /* TFLM refuses these */
    p.act_min = lo;
    p.act_max = hi;
    for (i = 0; i < 256; i++) {
      a[i] = (int16_t)(is16 ? (int32_t)(next_rand() & 0xFFFF) - 32768 : i - 128);
      b[i] = (int16_t)(is16 ? (int32_t)(next_rand() & 0xFFFF) - 32768
                            : (int32_t)(next_rand() & 0xFF) - 128);
    }
    if (!is16) {
      int8_t a8[256], b8[256], o8[256];
      for (i = 0; i < 256; i++) {
        a8[i] = (int8_t)a[i];
        b8[i] = (int8_t)b[i];
      }
      tml_addsub_q(&p, a8, b8, o8);
      for (i = 0; i < 256; i++) out[i] = o8[i];
    } else {
      tml_addsub_q(&p, a, b, out);
    }
    for (i = 0; i < 256; i++) {
      const int32_t x = ref_mbqm((p.in1_offset + a[i]) * (1 << p.left_shift),
                                 p.in1_mult, p.in1_shift);
      const int32_t y = ref_mbqm((p.in2_offset + b[i]) * (1 << p.left_shift),
                                 p.in2_mult, p.in2_shift);
      int32_t v = ref_mbqm(p.is_sub ? x - y : x + y, p.out_mult, p.out_shift) +
                  p.out_offset;
      v = v < lo ? lo : (v > hi ? hi : v);
      bad += out[i] != v;
    }
    CHECK_EQ(bad, 0);
  }
}

static void test_mul_div_q(void) {
  static int8_t a[256 * 256], b[256 * 256], out[256 * 256];
  tml_muldiv_q_params p;
  int32_t i, bad = 0, far = 0;
  /* All int8 pairs, scales 1/1/1 and 0.1/0.2/0.02, against real math. */
  fill_shape_flat(&p.shape, 256 * 256);
  for (i = 0; i < 256 * 256; i++) {
    a[i] = (int8_t)(i / 256 - 128);
    b[i] = (int8_t)(i % 256 - 128);
  }
  p.dtype = TML_INT8;
  p.in1_offset = 0;
  p.in2_offset = 0;
  p.out_offset = 0;
  p.act_min = -128;
  p.act_max = 127;
  quantize_mult(0.1 * 0.2 / 0.02, &p.out_mult, &p.out_shift);
  tml_mul_q(&p, a, b, out);
  for (i = 0; i < 256 * 256; i++) {
    int32_t v = ref_mbqm(a[i] * b[i], p.out_mult, p.out_shift);
    v = v < -128 ? -128 : (v > 127 ? 127 : v);
    bad += out[i] != v;
  }
  CHECK_EQ(bad, 0);
  /* DIV: output within one step of round(x / y); y == 0 must not trap. */
  quantize_mult(1.0, &p.out_mult, &p.out_shift);
  p.in1_offset = 3;
  p.in2_offset = -2;
  tml_div_s8(&p, a, b, out);
  for (i = 0; i < 256 * 256; i++) {
    const int32_t x = a[i] + 3, y = b[i] - 2;
    double q;
    if (y == 0) continue;
    q = floor((double)x / y + 0.5);
    q = q < -128 ? -128 : (q > 127 ? 127 : q);
    if (fabs(out[i] - q) > 1) far++;
  }
  CHECK_EQ(far, 0);
  {
    /* a few exact quotients */
    const int8_t xs[4] = {6, -7, 100, -128}, ys[4] = {3, 2, -4, 1};
    int8_t o[4];
    tml_muldiv_q_params q = p;
    fill_shape_flat(&q.shape, 4);
    q.in1_offset = 0;
    q.in2_offset = 0;
    tml_div_s8(&q, xs, ys, o);
    CHECK_EQ(o[0], 2);
    /* -3.5: the reciprocal of 2 is 1 - 2^-31 in Q0, so the quotient is a
     * hair above -3.5 and the high multiply's tie goes up: -3. */
    CHECK_EQ(o[1], -3);
    CHECK_EQ(o[2], -25);
    CHECK_EQ(o[3], -128);
  }
}

static void test_binary_edges(void) {
  tml_binary_params p;
  int32_t a[4] = {INT32_MIN, 7, INT32_MAX, -9};
  int32_t b[4] = {-1, 0, 1, 2};
  int32_t o[4];
  float fa[4], fb[4], fo[4];
  fill_shape_flat(&p.shape, 4);
  p.dtype = TML_INT32;
  p.act_min = INT32_MIN;
  p.act_max = INT32_MAX;
  p.op = TML_BIN_DIV;
  tml_binary(&p, a, b, o);
  CHECK_EQ(o[0], INT32_MIN);
  CHECK_EQ(o[1], 0);
  CHECK_EQ(o[2], INT32_MAX);
  CHECK_EQ(o[3], -4); /* truncating */
  p.op = TML_BIN_ADD;
  tml_binary(&p, a, b, o);
  CHECK_EQ(o[0], INT32_MAX); /* wraps */
  CHECK_EQ(o[2], INT32_MIN);
  p.op = TML_BIN_MUL;
  p.act_min = 0;
  p.act_max = 6;
  tml_binary(&p, a, b, o);
  CHECK_EQ(o[0], 0); /* INT32_MIN * -1 wraps to INT32_MIN, clamped */
  CHECK_EQ(o[2], 6);
  CHECK_EQ(o[3], 0);
  /* float: the NONE range clamps infinities, NaN passes; MIN/MAX raw */
  p.dtype = TML_FLOAT32;
  p.op = TML_BIN_ADD;
  p.act_min = f32_bits(-FLT_MAX);
  p.act_max = f32_bits(FLT_MAX);
  fa[0] = INFINITY;
  fb[0] = 1.0f;
  fa[1] = -INFINITY;
  fb[1] = 1.0f;
  fa[2] = NAN;
  fb[2] = 1.0f;
  fa[3] = 1.5f;
  fb[3] = 2.25f;
  tml_binary(&p, fa, fb, fo);
  CHECK(fo[0] == FLT_MAX);
  CHECK(fo[1] == -FLT_MAX);
  CHECK(fo[2] != fo[2]);
  CHECK(fo[3] == 3.75f);
  p.op = TML_BIN_MAX;
  tml_binary(&p, fa, fb, fo);
  CHECK(fo[0] == INFINITY);
  CHECK(fo[2] == 1.0f); /* NaN > 1 is false: the second operand */
  p.op = TML_BIN_MIN;
  tml_binary(&p, fa, fb, fo);
  CHECK(fo[1] == -INFINITY);
  CHECK(fo[2] == 1.0f);
  {
    int8_t x[3] = {-5, 3, 127}, y[3] = {2, -8, 127}, z[3];
    p.dtype = TML_INT8;
    p.op = TML_BIN_MAX;
    fill_shape_flat(&p.shape, 3);
    tml_binary(&p, x, y, z);
    CHECK_EQ(z[0], 2);
    CHECK_EQ(z[1], 3);
    CHECK_EQ(z[2], 127);
  }
}

/* ---- LOGISTIC / TANH / HARD_SWISH / LEAKY_RELU ---- */

static void sigmoid_params(double scale, int32_t zp, tml_sigmoid_s8_params *p) {
  int e;
  const double q = frexp(scale * (double)(1 << 27), &e);
  p->size = 256;
  p->in_zp = zp;
  p->mult = (int32_t)round(q * 2147483648.0);
  p->left_shift = e;
  p->radius = (int32_t)floor(15.0 * (double)(1 << 27) / ldexp(1.0, e));
}

static void test_sigmoid(void) {
  static const double scales[4] = {0.0627451017, 0.0470588244, 0.0313725509,
                                   0.25};
  int8_t in[256], out[256];
  int32_t i, k;
  for (i = 0; i < 256; i++) in[i] = (int8_t)(i - 128);
  for (k = 0; k < 4; k++) {
    tml_sigmoid_s8_params p;
    int32_t far = 0, nonmono = 0;
    sigmoid_params(scales[k], k - 2, &p);
    tml_logistic_s8(&p, in, out);
    for (i = 0; i < 256; i++) {
      const double x = scales[k] * (in[i] - p.in_zp);
      double r = floor(256.0 / (1.0 + exp(-x)) + 0.5) - 128;
      r = r > 127 ? 127 : r;
      if (fabs(out[i] - r) > 1) far++;
      if (i > 0 && out[i] < out[i - 1]) nonmono++;
    }
    CHECK_EQ(far, 0);
    CHECK_EQ(nonmono, 0);
    tml_tanh_s8(&p, in, out);
    far = nonmono = 0;
    for (i = 0; i < 256; i++) {
      const double x = scales[k] * (in[i] - p.in_zp);
      double r = floor(128.0 * tanh(x) + 0.5);
      r = r > 127 ? 127 : (r < -128 ? -128 : r);
      if (fabs(out[i] - r) > 1) far++;
      if (i > 0 && out[i] < out[i - 1]) nonmono++;
    }
    CHECK_EQ(far, 0);
    CHECK_EQ(nonmono, 0);
    /* zero input: logistic 1/2 -> 0, tanh 0 */
    {
      int8_t z = (int8_t)p.in_zp, o;
      tml_sigmoid_s8_params one = p;
      one.size = 1;
      tml_logistic_s8(&one, &z, &o);
      CHECK_EQ(o, 0);
      tml_tanh_s8(&one, &z, &o);
      CHECK_EQ(o, 0);
    }
  }
}

static int16_t q15(int32_t m) {
  if (m >= INT32_MAX - 32768) return 32767;
  return (int16_t)((m + 32768) >> 16);
}

static void test_hard_swish(void) {
  static const float sin_[3] = {0.0313725509f, 0.0627451017f, 0.002f};
  static const float sout[3] = {0.0171568636f, 0.032843139f, 0.5f};
  int8_t in[256], out[256];
  int32_t i, k;
  for (i = 0; i < 256; i++) in[i] = (int8_t)(i - 128);
  for (k = 0; k < 3; k++) {
    tml_hard_swish_s8_params p;
    int32_t m, far = 0;
    const float hires = (1.0f / 128.0f) * sin_[k];
    p.size = 256;
    p.in_zp = -1;
    p.out_zp = k == 2 ? 0 : -106;
    quantize_mult((double)(hires / sout[k]), &m, &p.out_exp);
    p.out_mult16 = q15(m);
    quantize_mult((double)(hires / (3.0f / 32768.0f)), &m, &p.relu_exp);
    p.relu_mult16 = q15(m);
    tml_hard_swish_s8(&p, in, out);
    for (i = 0; i < 256; i++) {
      const double x = sin_[k] * (in[i] - p.in_zp);
      const double r6 = x + 3 < 0 ? 0 : (x + 3 > 6 ? 6 : x + 3);
      double r = floor(x * r6 / 6 / sout[k] + 0.5) + p.out_zp;
      r = r > 127 ? 127 : (r < -128 ? -128 : r);
      if (fabs(out[i] - r) > 2) far++;
    }
    CHECK_EQ(far, 0);
  }
}

static void test_relu_family(void) {
  int8_t in[6] = {-128, -10, -1, 0, 50, 127}, out[6];
  int16_t in16[3] = {-32768, 0, 32767}, out16[3];
  {
    tml_clamp_q_params p = {6, TML_INT8, -1, 60};
    tml_clamp_q(&p, in, out);
    CHECK_EQ(out[0], -1);
    CHECK_EQ(out[3], 0);
    CHECK_EQ(out[4], 50);
    CHECK_EQ(out[5], 60);
  }
  {
    tml_relu_q_params p;
    p.size = 6;
    p.dtype = TML_INT8;
    p.in_zp = -1;
    p.out_zp = -128;
    quantize_mult(2.0, &p.mult, &p.shift);
    p.act_min = -128;
    p.act_max = 127;
    tml_relu_q(&p, in, out);
    CHECK_EQ(out[1], -128);
    CHECK_EQ(out[2], -128);
    CHECK_EQ(out[3], -126);
    CHECK_EQ(out[5], 127);
  }
  {
    tml_leaky_relu_q_params p;
    p.size = 3;
    p.dtype = TML_INT16;
    p.in_zp = 0;
    p.out_zp = 0;
    quantize_mult(1.0, &p.id_mult, &p.id_shift);
    quantize_mult(0.5, &p.alpha_mult, &p.alpha_shift);
    p.alpha_neg = 1;
    tml_leaky_relu_q(&p, in16, out16);
    CHECK_EQ(out16[0], 16384); /* -32768 * -0.5 */
    CHECK_EQ(out16[1], 0);
    CHECK_EQ(out16[2], 32767);
  }
  {
    tml_unary_f32_params p;
    float x[4] = {-0.0f, -2.0f, 7.0f, NAN}, y[4];
    p.size = 4;
    p.alpha = f32_bits(0.25f);
    p.fn = TML_UF_RELU6;
    tml_unary_f32(&p, x, y);
    CHECK(y[0] == 0.0f && signbit(y[0])); /* -0 is not < 0: kept */
    CHECK(y[1] == 0.0f);
    CHECK(y[2] == 6.0f);
    CHECK(y[3] != y[3]);
    p.fn = TML_UF_LEAKY_RELU;
    tml_unary_f32(&p, x, y);
    CHECK(y[1] == -0.5f);
    p.fn = TML_UF_HARD_SWISH;
    tml_unary_f32(&p, x, y);
    CHECK(y[1] == -2.0f * 1.0f / 6.0f);
    CHECK(y[2] == 7.0f);
    p.fn = TML_UF_LOGISTIC;
    x[0] = 20.0f;
    x[1] = -20.0f;
    tml_unary_f32(&p, x, y);
    CHECK(y[0] == 1.0f);
    CHECK(y[1] == expf(-20.0f));
  }
  {
    /* LUT: table indexed by the byte as uint8 */
    int8_t table[256], o[2];
    int8_t x[2] = {-1, 5};
    tml_lut_s8_params p = {2};
    for (int i = 0; i < 256; i++) table[i] = (int8_t)(255 - i);
    tml_lut_s8(&p, table, x, o);
    CHECK_EQ(o[0], 0);
    CHECK_EQ(o[1], (int8_t)250);
  }
}

/* ---- QUANTIZE / DEQUANTIZE / CAST ---- */

static void test_quantize_cast(void) {
  {
    float x[6] = {0.5f, -0.5f, 1e30f, -1e30f, NAN, 0.0049f};
    int8_t o[6];
    tml_quantize_f32_params p;
    p.size = 6;
    p.out_dtype = TML_INT8;
    p.zp = -1;
    p.scale = f32_bits(0.01f);
    tml_quantize_f32(&p, x, o);
    CHECK_EQ(o[0], 49);
    CHECK_EQ(o[1], -51);
    CHECK_EQ(o[2], 127);
    CHECK_EQ(o[3], -128);
    CHECK_EQ(o[4], -1);
    CHECK_EQ(o[5], -1); /* 0.49 rounds to 0 */
  }
  {
    int16_t x[3] = {-32768, 0, 32767};
    int8_t o[3];
    int32_t o32[3];
    tml_requantize_params p;
    p.size = 3;
    p.in_dtype = TML_INT16;
    p.out_dtype = TML_INT8;
    p.in_zp = 0;
    p.out_zp = 5;
    quantize_mult(1.0 / 256.0, &p.mult, &p.shift);
    tml_requantize(&p, x, o);
    CHECK_EQ(o[0], -123);
    CHECK_EQ(o[1], 5);
    CHECK_EQ(o[2], 127);
    p.out_dtype = TML_INT32;
    quantize_mult(0.5, &p.mult, &p.shift);
    p.out_zp = 0;
    tml_requantize(&p, x, o32);
    CHECK_EQ(o32[0], -16384);
    CHECK_EQ(o32[2], 16384); /* 16383.5 away from zero */
  }
  {
    uint8_t x[2] = {0, 255};
    float o[2];
    tml_dequantize_params p = {2, TML_UINT8, 128, 0};
    p.scale = f32_bits(0.1f);
    tml_dequantize(&p, x, o);
    CHECK(o[0] == (float)(0.1f * -128.0));
    CHECK(o[1] == (float)((double)0.1f * 127.0));
  }
  {
    float f[5] = {300.7f, -1.9f, NAN, 1e20f, -3e9f};
    int8_t o8[5];
    int32_t o32[5];
    uint32_t ou[5];
    tml_cast_params p = {5, TML_FLOAT32, TML_INT8};
    tml_cast(&p, f, o8);
    CHECK_EQ(o8[0], 44); /* 300 wraps */
    CHECK_EQ(o8[1], -1);
    CHECK_EQ(o8[2], 0);
    p.out_dtype = TML_INT32;
    tml_cast(&p, f, o32);
    CHECK_EQ(o32[0], 300);
    CHECK_EQ(o32[4], (int32_t)(-3000000000LL + 4294967296LL));
    p.out_dtype = TML_UINT32;
    tml_cast(&p, f, ou);
    CHECK_EQ(ou[1], 0xFFFFFFFFu);
  }
  {
    uint32_t u[2] = {0xFFFFFFFFu, 7};
    int32_t o[2];
    float fo[2];
    int16_t o16[2];
    tml_cast_params p = {2, TML_UINT32, TML_INT32};
    tml_cast(&p, u, o);
    CHECK_EQ(o[0], -1);
    p.out_dtype = TML_FLOAT32;
    tml_cast(&p, u, fo);
    CHECK(fo[0] == 4294967296.0f);
    p.in_dtype = TML_INT32;
    p.out_dtype = TML_INT16;
    o[0] = 70000;
    o[1] = -32769;
    tml_cast(&p, o, o16);
    CHECK_EQ(o16[0], 70000 - 65536);
    CHECK_EQ(o16[1], 32767);
  }
  {
    uint8_t bools[3] = {0, 1, 2};
    float f[3];
    tml_cast_params p = {3, TML_BOOL, TML_FLOAT32};
    tml_cast(&p, bools, f);
    CHECK(f[0] == 0.0f && f[1] == 1.0f && f[2] == 1.0f);
  }
}

/* ---- adapters through tml_load ---- */

static uint8_t arena[8192 + 16];
static int32_t prog[512];

static uint32_t build(const int32_t (*tensors)[4], int32_t n_tensors,
                      int32_t planned_bytes, int32_t kind, const int32_t *ins,
                      int32_t n_in, const int32_t *params, int32_t n_params) {
  int32_t i, w = 0;
  prog[w++] = TML_PROGRAM_MAGIC;
  prog[w++] = TML_PROGRAM_VERSION;
  prog[w++] = n_tensors;
  prog[w++] = 1;
  prog[w++] = planned_bytes;
  prog[w++] = 0;
  for (i = 0; i < n_tensors; i++) {
    prog[w++] = tensors[i][0];
    prog[w++] = tensors[i][1];
    prog[w++] = tensors[i][2];
    prog[w++] = tensors[i][3];
  }
  prog[w++] = kind;
  prog[w++] = n_in;
  prog[w++] = 1;
  prog[w++] = n_params;
  for (i = 0; i < n_in; i++) prog[w++] = ins[i];
  prog[w++] = n_tensors - 1; /* the last tensor is the output */
  for (i = 0; i < n_params; i++) prog[w++] = params[i];
  prog[5] = w;
  return (uint32_t)w;
}

static uint8_t *planned(void) {
  return arena + tml_info(arena, sizeof arena, TML_INFO_PLANNED_OFFSET);
}

static void test_adapters(void) {
  static const int32_t model_words[4] = {0};
  const uint8_t *model = (const uint8_t *)model_words;
  /* [1,3,4,2] int8 + [4,2] int8 -> [1,3,4,2] */
  const int32_t tensors[3][4] = {{TML_INT8, TML_ARENA, 0, 24},
                                 {TML_INT8, TML_ARENA, 32, 8},
                                 {TML_INT8, TML_ARENA, 48, 24}};
  const int32_t ins[2] = {0, 1};
  tml_binary_params p;
  const int32_t big[4] = {1, 3, 4, 2}, small[2] = {4, 2};
  int32_t words[sizeof p / 4];
  uint32_t n;
  int32_t i;
  set_shape(p.shape.out, big, 4);
  set_shape(p.shape.in1, big, 4);
  set_shape(p.shape.in2, small, 2);
  p.dtype = TML_INT8;
  p.op = TML_BIN_MAX;
  p.act_min = INT32_MIN;
  p.act_max = INT32_MAX;
  memcpy(words, &p, sizeof p);
  n = build(tensors, 3, 80, TML_K_BINARY, ins, 2, words, (int32_t)(sizeof p / 4));
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_OK);
  for (i = 0; i < 24; i++) planned()[i] = (uint8_t)(i - 12);
  for (i = 0; i < 8; i++) planned()[32 + i] = (uint8_t)(i - 4);
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  CHECK_EQ((int8_t)planned()[48], -4);  /* max(-12, -4) */
  CHECK_EQ((int8_t)planned()[48 + 23], 11);
  /* ADD of int8 is only MIN/MAX for the BINARY kind */
  words[TML_BCAST_DIMS * 3 + 1] = TML_BIN_ADD;
  n = build(tensors, 3, 80, TML_K_BINARY, ins, 2, words, (int32_t)(sizeof p / 4));
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_E_BAD_PARAMS);
  words[TML_BCAST_DIMS * 3 + 1] = TML_BIN_MAX;
  /* an input dim neither 1 nor the output's */
  words[TML_BCAST_DIMS + TML_BCAST_DIMS + 4] = 3;
  n = build(tensors, 3, 80, TML_K_BINARY, ins, 2, words, (int32_t)(sizeof p / 4));
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_E_BAD_PARAMS);
  words[TML_BCAST_DIMS + TML_BCAST_DIMS + 4] = 4;
  /* output dim that no input has (both inputs broadcast there) */
  words[TML_BCAST_DIMS + 3] = 1;
  n = build(tensors, 3, 80, TML_K_BINARY, ins, 2, words, (int32_t)(sizeof p / 4));
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_E_BAD_PARAMS);
  words[TML_BCAST_DIMS + 3] = 3;
  /* a tensor smaller than the shape says */
  {
    const int32_t small_t[3][4] = {{TML_INT8, TML_ARENA, 0, 23},
                                   {TML_INT8, TML_ARENA, 32, 8},
                                   {TML_INT8, TML_ARENA, 48, 24}};
    n = build(small_t, 3, 80, TML_K_BINARY, ins, 2, words,
              (int32_t)(sizeof p / 4));
    CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
          TML_OK);
  }
  /* wrong dtype of a tensor */
  {
    const int32_t f_t[3][4] = {{TML_FLOAT32, TML_ARENA, 0, 24},
                               {TML_INT8, TML_ARENA, 32, 8},
                               {TML_INT8, TML_ARENA, 48, 24}};
    n = build(f_t, 3, 80, TML_K_BINARY, ins, 2, words, (int32_t)(sizeof p / 4));
    CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
          TML_OK);
  }
  /* huge dims overflow the element count */
  for (i = 0; i < 3; i++) {
    words[i * TML_BCAST_DIMS + 0] = 0x10000;
    words[i * TML_BCAST_DIMS + 1] = 0x10000;
  }
  n = build(tensors, 3, 80, TML_K_BINARY, ins, 2, words, (int32_t)(sizeof p / 4));
  CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
           TML_E_BAD_PARAMS);
  /* unary: LUT with a short table, CAST to uint8 */
  {
    const int32_t ut[2][4] = {{TML_INT8, TML_ARENA, 0, 4},
                              {TML_INT8, TML_ARENA, 16, 4}};
    int32_t lut[1 + TML_LUT_S8_WORDS] = {4};
    int32_t cast[3] = {4, TML_INT8, TML_UINT8};
    const int32_t one[1] = {0};
    n = build(ut, 2, 32, TML_K_LUT_S8, one, 1, lut, 1 + TML_LUT_S8_WORDS);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_OK);
    n = build(ut, 2, 32, TML_K_LUT_S8, one, 1, lut, TML_LUT_S8_WORDS);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_E_BAD_PARAMS);
    n = build(ut, 2, 32, TML_K_CAST, one, 1, cast, 3);
    CHECK_EQ(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n),
             TML_E_BAD_PARAMS);
    lut[0] = 5; /* more elements than the tensors hold */
    n = build(ut, 2, 32, TML_K_LUT_S8, one, 1, lut, 1 + TML_LUT_S8_WORDS);
    CHECK(tml_load(arena, sizeof arena, model, sizeof model_words, prog, n) !=
          TML_OK);
  }
}

int main(void) {
  test_ref_rdbpot();
  test_broadcast();
  test_addsub_q();
  test_mul_div_q();
  test_binary_edges();
  test_sigmoid();
  test_hard_swish();
  test_relu_family();
  test_quantize_cast();
  test_adapters();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
