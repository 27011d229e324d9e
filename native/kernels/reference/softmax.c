/*
 * softmax.c - reference SOFTMAX kernels over the last dimension, bit-exact
 * with TFLM's reference_ops::Softmax: the int8-input path (gemmlowp fixed
 * point, int8 or int16 output) and the float32 path (expf, same operation
 * order).
 */
#include <float.h>
#include <math.h>

#include "tinyml.h"
#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* The scaled input difference is Q5.26; the sum of exps is Q12.19. */
#define SCALED_DIFF_INT_BITS 5
#define ACCUM_INT_BITS 12

/* exp(beta * scale * diff) in Q0 for diff = x - max (<= 0, >= diff_min). */
static int32_t exp_of_diff(const tml_softmax_s8_params *p, int32_t diff) {
  int32_t shift = p->in_left_shift;
  if (shift < 0) shift = 0;
  if (shift > 31) shift = 31;
  /* MultiplyByQuantizedMultiplierGreaterThanOne: left shift, high multiply. */
  return tml_fp_exp_on_negative(
      tml_fp_srdhm(tml_fp_shl_wrap(diff, shift), p->in_mult),
      SCALED_DIFF_INT_BITS);
}

void tml_softmax_s8(const tml_softmax_s8_params *p, const int8_t *in,
                    void *out) {
  const int is16 = p->out_dtype == TML_INT16;
  const int32_t out_min = is16 ? -32768 : -128;
  const int32_t out_max = is16 ? 32767 : 127;
  const int32_t out_bits = is16 ? 16 : 8;
  int32_t i, c;

  for (i = 0; i < p->outer; ++i) {
    const size_t base = (size_t)i * (size_t)p->depth;
    const int8_t *x = in + base;
    int32_t max_in_row = -128;
    int32_t sum_of_exps = 0;
    int32_t num_bits_over_unit, exponent, scale;

    for (c = 0; c < p->depth; ++c) {
      if (x[c] > max_in_row) max_in_row = x[c];
    }
    for (c = 0; c < p->depth; ++c) {
      const int32_t diff = (int32_t)x[c] - max_in_row;
      if (diff >= p->diff_min) {
        sum_of_exps = tml_fp_add(
            sum_of_exps, tml_fp_rescale(exp_of_diff(p, diff), 0, ACCUM_INT_BITS));
      }
    }

    scale = tml_fp_reciprocal(sum_of_exps, ACCUM_INT_BITS, &num_bits_over_unit);
    /* TFLM checks 0 <= exponent <= 31 and aborts otherwise (a row of more
     * than ~500 near-equal int8 values); clamp to stay defined instead. */
    exponent = num_bits_over_unit + 31 - out_bits;
    if (exponent < 0) exponent = 0;
    if (exponent > 31) exponent = 31;

    for (c = 0; c < p->depth; ++c) {
      const int32_t diff = (int32_t)x[c] - max_in_row;
      int32_t v = out_min;
      if (diff >= p->diff_min) {
        v = tml_fp_rdbpot(tml_fp_srdhm(scale, exp_of_diff(p, diff)), exponent);
        v = tml_fp_add(v, out_min);
        if (v > out_max) v = out_max;
        if (v < out_min) v = out_min;
      }
      if (is16) {
        ((int16_t *)out)[base + (size_t)c] = (int16_t)v;
      } else {
        ((int8_t *)out)[base + (size_t)c] = (int8_t)v;
      }
    }
  }
}

void tml_softmax_f32(const tml_softmax_f32_params *p, const float *in,
                     float *out) {
  const float beta = tml_f32_from_bits(p->beta);
  int32_t i, c;

  for (i = 0; i < p->outer; ++i) {
    const size_t base = (size_t)i * (size_t)p->depth;
    const float *x = in + base;
    float *o = out + base;
    float max = -FLT_MAX;
    float sum = 0.f;

    for (c = 0; c < p->depth; ++c) {
      if (max < x[c]) max = x[c]; /* std::max(max, x) */
    }
    for (c = 0; c < p->depth; ++c) {
      const float e = expf((x[c] - max) * beta);
      o[c] = e;
      sum += e;
    }
    for (c = 0; c < p->depth; ++c) o[c] = o[c] / sum;
  }
}
