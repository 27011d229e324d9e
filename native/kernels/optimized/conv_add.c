/*
 * conv_add.c - optimized CONV_2D + ADD (int8): the reference's row-at-a-time
 * scheme (native/kernels/reference/conv_add.c) with the optimized
 * convolution and ADD for each row. Byte for byte
 * the separate ops' results.
 */
#include "opt.h"

void tml_opt_conv_add_s8(const tml_conv_params *cp, const int32_t *mult,
                         const int8_t *shift, const tml_addsub_q_params *ap,
                         int32_t conv_slot, const int8_t *in,
                         const int8_t *filter, const int32_t *bias,
                         const int8_t *x, int8_t *out, int8_t *row) {
  const size_t in_batch = (size_t)cp->in_h * cp->in_w * cp->in_c;
  const int32_t n = cp->out_w * cp->out_c;
  tml_conv_params c = *cp;
  tml_addsub_q_params a = *ap;
  int32_t b, oy, d;
  c.batches = 1;
  c.out_h = 1;
  /* One row of n elements, no broadcasting. */
  for (d = 0; d < TML_BCAST_DIMS; d++) a.shape.out[d] = a.shape.in1[d] = a.shape.in2[d] = 1;
  a.shape.out[TML_BCAST_DIMS - 1] = a.shape.in1[TML_BCAST_DIMS - 1] =
      a.shape.in2[TML_BCAST_DIMS - 1] = n;
  for (b = 0; b < cp->batches; b++) {
    for (oy = 0; oy < cp->out_h; oy++) {
      const size_t at = ((size_t)b * cp->out_h + oy) * (size_t)n;
      /* Output row oy is row 0 of a conv whose top padding moved up. */
      c.pad_h = cp->pad_h - oy * cp->stride_h;
      tml_opt_conv_s8(&c, mult, shift, in + (size_t)b * in_batch, filter,
                      bias, row);
      if (conv_slot == 0)
        tml_opt_addsub_q(&a, row, x + at, out + at);
      else
        tml_opt_addsub_q(&a, x + at, row, out + at);
    }
  }
}
