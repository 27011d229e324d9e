/*
 * depthwise_conv.c - optimized int8 DEPTHWISE_CONV_2D (per-channel),
 * byte-identical with the reference kernel.
 *
 * depth_mult == 1 (MobileNet, DS-CNN): four channels at a time. Per filter
 * tap, one word of input (4 channels, + offset in two int16 lane pairs) and
 * one word of filter feed SMLABB/SMLATT into four accumulators; only the
 * taps inside the input are visited, as the reference skips the others.
 *
 * in_c == 1 (micro_speech's first layer: one input channel, depth_mult
 * filters) is a convolution with out_c = depth_mult: the filter is
 * transposed into a stack copy ([out_c][f_h * f_w]) and the convolution
 * kernel runs it. Anything else goes to the reference kernel.
 */
#include "opt.h"

/* Transposed filter bytes the in_c == 1 case may take on the stack. */
#define OPT_DW_T 1024

/* Input and filter strides of the depth_mult == 1 walk, in bytes. */
typedef struct {
  size_t in_row, in_tap, f_row, f_tap;
} dw_steps;

/* Four channels over an fh x fw block of valid taps starting at ip / fp:
 * acc = their sums. Kept apart and small so the inner loop stays in
 * registers. */
OPT_NOINLINE static void dw4(const int8_t *ip, const int8_t *fp, int32_t fh, int32_t fw,
                const dw_steps *st, uint32_t off2, int32_t *acc) {
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const size_t in_tap = st->in_tap, f_tap = st->f_tap;
  int32_t y, x;
  for (y = 0; y < fh; y++) {
    const int8_t *i = ip + (size_t)y * st->in_row;
    const int8_t *f = fp + (size_t)y * st->f_row;
    for (x = 0; x < fw; x++, i += in_tap, f += f_tap) {
      const uint32_t xv = opt_ld4(i), wv = opt_ld4(f);
      const uint32_t xa = opt_sadd16(opt_sxtb16(xv), off2);
      const uint32_t wa = opt_sxtb16(wv);
      a0 = opt_smlabb(xa, wa, a0);
      a2 = opt_smlatt(xa, wa, a2);
      {
        const uint32_t xb = opt_sadd16(opt_sxtb16_r8(xv), off2);
        const uint32_t wb = opt_sxtb16_r8(wv);
        a1 = opt_smlabb(xb, wb, a1);
        a3 = opt_smlatt(xb, wb, a3);
      }
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

static void dw_mult1(const tml_conv_params *p, const int32_t *mult,
                     const int8_t *shift, const int8_t *in,
                     const int8_t *filter, const int32_t *bias, int8_t *out) {
  const int32_t c_n = p->in_c;
  const int32_t c4 = c_n & ~3;
  const uint32_t off2 = opt_dup16(p->in_offset);
  const size_t row_step = (size_t)p->dil_h * (size_t)p->in_w * (size_t)c_n;
  const size_t tap_step = (size_t)p->dil_w * (size_t)c_n;
  const size_t frow_step = (size_t)p->f_w * (size_t)c_n;
  dw_steps steps;
  int32_t b, oy, ox, c, fy, fx;

  steps.in_row = row_step;
  steps.in_tap = tap_step;
  steps.f_row = frow_step;
  steps.f_tap = (size_t)c_n;
  for (b = 0; b < p->batches; b++) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * c_n;
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      /* Taps fy0 <= fy < fy1 are inside the input rows. */
      int32_t fy0 = 0, fy1 = p->f_h;
      while (fy0 < fy1 && y0 + p->dil_h * fy0 < 0) fy0++;
      while (fy1 > fy0 && y0 + p->dil_h * (fy1 - 1) >= p->in_h) fy1--;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
        int32_t fx0 = 0, fx1 = p->f_w;
        const int8_t *in0, *f0;
        while (fx0 < fx1 && x0 + p->dil_w * fx0 < 0) fx0++;
        while (fx1 > fx0 && x0 + p->dil_w * (fx1 - 1) >= p->in_w) fx1--;
        if (fy0 == fy1 || fx0 == fx1) {
          /* No tap inside: the bias alone (as the reference computes it). */
          for (c = 0; c < c_n; c++)
            o[c] = opt_out_s8(bias ? bias[c] : 0, mult[c], shift[c],
                              p->out_offset, p->act_min, p->act_max);
          continue;
        }
        /* First valid tap, channel 0. */
        in0 = in_b + ((size_t)(y0 + p->dil_h * fy0) * p->in_w +
                      (size_t)(x0 + p->dil_w * fx0)) * c_n;
        f0 = filter + ((size_t)fy0 * p->f_w + (size_t)fx0) * c_n;
        for (c = 0; c < c4; c += 4) {
          int32_t a0, a1, a2, a3;
          int32_t a[4];
          dw4(in0 + c, f0 + c, fy1 - fy0, fx1 - fx0, &steps, off2, a);
          a0 = a[0];
          a1 = a[1];
          a2 = a[2];
          a3 = a[3];
          if (bias) {
            a0 = (int32_t)((uint32_t)a0 + (uint32_t)bias[c]);
            a1 = (int32_t)((uint32_t)a1 + (uint32_t)bias[c + 1]);
            a2 = (int32_t)((uint32_t)a2 + (uint32_t)bias[c + 2]);
            a3 = (int32_t)((uint32_t)a3 + (uint32_t)bias[c + 3]);
          }
          o[c] = opt_out_s8(a0, mult[c], shift[c], p->out_offset, p->act_min,
                            p->act_max);
          o[c + 1] = opt_out_s8(a1, mult[c + 1], shift[c + 1], p->out_offset,
                                p->act_min, p->act_max);
          o[c + 2] = opt_out_s8(a2, mult[c + 2], shift[c + 2], p->out_offset,
                                p->act_min, p->act_max);
          o[c + 3] = opt_out_s8(a3, mult[c + 3], shift[c + 3], p->out_offset,
                                p->act_min, p->act_max);
        }
        for (; c < c_n; c++) {
          uint32_t acc = bias ? (uint32_t)bias[c] : 0u;
          const int8_t *irow = in0 + c, *frow = f0 + c;
          for (fy = fy0; fy < fy1; fy++, irow += row_step, frow += frow_step) {
            const int8_t *ip = irow, *fp = frow;
            for (fx = fx0; fx < fx1; fx++, ip += tap_step, fp += c_n)
              acc += (uint32_t)((int32_t)*fp * ((int32_t)*ip + p->in_offset));
          }
          o[c] = opt_out_s8((int32_t)acc, mult[c], shift[c], p->out_offset,
                            p->act_min, p->act_max);
        }
      }
    }
  }
}

void tml_opt_dwconv_s8(const tml_conv_params *p, const int32_t *mult,
                       const int8_t *shift, const int8_t *in,
                       const int8_t *filter, const int32_t *bias,
                       int8_t *out) {
  const int32_t taps = p->f_h * p->f_w;
  if (!opt_offset_ok(p->in_offset)) {
    tml_dwconv_s8(p, mult, shift, in, filter, bias, out);
  } else if (p->depth_mult == 1) {
    dw_mult1(p, mult, shift, in, filter, bias, out);
  } else if (p->in_c == 1 && taps <= OPT_PATCH &&
             p->out_c <= OPT_DW_T / taps) {
    int8_t ft[OPT_DW_T];
    tml_conv_params c = *p;
    int32_t t, m;
    for (m = 0; m < p->out_c; m++)
      for (t = 0; t < taps; t++)
        ft[m * taps + t] = filter[(size_t)t * (size_t)p->out_c + (size_t)m];
    c.f_in_c = 1;
    c.depth_mult = 1;
    tml_opt_conv_rows(&c, mult, shift, in, ft, bias, out);
  } else {
    tml_dwconv_s8(p, mult, shift, in, filter, bias, out);
  }
}
