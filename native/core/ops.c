/* ops.c - the table of op adapters, by kernel kind. Adding a kernel variant is
 * adding its adapter file under native/ops/ and one line here. */
#include "internal.h"

extern const tml_op_entry tml_op_copy, tml_op_fc_s8, tml_op_fc_f32,
    tml_op_conv_s8, tml_op_conv_f32, tml_op_dwconv_s8, tml_op_dwconv_f32,
    tml_op_avgpool_s8, tml_op_avgpool_f32, tml_op_maxpool_s8,
    tml_op_maxpool_f32, tml_op_softmax_s8, tml_op_softmax_f32;
/* -- elementwise binary, activations, quantize/cast -- */
/* -- data movement and reductions -- */
/* -- TRANSPOSE_CONV, SVDF, LSTM -- */
/* -- signal-library custom ops -- */

static const tml_op_entry *const op_table[] = {
    &tml_op_copy,       &tml_op_fc_s8,      &tml_op_fc_f32,
    &tml_op_conv_s8,    &tml_op_conv_f32,   &tml_op_dwconv_s8,
    &tml_op_dwconv_f32, &tml_op_avgpool_s8, &tml_op_avgpool_f32,
    &tml_op_maxpool_s8, &tml_op_maxpool_f32, &tml_op_softmax_s8,
    &tml_op_softmax_f32,
    /* -- elementwise binary, activations, quantize/cast -- */
    /* -- data movement and reductions -- */
    /* -- TRANSPOSE_CONV, SVDF, LSTM -- */
    /* -- signal-library custom ops -- */
};

const tml_op_entry *tml_find_op(int32_t kind) {
  uint32_t i;
  for (i = 0; i < sizeof op_table / sizeof op_table[0]; i++) {
    if (op_table[i]->kind == kind) return op_table[i];
  }
  return 0;
}
