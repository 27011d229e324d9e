/*
 * requant.c - requantization of a block of int32 sums to int8, the step
 * every optimized kernel ends with. The per-channel work is done once for
 * the two pixels a block may hold.
 *
 * The common case, a right shift e = -shift in [1, 22], is TFLM's two
 * roundings (dsp.h, opt_requant) as one: with P = x * mult and
 * s = [x < 0],
 *   floor((floor((P + 2^30) / 2^31) + 2^(e-1) - s) / 2^e) + out_off
 *     = floor((P + 2^30 + 2^(30+e) - s * 2^31 + out_off * 2^(31+e)) / 2^(31+e))
 * (nested floor divisions by positive integers fold into one). The constant
 * is a 64-bit word per channel (lo, hi), the sign term flips bit 31 of lo
 * and, when that borrows (e >= 2), takes 1 from hi; one multiply-accumulate
 * into (hi, lo) (SMLAL on the M4) and an arithmetic shift of hi by e - 1
 * give the output. With |P| <= 2^62 and |out_off| <= 2^8 the sum stays
 * inside int64 and hi inside int32 for e <= 23. Other shifts take
 * opt_requant's spelled-out arithmetic.
 */
#include "opt.h"

static inline int8_t clamp_s8(int32_t v, int32_t lo, int32_t hi) {
  v = v < lo ? lo : v;
  return (int8_t)(v > hi ? hi : v);
}

/* x requantized with channel multiplier m and shift s. */
static inline int32_t rq1(int32_t x, int32_t m, int32_t s) {
  return s < 0 ? opt_requant_r(x, m, s) : opt_requant(x, m, s);
}

/* hi word of (hi, lo) + x * m, shifted right by e1: the folded formula. */
static inline int32_t rq_mac(int32_t x, int32_t m, uint32_t lo, int32_t hi,
                             int32_t e1) {
  const int64_t a = (int64_t)(((uint64_t)(uint32_t)hi << 32) | lo) +
                    (int64_t)x * (int64_t)m;
  return opt_asr((int32_t)(a >> 32), e1);
}

/* e >= 2: lo = 2^30 with bit 31 = s, hi = hi0 - s. */
static inline int32_t rq_e2(int32_t x, int32_t m, int32_t hi0, int32_t e1) {
  return rq_mac(x, m, ((uint32_t)x & 0x80000000u) | 0x40000000u,
                hi0 + opt_asr(x, 31), e1);
}

/* e == 1: lo = 2^30 + 2^31 - s * 2^31 (no borrow), hi = out_off. */
static inline int32_t rq_e1(int32_t x, int32_t m, int32_t off) {
  return rq_mac(x, m, ((uint32_t)x & 0x80000000u) ^ 0xC0000000u, off, 0);
}

/* n outputs of one pixel (o1 == NULL) or of two (acc1 -> o1), channel by
 * channel; full != 0 when [lo, hi] is the whole int8 range (then a
 * saturation does the clamp). */
OPT_INLINE void rq_run(const int32_t *acc0, const int32_t *acc1, int32_t n,
                          const int32_t *mult, const int8_t *shift,
                          int32_t out_off, int32_t lo, int32_t hi, int8_t *o0,
                          int8_t *o1, int full) {
  /* 2^(e-2) + out_off * 2^(e-1) = k << (e - 2) */
  const uint32_t k = 2u * (uint32_t)out_off + 1u;
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t m = mult[i], s = shift[i];
    int32_t v0, v1 = 0;
    if (s <= -2 && s >= -22) {
      const int32_t e1 = -s - 1;
      const int32_t hi0 = (int32_t)(k << (e1 - 1));
      v0 = rq_e2(acc0[i], m, hi0, e1);
      if (o1) v1 = rq_e2(acc1[i], m, hi0, e1);
    } else if (s == -1) {
      v0 = rq_e1(acc0[i], m, out_off);
      if (o1) v1 = rq_e1(acc1[i], m, out_off);
    } else {
      v0 = (int32_t)((uint32_t)rq1(acc0[i], m, s) + (uint32_t)out_off);
      if (o1) v1 = (int32_t)((uint32_t)rq1(acc1[i], m, s) + (uint32_t)out_off);
    }
    o0[i] = full ? opt_sat8(v0) : clamp_s8(v0, lo, hi);
    if (o1) o1[i] = full ? opt_sat8(v1) : clamp_s8(v1, lo, hi);
  }
}

/* The shifts all in [-22, -2]: per channel e - 1 = ~shift and
 * hi0 = k << (e - 2), per output the folded formula and the clamp. */
OPT_INLINE void rq_fast(const int32_t *acc0, const int32_t *acc1, int32_t n,
                        const int32_t *mult, const int8_t *shift, uint32_t k,
                        int32_t lo, int32_t hi, int8_t *o0, int8_t *o1,
                        int full) {
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t m = mult[i], e1 = ~(int32_t)shift[i];
    const int32_t h = (int32_t)(k << (e1 - 1));
    const int32_t x0 = acc0[i];
    const int32_t v0 = rq_e2(x0, m, h, e1);
    if (o1) {
      const int32_t x1 = acc1[i];
      const int32_t v1 = rq_e2(x1, m, h, e1);
      o1[i] = full ? opt_sat8(v1) : clamp_s8(v1, lo, hi);
    }
    o0[i] = full ? opt_sat8(v0) : clamp_s8(v0, lo, hi);
  }
}

OPT_NOINLINE static void rq_fast_full2(const int32_t *acc0, const int32_t *acc1,
                                       int32_t n, const int32_t *mult,
                                       const int8_t *shift, uint32_t k,
                                       int8_t *o0, int8_t *o1) {
  rq_fast(acc0, acc1, n, mult, shift, k, -128, 127, o0, o1, 1);
}

OPT_NOINLINE static void rq_fast_full1(const int32_t *acc0, int32_t n,
                                       const int32_t *mult, const int8_t *shift,
                                       uint32_t k, int8_t *o0) {
  rq_fast(acc0, acc0, n, mult, shift, k, -128, 127, o0, NULL, 1);
}

OPT_NOINLINE static void rq_fast_clamp(const int32_t *acc0, const int32_t *acc1,
                                       int32_t n, const int32_t *mult,
                                       const int8_t *shift, uint32_t k,
                                       int32_t lo, int32_t hi, int8_t *o0,
                                       int8_t *o1) {
  if (o1)
    rq_fast(acc0, acc1, n, mult, shift, k, lo, hi, o0, o1, 0);
  else
    rq_fast(acc0, acc0, n, mult, shift, k, lo, hi, o0, NULL, 0);
}

int tml_opt_rq_fast(int32_t n, const int8_t *shift) {
  int32_t i;
  for (i = 0; i < n; i++)
    if (shift[i] > -2 || shift[i] < -22) return 0;
  return 1;
}

OPT_NOINLINE static void rq_full(const int32_t *acc0, const int32_t *acc1,
                                 int32_t n, const int32_t *mult,
                                 const int8_t *shift, int32_t out_off,
                                 int8_t *o0, int8_t *o1) {
  if (o1)
    rq_run(acc0, acc1, n, mult, shift, out_off, -128, 127, o0, o1, 1);
  else
    rq_run(acc0, acc0, n, mult, shift, out_off, -128, 127, o0, NULL, 1);
}

OPT_NOINLINE static void rq_clamp(const int32_t *acc0, const int32_t *acc1,
                                  int32_t n, const int32_t *mult,
                                  const int8_t *shift, int32_t out_off,
                                  int32_t lo, int32_t hi, int8_t *o0,
                                  int8_t *o1) {
  if (o1)
    rq_run(acc0, acc1, n, mult, shift, out_off, lo, hi, o0, o1, 0);
  else
    rq_run(acc0, acc0, n, mult, shift, out_off, lo, hi, o0, NULL, 0);
}

void tml_opt_requant(const int32_t *acc0, const int32_t *acc1, int32_t n,
                     const int32_t *mult, const int8_t *shift, int fast,
                     int32_t out_off, int32_t lo,
                     int32_t hi, int8_t *o0, int8_t *o1) {
  /* 2^(e-2) + out_off * 2^(e-1) = k << (e - 2) */
  const uint32_t k = 2u * (uint32_t)out_off + 1u;
  if (fast && lo == -128 && hi == 127) {
    if (o1)
      rq_fast_full2(acc0, acc1, n, mult, shift, k, o0, o1);
    else
      rq_fast_full1(acc0, n, mult, shift, k, o0);
  } else if (fast)
    rq_fast_clamp(acc0, acc1, n, mult, shift, k, lo, hi, o0, o1);
  else if (lo == -128 && hi == 127)
    rq_full(acc0, acc1, n, mult, shift, out_off, o0, o1);
  else
    rq_clamp(acc0, acc1, n, mult, shift, out_off, lo, hi, o0, o1);
}
