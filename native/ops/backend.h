/*
 * backend.h - which kernel functions the op adapters call for the kinds a
 * backend accelerates, chosen when the native module is compiled:
 *   (default)              native/kernels/reference, the readable truth
 *   -DTML_KERNELS_OPTIMIZED native/kernels/optimized (Cortex-M DSP, portable C
 *                           elsewhere)
 *   -DTML_KERNELS_CMSIS_NN  native/kernels/cmsis_nn, adapters over a CMSIS-NN
 *                           checkout the build is given (CMSIS_NN_DIR)
 * Every backend defines the whole set below (forwarding to the reference
 * where it has nothing better) and is byte-identical with the reference.
 */
#ifndef TML_BACKEND_H
#define TML_BACKEND_H

#include "tinyml_kernels.h"

#if defined(TML_KERNELS_CMSIS_NN)
#define TML_KERNEL(name) tml_cmsis_##name
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
#elif defined(TML_KERNELS_OPTIMIZED)
#define TML_KERNEL(name) tml_opt_##name
#else
#define TML_KERNEL(name) tml_##name
#endif

#endif /* TML_BACKEND_H */
