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
 * inside int64 and hi inside int32 for e <= 23; past e = 22 out_off is
 * left out of the constant (hi then stays within 2^30 + 2^29 + 1 for
 * e <= 31) and added after the shift. Other shifts take opt_requant's
 * spelled-out arithmetic.
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

/* The shifts all in [-31, -2]: per channel e - 1 = ~shift and the
 * constant hi0, per output the folded formula and the clamp. Up to e = 22
 * hi0 = k << (e - 2) with k = 2 out_off + 1 holds the output offset too;
 * past it (wide) hi0 = 2^(e-2) and the offset is added after the shift. */
OPT_INLINE void rq_fast(const int32_t *acc0, const int32_t *acc1, int32_t n,
                        const int32_t *mult, const int8_t *shift, uint32_t k,
                        int32_t off, int wide, int32_t lo, int32_t hi,
                        int8_t *o0, int8_t *o1, int full) {
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t m = mult[i], e1 = ~(int32_t)shift[i];
    const int32_t h = (int32_t)(k << (e1 - 1));
    const int32_t x0 = acc0[i];
    int32_t v0 = rq_e2(x0, m, h, e1);
    if (wide) v0 += off;
    if (o1) {
      const int32_t x1 = acc1[i];
      int32_t v1 = rq_e2(x1, m, h, e1);
      if (wide) v1 += off;
      o1[i] = full ? opt_sat8(v1) : clamp_s8(v1, lo, hi);
    }
    o0[i] = full ? opt_sat8(v0) : clamp_s8(v0, lo, hi);
  }
}

#if TML_OPT_DSP
/* The full-range loops in assembly (GCC spills them): per channel LDRSB,
 * LDR, 3 for hi0 (+1 wide), per output LDR, AND, ORR, ADD, SMLAL, ASR,
 * (ADD wide,) SSAT, STRB. Two pixels: acc1 = acc0 + OPT_OCB (the
 * convolution's block), o1 = o0 + os. */
#define RQ_HI0_FOLDED                         \
  "sub    %[h], %[e1], #1\n\t"                \
  "lsl    %[h], %[k], %[h]\n\t"
#define RQ_HI0_WIDE                           \
  "mov    %[h], #1\n\t"                       \
  "lsl    %[h], %[h], %[e1]\n\t"              \
  "lsr    %[h], %[h], #1\n\t"
#define RQ_ONE(load, wide, store)                  \
  load                                             \
  "and    %[lo], %[x], #0x80000000\n\t"            \
  "orr    %[lo], %[lo], #0x40000000\n\t"           \
  "add    %[hi], %[h], %[x], asr #31\n\t"          \
  "smlal  %[lo], %[hi], %[x], %[m]\n\t"            \
  "asr    %[hi], %[hi], %[e1]\n\t"                 \
  wide                                             \
  "ssat   %[hi], #8, %[hi]\n\t"                    \
  store
#define RQ_HEAD(hi0)                               \
  "1:\n\t"                                        \
  "ldrsb  %[e1], [%[sh]], #1\n\t"                  \
  "ldr    %[m], [%[mp]], #4\n\t"                   \
  "mvn    %[e1], %[e1]\n\t" hi0
#define RQ_TAIL                                    \
  "cmp    %[mp], %[end]\n\t"                       \
  "bne    1b\n\t"
#define RQ_OPERANDS                                                        \
  : [sh] "+r"(shift), [mp] "+r"(mult), [a] "+r"(acc0), [o0] "+r"(o0),      \
    [e1] "=&r"(e1), [m] "=&r"(m), [h] "=&r"(h), [x] "=&r"(x),              \
    [lo] "=&r"(lo), [hi] "=&r"(hv)                                         \
  : [end] "r"(end), [k] "r"(k), [os] "r"(os)                               \
  : "cc", "memory"
#define RQ_LD1 "ldr    %[x], [%[a], #256]\n\t"
#define RQ_LD0 "ldr    %[x], [%[a]], #4\n\t"
#define RQ_ST1 "strb   %[hi], [%[o0], %[os]]\n\t"
#define RQ_ST0 "strb   %[hi], [%[o0]], #1\n\t"
#define RQ_ADD "add    %[hi], %[hi], %[k]\n\t"

typedef char rq_block_is_256_bytes[OPT_OCB * 4 == 256 ? 1 : -1];

/* wide: k is out_off. */
OPT_NOINLINE static void rq_asm2(const int32_t *acc0, int32_t n,
                                 const int32_t *mult, const int8_t *shift,
                                 int32_t k, int8_t *o0, int32_t os, int wide) {
  const int32_t *end = mult + n;
  int32_t e1, m, h, x, lo, hv;
  if (wide)
    __asm__ volatile(RQ_HEAD(RQ_HI0_WIDE) RQ_ONE(RQ_LD1, RQ_ADD, RQ_ST1)
                     RQ_ONE(RQ_LD0, RQ_ADD, RQ_ST0) RQ_TAIL RQ_OPERANDS);
  else
    __asm__ volatile(RQ_HEAD(RQ_HI0_FOLDED) RQ_ONE(RQ_LD1, "", RQ_ST1)
                     RQ_ONE(RQ_LD0, "", RQ_ST0) RQ_TAIL RQ_OPERANDS);
}

OPT_NOINLINE static void rq_asm1(const int32_t *acc0, int32_t n,
                                 const int32_t *mult, const int8_t *shift,
                                 int32_t k, int8_t *o0, int wide) {
  const int32_t *end = mult + n;
  const int32_t os = 0;
  int32_t e1, m, h, x, lo, hv;
  if (wide)
    __asm__ volatile(RQ_HEAD(RQ_HI0_WIDE) RQ_ONE(RQ_LD0, RQ_ADD, RQ_ST0)
                     RQ_TAIL RQ_OPERANDS);
  else
    __asm__ volatile(RQ_HEAD(RQ_HI0_FOLDED) RQ_ONE(RQ_LD0, "", RQ_ST0)
                     RQ_TAIL RQ_OPERANDS);
}
#endif

/* Narrow [lo, hi] (and the portable build): one variant, wide or not at
 * run time (off = 0 when not). */
OPT_NOINLINE static void rq_fast_clamp(const int32_t *acc0, const int32_t *acc1,
                                       int32_t n, const int32_t *mult,
                                       const int8_t *shift, uint32_t k,
                                       int32_t off, int32_t lo, int32_t hi,
                                       int8_t *o0, int8_t *o1) {
  if (o1)
    rq_fast(acc0, acc1, n, mult, shift, k, off, 1, lo, hi, o0, o1, 0);
  else
    rq_fast(acc0, acc0, n, mult, shift, k, off, 1, lo, hi, o0, NULL, 0);
}

int tml_opt_rq_fast(int32_t n, const int8_t *shift) {
  int32_t i, r = TML_OPT_RQ_FOLDED;
  for (i = 0; i < n; i++) {
    if (shift[i] > -2) return 0;
    if (shift[i] < -22) r = TML_OPT_RQ_WIDE;
  }
  return r;
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
  const int full = lo == -128 && hi == 127;
  if (fast && full && n > 0) {
    const int wide = fast == TML_OPT_RQ_WIDE;
#if TML_OPT_DSP
    const int32_t kk = wide ? out_off : (int32_t)k;
    if (!o1)
      rq_asm1(acc0, n, mult, shift, kk, o0, wide);
    else if (acc1 == acc0 + OPT_OCB)
      rq_asm2(acc0, n, mult, shift, kk, o0, (int32_t)(o1 - o0), wide);
    else
#endif
      rq_fast_clamp(acc0, acc1, n, mult, shift, wide ? 1u : k, wide ? out_off : 0,
                    -128, 127, o0, o1);
  } else if (fast == TML_OPT_RQ_FOLDED)
    rq_fast_clamp(acc0, acc1, n, mult, shift, k, 0, lo, hi, o0, o1);
  else if (fast == TML_OPT_RQ_WIDE)
    rq_fast_clamp(acc0, acc1, n, mult, shift, 1, out_off, lo, hi, o0, o1);
  else if (full)
    rq_full(acc0, acc1, n, mult, shift, out_off, o0, o1);
  else
    rq_clamp(acc0, acc1, n, mult, shift, out_off, lo, hi, o0, o1);
}
