/*
 * backend.h - which kernel functions the op adapters call for the kinds a
 * backend accelerates, chosen when the native module is compiled:
 *   (default)              native/kernels/reference, the readable truth
 *   -DTML_KERNELS_OPTIMIZED native/kernels/optimized (Cortex-M DSP, portable C
 *                           elsewhere)
 * Every backend defines the whole set below (forwarding to the reference
 * where it has nothing better) and is byte-identical with the reference.
 */
#ifndef TML_BACKEND_H
#define TML_BACKEND_H

#include "tinyml_kernels.h"

#if defined(TML_KERNELS_OPTIMIZED)
#define TML_KERNEL(name) tml_opt_##name
#else
#define TML_KERNEL(name) tml_##name
#endif

#endif /* TML_BACKEND_H */
