/*
 * transpose_conv.c - reference TRANSPOSE_CONV kernels (NHWC), bit-exact with
 * TFLM's reference TransposeConv (float32) and per-channel int8 kernel.
 *
 * Both walk the input, not the output: each input pixel scatters its
 * products into every output position its filter window reaches. The float
 * sums therefore accumulate in exactly TFLM's order (float addition is not
 * associative). Integer sums run on uint32_t so a theoretical overflow wraps
 * like TFLM's int32 instead of being undefined.
 */
#include <string.h>

#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* Index of output element (b, y, x, 0). */
static size_t out_index(const tml_tconv_params *p, int32_t b, int32_t y,
                        int32_t x) {
  return (((size_t)b * p->out_h + y) * p->out_w + x) * p->out_c;
}

void tml_tconv_s8(const tml_tconv_params *p, const int32_t *mult,
                  const int8_t *shift, const int8_t *in, const int8_t *filter,
                  const int32_t *bias, int32_t *acc, int8_t *out) {
  const size_t n_out = out_index(p, p->batches, 0, 0);
  const size_t f_oc_stride = (size_t)p->f_h * p->f_w * p->in_c;
  const uint32_t in_off = (uint32_t)p->in_offset;
  int32_t b, iy, ix, ic, fy, fx, oc;
  size_t i;

  memset(acc, 0, n_out * sizeof *acc);
  for (b = 0; b < p->batches; ++b) {
    for (iy = 0; iy < p->in_h; ++iy) {
      for (ix = 0; ix < p->in_w; ++ix) {
        const int8_t *ip = in + (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c;
        const int32_t y0 = iy * p->stride_h - p->pad_h;
        const int32_t x0 = ix * p->stride_w - p->pad_w;
        for (ic = 0; ic < p->in_c; ++ic) {
          const uint32_t v = (uint32_t)(int32_t)ip[ic] + in_off;
          for (fy = 0; fy < p->f_h; ++fy) {
            const int32_t y = y0 + fy;
            if (y < 0 || y >= p->out_h) continue;
            for (fx = 0; fx < p->f_w; ++fx) {
              const int32_t x = x0 + fx;
              const int8_t *fp;
              int32_t *ap;
              if (x < 0 || x >= p->out_w) continue;
              fp = filter + ((size_t)fy * p->f_w + fx) * p->in_c + ic;
              ap = acc + out_index(p, b, y, x);
              for (oc = 0; oc < p->out_c; ++oc) {
                ap[oc] = (int32_t)((uint32_t)ap[oc] +
                                   v * (uint32_t)(int32_t)fp[(size_t)oc * f_oc_stride]);
              }
            }
          }
        }
      }
    }
  }

  for (i = 0; i < n_out; ++i) {
    const int32_t oc = (int32_t)(i % (size_t)p->out_c);
    int32_t v = acc[i];
    if (bias) v = tml_fp_add(v, bias[oc]);
    v = tml_fp_mul_by_qm(v, mult[oc], shift[oc]);
    v = tml_fp_add(v, p->out_offset);
    if (v < p->act_min) v = p->act_min;
    if (v > p->act_max) v = p->act_max;
    out[i] = (int8_t)v;
  }
}

void tml_tconv_f32(const tml_tconv_params *p, const float *in,
                   const float *filter, const float *bias, float *out) {
  const size_t n_out = out_index(p, p->batches, 0, 0);
  const size_t f_oc_stride = (size_t)p->f_h * p->f_w * p->in_c;
  const float lo = tml_f32_from_bits(p->act_min);
  const float hi = tml_f32_from_bits(p->act_max);
  int32_t b, iy, ix, ic, fy, fx, oc;
  size_t i;

  for (i = 0; i < n_out; ++i) out[i] = 0.0f;
  for (b = 0; b < p->batches; ++b) {
    for (iy = 0; iy < p->in_h; ++iy) {
      for (ix = 0; ix < p->in_w; ++ix) {
        const float *ip = in + (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->in_c;
        const int32_t y0 = iy * p->stride_h - p->pad_h;
        const int32_t x0 = ix * p->stride_w - p->pad_w;
        for (ic = 0; ic < p->in_c; ++ic) {
          const float v = ip[ic];
          for (fy = 0; fy < p->f_h; ++fy) {
            const int32_t y = y0 + fy;
            if (y < 0 || y >= p->out_h) continue;
            for (fx = 0; fx < p->f_w; ++fx) {
              const int32_t x = x0 + fx;
              const float *fp;
              float *op;
              if (x < 0 || x >= p->out_w) continue;
              fp = filter + ((size_t)fy * p->f_w + fx) * p->in_c + ic;
              op = out + out_index(p, b, y, x);
              for (oc = 0; oc < p->out_c; ++oc) {
                const float prod = v * fp[(size_t)oc * f_oc_stride];
                op[oc] = op[oc] + prod;
              }
            }
          }
        }
      }
    }
  }

  for (i = 0; i < n_out; ++i) {
    float v = out[i];
    if (bias) v = v + bias[i % (size_t)p->out_c];
    /* std::min(std::max(v, lo), hi) */
    if (v < lo) v = lo;
    if (hi < v) v = hi;
    out[i] = v;
  }
}
