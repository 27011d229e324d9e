/*
 * fully_connected.c - reference FULLY_CONNECTED kernels, bit-exact with
 * TFLM's reference_integer_ops::FullyConnected / FullyConnectedPerChannel
 * (int8) and reference_ops::FullyConnected (float32).
 *
 * The float dot product runs in the same order as TFLM (d = 0..depth-1, then
 * the bias, then the clamp): float addition is not associative. Integer sums
 * run on uint32_t so an overflow wraps as TFLM's int32 does on every target
 * instead of being undefined.
 */
#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* mult/shift == NULL: per-tensor (uses w_offset); else per output channel. */
static void fc_s8(const tml_fc_s8_params *p, const int32_t *mult,
                  const int8_t *shift, const int8_t *in, const int8_t *w,
                  const int32_t *bias, int8_t *out) {
  const int32_t in_off = p->in_offset;
  const int32_t w_off = mult ? 0 : p->w_offset;
  int32_t b, oc, d;

  for (b = 0; b < p->batches; ++b) {
    const int8_t *x = in + (size_t)b * (size_t)p->accum_depth;
    int8_t *o = out + (size_t)b * (size_t)p->out_depth;
    for (oc = 0; oc < p->out_depth; ++oc) {
      const int8_t *wr = w + (size_t)oc * (size_t)p->accum_depth;
      uint32_t acc = 0;
      int32_t v;
      for (d = 0; d < p->accum_depth; ++d) {
        /* Offsets are checked to small ranges at load: no int32 overflow. */
        acc += (uint32_t)(((int32_t)wr[d] + w_off) * ((int32_t)x[d] + in_off));
      }
      if (bias) acc += (uint32_t)bias[oc];
      v = mult ? tml_fp_mul_by_qm((int32_t)acc, mult[oc], shift[oc])
               : tml_fp_mul_by_qm((int32_t)acc, p->out_mult, p->out_shift);
      v = tml_fp_add(v, p->out_offset);
      if (v < p->act_min) v = p->act_min;
      if (v > p->act_max) v = p->act_max;
      o[oc] = (int8_t)v;
    }
  }
}

void tml_fc_s8(const tml_fc_s8_params *p, const int8_t *in, const int8_t *w,
               const int32_t *bias, int8_t *out) {
  fc_s8(p, NULL, NULL, in, w, bias, out);
}

void tml_fc_s8_per_channel(const tml_fc_s8_params *p, const int32_t *mult,
                           const int8_t *shift, const int8_t *in,
                           const int8_t *w, const int32_t *bias, int8_t *out) {
  fc_s8(p, mult, shift, in, w, bias, out);
}

void tml_fc_f32(const tml_fc_f32_params *p, const float *in, const float *w,
                const float *bias, float *out) {
  const float lo = tml_f32_from_bits(p->act_min);
  const float hi = tml_f32_from_bits(p->act_max);
  int32_t b, oc, d;

  for (b = 0; b < p->batches; ++b) {
    const float *x = in + (size_t)b * (size_t)p->accum_depth;
    float *o = out + (size_t)b * (size_t)p->out_depth;
    for (oc = 0; oc < p->out_depth; ++oc) {
      const float *wr = w + (size_t)oc * (size_t)p->accum_depth;
      float total = 0.f;
      float v;
      for (d = 0; d < p->accum_depth; ++d) total += x[d] * wr[d];
      /* TFLM adds 0.0f when there is no bias (turns -0 into +0). */
      v = total + (bias ? bias[oc] : 0.0f);
      /* std::max then std::min, NaN passing through as in TFLM. */
      if (v < lo) v = lo;
      if (hi < v) v = hi;
      o[oc] = v;
    }
  }
}
