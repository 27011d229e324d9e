/*
 * tinyml_kernels.h - kernel functions over explicit parameter structs.
 *
 * Each kernel is a plain function: parameters in a struct, data as pointers,
 * no hidden state, no allocation. Reference kernels are bit-exact with TFLM's
 * reference kernels. Every struct holds only int32_t fields, in the same order
 * as the op program's params words for that kernel kind (float fields travel
 * as their IEEE-754 bit pattern and are read with tml_f32_from_bits). Arrays
 * that follow a struct in the params (per-channel multipliers and shifts) are
 * noted next to the struct.
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
                           const int32_t *shift, const int8_t *in,
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
                 const int32_t *shift, const int8_t *in, const int8_t *filter,
                 const int32_t *bias, int8_t *out);
void tml_conv_f32(const tml_conv_params *p, const float *in,
                  const float *filter, const float *bias, float *out);
void tml_dwconv_s8(const tml_conv_params *p, const int32_t *mult,
                   const int32_t *shift, const int8_t *in,
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
