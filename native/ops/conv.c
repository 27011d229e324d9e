/*
 * conv.c - op adapters for CONV_2D and DEPTHWISE_CONV_2D (int8 per-channel
 * and float32).
 *
 * Op record: in = [input, filter, bias (-1 = none)], out = [output],
 * params = tml_conv_params words; for int8 they are followed by out_c
 * multipliers and out_c shifts. `check` runs once at load and proves that
 * every index the kernel will form stays inside its tensor and that no int32
 * coordinate arithmetic in the kernel can overflow; `eval` then just calls
 * the kernel.
 */
#include <string.h>

#include "backend.h"
#include "internal.h"

#define CONV_WORDS ((int32_t)(sizeof(tml_conv_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* Largest coordinate the kernel forms along one axis:
 * (out - 1) * stride + (filter - 1) * dilation must fit in int32
 * (the lower end, -pad, always does since pad >= 0). */
static int coords_fit(int32_t out, int32_t stride, int32_t filter, int32_t dil) {
  int64_t top = (int64_t)(out - 1) * stride + (int64_t)(filter - 1) * dil;
  return top <= INT32_MAX;
}

/* Bytes of a 4-factor product times the element size; *ok cleared on overflow. */
/* Shared checks for all four kinds. is_s8 selects the int8 layout and
 * dtypes, is_dw the depthwise filter layout. */
static tml_status check_conv(tml_ctx *ctx, const tml_op_view *op, int is_s8,
                             int is_dw) {
  tml_conv_params p;
  const int32_t dt = is_s8 ? TML_INT8 : TML_FLOAT32;
  const int32_t bias_dt = is_s8 ? TML_INT32 : TML_FLOAT32;
  const int32_t elem = is_s8 ? 1 : 4;
  uint32_t in_bytes, f_bytes, out_bytes, bias_bytes;
  int ok = 1;
  tml_status st;

  if (op->n_in != 3 || op->n_out != 1 || op->n_params < CONV_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);

  if (p.batches <= 0 || p.in_h <= 0 || p.in_w <= 0 || p.in_c <= 0 ||
      p.f_h <= 0 || p.f_w <= 0 || p.f_in_c <= 0 || p.depth_mult <= 0 ||
      p.out_h <= 0 || p.out_w <= 0 || p.out_c <= 0)
    return bad(ctx, 1);
  if (p.stride_w <= 0 || p.stride_h <= 0 || p.dil_w <= 0 || p.dil_h <= 0 ||
      p.pad_w < 0 || p.pad_h < 0)
    return bad(ctx, 2);
  if (!coords_fit(p.out_h, p.stride_h, p.f_h, p.dil_h) ||
      !coords_fit(p.out_w, p.stride_w, p.f_w, p.dil_w))
    return bad(ctx, 3);

  if (is_dw) {
    /* out channel = in channel * mult + m; f_in_c has no meaning here. */
    uint32_t oc = tml_mul_size(p.in_c, p.depth_mult, &ok);
    if (!ok || p.f_in_c != 1 || oc != (uint32_t)p.out_c) return bad(ctx, 4);
  } else {
    /* Grouped conv: groups = in_c / f_in_c, each owns out_c / groups filters. */
    if (p.depth_mult != 1 || p.in_c % p.f_in_c != 0 ||
        p.out_c % (p.in_c / p.f_in_c) != 0)
      return bad(ctx, 4);
  }

  if (is_s8) {
    const int32_t *mult;
    const int8_t *shift;
    int32_t c;
    if (p.out_c > (INT32_MAX - CONV_WORDS) / 2 ||
        op->n_params != CONV_WORDS + p.out_c + TML_SHIFT_WORDS(p.out_c))
      return bad(ctx, 5);
    mult = op->params + CONV_WORDS;
    shift = tml_packed_i8(mult + p.out_c);
    for (c = 0; c < p.out_c; c++) {
      /* tml_mul_by_quantized_mult is defined for these ranges only. */
      if (!tml_quant_ok(mult[c], shift[c]))
        return bad(ctx, CONV_WORDS + c);
    }
    if (p.act_min > p.act_max || p.act_min < -128 || p.act_max > 127)
      return bad(ctx, 6);
  } else {
    const float lo = tml_f32_from_bits(p.act_min);
    const float hi = tml_f32_from_bits(p.act_max);
    if (op->n_params != CONV_WORDS || !(lo <= hi)) return bad(ctx, 6);
  }

  in_bytes = tml_bytes4(p.batches, p.in_h, p.in_w, p.in_c, elem, &ok);
  out_bytes = tml_bytes4(p.batches, p.out_h, p.out_w, p.out_c, elem, &ok);
  f_bytes = is_dw ? tml_bytes4(1, p.f_h, p.f_w, p.out_c, elem, &ok)
                  : tml_bytes4(p.out_c, p.f_h, p.f_w, p.f_in_c, elem, &ok);
  bias_bytes = tml_mul_size(p.out_c, 4, &ok);
  if (!ok) return bad(ctx, 7);

  st = tml_check_input(ctx, op, 0, dt, in_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, dt, f_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 2, bias_dt, bias_bytes, 1);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, dt, out_bytes);
  return st;
}

static tml_status check_conv_s8(tml_ctx *ctx, const tml_op_view *op) {
  return check_conv(ctx, op, 1, 0);
}
static tml_status check_conv_f32(tml_ctx *ctx, const tml_op_view *op) {
  return check_conv(ctx, op, 0, 0);
}
static tml_status check_dwconv_s8(tml_ctx *ctx, const tml_op_view *op) {
  return check_conv(ctx, op, 1, 1);
}
static tml_status check_dwconv_f32(tml_ctx *ctx, const tml_op_view *op) {
  return check_conv(ctx, op, 0, 1);
}

static void eval_conv_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_conv_params p;
  memcpy(&p, op->params, sizeof p);
  TML_KERNEL(conv_s8)(&p, op->params + CONV_WORDS,
              tml_packed_i8(op->params + CONV_WORDS + p.out_c),
              (const int8_t *)tml_tensor_data(ctx, op->in[0]),
              (const int8_t *)tml_tensor_data(ctx, op->in[1]),
              (const int32_t *)tml_tensor_data(ctx, op->in[2]),
              (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_conv_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_conv_params p;
  memcpy(&p, op->params, sizeof p);
  tml_conv_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
               (const float *)tml_tensor_data(ctx, op->in[1]),
               (const float *)tml_tensor_data(ctx, op->in[2]),
               (float *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_dwconv_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_conv_params p;
  memcpy(&p, op->params, sizeof p);
  TML_KERNEL(dwconv_s8)(&p, op->params + CONV_WORDS,
              tml_packed_i8(op->params + CONV_WORDS + p.out_c),
                (const int8_t *)tml_tensor_data(ctx, op->in[0]),
                (const int8_t *)tml_tensor_data(ctx, op->in[1]),
                (const int32_t *)tml_tensor_data(ctx, op->in[2]),
                (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_dwconv_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_conv_params p;
  memcpy(&p, op->params, sizeof p);
  tml_dwconv_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
                 (const float *)tml_tensor_data(ctx, op->in[1]),
                 (const float *)tml_tensor_data(ctx, op->in[2]),
                 (float *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_conv_s8 = {TML_K_CONV_S8, check_conv_s8, eval_conv_s8};
const tml_op_entry tml_op_conv_f32 = {TML_K_CONV_F32, check_conv_f32, eval_conv_f32};
const tml_op_entry tml_op_dwconv_s8 = {TML_K_DWCONV_S8, check_dwconv_s8, eval_dwconv_s8};
const tml_op_entry tml_op_dwconv_f32 = {TML_K_DWCONV_F32, check_dwconv_f32,
                                        eval_dwconv_f32};
