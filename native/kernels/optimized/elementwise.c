/*
 * elementwise.c - optimized int8 ADD / SUB without broadcasting (the
 * residual adds of ResNets, the ADD half of CONV_2D + ADD), byte-identical
 * with the reference: the same three requantizations per element, inline
 * (opt_requant) instead of through calls. Other shapes and int16 go to the
 * reference kernel.
 */
#include "tinyml.h"

#include "opt.h"

static int no_broadcast(const tml_bcast_shape *s) {
  int32_t d;
  for (d = 0; d < TML_BCAST_DIMS; d++)
    if (s->in1[d] != s->out[d] || s->in2[d] != s->out[d]) return 0;
  return 1;
}

void tml_opt_addsub_q(const tml_addsub_q_params *p, const void *in1,
                      const void *in2, void *out) {
  const int8_t *x1 = (const int8_t *)in1, *x2 = (const int8_t *)in2;
  int8_t *o = (int8_t *)out;
  size_t n = 1, i;
  int32_t d;
  /* Shifts are <= 0 (the adapter's rule), as opt_requant_r needs. */
  if (p->dtype != TML_INT8 || !no_broadcast(&p->shape)) {
    tml_addsub_q(p, in1, in2, out);
    return;
  }
  for (d = 0; d < TML_BCAST_DIMS; d++) n *= (size_t)p->shape.out[d];
  for (i = 0; i < n; i++) {
    /* Element i of both inputs is read before element i is written: out
     * may be either input, as with the reference. */
    const int32_t a = (int32_t)((uint32_t)(p->in1_offset + x1[i]) << p->left_shift);
    const int32_t b = (int32_t)((uint32_t)(p->in2_offset + x2[i]) << p->left_shift);
    const int32_t sa = opt_requant_r(a, p->in1_mult, p->in1_shift);
    const int32_t sb = opt_requant_r(b, p->in2_mult, p->in2_shift);
    const int32_t raw = (int32_t)(p->is_sub ? (uint32_t)sa - (uint32_t)sb
                                            : (uint32_t)sa + (uint32_t)sb);
    int32_t v = (int32_t)((uint32_t)opt_requant_r(raw, p->out_mult, p->out_shift) +
                          (uint32_t)p->out_offset);
    v = v < p->act_min ? p->act_min : v;
    o[i] = (int8_t)(v > p->act_max ? p->act_max : v);
  }
}
