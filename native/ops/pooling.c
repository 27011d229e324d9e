/*
 * pooling.c - op adapters for AVERAGE_POOL_2D and MAX_POOL_2D (int8,
 * float32), NHWC.
 *
 * Op record: in = [input], out = [output], params = tml_pool_params words.
 * `check` proves that every window the kernel visits holds at least one
 * valid input tap (TFLM's AveragePool fails on an empty window) and that
 * no int32 coordinate arithmetic in the kernel can overflow.
 */
#include <string.h>

#include "backend.h"
#include "internal.h"

#define POOL_WORDS ((int32_t)(sizeof(tml_pool_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* One spatial axis: the last window starts inside the input, the padding
 * is smaller than the filter (so the first window reaches the input too),
 * and in + pad, (out - 1) * stride fit in int32. */
static int axis_ok(int32_t in, int32_t f, int32_t stride, int32_t pad,
                   int32_t out) {
  const int64_t last = (int64_t)(out - 1) * stride;
  if (pad < 0 || pad >= f) return 0;
  if (last > INT32_MAX || (int64_t)in + pad > INT32_MAX) return 0;
  return last - pad < in;
}

static tml_status check_pool(tml_ctx *ctx, const tml_op_view *op, int is_s8) {
  tml_pool_params p;
  const int32_t dt = is_s8 ? TML_INT8 : TML_FLOAT32;
  const int32_t elem = is_s8 ? 1 : 4;
  uint32_t in_bytes, out_bytes;
  int ok = 1;
  tml_status st;

  if (op->n_in != 1 || op->n_out != 1 || op->n_params != POOL_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.batches <= 0 || p.in_h <= 0 || p.in_w <= 0 || p.channels <= 0 ||
      p.f_h <= 0 || p.f_w <= 0 || p.stride_h <= 0 || p.stride_w <= 0 ||
      p.out_h <= 0 || p.out_w <= 0)
    return bad(ctx, 1);
  if (!axis_ok(p.in_h, p.f_h, p.stride_h, p.pad_h, p.out_h) ||
      !axis_ok(p.in_w, p.f_w, p.stride_w, p.pad_w, p.out_w))
    return bad(ctx, 2);
  if (is_s8) {
    if (p.act_min > p.act_max || p.act_min < -128 || p.act_max > 127)
      return bad(ctx, 3);
  } else if (!(tml_f32_from_bits(p.act_min) <= tml_f32_from_bits(p.act_max))) {
    return bad(ctx, 3);
  }
  in_bytes = tml_bytes4(p.batches, p.in_h, p.in_w, p.channels, elem, &ok);
  out_bytes = tml_bytes4(p.batches, p.out_h, p.out_w, p.channels, elem, &ok);
  if (!ok) return bad(ctx, 4);
  st = tml_check_input(ctx, op, 0, dt, in_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, dt, out_bytes);
  return st;
}

static tml_status check_pool_s8(tml_ctx *ctx, const tml_op_view *op) {
  return check_pool(ctx, op, 1);
}
static tml_status check_pool_f32(tml_ctx *ctx, const tml_op_view *op) {
  return check_pool(ctx, op, 0);
}

static void eval_avgpool_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_pool_params p;
  memcpy(&p, op->params, sizeof p);
  TML_KERNEL(avgpool_s8)(&p, (const int8_t *)tml_tensor_data(ctx, op->in[0]),
                 (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_avgpool_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_pool_params p;
  memcpy(&p, op->params, sizeof p);
  tml_avgpool_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
                  (float *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_maxpool_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_pool_params p;
  memcpy(&p, op->params, sizeof p);
  tml_maxpool_s8(&p, (const int8_t *)tml_tensor_data(ctx, op->in[0]),
                 (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_maxpool_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_pool_params p;
  memcpy(&p, op->params, sizeof p);
  tml_maxpool_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
                  (float *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_avgpool_s8 = {TML_K_AVGPOOL_S8, check_pool_s8,
                                        eval_avgpool_s8};
const tml_op_entry tml_op_avgpool_f32 = {TML_K_AVGPOOL_F32, check_pool_f32,
                                         eval_avgpool_f32};
const tml_op_entry tml_op_maxpool_s8 = {TML_K_MAXPOOL_S8, check_pool_s8,
                                        eval_maxpool_s8};
const tml_op_entry tml_op_maxpool_f32 = {TML_K_MAXPOOL_F32, check_pool_f32,
                                         eval_maxpool_f32};
