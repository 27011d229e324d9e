/*
 * elementwise.c - reference broadcasting binary kernels, bit-exact with
 * TFLM: quantized ADD/SUB (int8, int16), MUL (int8, int16), DIV (int8),
 * and the unquantized ops (float32, int32, MIN/MAX on int8/int16).
 *
 * Each kernel is a row function handed to tml_bcast_run. Integer sums and
 * products that the C++ reference lets overflow wrap here through uint32_t.
 */
#include "tinyml.h"
#include "tinyml_kernels.h"

#include "fixedpoint.h"

static int32_t clamp32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* Loads element i of an int8 or int16 array as int32. */
static int32_t load_q(const void *p, int32_t is16, int32_t i) {
  return is16 ? ((const int16_t *)p)[i] : ((const int8_t *)p)[i];
}

static void store_q(void *p, int32_t is16, int32_t i, int32_t v) {
  if (is16)
    ((int16_t *)p)[i] = (int16_t)v;
  else
    ((int8_t *)p)[i] = (int8_t)v;
}

/* ---- ADD / SUB, quantized ---- */

/* MultiplyByQuantizedMultiplierSmallerThanOneExp (shift <= 0). */
static int32_t mul_small(int32_t x, int32_t mult, int32_t shift) {
  return tml_fp_rdbpot(tml_fp_srdhm(x, mult), -shift);
}

static void addsub_row(const void *params, const void *in1, int32_t step1,
                       const void *in2, int32_t step2, void *out, int32_t n) {
  const tml_addsub_q_params *p = (const tml_addsub_q_params *)params;
  const int32_t is16 = p->dtype == TML_INT16;
  int32_t i, i1 = 0, i2 = 0;
  for (i = 0; i < n; i++, i1 += step1, i2 += step2) {
    /* |in + offset| < 2^16, so the left shift (20 or 15) stays in int32. */
    const int32_t a = tml_fp_shl_wrap(p->in1_offset + load_q(in1, is16, i1),
                                      p->left_shift);
    const int32_t b = tml_fp_shl_wrap(p->in2_offset + load_q(in2, is16, i2),
                                      p->left_shift);
    const int32_t sa = mul_small(a, p->in1_mult, p->in1_shift);
    const int32_t sb = mul_small(b, p->in2_mult, p->in2_shift);
    const int32_t raw = p->is_sub ? tml_fp_sub(sa, sb) : tml_fp_add(sa, sb);
    const int32_t v = tml_fp_add(mul_small(raw, p->out_mult, p->out_shift),
                                 p->out_offset);
    store_q(out, is16, i, clamp32(v, p->act_min, p->act_max));
  }
}

void tml_addsub_q(const tml_addsub_q_params *p, const void *in1,
                  const void *in2, void *out) {
  const int32_t e = p->dtype == TML_INT16 ? 2 : 1;
  tml_bcast_run(&p->shape, in1, e, in2, e, out, e, addsub_row, p);
}

/* ---- MUL, quantized ---- */

static void mul_row(const void *params, const void *in1, int32_t step1,
                    const void *in2, int32_t step2, void *out, int32_t n) {
  const tml_muldiv_q_params *p = (const tml_muldiv_q_params *)params;
  const int32_t is16 = p->dtype == TML_INT16;
  int32_t i, i1 = 0, i2 = 0;
  for (i = 0; i < n; i++, i1 += step1, i2 += step2) {
    /* Offsets are in [-32768, 32768]: the product can reach 2^32 only for
     * int16 with zero points, which TFLM forbids; wrap like the C++. */
    const int32_t a = p->in1_offset + load_q(in1, is16, i1);
    const int32_t b = p->in2_offset + load_q(in2, is16, i2);
    const int32_t prod = (int32_t)((uint32_t)a * (uint32_t)b);
    const int32_t v =
        tml_fp_add(p->out_offset, tml_fp_mul_by_qm(prod, p->out_mult,
                                                   p->out_shift));
    store_q(out, is16, i, clamp32(v, p->act_min, p->act_max));
  }
}

void tml_mul_q(const tml_muldiv_q_params *p, const void *in1, const void *in2,
               void *out) {
  const int32_t e = p->dtype == TML_INT16 ? 2 : 1;
  tml_bcast_run(&p->shape, in1, e, in2, e, out, e, mul_row, p);
}

/* ---- DIV, int8 ---- */

/* Count of redundant sign bits (GCC __builtin_clrsb); 31 for 0 and -1. */
static int32_t clrsb32(int32_t x) {
  const uint32_t u = (uint32_t)x ^ (x < 0 ? 0xFFFFFFFFu : 0u);
  return tml_fp_clz32(u) - 1;
}

static void div_row(const void *params, const void *in1, int32_t step1,
                    const void *in2, int32_t step2, void *out, int32_t n) {
  const tml_muldiv_q_params *p = (const tml_muldiv_q_params *)params;
  const int8_t *a = (const int8_t *)in1;
  const int8_t *b = (const int8_t *)in2;
  int8_t *o = (int8_t *)out;
  int32_t i;
  for (i = 0; i < n; i++, a += step1, b += step2) {
    int32_t x = p->in1_offset + *a;
    int32_t y = p->in2_offset + *b;
    int32_t recip_shift, headroom, total, q, v;
    int32_t inv;
    if (y < 0) { /* the reciprocal multiplier must be positive */
      x = -x;
      y = -y;
    }
    /* y == 0 (a zero divisor) follows the same arithmetic, as TFLM's does
     * in practice: a saturated quotient. */
    inv = tml_fp_reciprocal(y, 31, &recip_shift);
    headroom = clrsb32(x);
    q = tml_fp_srdhm(tml_fp_shl_wrap(x, headroom), inv);
    total = p->out_shift - recip_shift - headroom;
    v = tml_fp_add(p->out_offset,
                   tml_fp_rdbpot(tml_fp_srdhm(q, p->out_mult), -total));
    o[i] = (int8_t)clamp32(v, p->act_min, p->act_max);
  }
}

void tml_div_s8(const tml_muldiv_q_params *p, const int8_t *in1,
                const int8_t *in2, int8_t *out) {
  tml_bcast_run(&p->shape, in1, 1, in2, 1, out, 1, div_row, p);
}

/* ---- unquantized ---- */

static float clampf(float x, float lo, float hi) {
  /* std::min(std::max(x, lo), hi): NaN passes through. */
  x = x < lo ? lo : x;
  return hi < x ? hi : x;
}

static void f32_row(const void *params, const void *in1, int32_t step1,
                    const void *in2, int32_t step2, void *out, int32_t n) {
  const tml_binary_params *p = (const tml_binary_params *)params;
  const float *a = (const float *)in1;
  const float *b = (const float *)in2;
  float *o = (float *)out;
  const float lo = tml_f32_from_bits(p->act_min);
  const float hi = tml_f32_from_bits(p->act_max);
  int32_t i;
  for (i = 0; i < n; i++, a += step1, b += step2) {
    const float x = *a, y = *b;
    switch (p->op) {
      case TML_BIN_ADD: o[i] = clampf(x + y, lo, hi); break;
      case TML_BIN_SUB: o[i] = clampf(x - y, lo, hi); break;
      case TML_BIN_MUL: o[i] = clampf(x * y, lo, hi); break;
      case TML_BIN_DIV: o[i] = clampf(x / y, lo, hi); break;
      case TML_BIN_MIN: o[i] = x < y ? x : y; break;
      default: o[i] = x > y ? x : y; break;
    }
  }
}

static int32_t div_i32(int32_t x, int32_t y) {
  if (y == 0) return 0;                      /* TFLM traps */
  if (y == -1) return tml_fp_sub(0, x);      /* INT32_MIN / -1 wraps */
  return x / y;
}

static void i32_row(const void *params, const void *in1, int32_t step1,
                    const void *in2, int32_t step2, void *out, int32_t n) {
  const tml_binary_params *p = (const tml_binary_params *)params;
  const int32_t *a = (const int32_t *)in1;
  const int32_t *b = (const int32_t *)in2;
  int32_t *o = (int32_t *)out;
  int32_t i, v;
  for (i = 0; i < n; i++, a += step1, b += step2) {
    const int32_t x = *a, y = *b;
    switch (p->op) {
      case TML_BIN_ADD: v = tml_fp_add(x, y); break;
      case TML_BIN_SUB: v = tml_fp_sub(x, y); break;
      case TML_BIN_MUL: v = (int32_t)((uint32_t)x * (uint32_t)y); break;
      case TML_BIN_DIV: v = div_i32(x, y); break;
      case TML_BIN_MIN: v = x < y ? x : y; break;
      default: v = x > y ? x : y; break;
    }
    o[i] = clamp32(v, p->act_min, p->act_max);
  }
}

static void minmax_q_row(const void *params, const void *in1, int32_t step1,
                         const void *in2, int32_t step2, void *out,
                         int32_t n) {
  const tml_binary_params *p = (const tml_binary_params *)params;
  const int32_t is16 = p->dtype == TML_INT16;
  const int32_t is_min = p->op == TML_BIN_MIN;
  int32_t i, i1 = 0, i2 = 0;
  for (i = 0; i < n; i++, i1 += step1, i2 += step2) {
    const int32_t x = load_q(in1, is16, i1), y = load_q(in2, is16, i2);
    store_q(out, is16, i, is_min ? (x < y ? x : y) : (x > y ? x : y));
  }
}

void tml_binary(const tml_binary_params *p, const void *in1, const void *in2,
                void *out) {
  switch (p->dtype) {
    case TML_FLOAT32:
      tml_bcast_run(&p->shape, in1, 4, in2, 4, out, 4, f32_row, p);
      break;
    case TML_INT32:
      tml_bcast_run(&p->shape, in1, 4, in2, 4, out, 4, i32_row, p);
      break;
    case TML_INT16:
      tml_bcast_run(&p->shape, in1, 2, in2, 2, out, 2, minmax_q_row, p);
      break;
    default:
      tml_bcast_run(&p->shape, in1, 1, in2, 1, out, 1, minmax_q_row, p);
      break;
  }
}
