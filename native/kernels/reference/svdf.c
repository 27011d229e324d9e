/*
 * svdf.c - reference SVDF kernels, bit-exact with TFLM's
 * EvalIntegerSvdfReference (int8 input with int8 or int16 state) and
 * EvalFloatSvdfReference.
 *
 * One invoke: the state (a memory_size-long history per filter) moves one
 * step to the left, the feature dot products of the new input land in the
 * newest slot, then each filter's history is dotted with its time weights,
 * `rank` filters are summed per unit, bias added and the result activated
 * (float) or requantized (integer). Integer sums wrap through uint32_t, as
 * TFLM's int32 does in practice.
 */
#include <math.h>
#include <string.h>

#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* The integer body for both state types: T is int8_t or int16_t. The macro
 * keeps one copy of the logic for the two element types (C has no
 * templates). */
#define TML_SVDF_INT_BODY(T, T_MIN, T_MAX)                                     \
  do {                                                                        \
    const int32_t n_state = p->num_filters * p->memory_size;                  \
    int32_t b, f, m, u, r, c;                                                 \
    size_t i, n_all = (size_t)p->batches * (size_t)n_state;                   \
    /* Shift the whole state left by one; each filter's last slot is         \
     * overwritten below. */                                                  \
    if (n_all > 1) memmove(state, state + 1, (n_all - 1) * sizeof *state);    \
    for (b = 0; b < p->batches; ++b) {                                        \
      const int8_t *x = in + (size_t)b * p->input_size;                       \
      const int8_t *w = w_feature;                                            \
      T *slot = state + (size_t)b * n_state + (p->memory_size - 1);           \
      for (f = 0; f < p->num_filters; ++f) {                                  \
        uint32_t dot = 0;                                                     \
        int32_t v;                                                            \
        for (c = 0; c < p->input_size; ++c, ++w) {                            \
          dot += (uint32_t)(int32_t)*w *                                      \
                 ((uint32_t)(int32_t)x[c] - (uint32_t)p->in_zp);              \
        }                                                                     \
        v = tml_fp_mul_by_qm((int32_t)dot, p->mult1, p->shift1);              \
        if (v < T_MIN) v = T_MIN;                                             \
        if (v > T_MAX) v = T_MAX;                                             \
        /* Adding the zero point after the clamp may leave T's range: the    \
         * store wraps, like TFLM's narrowing cast. */                        \
        *slot = (T)wrap_##T(v + p->state_zp);                                 \
        slot += p->memory_size;                                               \
      }                                                                       \
    }                                                                         \
    for (b = 0; b < p->batches; ++b) {                                        \
      const T *w = w_time;                                                    \
      const T *s = state + (size_t)b * n_state;                               \
      int32_t *acc = scratch + (size_t)b * p->num_filters;                    \
      for (f = 0; f < p->num_filters; ++f) {                                  \
        uint32_t dot = 0;                                                     \
        for (m = 0; m < p->memory_size; ++m, ++w, ++s) {                      \
          dot += (uint32_t)(int32_t)*w *                                      \
                 ((uint32_t)(int32_t)*s - (uint32_t)p->state_zp);             \
        }                                                                     \
        acc[f] = (int32_t)dot;                                                \
      }                                                                       \
    }                                                                         \
    for (b = 0; b < p->batches; ++b) {                                        \
      const int32_t *acc = scratch + (size_t)b * p->num_filters;              \
      int32_t *o = scratch_out + (size_t)b * p->num_units;                    \
      for (u = 0; u < p->num_units; ++u) {                                    \
        int32_t sum = bias ? bias[u] : 0;                                     \
        for (r = 0; r < p->rank; ++r) sum = tml_fp_add(sum, *acc++);          \
        o[u] = sum;                                                           \
      }                                                                       \
    }                                                                         \
    for (i = 0; i < (size_t)p->batches * (size_t)p->num_units; ++i) {         \
      int32_t v = tml_fp_mul_by_qm(scratch_out[i], p->mult2, p->shift2);      \
      v = tml_fp_add(v, p->out_zp);                                           \
      if (v < -128) v = -128;                                                 \
      if (v > 127) v = 127;                                                   \
      out[i] = (int8_t)v;                                                     \
    }                                                                         \
  } while (0)

/* Two's-complement narrowing without implementation-defined conversions. */
static int8_t wrap_int8_t(int32_t v) {
  return (int8_t)((int32_t)(((uint32_t)v & 0xFFu) ^ 0x80u) - 0x80);
}
static int16_t wrap_int16_t(int32_t v) {
  return (int16_t)((int32_t)(((uint32_t)v & 0xFFFFu) ^ 0x8000u) - 0x8000);
}

void tml_svdf_s8(const tml_svdf_s8_params *p, const int8_t *in,
                 const int8_t *w_feature, const int8_t *w_time,
                 const int32_t *bias, int8_t *state, int32_t *scratch,
                 int32_t *scratch_out, int8_t *out) {
  TML_SVDF_INT_BODY(int8_t, -128, 127);
}

void tml_svdf_s8_s16(const tml_svdf_s8_params *p, const int8_t *in,
                     const int8_t *w_feature, const int16_t *w_time,
                     const int32_t *bias, int16_t *state, int32_t *scratch,
                     int32_t *scratch_out, int8_t *out) {
  TML_SVDF_INT_BODY(int16_t, -32768, 32767);
}

/* TFLM ActivationValFloat (fmax/fmin flavour of TfLiteMax/TfLiteMin). */
static float activate(int32_t act, float a) {
  switch (act) {
    case 1: return fmaxf(0.0f, a);
    case 2: return fmaxf(-1.0f, fminf(a, 1.0f));
    case 3: return fmaxf(0.0f, fminf(a, 6.0f));
    case 4: return tanhf(a);
    case 5: return signbit(a) ? 1.0f : 0.0f;
    default: return a;
  }
}

void tml_svdf_f32(const tml_svdf_f32_params *p, const float *in,
                  const float *w_feature, const float *w_time,
                  const float *bias, float *state, float *scratch,
                  float *out) {
  const int32_t n_state = p->num_filters * p->memory_size;
  const size_t n_all = (size_t)p->batches * (size_t)n_state;
  int32_t b, f, m, u, r, c;

  if (n_all > 1) memmove(state, state + 1, (n_all - 1) * sizeof *state);
  for (b = 0; b < p->batches; ++b) {
    const float *x = in + (size_t)b * p->input_size;
    const float *w = w_feature;
    float *slot = state + (size_t)b * n_state + (p->memory_size - 1);
    for (f = 0; f < p->num_filters; ++f) {
      float dot = 0.0f;
      for (c = 0; c < p->input_size; ++c, ++w) dot += *w * x[c];
      *slot = dot;
      slot += p->memory_size;
    }
  }
  for (b = 0; b < p->batches; ++b) {
    const float *w = w_time;
    const float *s = state + (size_t)b * n_state;
    float *acc = scratch + (size_t)b * p->num_filters;
    for (f = 0; f < p->num_filters; ++f) {
      float dot = 0.0f;
      for (m = 0; m < p->memory_size; ++m, ++w, ++s) dot += *w * *s;
      acc[f] = dot;
    }
  }
  for (b = 0; b < p->batches; ++b) {
    const float *acc = scratch + (size_t)b * p->num_filters;
    float *o = out + (size_t)b * p->num_units;
    for (u = 0; u < p->num_units; ++u) {
      float sum = bias ? bias[u] : 0.0f;
      for (r = 0; r < p->rank; ++r) sum += *acc++;
      o[u] = activate(p->activation, sum);
    }
  }
}
