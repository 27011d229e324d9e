/*
 * quantize.c - reference QUANTIZE (float -> int, int -> int requantize),
 * DEQUANTIZE and CAST kernels, bit-exact with TFLM where TFLM's behaviour
 * is defined. Where the C++ converts out-of-range floats (undefined
 * behaviour there), these saturate instead, and NaN becomes 0.
 */
#include <math.h>

#include "tinyml.h"
#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* Element i of an int8, uint8, int16, int32 or uint32 array, widened. */
static int64_t load_int(const void *p, int32_t dtype, int32_t i) {
  switch (dtype) {
    case TML_INT8: return ((const int8_t *)p)[i];
    case TML_UINT8: return ((const uint8_t *)p)[i];
    case TML_BOOL: return ((const uint8_t *)p)[i] != 0;
    case TML_INT16: return ((const int16_t *)p)[i];
    case TML_UINT32: return ((const uint32_t *)p)[i];
    default: return ((const int32_t *)p)[i];
  }
}

/* Stores the low bits of v (two's complement wrap, as C++ conversions). */
static void store_wrap(void *p, int32_t dtype, int32_t i, int64_t v) {
  const uint32_t u = (uint32_t)(uint64_t)v;
  switch (dtype) {
    case TML_INT8:
      ((int8_t *)p)[i] = (int8_t)((int32_t)((u & 0xFFu) ^ 0x80u) - 0x80);
      break;
    case TML_UINT8: ((uint8_t *)p)[i] = (uint8_t)u; break;
    case TML_INT16:
      ((int16_t *)p)[i] = (int16_t)((int32_t)((u & 0xFFFFu) ^ 0x8000u) - 0x8000);
      break;
    case TML_UINT32: ((uint32_t *)p)[i] = u; break;
    default:
      ((int32_t *)p)[i] =
          (int32_t)((int64_t)(u ^ 0x80000000u) - ((int64_t)1 << 31));
      break;
  }
}

static void range_of(int32_t dtype, int32_t *lo, int32_t *hi) {
  switch (dtype) {
    case TML_INT8: *lo = -128; *hi = 127; break;
    case TML_UINT8: *lo = 0; *hi = 255; break;
    case TML_INT16: *lo = -32768; *hi = 32767; break;
    default: *lo = INT32_MIN; *hi = INT32_MAX; break;
  }
}

void tml_requantize(const tml_requantize_params *p, const void *in,
                    void *out) {
  int32_t lo, hi, i;
  range_of(p->out_dtype, &lo, &hi);
  for (i = 0; i < p->size; i++) {
    const int32_t x =
        tml_fp_sub((int32_t)load_int(in, p->in_dtype, i), p->in_zp);
    int32_t v = tml_fp_add(tml_fp_mul_by_qm(x, p->mult, p->shift), p->out_zp);
    v = v < lo ? lo : (v > hi ? hi : v);
    store_wrap(out, p->out_dtype, i, v);
  }
}

/* Float to int32 toward zero, saturating; NaN -> 0. */
static int32_t f2i_sat(float f) {
  if (f != f) return 0;
  if (f >= 2147483648.0f) return INT32_MAX;
  if (f < -2147483648.0f) return INT32_MIN;
  return (int32_t)f;
}

void tml_quantize_f32(const tml_quantize_f32_params *p, const float *in,
                      void *out) {
  const float scale = tml_f32_from_bits(p->scale);
  int32_t lo, hi, i;
  range_of(p->out_dtype, &lo, &hi);
  for (i = 0; i < p->size; i++) {
    const int64_t v = (int64_t)f2i_sat(roundf(in[i] / scale)) + p->zp;
    store_wrap(out, p->out_dtype, i, v < lo ? lo : (v > hi ? hi : v));
  }
}

void tml_dequantize(const tml_dequantize_params *p, const void *in,
                    float *out) {
  const double scale = (double)tml_f32_from_bits(p->scale);
  int32_t i;
  for (i = 0; i < p->size; i++) {
    const int32_t x = (int32_t)load_int(in, p->in_dtype, i) - p->zp;
    out[i] = (float)(scale * (double)x);
  }
}

/* Float to int64 toward zero, saturating; NaN -> 0. */
static int64_t f2l_sat(float f) {
  if (f != f) return 0;
  if (f >= 9223372036854775808.0f) return INT64_MAX;
  if (f < -9223372036854775808.0f) return INT64_MIN;
  return (int64_t)f;
}

void tml_cast(const tml_cast_params *p, const void *in, void *out) {
  int32_t i;
  if (p->in_dtype == TML_FLOAT32) {
    const float *f = (const float *)in;
    for (i = 0; i < p->size; i++) {
      if (p->out_dtype == TML_FLOAT32)
        ((float *)out)[i] = f[i];
      else
        store_wrap(out, p->out_dtype, i, f2l_sat(f[i]));
    }
    return;
  }
  for (i = 0; i < p->size; i++) {
    const int64_t v = load_int(in, p->in_dtype, i);
    if (p->out_dtype == TML_FLOAT32)
      ((float *)out)[i] = (float)v;
    else
      store_wrap(out, p->out_dtype, i, v);
  }
}
