/*
 * elementwise.c - op adapters for the broadcasting binary kernels:
 * quantized ADD/SUB and MUL (int8, int16), DIV (int8), and the unquantized
 * ADD SUB MUL DIV MINIMUM MAXIMUM (float32, int32; MIN/MAX also int8, int16).
 *
 * Op record: in = [input1, input2], out = [output], params = the kind's
 * struct words (a tml_bcast_shape first).
 */
#include <string.h>

#include "backend.h"
#include "internal.h"

#define WORDS(t) ((int32_t)(sizeof(t) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* Element count of one side of a broadcast shape; 0 if a dim is not
 * positive or the count overflows. */
static uint32_t count(const int32_t *dims) {
  int ok = 1;
  uint32_t n = 1;
  int32_t d;
  for (d = 0; d < TML_BCAST_DIMS; d++) {
    if (dims[d] <= 0) return 0;
    n = tml_mul_size((int32_t)n, dims[d], &ok);
  }
  return ok ? n : 0;
}

/* The shape obeys the broadcast rules and the three tensors hold what the
 * walker reads and writes (dt < 0 skips the dtype check). */
static tml_status check_bcast(tml_ctx *ctx, const tml_op_view *op,
                              const tml_bcast_shape *s, int32_t dt,
                              int32_t elem) {
  uint32_t n1, n2, no, b1, b2, bo;
  int ok = 1;
  int32_t d;
  tml_status st;
  if (op->n_in != 2 || op->n_out != 1) return bad(ctx, 0);
  for (d = 0; d < TML_BCAST_DIMS; d++) {
    const int32_t o = s->out[d], a = s->in1[d], b = s->in2[d];
    if (o <= 0 || (a != 1 && a != o) || (b != 1 && b != o) ||
        o != (a > b ? a : b))
      return bad(ctx, 1 + d);
  }
  n1 = count(s->in1);
  n2 = count(s->in2);
  no = count(s->out);
  if (n1 == 0 || n2 == 0 || no == 0) return bad(ctx, 7);
  b1 = tml_mul_size((int32_t)n1, elem, &ok);
  b2 = tml_mul_size((int32_t)n2, elem, &ok);
  bo = tml_mul_size((int32_t)no, elem, &ok);
  if (!ok) return bad(ctx, 7);
  st = tml_check_input(ctx, op, 0, dt, b1, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, dt, b2, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, dt, bo);
  return st;
}

/* Zero-point offsets and activation bounds inside the data type. */
static int q_ranges(int32_t dtype, int32_t in1_off, int32_t in2_off,
                    int32_t out_off, int32_t act_min, int32_t act_max) {
  const int32_t hi = dtype == TML_INT16 ? 32767 : 127;
  const int32_t lo = -hi - 1;
  return in1_off >= -hi && in1_off <= -lo && in2_off >= -hi &&
         in2_off <= -lo && out_off >= lo && out_off <= hi &&
         act_min >= lo && act_max <= hi && act_min <= act_max;
}

static int ok_mult(int32_t mult, int32_t shift, int32_t max_shift) {
  return mult >= 0 && shift >= -31 && shift <= max_shift;
}

static tml_status check_addsub_q(tml_ctx *ctx, const tml_op_view *op) {
  tml_addsub_q_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.dtype != TML_INT8 && p.dtype != TML_INT16) return bad(ctx, 8);
  if ((p.is_sub != 0 && p.is_sub != 1) ||
      p.left_shift != (p.dtype == TML_INT16 ? 15 : 20))
    return bad(ctx, 9);
  if (!ok_mult(p.in1_mult, p.in1_shift, 0) ||
      !ok_mult(p.in2_mult, p.in2_shift, 0) ||
      !ok_mult(p.out_mult, p.out_shift, 0))
    return bad(ctx, 10);
  if (!q_ranges(p.dtype, p.in1_offset, p.in2_offset, p.out_offset, p.act_min,
                p.act_max))
    return bad(ctx, 11);
  return check_bcast(ctx, op, &p.shape, p.dtype, p.dtype == TML_INT16 ? 2 : 1);
}

static tml_status check_muldiv(tml_ctx *ctx, const tml_op_view *op,
                               int is_div) {
  tml_muldiv_q_params p;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.dtype != TML_INT8 && (is_div || p.dtype != TML_INT16))
    return bad(ctx, 8);
  if (!ok_mult(p.out_mult, p.out_shift, 30)) return bad(ctx, 10);
  if (!q_ranges(p.dtype, p.in1_offset, p.in2_offset, p.out_offset, p.act_min,
                p.act_max))
    return bad(ctx, 11);
  return check_bcast(ctx, op, &p.shape, p.dtype, p.dtype == TML_INT16 ? 2 : 1);
}

static tml_status check_mul_q(tml_ctx *ctx, const tml_op_view *op) {
  return check_muldiv(ctx, op, 0);
}

static tml_status check_div_s8(tml_ctx *ctx, const tml_op_view *op) {
  return check_muldiv(ctx, op, 1);
}

static tml_status check_binary(tml_ctx *ctx, const tml_op_view *op) {
  tml_binary_params p;
  int32_t elem;
  if (op->n_params != WORDS(p)) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.op < TML_BIN_ADD || p.op > TML_BIN_MAX) return bad(ctx, 9);
  switch (p.dtype) {
    case TML_FLOAT32:
      if (!(tml_f32_from_bits(p.act_min) <= tml_f32_from_bits(p.act_max)))
        return bad(ctx, 11);
      elem = 4;
      break;
    case TML_INT32:
      if (p.act_min > p.act_max) return bad(ctx, 11);
      elem = 4;
      break;
    case TML_INT16: case TML_INT8:
      if (p.op != TML_BIN_MIN && p.op != TML_BIN_MAX) return bad(ctx, 9);
      elem = p.dtype == TML_INT16 ? 2 : 1;
      break;
    default: return bad(ctx, 8);
  }
  return check_bcast(ctx, op, &p.shape, p.dtype, elem);
}

static void eval_addsub_q(const tml_ctx *ctx, const tml_op_view *op) {
  tml_addsub_q_params p;
  memcpy(&p, op->params, sizeof p);
  TML_KERNEL(addsub_q)(&p, tml_tensor_data(ctx, op->in[0]),
               tml_tensor_data(ctx, op->in[1]),
               tml_tensor_data(ctx, op->out[0]));
}

static void eval_mul_q(const tml_ctx *ctx, const tml_op_view *op) {
  tml_muldiv_q_params p;
  memcpy(&p, op->params, sizeof p);
  tml_mul_q(&p, tml_tensor_data(ctx, op->in[0]),
            tml_tensor_data(ctx, op->in[1]), tml_tensor_data(ctx, op->out[0]));
}

static void eval_div_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_muldiv_q_params p;
  memcpy(&p, op->params, sizeof p);
  tml_div_s8(&p, (const int8_t *)tml_tensor_data(ctx, op->in[0]),
             (const int8_t *)tml_tensor_data(ctx, op->in[1]),
             (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_binary(const tml_ctx *ctx, const tml_op_view *op) {
  tml_binary_params p;
  memcpy(&p, op->params, sizeof p);
  tml_binary(&p, tml_tensor_data(ctx, op->in[0]),
             tml_tensor_data(ctx, op->in[1]),
             tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_addsub_q = {TML_K_ADDSUB_Q, check_addsub_q,
                                      eval_addsub_q};
const tml_op_entry tml_op_mul_q = {TML_K_MUL_Q, check_mul_q, eval_mul_q};
const tml_op_entry tml_op_div_s8 = {TML_K_DIV_S8, check_div_s8, eval_div_s8};
const tml_op_entry tml_op_binary = {TML_K_BINARY, check_binary, eval_binary};
