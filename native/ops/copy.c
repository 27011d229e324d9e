/*
 * copy.c - op adapter for RESHAPE / SQUEEZE / EXPAND_DIMS: the data does not
 * change, only the shape TypeScript attaches to it. The planner usually
 * aliases the output onto the input, and then there is nothing to do; when
 * it cannot (e.g. the input is a model constant), the bytes are copied.
 *
 * Op record: in = [input], out = [output], params = [bytes].
 */
#include <string.h>

#include "internal.h"

static tml_status check_copy(tml_ctx *ctx, const tml_op_view *op) {
  tml_status st;
  if (op->n_in != 1 || op->n_out != 1 || op->n_params != 1 ||
      op->params[0] < 0) {
    ctx->err_detail = 0;
    return TML_E_BAD_PARAMS;
  }
  /* Any dtype: a reshape moves raw bytes. */
  st = tml_check_input(ctx, op, 0, -1, (uint32_t)op->params[0], 0);
  if (st == TML_OK) st = tml_check_output(ctx, op, 0, -1, (uint32_t)op->params[0]);
  return st;
}

static void eval_copy(const tml_ctx *ctx, const tml_op_view *op) {
  const void *src = tml_tensor_data(ctx, op->in[0]);
  void *dst = tml_tensor_data(ctx, op->out[0]);
  /* memmove: a partly overlapping plan must still give the input bytes. */
  if (src != dst) memmove(dst, src, (size_t)op->params[0]);
}

const tml_op_entry tml_op_copy = {TML_K_COPY, check_copy, eval_copy};
