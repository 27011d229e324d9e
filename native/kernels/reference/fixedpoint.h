/*
 * fixedpoint.h - gemmlowp-style Q-format arithmetic over int32, as inline
 * helpers shared by the reference kernels.
 *
 * Semantics follow TFLM's double-rounding build (gemmlowp fixed point), bit
 * for bit. Unlike the C++ originals, nothing here relies on signed overflow
 * or on shifting negative values: wrapping sums go through uint32_t,
 * arithmetic right shifts are spelled out, and shift counts are clamped to
 * the range where the originals are defined, so no input can reach
 * undefined behaviour.
 *
 * A "Qn" value has n integer bits and 31 - n fractional bits.
 */
#ifndef TML_FIXEDPOINT_H
#define TML_FIXEDPOINT_H

#include <stdint.h>

/* a + b and a - b modulo 2^32 (the C++ code wraps in practice). */
static inline int32_t tml_fp_add(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}
static inline int32_t tml_fp_sub(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* x * 2^s modulo 2^32, s in [0, 31]. */
static inline int32_t tml_fp_shl_wrap(int32_t x, int32_t s) {
  return (int32_t)((uint32_t)x << (s & 31));
}

/* Arithmetic (flooring) right shift, s in [0, 31], without relying on the
 * implementation-defined >> of negative values. */
static inline int32_t tml_fp_asr(int32_t x, int32_t s) {
  return x < 0 ? ~(~x >> s) : (x >> s);
}

/* Count of leading zero bits; 32 for 0. */
static inline int32_t tml_fp_clz32(uint32_t x) {
#if defined(__GNUC__) || defined(__clang__)
  return x ? (int32_t)__builtin_clz(x) : 32;
#else
  int32_t n = 0;
  if (x == 0) return 32;
  while (!(x & 0x80000000u)) {
    x <<= 1;
    n++;
  }
  return n;
#endif
}

/* round(a * b / 2^31), ties away from zero; INT32_MIN * INT32_MIN
 * saturates to INT32_MAX (VQRDMULH). */
static inline int32_t tml_fp_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int64_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  ab = (int64_t)a * (int64_t)b;
  nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
  /* C99 division truncates toward zero, as the original does. */
  return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/* x / 2^e rounded to nearest, ties away from zero; e clamped to [0, 31]. */
static inline int32_t tml_fp_rdbpot(int32_t x, int32_t e) {
  int32_t mask, rem, thr;
  if (e <= 0) return x;
  if (e > 31) e = 31;
  mask = (int32_t)(((int64_t)1 << e) - 1);
  rem = (int32_t)((uint32_t)x & (uint32_t)mask);
  thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return tml_fp_asr(x, e) + (rem > thr ? 1 : 0);
}

/* x * 2^e saturated to int32, e in [1, 30] (gemmlowp's positive
 * SaturatingRoundingMultiplyByPOT). */
static inline int32_t tml_fp_sat_shl(int32_t x, int32_t e) {
  const int32_t thr = (int32_t)(((uint32_t)1 << (31 - e)) - 1u);
  if (x > thr) return INT32_MAX;
  if (x < -thr) return INT32_MIN;
  return tml_fp_shl_wrap(x, e);
}

/* Changes a value's integer bits from src to dst (gemmlowp Rescale). */
static inline int32_t tml_fp_rescale(int32_t x, int32_t src_bits,
                                     int32_t dst_bits) {
  const int32_t e = src_bits - dst_bits;
  if (e > 0) return tml_fp_sat_shl(x, e);
  if (e < 0) return tml_fp_rdbpot(x, -e);
  return x;
}

/* (a + b) / 2 rounded to nearest, ties away from zero. */
static inline int32_t tml_fp_rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = (int64_t)a + (int64_t)b;
  return (int32_t)((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/* TFLM MultiplyByQuantizedMultiplier, double rounding: the left part of
 * the shift is applied before the high multiply (wrapping, as the C++ does
 * in practice), the right part rounds after it. shift clamped to [-31, 31]. */
static inline int32_t tml_fp_mul_by_qm(int32_t x, int32_t mult,
                                       int32_t shift) {
  if (shift > 0) {
    return tml_fp_srdhm(tml_fp_shl_wrap(x, shift > 31 ? 31 : shift), mult);
  }
  return tml_fp_rdbpot(tml_fp_srdhm(x, mult), -shift);
}

/* exp(a) for a in [-1/4, 0), a and the result in Q0. Taylor series around
 * -1/8 with gemmlowp's constants. */
static inline int32_t tml_fp_exp_quarter_q0(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;
  const int32_t one_third = 715827883;
  const int32_t x = tml_fp_add(a, (int32_t)1 << 28); /* a + 1/8 */
  const int32_t x2 = tml_fp_srdhm(x, x);
  const int32_t x3 = tml_fp_srdhm(x2, x);
  const int32_t x4 = tml_fp_srdhm(x2, x2);
  const int32_t x4_over_4 = tml_fp_rdbpot(x4, 2);
  int32_t poly = tml_fp_srdhm(tml_fp_add(x4_over_4, x3), one_third);
  poly = tml_fp_rdbpot(tml_fp_add(poly, x2), 1);
  return tml_fp_add(exp_minus_one_eighth,
                    tml_fp_srdhm(exp_minus_one_eighth, tml_fp_add(x, poly)));
}

/* exp(a) for a <= 0 given in Q(int_bits), int_bits in [0, 29]; result in Q0
 * (gemmlowp exp_on_negative_values). The fractional part modulo 1/4 goes
 * through the series, every whole multiple of 1/4 through a table of
 * exp(-2^k) factors. */
static inline int32_t tml_fp_exp_on_negative(int32_t a, int32_t int_bits) {
  static const int32_t exp_neg_pot[7] = {
      1672461947, /* exp(-1/4) */
      1302514674, /* exp(-1/2) */
      790015084,  /* exp(-1) */
      290630308,  /* exp(-2) */
      39332535,   /* exp(-4) */
      720401,     /* exp(-8) */
      242         /* exp(-16) */
  };
  const int32_t frac_bits = 31 - int_bits;
  const int32_t quarter = (int32_t)1 << (frac_bits - 2);
  const int32_t a_mod_quarter_minus_quarter =
      tml_fp_sub((int32_t)((uint32_t)a & (uint32_t)(quarter - 1)), quarter);
  const int32_t remainder = tml_fp_sub(a_mod_quarter_minus_quarter, a);
  int32_t result = tml_fp_exp_quarter_q0(
      tml_fp_rescale(a_mod_quarter_minus_quarter, int_bits, 0));
  int32_t k;
  for (k = -2; k <= 4; k++) {
    if (int_bits > k) {
      const int32_t bit = frac_bits + k;
      if ((uint32_t)remainder & ((uint32_t)1 << bit))
        result = tml_fp_srdhm(result, exp_neg_pot[k + 2]);
    }
  }
  if (int_bits > 5) {
    /* Below -32 the result is 0 in Q0. */
    const int32_t clamp = -((int32_t)1 << (36 - int_bits));
    if (a < clamp) result = 0;
  }
  if (a == 0) result = INT32_MAX; /* exp(0) = "one" in Q0 */
  return result;
}

/* 1 / (1 + a) for a in [0, 1), a and the result in Q0: three Newton-Raphson
 * steps in Q2 from the 48/17 - 32/17 * d starting point. */
static inline int32_t tml_fp_one_over_one_plus_x(int32_t a) {
  const int32_t c48_17 = 1515870810;   /* 48/17 in Q2 */
  const int32_t cm32_17 = -1010580540; /* -32/17 in Q2 */
  const int32_t one_q2 = (int32_t)1 << 29;
  const int32_t half_den = tml_fp_rounding_half_sum(a, INT32_MAX);
  int32_t x = tml_fp_add(c48_17, tml_fp_srdhm(half_den, cm32_17));
  int i;
  for (i = 0; i < 3; i++) {
    const int32_t one_minus = tml_fp_sub(one_q2, tml_fp_srdhm(half_den, x));
    /* Q2 * Q2 is Q4; back to Q2. */
    x = tml_fp_add(x, tml_fp_sat_shl(tml_fp_srdhm(x, one_minus), 2));
  }
  /* x / 2 read as Q1 (same raw bits), then Q1 -> Q0. */
  return tml_fp_sat_shl(x, 1);
}

/* Reciprocal of a positive value x in Q(x_int_bits) (TFLM GetReciprocal):
 * returns 1 / (x normalised into [1, 2)) in Q0 and the number of bits x had
 * above 1.0, so that 1/x = result * 2^-num_bits_over_unit. */
static inline int32_t tml_fp_reciprocal(int32_t x, int32_t x_int_bits,
                                        int32_t *num_bits_over_unit) {
  const int32_t headroom_plus_one = tml_fp_clz32((uint32_t)x);
  const uint32_t shifted =
      headroom_plus_one < 32 ? ((uint32_t)x << headroom_plus_one) : 0u;
  *num_bits_over_unit = x_int_bits - headroom_plus_one;
  return tml_fp_one_over_one_plus_x((int32_t)(shifted - 0x80000000u));
}

#endif /* TML_FIXEDPOINT_H */
