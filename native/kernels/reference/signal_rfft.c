/*
 * signal_rfft.c - SignalRfft (TFLM signal library) for int16, int32 and
 * float, bit-exact with the kissfft 1.3.0 build TFLM uses. The transform
 * itself is in signal_rfft_impl.h, instantiated here once per scalar type
 * with that type's arithmetic: Q15 / Q31 fixed point whose products round
 * (+half, then an arithmetic shift) and whose stores wrap to the scalar
 * width, or plain float.
 *
 * Twiddles come from the op program and are not trusted: fixed-point sums
 * wrap instead of overflowing whatever their values.
 */
#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* ---- int16: Q15 ---- */

static int16_t wrap16(int32_t x) {
  const uint32_t u = (uint32_t)x & 0xFFFFu;
  return (int16_t)((int32_t)u - (int32_t)((u & 0x8000u) << 1));
}

/* (x + 2^14) >> 15, narrowed: kissfft's sround for int16. */
static int16_t round15(uint32_t x) {
  return wrap16(tml_fp_asr((int32_t)(x + 16384u), 15));
}

typedef struct {
  int16_t r, i;
} cpx_s16;

static int16_t add_s16(int16_t a, int16_t b) { return wrap16(a + b); }
static int16_t sub_s16(int16_t a, int16_t b) { return wrap16(a - b); }
static int16_t neg_s16(int16_t a) { return wrap16(-a); }
static int16_t smul_s16(int16_t a, int16_t b) {
  return round15((uint32_t)(a * b));
}
static int16_t fixdiv_s16(int16_t a, int32_t k) {
  return round15((uint32_t)(a * (32767 / k)));
}
static int16_t half_s16(int16_t a) { return (int16_t)tml_fp_asr(a, 1); }
static int16_t half_add_s16(int16_t a, int16_t b) {
  return wrap16(tml_fp_asr(a + b, 1));
}
static int16_t half_sub_s16(int16_t a, int16_t b) {
  return wrap16(tml_fp_asr(a - b, 1));
}
static cpx_s16 cmul_s16(cpx_s16 a, cpx_s16 b) {
  cpx_s16 c;
  c.r = round15((uint32_t)(a.r * b.r) - (uint32_t)(a.i * b.i));
  c.i = round15((uint32_t)(a.r * b.i) + (uint32_t)(a.i * b.r));
  return c;
}
/* One word per twiddle: re in the low half, im in the high half. */
static cpx_s16 tw_s16(const int32_t *words, int32_t k) {
  cpx_s16 c;
  c.r = wrap16(words[k]);
  c.i = wrap16(tml_fp_asr(words[k], 16));
  return c;
}

#define SIG_T int16_t
#define SIG_FN(name) name##_s16
#define SIG_TW_WORDS 1
#include "signal_rfft_impl.h"
#undef SIG_T
#undef SIG_FN
#undef SIG_TW_WORDS

/* ---- int32: Q31 ---- */

static int32_t wrap32(uint64_t x) { return (int32_t)(uint32_t)x; }

/* Arithmetic right shift of an int64 held as its two's complement bits. */
static int64_t asr64(uint64_t x, int32_t s) {
  const int64_t v = (x & 0x8000000000000000u)
                        ? -(int64_t)((~x) >> s) - 1
                        : (int64_t)(x >> s);
  return v;
}

/* (x + 2^30) >> 31, narrowed: kissfft's sround for int32. */
static int32_t round31(uint64_t x) {
  return wrap32((uint64_t)asr64(x + ((uint64_t)1 << 30), 31));
}

typedef struct {
  int32_t r, i;
} cpx_s32;

static uint64_t prod_s32(int32_t a, int32_t b) {
  return (uint64_t)((int64_t)a * (int64_t)b);
}
static int32_t add_s32(int32_t a, int32_t b) { return tml_fp_add(a, b); }
static int32_t sub_s32(int32_t a, int32_t b) { return tml_fp_sub(a, b); }
static int32_t neg_s32(int32_t a) { return tml_fp_sub(0, a); }
static int32_t smul_s32(int32_t a, int32_t b) {
  return round31(prod_s32(a, b));
}
static int32_t fixdiv_s32(int32_t a, int32_t k) {
  return round31(prod_s32(a, INT32_MAX / k));
}
static int32_t half_s32(int32_t a) { return tml_fp_asr(a, 1); }
static int32_t half_add_s32(int32_t a, int32_t b) {
  return tml_fp_asr(tml_fp_add(a, b), 1);
}
static int32_t half_sub_s32(int32_t a, int32_t b) {
  return tml_fp_asr(tml_fp_sub(a, b), 1);
}
static cpx_s32 cmul_s32(cpx_s32 a, cpx_s32 b) {
  cpx_s32 c;
  c.r = round31(prod_s32(a.r, b.r) - prod_s32(a.i, b.i));
  c.i = round31(prod_s32(a.r, b.i) + prod_s32(a.i, b.r));
  return c;
}
static cpx_s32 tw_s32(const int32_t *words, int32_t k) {
  cpx_s32 c;
  c.r = words[2 * k];
  c.i = words[2 * k + 1];
  return c;
}

#define SIG_T int32_t
#define SIG_FN(name) name##_s32
#define SIG_TW_WORDS 2
#include "signal_rfft_impl.h"
#undef SIG_T
#undef SIG_FN
#undef SIG_TW_WORDS

/* ---- float ---- */

typedef struct {
  float r, i;
} cpx_f32;

static float add_f32(float a, float b) { return a + b; }
static float sub_f32(float a, float b) { return a - b; }
static float neg_f32(float a) { return -a; }
static float smul_f32(float a, float b) { return a * b; }
static float fixdiv_f32(float a, int32_t k) {
  (void)k; /* no scaling in floating point */
  return a;
}
static float half_f32(float a) { return a * 0.5f; }
static float half_add_f32(float a, float b) { return (a + b) * 0.5f; }
static float half_sub_f32(float a, float b) { return (a - b) * 0.5f; }
static cpx_f32 cmul_f32(cpx_f32 a, cpx_f32 b) {
  cpx_f32 c;
  c.r = a.r * b.r - a.i * b.i;
  c.i = a.r * b.i + a.i * b.r;
  return c;
}
static cpx_f32 tw_f32(const int32_t *words, int32_t k) {
  cpx_f32 c;
  c.r = tml_f32_from_bits(words[2 * k]);
  c.i = tml_f32_from_bits(words[2 * k + 1]);
  return c;
}

#define SIG_T float
#define SIG_FN(name) name##_f32
#define SIG_TW_WORDS 2
#include "signal_rfft_impl.h"
#undef SIG_T
#undef SIG_FN
#undef SIG_TW_WORDS
