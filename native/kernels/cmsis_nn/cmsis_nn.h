/*
 * cmsis_nn.h - the CMSIS-NN backend (native/kernels/cmsis_nn): the kernels
 * of native/ops/backend.h under the tml_cmsis_ prefix, each calling Arm's
 * CMSIS-NN library (a checkout the board build is given, CMSIS_NN_DIR;
 * nothing of it is in this repository). Same contracts and results as the
 * reference kernels of the same name without "cmsis_"; the cases CMSIS-NN
 * does not take (argument ranges, groups, int16, SUB, broadcasting, a
 * scratch need above TML_CMSIS_NN_SCRATCH_BYTES) run the reference kernel.
 */
#ifndef TML_CMSIS_NN_H
#define TML_CMSIS_NN_H

#include "tinyml_kernels.h"

/* Bytes of the backend's scratch (CMSIS-NN's ctx buffer and the int32
 * per-channel shifts it wants), a static buffer: the op program has no
 * scratch slot for the conv, pooling and FC kernels. The six MLPerf/TFLM
 * models need at most 2,560 bytes (ic_resnet8's 3x3x64 convolutions). */
#ifndef TML_CMSIS_NN_SCRATCH_BYTES
#define TML_CMSIS_NN_SCRATCH_BYTES 2560
#endif

void tml_cmsis_conv_s8(const tml_conv_params *p, const int32_t *mult,
                       const int8_t *shift, const int8_t *in,
                       const int8_t *filter, const int32_t *bias, int8_t *out);
void tml_cmsis_dwconv_s8(const tml_conv_params *p, const int32_t *mult,
                         const int8_t *shift, const int8_t *in,
                         const int8_t *filter, const int32_t *bias,
                         int8_t *out);
void tml_cmsis_fc_s8(const tml_fc_s8_params *p, const int8_t *in,
                     const int8_t *w, const int32_t *bias, int8_t *out);
void tml_cmsis_fc_s8_per_channel(const tml_fc_s8_params *p,
                                 const int32_t *mult, const int8_t *shift,
                                 const int8_t *in, const int8_t *w,
                                 const int32_t *bias, int8_t *out);
void tml_cmsis_avgpool_s8(const tml_pool_params *p, const int8_t *in,
                          int8_t *out);
void tml_cmsis_addsub_q(const tml_addsub_q_params *p, const void *in1,
                        const void *in2, void *out);
void tml_cmsis_conv_add_s8(const tml_conv_params *cp, const int32_t *mult,
                           const int8_t *shift, const tml_addsub_q_params *ap,
                           int32_t conv_slot, const int8_t *in,
                           const int8_t *filter, const int32_t *bias,
                           const int8_t *x, int8_t *out, int8_t *row);

#endif /* TML_CMSIS_NN_H */
