/*
 * conv_add.c - op adapters for CONV_2D + ADD fused by src/runtime/fuse.ts
 * (int8 per-channel conv + quantized ADD, float32 conv + float ADD).
 *
 * Op record: in = [conv input, filter, bias (-1 = none), x],
 * out = [output, row scratch (out_w * out_c elements)],
 * params = the conv's words (tml_conv_params, then for int8 out_c
 * multipliers and packed shifts), the ADD's words (tml_addsub_q_params or
 * tml_binary_params), then conv_slot: the ADD input (0 or 1) that was the
 * conv output.
 *
 * check runs the conv adapter's and the ADD adapter's own checks on views
 * of this record (conv output = our output, ADD inputs = x twice), then
 * what fusion adds: no broadcasting, same element count, the scratch row,
 * and buffers that must not share memory (out may be x itself, nothing else).
 */
#include <string.h>

#include "backend.h"
#include "internal.h"

#define CONV_WORDS ((int32_t)(sizeof(tml_conv_params) / sizeof(int32_t)))
#define WORDS(t) ((int32_t)(sizeof(t) / sizeof(int32_t)))

extern const tml_op_entry tml_op_conv_s8, tml_op_conv_f32, tml_op_addsub_q,
    tml_op_binary;

static tml_status bad(tml_ctx *ctx, int32_t detail) {
  ctx->err_detail = detail;
  return TML_E_BAD_PARAMS;
}

/* Words of the conv part, 0 if out_c is out of range. */
static int32_t conv_words(const tml_conv_params *p, int is_s8) {
  if (!is_s8) return CONV_WORDS;
  if (p->out_c <= 0 || p->out_c > (INT32_MAX - CONV_WORDS) / 2) return 0;
  return CONV_WORDS + p->out_c + TML_SHIFT_WORDS(p->out_c);
}

/* Do tensors a and b (both present) share any byte? */
static int overlap(const tml_ctx *ctx, int32_t a, int32_t b) {
  const uintptr_t pa = (uintptr_t)tml_tensor_data(ctx, a);
  const uintptr_t pb = (uintptr_t)tml_tensor_data(ctx, b);
  const uint32_t na = tml_tensor_bytes(ctx, a), nb = tml_tensor_bytes(ctx, b);
  if (pa == 0 || pb == 0 || na == 0 || nb == 0) return 0;
  return pa < pb + nb && pb < pa + na;
}

static tml_status check_conv_add(tml_ctx *ctx, const tml_op_view *op,
                                 int is_s8) {
  tml_conv_params cp;
  tml_bcast_shape shape;
  tml_op_view cv, av;
  int32_t x_in[2];
  int32_t cw, aw, slot, d, in, out, row;
  uint32_t n, count = 1;
  int ok = 1;
  tml_status st;

  if (op->n_in != 4 || op->n_out != 2 || op->n_params < CONV_WORDS)
    return bad(ctx, 0);
  memcpy(&cp, op->params, sizeof cp);
  cw = conv_words(&cp, is_s8);
  aw = is_s8 ? WORDS(tml_addsub_q_params) : WORDS(tml_binary_params);
  if (cw == 0 || (int64_t)op->n_params != (int64_t)cw + aw + 1)
    return bad(ctx, 0);

  cv = *op;
  cv.kind = is_s8 ? TML_K_CONV_S8 : TML_K_CONV_F32;
  cv.n_in = 3;
  cv.n_out = 1;
  cv.n_params = cw;
  st = (is_s8 ? tml_op_conv_s8 : tml_op_conv_f32).check(ctx, &cv);
  if (st != TML_OK) return st;

  x_in[0] = x_in[1] = op->in[3];
  av = *op;
  av.kind = is_s8 ? TML_K_ADDSUB_Q : TML_K_BINARY;
  av.n_in = 2;
  av.n_out = 1;
  av.in = x_in;
  av.n_params = aw;
  av.params = op->params + cw;
  st = (is_s8 ? tml_op_addsub_q : tml_op_binary).check(ctx, &av);
  if (st != TML_OK) return st;

  /* ADD only, of this dtype (the ADD check allowed others). */
  if (is_s8) {
    tml_addsub_q_params ap;
    memcpy(&ap, av.params, sizeof ap);
    if (ap.dtype != TML_INT8 || ap.is_sub != 0) return bad(ctx, cw + 18);
    shape = ap.shape;
  } else {
    tml_binary_params ap;
    memcpy(&ap, av.params, sizeof ap);
    if (ap.dtype != TML_FLOAT32 || ap.op != TML_BIN_ADD) return bad(ctx, cw + 18);
    shape = ap.shape;
  }
  slot = op->params[cw + aw];
  if (slot != 0 && slot != 1) return bad(ctx, cw + aw);

  /* No broadcasting, and the ADD covers exactly the conv output. */
  for (d = 0; d < TML_BCAST_DIMS; d++) {
    if (shape.in1[d] != shape.out[d] || shape.in2[d] != shape.out[d])
      return bad(ctx, cw + d);
    count = tml_mul_size((int32_t)count, shape.out[d], &ok);
  }
  n = tml_mul_size(cp.batches, cp.out_h, &ok);
  n = tml_mul_size((int32_t)n, cp.out_w, &ok);
  n = tml_mul_size((int32_t)n, cp.out_c, &ok);
  if (!ok || n != count) return bad(ctx, cw);

  /* The scratch row: out_w * out_c elements, float-aligned for f32. */
  n = tml_mul_size(cp.out_w, cp.out_c, &ok);
  n = tml_mul_size((int32_t)n, is_s8 ? 1 : 4, &ok);
  if (!ok) return bad(ctx, cw);
  st = tml_check_output(ctx, op, 1, -1, n);
  if (st != TML_OK) return st;
  row = op->out[1];
  if (((uintptr_t)tml_tensor_data(ctx, row)) % (is_s8 ? 1u : 4u) != 0) {
    ctx->err_detail = row;
    return TML_E_MISALIGNED;
  }

  /* Rows of out are written while the conv still reads all of its input,
   * and each row of the scratch is read while out is written. */
  in = op->in[0];
  out = op->out[0];
  if (overlap(ctx, out, in) || overlap(ctx, row, in) ||
      overlap(ctx, row, op->in[1]) || overlap(ctx, row, op->in[2]) ||
      overlap(ctx, row, op->in[3]) || overlap(ctx, row, out))
    return bad(ctx, 100);
  /* out is x itself (in place) or apart from it. */
  if (overlap(ctx, out, op->in[3]) &&
      tml_tensor_data(ctx, out) != tml_tensor_data(ctx, op->in[3]))
    return bad(ctx, 101);
  return TML_OK;
}

static tml_status check_conv_add_s8(tml_ctx *ctx, const tml_op_view *op) {
  return check_conv_add(ctx, op, 1);
}

static tml_status check_conv_add_f32(tml_ctx *ctx, const tml_op_view *op) {
  return check_conv_add(ctx, op, 0);
}

static void eval_conv_add_s8(const tml_ctx *ctx, const tml_op_view *op) {
  tml_conv_params cp;
  tml_addsub_q_params ap;
  int32_t cw;
  memcpy(&cp, op->params, sizeof cp);
  cw = CONV_WORDS + cp.out_c + TML_SHIFT_WORDS(cp.out_c);
  memcpy(&ap, op->params + cw, sizeof ap);
  TML_KERNEL(conv_add_s8)(&cp, op->params + CONV_WORDS,
                  tml_packed_i8(op->params + CONV_WORDS + cp.out_c), &ap,
                  op->params[cw + WORDS(ap)],
                  (const int8_t *)tml_tensor_data(ctx, op->in[0]),
                  (const int8_t *)tml_tensor_data(ctx, op->in[1]),
                  (const int32_t *)tml_tensor_data(ctx, op->in[2]),
                  (const int8_t *)tml_tensor_data(ctx, op->in[3]),
                  (int8_t *)tml_tensor_data(ctx, op->out[0]),
                  (int8_t *)tml_tensor_data(ctx, op->out[1]));
}

static void eval_conv_add_f32(const tml_ctx *ctx, const tml_op_view *op) {
  tml_conv_params cp;
  tml_binary_params ap;
  memcpy(&cp, op->params, sizeof cp);
  memcpy(&ap, op->params + CONV_WORDS, sizeof ap);
  tml_conv_add_f32(&cp, &ap, op->params[CONV_WORDS + WORDS(ap)],
                   (const float *)tml_tensor_data(ctx, op->in[0]),
                   (const float *)tml_tensor_data(ctx, op->in[1]),
                   (const float *)tml_tensor_data(ctx, op->in[2]),
                   (const float *)tml_tensor_data(ctx, op->in[3]),
                   (float *)tml_tensor_data(ctx, op->out[0]),
                   (float *)tml_tensor_data(ctx, op->out[1]));
}

const tml_op_entry tml_op_conv_add_s8 = {TML_K_CONV_ADD_S8, check_conv_add_s8,
                                         eval_conv_add_s8};
const tml_op_entry tml_op_conv_add_f32 = {TML_K_CONV_ADD_F32,
                                          check_conv_add_f32,
                                          eval_conv_add_f32};
