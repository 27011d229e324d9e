/*
 * svdf.c - op adapters for SVDF: int8 input with int8 or int16 state (and
 * time weights of the same type), and float32.
 *
 * Op record: in = [input, weights_feature, weights_time, bias (-1 = none)],
 * out = [output, state, scratch]. The integer scratch holds the int32 time
 * sums [batches * num_filters] then the unit sums [batches * num_units].
 * The state is the model's variable tensor: listing it as an output makes
 * the load check that it is writable arena memory.
 */
#include <string.h>

#include "internal.h"

#define SVDF_S8_WORDS ((int32_t)(sizeof(tml_svdf_s8_params) / sizeof(int32_t)))
#define SVDF_F32_WORDS \
  ((int32_t)(sizeof(tml_svdf_f32_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* An int32/float scratch output slot of at least `bytes`, 4-byte aligned. */
static tml_status check_scratch(tml_ctx *ctx, const tml_op_view *op,
                                int32_t slot, uint32_t bytes) {
  tml_status st = tml_check_output(ctx, op, slot, -1, bytes);
  if (st == TML_OK && (uintptr_t)tml_tensor_data(ctx, op->out[slot]) % 4 != 0) {
    ctx->err_detail = op->out[slot];
    st = TML_E_MISALIGNED;
  }
  return st;
}

/* Shape fields shared by both structs (the first six words). */
static tml_status check_shape(tml_ctx *ctx, const tml_op_view *op,
                              const int32_t *w, int32_t in_dt, int32_t st_dt,
                              int32_t bias_dt, int with_unit_sums) {
  const int32_t batches = w[0], input_size = w[1], num_filters = w[2];
  const int32_t num_units = w[3], rank = w[4], memory_size = w[5];
  const int32_t in_elem = (int32_t)tml_dtype_size(in_dt);
  const int32_t st_elem = (int32_t)tml_dtype_size(st_dt);
  uint32_t n, in_bytes, wf_bytes, wt_bytes, st_bytes, out_bytes, bias_bytes;
  uint32_t scratch_bytes, unit_bytes;
  int ok = 1;
  tml_status st;

  if (batches <= 0 || input_size <= 0 || num_filters <= 0 || num_units <= 0 ||
      rank <= 0 || memory_size <= 0)
    return bad(ctx, 1);
  if (tml_mul_size(num_units, rank, &ok) != (uint32_t)num_filters || !ok)
    return bad(ctx, 2);
  n = tml_mul_size(batches, input_size, &ok);
  in_bytes = tml_mul_size((int32_t)n, in_elem, &ok);
  n = tml_mul_size(num_filters, input_size, &ok);
  wf_bytes = tml_mul_size((int32_t)n, in_elem, &ok);
  n = tml_mul_size(num_filters, memory_size, &ok);
  wt_bytes = tml_mul_size((int32_t)n, st_elem, &ok);
  n = tml_mul_size((int32_t)n, batches, &ok);
  st_bytes = tml_mul_size((int32_t)n, st_elem, &ok);
  n = tml_mul_size(batches, num_units, &ok);
  out_bytes = tml_mul_size((int32_t)n, in_elem, &ok);
  unit_bytes = tml_mul_size((int32_t)n, 4, &ok);
  bias_bytes = tml_mul_size(num_units, 4, &ok);
  n = tml_mul_size(batches, num_filters, &ok);
  scratch_bytes = tml_mul_size((int32_t)n, 4, &ok);
  if (with_unit_sums && ok) {
    if (unit_bytes > (uint32_t)INT32_MAX - scratch_bytes) ok = 0;
    scratch_bytes += unit_bytes;
  }
  if (!ok) return bad(ctx, 3);

  st = tml_check_input(ctx, op, 0, in_dt, in_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, in_dt, wf_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 2, st_dt, wt_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 3, bias_dt, bias_bytes, 1);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, in_dt, out_bytes);
  if (st == TML_OK) st = tml_check_output(ctx, op, 1, st_dt, st_bytes);
  if (st == TML_OK) st = check_scratch(ctx, op, 2, scratch_bytes);
  return st;
}

static tml_status check_svdf_int(tml_ctx *ctx, const tml_op_view *op,
                                 int32_t st_dt) {
  tml_svdf_s8_params p;
  const int32_t st_lo = st_dt == TML_INT8 ? -128 : -32768;
  const int32_t st_hi = st_dt == TML_INT8 ? 127 : 32767;
  if (op->n_in != 4 || op->n_out != 3 || op->n_params != SVDF_S8_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  /* Zero points in their dtype's range keep every difference and product
   * inside int32 arithmetic. */
  if (p.in_zp < -128 || p.in_zp > 127 || p.out_zp < -128 || p.out_zp > 127 ||
      p.state_zp < st_lo || p.state_zp > st_hi)
    return bad(ctx, 4);
  if (p.mult1 < 0 || p.shift1 < -31 || p.shift1 > 30 || p.mult2 < 0 ||
      p.shift2 < -31 || p.shift2 > 30)
    return bad(ctx, 5);
  return check_shape(ctx, op, op->params, TML_INT8, st_dt, TML_INT32, 1);
}

static tml_status check_svdf_s8(tml_ctx *ctx, const tml_op_view *op) {
  return check_svdf_int(ctx, op, TML_INT8);
}

static tml_status check_svdf_s8_s16(tml_ctx *ctx, const tml_op_view *op) {
  return check_svdf_int(ctx, op, TML_INT16);
}

static tml_status check_svdf_f32(tml_ctx *ctx, const tml_op_view *op) {
  tml_svdf_f32_params p;
  if (op->n_in != 4 || op->n_out != 3 || op->n_params != SVDF_F32_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.activation < 0 || p.activation > 5) return bad(ctx, 4);
  return check_shape(ctx, op, op->params, TML_FLOAT32, TML_FLOAT32,
                     TML_FLOAT32, 0);
}

static void eval_svdf_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_svdf_s8_params p;
  int32_t *scratch = (int32_t *)tml_tensor_data(ctx, op->out[2]);
  memcpy(&p, op->params, sizeof p);
  tml_svdf_s8(&p, (const int8_t *)tml_tensor_data(ctx, op->in[0]),
              (const int8_t *)tml_tensor_data(ctx, op->in[1]),
              (const int8_t *)tml_tensor_data(ctx, op->in[2]),
              (const int32_t *)tml_tensor_data(ctx, op->in[3]),
              (int8_t *)tml_tensor_data(ctx, op->out[1]),
              scratch, scratch + (size_t)p.batches * p.num_filters,
              (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_svdf_s8_s16(const tml_ctx *ctx, const tml_op_view *op) {
  tml_svdf_s8_params p;
  int32_t *scratch = (int32_t *)tml_tensor_data(ctx, op->out[2]);
  memcpy(&p, op->params, sizeof p);
  tml_svdf_s8_s16(&p, (const int8_t *)tml_tensor_data(ctx, op->in[0]),
                  (const int8_t *)tml_tensor_data(ctx, op->in[1]),
                  (const int16_t *)tml_tensor_data(ctx, op->in[2]),
                  (const int32_t *)tml_tensor_data(ctx, op->in[3]),
                  (int16_t *)tml_tensor_data(ctx, op->out[1]),
                  scratch, scratch + (size_t)p.batches * p.num_filters,
                  (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_svdf_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_svdf_f32_params p;
  memcpy(&p, op->params, sizeof p);
  tml_svdf_f32(&p, (const float *)tml_tensor_data(ctx, op->in[0]),
               (const float *)tml_tensor_data(ctx, op->in[1]),
               (const float *)tml_tensor_data(ctx, op->in[2]),
               (const float *)tml_tensor_data(ctx, op->in[3]),
               (float *)tml_tensor_data(ctx, op->out[1]),
               (float *)tml_tensor_data(ctx, op->out[2]),
               (float *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_svdf_s8 = {TML_K_SVDF_S8, check_svdf_s8,
                                     eval_svdf_s8};
const tml_op_entry tml_op_svdf_s8_s16 = {TML_K_SVDF_S8_S16, check_svdf_s8_s16,
                                         eval_svdf_s8_s16};
const tml_op_entry tml_op_svdf_f32 = {TML_K_SVDF_F32, check_svdf_f32,
                                      eval_svdf_f32};
