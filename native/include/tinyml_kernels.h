/*
 * tinyml_kernels.h - kernel functions over explicit parameter structs.
 *
 * Each kernel is a plain function: parameters in a struct, data as pointers,
 * no hidden state, no allocation. Reference kernels are bit-exact with TFLM's
 * reference kernels. Every struct holds only int32_t fields, in the same order
 * as the op program's params words for that kernel kind (float fields travel
 * as their IEEE-754 bit pattern and are read with tml_f32_from_bits). Arrays
 * that follow a struct in the params (per-channel multipliers and shifts) are
 * noted next to the struct. Per-channel shifts travel packed, four int8 per
 * word in little-endian byte order (TML_SHIFT_WORDS(n) words): that keeps the
 * persistent part of the arena small (every supported target is
 * little-endian).
 *
 * Kernels trust their arguments: the op adapters in native/core/ops.c check
 * every struct against the tensors' byte sizes at load time.
 */
#ifndef TINYML_KERNELS_H
#define TINYML_KERNELS_H

#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Words holding n packed int8 per-channel shifts. */
#define TML_SHIFT_WORDS(n) (((n) + 3) / 4)

static inline float tml_f32_from_bits(int32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* FULLY_CONNECTED. input [batches, accum_depth], weights [out_depth, accum_depth],
 * bias [out_depth] (int32 for s8, float for f32) or NULL, output [batches, out_depth]. */
typedef struct {
  int32_t in_offset;   /* -input zero point */
  int32_t w_offset;    /* -weights zero point */
  int32_t out_offset;  /* output zero point */
  int32_t out_mult;    /* quantized multiplier (Q31) */
  int32_t out_shift;   /* TFLM shift convention: >0 left, <0 right */
  int32_t act_min;
  int32_t act_max;
  int32_t batches;
  int32_t accum_depth;
  int32_t out_depth;
} tml_fc_s8_params;

typedef struct {
  int32_t act_min; /* float bits */
  int32_t act_max; /* float bits */
  int32_t batches;
  int32_t accum_depth;
  int32_t out_depth;
} tml_fc_f32_params;

void tml_fc_s8(const tml_fc_s8_params *p, const int8_t *in, const int8_t *w,
               const int32_t *bias, int8_t *out);
void tml_fc_f32(const tml_fc_f32_params *p, const float *in, const float *w,
                const float *bias, float *out);
/* Per-channel int8 weights (TFLM FullyConnectedPerChannel): the params words
 * are followed by out_depth multipliers then out_depth shifts (same kind,
 * TML_K_FC_S8); w_offset is ignored, per-channel weights being symmetric. */
void tml_fc_s8_per_channel(const tml_fc_s8_params *p, const int32_t *mult,
                           const int8_t *shift, const int8_t *in,
                           const int8_t *w, const int32_t *bias, int8_t *out);

/* CONV_2D and DEPTHWISE_CONV_2D, NHWC. filter: conv [out_c, f_h, f_w, f_in_c],
 * depthwise [1, f_h, f_w, out_c]. For s8 the params are followed by
 * out_c per-channel multipliers then out_c per-channel shifts. */
typedef struct {
  int32_t in_offset;  /* -input zero point (s8), 0 (f32) */
  int32_t out_offset; /* output zero point (s8), 0 (f32) */
  int32_t stride_w, stride_h;
  int32_t dil_w, dil_h;
  int32_t pad_w, pad_h;
  int32_t act_min, act_max; /* int for s8, float bits for f32 */
  int32_t batches;
  int32_t in_h, in_w, in_c;
  int32_t f_h, f_w;
  int32_t f_in_c;     /* conv: filter input depth (groups = in_c / f_in_c) */
  int32_t depth_mult; /* depthwise: out_c = in_c * depth_mult; conv: 1 */
  int32_t out_h, out_w, out_c;
} tml_conv_params;

void tml_conv_s8(const tml_conv_params *p, const int32_t *mult,
                 const int8_t *shift, const int8_t *in, const int8_t *filter,
                 const int32_t *bias, int8_t *out);
void tml_conv_f32(const tml_conv_params *p, const float *in,
                  const float *filter, const float *bias, float *out);
void tml_dwconv_s8(const tml_conv_params *p, const int32_t *mult,
                   const int8_t *shift, const int8_t *in,
                   const int8_t *filter, const int32_t *bias, int8_t *out);
void tml_dwconv_f32(const tml_conv_params *p, const float *in,
                    const float *filter, const float *bias, float *out);

/* AVERAGE_POOL_2D and MAX_POOL_2D, NHWC. */
typedef struct {
  int32_t batches;
  int32_t in_h, in_w, channels;
  int32_t f_h, f_w;
  int32_t stride_h, stride_w;
  int32_t pad_h, pad_w;
  int32_t out_h, out_w;
  int32_t act_min, act_max; /* int for s8, float bits for f32 */
} tml_pool_params;

void tml_avgpool_s8(const tml_pool_params *p, const int8_t *in, int8_t *out);
void tml_avgpool_f32(const tml_pool_params *p, const float *in, float *out);
void tml_maxpool_s8(const tml_pool_params *p, const int8_t *in, int8_t *out);
void tml_maxpool_f32(const tml_pool_params *p, const float *in, float *out);

/* SOFTMAX over the last dimension. s8: TFLM's gemmlowp fixed-point path;
 * out_dtype selects int8 or int16 output. */
typedef struct {
  int32_t outer;  /* product of all dims but the last */
  int32_t depth;  /* last dim */
  int32_t in_mult;
  int32_t in_left_shift;
  int32_t diff_min;
  int32_t out_dtype; /* TML_INT8 or TML_INT16 */
} tml_softmax_s8_params;

typedef struct {
  int32_t outer;
  int32_t depth;
  int32_t beta; /* float bits */
} tml_softmax_f32_params;

void tml_softmax_s8(const tml_softmax_s8_params *p, const int8_t *in, void *out);
void tml_softmax_f32(const tml_softmax_f32_params *p, const float *in, float *out);

/* -- elementwise binary, activations, quantize/cast -- */

/* -- data movement and reductions -- */

/* Generic strided move: CONCATENATION, PACK, UNPACK, SPLIT, SPLIT_V, SLICE,
 * STRIDED_SLICE, TRANSPOSE, PAD, PADV2 and SHAPE are lists of steps that
 * TypeScript computes at prepare time. A step visits every index tuple i of
 * count[] (row-major, any count 0 = nothing to do) and writes element
 *   dst[dst_off + sum(i[d] * dst_stride[d])]
 * from src[src_off + sum(i[d] * src_stride[d])] (COPY), from value (FILL)
 * or from src[src_off] (FILL_FROM). Offsets and strides are in elements;
 * source strides may be negative. The params are tml_move_params then
 * n_steps tml_move_step records. */
#define TML_MOVE_RANK 6

typedef struct {
  int32_t elem_size; /* 1, 2, 4 or 8 bytes, for every tensor of the op */
  int32_t n_steps;
} tml_move_params;

typedef enum {
  TML_MOVE_COPY = 0,
  TML_MOVE_FILL = 1,
  TML_MOVE_FILL_FROM = 2
} tml_move_type;

typedef struct {
  int32_t type;    /* tml_move_type */
  int32_t src;     /* input slot (COPY, FILL_FROM), else ignored */
  int32_t dst;     /* output slot */
  int32_t src_off;
  int32_t dst_off;
  int32_t count[TML_MOVE_RANK];
  int32_t src_stride[TML_MOVE_RANK];
  int32_t dst_stride[TML_MOVE_RANK];
  int32_t value_lo; /* FILL: the element's bits (int8/int16 sign-extended) */
  int32_t value_hi; /* FILL with 8-byte elements: the upper 32 bits */
} tml_move_step;

/* src may be NULL for FILL; both point at the start of their tensor. */
void tml_move(const tml_move_step *s, int32_t elem_size, const void *src,
              void *dst);

/* GATHER: out[b][o][c][:] = in[b][o][idx[b][c]][:], slices of inner_bytes.
 * Returns how many indices were outside [0, axis_size); their output slices
 * are zero-filled (TFLM reads out of bounds there). */
typedef struct {
  int32_t batches;     /* product of the batch_dims leading dims */
  int32_t outer;       /* product of the dims between batch_dims and axis */
  int32_t axis_size;
  int32_t coords;      /* indices per batch */
  int32_t inner_bytes; /* bytes of one slice: inner elements * element size */
} tml_gather_params;

int32_t tml_gather(const tml_gather_params *p, const uint8_t *in,
                   const int32_t *idx, uint8_t *out);

/* RESIZE_NEAREST_NEIGHBOR, NHWC, any element size. The params are followed
 * by out_h source rows then out_w source columns (TFLM's float mapping,
 * computed by TypeScript). */
typedef struct {
  int32_t batches;
  int32_t in_h, in_w;
  int32_t out_h, out_w;
  int32_t pixel_bytes; /* depth * element size */
} tml_resize_nn_params;

void tml_resize_nn(const tml_resize_nn_params *p, const int32_t *rows,
                   const int32_t *cols, const uint8_t *in, uint8_t *out);

/* MEAN / SUM. The input is seen as kept dims (out_count/out_stride, in
 * output order) around reduced dims (red_count/red_stride); strides are in
 * input elements, unused dims have count 1. Each output element sums its
 * reduced elements in input order, as TFLM's accumulation does. */
#define TML_REDUCE_RANK 4

/* int8/int16: (sum - in_zp * n) requantized with mult/shift (for MEAN the
 * 1/n factor is already folded in), plus out_zp, clamped to the dtype. */
typedef struct {
  int32_t dtype; /* TML_INT8 or TML_INT16, input and output */
  int32_t in_zp, out_zp;
  int32_t mult, shift;
  int32_t out_count[TML_REDUCE_RANK], out_stride[TML_REDUCE_RANK];
  int32_t red_count[TML_REDUCE_RANK], red_stride[TML_REDUCE_RANK];
} tml_reduce_q_params;

/* float32: sum from 0.0f; MEAN then divides by (float)n. */
typedef struct {
  int32_t mean;
  int32_t out_count[TML_REDUCE_RANK], out_stride[TML_REDUCE_RANK];
  int32_t red_count[TML_REDUCE_RANK], red_stride[TML_REDUCE_RANK];
} tml_reduce_f32_params;

void tml_reduce_q(const tml_reduce_q_params *p, const void *in, void *out);
void tml_reduce_f32(const tml_reduce_f32_params *p, const float *in,
                    float *out);

/* ARG_MAX / ARG_MIN over the middle dim of [outer, axis_size, inner];
 * int32 output, the first index wins ties (strict compare, as TFLM). */
typedef struct {
  int32_t dtype;  /* TML_INT8 or TML_FLOAT32 input */
  int32_t is_max; /* 1 ARG_MAX, 0 ARG_MIN */
  int32_t outer, axis_size, inner;
} tml_arg_minmax_params;

void tml_arg_minmax(const tml_arg_minmax_params *p, const void *in,
                    int32_t *out);

/* -- TRANSPOSE_CONV, SVDF, LSTM -- */

/* -- signal-library custom ops -- */

/* Fixed-point helpers shared by kernels (TFLM semantics, double rounding). */
int32_t tml_mul_by_quantized_mult(int32_t x, int32_t mult, int32_t shift);
int32_t tml_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t tml_rounding_divide_by_pot(int32_t x, int32_t exponent);

#ifdef __cplusplus
}
#endif

#endif /* TINYML_KERNELS_H */
