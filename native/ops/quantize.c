/*
 * quantize.c - op adapters for QUANTIZE (integer requantize, float32 to
 * int8/int16), DEQUANTIZE and CAST.
 *
 * Op record: in = [input], out = [output], params = the kind's struct words.
 */
#include <string.h>

#include "internal.h"

#define WORDS(t) ((int32_t)(sizeof(t) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* Element size of the dtypes these kernels handle (0 otherwise). */
static int32_t elem_size(int32_t dt) {
  switch (dt) {
    case TML_INT8: case TML_UINT8: case TML_BOOL: return 1;
    case TML_INT16: return 2;
    case TML_INT32: case TML_FLOAT32: case TML_UINT32: return 4;
    default: return 0;
  }
}

static tml_status check_io(tml_ctx *ctx, const tml_op_view *op, int32_t size,
                           int32_t in_dt, int32_t out_dt) {
  int ok = 1;
  uint32_t in_bytes, out_bytes;
  tml_status st;
  if (op->n_in != 1 || op->n_out != 1) return bad(ctx, 0);
  if (size <= 0) return bad(ctx, 1);
  in_bytes = tml_mul_size(size, elem_size(in_dt), &ok);
  out_bytes = tml_mul_size(size, elem_size(out_dt), &ok);
  if (!ok || in_bytes == 0 || out_bytes == 0) return bad(ctx, 1);
  st = tml_check_input(ctx, op, 0, in_dt, in_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, out_dt, out_bytes);
  return st;
}

static int is_int(int32_t dt) {
  return dt == TML_INT8 || dt == TML_UINT8 || dt == TML_INT16 ||
         dt == TML_INT32;
}

static tml_status check_requantize(tml_ctx *ctx, const tml_op_view *op) {
  tml_requantize_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (!is_int(p.in_dtype) || !is_int(p.out_dtype)) return bad(ctx, 2);
  if (p.mult < 0 || p.shift < -31 || p.shift > 30) return bad(ctx, 3);
  return check_io(ctx, op, p.size, p.in_dtype, p.out_dtype);
}

static tml_status check_quantize_f32(tml_ctx *ctx, const tml_op_view *op) {
  tml_quantize_f32_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.out_dtype != TML_INT8 && p.out_dtype != TML_INT16) return bad(ctx, 2);
  if (!(tml_f32_from_bits(p.scale) > 0.0f)) return bad(ctx, 3);
  if (p.zp < -32768 || p.zp > 32767) return bad(ctx, 3);
  return check_io(ctx, op, p.size, TML_FLOAT32, p.out_dtype);
}

static tml_status check_dequantize(tml_ctx *ctx, const tml_op_view *op) {
  tml_dequantize_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.in_dtype != TML_INT8 && p.in_dtype != TML_INT16 &&
      p.in_dtype != TML_UINT8)
    return bad(ctx, 2);
  if (p.zp < -32768 || p.zp > 65535) return bad(ctx, 3);
  return check_io(ctx, op, p.size, p.in_dtype, TML_FLOAT32);
}

static tml_status check_cast(tml_ctx *ctx, const tml_op_view *op) {
  tml_cast_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.in_dtype == TML_UINT8 || elem_size(p.in_dtype) == 0) return bad(ctx, 2);
  if (p.out_dtype == TML_UINT8 || p.out_dtype == TML_BOOL ||
      elem_size(p.out_dtype) == 0)
    return bad(ctx, 2);
  return check_io(ctx, op, p.size, p.in_dtype, p.out_dtype);
}

static void eval_requantize(const tml_ctx *ctx, const tml_op_view *op) {
  tml_requantize_params p;
  memcpy(&p, op->params, sizeof p);
  tml_requantize(&p, tml_tensor_data(ctx, op->in[0]),
                 tml_tensor_data(ctx, op->out[0]));
}

static void eval_quantize_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_quantize_f32_params p;
  memcpy(&p, op->params, sizeof p);
  tml_quantize_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
                   tml_tensor_data(ctx, op->out[0]));
}

static void eval_dequantize(const tml_ctx *ctx, const tml_op_view *op) {
  tml_dequantize_params p;
  memcpy(&p, op->params, sizeof p);
  tml_dequantize(&p, tml_tensor_data(ctx, op->in[0]),
                 (float *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_cast(const tml_ctx *ctx, const tml_op_view *op) {
  tml_cast_params p;
  memcpy(&p, op->params, sizeof p);
  tml_cast(&p, tml_tensor_data(ctx, op->in[0]),
           tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_requantize = {TML_K_REQUANTIZE, check_requantize,
                                        eval_requantize};
const tml_op_entry tml_op_quantize_f32 = {TML_K_QUANTIZE_F32,
                                          check_quantize_f32,
                                          eval_quantize_f32};
const tml_op_entry tml_op_dequantize = {TML_K_DEQUANTIZE, check_dequantize,
                                        eval_dequantize};
const tml_op_entry tml_op_cast = {TML_K_CAST, check_cast, eval_cast};
