/*
 * movement.c - op adapters for the data-movement kernels.
 *
 * TML_K_MOVE    in = [tensors the steps read], out = [tensors they write],
 *               params = tml_move_params, then n_steps tml_move_step.
 * TML_K_GATHER  in = [params, indices (int32)], out = [output],
 *               params = tml_gather_params.
 * TML_K_RESIZE_NN in = [input], out = [output], params =
 *               tml_resize_nn_params, out_h source rows, out_w source cols.
 *
 * Every index a kernel can form is proven to lie inside its tensor here,
 * once, at load.
 */
#include <string.h>

#include "internal.h"

#define MOVE_WORDS ((int32_t)(sizeof(tml_move_params) / sizeof(int32_t)))
#define STEP_WORDS ((int32_t)(sizeof(tml_move_step) / sizeof(int32_t)))
#define GATHER_WORDS ((int32_t)(sizeof(tml_gather_params) / sizeof(int32_t)))
#define RESIZE_WORDS \
  ((int32_t)(sizeof(tml_resize_nn_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* Elements of a checked tensor whose dtype has elem_size bytes; -1 if the
 * dtype's element size differs. */
static int64_t tensor_elems(const tml_ctx *ctx, int32_t index,
                            int32_t elem_size) {
  const int32_t dtype = TML_TENSORS(ctx)[(uint32_t)index * TML_TENSOR_WORDS];
  if ((int32_t)tml_dtype_size(dtype) != elem_size) return -1;
  return (int64_t)(tml_tensor_bytes(ctx, index) / (uint32_t)elem_size);
}

/* True if every offset off + sum(i[d] * stride[d]), 0 <= i[d] < count[d],
 * lies in [0, n). Counts are >= 1. Each span is bounded by n before it is
 * added, so the 64-bit sums cannot overflow. */
static int offsets_inside(int32_t off, const int32_t *count,
                          const int32_t *stride, int64_t n) {
  int64_t lo = off, hi = off;
  int32_t d;
  for (d = 0; d < TML_MOVE_RANK; d++) {
    const int64_t span = (int64_t)(count[d] - 1) * stride[d];
    if (span > n || span < -n) return 0;
    if (span > 0) hi += span; else lo += span;
  }
  return lo >= 0 && hi < n;
}

static tml_status check_step(tml_ctx *ctx, const tml_op_view *op,
                             const tml_move_step *s, int32_t elem,
                             int32_t detail) {
  int64_t n;
  int32_t d;
  if (s->type != TML_MOVE_COPY && s->type != TML_MOVE_FILL &&
      s->type != TML_MOVE_FILL_FROM)
    return bad(ctx, detail);
  if (s->dst < 0 || s->dst >= op->n_out) return bad(ctx, detail + 2);
  if (s->type != TML_MOVE_FILL && (s->src < 0 || s->src >= op->n_in))
    return bad(ctx, detail + 1);
  for (d = 0; d < TML_MOVE_RANK; d++) {
    if (s->count[d] < 0) return bad(ctx, detail + 5 + d);
  }
  for (d = 0; d < TML_MOVE_RANK; d++) {
    if (s->count[d] == 0) return TML_OK; /* touches nothing */
  }
  n = tensor_elems(ctx, op->out[s->dst], elem);
  if (!offsets_inside(s->dst_off, s->count, s->dst_stride, n))
    return bad(ctx, detail + 4);
  if (s->type == TML_MOVE_FILL) return TML_OK;
  n = tensor_elems(ctx, op->in[s->src], elem);
  if (s->type == TML_MOVE_FILL_FROM) {
    if (s->src_off < 0 || s->src_off >= n) return bad(ctx, detail + 3);
  } else if (!offsets_inside(s->src_off, s->count, s->src_stride, n)) {
    return bad(ctx, detail + 3);
  }
  return TML_OK;
}

static tml_status check_move(tml_ctx *ctx, const tml_op_view *op) {
  tml_move_params p;
  tml_status st;
  int32_t i;
  if (op->n_params < MOVE_WORDS) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.elem_size != 1 && p.elem_size != 2 && p.elem_size != 4 &&
      p.elem_size != 8)
    return bad(ctx, 0);
  if (p.n_steps < 0 || p.n_steps > (op->n_params - MOVE_WORDS) / STEP_WORDS ||
      op->n_params != MOVE_WORDS + p.n_steps * STEP_WORDS)
    return bad(ctx, 1);
  for (i = 0; i < op->n_in; i++) {
    st = tml_check_input(ctx, op, i, -1, 0, 0);
    if (st != TML_OK) return st;
    if (tensor_elems(ctx, op->in[i], p.elem_size) < 0) {
      ctx->err_detail = op->in[i];
      return TML_E_BAD_DTYPE;
    }
  }
  for (i = 0; i < op->n_out; i++) {
    st = tml_check_output(ctx, op, i, -1, 0);
    if (st != TML_OK) return st;
    if (tensor_elems(ctx, op->out[i], p.elem_size) < 0) {
      ctx->err_detail = op->out[i];
      return TML_E_BAD_DTYPE;
    }
  }
  /* Work bound: a real program moves each element of its tensors about once
   * (PAD: fill the output, then copy the input). More than every element of
   * every tensor means a hostile program (e.g. stride 0, huge counts) that
   * stays in bounds but would never finish. */
  {
    int64_t budget = 0, work = 0;
    for (i = 0; i < op->n_in; i++) budget += tensor_elems(ctx, op->in[i], p.elem_size);
    for (i = 0; i < op->n_out; i++) budget += tensor_elems(ctx, op->out[i], p.elem_size);
    for (i = 0; i < p.n_steps; i++) {
      tml_move_step s;
      int64_t n = 1;
      int32_t d;
      memcpy(&s, op->params + MOVE_WORDS + i * STEP_WORDS, sizeof s);
      st = check_step(ctx, op, &s, p.elem_size, MOVE_WORDS + i * STEP_WORDS);
      if (st != TML_OK) return st;
      for (d = 0; d < TML_MOVE_RANK; d++) {
        if (s.count[d] != 0 && n > budget / s.count[d]) { n = budget + 1; break; }
        n *= s.count[d];
      }
      work += n;
      if (work > budget) return bad(ctx, MOVE_WORDS + i * STEP_WORDS + 5);
    }
  }
  return TML_OK;
}

static void eval_move(const tml_ctx *ctx, const tml_op_view *op) {
  tml_move_params p;
  int32_t i;
  memcpy(&p, op->params, sizeof p);
  for (i = 0; i < p.n_steps; i++) {
    tml_move_step s;
    memcpy(&s, op->params + MOVE_WORDS + i * STEP_WORDS, sizeof s);
    tml_move(&s, p.elem_size,
             s.type == TML_MOVE_FILL ? NULL : tml_tensor_data(ctx, op->in[s.src]),
             tml_tensor_data(ctx, op->out[s.dst]));
  }
}

static tml_status check_gather(tml_ctx *ctx, const tml_op_view *op) {
  tml_gather_params p;
  int ok = 1;
  uint32_t rows, in_bytes, idx_bytes, out_bytes;
  tml_status st;
  if (op->n_in != 2 || op->n_out != 1 || op->n_params != GATHER_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.batches <= 0 || p.outer <= 0 || p.axis_size <= 0 || p.coords <= 0 ||
      p.inner_bytes <= 0)
    return bad(ctx, 1);
  rows = tml_mul_size(p.batches, p.outer, &ok);
  in_bytes = tml_mul_size((int32_t)rows, p.axis_size, &ok);
  in_bytes = tml_mul_size((int32_t)in_bytes, p.inner_bytes, &ok);
  out_bytes = tml_mul_size((int32_t)rows, p.coords, &ok);
  out_bytes = tml_mul_size((int32_t)out_bytes, p.inner_bytes, &ok);
  idx_bytes = tml_mul_size(p.batches, p.coords, &ok);
  idx_bytes = tml_mul_size((int32_t)idx_bytes, 4, &ok);
  if (!ok) return bad(ctx, 2);
  st = tml_check_input(ctx, op, 0, -1, in_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, TML_INT32, idx_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, -1, out_bytes);
  return st;
}

static void eval_gather(const tml_ctx *ctx, const tml_op_view *op) {
  tml_gather_params p;
  int32_t bad;
  memcpy(&p, op->params, sizeof p);
  /* Out-of-range indices read nothing and give zeros, and invoke fails
   * (TFLM only debug-checks them; constant ones fail at prepare). */
  bad = tml_gather(&p, (const uint8_t *)tml_tensor_data(ctx, op->in[0]),
                   (const int32_t *)tml_tensor_data(ctx, op->in[1]),
                   (uint8_t *)tml_tensor_data(ctx, op->out[0]));
  if (bad != 0) tml_eval_fail(ctx, TML_E_BAD_DATA, bad);
}

static tml_status check_resize_nn(tml_ctx *ctx, const tml_op_view *op) {
  tml_resize_nn_params p;
  int ok = 1;
  uint32_t in_bytes, out_bytes;
  const int32_t *rows, *cols;
  int32_t i;
  tml_status st;
  if (op->n_in != 1 || op->n_out != 1 || op->n_params < RESIZE_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.batches <= 0 || p.in_h <= 0 || p.in_w <= 0 || p.out_h <= 0 ||
      p.out_w <= 0 || p.pixel_bytes <= 0)
    return bad(ctx, 1);
  if (p.out_h > op->n_params - RESIZE_WORDS ||
      p.out_w != op->n_params - RESIZE_WORDS - p.out_h)
    return bad(ctx, 2);
  rows = op->params + RESIZE_WORDS;
  cols = rows + p.out_h;
  for (i = 0; i < p.out_h; i++) {
    if (rows[i] < 0 || rows[i] >= p.in_h) return bad(ctx, RESIZE_WORDS + i);
  }
  for (i = 0; i < p.out_w; i++) {
    if (cols[i] < 0 || cols[i] >= p.in_w)
      return bad(ctx, RESIZE_WORDS + p.out_h + i);
  }
  in_bytes = tml_mul_size(p.batches, p.in_h, &ok);
  in_bytes = tml_mul_size((int32_t)in_bytes, p.in_w, &ok);
  in_bytes = tml_mul_size((int32_t)in_bytes, p.pixel_bytes, &ok);
  out_bytes = tml_mul_size(p.batches, p.out_h, &ok);
  out_bytes = tml_mul_size((int32_t)out_bytes, p.out_w, &ok);
  out_bytes = tml_mul_size((int32_t)out_bytes, p.pixel_bytes, &ok);
  if (!ok) return bad(ctx, 3);
  st = tml_check_input(ctx, op, 0, -1, in_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, -1, out_bytes);
  return st;
}

static void eval_resize_nn(const tml_ctx *ctx, const tml_op_view *op) {
  tml_resize_nn_params p;
  memcpy(&p, op->params, sizeof p);
  tml_resize_nn(&p, op->params + RESIZE_WORDS,
                op->params + RESIZE_WORDS + p.out_h,
                (const uint8_t *)tml_tensor_data(ctx, op->in[0]),
                (uint8_t *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_move = {TML_K_MOVE, check_move, eval_move};
const tml_op_entry tml_op_gather = {TML_K_GATHER, check_gather, eval_gather};
const tml_op_entry tml_op_resize_nn = {TML_K_RESIZE_NN, check_resize_nn,
                                       eval_resize_nn};
