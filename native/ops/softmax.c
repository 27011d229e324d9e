/*
 * softmax.c - op adapters for SOFTMAX over the last dimension: int8 input
 * with int8 or int16 output, and float32.
 *
 * Op record: in = [input], out = [output], params = tml_softmax_s8_params
 * or tml_softmax_f32_params words.
 */
#include <string.h>

#include "internal.h"

#define SM_S8_WORDS ((int32_t)(sizeof(tml_softmax_s8_params) / sizeof(int32_t)))
#define SM_F32_WORDS \
  ((int32_t)(sizeof(tml_softmax_f32_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* outer * depth elements in, outer * depth * out_elem bytes out. */
static tml_status check_io(tml_ctx *ctx, const tml_op_view *op, int32_t outer,
                           int32_t depth, int32_t in_dt, int32_t in_elem,
                           int32_t out_dt, int32_t out_elem) {
  int ok = 1;
  uint32_t n, in_bytes, out_bytes;
  tml_status st;
  if (outer <= 0 || depth <= 0) return bad(ctx, 1);
  n = tml_mul_size(outer, depth, &ok);
  in_bytes = tml_mul_size((int32_t)n, in_elem, &ok);
  out_bytes = tml_mul_size((int32_t)n, out_elem, &ok);
  if (!ok) return bad(ctx, 2);
  st = tml_check_input(ctx, op, 0, in_dt, in_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, out_dt, out_bytes);
  return st;
}

static tml_status check_softmax_s8(tml_ctx *ctx, const tml_op_view *op) {
  tml_softmax_s8_params p;
  if (op->n_in != 1 || op->n_out != 1 || op->n_params != SM_S8_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  /* The input multiplier is "greater than one": a left shift in [0, 31]
   * (31 when beta * scale saturates the multiplier). */
  if (p.in_mult < 0 || p.in_left_shift < 0 || p.in_left_shift > 31)
    return bad(ctx, 3);
  if (p.diff_min > 0) return bad(ctx, 4);
  if (p.out_dtype != TML_INT8 && p.out_dtype != TML_INT16) return bad(ctx, 5);
  return check_io(ctx, op, p.outer, p.depth, TML_INT8, 1, p.out_dtype,
                  p.out_dtype == TML_INT16 ? 2 : 1);
}

static tml_status check_softmax_f32(tml_ctx *ctx, const tml_op_view *op) {
  tml_softmax_f32_params p;
  if (op->n_in != 1 || op->n_out != 1 || op->n_params != SM_F32_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  return check_io(ctx, op, p.outer, p.depth, TML_FLOAT32, 4, TML_FLOAT32, 4);
}

static void eval_softmax_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_softmax_s8_params p;
  memcpy(&p, op->params, sizeof p);
  tml_softmax_s8(&p, (const int8_t *)tml_tensor_data(ctx, op->in[0]),
                 tml_tensor_data(ctx, op->out[0]));
}

static void eval_softmax_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_softmax_f32_params p;
  memcpy(&p, op->params, sizeof p);
  tml_softmax_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
                  (float *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_softmax_s8 = {TML_K_SOFTMAX_S8, check_softmax_s8,
                                        eval_softmax_s8};
const tml_op_entry tml_op_softmax_f32 = {TML_K_SOFTMAX_F32, check_softmax_f32,
                                         eval_softmax_f32};
