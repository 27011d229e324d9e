/*
 * reduce.c - op adapters for MEAN / SUM (int8, int16, float32) and
 * ARG_MAX / ARG_MIN (int8, float32 in; int32 out).
 *
 * TML_K_REDUCE_Q / TML_K_REDUCE_F32: in = [input], out = [output],
 *   params = tml_reduce_q_params / tml_reduce_f32_params words.
 * TML_K_ARG_MINMAX: in = [input], out = [output (int32)],
 *   params = tml_arg_minmax_params words.
 */
#include <string.h>

#include "internal.h"

#define RQ_WORDS ((int32_t)(sizeof(tml_reduce_q_params) / sizeof(int32_t)))
#define RF_WORDS ((int32_t)(sizeof(tml_reduce_f32_params) / sizeof(int32_t)))
#define ARG_WORDS \
  ((int32_t)(sizeof(tml_arg_minmax_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* Checks the kept/reduced geometry: counts >= 1, strides >= 0, and the
 * largest input offset the kernel forms is below the input's element count
 * (tensor byte sizes are < 2^31, so the 64-bit sums cannot overflow once
 * each span is bounded). Both count products must fit int32 (the kernels
 * multiply them). Sets *n_out to the output element count. */
static tml_status check_geometry(tml_ctx *ctx, const tml_op_view *op,
                                 const int32_t *out_count,
                                 const int32_t *out_stride,
                                 const int32_t *red_count,
                                 const int32_t *red_stride, int32_t dtype,
                                 int32_t elem, uint32_t *n_out) {
  int64_t max_off = 0;
  uint32_t in_elems, out_elems = 1, red_elems = 1;
  int ok = 1;
  int32_t d;
  tml_status st = tml_check_input(ctx, op, 0, dtype, 0, 0);
  if (st != TML_OK) return st;
  in_elems = tml_tensor_bytes(ctx, op->in[0]) / (uint32_t)elem;
  for (d = 0; d < TML_REDUCE_RANK; d++) {
    int64_t span_o, span_r;
    if (out_count[d] <= 0 || red_count[d] <= 0 || out_stride[d] < 0 ||
        red_stride[d] < 0)
      return bad(ctx, 1 + d);
    span_o = (int64_t)(out_count[d] - 1) * out_stride[d];
    span_r = (int64_t)(red_count[d] - 1) * red_stride[d];
    if (span_o >= (int64_t)in_elems || span_r >= (int64_t)in_elems)
      return bad(ctx, 1 + d);
    max_off += span_o + span_r;
    out_elems = tml_mul_size((int32_t)out_elems, out_count[d], &ok);
    red_elems = tml_mul_size((int32_t)red_elems, red_count[d], &ok);
  }
  if (!ok || max_off >= (int64_t)in_elems) return bad(ctx, 1);
  /* Work bound: a real reduction reads each input element once. More means
   * a hostile program (stride 0, huge counts) that would never finish. */
  if ((uint64_t)out_elems * red_elems > (uint64_t)in_elems) return bad(ctx, 1);
  *n_out = out_elems;
  return TML_OK;
}

static tml_status check_reduce_q(tml_ctx *ctx, const tml_op_view *op) {
  tml_reduce_q_params p;
  uint32_t n_out, out_bytes;
  int32_t lo, hi, elem;
  int ok = 1;
  tml_status st;
  if (op->n_in != 1 || op->n_out != 1 || op->n_params != RQ_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.dtype != TML_INT8 && p.dtype != TML_INT16) return bad(ctx, 0);
  elem = p.dtype == TML_INT16 ? 2 : 1;
  lo = p.dtype == TML_INT16 ? -32768 : -128;
  hi = p.dtype == TML_INT16 ? 32767 : 127;
  if (p.in_zp < lo || p.in_zp > hi || p.out_zp < lo || p.out_zp > hi)
    return bad(ctx, 1);
  if (p.mult < 0 || p.shift < -31 || p.shift > 30) return bad(ctx, 3);
  st = check_geometry(ctx, op, p.out_count, p.out_stride, p.red_count,
                      p.red_stride, p.dtype, elem, &n_out);
  if (st != TML_OK) return st;
  out_bytes = tml_mul_size((int32_t)n_out, elem, &ok);
  if (!ok) return bad(ctx, 2);
  return tml_check_output(ctx, op, 0, p.dtype, out_bytes);
}

static tml_status check_reduce_f32(tml_ctx *ctx, const tml_op_view *op) {
  tml_reduce_f32_params p;
  uint32_t n_out, out_bytes;
  int ok = 1;
  tml_status st;
  if (op->n_in != 1 || op->n_out != 1 || op->n_params != RF_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.mean != 0 && p.mean != 1) return bad(ctx, 0);
  st = check_geometry(ctx, op, p.out_count, p.out_stride, p.red_count,
                      p.red_stride, TML_FLOAT32, 4, &n_out);
  if (st != TML_OK) return st;
  out_bytes = tml_mul_size((int32_t)n_out, 4, &ok);
  if (!ok) return bad(ctx, 2);
  return tml_check_output(ctx, op, 0, TML_FLOAT32, out_bytes);
}

static tml_status check_arg_minmax(tml_ctx *ctx, const tml_op_view *op) {
  tml_arg_minmax_params p;
  uint32_t in_bytes, out_bytes;
  int32_t elem;
  int ok = 1;
  tml_status st;
  if (op->n_in != 1 || op->n_out != 1 || op->n_params != ARG_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.dtype != TML_INT8 && p.dtype != TML_FLOAT32) return bad(ctx, 0);
  if (p.is_max != 0 && p.is_max != 1) return bad(ctx, 1);
  if (p.outer <= 0 || p.axis_size <= 0 || p.inner <= 0) return bad(ctx, 2);
  elem = p.dtype == TML_FLOAT32 ? 4 : 1;
  in_bytes = tml_mul_size(p.outer, p.axis_size, &ok);
  in_bytes = tml_mul_size((int32_t)in_bytes, p.inner, &ok);
  in_bytes = tml_mul_size((int32_t)in_bytes, elem, &ok);
  out_bytes = tml_mul_size(p.outer, p.inner, &ok);
  out_bytes = tml_mul_size((int32_t)out_bytes, 4, &ok);
  if (!ok) return bad(ctx, 3);
  st = tml_check_input(ctx, op, 0, p.dtype, in_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_INT32, out_bytes);
  return st;
}

static void eval_reduce_q(const tml_ctx *ctx, const tml_op_view *op) {
  tml_reduce_q_params p;
  memcpy(&p, op->params, sizeof p);
  tml_reduce_q(&p, tml_tensor_data(ctx, op->in[0]),
               tml_tensor_data(ctx, op->out[0]));
}

static void eval_reduce_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_reduce_f32_params p;
  memcpy(&p, op->params, sizeof p);
  tml_reduce_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
                 (float *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_arg_minmax(const tml_ctx *ctx, const tml_op_view *op) {
  tml_arg_minmax_params p;
  memcpy(&p, op->params, sizeof p);
  tml_arg_minmax(&p, tml_tensor_data(ctx, op->in[0]),
                 (int32_t *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_reduce_q = {TML_K_REDUCE_Q, check_reduce_q,
                                      eval_reduce_q};
const tml_op_entry tml_op_reduce_f32 = {TML_K_REDUCE_F32, check_reduce_f32,
                                        eval_reduce_f32};
const tml_op_entry tml_op_arg_minmax = {TML_K_ARG_MINMAX, check_arg_minmax,
                                        eval_arg_minmax};
