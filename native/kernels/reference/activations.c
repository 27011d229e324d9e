/*
 * activations.c - reference activation kernels, bit-exact with TFLM:
 * LOGISTIC and TANH int8 (gemmlowp fixed point), RELU / RELU6 / LEAKY_RELU
 * int8 and int16, HARD_SWISH int8 (int16 fixed-point recipe), table lookup
 * (ELU int8), and the float32 functions (libm expf/tanhf/expm1f, as TFLM).
 */
#include <math.h>

#include "tinyml.h"
#include "tinyml_kernels.h"

#include "fixedpoint.h"

static int32_t clamp32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* ---- LOGISTIC / TANH int8 ---- */

/* (1 - a) / (1 + a) for a in [0, 1) in Q0: Newton-Raphson in Q2 like
 * tml_fp_one_over_one_plus_x, then (x - 1) back to Q0. */
static int32_t one_minus_x_over_one_plus_x(int32_t a) {
  const int32_t c48_17 = 1515870810;   /* 48/17 in Q2 */
  const int32_t cm32_17 = -1010580540; /* -32/17 in Q2 */
  const int32_t one_q2 = (int32_t)1 << 29;
  const int32_t half_den = tml_fp_rounding_half_sum(a, INT32_MAX);
  int32_t x = tml_fp_add(c48_17, tml_fp_srdhm(half_den, cm32_17));
  int i;
  for (i = 0; i < 3; i++) {
    const int32_t one_minus = tml_fp_sub(one_q2, tml_fp_srdhm(half_den, x));
    x = tml_fp_add(x, tml_fp_sat_shl(tml_fp_srdhm(x, one_minus), 2));
  }
  return tml_fp_sat_shl(tml_fp_sub(x, one_q2), 2);
}

/* gemmlowp logistic of a Q4.27 value; result in Q0. */
static int32_t logistic_q4(int32_t a) {
  int32_t pos;
  if (a == 0) return (int32_t)1 << 30; /* one half */
  /* logistic(|a|) = 1 / (1 + exp(-|a|)); logistic(-x) = 1 - logistic(x). */
  pos = tml_fp_one_over_one_plus_x(
      tml_fp_exp_on_negative(a > 0 ? -a : a, 4));
  return a > 0 ? pos : tml_fp_sub(INT32_MAX, pos);
}

/* gemmlowp tanh of a Q4.27 value; result in Q0. */
static int32_t tanh_q4(int32_t a) {
  int32_t t;
  if (a == 0) return 0;
  /* -tanh(-|a|) = (1 - exp(-2|a|)) / (1 + exp(-2|a|)); -|a| read as Q5 is
   * -2|a| in Q4. */
  t = one_minus_x_over_one_plus_x(tml_fp_exp_on_negative(a < 0 ? a : -a, 5));
  return a < 0 ? tml_fp_sub(0, t) : t;
}

/* The input difference rescaled to Q4.27 (MultiplyByQuantizedMultiplier
 * with a left shift): inside the radius it cannot overflow. */
static int32_t to_q4(const tml_sigmoid_s8_params *p, int32_t x) {
  return tml_fp_mul_by_qm(x, p->mult, p->left_shift);
}

void tml_logistic_s8(const tml_sigmoid_s8_params *p, const int8_t *in,
                     int8_t *out) {
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t x = (int32_t)in[i] - p->in_zp;
    if (x <= -p->radius) {
      out[i] = -128;
    } else if (x >= p->radius) {
      out[i] = 127;
    } else {
      /* Q0 -> 8 fractional bits, output zero point -128. */
      const int32_t v = tml_fp_rdbpot(logistic_q4(to_q4(p, x)), 23) - 128;
      out[i] = (int8_t)clamp32(v, -128, 127);
    }
  }
}

void tml_tanh_s8(const tml_sigmoid_s8_params *p, const int8_t *in,
                 int8_t *out) {
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t x = (int32_t)in[i] - p->in_zp;
    if (x <= -p->radius) {
      out[i] = -128;
    } else if (x >= p->radius) {
      out[i] = 127;
    } else {
      /* Q0 -> 7 fractional bits, output zero point 0. */
      const int32_t v = tml_fp_rdbpot(tanh_q4(to_q4(p, x)), 24);
      out[i] = (int8_t)clamp32(v, -128, 127);
    }
  }
}

/* ---- float32 ---- */

static float relu6f(float v) { return v > 6.0f ? 6.0f : (v < 0.0f ? 0.0f : v); }

void tml_unary_f32(const tml_unary_f32_params *p, const float *in,
                   float *out) {
  const float alpha = tml_f32_from_bits(p->alpha);
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const float v = in[i];
    float r;
    switch (p->fn) {
      case TML_UF_RELU: r = v < 0.0f ? 0.0f : v; break;
      case TML_UF_RELU6: r = relu6f(v); break;
      case TML_UF_LOGISTIC:
        /* TFLM's cutoffs: 1 above 16.619..., exp(v) below -9. */
        if (v > 16.619047164916992188f)
          r = 1.0f;
        else if (v < -9.0f)
          r = expf(v);
        else
          r = 1.0f / (1.0f + expf(-v));
        break;
      case TML_UF_TANH: r = tanhf(v); break;
      case TML_UF_ELU: r = v < 0.0f ? expm1f(v) : v; break;
      case TML_UF_HARD_SWISH: {
        /* v * min(6, max(0, v + 3)) / 6 with std::min/max's NaN handling. */
        float m = v + 3.0f;
        m = 0.0f < m ? m : 0.0f;
        m = m < 6.0f ? m : 6.0f;
        r = v * m / 6.0f;
        break;
      }
      default: r = v > 0.0f ? v : v * alpha; break; /* LEAKY_RELU */
    }
    out[i] = r;
  }
}

/* ---- RELU / RELU6 / LEAKY_RELU, int8 and int16 ---- */

static int32_t load_q(const void *p, int32_t is16, int32_t i) {
  return is16 ? ((const int16_t *)p)[i] : ((const int8_t *)p)[i];
}

static void store_q(void *p, int32_t is16, int32_t i, int32_t v) {
  if (is16)
    ((int16_t *)p)[i] = (int16_t)v;
  else
    ((int8_t *)p)[i] = (int8_t)v;
}

void tml_relu_q(const tml_relu_q_params *p, const void *in, void *out) {
  const int32_t is16 = p->dtype == TML_INT16;
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t x = load_q(in, is16, i) - p->in_zp;
    const int32_t v =
        tml_fp_add(p->out_zp, tml_fp_mul_by_qm(x, p->mult, p->shift));
    store_q(out, is16, i, clamp32(v, p->act_min, p->act_max));
  }
}

void tml_clamp_q(const tml_clamp_q_params *p, const void *in, void *out) {
  const int32_t is16 = p->dtype == TML_INT16;
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t v = load_q(in, is16, i);
    store_q(out, is16, i, v > p->hi ? p->hi : (v < p->lo ? p->lo : v));
  }
}

void tml_leaky_relu_q(const tml_leaky_relu_q_params *p, const void *in,
                      void *out) {
  const int32_t is16 = p->dtype == TML_INT16;
  const int32_t qmin = is16 ? -32768 : -128, qmax = is16 ? 32767 : 127;
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t x = load_q(in, is16, i) - p->in_zp;
    int32_t v;
    if (x >= 0) {
      v = tml_fp_mul_by_qm(x, p->id_mult, p->id_shift);
    } else {
      v = tml_fp_mul_by_qm(x, p->alpha_mult, p->alpha_shift);
      if (p->alpha_neg) v = tml_fp_sub(0, v);
    }
    store_q(out, is16, i, clamp32(tml_fp_add(p->out_zp, v), qmin, qmax));
  }
}

/* ---- HARD_SWISH int8: int16 arithmetic, every narrowing as the C++ ---- */

static int16_t wrap16(int32_t v) {
  return (int16_t)(((v & 0xFFFF) ^ 0x8000) - 0x8000);
}

/* gemmlowp SaturatingRoundingDoublingHighMul on int16 (VQRDMULH). */
static int16_t srdhm16(int16_t a, int16_t b) {
  const int32_t ab = (int32_t)a * (int32_t)b;
  const int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return wrap16((ab + nudge) / (1 << 15));
}

/* Same, truncating instead of rounding (SQDMULH). */
static int16_t sdhm16(int16_t a, int16_t b) {
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return wrap16(((int32_t)a * (int32_t)b) / (1 << 15));
}

/* gemmlowp RoundingDivideByPOT on int16, e in [0, 31]. The mask is formed
 * in int16, so for e >= 16 it is all ones, as in the template. */
static int16_t rdbpot16(int16_t x, int32_t e) {
  const int16_t mask = wrap16((int32_t)(((int64_t)1 << e) - 1));
  const int16_t rem = (int16_t)(x & mask);
  const int16_t thr = wrap16(tml_fp_asr(mask, 1) + (x < 0 ? 1 : 0));
  return wrap16(tml_fp_asr(x, e) + (rem > thr ? 1 : 0));
}

/* x * 2^amount saturated to int16, amount in [0, 31]. */
static int16_t sat_shl16(int16_t x, int32_t amount) {
  const int64_t r = (int64_t)x * ((int64_t)1 << amount);
  return (int16_t)(r > INT16_MAX ? INT16_MAX : (r < INT16_MIN ? INT16_MIN : r));
}

void tml_hard_swish_s8(const tml_hard_swish_s8_params *p, const int8_t *in,
                       int8_t *out) {
  const int16_t out_m = (int16_t)p->out_mult16;
  const int16_t relu_m = (int16_t)p->relu_mult16;
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int16_t x = wrap16((int32_t)in[i] - p->in_zp);
    const int16_t hires = wrap16(x * 128);
    const int16_t pre_out = srdhm16(hires, out_m);
    int16_t relu = hires;
    int16_t r;
    if (p->relu_exp > 0) relu = sat_shl16(relu, p->relu_exp - 1);
    relu = srdhm16(relu, relu_m);
    if (p->relu_exp > 0) relu = sat_shl16(relu, 1);
    if (p->relu_exp < 0) relu = rdbpot16(relu, -p->relu_exp);
    /* [-1, 1] -> [0, 1] in Q15. */
    relu = wrap16(tml_fp_asr(relu + (1 << 15), 1));
    r = rdbpot16(sdhm16(relu, pre_out), -p->out_exp);
    r = wrap16(r + p->out_zp);
    out[i] = (int8_t)(r > 127 ? 127 : (r < -128 ? -128 : r));
  }
}

void tml_lut_s8(const tml_lut_s8_params *p, const int8_t *table,
                const int8_t *in, int8_t *out) {
  int32_t i;
  for (i = 0; i < p->size; i++) out[i] = table[(uint8_t)in[i]];
}
