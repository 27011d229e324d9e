/*
 * conv.c - optimized int8 CONV_2D (per-channel), byte-identical with the
 * reference kernel.
 *
 * Two output pixels at a time: each one's receptive field is copied once
 * (im2col) into a stack patch of int16 values, input + offset (0 where the
 * filter hangs over the padding, which is what skipping the tap gives),
 * already in the lane order SXTB16 gives the filter bytes. Every filter row
 * is then read once per pixel pair and multiplied against both patches,
 * two output channels at a time: 4 words of patch and 1 word of each filter
 * row feed 8 SMLADs (16 multiply-accumulates). The 1x1 convolutions of
 * MobileNet-style models are the same code with a patch of one pixel.
 *
 * Grouped convolutions and receptive fields over OPT_PATCH elements go to
 * the reference kernel.
 */
#include "opt.h"

/* Patch elements [k, k + n) = src[0..n) + off. */
static void put_run(opt_patch *pt, int32_t k, const int8_t *src, int32_t n,
                    int32_t off, uint32_t off2) {
  int32_t i = 0;
  if ((k & 3) == 0) {
    uint32_t *w = pt->w + k / 2;
    for (; i + 4 <= n; i += 4, w += 2) {
      const uint32_t v = opt_ld4(src + i);
      w[0] = opt_sadd16(opt_sxtb16(v), off2);
      w[1] = opt_sadd16(opt_sxtb16_r8(v), off2);
    }
  }
  for (; i < n; i++) pt->h[opt_slot(k + i)] = (int16_t)(src[i] + off);
}

static void zero_run(opt_patch *pt, int32_t k, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) pt->h[opt_slot(k + i)] = 0;
}

/* The receptive field of output pixel (oy, ox). */
static void im2col(const tml_conv_params *p, const int8_t *in_b, int32_t oy,
                   int32_t ox, opt_patch *pt, uint32_t off2) {
  const int32_t c = p->in_c;
  const int32_t row = p->f_w * c;
  const int32_t y0 = oy * p->stride_h - p->pad_h;
  const int32_t x0 = ox * p->stride_w - p->pad_w;
  /* The whole filter row inside the input and contiguous: one run. */
  const int whole = p->dil_w == 1 && x0 >= 0 && x0 <= p->in_w - p->f_w;
  int32_t fy, fx;
  for (fy = 0; fy < p->f_h; fy++) {
    const int32_t y = y0 + p->dil_h * fy;
    const int32_t k = fy * row;
    const int8_t *src;
    if (y < 0 || y >= p->in_h) {
      zero_run(pt, k, row);
      continue;
    }
    src = in_b + (size_t)y * (size_t)p->in_w * (size_t)c;
    if (whole) {
      put_run(pt, k, src + (size_t)x0 * (size_t)c, row, p->in_offset, off2);
      continue;
    }
    for (fx = 0; fx < p->f_w; fx++) {
      const int32_t x = x0 + p->dil_w * fx;
      if (x < 0 || x >= p->in_w)
        zero_run(pt, k + fx * c, c);
      else
        put_run(pt, k + fx * c, src + (size_t)x * (size_t)c, c, p->in_offset,
                off2);
    }
  }
}

/* Two filter rows (w and w + k_all) against the two patches of pt (the
 * second one OPT_PATCH / 2 words after the first): acc = {row 0 x pixel 0,
 * row 1 x pixel 0, row 0 x pixel 1, row 1 x pixel 1}. Kept apart and small
 * so that everything it touches stays in registers. */
OPT_NOINLINE static void mm2x2(const int8_t *w, int32_t k_all, const uint32_t *x,
                  int32_t groups, int32_t *acc) {
  const uint32_t *end = x + 2 * groups;
  int32_t a00 = acc[0], a10 = acc[1], a01 = acc[2], a11 = acc[3];
  while (x < end) {
    uint32_t t = opt_ld4(w);
    const uint32_t u0 = opt_sxtb16(t), u1 = opt_sxtb16_r8(t);
    uint32_t v0, v1;
    t = opt_ld4(w + k_all);
    v0 = opt_sxtb16(t);
    v1 = opt_sxtb16_r8(t);
    t = x[0];
    a00 = opt_smlad(u0, t, a00);
    a10 = opt_smlad(v0, t, a10);
    t = x[1];
    a00 = opt_smlad(u1, t, a00);
    a10 = opt_smlad(v1, t, a10);
    t = x[OPT_PATCH / 2];
    a01 = opt_smlad(u0, t, a01);
    a11 = opt_smlad(v0, t, a11);
    t = x[OPT_PATCH / 2 + 1];
    a01 = opt_smlad(u1, t, a01);
    a11 = opt_smlad(v1, t, a11);
    w += 4;
    x += 2;
  }
  acc[0] = a00;
  acc[1] = a10;
  acc[2] = a01;
  acc[3] = a11;
}

void tml_opt_conv_rows(const tml_conv_params *p, const int32_t *mult,
                       const int8_t *shift, const int8_t *in,
                       const int8_t *filter, const int32_t *bias, int8_t *out) {
  const int32_t k_all = p->f_h * p->f_w * p->in_c;
  const int32_t groups = k_all / 4;
  const int32_t npx = p->out_h * p->out_w;
  const int32_t oc_n = p->out_c;
  const uint32_t off2 = opt_dup16(p->in_offset);
  opt_patch pt[2]; /* adjacent: mm2x2 reaches the second from the first */
  int32_t b, px, oc, r;

  for (b = 0; b < p->batches; b++) {
    const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    int8_t *out_b = out + (size_t)b * (size_t)npx * (size_t)oc_n;
    for (px = 0; px < npx; px += 2) {
      /* A lone last pixel runs as a pair with itself; one result is kept. */
      const int two = px + 1 < npx;
      const int32_t px1 = two ? px + 1 : px;
      int8_t *o0 = out_b + (size_t)px * (size_t)oc_n;
      int8_t *o1 = o0 + oc_n;
      im2col(p, in_b, px / p->out_w, px % p->out_w, &pt[0], off2);
      im2col(p, in_b, px1 / p->out_w, px1 % p->out_w, &pt[1], off2);
      for (oc = 0; oc < oc_n; oc += 2) {
        /* A lone last channel runs as a pair with itself too. */
        const int pair = oc + 1 < oc_n;
        const int32_t oc1 = pair ? oc + 1 : oc;
        const int8_t *w0 = filter + (size_t)oc * (size_t)k_all;
        const int32_t row_gap = pair ? k_all : 0;
        int32_t a[4];
        a[0] = a[2] = bias ? bias[oc] : 0;
        a[1] = a[3] = bias ? bias[oc1] : 0;
        mm2x2(w0, row_gap, pt[0].w, groups, a);
        for (r = groups * 4; r < k_all; r++) {
          const size_t s = opt_slot(r);
          const int32_t f0 = w0[r], f1 = w0[row_gap + r];
          a[0] = (int32_t)((uint32_t)a[0] + (uint32_t)(f0 * pt[0].h[s]));
          a[1] = (int32_t)((uint32_t)a[1] + (uint32_t)(f1 * pt[0].h[s]));
          a[2] = (int32_t)((uint32_t)a[2] + (uint32_t)(f0 * pt[1].h[s]));
          a[3] = (int32_t)((uint32_t)a[3] + (uint32_t)(f1 * pt[1].h[s]));
        }
        o0[oc] = opt_out_s8(a[0], mult[oc], shift[oc], p->out_offset,
                            p->act_min, p->act_max);
        if (pair)
          o0[oc1] = opt_out_s8(a[1], mult[oc1], shift[oc1], p->out_offset,
                               p->act_min, p->act_max);
        if (two) {
          o1[oc] = opt_out_s8(a[2], mult[oc], shift[oc], p->out_offset,
                              p->act_min, p->act_max);
          if (pair)
            o1[oc1] = opt_out_s8(a[3], mult[oc1], shift[oc1], p->out_offset,
                                 p->act_min, p->act_max);
        }
      }
    }
  }
}

void tml_opt_conv_s8(const tml_conv_params *p, const int32_t *mult,
                     const int8_t *shift, const int8_t *in,
                     const int8_t *filter, const int32_t *bias, int8_t *out) {
  if (p->f_in_c != p->in_c || !opt_offset_ok(p->in_offset) ||
      p->f_h * p->f_w > OPT_PATCH || p->f_h * p->f_w * p->in_c > OPT_PATCH) {
    tml_conv_s8(p, mult, shift, in, filter, bias, out);
    return;
  }
  tml_opt_conv_rows(p, mult, shift, in, filter, bias, out);
}
