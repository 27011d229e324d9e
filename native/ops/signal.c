/*
 * signal.c - op adapters for the TFLM signal-library custom ops of an audio
 * front end. Op records (in -> out; params = the kernel's struct words):
 *
 *   SIG_WINDOW           [input s16, window s16] -> [output s16]
 *   SIG_FFT_AUTO_SCALE   [input s16] -> [output s16, scale_bits s32]
 *   SIG_RFFT_*           [input] -> [output, scratch]; params are followed
 *                        by the stages and the twiddles (tinyml_kernels.h)
 *   SIG_ENERGY           [complex s16] -> [energy u32]
 *   SIG_FILTER_BANK      [spectrum u32, weights s16, unweights s16,
 *                        freq starts s16, weight starts s16, widths s16]
 *                        -> [channels u64]
 *   SIG_FILTER_BANK_SQRT [channels u64, scale_bits s32] -> [output u32]
 *   SIG_SPECTRAL_SUB     [input u32] -> [output u32, noise u32, state]
 *   SIG_PCAN             [input u32, noise u32, lut s16] -> [output u32]
 *   SIG_FILTER_BANK_LOG  [input u32] -> [output s16]
 *
 * scratch and state are op buffers (byte tensors placed by the planner);
 * they are checked for size and for the alignment of their element type.
 */
#include <stdint.h>
#include <string.h>

#include "internal.h"

#define WORDS(type) ((int32_t)(sizeof(type) / sizeof(int32_t)))

/* Twiddles per complex value in the program, by RFFT kind. */
#define RFFT_TW_WORDS(kind) ((kind) == TML_K_SIG_RFFT_S16 ? 1 : 2)
#define RFFT_MAX_STAGES 32

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* n elements of elem bytes; 0 and !*ok on overflow or a negative count. */
static uint32_t bytes_of(int32_t n, int32_t elem, int *ok) {
  return tml_mul_size(n, elem, ok);
}

static tml_status check_shape(tml_ctx *ctx, const tml_op_view *op,
                              int32_t n_in, int32_t n_out, int32_t n_params) {
  if (op->n_in != n_in || op->n_out != n_out || op->n_params != n_params)
    return bad(ctx, 0);
  return TML_OK;
}

/* An op buffer (scratch/state): writable, big enough, aligned for elem. */
static tml_status check_buffer(tml_ctx *ctx, const tml_op_view *op,
                               int32_t slot, uint32_t bytes, uint32_t elem) {
  tml_status st = tml_check_output(ctx, op, slot, -1, bytes);
  if (st != TML_OK) return st;
  if (((uintptr_t)tml_tensor_data(ctx, op->out[slot]) & (elem - 1u)) != 0) {
    ctx->err_detail = op->out[slot];
    return TML_E_MISALIGNED;
  }
  return TML_OK;
}

/* ---- SignalWindow ---- */

static tml_status check_window(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_window_params p;
  int ok = 1;
  uint32_t n, w;
  tml_status st = check_shape(ctx, op, 2, 1, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.shift < 0 || p.shift > 31) return bad(ctx, 1);
  if (p.size <= 0 || p.win <= 0 || p.size % p.win != 0) return bad(ctx, 2);
  n = bytes_of(p.size, 2, &ok);
  w = bytes_of(p.win, 2, &ok);
  if (!ok) return bad(ctx, 3);
  st = tml_check_input(ctx, op, 0, TML_INT16, n, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, TML_INT16, w, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_INT16, n);
  return st;
}

static void eval_window(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_window_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_window(&p, (const int16_t *)tml_tensor_data(ctx, op->in[0]),
                 (const int16_t *)tml_tensor_data(ctx, op->in[1]),
                 (int16_t *)tml_tensor_data(ctx, op->out[0]));
}

/* ---- SignalFftAutoScale ---- */

static tml_status check_auto_scale(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_auto_scale_params p;
  int ok = 1;
  uint32_t n;
  tml_status st = check_shape(ctx, op, 1, 2, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.size <= 0) return bad(ctx, 1);
  n = bytes_of(p.size, 2, &ok);
  if (!ok) return bad(ctx, 2);
  st = tml_check_input(ctx, op, 0, TML_INT16, n, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_INT16, n);
  if (st == TML_OK) st = tml_check_output(ctx, op, 1, TML_INT32, 4);
  return st;
}

static void eval_auto_scale(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_auto_scale_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_fft_auto_scale(&p, (const int16_t *)tml_tensor_data(ctx, op->in[0]),
                         (int16_t *)tml_tensor_data(ctx, op->out[0]),
                         (int32_t *)tml_tensor_data(ctx, op->out[1]));
}

/* ---- SignalRfft ---- */

static tml_status check_rfft(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_rfft_params p;
  const int32_t hdr = WORDS(p);
  int32_t dtype, elem, tw_words, n, m, s;
  int ok = 1;
  uint32_t in_bytes, out_bytes, scratch_bytes;
  tml_status st;
  const int32_t *stages;
  switch (op->kind) {
    case TML_K_SIG_RFFT_S16: dtype = TML_INT16; elem = 2; break;
    case TML_K_SIG_RFFT_S32: dtype = TML_INT32; elem = 4; break;
    default: dtype = TML_FLOAT32; elem = 4; break;
  }
  tw_words = RFFT_TW_WORDS(op->kind);
  if (op->n_in != 1 || op->n_out != 2 || op->n_params < hdr) return bad(ctx, 0);
  memcpy(&p, op->params, sizeof p);
  if (p.fft_length < 4 || (p.fft_length & 1) || p.fft_length > (1 << 24))
    return bad(ctx, 1);
  if (p.in_len <= 0 || p.in_len > p.fft_length || p.frames <= 0)
    return bad(ctx, 2);
  if (p.n_stages <= 0 || p.n_stages > RFFT_MAX_STAGES) return bad(ctx, 3);
  n = p.fft_length / 2;
  /* Stages, twiddles: all sizes below 2^26 words, no overflow. */
  if (op->n_params != hdr + 2 * p.n_stages + tw_words * (n + n / 2))
    return bad(ctx, 4);
  /* Each stage splits the remaining length by its radix, down to 1. */
  stages = op->params + hdr;
  m = n;
  for (s = 0; s < p.n_stages; s++) {
    const int32_t radix = stages[2 * s], rest = stages[2 * s + 1];
    if (radix < 2 || radix > 5 || m % radix != 0 || rest != m / radix)
      return bad(ctx, hdr + 2 * s);
    m = rest;
  }
  if (m != 1) return bad(ctx, 5);
  in_bytes = bytes_of(p.frames, p.in_len, &ok);
  in_bytes = bytes_of((int32_t)in_bytes, elem, &ok);
  out_bytes = bytes_of(p.frames, p.fft_length + 2, &ok);
  out_bytes = bytes_of((int32_t)out_bytes, elem, &ok);
  scratch_bytes = bytes_of(p.fft_length, elem, &ok);
  if (!ok) return bad(ctx, 6);
  st = tml_check_input(ctx, op, 0, dtype, in_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, dtype, out_bytes);
  if (st == TML_OK)
    st = check_buffer(ctx, op, 1, scratch_bytes, (uint32_t)elem);
  return st;
}

static void eval_rfft(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_rfft_params p;
  const int32_t *stages = op->params + WORDS(p);
  const int32_t *tw;
  void *in, *out, *scratch;
  memcpy(&p, op->params, sizeof p);
  tw = stages + 2 * p.n_stages;
  in = tml_tensor_data(ctx, op->in[0]);
  out = tml_tensor_data(ctx, op->out[0]);
  scratch = tml_tensor_data(ctx, op->out[1]);
  switch (op->kind) {
    case TML_K_SIG_RFFT_S16:
      tml_sig_rfft_s16(&p, stages, tw, (const int16_t *)in,
                       (int16_t *)scratch, (int16_t *)out);
      break;
    case TML_K_SIG_RFFT_S32:
      tml_sig_rfft_s32(&p, stages, tw, (const int32_t *)in,
                       (int32_t *)scratch, (int32_t *)out);
      break;
    default:
      tml_sig_rfft_f32(&p, stages, tw, (const float *)in, (float *)scratch,
                       (float *)out);
      break;
  }
}

/* ---- SignalEnergy ---- */

static tml_status check_energy(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_energy_params p;
  int ok = 1;
  uint32_t n;
  tml_status st = check_shape(ctx, op, 1, 1, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.start < 0 || p.end < p.start) return bad(ctx, 1);
  /* One complex int16 in and one uint32 out per bin: 4 bytes each. */
  n = bytes_of(p.end, 4, &ok);
  if (!ok) return bad(ctx, 2);
  st = tml_check_input(ctx, op, 0, TML_INT16, n, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_UINT32, n);
  return st;
}

static void eval_energy(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_energy_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_energy(&p, (const int16_t *)tml_tensor_data(ctx, op->in[0]),
                 (uint32_t *)tml_tensor_data(ctx, op->out[0]));
}

/* ---- SignalFilterBank ---- */

static tml_status check_filter_bank(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_filter_bank_params p;
  int ok = 1;
  uint32_t in_bytes, w_bytes, table_bytes, out_bytes;
  int32_t k;
  tml_status st = check_shape(ctx, op, 6, 1, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.num_channels <= 0 || p.num_channels == INT32_MAX) return bad(ctx, 1);
  if (p.in_len <= 0 || p.weights_len <= 0) return bad(ctx, 2);
  if (p.out_len <= 0 || p.out_len > p.num_channels) return bad(ctx, 3);
  in_bytes = bytes_of(p.in_len, 4, &ok);
  w_bytes = bytes_of(p.weights_len, 2, &ok);
  table_bytes = bytes_of(p.num_channels + 1, 2, &ok);
  out_bytes = bytes_of(p.out_len, 8, &ok);
  if (!ok) return bad(ctx, 4);
  st = tml_check_input(ctx, op, 0, TML_UINT32, in_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, TML_INT16, w_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 2, TML_INT16, w_bytes, 0);
  for (k = 3; k < 6 && st == TML_OK; k++)
    st = tml_check_input(ctx, op, k, TML_INT16, table_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_UINT64, out_bytes);
  return st;
}

static void eval_filter_bank(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_filter_bank_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_filter_bank(&p, (const uint32_t *)tml_tensor_data(ctx, op->in[0]),
                      (const int16_t *)tml_tensor_data(ctx, op->in[1]),
                      (const int16_t *)tml_tensor_data(ctx, op->in[2]),
                      (const int16_t *)tml_tensor_data(ctx, op->in[3]),
                      (const int16_t *)tml_tensor_data(ctx, op->in[4]),
                      (const int16_t *)tml_tensor_data(ctx, op->in[5]),
                      (uint64_t *)tml_tensor_data(ctx, op->out[0]));
}

/* ---- SignalFilterBankSquareRoot ---- */

static tml_status check_fb_sqrt(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_fb_sqrt_params p;
  int ok = 1;
  uint32_t in_bytes, out_bytes;
  tml_status st = check_shape(ctx, op, 2, 1, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.size <= 0) return bad(ctx, 1);
  in_bytes = bytes_of(p.size, 8, &ok);
  out_bytes = bytes_of(p.size, 4, &ok);
  if (!ok) return bad(ctx, 2);
  st = tml_check_input(ctx, op, 0, TML_UINT64, in_bytes, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, TML_INT32, 4, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_UINT32, out_bytes);
  return st;
}

static void eval_fb_sqrt(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_fb_sqrt_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_filter_bank_sqrt(
      &p, (const uint64_t *)tml_tensor_data(ctx, op->in[0]),
      (const int32_t *)tml_tensor_data(ctx, op->in[1]),
      (uint32_t *)tml_tensor_data(ctx, op->out[0]));
}

/* ---- SignalFilterBankSpectralSubtraction ---- */

static tml_status check_spectral_sub(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_spectral_sub_params p;
  int ok = 1;
  uint32_t n, noise;
  tml_status st = check_shape(ctx, op, 1, 3, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.num_channels <= 0) return bad(ctx, 1);
  if (p.smoothing_bits < 0 || p.smoothing_bits > 31) return bad(ctx, 2);
  if (p.spectral_subtraction_bits < 0 || p.spectral_subtraction_bits > 63)
    return bad(ctx, 3);
  if (p.clamping != 0 && p.clamping != 1) return bad(ctx, 4);
  if (p.noise_len < 0 || p.noise_len > p.num_channels) return bad(ctx, 5);
  n = bytes_of(p.num_channels, 4, &ok);
  noise = bytes_of(p.noise_len, 4, &ok);
  if (!ok) return bad(ctx, 6);
  st = tml_check_input(ctx, op, 0, TML_UINT32, n, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_UINT32, n);
  if (st == TML_OK) st = tml_check_output(ctx, op, 1, TML_UINT32, noise);
  if (st == TML_OK) st = check_buffer(ctx, op, 2, n, 4);
  return st;
}

static void eval_spectral_sub(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_spectral_sub_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_spectral_sub(&p, (const uint32_t *)tml_tensor_data(ctx, op->in[0]),
                       (uint32_t *)tml_tensor_data(ctx, op->out[0]),
                       (uint32_t *)tml_tensor_data(ctx, op->out[1]),
                       (uint32_t *)tml_tensor_data(ctx, op->out[2]));
}

/* ---- SignalPCAN ---- */

/* The gain table: 4 entries per power-of-two interval of a uint32, the
 * last interval (32) reaching index 4 * 32 - 6 + 2. */
#define PCAN_LUT_ENTRIES 125

static tml_status check_pcan(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_pcan_params p;
  int ok = 1;
  uint32_t n;
  tml_status st = check_shape(ctx, op, 3, 1, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.size <= 0) return bad(ctx, 1);
  if (p.snr_shift < 0 || p.snr_shift > 63) return bad(ctx, 2);
  n = bytes_of(p.size, 4, &ok);
  if (!ok) return bad(ctx, 3);
  st = tml_check_input(ctx, op, 0, TML_UINT32, n, 0);
  if (st == TML_OK) st = tml_check_input(ctx, op, 1, TML_UINT32, n, 0);
  if (st == TML_OK)
    st = tml_check_input(ctx, op, 2, TML_INT16, PCAN_LUT_ENTRIES * 2, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_UINT32, n);
  return st;
}

static void eval_pcan(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_pcan_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_pcan(&p, (const uint32_t *)tml_tensor_data(ctx, op->in[0]),
               (const uint32_t *)tml_tensor_data(ctx, op->in[1]),
               (const int16_t *)tml_tensor_data(ctx, op->in[2]),
               (uint32_t *)tml_tensor_data(ctx, op->out[0]));
}

/* ---- SignalFilterBankLog ---- */

static tml_status check_fb_log(tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_fb_log_params p;
  int ok = 1;
  uint32_t in_bytes, out_bytes;
  tml_status st = check_shape(ctx, op, 1, 1, WORDS(p));
  if (st != TML_OK) return st;
  memcpy(&p, op->params, sizeof p);
  if (p.size <= 0) return bad(ctx, 1);
  if (p.correction_bits < 0 || p.correction_bits > 31) return bad(ctx, 2);
  in_bytes = bytes_of(p.size, 4, &ok);
  out_bytes = bytes_of(p.size, 2, &ok);
  if (!ok) return bad(ctx, 3);
  st = tml_check_input(ctx, op, 0, TML_UINT32, in_bytes, 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, TML_INT16, out_bytes);
  return st;
}

static void eval_fb_log(const tml_ctx *ctx, const tml_op_view *op) {
  tml_sig_fb_log_params p;
  memcpy(&p, op->params, sizeof p);
  tml_sig_filter_bank_log(&p,
                          (const uint32_t *)tml_tensor_data(ctx, op->in[0]),
                          (int16_t *)tml_tensor_data(ctx, op->out[0]));
}

const tml_op_entry tml_op_sig_window = {TML_K_SIG_WINDOW, check_window,
                                        eval_window};
const tml_op_entry tml_op_sig_auto_scale = {TML_K_SIG_FFT_AUTO_SCALE,
                                            check_auto_scale, eval_auto_scale};
const tml_op_entry tml_op_sig_rfft_s16 = {TML_K_SIG_RFFT_S16, check_rfft,
                                          eval_rfft};
const tml_op_entry tml_op_sig_rfft_s32 = {TML_K_SIG_RFFT_S32, check_rfft,
                                          eval_rfft};
const tml_op_entry tml_op_sig_rfft_f32 = {TML_K_SIG_RFFT_F32, check_rfft,
                                          eval_rfft};
const tml_op_entry tml_op_sig_energy = {TML_K_SIG_ENERGY, check_energy,
                                        eval_energy};
const tml_op_entry tml_op_sig_filter_bank = {TML_K_SIG_FILTER_BANK,
                                             check_filter_bank,
                                             eval_filter_bank};
const tml_op_entry tml_op_sig_fb_sqrt = {TML_K_SIG_FILTER_BANK_SQRT,
                                         check_fb_sqrt, eval_fb_sqrt};
const tml_op_entry tml_op_sig_spectral_sub = {TML_K_SIG_SPECTRAL_SUB,
                                              check_spectral_sub,
                                              eval_spectral_sub};
const tml_op_entry tml_op_sig_pcan = {TML_K_SIG_PCAN, check_pcan, eval_pcan};
const tml_op_entry tml_op_sig_fb_log = {TML_K_SIG_FILTER_BANK_LOG,
                                        check_fb_log, eval_fb_log};
