/*
 * broadcast.c - the one N-d broadcast walker every binary kernel uses.
 *
 * Each output element depends only on its two input elements, so any walk
 * order gives TFLM's results; this one visits the output in memory order.
 * Dims of size 1 are dropped and neighbouring dims that broadcast the same
 * way are merged, so equal shapes become a single run of all elements and
 * per-channel broadcasts become runs of one channel vector.
 */
#include "tinyml_kernels.h"

void tml_bcast_run(const tml_bcast_shape *s, const void *in1, int32_t elem1,
                   const void *in2, int32_t elem2, void *out, int32_t elem_out,
                   tml_bcast_row_fn row, const void *params) {
  int32_t n[TML_BCAST_DIMS], st1[TML_BCAST_DIMS], st2[TML_BCAST_DIMS];
  int32_t idx[TML_BCAST_DIMS];
  int32_t acc1 = 1, acc2 = 1;
  int32_t nd = 0, d, k;
  int32_t off1 = 0, off2 = 0, rows = 1, r;
  const unsigned char *a = (const unsigned char *)in1;
  const unsigned char *b = (const unsigned char *)in2;
  unsigned char *o = (unsigned char *)out;

  /* Innermost dim first. Strides are in elements; 0 marks a broadcast. */
  for (d = TML_BCAST_DIMS - 1; d >= 0; d--) {
    const int32_t od = s->out[d];
    int32_t s1, s2;
    if (od == 1) continue; /* then both inputs are 1 there too */
    s1 = s->in1[d] == 1 ? 0 : acc1;
    s2 = s->in2[d] == 1 ? 0 : acc2;
    /* Mergeable with the dim inside it when each input is broadcast in both
     * or in neither (then the strides are contiguous by construction). */
    if (nd > 0 && (st1[nd - 1] == 0) == (s1 == 0) &&
        (st2[nd - 1] == 0) == (s2 == 0)) {
      n[nd - 1] *= od;
    } else {
      n[nd] = od;
      st1[nd] = s1;
      st2[nd] = s2;
      nd++;
    }
    acc1 *= s->in1[d];
    acc2 *= s->in2[d];
  }
  if (nd == 0) { /* every tensor holds one element */
    row(params, a, 0, b, 0, o, 1);
    return;
  }
  for (k = 1; k < nd; k++) {
    idx[k] = 0;
    rows *= n[k];
  }
  for (r = 0; r < rows; r++) {
    row(params, a + (size_t)off1 * (size_t)elem1, st1[0],
        b + (size_t)off2 * (size_t)elem2, st2[0], o, n[0]);
    o += (size_t)n[0] * (size_t)elem_out;
    /* Odometer over the outer dims. */
    for (k = 1; k < nd; k++) {
      off1 += st1[k];
      off2 += st2[k];
      if (++idx[k] < n[k]) break;
      off1 -= st1[k] * n[k];
      off2 -= st2[k] * n[k];
      idx[k] = 0;
    }
  }
}
