/*
 * opt.h - what the optimized kernels share among themselves: the im2col
 * patch (int16 input + offset in SXTB16 lane order) and the convolution
 * driver that the depthwise kernel also uses for its in_c == 1 case.
 */
#ifndef TML_OPT_H
#define TML_OPT_H

#include "tinyml_kernels.h"

#include "dsp.h"

/* Patch elements per output pixel (two pixels in flight: 768 bytes of
 * stack; 192 = three rows of a 3x3x16 filter, one of 3x3x64) and output
 * channels summed at a time (512 bytes). */
#define OPT_PATCH 192
#define OPT_OCB 64

typedef union {
  uint32_t w[OPT_PATCH / 2];
  int16_t h[OPT_PATCH];
} opt_patch;

/* Slot of patch element k: each group of four holds (k0, k2) then (k1, k3),
 * the lanes SXTB16 and SXTB16 ROR 8 make of four filter bytes. */
static inline size_t opt_slot(int32_t k) {
  return (size_t)((k & ~3) | ((k & 1) << 1) | ((k >> 1) & 1));
}

/* Input offsets the int16 lanes hold exactly (x + in_offset). */
static inline int opt_offset_ok(int32_t in_offset) {
  return in_offset >= -256 && in_offset <= 256;
}

/* CONV_2D with one group (f_in_c == in_c); filter rows
 * [out_c][f_h * f_w * in_c]. */
void tml_opt_conv_rows(const tml_conv_params *p, const int32_t *mult,
                       const int8_t *shift, const int8_t *in,
                       const int8_t *filter, const int32_t *bias, int8_t *out);

/* o0[i] = requantized acc0[i] + out_off clamped to [lo, hi], channel i's
 * mult/shift; the same for acc1/o1 unless o1 is NULL (two pixels of one
 * channel block). Equal to opt_out_s8 element by element. fast: what
 * tml_opt_rq_fast said of these channels (then quicker). */
void tml_opt_requant(const int32_t *acc0, const int32_t *acc1, int32_t n,
                     const int32_t *mult, const int8_t *shift, int fast,
                     int32_t out_off, int32_t lo, int32_t hi, int8_t *o0,
                     int8_t *o1);

/* Which fast path of the requantization (requant.c) n channels may take:
 * every shift in [-22, -2] (FOLDED), in [-31, -2] (WIDE), or 0. */
#define TML_OPT_RQ_FOLDED 1
#define TML_OPT_RQ_WIDE 2
int tml_opt_rq_fast(int32_t n, const int8_t *shift);

#endif /* TML_OPT_H */
