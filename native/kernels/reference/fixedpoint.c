/*
 * fixedpoint.c - the exported fixed-point helpers of tinyml_kernels.h, thin
 * wrappers over the inline versions in fixedpoint.h (kernels call those
 * directly so that hot loops inline them).
 */
#include "tinyml_kernels.h"

#include "fixedpoint.h"

int32_t tml_mul_by_quantized_mult(int32_t x, int32_t mult, int32_t shift) {
  return tml_fp_mul_by_qm(x, mult, shift);
}

int32_t tml_saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  return tml_fp_srdhm(a, b);
}

int32_t tml_rounding_divide_by_pot(int32_t x, int32_t exponent) {
  return tml_fp_rdbpot(x, exponent);
}
