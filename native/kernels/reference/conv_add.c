/*
 * conv_add.c - CONV_2D followed by an ADD of its output to a same-shape
 * tensor x, one output row at a time, so the conv output never exists whole.
 *
 * Each row comes from the plain conv kernel run with out_h = 1 and the
 * vertical padding moved up by row * stride_h (the kernel's input row for
 * output row 0 is then exactly the one for output row `row`), and is added
 * by the plain element-wise kernel over that one row. Results are therefore
 * the separate ops' results, bit for bit. The ADD reads element i of x before
 * writing element i of out, so out may be x itself; rows of x not yet
 * reached are untouched, and the conv never reads x or out.
 */
#include "tinyml.h"
#include "tinyml_kernels.h"

/* A 1-D shape of n elements for all three operands. */
static void row_shape(tml_bcast_shape *s, int32_t n) {
  int32_t d;
  for (d = 0; d < TML_BCAST_DIMS; d++) s->out[d] = s->in1[d] = s->in2[d] = 1;
  s->out[TML_BCAST_DIMS - 1] = s->in1[TML_BCAST_DIMS - 1] =
      s->in2[TML_BCAST_DIMS - 1] = n;
}

/* One-row conv params for output row oy of batch 0. The adapter proved
 * (out_h - 1) * stride_h fits in int32 and pad_h >= 0, so this cannot wrap. */
static void conv_row(tml_conv_params *c, const tml_conv_params *cp,
                     int32_t oy) {
  c->pad_h = cp->pad_h - oy * cp->stride_h;
}

void tml_conv_add_s8(const tml_conv_params *cp, const int32_t *mult,
                     const int8_t *shift, const tml_addsub_q_params *ap,
                     int32_t conv_slot, const int8_t *in, const int8_t *filter,
                     const int32_t *bias, const int8_t *x, int8_t *out,
                     int8_t *row) {
  const size_t in_batch = (size_t)cp->in_h * cp->in_w * cp->in_c;
  const int32_t n = cp->out_w * cp->out_c;
  tml_conv_params c = *cp;
  tml_addsub_q_params a = *ap;
  int32_t b, oy;
  c.batches = 1;
  c.out_h = 1;
  row_shape(&a.shape, n);
  for (b = 0; b < cp->batches; b++) {
    for (oy = 0; oy < cp->out_h; oy++) {
      const size_t at = ((size_t)b * cp->out_h + oy) * (size_t)n;
      conv_row(&c, cp, oy);
      tml_conv_s8(&c, mult, shift, in + (size_t)b * in_batch, filter, bias,
                  row);
      if (conv_slot == 0)
        tml_addsub_q(&a, row, x + at, out + at);
      else
        tml_addsub_q(&a, x + at, row, out + at);
    }
  }
}

void tml_conv_add_f32(const tml_conv_params *cp, const tml_binary_params *ap,
                      int32_t conv_slot, const float *in, const float *filter,
                      const float *bias, const float *x, float *out,
                      float *row) {
  const size_t in_batch = (size_t)cp->in_h * cp->in_w * cp->in_c;
  const int32_t n = cp->out_w * cp->out_c;
  tml_conv_params c = *cp;
  tml_binary_params a = *ap;
  int32_t b, oy;
  c.batches = 1;
  c.out_h = 1;
  row_shape(&a.shape, n);
  for (b = 0; b < cp->batches; b++) {
    for (oy = 0; oy < cp->out_h; oy++) {
      const size_t at = ((size_t)b * cp->out_h + oy) * (size_t)n;
      conv_row(&c, cp, oy);
      tml_conv_f32(&c, in + (size_t)b * in_batch, filter, bias, row);
      if (conv_slot == 0)
        tml_binary(&a, row, x + at, out + at);
      else
        tml_binary(&a, x + at, row, out + at);
    }
  }
}
