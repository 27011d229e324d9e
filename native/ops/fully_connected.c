/*
 * fully_connected.c - op adapters for FULLY_CONNECTED (int8, float32).
 *
 * Op record: in = [input, weights, bias (-1 = none)], out = [output].
 * params = tml_fc_s8_params words (int8; optionally followed by out_depth
 * multipliers then out_depth shifts for per-channel weights) or
 * tml_fc_f32_params words (float32).
 */
#include <string.h>

#include "backend.h"
#include "internal.h"

#define FC_S8_WORDS ((int32_t)(sizeof(tml_fc_s8_params) / sizeof(int32_t)))
#define FC_F32_WORDS ((int32_t)(sizeof(tml_fc_f32_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* Tensor checks shared by both kinds: elem is the data element size. */
static tml_status check_tensors(tml_ctx *ctx, const tml_op_view *op,
                                int32_t dt, int32_t bias_dt, int32_t elem,
                                int32_t batches, int32_t accum_depth,
                                int32_t out_depth) {
  int ok = 1;
  uint32_t in_bytes, w_bytes, out_bytes, bias_bytes;
  tml_status st;
  if (batches <= 0 || accum_depth <= 0 || out_depth <= 0) return bad(ctx, 1);
  in_bytes = tml_mul_size(batches, accum_depth, &ok);
  in_bytes = tml_mul_size((int32_t)in_bytes, elem, &ok);
  w_bytes = tml_mul_size(out_depth, accum_depth, &ok);
  w_bytes = tml_mul_size((int32_t)w_bytes, elem, &ok);
  out_bytes = tml_mul_size(batches, out_depth, &ok);
  out_bytes = tml_mul_size((int32_t)out_bytes, elem, &ok);
  bias_bytes = tml_mul_size(out_depth, 4, &ok);
  if (!ok) return bad(ctx, 2);
  st = tml_check_input(ctx, op, 0, dt, in_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, dt, w_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 2, bias_dt, bias_bytes, 1);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, dt, out_bytes);
  return st;
}

static tml_status check_fc_s8(tml_ctx *ctx, const tml_op_view *op) {
  tml_fc_s8_params p;
  if (op->n_in != 3 || op->n_out != 1 || op->n_params < FC_S8_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.out_depth <= 0) return bad(ctx, 1);
  if (op->n_params != FC_S8_WORDS) {
    const int32_t *mult = op->params + FC_S8_WORDS;
    const int8_t *shift;
    int32_t c;
    if (p.out_depth > (INT32_MAX - FC_S8_WORDS) / 2 ||
        op->n_params != FC_S8_WORDS + p.out_depth + TML_SHIFT_WORDS(p.out_depth))
      return bad(ctx, 3);
    shift = tml_packed_i8(mult + p.out_depth);
    for (c = 0; c < p.out_depth; c++) {
      if (!tml_quant_ok(mult[c], shift[c])) return bad(ctx, FC_S8_WORDS + c);
    }
  } else if (!tml_quant_ok(p.out_mult, p.out_shift)) {
    return bad(ctx, 4);
  }
  /* Zero points of int8 tensors: keeps (w + w_off) * (x + in_off) and
   * the output offset far from int32 overflow. */
  if (p.in_offset < -127 || p.in_offset > 128 || p.w_offset < -127 ||
      p.w_offset > 128 || p.out_offset < -128 || p.out_offset > 127)
    return bad(ctx, 5);
  if (p.act_min > p.act_max || p.act_min < -128 || p.act_max > 127)
    return bad(ctx, 6);
  return check_tensors(ctx, op, TML_INT8, TML_INT32, 1, p.batches,
                       p.accum_depth, p.out_depth);
}

static tml_status check_fc_f32(tml_ctx *ctx, const tml_op_view *op) {
  tml_fc_f32_params p;
  if (op->n_in != 3 || op->n_out != 1 || op->n_params != FC_F32_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (!(tml_f32_from_bits(p.act_min) <= tml_f32_from_bits(p.act_max)))
    return bad(ctx, 6);
  return check_tensors(ctx, op, TML_FLOAT32, TML_FLOAT32, 4, p.batches,
                       p.accum_depth, p.out_depth);
}

static void eval_fc_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_fc_s8_params p;
  const int8_t *in = (const int8_t *)tml_tensor_data(ctx, op->in[0]);
  const int8_t *w = (const int8_t *)tml_tensor_data(ctx, op->in[1]);
  const int32_t *bias = (const int32_t *)tml_tensor_data(ctx, op->in[2]);
  int8_t *out = (int8_t *)tml_tensor_data(ctx, op->out[0]);
  memcpy(&p, op->params, sizeof p);
  if (op->n_params == FC_S8_WORDS) {
    TML_KERNEL(fc_s8)(&p, in, w, bias, out);
  } else {
    TML_KERNEL(fc_s8_per_channel)(&p, op->params + FC_S8_WORDS,
                          tml_packed_i8(op->params + FC_S8_WORDS + p.out_depth),
                          in, w, bias,
                          out);
  }
}

static void eval_fc_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_fc_f32_params p;
  memcpy(&p, op->params, sizeof p);
  tml_fc_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
             (const float *)tml_tensor_data(ctx, op->in[1]),
             (const float *)tml_tensor_data(ctx, op->in[2]),
             (float *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_fc_s8 = {TML_K_FC_S8, check_fc_s8, eval_fc_s8};
const tml_op_entry tml_op_fc_f32 = {TML_K_FC_F32, check_fc_f32, eval_fc_f32};
