/*
 * movement.c - data-movement kernels: the generic strided move (one kernel
 * for concatenation, pack/unpack, split, slice, strided slice, transpose,
 * pad and shape), GATHER and RESIZE_NEAREST_NEIGHBOR.
 *
 * These ops only move elements, so one byte-level kernel serves every
 * dtype; what differs between the ops (index arithmetic, masks, clamping)
 * is worked out once by TypeScript and reaches here as counts and strides.
 * The adapters in native/ops/movement.c prove at load that every index
 * these kernels form lies inside its tensor.
 */
#include <stddef.h>
#include <string.h>

#include "tinyml_kernels.h"

/* Copies n elements of `size` bytes, with element strides ss (source) and
 * ds (destination). Fixed-size memmove calls compile to single moves and
 * need no alignment. */
static void copy_run(uint8_t *d, const uint8_t *s, int32_t n, int32_t size,
                     int32_t ds, int32_t ss) {
  const ptrdiff_t db = (ptrdiff_t)ds * size, sb = (ptrdiff_t)ss * size;
  int32_t k;
  /* memmove: a program naming one tensor as both source and destination
   * must not reach undefined behaviour. */
  if (ds == 1 && ss == 1) {
    memmove(d, s, (size_t)n * (size_t)size);
    return;
  }
  switch (size) {
    case 1:
      for (k = 0; k < n; k++, d += db, s += sb) *d = *s;
      break;
    case 2:
      for (k = 0; k < n; k++, d += db, s += sb) memmove(d, s, 2);
      break;
    case 4:
      for (k = 0; k < n; k++, d += db, s += sb) memmove(d, s, 4);
      break;
    default:
      for (k = 0; k < n; k++, d += db, s += sb) memmove(d, s, 8);
      break;
  }
}

/* Writes the element at v (size bytes) n times with element stride ds. */
static void fill_run(uint8_t *d, const uint8_t *v, int32_t n, int32_t size,
                     int32_t ds) {
  const ptrdiff_t db = (ptrdiff_t)ds * size;
  int32_t k;
  if (size == 1 && ds == 1) {
    memset(d, *v, (size_t)n);
    return;
  }
  for (k = 0; k < n; k++, d += db) memcpy(d, v, (size_t)size);
}

/* The FILL value as `size` bytes in host order. */
static void fill_value(const tml_move_step *s, int32_t size, uint8_t *v) {
  const int8_t v8 = (int8_t)s->value_lo;
  const int16_t v16 = (int16_t)s->value_lo;
  const int32_t v32 = s->value_lo;
  const uint64_t v64 = (uint64_t)(uint32_t)s->value_lo |
                       ((uint64_t)(uint32_t)s->value_hi << 32);
  switch (size) {
    case 1: memcpy(v, &v8, 1); break;
    case 2: memcpy(v, &v16, 2); break;
    case 4: memcpy(v, &v32, 4); break;
    default: memcpy(v, &v64, 8); break;
  }
}

void tml_move(const tml_move_step *s, int32_t elem_size, const void *src,
              void *dst) {
  const int32_t last = TML_MOVE_RANK - 1;
  int32_t idx[TML_MOVE_RANK];
  uint8_t value[8];
  int32_t d;
  for (d = 0; d < TML_MOVE_RANK; d++) {
    if (s->count[d] <= 0) return;
    idx[d] = 0;
  }
  if (s->type == TML_MOVE_FILL) {
    fill_value(s, elem_size, value);
  } else if (s->type == TML_MOVE_FILL_FROM) {
    memcpy(value, (const uint8_t *)src + (ptrdiff_t)s->src_off * elem_size,
           (size_t)elem_size);
  }
  /* Odometer over the outer dims; the last dim is one run. Partial offsets
   * stay between the step's proven minimum and maximum. */
  for (;;) {
    ptrdiff_t so = s->src_off, dof = s->dst_off;
    uint8_t *dp;
    for (d = 0; d < last; d++) {
      so += (ptrdiff_t)idx[d] * s->src_stride[d];
      dof += (ptrdiff_t)idx[d] * s->dst_stride[d];
    }
    dp = (uint8_t *)dst + dof * elem_size;
    if (s->type == TML_MOVE_COPY) {
      copy_run(dp, (const uint8_t *)src + so * elem_size, s->count[last],
               elem_size, s->dst_stride[last], s->src_stride[last]);
    } else {
      fill_run(dp, value, s->count[last], elem_size, s->dst_stride[last]);
    }
    for (d = last - 1; d >= 0; d--) {
      if (++idx[d] < s->count[d]) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

int32_t tml_gather(const tml_gather_params *p, const uint8_t *in,
                   const int32_t *idx, uint8_t *out) {
  const size_t slice = (size_t)p->inner_bytes;
  int32_t b, o, c, bad = 0;
  for (b = 0; b < p->batches; b++) {
    const int32_t *bidx = idx + (size_t)b * (size_t)p->coords;
    for (o = 0; o < p->outer; o++) {
      const size_t row = (size_t)b * (size_t)p->outer + (size_t)o;
      const uint8_t *src = in + row * (size_t)p->axis_size * slice;
      uint8_t *dst = out + row * (size_t)p->coords * slice;
      for (c = 0; c < p->coords; c++, dst += slice) {
        const int32_t k = bidx[c];
        if (k < 0 || k >= p->axis_size) {
          memset(dst, 0, slice);
          bad++;
        } else {
          memmove(dst, src + (size_t)k * slice, slice);
        }
      }
    }
  }
  return bad;
}

void tml_resize_nn(const tml_resize_nn_params *p, const int32_t *rows,
                   const int32_t *cols, const uint8_t *in, uint8_t *out) {
  const size_t px = (size_t)p->pixel_bytes;
  const size_t in_row = (size_t)p->in_w * px;
  int32_t b, y, x;
  for (b = 0; b < p->batches; b++) {
    const uint8_t *img = in + (size_t)b * (size_t)p->in_h * in_row;
    for (y = 0; y < p->out_h; y++) {
      const uint8_t *src_row = img + (size_t)rows[y] * in_row;
      for (x = 0; x < p->out_w; x++, out += px) {
        memmove(out, src_row + (size_t)cols[x] * px, px);
      }
    }
  }
}
