/*
 * cmsis_nn.c - the CMSIS-NN backend: adapters from our kernel structs to
 * CMSIS-NN's s8 functions (convolve / depthwise wrappers, fully connected,
 * average pool, elementwise add), byte-identical with the reference kernels
 * (CMSIS-NN requantizes with TFLM's double rounding unless built with
 * CMSIS_NN_USE_SINGLE_ROUNDING, which the board build never sets).
 *
 * Each adapter first checks what CMSIS-NN documents or assumes (offset
 * ranges, 16-bit dimensions, TFLite window geometry, the scratch it needs)
 * and runs the reference kernel for anything else, or when CMSIS-NN
 * returns an error; the reference then writes the whole output again.
 */
#include <stdint.h>

#include "tinyml.h"

#include "cmsis_nn.h"

#include "arm_nnfunctions.h"

#if defined(CMSIS_NN_USE_SINGLE_ROUNDING)
#error "CMSIS_NN_USE_SINGLE_ROUNDING rounds differently from TFLM"
#endif

/* CMSIS-NN's ctx buffer, then the int32 per-channel shifts (ours are
 * packed int8). Static: see TML_CMSIS_NN_SCRATCH_BYTES in cmsis_nn.h. */
static int32_t scratch[TML_CMSIS_NN_SCRATCH_BYTES / 4];

/* Largest dimension, stride, padding or dilation passed on: CMSIS-NN holds
 * several of them in uint16_t. */
#define DIM_MAX 32767

static int dim_ok(int32_t v) { return v >= 0 && v <= DIM_MAX; }

/* Offsets CMSIS-NN's s8 kernels take (int8 zero points; the int16 lanes of
 * the DSP paths hold x + offset exactly). */
static int in_offset_ok(int32_t v) { return v >= -127 && v <= 128; }
static int out_offset_ok(int32_t v) { return v >= -128 && v <= 127; }

/* One axis of a window walk as TFLite makes it: the last window starts
 * inside the input and ends at most pad + 1 past it (SAME puts the odd
 * padding after). CMSIS-NN's kernels read the taps they assume are in
 * bounds under this geometry only. */
static int axis_ok(int32_t in, int32_t out, int32_t stride, int32_t f,
                   int32_t dil, int32_t pad) {
  const int64_t last = (int64_t)(out - 1) * stride;
  return last <= (int64_t)in - 1 &&
         last - pad + (int64_t)(f - 1) * dil <= (int64_t)in + pad;
}

/* Everything above for a convolution, and a patch (f_h * f_w * in_c) small
 * enough for CMSIS-NN's int32 buffer size arithmetic to stay exact. */
static int conv_geometry_ok(const tml_conv_params *p) {
  return (int64_t)p->f_h * p->f_w * p->in_c <= ((int64_t)1 << 24) &&
         dim_ok(p->batches) && dim_ok(p->in_h) && dim_ok(p->in_w) &&
         dim_ok(p->in_c) && dim_ok(p->f_h) && dim_ok(p->f_w) &&
         dim_ok(p->out_h) && dim_ok(p->out_w) && dim_ok(p->out_c) &&
         dim_ok(p->stride_h) && dim_ok(p->stride_w) && dim_ok(p->pad_h) &&
         dim_ok(p->pad_w) && dim_ok(p->dil_h) && dim_ok(p->dil_w) &&
         in_offset_ok(p->in_offset) && out_offset_ok(p->out_offset) &&
         axis_ok(p->in_h, p->out_h, p->stride_h, p->f_h, p->dil_h, p->pad_h) &&
         axis_ok(p->in_w, p->out_w, p->stride_w, p->f_w, p->dil_w, p->pad_w);
}

/* The int32 shifts after `offset` bytes of the scratch, or NULL when
 * offset + n shifts do not fit. */
static int32_t *shifts_at(int32_t offset, const int8_t *shift, int32_t n) {
  int32_t *s;
  int32_t i;
  if (offset < 0 || n < 0 || (offset & 3) != 0 ||
      (int64_t)offset + 4 * (int64_t)n > (int64_t)sizeof scratch)
    return NULL;
  s = scratch + offset / 4;
  for (i = 0; i < n; i++) s[i] = shift[i];
  return s;
}

static int32_t round4(int32_t n) { return (n + 3) & ~3; }

static void dims(cmsis_nn_dims *d, int32_t n, int32_t h, int32_t w,
                 int32_t c) {
  d->n = n;
  d->h = h;
  d->w = w;
  d->c = c;
}

/* CONV_2D through arm_convolve_wrapper_s8; 0 if CMSIS-NN did not run it. */
static int conv_cmsis(const tml_conv_params *p, const int32_t *mult,
                      const int8_t *shift, const int8_t *in,
                      const int8_t *filter, const int32_t *bias, int8_t *out) {
  cmsis_nn_conv_params cp;
  cmsis_nn_per_channel_quant_params q;
  cmsis_nn_dims in_d, f_d, b_d, out_d;
  cmsis_nn_context ctx;
  int32_t need;
  /* Grouped convolutions and a missing bias stay with the reference. */
  if (bias == NULL || p->f_in_c != p->in_c || !conv_geometry_ok(p)) return 0;
  dims(&in_d, p->batches, p->in_h, p->in_w, p->in_c);
  dims(&f_d, p->out_c, p->f_h, p->f_w, p->f_in_c);
  dims(&b_d, 1, 1, 1, p->out_c);
  dims(&out_d, p->batches, p->out_h, p->out_w, p->out_c);
  cp.input_offset = p->in_offset;
  cp.output_offset = p->out_offset;
  cp.stride.w = p->stride_w;
  cp.stride.h = p->stride_h;
  cp.padding.w = p->pad_w;
  cp.padding.h = p->pad_h;
  cp.dilation.w = p->dil_w;
  cp.dilation.h = p->dil_h;
  cp.activation.min = p->act_min;
  cp.activation.max = p->act_max;
  /* The unit-stride 1x1 path takes the output size from the input's. */
  if (p->f_h == 1 && p->f_w == 1 && p->pad_h == 0 && p->pad_w == 0 &&
      p->stride_h == 1 && p->stride_w == 1 &&
      (p->out_h != p->in_h || p->out_w != p->in_w))
    return 0;
  need = round4(arm_convolve_wrapper_s8_get_buffer_size(&cp, &in_d, &f_d, &out_d));
  q.multiplier = (int32_t *)(uintptr_t)mult; /* read only */
  q.shift = shifts_at(need, shift, p->out_c);
  if (q.shift == NULL) return 0;
  ctx.buf = need > 0 ? scratch : NULL;
  ctx.size = need;
  return arm_convolve_wrapper_s8(&ctx, &cp, &q, &in_d, in, &f_d, filter, &b_d,
                                 bias, &out_d, out) == ARM_CMSIS_NN_SUCCESS;
}

void tml_cmsis_conv_s8(const tml_conv_params *p, const int32_t *mult,
                       const int8_t *shift, const int8_t *in,
                       const int8_t *filter, const int32_t *bias, int8_t *out) {
  if (!conv_cmsis(p, mult, shift, in, filter, bias, out))
    tml_conv_s8(p, mult, shift, in, filter, bias, out);
}

void tml_cmsis_dwconv_s8(const tml_conv_params *p, const int32_t *mult,
                         const int8_t *shift, const int8_t *in,
                         const int8_t *filter, const int32_t *bias,
                         int8_t *out) {
  cmsis_nn_dw_conv_params dp;
  cmsis_nn_per_channel_quant_params q;
  cmsis_nn_dims in_d, f_d, b_d, out_d;
  cmsis_nn_context ctx;
  int32_t need;
  if (bias == NULL || !conv_geometry_ok(p) || !dim_ok(p->depth_mult)) {
    tml_dwconv_s8(p, mult, shift, in, filter, bias, out);
    return;
  }
  dims(&in_d, p->batches, p->in_h, p->in_w, p->in_c);
  dims(&f_d, 1, p->f_h, p->f_w, p->out_c);
  dims(&b_d, 1, 1, 1, p->out_c);
  dims(&out_d, p->batches, p->out_h, p->out_w, p->out_c);
  dp.input_offset = p->in_offset;
  dp.output_offset = p->out_offset;
  dp.ch_mult = p->depth_mult;
  dp.stride.w = p->stride_w;
  dp.stride.h = p->stride_h;
  dp.padding.w = p->pad_w;
  dp.padding.h = p->pad_h;
  dp.dilation.w = p->dil_w;
  dp.dilation.h = p->dil_h;
  dp.activation.min = p->act_min;
  dp.activation.max = p->act_max;
  need = round4(arm_depthwise_conv_wrapper_s8_get_buffer_size(&dp, &in_d, &f_d, &out_d));
  q.multiplier = (int32_t *)(uintptr_t)mult;
  q.shift = shifts_at(need, shift, p->out_c);
  ctx.buf = need > 0 ? scratch : NULL;
  ctx.size = need;
  if (q.shift == NULL ||
      arm_depthwise_conv_wrapper_s8(&ctx, &dp, &q, &in_d, in, &f_d, filter,
                                    &b_d, bias, &out_d, out) != ARM_CMSIS_NN_SUCCESS)
    tml_dwconv_s8(p, mult, shift, in, filter, bias, out);
}

/* Shared by both FC kinds: the dims and params, 0 if out of CMSIS-NN's
 * ranges. */
static int fc_setup(const tml_fc_s8_params *p, int32_t w_offset,
                    const int32_t *bias, cmsis_nn_fc_params *fp,
                    cmsis_nn_dims *in_d, cmsis_nn_dims *f_d,
                    cmsis_nn_dims *b_d, cmsis_nn_dims *out_d) {
  if (bias == NULL || !in_offset_ok(p->in_offset) ||
      !in_offset_ok(w_offset) || !out_offset_ok(p->out_offset))
    return 0;
  fp->input_offset = p->in_offset;
  fp->filter_offset = w_offset;
  fp->output_offset = p->out_offset;
  fp->activation.min = p->act_min;
  fp->activation.max = p->act_max;
  dims(in_d, p->batches, 1, 1, p->accum_depth);
  dims(f_d, p->accum_depth, 1, 1, p->out_depth);
  dims(b_d, 1, 1, 1, p->out_depth);
  dims(out_d, p->batches, 1, 1, p->out_depth);
  return 1;
}

void tml_cmsis_fc_s8(const tml_fc_s8_params *p, const int8_t *in,
                     const int8_t *w, const int32_t *bias, int8_t *out) {
  cmsis_nn_fc_params fp;
  cmsis_nn_per_tensor_quant_params q;
  cmsis_nn_dims in_d, f_d, b_d, out_d;
  cmsis_nn_context ctx;
  if (!fc_setup(p, p->w_offset, bias, &fp, &in_d, &f_d, &b_d, &out_d) ||
      arm_fully_connected_s8_get_buffer_size(&f_d) != 0) {
    tml_fc_s8(p, in, w, bias, out);
    return;
  }
  q.multiplier = p->out_mult;
  q.shift = p->out_shift;
  ctx.buf = NULL;
  ctx.size = 0;
  if (arm_fully_connected_s8(&ctx, &fp, &q, &in_d, in, &f_d, w, &b_d, bias,
                             &out_d, out) != ARM_CMSIS_NN_SUCCESS)
    tml_fc_s8(p, in, w, bias, out);
}

void tml_cmsis_fc_s8_per_channel(const tml_fc_s8_params *p,
                                 const int32_t *mult, const int8_t *shift,
                                 const int8_t *in, const int8_t *w,
                                 const int32_t *bias, int8_t *out) {
  cmsis_nn_fc_params fp;
  cmsis_nn_per_channel_quant_params q;
  cmsis_nn_dims in_d, f_d, b_d, out_d;
  cmsis_nn_context ctx;
  /* Per-channel weights are symmetric: w_offset is ignored, as by the
   * reference. */
  if (!fc_setup(p, 0, bias, &fp, &in_d, &f_d, &b_d, &out_d) ||
      arm_fully_connected_s8_get_buffer_size(&f_d) != 0 ||
      (q.shift = shifts_at(0, shift, p->out_depth)) == NULL) {
    tml_fc_s8_per_channel(p, mult, shift, in, w, bias, out);
    return;
  }
  q.multiplier = (int32_t *)(uintptr_t)mult;
  ctx.buf = NULL;
  ctx.size = 0;
  if (arm_fully_connected_per_channel_s8(&ctx, &fp, &q, &in_d, in, &f_d, w,
                                         &b_d, bias, &out_d, out) != ARM_CMSIS_NN_SUCCESS)
    tml_fc_s8_per_channel(p, mult, shift, in, w, bias, out);
}

void tml_cmsis_avgpool_s8(const tml_pool_params *p, const int8_t *in,
                          int8_t *out) {
  cmsis_nn_pool_params pp;
  cmsis_nn_dims in_d, f_d, out_d;
  cmsis_nn_context ctx;
  int32_t need;
  if (!dim_ok(p->batches) || !dim_ok(p->in_h) || !dim_ok(p->in_w) ||
      !dim_ok(p->channels) || !dim_ok(p->f_h) || !dim_ok(p->f_w) ||
      !dim_ok(p->out_h) || !dim_ok(p->out_w) || !dim_ok(p->stride_h) ||
      !dim_ok(p->stride_w) || !dim_ok(p->pad_h) || !dim_ok(p->pad_w) ||
      !axis_ok(p->in_h, p->out_h, p->stride_h, p->f_h, 1, p->pad_h) ||
      !axis_ok(p->in_w, p->out_w, p->stride_w, p->f_w, 1, p->pad_w)) {
    tml_avgpool_s8(p, in, out);
    return;
  }
  dims(&in_d, p->batches, p->in_h, p->in_w, p->channels);
  dims(&f_d, 1, p->f_h, p->f_w, 1);
  dims(&out_d, p->batches, p->out_h, p->out_w, p->channels);
  pp.stride.w = p->stride_w;
  pp.stride.h = p->stride_h;
  pp.padding.w = p->pad_w;
  pp.padding.h = p->pad_h;
  pp.activation.min = p->act_min;
  pp.activation.max = p->act_max;
  need = arm_avgpool_s8_get_buffer_size(p->out_w, p->channels);
  ctx.buf = need > 0 ? scratch : NULL;
  ctx.size = need;
  if (need < 0 || need > (int32_t)sizeof scratch ||
      arm_avgpool_s8(&ctx, &pp, &in_d, in, &f_d, &out_d, out) != ARM_CMSIS_NN_SUCCESS)
    tml_avgpool_s8(p, in, out);
}

static int no_broadcast(const tml_bcast_shape *s) {
  int32_t d;
  for (d = 0; d < TML_BCAST_DIMS; d++)
    if (s->in1[d] != s->out[d] || s->in2[d] != s->out[d]) return 0;
  return 1;
}

void tml_cmsis_addsub_q(const tml_addsub_q_params *p, const void *in1,
                        const void *in2, void *out) {
  int64_t n = 1;
  int32_t d;
  /* int8 ADD without broadcasting; the adapter keeps every shift <= 0, as
   * arm_elementwise_add_s8 requires. */
  if (p->dtype != TML_INT8 || p->is_sub || !no_broadcast(&p->shape) ||
      !in_offset_ok(p->in1_offset) || !in_offset_ok(p->in2_offset) ||
      !out_offset_ok(p->out_offset)) {
    tml_addsub_q(p, in1, in2, out);
    return;
  }
  for (d = 0; d < TML_BCAST_DIMS; d++) n *= p->shape.out[d];
  if (n > INT32_MAX ||
      arm_elementwise_add_s8((const int8_t *)in1, (const int8_t *)in2,
                             p->in1_offset, p->in1_mult, p->in1_shift,
                             p->in2_offset, p->in2_mult, p->in2_shift,
                             p->left_shift, (int8_t *)out, p->out_offset,
                             p->out_mult, p->out_shift, p->act_min, p->act_max,
                             (int32_t)n) != ARM_CMSIS_NN_SUCCESS)
    tml_addsub_q(p, in1, in2, out);
}

/* CONV_2D + ADD one output row at a time (as the reference does): the row
 * is a convolution of the input rows it reads, with the padding that is
 * left above them, so CMSIS-NN never sees a negative padding. */
void tml_cmsis_conv_add_s8(const tml_conv_params *cp, const int32_t *mult,
                           const int8_t *shift, const tml_addsub_q_params *ap,
                           int32_t conv_slot, const int8_t *in,
                           const int8_t *filter, const int32_t *bias,
                           const int8_t *x, int8_t *out, int8_t *row) {
  const size_t in_batch = (size_t)cp->in_h * cp->in_w * cp->in_c;
  const size_t in_row = (size_t)cp->in_w * cp->in_c;
  const int32_t n = cp->out_w * cp->out_c;
  const int32_t span = (cp->f_h - 1) * cp->dil_h + 1; /* rows one output row reads */
  tml_conv_params c = *cp;
  tml_addsub_q_params a = *ap;
  int32_t b, oy, d;
  c.batches = 1;
  c.out_h = 1;
  for (d = 0; d < TML_BCAST_DIMS; d++) a.shape.out[d] = a.shape.in1[d] = a.shape.in2[d] = 1;
  a.shape.out[TML_BCAST_DIMS - 1] = a.shape.in1[TML_BCAST_DIMS - 1] =
      a.shape.in2[TML_BCAST_DIMS - 1] = n;
  for (b = 0; b < cp->batches; b++) {
    for (oy = 0; oy < cp->out_h; oy++) {
      const size_t at = ((size_t)b * cp->out_h + oy) * (size_t)n;
      const int32_t top = oy * cp->stride_h - cp->pad_h; /* first input row */
      const int32_t first = top > 0 ? top : 0;
      const int8_t *src = in + (size_t)b * in_batch;
      int done = 0;
      c.pad_h = top < 0 ? -top : 0;
      c.in_h = cp->in_h - first;
      if (c.in_h > span - c.pad_h) c.in_h = span - c.pad_h;
      if (c.in_h > 0)
        done = conv_cmsis(&c, mult, shift, src + (size_t)first * in_row,
                          filter, bias, row);
      if (!done) {
        /* The reference's way: row 0 of a conv whose top padding moved up. */
        tml_conv_params r = *cp;
        r.batches = 1;
        r.out_h = 1;
        r.pad_h = cp->pad_h - oy * cp->stride_h;
        tml_conv_s8(&r, mult, shift, src, filter, bias, row);
      }
      if (conv_slot == 0)
        tml_cmsis_addsub_q(&a, row, x + at, out + at);
      else
        tml_cmsis_addsub_q(&a, x + at, row, out + at);
    }
  }
}
