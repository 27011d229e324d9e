/*
 * reduce.c - MEAN / SUM (int8, int16, float32) and ARG_MAX / ARG_MIN,
 * bit-exact with TFLM's reference reduce and arg_min_max kernels.
 *
 * TFLM walks the whole input once and accumulates into each output; here
 * each output element walks its own reduced elements instead. Both add the
 * same values to the same accumulator in the same (input) order, so even
 * the float sums round identically, and no scratch buffer is needed.
 */
#include "tinyml.h"
#include "tinyml_kernels.h"

#include "fixedpoint.h"


/* Elements reduced into one output. */
static int32_t reduced_count(const int32_t *count) {
  int32_t n = 1, d;
  for (d = 0; d < TML_REDUCE_RANK; d++) n *= count[d];
  return n;
}

/* Sum (modulo 2^32, as TFLM's int32 accumulator wraps) of the reduced
 * elements starting at element `base`. */
static uint32_t sum_q(const tml_reduce_q_params *p, const void *in,
                      size_t base) {
  const int32_t *c = p->red_count, *s = p->red_stride;
  uint32_t acc = 0;
  int32_t a, b, e, f;
  for (a = 0; a < c[0]; a++) {
    for (b = 0; b < c[1]; b++) {
      for (e = 0; e < c[2]; e++) {
        const size_t row = base + (size_t)a * (size_t)s[0] +
                           (size_t)b * (size_t)s[1] + (size_t)e * (size_t)s[2];
        if (p->dtype == TML_INT16) {
          const int16_t *x = (const int16_t *)in + row;
          for (f = 0; f < c[3]; f++) acc += (uint32_t)(int32_t)x[(size_t)f * (size_t)s[3]];
        } else {
          const int8_t *x = (const int8_t *)in + row;
          for (f = 0; f < c[3]; f++) acc += (uint32_t)(int32_t)x[(size_t)f * (size_t)s[3]];
        }
      }
    }
  }
  return acc;
}

void tml_reduce_q(const tml_reduce_q_params *p, const void *in, void *out) {
  const int32_t *c = p->out_count, *s = p->out_stride;
  const int32_t lo = p->dtype == TML_INT16 ? -32768 : -128;
  const int32_t hi = p->dtype == TML_INT16 ? 32767 : 127;
  /* TFLM subtracts in_zp * n in 64 bits, then truncates to int32. */
  const uint32_t zp_n = (uint32_t)p->in_zp * (uint32_t)reduced_count(p->red_count);
  size_t o = 0;
  int32_t a, b, e, f;
  for (a = 0; a < c[0]; a++) {
    for (b = 0; b < c[1]; b++) {
      for (e = 0; e < c[2]; e++) {
        for (f = 0; f < c[3]; f++, o++) {
          const size_t base = (size_t)a * (size_t)s[0] + (size_t)b * (size_t)s[1] +
                              (size_t)e * (size_t)s[2] + (size_t)f * (size_t)s[3];
          const int32_t shifted = (int32_t)(sum_q(p, in, base) - zp_n);
          int32_t v = tml_fp_add(tml_fp_mul_by_qm(shifted, p->mult, p->shift),
                                 p->out_zp);
          v = v < lo ? lo : (v > hi ? hi : v);
          if (p->dtype == TML_INT16) {
            ((int16_t *)out)[o] = (int16_t)v;
          } else {
            ((int8_t *)out)[o] = (int8_t)v;
          }
        }
      }
    }
  }
}

static float sum_f32(const tml_reduce_f32_params *p, const float *in,
                     size_t base) {
  const int32_t *c = p->red_count, *s = p->red_stride;
  float acc = 0.0f;
  int32_t a, b, e, f;
  for (a = 0; a < c[0]; a++) {
    for (b = 0; b < c[1]; b++) {
      for (e = 0; e < c[2]; e++) {
        const float *x = in + base + (size_t)a * (size_t)s[0] +
                         (size_t)b * (size_t)s[1] + (size_t)e * (size_t)s[2];
        for (f = 0; f < c[3]; f++) acc = acc + x[(size_t)f * (size_t)s[3]];
      }
    }
  }
  return acc;
}

void tml_reduce_f32(const tml_reduce_f32_params *p, const float *in,
                    float *out) {
  const int32_t *c = p->out_count, *s = p->out_stride;
  const float n = (float)reduced_count(p->red_count);
  int32_t a, b, e, f;
  for (a = 0; a < c[0]; a++) {
    for (b = 0; b < c[1]; b++) {
      for (e = 0; e < c[2]; e++) {
        for (f = 0; f < c[3]; f++) {
          const size_t base = (size_t)a * (size_t)s[0] + (size_t)b * (size_t)s[1] +
                              (size_t)e * (size_t)s[2] + (size_t)f * (size_t)s[3];
          const float sum = sum_f32(p, in, base);
          *out++ = p->mean ? sum / n : sum;
        }
      }
    }
  }
}

void tml_arg_minmax(const tml_arg_minmax_params *p, const void *in,
                    int32_t *out) {
  const size_t inner = (size_t)p->inner;
  int32_t o, k;
  size_t i;
  for (o = 0; o < p->outer; o++) {
    const size_t base = (size_t)o * (size_t)p->axis_size * inner;
    for (i = 0; i < inner; i++) {
      int32_t best = 0;
      if (p->dtype == TML_FLOAT32) {
        const float *x = (const float *)in + base + i;
        float v = x[0];
        for (k = 1; k < p->axis_size; k++) {
          const float c = x[(size_t)k * inner];
          /* Strict compares: ties and NaN candidates keep the earlier one. */
          if (p->is_max ? c > v : c < v) {
            v = c;
            best = k;
          }
        }
      } else {
        const int8_t *x = (const int8_t *)in + base + i;
        int8_t v = x[0];
        for (k = 1; k < p->axis_size; k++) {
          const int8_t c = x[(size_t)k * inner];
          if (p->is_max ? c > v : c < v) {
            v = c;
            best = k;
          }
        }
      }
      *out++ = best;
    }
  }
}
