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

/* Transposed filter bytes the in_c == 1 case may take on the stack
 * (micro_speech: 8 x 80). */
#define OPT_DW_T 640

/* Input and filter strides of the depth_mult == 1 walk, in bytes. */
typedef struct {
  size_t in_row, in_tap, f_row, f_tap;
} dw_steps;

/* Channels [0, 4 * groups) of one output pixel over an fh x fw block of
 * valid taps starting at ip / fp (channel 0), input offset included:
 * acc[c] = init[c] + the sums. */
OPT_NOINLINE static void dw_any(const int8_t *ip, const int8_t *fp,
                                int32_t groups, int32_t fh, int32_t fw,
                                const dw_steps *st, uint32_t off2,
                                const int32_t *init, int32_t *acc) {
  int32_t g, y, x;
  for (g = 0; g < groups; g++, ip += 4, fp += 4, acc += 4, init += 4) {
    int32_t a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
    for (y = 0; y < fh; y++) {
      const int8_t *i = ip + (size_t)y * st->in_row;
      const int8_t *f = fp + (size_t)y * st->f_row;
      for (x = 0; x < fw; x++, i += st->in_tap, f += st->f_tap) {
        const uint32_t xv = opt_ld4(i), wv = opt_ld4(f);
        const uint32_t xa = opt_sadd16(opt_sxtb16(xv), off2);
        const uint32_t wa = opt_sxtb16(wv);
        const uint32_t xb = opt_sadd16(opt_sxtb16_r8(xv), off2);
        const uint32_t wb = opt_sxtb16_r8(wv);
        a0 = opt_smlabb(xa, wa, a0);
        a2 = opt_smlatt(xa, wa, a2);
        a1 = opt_smlabb(xb, wb, a1);
        a3 = opt_smlatt(xb, wb, a3);
      }
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
  }
}

/* One tap of dw3x3_in: four channels at r + d, the next two filter words
 * (lanes already expanded). */
#define DW_TAP(r, d)                           \
  do {                                         \
    const uint32_t xv = opt_ld4((r) + (d));    \
    const uint32_t wa = wp[0], wb = wp[1];     \
    const uint32_t xa = opt_sxtb16(xv);        \
    const uint32_t xb = opt_sxtb16_r8(xv);     \
    wp += 2;                                   \
    a0 = opt_smlabb(xa, wa, a0);               \
    a2 = opt_smlatt(xa, wa, a2);               \
    a1 = opt_smlabb(xb, wb, a1);               \
    a3 = opt_smlatt(xb, wb, a3);               \
  } while (0)

#if TML_OPT_DSP
/* The same in assembly (GCC spills here): LDR, 2 SXTB16, LDRD of the
 * expanded filter pair, 4 multiply-accumulates per tap. */
#define DW_ASM_TAP(addr)                               \
  "ldr    %[x], " addr "\n\t"                          \
  "ldrd   %[wa], %[wb], [%[wp]], #8\n\t"               \
  "sxtb16 %[xb], %[x], ror #8\n\t"                     \
  "sxtb16 %[x], %[x]\n\t"                              \
  "smlabb %[a0], %[x], %[wa], %[a0]\n\t"               \
  "smlatt %[a2], %[x], %[wa], %[a2]\n\t"               \
  "smlabb %[a1], %[xb], %[wb], %[a1]\n\t"              \
  "smlatt %[a3], %[xb], %[wb], %[a3]\n\t"
#define DW_ASM_ROW                                     \
  DW_ASM_TAP("[%[q]]")                                 \
  DW_ASM_TAP("[%[q], %[c1]]")                          \
  DW_ASM_TAP("[%[q], %[c2]]")                          \
  "add    %[q], %[q], %[row]\n\t"
#endif

/* A 3x3 window wholly inside the input, dilation 1: channels
 * [0, 4 * groups) from ip (tap (0, 0), channel 0), the filter as 9 tap
 * pairs of expanded words per group (wp). No input offset: init is bias +
 * offset x the channel's weight sum. */
OPT_NOINLINE static void dw3x3_in(const int8_t *ip, const uint32_t *wp,
                                  int32_t groups, size_t row, size_t c_n,
                                  const int32_t *init, int32_t *acc) {
  const int32_t *end = acc + 4 * groups;
  const size_t c2 = 2 * c_n;
  for (; acc < end; ip += 4, acc += 4, init += 4) {
    int32_t a0 = init[0], a1 = init[1], a2 = init[2], a3 = init[3];
#if TML_OPT_DSP
    const int8_t *q = ip;
    uint32_t x, xb, wa, wb;
    __asm__ volatile(DW_ASM_ROW DW_ASM_ROW DW_ASM_ROW
                     : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2),
                       [a3] "+r"(a3), [q] "+r"(q), [wp] "+r"(wp), [x] "=&r"(x),
                       [xb] "=&r"(xb), [wa] "=&r"(wa), [wb] "=&r"(wb)
                     : [c1] "r"(c_n), [c2] "r"(c2), [row] "r"(row)
                     : "memory");
#else
    const int8_t *r0 = ip, *r1 = ip + row, *r2 = ip + 2 * row;
    DW_TAP(r0, 0);
    DW_TAP(r0, c_n);
    DW_TAP(r0, c2);
    DW_TAP(r1, 0);
    DW_TAP(r1, c_n);
    DW_TAP(r1, c2);
    DW_TAP(r2, 0);
    DW_TAP(r2, c_n);
    DW_TAP(r2, c2);
#endif
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
  }
}

/* depth_mult == 1: OPT_OCB channels at a time, each output pixel's sums in
 * a stack block, requantized together. 3x3 windows (dilation 1) wholly
 * inside the input take dw3x3_in, the others dw_any; the channels past the
 * last multiple of 4 are summed one by one. */
OPT_NOINLINE static void dw_mult1(const tml_conv_params *p, const int32_t *mult,
                     const int8_t *shift, const int8_t *in,
                     const int8_t *filter, const int32_t *bias, int8_t *out) {
  const int32_t c_n = p->in_c;
  const uint32_t off2 = opt_dup16(p->in_offset);
  const size_t row = (size_t)p->in_w * (size_t)c_n;
  const int is3x3 = p->f_h == 3 && p->f_w == 3 && p->dil_h == 1 && p->dil_w == 1;
  uint32_t wpk[OPT_OCB / 4 * 9 * 2];
  int32_t base[OPT_OCB], base_in[OPT_OCB], acc[OPT_OCB];
  dw_steps st;
  int32_t c0, b, oy, ox, i, t, fy, fx;

  st.in_row = (size_t)p->dil_h * row;
  st.in_tap = (size_t)p->dil_w * (size_t)c_n;
  st.f_row = (size_t)p->f_w * (size_t)c_n;
  st.f_tap = (size_t)c_n;
  for (c0 = 0; c0 < c_n; c0 += OPT_OCB) {
    const int32_t n = c_n - c0 < OPT_OCB ? c_n - c0 : OPT_OCB;
    const int32_t groups = n / 4;
    const int fast = tml_opt_rq_fast(n, shift + c0);
    for (i = 0; i < n; i++) base[i] = bias ? bias[c0 + i] : 0;
    if (is3x3) {
      for (i = 0; i < groups; i++)
        for (t = 0; t < 9; t++) {
          const uint32_t v = opt_ld4(filter + (size_t)t * c_n + c0 + 4 * i);
          wpk[(i * 9 + t) * 2] = opt_sxtb16(v);
          wpk[(i * 9 + t) * 2 + 1] = opt_sxtb16_r8(v);
        }
      /* Windows wholly inside start at bias + offset x weight sum (the
       * reference adds offset x weight per tap: the same modulo 2^32). */
      for (i = 0; i < 4 * groups; i++) {
        uint32_t sw = 0;
        for (t = 0; t < 9; t++) sw += (uint32_t)(int32_t)filter[(size_t)t * c_n + c0 + i];
        base_in[i] = (int32_t)((uint32_t)base[i] + sw * (uint32_t)p->in_offset);
      }
      /* The last channels are summed with the offset, one by one. */
      for (; i < n; i++) base_in[i] = base[i];
    }
    for (b = 0; b < p->batches; b++) {
      const int8_t *in_b = in + (size_t)b * p->in_h * row;
      for (oy = 0; oy < p->out_h; oy++) {
        const int32_t y0 = oy * p->stride_h - p->pad_h;
        int32_t fy0 = 0, fy1 = p->f_h;
        while (fy0 < fy1 && y0 + p->dil_h * fy0 < 0) fy0++;
        while (fy1 > fy0 && y0 + p->dil_h * (fy1 - 1) >= p->in_h) fy1--;
        for (ox = 0; ox < p->out_w; ox++) {
          const int32_t x0 = ox * p->stride_w - p->pad_w;
          int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n + c0;
          int32_t fx0 = 0, fx1 = p->f_w;
          const int8_t *ip, *fp;
          while (fx0 < fx1 && x0 + p->dil_w * fx0 < 0) fx0++;
          while (fx1 > fx0 && x0 + p->dil_w * (fx1 - 1) >= p->in_w) fx1--;
          const int inside = is3x3 && fy1 - fy0 == 3 && fx1 - fx0 == 3;
          const int32_t *init = inside ? base_in : base;
          if (fy0 < fy1 && fx0 < fx1) {
            /* First valid tap, channel c0. */
            ip = in_b + (size_t)(y0 + p->dil_h * fy0) * row +
                 (size_t)(x0 + p->dil_w * fx0) * c_n + c0;
            fp = filter + ((size_t)fy0 * p->f_w + (size_t)fx0) * c_n + c0;
            if (inside) {
              dw3x3_in(ip, wpk, groups, row, (size_t)c_n, init, acc);
            } else {
              dw_any(ip, fp, groups, fy1 - fy0, fx1 - fx0, &st, off2, init, acc);
            }
            for (i = 4 * groups; i < n; i++) {
              uint32_t a = (uint32_t)init[i];
              for (fy = 0; fy < fy1 - fy0; fy++)
                for (fx = 0; fx < fx1 - fx0; fx++)
                  a += (uint32_t)((int32_t)fp[(size_t)fy * st.f_row + (size_t)fx * st.f_tap + (size_t)i] *
                                  ((int32_t)ip[(size_t)fy * st.in_row + (size_t)fx * st.in_tap + (size_t)i] + p->in_offset));
              acc[i] = (int32_t)a;
            }
          }
          /* No tap inside: the bias alone. */
          tml_opt_requant(fy0 < fy1 && fx0 < fx1 ? acc : base, NULL, n, mult + c0,
                          shift + c0, fast, p->out_offset, p->act_min, p->act_max, o, NULL);
        }
      }
    }
  }
}

/* in_c == 1: a convolution of the transposed filter. */
OPT_NOINLINE static void dw_in1(const tml_conv_params *p, const int32_t *mult,
                                const int8_t *shift, const int8_t *in,
                                const int8_t *filter, const int32_t *bias,
                                int8_t *out) {
  const int32_t taps = p->f_h * p->f_w;
  int8_t ft[OPT_DW_T];
  int32_t t, m;
  for (m = 0; m < p->out_c; m++)
    for (t = 0; t < taps; t++)
      ft[m * taps + t] = filter[(size_t)t * (size_t)p->out_c + (size_t)m];
  /* in_c == 1: p reads as the convolution's (f_in_c, depth_mult unused). */
  tml_opt_conv_rows(p, mult, shift, in, ft, bias, out);
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
  } else if (p->in_c == 1 && p->out_c <= OPT_DW_T / taps) {
    dw_in1(p, mult, shift, in, filter, bias, out);
  } else {
    tml_dwconv_s8(p, mult, shift, in, filter, bias, out);
  }
}
