/*
 * backend.h - which kernel functions the op adapters call for the kinds a
 * backend accelerates, chosen when the native module is compiled:
 *   (default)              native/kernels/reference, the readable truth
 *   -DTML_KERNELS_OPTIMIZED native/kernels/optimized (Cortex-M DSP, portable C
 *                           elsewhere)
 *   -DTML_KERNELS_CMSIS_NN  native/kernels/cmsis_nn, adapters to Arm's CMSIS-NN
 *                           (a checkout the build is given: CMSIS_NN_DIR)
 * A backend defines, under its prefix, every kernel the adapters call
 * through TML_KERNEL: conv_s8, dwconv_s8, conv_add_s8, fc_s8,
 * fc_s8_per_channel, avgpool_s8, addsub_q (running the reference kernel for
 * the cases it does not accelerate), byte-identical with the reference.
 */
#ifndef TML_BACKEND_H
#define TML_BACKEND_H

#include "tinyml_kernels.h"

#if defined(TML_KERNELS_OPTIMIZED)
#define TML_KERNEL(name) tml_opt_##name
#elif defined(TML_KERNELS_CMSIS_NN)
#include "../kernels/cmsis_nn/cmsis_nn.h"
#define TML_KERNEL(name) tml_cmsis_##name
#else
#define TML_KERNEL(name) tml_##name
#endif

#endif /* TML_BACKEND_H */
