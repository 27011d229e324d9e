/*
 * dsp.h - the few Cortex-M DSP operations the optimized kernels are written
 * with, and the requantization they share.
 *
 * On a CPU with the DSP extension (__ARM_FEATURE_DSP) these are single
 * instructions (ACLE intrinsics; SXTB16 with its free rotation through inline
 * assembly, which GCC 12 does not fuse from a rotate). Everywhere else (and
 * with -DTML_OPT_PORTABLE, which the host tests use to run the same kernel
 * code under the sanitizers) they are plain C with the same results, lane by
 * lane. A "pair" word holds two int16 lanes: bits 0-15 and 16-31.
 *
 * Integer sums are exact modulo 2^32 like the reference kernels' uint32_t
 * sums (SMLAD and SMLAxy wrap the same way), so the kernels may reorder
 * them freely; only the requantization has to round as TFLM does.
 */
#ifndef TML_OPT_DSP_H
#define TML_OPT_DSP_H

#include <stdint.h>
#include <string.h>

#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && !defined(TML_OPT_PORTABLE)
#define TML_OPT_DSP 1
#include <arm_acle.h>
#else
#define TML_OPT_DSP 0
#endif

/* Four bytes from any address (LDR allows unaligned loads on the M4). */
static inline uint32_t opt_ld4(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

#if TML_OPT_DSP

/* Bytes 0 and 2, sign-extended to the two lanes. */
static inline uint32_t opt_sxtb16(uint32_t x) {
  return (uint32_t)__sxtb16((int32_t)x);
}
/* Bytes 1 and 3, sign-extended to the two lanes. */
static inline uint32_t opt_sxtb16_r8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
/* Lane-wise a + b (wrapping; the kernels stay far from it). */
static inline uint32_t opt_sadd16(uint32_t a, uint32_t b) {
  return (uint32_t)__sadd16((int32_t)a, (int32_t)b);
}
/* v saturated to int8 */
static inline int8_t opt_sat8(int32_t v) { return (int8_t)__ssat(v, 8); }
/* acc + a.lo * b.lo + a.hi * b.hi */
static inline int32_t opt_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad((int32_t)a, (int32_t)b, acc);
}
/* acc + a.lo * b.lo, acc + a.hi * b.hi */
static inline int32_t opt_smlabb(uint32_t a, uint32_t b, int32_t acc) {
  return __smlabb((int32_t)a, (int32_t)b, acc);
}
static inline int32_t opt_smlatt(uint32_t a, uint32_t b, int32_t acc) {
  return __smlatt((int32_t)a, (int32_t)b, acc);
}

#else

static inline int32_t opt_lo(uint32_t x) { return (int32_t)(int16_t)(x & 0xFFFFu); }
static inline int32_t opt_hi(uint32_t x) { return (int32_t)(int16_t)(x >> 16); }
static inline uint32_t opt_pair(int32_t lo, int32_t hi) {
  return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)hi << 16);
}
static inline uint32_t opt_sxtb16(uint32_t x) {
  return opt_pair((int8_t)(x & 0xFFu), (int8_t)((x >> 16) & 0xFFu));
}
static inline uint32_t opt_sxtb16_r8(uint32_t x) {
  return opt_pair((int8_t)((x >> 8) & 0xFFu), (int8_t)(x >> 24));
}
static inline uint32_t opt_sadd16(uint32_t a, uint32_t b) {
  return opt_pair(opt_lo(a) + opt_lo(b), opt_hi(a) + opt_hi(b));
}
static inline int8_t opt_sat8(int32_t v) {
  return (int8_t)(v < -128 ? -128 : (v > 127 ? 127 : v));
}
static inline int32_t opt_smlad(uint32_t a, uint32_t b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(opt_lo(a) * opt_lo(b)) +
                   (uint32_t)(opt_hi(a) * opt_hi(b)));
}
static inline int32_t opt_smlabb(uint32_t a, uint32_t b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(opt_lo(a) * opt_lo(b)));
}
static inline int32_t opt_smlatt(uint32_t a, uint32_t b, int32_t acc) {
  return (int32_t)((uint32_t)acc + (uint32_t)(opt_hi(a) * opt_hi(b)));
}

#endif

/* Inner loops live in functions of their own: inlined into a big caller,
 * GCC spills their accumulators to the stack. */
#if defined(__GNUC__) || defined(__clang__)
#define OPT_NOINLINE __attribute__((noinline))
#define OPT_INLINE static inline __attribute__((always_inline))
#else
#define OPT_NOINLINE
#define OPT_INLINE static inline
#endif

/* Both lanes = v (v in int16 range). */
static inline uint32_t opt_dup16(int32_t v) {
  return ((uint32_t)v & 0xFFFFu) * 0x10001u;
}

/* Arithmetic shift right by s in [0, 31]. GCC and Clang define >> of a
 * negative value as arithmetic; elsewhere it is spelled out. */
static inline int32_t opt_asr(int32_t x, int32_t s) {
#if defined(__GNUC__) || defined(__clang__)
  return x >> s;
#else
  return x < 0 ? ~(~x >> s) : (x >> s);
#endif
}

/*
 * TFLM MultiplyByQuantizedMultiplier (double rounding), equal to
 * tml_fp_mul_by_qm for mult >= 0 and shift in [-31, 30] (what the adapters
 * accept).
 * - The high multiply rounds as gemmlowp's: with mult >= 0,
 *   (x*mult + nudge) / 2^31 truncated equals floor((x*mult + 2^30) / 2^31)
 *   for either sign of x*mult, and the saturating case (both INT32_MIN)
 *   cannot occur.
 * - The rounding right shift by e >= 1 of that h, ties away from zero, is
 *   floor((y + 2^(e-1)) / 2^e) with y = h - [h < 0], that is
 *   (y >> e) + bit e-1 of y. [h < 0] may be taken as [x < 0]: they differ
 *   only when h == 0, where both give 0. And y cannot wrap: h >= -2^31 + 1.
 */
static inline int32_t opt_requant(int32_t x, int32_t mult, int32_t shift) {
  int32_t h, y;
  if (shift > 0) x = (int32_t)((uint32_t)x << shift);
  h = (int32_t)(uint32_t)((uint64_t)((int64_t)x * (int64_t)mult +
                                     ((int64_t)1 << 30)) >> 31);
  if (shift >= 0) return h;
  y = h + opt_asr(x, 31);
  return opt_asr(y, -shift) + (opt_asr(y, -shift - 1) & 1);
}

/* opt_requant for shift <= 0 (what ADD/SUB use): the rounding shift by
 * e = -shift >= 1 is ((y >> (e - 1)) + 1) >> 1 = floor((y + 2^(e-1)) / 2^e),
 * which cannot wrap (h <= 2^31 - 2). */
static inline int32_t opt_requant_r(int32_t x, int32_t mult, int32_t shift) {
  const int32_t h = (int32_t)(uint32_t)((uint64_t)((int64_t)x * (int64_t)mult +
                                                   ((int64_t)1 << 30)) >> 31);
  if (shift == 0) return h;
  return opt_asr(opt_asr(h + opt_asr(x, 31), -shift - 1) + 1, 1);
}

/* Requantized accumulator + output offset, clamped, as int8. */
static inline int8_t opt_out_s8(int32_t acc, int32_t mult, int32_t shift,
                                int32_t out_off, int32_t lo, int32_t hi) {
  int32_t v = (int32_t)((uint32_t)opt_requant(acc, mult, shift) +
                        (uint32_t)out_off);
  v = v < lo ? lo : v;
  v = v > hi ? hi : v;
  return (int8_t)v;
}

#endif /* TML_OPT_DSP_H */
