/* ops.c - the table of op adapters, by kernel kind. Adding a kernel variant is
 * adding its adapter file under native/ops/ and one line here. */
#include "internal.h"

extern const tml_op_entry tml_op_copy, tml_op_fc_s8, tml_op_fc_f32,
    tml_op_conv_s8, tml_op_conv_f32, tml_op_dwconv_s8, tml_op_dwconv_f32,
    tml_op_avgpool_s8, tml_op_avgpool_f32, tml_op_maxpool_s8,
    tml_op_maxpool_f32, tml_op_softmax_s8, tml_op_softmax_f32;
/* -- elementwise binary, activations, quantize/cast -- */
extern const tml_op_entry tml_op_addsub_q, tml_op_mul_q, tml_op_div_s8,
    tml_op_binary, tml_op_logistic_s8, tml_op_tanh_s8, tml_op_unary_f32,
    tml_op_relu_q, tml_op_clamp_q, tml_op_leaky_relu_q, tml_op_hard_swish_s8,
    tml_op_lut_s8, tml_op_requantize, tml_op_quantize_f32, tml_op_dequantize,
    tml_op_cast, tml_op_conv_add_s8, tml_op_conv_add_f32;
/* -- data movement and reductions -- */
extern const tml_op_entry tml_op_move, tml_op_gather, tml_op_resize_nn,
    tml_op_reduce_q, tml_op_reduce_f32, tml_op_arg_minmax;
/* -- TRANSPOSE_CONV, SVDF, LSTM -- */
extern const tml_op_entry tml_op_tconv_s8, tml_op_tconv_f32, tml_op_svdf_s8,
    tml_op_svdf_s8_s16, tml_op_svdf_f32, tml_op_lstm_s8, tml_op_lstm_f32;
/* -- signal-library custom ops -- */
extern const tml_op_entry tml_op_sig_window, tml_op_sig_auto_scale,
    tml_op_sig_rfft_s16, tml_op_sig_rfft_s32, tml_op_sig_rfft_f32,
    tml_op_sig_energy, tml_op_sig_filter_bank, tml_op_sig_fb_sqrt,
    tml_op_sig_spectral_sub, tml_op_sig_pcan, tml_op_sig_fb_log;

static const tml_op_entry *const op_table[] = {
    &tml_op_copy,       &tml_op_fc_s8,      &tml_op_fc_f32,
    &tml_op_conv_s8,    &tml_op_conv_f32,   &tml_op_dwconv_s8,
    &tml_op_dwconv_f32, &tml_op_avgpool_s8, &tml_op_avgpool_f32,
    &tml_op_maxpool_s8, &tml_op_maxpool_f32, &tml_op_softmax_s8,
    &tml_op_softmax_f32,
    /* -- elementwise binary, activations, quantize/cast -- */
    &tml_op_addsub_q,   &tml_op_mul_q,      &tml_op_div_s8,
    &tml_op_binary,     &tml_op_logistic_s8, &tml_op_tanh_s8,
    &tml_op_unary_f32,  &tml_op_relu_q,     &tml_op_clamp_q,
    &tml_op_leaky_relu_q, &tml_op_hard_swish_s8, &tml_op_lut_s8,
    &tml_op_requantize, &tml_op_quantize_f32, &tml_op_dequantize,
    &tml_op_cast,       &tml_op_conv_add_s8, &tml_op_conv_add_f32,
    /* -- data movement and reductions -- */
    &tml_op_move,       &tml_op_gather,     &tml_op_resize_nn,
    &tml_op_reduce_q,   &tml_op_reduce_f32, &tml_op_arg_minmax,
    /* -- TRANSPOSE_CONV, SVDF, LSTM -- */
    &tml_op_tconv_s8,   &tml_op_tconv_f32,  &tml_op_svdf_s8,
    &tml_op_svdf_s8_s16, &tml_op_svdf_f32,  &tml_op_lstm_s8,
    &tml_op_lstm_f32,
    /* -- signal-library custom ops -- */
    &tml_op_sig_window, &tml_op_sig_auto_scale, &tml_op_sig_rfft_s16,
    &tml_op_sig_rfft_s32, &tml_op_sig_rfft_f32, &tml_op_sig_energy,
    &tml_op_sig_filter_bank, &tml_op_sig_fb_sqrt, &tml_op_sig_spectral_sub,
    &tml_op_sig_pcan, &tml_op_sig_fb_log,
};

const tml_op_entry *tml_find_op(int32_t kind) {
  uint32_t i;
  for (i = 0; i < sizeof op_table / sizeof op_table[0]; i++) {
    if (op_table[i]->kind == kind) return op_table[i];
  }
  return 0;
}
