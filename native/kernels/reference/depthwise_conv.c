/*
 * depthwise_conv.c - reference DEPTHWISE_CONV_2D kernels (NHWC), bit-exact
 * with TFLM's reference DepthwiseConvPerChannel (int8) and DepthwiseConv
 * (float32). Filter is [1, f_h, f_w, out_c], out channel = ic * mult + m.
 *
 * Same loop nest and accumulation order as TFLM (float results depend on it);
 * integer sums run on uint32_t so overflow wraps instead of being undefined.
 */
#include "tinyml_kernels.h"

void tml_dwconv_s8(const tml_conv_params *p, const int32_t *mult,
                   const int8_t *shift, const int8_t *in,
                   const int8_t *filter, const int32_t *bias, int8_t *out) {
  const uint32_t in_off = (uint32_t)p->in_offset;
  int32_t b, oy, ox, ic, m, fy, fx;

  for (b = 0; b < p->batches; ++b) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (ic = 0; ic < p->in_c; ++ic) {
          for (m = 0; m < p->depth_mult; ++m) {
            const int32_t oc = ic * p->depth_mult + m;
            uint32_t acc = 0;
            int32_t v;
            for (fy = 0; fy < p->f_h; ++fy) {
              const int32_t y = y0 + p->dil_h * fy;
              if (y < 0 || y >= p->in_h) continue; /* zero padding: skip */
              for (fx = 0; fx < p->f_w; ++fx) {
                const int32_t x = x0 + p->dil_w * fx;
                int32_t iv, fv;
                if (x < 0 || x >= p->in_w) continue;
                iv = in_b[((size_t)y * p->in_w + x) * p->in_c + ic];
                fv = filter[((size_t)fy * p->f_w + fx) * p->out_c + oc];
                acc += (uint32_t)fv * ((uint32_t)iv + in_off);
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
}

void tml_dwconv_f32(const tml_conv_params *p, const float *in,
                    const float *filter, const float *bias, float *out) {
  const float lo = tml_f32_from_bits(p->act_min);
  const float hi = tml_f32_from_bits(p->act_max);
  int32_t b, oy, ox, ic, m, fy, fx;

  for (b = 0; b < p->batches; ++b) {
    const float *in_b = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    for (oy = 0; oy < p->out_h; ++oy) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < p->out_w; ++ox) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        float *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * p->out_c;
        for (ic = 0; ic < p->in_c; ++ic) {
          for (m = 0; m < p->depth_mult; ++m) {
            const int32_t oc = ic * p->depth_mult + m;
            float total = 0.0f;
            float v;
            for (fy = 0; fy < p->f_h; ++fy) {
              const int32_t y = y0 + p->dil_h * fy;
              if (y < 0 || y >= p->in_h) continue;
              for (fx = 0; fx < p->f_w; ++fx) {
                const int32_t x = x0 + p->dil_w * fx;
                if (x < 0 || x >= p->in_w) continue;
                total += in_b[((size_t)y * p->in_w + x) * p->in_c + ic] *
                         filter[((size_t)fy * p->f_w + fx) * p->out_c + oc];
              }
            }
            /* TFLM always adds the bias, 0.0f when absent (-0.0f becomes +0.0f). */
            v = total + (bias ? bias[oc] : 0.0f);
            v = (v < lo) ? lo : v; /* std::max, then std::min */
            v = (hi < v) ? hi : v;
            o[oc] = v;
          }
        }
      }
    }
  }
}
