/*
 * conv.c - reference CONV_2D kernels (NHWC), bit-exact with TFLM's reference
 * ConvPerChannel (int8) and Conv (float32), grouped convolution included.
 *
 * Loop nest and accumulation order follow TFLM exactly: for float this is what
 * makes the results bit-identical (float addition is not associative).
 * Integer arithmetic runs on uint32_t so a (theoretical) accumulator overflow
 * wraps like TFLM's two's-complement int32 instead of being undefined.
 */
#include "tinyml_kernels.h"

void tml_conv_s8(const tml_conv_params *p, const int32_t *mult,
                 const int8_t *shift, const int8_t *in, const int8_t *filter,
                 const int32_t *bias, int8_t *out) {
  const int32_t groups = p->in_c / p->f_in_c;
  const int32_t per_group = p->out_c / groups;
  const uint32_t in_off = (uint32_t)p->in_offset;
  int32_t b, oy, ox, oc, fy, fx, ic;

  for (b = 0; b < p->batches; ++b) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (oc = 0; oc < p->out_c; ++oc) {
          const int32_t c0 = (oc / per_group) * p->f_in_c; /* group's first input channel */
          const int8_t *f_oc = filter + (size_t)oc * p->f_h * p->f_w * p->f_in_c;
          uint32_t acc = 0;
          int32_t v;
          for (fy = 0; fy < p->f_h; ++fy) {
            const int32_t y = y0 + p->dil_h * fy;
            if (y < 0 || y >= p->in_h) continue; /* zero padding: skip */
            for (fx = 0; fx < p->f_w; ++fx) {
              const int32_t x = x0 + p->dil_w * fx;
              const int8_t *ip, *fp;
              if (x < 0 || x >= p->in_w) continue;
              ip = in_b + ((size_t)y * p->in_w + x) * p->in_c + c0;
              fp = f_oc + ((size_t)fy * p->f_w + fx) * p->f_in_c;
              for (ic = 0; ic < p->f_in_c; ++ic)
                acc += (uint32_t)(int32_t)fp[ic] * ((uint32_t)(int32_t)ip[ic] + in_off);
            }
          }
          if (bias) acc += (uint32_t)bias[oc];
          v = tml_mul_by_quantized_mult((int32_t)acc, mult[oc], shift[oc]);
          v = (int32_t)((uint32_t)v + (uint32_t)p->out_offset);
          if (v < p->act_min) v = p->act_min;
          if (v > p->act_max) v = p->act_max;
          o[oc] = (int8_t)v;
        }
      }
    }
  }
}

void tml_conv_f32(const tml_conv_params *p, const float *in,
                  const float *filter, const float *bias, float *out) {
  const int32_t groups = p->in_c / p->f_in_c;
  const int32_t per_group = p->out_c / groups;
  const float lo = tml_f32_from_bits(p->act_min);
  const float hi = tml_f32_from_bits(p->act_max);
  int32_t b, oy, ox, oc, fy, fx, ic;

  for (b = 0; b < p->batches; ++b) {
    const float *in_b = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        float *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (oc = 0; oc < p->out_c; ++oc) {
          const int32_t c0 = (oc / per_group) * p->f_in_c;
          const float *f_oc = filter + (size_t)oc * p->f_h * p->f_w * p->f_in_c;
          float total = 0.0f;
          float v;
          for (fy = 0; fy < p->f_h; ++fy) {
            const int32_t y = y0 + p->dil_h * fy;
            if (y < 0 || y >= p->in_h) continue;
            for (fx = 0; fx < p->f_w; ++fx) {
              const int32_t x = x0 + p->dil_w * fx;
              const float *ip, *fp;
              if (x < 0 || x >= p->in_w) continue;
              ip = in_b + ((size_t)y * p->in_w + x) * p->in_c + c0;
              fp = f_oc + ((size_t)fy * p->f_w + fx) * p->f_in_c;
              for (ic = 0; ic < p->f_in_c; ++ic) total += ip[ic] * fp[ic];
            }
          }
          /* TFLM always adds the bias, 0.0f when absent (turns -0.0f into +0.0f). */
          v = total + (bias ? bias[oc] : 0.0f);
          /* std::max then std::min, same comparisons (NaN passes through). */
          v = (v < lo) ? lo : v;
          v = (hi < v) ? hi : v;
          o[oc] = v;
        }
      }
    }
  }
}
