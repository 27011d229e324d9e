/*
 * activations.c - op adapters for the activation kernels: LOGISTIC / TANH
 * int8, the float32 functions, RELU / RELU6 / LEAKY_RELU int8 and int16,
 * HARD_SWISH int8 and the int8 table lookup (ELU).
 *
 * Op record: in = [input], out = [output], params = the kind's struct
 * words (tml_lut_s8_params is followed by the 64-word table).
 */
#include <string.h>

#include "internal.h"

#define WORDS(t) ((int32_t)(sizeof(t) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* One input and one output of `size` elements of dtype dt. */
static tml_status check_io(tml_ctx *ctx, const tml_op_view *op, int32_t size,
                           int32_t dt) {
  int ok = 1;
  uint32_t bytes;
  tml_status st;
  if (op->n_in != 1 || op->n_out != 1) return bad(ctx, 0);
  if (size <= 0) return bad(ctx, 1);
  bytes = tml_mul_size(size, (int32_t)tml_dtype_size(dt), &ok);
  if (!ok || bytes == 0) return bad(ctx, 1);
  st = tml_check_input(ctx, op, 0, dt, bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, dt, bytes);
  return st;
}

static int is_q(int32_t dt) { return dt == TML_INT8 || dt == TML_INT16; }

static int ok_mult(int32_t mult, int32_t shift) {
  return mult >= 0 && shift >= -31 && shift <= 30;
}

/* Zero points inside the data type. */
static int ok_zp(int32_t dt, int32_t zp) {
  return dt == TML_INT16 ? (zp >= -32768 && zp <= 32767)
                         : (zp >= -128 && zp <= 127);
}

static tml_status check_sigmoid(tml_ctx *ctx, const tml_op_view *op) {
  tml_sigmoid_s8_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (!ok_zp(TML_INT8, p.in_zp) || p.radius < 0) return bad(ctx, 2);
  if (p.mult < 0 || p.left_shift < 0 || p.left_shift > 31) return bad(ctx, 3);
  return check_io(ctx, op, p.size, TML_INT8);
}

static tml_status check_unary_f32(tml_ctx *ctx, const tml_op_view *op) {
  tml_unary_f32_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.fn < TML_UF_RELU || p.fn > TML_UF_LEAKY_RELU) return bad(ctx, 2);
  return check_io(ctx, op, p.size, TML_FLOAT32);
}

static tml_status check_relu_q(tml_ctx *ctx, const tml_op_view *op) {
  tml_relu_q_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (!is_q(p.dtype)) return bad(ctx, 2);
  if (!ok_zp(p.dtype, p.in_zp) || !ok_zp(p.dtype, p.out_zp) ||
      !ok_zp(p.dtype, p.act_min) || !ok_zp(p.dtype, p.act_max) ||
      p.act_min > p.act_max)
    return bad(ctx, 3);
  if (!ok_mult(p.mult, p.shift)) return bad(ctx, 4);
  return check_io(ctx, op, p.size, p.dtype);
}

static tml_status check_clamp_q(tml_ctx *ctx, const tml_op_view *op) {
  tml_clamp_q_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (!is_q(p.dtype)) return bad(ctx, 2);
  if (!ok_zp(p.dtype, p.lo) || !ok_zp(p.dtype, p.hi)) return bad(ctx, 3);
  return check_io(ctx, op, p.size, p.dtype);
}

static tml_status check_leaky_q(tml_ctx *ctx, const tml_op_view *op) {
  tml_leaky_relu_q_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (!is_q(p.dtype)) return bad(ctx, 2);
  if (!ok_zp(p.dtype, p.in_zp) || !ok_zp(p.dtype, p.out_zp))
    return bad(ctx, 3);
  if (!ok_mult(p.id_mult, p.id_shift) ||
      !ok_mult(p.alpha_mult, p.alpha_shift) ||
      (p.alpha_neg != 0 && p.alpha_neg != 1))
    return bad(ctx, 4);
  return check_io(ctx, op, p.size, p.dtype);
}

static tml_status check_hard_swish(tml_ctx *ctx, const tml_op_view *op) {
  tml_hard_swish_s8_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (!ok_zp(TML_INT8, p.in_zp) || !ok_zp(TML_INT8, p.out_zp))
    return bad(ctx, 2);
  if (p.out_mult16 < 0 || p.out_mult16 > 32767 || p.out_exp < -31 ||
      p.out_exp > 0 || p.relu_mult16 < 0 || p.relu_mult16 > 32767 ||
      p.relu_exp < -31 || p.relu_exp > 31)
    return bad(ctx, 3);
  return check_io(ctx, op, p.size, TML_INT8);
}

static tml_status check_lut(tml_ctx *ctx, const tml_op_view *op) {
  tml_lut_s8_params p;
  if (op->n_params != WORDS(p) + TML_LUT_S8_WORDS) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  return check_io(ctx, op, p.size, TML_INT8);
}

#define IN(i) tml_tensor_data(ctx, op->in[i])
#define OUT(i) tml_tensor_data(ctx, op->out[i])

static void eval_logistic(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sigmoid_s8_params p;
  memcpy(&p, op->params, sizeof p);
  tml_logistic_s8(&p, (const int8_t *)IN(0), (int8_t *)OUT(0));
}

static void eval_tanh(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sigmoid_s8_params p;
  memcpy(&p, op->params, sizeof p);
  tml_tanh_s8(&p, (const int8_t *)IN(0), (int8_t *)OUT(0));
}

static void eval_unary_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_unary_f32_params p;
  memcpy(&p, op->params, sizeof p);
  tml_unary_f32(&p, (const float *)IN(0), (float *)OUT(0));
}

static void eval_relu_q(const tml_ctx *ctx, const tml_op_view *op) {
  tml_relu_q_params p;
  memcpy(&p, op->params, sizeof p);
  tml_relu_q(&p, IN(0), OUT(0));
}

static void eval_clamp_q(const tml_ctx *ctx, const tml_op_view *op) {
  tml_clamp_q_params p;
  memcpy(&p, op->params, sizeof p);
  tml_clamp_q(&p, IN(0), OUT(0));
}

static void eval_leaky_q(const tml_ctx *ctx, const tml_op_view *op) {
  tml_leaky_relu_q_params p;
  memcpy(&p, op->params, sizeof p);
  tml_leaky_relu_q(&p, IN(0), OUT(0));
}

static void eval_hard_swish(const tml_ctx *ctx, const tml_op_view *op) {
  tml_hard_swish_s8_params p;
  memcpy(&p, op->params, sizeof p);
  tml_hard_swish_s8(&p, (const int8_t *)IN(0), (int8_t *)OUT(0));
}

static void eval_lut(const tml_ctx *ctx, const tml_op_view *op) {
  tml_lut_s8_params p;
  memcpy(&p, op->params, sizeof p);
  /* The table is the packed words after the struct (char access). */
  tml_lut_s8(&p, (const int8_t *)(const void *)(op->params + WORDS(p)),
             (const int8_t *)IN(0), (int8_t *)OUT(0));
}

const tml_op_entry tml_op_logistic_s8 = {TML_K_LOGISTIC_S8, check_sigmoid,
                                         eval_logistic};
const tml_op_entry tml_op_tanh_s8 = {TML_K_TANH_S8, check_sigmoid, eval_tanh};
const tml_op_entry tml_op_unary_f32 = {TML_K_UNARY_F32, check_unary_f32,
                                       eval_unary_f32};
const tml_op_entry tml_op_relu_q = {TML_K_RELU_Q, check_relu_q, eval_relu_q};
const tml_op_entry tml_op_clamp_q = {TML_K_CLAMP_Q, check_clamp_q,
                                     eval_clamp_q};
const tml_op_entry tml_op_leaky_relu_q = {TML_K_LEAKY_RELU_Q, check_leaky_q,
                                          eval_leaky_q};
const tml_op_entry tml_op_hard_swish_s8 = {TML_K_HARD_SWISH_S8,
                                           check_hard_swish, eval_hard_swish};
const tml_op_entry tml_op_lut_s8 = {TML_K_LUT_S8, check_lut, eval_lut};
