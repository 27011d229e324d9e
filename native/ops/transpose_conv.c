/*
 * transpose_conv.c - op adapters for TRANSPOSE_CONV (int8 per-channel and
 * float32).
 *
 * Op record: in = [input, filter, bias (-1 = none)], out = [output] plus,
 * for int8, the int32 accumulator scratch. params = tml_tconv_params words;
 * for int8 followed by out_c multipliers and TML_SHIFT_WORDS(out_c) packed
 * shifts. `check` proves at load that every coordinate the kernel forms fits
 * int32 and every index stays inside its tensor.
 */
#include <string.h>

#include "internal.h"

#define TCONV_WORDS ((int32_t)(sizeof(tml_tconv_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* in_index * stride - pad + filter_index stays within int32 (pad >= 0). */
static int coords_fit(int32_t in, int32_t stride, int32_t filter) {
  return (int64_t)(in - 1) * stride + (filter - 1) <= INT32_MAX;
}

static tml_status check_tconv(tml_ctx *ctx, const tml_op_view *op, int is_s8) {
  tml_tconv_params p;
  const int32_t dt = is_s8 ? TML_INT8 : TML_FLOAT32;
  const int32_t elem = is_s8 ? 1 : 4;
  uint32_t in_bytes, f_bytes, out_bytes, bias_bytes, acc_bytes;
  int ok = 1;
  tml_status st;

  if (op->n_in != 3 || op->n_out != (is_s8 ? 2 : 1) ||
      op->n_params < TCONV_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.batches <= 0 || p.in_h <= 0 || p.in_w <= 0 || p.in_c <= 0 ||
      p.f_h <= 0 || p.f_w <= 0 || p.out_h <= 0 || p.out_w <= 0 || p.out_c <= 0)
    return bad(ctx, 1);
  if (p.stride_w <= 0 || p.stride_h <= 0 || p.pad_w < 0 || p.pad_h < 0)
    return bad(ctx, 2);
  if (!coords_fit(p.in_h, p.stride_h, p.f_h) ||
      !coords_fit(p.in_w, p.stride_w, p.f_w))
    return bad(ctx, 3);

  if (is_s8) {
    const int32_t *mult;
    const int8_t *shift;
    int32_t c;
    if (p.out_c > (INT32_MAX - TCONV_WORDS) / 2 ||
        op->n_params != TCONV_WORDS + p.out_c + TML_SHIFT_WORDS(p.out_c))
      return bad(ctx, 4);
    mult = op->params + TCONV_WORDS;
    shift = tml_packed_i8(mult + p.out_c);
    for (c = 0; c < p.out_c; c++) {
      if (!tml_quant_ok(mult[c], shift[c]))
        return bad(ctx, TCONV_WORDS + c);
    }
    /* int8 zero points keep the products far from int32 overflow. */
    if (p.in_offset < -127 || p.in_offset > 128 || p.out_offset < -128 ||
        p.out_offset > 127)
      return bad(ctx, 5);
    if (p.act_min > p.act_max || p.act_min < -128 || p.act_max > 127)
      return bad(ctx, 6);
  } else {
    if (op->n_params != TCONV_WORDS ||
        !(tml_f32_from_bits(p.act_min) <= tml_f32_from_bits(p.act_max)))
      return bad(ctx, 6);
  }

  in_bytes = tml_bytes4(p.batches, p.in_h, p.in_w, p.in_c, elem, &ok);
  f_bytes = tml_bytes4(p.out_c, p.f_h, p.f_w, p.in_c, elem, &ok);
  out_bytes = tml_bytes4(p.batches, p.out_h, p.out_w, p.out_c, elem, &ok);
  acc_bytes = tml_bytes4(p.batches, p.out_h, p.out_w, p.out_c, 4, &ok);
  bias_bytes = tml_mul_size(p.out_c, 4, &ok);
  if (!ok) return bad(ctx, 7);

  st = tml_check_input(ctx, op, 0, dt, in_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, dt, f_bytes, 0);
  if (st == TML_OK)
    st = tml_check_input(ctx, op, 2, is_s8 ? TML_INT32 : TML_FLOAT32,
                         bias_bytes, 1);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, dt, out_bytes);
  if (st == TML_OK && is_s8) {
    st = tml_check_output(ctx, op, 1, -1, acc_bytes);
    if (st == TML_OK && (uintptr_t)tml_tensor_data(ctx, op->out[1]) % 4 != 0) {
      ctx->err_detail = op->out[1];
      st = TML_E_MISALIGNED;
    }
  }
  return st;
}

static tml_status check_tconv_s8(tml_ctx *ctx, const tml_op_view *op) {
  return check_tconv(ctx, op, 1);
}
static tml_status check_tconv_f32(tml_ctx *ctx, const tml_op_view *op) {
  return check_tconv(ctx, op, 0);
}

static void eval_tconv_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_tconv_params p;
  memcpy(&p, op->params, sizeof p);
  tml_tconv_s8(&p, op->params + TCONV_WORDS,
               tml_packed_i8(op->params + TCONV_WORDS + p.out_c),
               (const int8_t *)tml_tensor_data(ctx, op->in[0]),
               (const int8_t *)tml_tensor_data(ctx, op->in[1]),
               (const int32_t *)tml_tensor_data(ctx, op->in[2]),
               (int32_t *)tml_tensor_data(ctx, op->out[1]),
               (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_tconv_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_tconv_params p;
  memcpy(&p, op->params, sizeof p);
  tml_tconv_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
                (const float *)tml_tensor_data(ctx, op->in[1]),
                (const float *)tml_tensor_data(ctx, op->in[2]),
                (float *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_tconv_s8 = {TML_K_TCONV_S8, check_tconv_s8,
                                      eval_tconv_s8};
const tml_op_entry tml_op_tconv_f32 = {TML_K_TCONV_F32, check_tconv_f32,
                                       eval_tconv_f32};
