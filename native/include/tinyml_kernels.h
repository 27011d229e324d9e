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

/* Broadcasting binary ops. Shapes are right-aligned and padded with 1s to
 * TML_BCAST_DIMS; every in1/in2 dim is 1 or the out dim, and each out dim is
 * the larger of the two (numpy rules). Element i of the output reads the
 * inputs at the broadcast index, as TFLM's BroadcastBinaryOpSimple does. */
#define TML_BCAST_DIMS 6
typedef struct {
  int32_t out[TML_BCAST_DIMS];
  int32_t in1[TML_BCAST_DIMS];
  int32_t in2[TML_BCAST_DIMS];
} tml_bcast_shape;

/* One innermost run of a broadcast: n elements, each input advancing by its
 * step (0 = broadcast, 1 = contiguous) elements. */
typedef void (*tml_bcast_row_fn)(const void *params, const void *in1,
                                 int32_t step1, const void *in2, int32_t step2,
                                 void *out, int32_t n);
/* Walks the output in order, merging dims where it can, and calls row() for
 * each innermost run. elem1/elem2/elem_out are element sizes in bytes. */
void tml_bcast_run(const tml_bcast_shape *s, const void *in1, int32_t elem1,
                   const void *in2, int32_t elem2, void *out, int32_t elem_out,
                   tml_bcast_row_fn row, const void *params);

/* ADD / SUB, int8 (left_shift 20) and int16 (left_shift 15): both inputs
 * rescaled to a common scale with in*_mult/in*_shift, summed, rescaled to
 * the output (TFLM's general quantized add). Shifts are <= 0. */
typedef struct {
  tml_bcast_shape shape;
  int32_t dtype;  /* TML_INT8 or TML_INT16, all three tensors */
  int32_t is_sub;
  int32_t left_shift;
  int32_t in1_offset, in1_mult, in1_shift; /* in1_offset = -zero point */
  int32_t in2_offset, in2_mult, in2_shift;
  int32_t out_offset, out_mult, out_shift;
  int32_t act_min, act_max;
} tml_addsub_q_params;

/* MUL int8/int16 and DIV int8: one output multiplier (TFLM shift convention). */
typedef struct {
  tml_bcast_shape shape;
  int32_t dtype; /* MUL: TML_INT8 or TML_INT16; DIV: TML_INT8 */
  int32_t in1_offset, in2_offset; /* -zero points */
  int32_t out_offset;
  int32_t out_mult, out_shift;
  int32_t act_min, act_max;
} tml_muldiv_q_params;

typedef enum {
  TML_BIN_ADD = 0,
  TML_BIN_SUB = 1,
  TML_BIN_MUL = 2,
  TML_BIN_DIV = 3,
  TML_BIN_MIN = 4,
  TML_BIN_MAX = 5
} tml_binary_op;

/* Unquantized binary ops. float32 and int32: every op, clamped to
 * [act_min, act_max] (float bits for float32) except MIN/MAX; int32 wraps
 * on overflow, divides truncating, x / 0 = 0. int8/int16: MIN/MAX only
 * (raw values, no clamp). */
typedef struct {
  tml_bcast_shape shape;
  int32_t dtype;
  int32_t op; /* tml_binary_op */
  int32_t act_min, act_max;
} tml_binary_params;

void tml_addsub_q(const tml_addsub_q_params *p, const void *in1,
                  const void *in2, void *out);
void tml_mul_q(const tml_muldiv_q_params *p, const void *in1, const void *in2,
               void *out);
void tml_div_s8(const tml_muldiv_q_params *p, const int8_t *in1,
                const int8_t *in2, int8_t *out);
void tml_binary(const tml_binary_params *p, const void *in1, const void *in2,
                void *out);

/* CONV_2D + ADD fused (no broadcasting): each output row of the conv goes to
 * `row` (out_w * out_c elements), then is added to the same row of x into
 * out (out may be x itself). conv_slot is the ADD input the conv output was
 * (0 or 1); ap's shape is ignored (the kernel walks one row at a time). */
void tml_conv_add_s8(const tml_conv_params *cp, const int32_t *mult,
                     const int8_t *shift, const tml_addsub_q_params *ap,
                     int32_t conv_slot, const int8_t *in, const int8_t *filter,
                     const int32_t *bias, const int8_t *x, int8_t *out,
                     int8_t *row);
void tml_conv_add_f32(const tml_conv_params *cp, const tml_binary_params *ap,
                      int32_t conv_slot, const float *in, const float *filter,
                      const float *bias, const float *x, float *out,
                      float *row);

/* LOGISTIC / TANH int8: input rescaled to Q4.27, gemmlowp logistic/tanh.
 * Inputs at or beyond +-radius saturate. LOGISTIC output has zero point -128
 * and scale 1/256, TANH output zero point 0 and scale 1/128. */
typedef struct {
  int32_t size;
  int32_t in_zp;
  int32_t radius;
  int32_t mult;
  int32_t left_shift; /* [0, 31] */
} tml_sigmoid_s8_params;

void tml_logistic_s8(const tml_sigmoid_s8_params *p, const int8_t *in,
                     int8_t *out);
void tml_tanh_s8(const tml_sigmoid_s8_params *p, const int8_t *in,
                 int8_t *out);

typedef enum {
  TML_UF_RELU = 0,
  TML_UF_RELU6 = 1,
  TML_UF_LOGISTIC = 2,
  TML_UF_TANH = 3,
  TML_UF_ELU = 4,
  TML_UF_HARD_SWISH = 5,
  TML_UF_LEAKY_RELU = 6
} tml_unary_fn;

typedef struct {
  int32_t size;
  int32_t fn;    /* tml_unary_fn */
  int32_t alpha; /* float bits (LEAKY_RELU) */
} tml_unary_f32_params;

void tml_unary_f32(const tml_unary_f32_params *p, const float *in, float *out);

/* RELU int8/int16: out = clamp(out_zp + (in - in_zp) * M). */
typedef struct {
  int32_t size;
  int32_t dtype;
  int32_t in_zp, out_zp;
  int32_t mult, shift;
  int32_t act_min, act_max;
} tml_relu_q_params;

/* RELU6 int8/int16: clamps the raw input to [lo, hi] (TFLM does not rescale). */
typedef struct {
  int32_t size;
  int32_t dtype;
  int32_t lo, hi;
} tml_clamp_q_params;

/* LEAKY_RELU int8/int16: identity multiplier for in >= zp, alpha multiplier
 * (magnitude, sign in alpha_neg) below. */
typedef struct {
  int32_t size;
  int32_t dtype;
  int32_t in_zp, out_zp;
  int32_t id_mult, id_shift;
  int32_t alpha_mult, alpha_shift;
  int32_t alpha_neg;
} tml_leaky_relu_q_params;

/* HARD_SWISH int8 (TFLM's int16 fixed-point recipe). Multipliers are Q15. */
typedef struct {
  int32_t size;
  int32_t in_zp, out_zp;
  int32_t out_mult16, out_exp;     /* out_exp in [-31, 0] */
  int32_t relu_mult16, relu_exp;   /* relu_exp in [-31, 31] */
} tml_hard_swish_s8_params;

/* Table lookup int8 -> int8: the params words are followed by the 256-entry
 * table (64 words, four entries per word, little-endian), indexed by the
 * input byte as uint8 (ELU). */
typedef struct {
  int32_t size;
} tml_lut_s8_params;
#define TML_LUT_S8_WORDS 64

void tml_relu_q(const tml_relu_q_params *p, const void *in, void *out);
void tml_clamp_q(const tml_clamp_q_params *p, const void *in, void *out);
void tml_leaky_relu_q(const tml_leaky_relu_q_params *p, const void *in,
                      void *out);
void tml_hard_swish_s8(const tml_hard_swish_s8_params *p, const int8_t *in,
                       int8_t *out);
void tml_lut_s8(const tml_lut_s8_params *p, const int8_t *table,
                const int8_t *in, int8_t *out);

/* QUANTIZE between integer types (TFLM Requantize): out = clamp(out_zp +
 * (in - in_zp) * M). in: int8, uint8, int16, int32; out: int8, uint8,
 * int16, int32. */
typedef struct {
  int32_t size;
  int32_t in_dtype, out_dtype;
  int32_t in_zp, out_zp;
  int32_t mult, shift;
} tml_requantize_params;

/* QUANTIZE float32 -> int8/int16: clamp(round(in / scale) + zp), the
 * division in float. */
typedef struct {
  int32_t size;
  int32_t out_dtype;
  int32_t zp;
  int32_t scale; /* float bits */
} tml_quantize_f32_params;

/* DEQUANTIZE int8/int16/uint8 -> float32: (float)(scale * (in - zp)) with the
 * product in double. */
typedef struct {
  int32_t size;
  int32_t in_dtype;
  int32_t zp;
  int32_t scale; /* float bits */
} tml_dequantize_params;

/* CAST between int8, int16, int32, uint32, float32 and bool (input only):
 * C conversions; integers wrap, floats truncate (NaN -> 0, out of range
 * saturates to int64 before wrapping). */
typedef struct {
  int32_t size;
  int32_t in_dtype, out_dtype;
} tml_cast_params;

void tml_requantize(const tml_requantize_params *p, const void *in,
                    void *out);
void tml_quantize_f32(const tml_quantize_f32_params *p, const float *in,
                      void *out);
void tml_dequantize(const tml_dequantize_params *p, const void *in,
                    float *out);
void tml_cast(const tml_cast_params *p, const void *in, void *out);

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

/* TRANSPOSE_CONV, NHWC; filter [out_c, f_h, f_w, in_c]. Computed in TFLM's
 * scatter order: every input pixel adds its products to the outputs it
 * reaches, then bias, requantization (s8) and clamping. s8: the params are
 * followed by out_c multipliers then TML_SHIFT_WORDS(out_c) packed shifts;
 * acc is an int32 scratch of batches*out_h*out_w*out_c. f32 accumulates in
 * out. */
typedef struct {
  int32_t in_offset;  /* -input zero point (s8), 0 (f32) */
  int32_t out_offset; /* output zero point (s8), 0 (f32) */
  int32_t stride_w, stride_h;
  int32_t pad_w, pad_h;
  int32_t act_min, act_max; /* int for s8, float bits for f32 */
  int32_t batches;
  int32_t in_h, in_w, in_c;
  int32_t f_h, f_w;
  int32_t out_h, out_w, out_c;
} tml_tconv_params;

void tml_tconv_s8(const tml_tconv_params *p, const int32_t *mult,
                  const int8_t *shift, const int8_t *in, const int8_t *filter,
                  const int32_t *bias, int32_t *acc, int8_t *out);
void tml_tconv_f32(const tml_tconv_params *p, const float *in,
                   const float *filter, const float *bias, float *out);

/* SVDF. input [batches, input_size], weights_feature [num_filters,
 * input_size], weights_time [num_filters, memory_size], bias [num_units]
 * (optional), state [batches, num_filters * memory_size] (variable, shifted
 * by one each invoke), output [batches, num_units]; num_filters = num_units
 * * rank. Integer scratch: int32 [batches * num_filters] (scratch) and int32
 * [batches * num_units] (scratch_out); float: float [batches * num_filters].
 * The op program hands the integer kinds one buffer holding both. */
typedef struct {
  int32_t batches, input_size, num_filters, num_units, rank, memory_size;
  int32_t in_zp;    /* input zero point */
  int32_t state_zp; /* activation state zero point */
  int32_t out_zp;
  int32_t mult1, shift1; /* feature dot products -> state */
  int32_t mult2, shift2; /* time dot products + bias -> output */
} tml_svdf_s8_params;

typedef struct {
  int32_t batches, input_size, num_filters, num_units, rank, memory_size;
  int32_t activation; /* TFLite fused activation: NONE..SIGN_BIT (0..5) */
} tml_svdf_f32_params;

/* state and weights_time are int8 (tml_svdf_s8) or int16 (_s16). */
void tml_svdf_s8(const tml_svdf_s8_params *p, const int8_t *in,
                 const int8_t *w_feature, const int8_t *w_time,
                 const int32_t *bias, int8_t *state, int32_t *scratch,
                 int32_t *scratch_out, int8_t *out);
void tml_svdf_s8_s16(const tml_svdf_s8_params *p, const int8_t *in,
                     const int8_t *w_feature, const int16_t *w_time,
                     const int32_t *bias, int16_t *state, int32_t *scratch,
                     int32_t *scratch_out, int8_t *out);
void tml_svdf_f32(const tml_svdf_f32_params *p, const float *in,
                  const float *w_feature, const float *w_time,
                  const float *bias, float *state, float *scratch,
                  float *out);

/* UNIDIRECTIONAL_SEQUENCE_LSTM without peephole, projection, layer norm or
 * CIFG (TFLM's micro kernel). Gates are indexed in TFLM's order of
 * computation. input [B, T, I] ([T, B, I] when time_major), hidden and cell
 * state [B, S] (variables), output like input with S for I. Scratch: four
 * cell-typed buffers of (time_major ? B : 1) * S elements each. */
enum { TML_LSTM_FORGET = 0, TML_LSTM_INPUT = 1, TML_LSTM_CELL = 2,
       TML_LSTM_OUTPUT = 3 };

/* One integer fully connected step into a gate: (x + in_offset) *
 * (w + w_offset), plus bias, requantized to the int16 Q3.12 gate input. */
typedef struct {
  int32_t in_offset; /* -zero point of the input (or of the hidden state) */
  int32_t w_offset;  /* -weights zero point */
  int32_t mult, shift;
} tml_lstm_fc_q;

typedef struct {
  int32_t time_major, batches, time_steps, input_dim, state_dim;
  tml_lstm_fc_q fc_in[4];  /* input x input weights (+ gate bias) */
  tml_lstm_fc_q fc_rec[4]; /* hidden state x recurrent weights */
  int32_t forget_mult, forget_shift; /* forget gate x cell -> cell */
  int32_t input_mult, input_shift;   /* input gate x cell gate -> cell */
  int32_t hidden_mult, hidden_shift; /* tanh(cell) x output gate -> hidden */
  int32_t hidden_zp;
  int32_t clip_on;           /* cell clipping when the float clip > 0 */
  int32_t cell_clip;         /* quantized clip, int16 range */
  int32_t cell_scale_power;  /* cell scale = 2^cell_scale_power */
} tml_lstm_s8_params;

typedef struct {
  int32_t time_major, batches, time_steps, input_dim, state_dim;
  int32_t cell_clip; /* float bits; clipping when > 0 */
} tml_lstm_f32_params;

typedef struct {
  const int8_t *w_in[4];  /* [S, I] per gate */
  const int8_t *w_rec[4]; /* [S, S] per gate */
  const int32_t *bias[4]; /* [S] per gate */
} tml_lstm_s8_weights;

typedef struct {
  const float *w_in[4];
  const float *w_rec[4];
  const float *bias[4];
} tml_lstm_f32_weights;

void tml_lstm_s8(const tml_lstm_s8_params *p, const tml_lstm_s8_weights *w,
                 const int8_t *in, int8_t *hidden, int16_t *cell,
                 int16_t *scratch, int8_t *out);
void tml_lstm_f32(const tml_lstm_f32_params *p, const tml_lstm_f32_weights *w,
                  const float *in, float *hidden, float *cell, float *scratch,
                  float *out);

/* -- signal-library custom ops -- */

/* SignalWindow: the input is frames of `win` samples (size = frames * win);
 * out = saturate16((in * w) >> shift), shift in [0, 31]. */
typedef struct {
  int32_t shift;
  int32_t size; /* input elements */
  int32_t win;  /* window length */
} tml_sig_window_params;
void tml_sig_window(const tml_sig_window_params *p, const int16_t *in,
                    const int16_t *w, int16_t *out);

/* SignalFftAutoScale: shifts the frame left so its largest magnitude uses
 * 15 bits; writes the shift to *scale_bits. */
typedef struct {
  int32_t size;
} tml_sig_auto_scale_params;
void tml_sig_fft_auto_scale(const tml_sig_auto_scale_params *p,
                            const int16_t *in, int16_t *out,
                            int32_t *scale_bits);

/* SignalRfft with kissfft 1.3.0 semantics (fixed-point int16/int32, float).
 * Each frame of in_len real samples is zero-padded to fft_length (even) and
 * gives fft_length / 2 + 1 complex bins (re, im interleaved). The params are
 * followed by n_stages (radix, remaining length) pairs of the fft_length / 2
 * point complex FFT (radix 2..5), then the twiddles: fft_length / 2 complex
 * FFT twiddles, then fft_length / 4 real-split twiddles. s16: one word per
 * complex (re in the low half, im in the high half); s32: two words (re,
 * im); f32: two words of float bits. scratch: fft_length scalars. */
typedef struct {
  int32_t fft_length;
  int32_t in_len; /* samples per frame, <= fft_length */
  int32_t frames;
  int32_t n_stages;
} tml_sig_rfft_params;
void tml_sig_rfft_s16(const tml_sig_rfft_params *p, const int32_t *stages,
                      const int32_t *twiddles, const int16_t *in,
                      int16_t *scratch, int16_t *out);
void tml_sig_rfft_s32(const tml_sig_rfft_params *p, const int32_t *stages,
                      const int32_t *twiddles, const int32_t *in,
                      int32_t *scratch, int32_t *out);
void tml_sig_rfft_f32(const tml_sig_rfft_params *p, const int32_t *stages,
                      const int32_t *twiddles, const float *in,
                      float *scratch, float *out);

/* SignalEnergy: out[i] = re^2 + im^2 (uint32) for i in [start, end); the
 * other outputs are left as they are (as TFLM does). */
typedef struct {
  int32_t start, end;
} tml_sig_energy_params;
void tml_sig_energy(const tml_sig_energy_params *p, const int16_t *in,
                    uint32_t *out);

/* SignalFilterBank: triangular mel channels over a uint32 spectrum into
 * uint64 sums. The three int16 tables (frequency starts, weight starts,
 * widths) have num_channels + 1 entries (entry 0 is TFLM's scratch channel);
 * channel c + 1 goes to out[c] for c < out_len. A channel whose band falls
 * outside the spectrum or the weights contributes nothing. */
typedef struct {
  int32_t num_channels;
  int32_t in_len;      /* spectrum elements */
  int32_t weights_len; /* elements of weights and of unweights */
  int32_t out_len;     /* <= num_channels */
} tml_sig_filter_bank_params;
void tml_sig_filter_bank(const tml_sig_filter_bank_params *p,
                         const uint32_t *in, const int16_t *weights,
                         const int16_t *unweights, const int16_t *freq_starts,
                         const int16_t *weight_starts, const int16_t *widths,
                         uint64_t *out);

/* SignalFilterBankSquareRoot: out = isqrt_rounded(in) >> scale_bits, with
 * the shift read from the int32 scalar input (taken modulo 32). */
typedef struct {
  int32_t size;
} tml_sig_fb_sqrt_params;
void tml_sig_filter_bank_sqrt(const tml_sig_fb_sqrt_params *p,
                              const uint64_t *in, const int32_t *scale_bits,
                              uint32_t *out);

/* SignalFilterBankSpectralSubtraction: noise estimate smoothing and floor.
 * state holds the noise estimate across invokes (num_channels uint32, zero
 * at start); its first noise_len entries are copied to noise_out. */
typedef struct {
  int32_t num_channels;
  int32_t smoothing, one_minus_smoothing;         /* even channels */
  int32_t alt_smoothing, alt_one_minus_smoothing; /* odd channels */
  int32_t min_signal_remaining;
  int32_t smoothing_bits;            /* [0, 31] */
  int32_t spectral_subtraction_bits; /* [0, 63] */
  int32_t clamping;                  /* 0 or 1 */
  int32_t noise_len;                 /* <= num_channels */
} tml_sig_spectral_sub_params;
void tml_sig_spectral_sub(const tml_sig_spectral_sub_params *p,
                          const uint32_t *in, uint32_t *out,
                          uint32_t *noise_out, uint32_t *state);

/* SignalPCAN: per-channel automatic gain control (gain from a 125-entry
 * int16 lookup table indexed by the noise estimate), then the shrink curve. */
typedef struct {
  int32_t size;
  int32_t snr_shift; /* [0, 63] */
} tml_sig_pcan_params;
void tml_sig_pcan(const tml_sig_pcan_params *p, const uint32_t *in,
                  const uint32_t *noise, const int16_t *lut, uint32_t *out);

/* SignalFilterBankLog: out = min(log(in << correction_bits) * output_scale,
 * 32767) in TFLM's fixed-point log, 0 where the shifted input is 0 or 1. */
typedef struct {
  int32_t size;
  int32_t output_scale;
  int32_t correction_bits; /* [0, 31] */
} tml_sig_fb_log_params;
void tml_sig_filter_bank_log(const tml_sig_fb_log_params *p,
                             const uint32_t *in, int16_t *out);

/* -- optimized backend (native/kernels/optimized): same contracts and
 * results as the reference kernels of the same name without "opt_"; the
 * cases they do not accelerate run the reference kernel. -- */
void tml_opt_conv_s8(const tml_conv_params *p, const int32_t *mult,
                     const int8_t *shift, const int8_t *in,
                     const int8_t *filter, const int32_t *bias, int8_t *out);
void tml_opt_dwconv_s8(const tml_conv_params *p, const int32_t *mult,
                       const int8_t *shift, const int8_t *in,
                       const int8_t *filter, const int32_t *bias,
                       int8_t *out);
void tml_opt_fc_s8(const tml_fc_s8_params *p, const int8_t *in,
                   const int8_t *w, const int32_t *bias, int8_t *out);
void tml_opt_fc_s8_per_channel(const tml_fc_s8_params *p,
                               const int32_t *mult, const int8_t *shift,
                               const int8_t *in, const int8_t *w,
                               const int32_t *bias, int8_t *out);
void tml_opt_avgpool_s8(const tml_pool_params *p, const int8_t *in,
                        int8_t *out);
void tml_opt_addsub_q(const tml_addsub_q_params *p, const void *in1,
                      const void *in2, void *out);
void tml_opt_conv_add_s8(const tml_conv_params *cp, const int32_t *mult,
                         const int8_t *shift, const tml_addsub_q_params *ap,
                         int32_t conv_slot, const int8_t *in,
                         const int8_t *filter, const int32_t *bias,
                         const int8_t *x, int8_t *out, int8_t *row);

/* Fixed-point helpers shared by kernels (TFLM semantics, double rounding). */
int32_t tml_mul_by_quantized_mult(int32_t x, int32_t mult, int32_t shift);
int32_t tml_saturating_rounding_doubling_high_mul(int32_t a, int32_t b);
int32_t tml_rounding_divide_by_pot(int32_t x, int32_t exponent);

#ifdef __cplusplus
}
#endif

#endif /* TINYML_KERNELS_H */
