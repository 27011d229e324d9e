/*
 * requant.c - requantization of a block of int32 sums to int8, the step
 * every optimized kernel ends with. The per-channel work (shift split into
 * its parts) is done once for the two pixels a block may hold; the
 * arithmetic is opt_requant's (dsp.h), spelled for the common right shifts.
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

/* n outputs of one pixel (o1 == NULL) or of two (acc1 -> o1), channel by
 * channel; full != 0 when [lo, hi] is the whole int8 range (then a
 * saturation does the clamp). */
static inline void rq_run(const int32_t *acc0, const int32_t *acc1, int32_t n,
                          const int32_t *mult, const int8_t *shift,
                          int32_t out_off, int32_t lo, int32_t hi, int8_t *o0,
                          int8_t *o1, int full) {
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t m = mult[i], s = shift[i];
    int32_t v = (int32_t)((uint32_t)rq1(acc0[i], m, s) + (uint32_t)out_off);
    o0[i] = full ? opt_sat8(v) : clamp_s8(v, lo, hi);
    if (o1) {
      v = (int32_t)((uint32_t)rq1(acc1[i], m, s) + (uint32_t)out_off);
      o1[i] = full ? opt_sat8(v) : clamp_s8(v, lo, hi);
    }
  }
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
                     const int32_t *mult, const int8_t *shift, int32_t out_off,
                     int32_t lo, int32_t hi, int8_t *o0, int8_t *o1) {
  if (lo == -128 && hi == 127)
    rq_full(acc0, acc1, n, mult, shift, out_off, o0, o1);
  else
    rq_clamp(acc0, acc1, n, mult, shift, out_off, lo, hi, o0, o1);
}
