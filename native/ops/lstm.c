/*
 * lstm.c - op adapters for UNIDIRECTIONAL_SEQUENCE_LSTM: int8 activations
 * and weights with int16 cell state (int32 biases), and float32.
 *
 * Op record: in = [input, input weights x4, recurrent weights x4, biases x4]
 * (gates in the order forget, input, cell, output), out = [output, hidden
 * state, cell state, scratch]. The two states are the model's variable
 * tensors: as outputs, the load proves they are writable arena memory.
 * params = tml_lstm_s8_params or tml_lstm_f32_params words.
 */
#include <string.h>

#include "internal.h"

#define LSTM_S8_WORDS ((int32_t)(sizeof(tml_lstm_s8_params) / sizeof(int32_t)))
#define LSTM_F32_WORDS \
  ((int32_t)(sizeof(tml_lstm_f32_params) / sizeof(int32_t)))

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

static uint32_t mul3(int32_t a, int32_t b, int32_t c, int *ok) {
  uint32_t n = tml_mul_size(a, b, ok);
  return tml_mul_size((int32_t)n, c, ok);
}

/* The size words (the first five of both structs) and every tensor. */
static tml_status check_tensors(tml_ctx *ctx, const tml_op_view *op,
                                int32_t act_dt, int32_t w_dt, int32_t bias_dt,
                                int32_t cell_dt) {
  const int32_t time_major = op->params[0], B = op->params[1];
  const int32_t T = op->params[2], I = op->params[3], S = op->params[4];
  const int32_t act = (int32_t)tml_dtype_size(act_dt);
  const int32_t wsz = (int32_t)tml_dtype_size(w_dt);
  const int32_t csz = (int32_t)tml_dtype_size(cell_dt);
  uint32_t io_in, io_out, w_in, w_rec, bias, hidden, cell, scratch;
  int ok = 1, g;
  tml_status st;

  if ((time_major != 0 && time_major != 1) || B <= 0 || T <= 0 || I <= 0 ||
      S <= 0)
    return bad(ctx, 1);
  /* The kernel copies the hidden state to the output: distinct tensors. */
  if (op->out[0] == op->out[1] || op->out[0] == op->out[2] ||
      op->out[1] == op->out[2])
    return bad(ctx, 10);
  io_in = tml_mul_size((int32_t)mul3(B, T, I, &ok), act, &ok);
  io_out = tml_mul_size((int32_t)mul3(B, T, S, &ok), act, &ok);
  w_in = mul3(S, I, wsz, &ok);
  w_rec = mul3(S, S, wsz, &ok);
  bias = tml_mul_size(S, (int32_t)tml_dtype_size(bias_dt), &ok);
  hidden = mul3(B, S, act, &ok);
  cell = mul3(B, S, csz, &ok);
  /* Four buffers of one step's states: all batches only when time major. */
  scratch = tml_mul_size((int32_t)mul3(time_major ? B : 1, S, csz, &ok), 4,
                         &ok);
  if (!ok) return bad(ctx, 2);

  st = tml_check_input(ctx, op, 0, act_dt, io_in, 0);
  for (g = 0; g < 4 && st == TML_OK; g++) {
    st = tml_check_input(ctx, op, 1 + g, w_dt, w_in, 0);
    if (st == TML_OK) st = tml_check_input(ctx, op, 5 + g, w_dt, w_rec, 0);
    if (st == TML_OK) st = tml_check_input(ctx, op, 9 + g, bias_dt, bias, 0);
  }
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, act_dt, io_out);
  if (st == TML_OK) st = tml_check_output(ctx, op, 1, act_dt, hidden);
  if (st == TML_OK) st = tml_check_output(ctx, op, 2, cell_dt, cell);
  if (st == TML_OK) st = tml_check_output(ctx, op, 3, -1, scratch);
  if (st == TML_OK && (uintptr_t)tml_tensor_data(ctx, op->out[3]) % 4 != 0) {
    ctx->err_detail = op->out[3];
    st = TML_E_MISALIGNED;
  }
  return st;
}

static int ok_q(int32_t mult, int32_t shift) {
  return mult >= 0 && shift >= -31 && shift <= 30;
}

static tml_status check_lstm_s8(tml_ctx *ctx, const tml_op_view *op) {
  tml_lstm_s8_params p;
  int g;
  if (op->n_in != 13 || op->n_out != 4 || op->n_params != LSTM_S8_WORDS)
    return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  for (g = 0; g < 4; g++) {
    const tml_lstm_fc_q *q[2];
    int k;
    q[0] = &p.fc_in[g];
    q[1] = &p.fc_rec[g];
    for (k = 0; k < 2; k++) {
      /* int8 zero points: (w + w_off) * (x + in_off) stays within int32. */
      if (!ok_q(q[k]->mult, q[k]->shift) || q[k]->in_offset < -127 ||
          q[k]->in_offset > 128 || q[k]->w_offset < -127 ||
          q[k]->w_offset > 128)
        return bad(ctx, 3 + g);
    }
  }
  if (!ok_q(p.forget_mult, p.forget_shift) ||
      !ok_q(p.input_mult, p.input_shift) ||
      !ok_q(p.hidden_mult, p.hidden_shift) || p.hidden_zp < -128 ||
      p.hidden_zp > 127)
    return bad(ctx, 7);
  if ((p.clip_on != 0 && p.clip_on != 1) || p.cell_clip < 0 ||
      p.cell_clip > 32767)
    return bad(ctx, 8);
  /* The cell tanh scales int16 input by 3 << (12 + power) (must fit int32)
   * or divides by 2^-(12 + power) (shift below 32). */
  if (p.cell_scale_power < -43 || p.cell_scale_power > 2) return bad(ctx, 9);
  return check_tensors(ctx, op, TML_INT8, TML_INT8, TML_INT32, TML_INT16);
}

static tml_status check_lstm_f32(tml_ctx *ctx, const tml_op_view *op) {
  if (op->n_in != 13 || op->n_out != 4 || op->n_params != LSTM_F32_WORDS)
    return bad(ctx, 0);
  return check_tensors(ctx, op, TML_FLOAT32, TML_FLOAT32, TML_FLOAT32,
                       TML_FLOAT32);
}

static void eval_lstm_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_lstm_s8_params p;
  tml_lstm_s8_weights w;
  int g;
  memcpy(&p, op->params, sizeof p);
  for (g = 0; g < 4; g++) {
    w.w_in[g] = (const int8_t *)tml_tensor_data(ctx, op->in[1 + g]);
    w.w_rec[g] = (const int8_t *)tml_tensor_data(ctx, op->in[5 + g]);
    w.bias[g] = (const int32_t *)tml_tensor_data(ctx, op->in[9 + g]);
  }
  tml_lstm_s8(&p, &w, (const int8_t *)tml_tensor_data(ctx, op->in[0]),
              (int8_t *)tml_tensor_data(ctx, op->out[1]),
              (int16_t *)tml_tensor_data(ctx, op->out[2]),
              (int16_t *)tml_tensor_data(ctx, op->out[3]),
              (int8_t *)tml_tensor_data(ctx, op->out[0]));
}

static void eval_lstm_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_lstm_f32_params p;
  tml_lstm_f32_weights w;
  int g;
  memcpy(&p, op->params, sizeof p);
  for (g = 0; g < 4; g++) {
    w.w_in[g] = (const float *)tml_tensor_data(ctx, op->in[1 + g]);
    w.w_rec[g] = (const float *)tml_tensor_data(ctx, op->in[5 + g]);
    w.bias[g] = (const float *)tml_tensor_data(ctx, op->in[9 + g]);
  }
  tml_lstm_f32(&p, &w, (const float *)tml_tensor_data(ctx, op->in[0]),
               (float *)tml_tensor_data(ctx, op->out[1]),
               (float *)tml_tensor_data(ctx, op->out[2]),
               (float *)tml_tensor_data(ctx, op->out[3]),
               (float *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_lstm_s8 = {TML_K_LSTM_S8, check_lstm_s8,
                                     eval_lstm_s8};
const tml_op_entry tml_op_lstm_f32 = {TML_K_LSTM_F32, check_lstm_f32,
                                      eval_lstm_f32};
