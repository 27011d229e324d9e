/* kernels_test.c - the CMSIS-NN backend (native/kernels/cmsis_nn) against
 * the reference kernels, byte for byte, on edge shapes: odd channel counts
 * and counts not a multiple of 4, 1-pixel images, SAME padding on every
 * side, stride 2, dilation, batches, depth multipliers, groups, 1x1 and 1xN
 * convolutions, FC with a weights offset, in-place ADD, CONV_2D + ADD in
 * both slots and in place, zero points and per-channel shifts at their
 * extremes (without the int32 overflow a left shift would make), no bias.
 * Built by test/cmsis-nn.test.js against a CMSIS-NN checkout twice: for the
 * host (CMSIS-NN's portable C, every buffer its own allocation of the exact
 * size under AddressSanitizer) and for the emulated Cortex-M4 (its DSP
 * code, a guard band after every output). Linked with --wrap for each
 * reference kernel the backend falls back to: the wrappers count the calls,
 * so the cases CMSIS-NN must take are checked to run no reference kernel.
 * Prints "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tinyml.h"
#include "tinyml_kernels.h"

#include "../../native/kernels/cmsis_nn/cmsis_nn.h"
#include "../native/check.h"
#if defined(__arm__)
#include "../../boards/qemu-m4/semihost.h" /* the exit code (picolibc's exit stays in QEMU) */
#endif

#define GUARD 16

/* -Wl,--wrap=tml_conv_s8 and so on: the backend's fallbacks land here and
 * are counted; the test computes what to expect with __real_. */
static int fallbacks;
#define WRAP(ret, name, params, args) \
  ret __real_##name params;           \
  ret __wrap_##name params;           \
  ret __wrap_##name params {          \
    fallbacks++;                      \
    __real_##name args;               \
  }
WRAP(void, tml_conv_s8, (const tml_conv_params *p, const int32_t *m, const int8_t *s, const int8_t *i, const int8_t *f, const int32_t *b, int8_t *o), (p, m, s, i, f, b, o))
WRAP(void, tml_dwconv_s8, (const tml_conv_params *p, const int32_t *m, const int8_t *s, const int8_t *i, const int8_t *f, const int32_t *b, int8_t *o), (p, m, s, i, f, b, o))
WRAP(void, tml_fc_s8, (const tml_fc_s8_params *p, const int8_t *i, const int8_t *w, const int32_t *b, int8_t *o), (p, i, w, b, o))
WRAP(void, tml_fc_s8_per_channel, (const tml_fc_s8_params *p, const int32_t *m, const int8_t *s, const int8_t *i, const int8_t *w, const int32_t *b, int8_t *o), (p, m, s, i, w, b, o))
WRAP(void, tml_avgpool_s8, (const tml_pool_params *p, const int8_t *i, int8_t *o), (p, i, o))
WRAP(void, tml_addsub_q, (const tml_addsub_q_params *p, const void *a, const void *b, void *o), (p, a, b, o))

/* After a backend call: it ran CMSIS-NN alone when `accel` says it must,
 * and fell back to the reference otherwise. */
#define ACCELERATED(accel)                  \
  do {                                      \
    if (accel)                              \
      CHECK_EQ(fallbacks, 0);               \
    else                                    \
      CHECK(fallbacks > 0);                 \
    fallbacks = 0;                          \
  } while (0)

static uint32_t seed = 2024;
static uint32_t rnd(void) {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}
static int32_t range(int32_t lo, int32_t hi) {
  return lo + (int32_t)(rnd() % (uint32_t)(hi - lo + 1));
}

/* n random bytes then GUARD bytes of 0x5A (checked by guard_ok). */
static int8_t *bytes(size_t n) {
  int8_t *p = (int8_t *)malloc(n + GUARD);
  size_t i;
  for (i = 0; i < n; i++) p[i] = (int8_t)rnd();
  memset(p + n, 0x5A, GUARD);
  return p;
}
static int guard_ok(const int8_t *p, size_t n) {
  size_t i;
  for (i = 0; i < GUARD; i++)
    if (p[n + i] != 0x5A) return 0;
  return 1;
}

/* Multipliers in [2^30, 2^31) and shifts from -31 to +1 (some at -31). */
static void quant(int32_t n, int32_t **mult, int8_t **shift) {
  int32_t c;
  *mult = (int32_t *)malloc(4 * (size_t)n);
  *shift = (int8_t *)malloc((size_t)n);
  for (c = 0; c < n; c++) {
    (*mult)[c] = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
    (*shift)[c] = (int8_t)(rnd() % 8 == 0 ? -31 : range(-12, 1));
  }
}

static int32_t *bias_of(int32_t n) {
  int32_t *b = (int32_t *)malloc(4 * (size_t)n);
  int32_t c;
  for (c = 0; c < n; c++) b[c] = range(-40000, 40000);
  return b;
}

/* One axis as TFLite plans it: SAME (pad split, the odd one after) or VALID. */
static void axis(int32_t in, int32_t f, int32_t stride, int32_t dil, int same,
                 int32_t *out, int32_t *pad) {
  const int32_t eff = (f - 1) * dil + 1;
  if (same) {
    int32_t total;
    *out = (in + stride - 1) / stride;
    total = (*out - 1) * stride + eff - in;
    *pad = total > 0 ? total / 2 : 0;
  } else {
    *out = (in - eff) / stride + 1;
    *pad = 0;
  }
}

typedef struct {
  int32_t batches, in_h, in_w, in_c, f_h, f_w, groups, depth_mult, stride, dil, same;
  int accel; /* CMSIS-NN takes it (with a bias) */
} shape;

static void conv_params(const shape *s, int dw, tml_conv_params *p) {
  memset(p, 0, sizeof *p);
  p->in_offset = rnd() % 4 == 0 ? 128 : (rnd() % 4 == 0 ? -127 : range(-127, 128));
  p->out_offset = rnd() % 4 == 0 ? -128 : range(-128, 127);
  p->stride_w = p->stride_h = s->stride;
  p->dil_w = p->dil_h = s->dil;
  p->act_min = rnd() % 2 ? -128 : range(-128, 0);
  p->act_max = rnd() % 2 ? 127 : range(1, 127);
  p->batches = s->batches;
  p->in_h = s->in_h;
  p->in_w = s->in_w;
  p->in_c = s->in_c;
  p->f_h = s->f_h;
  p->f_w = s->f_w;
  axis(s->in_h, s->f_h, s->stride, s->dil, s->same, &p->out_h, &p->pad_h);
  axis(s->in_w, s->f_w, s->stride, s->dil, s->same, &p->out_w, &p->pad_w);
  if (dw) {
    p->f_in_c = 1;
    p->depth_mult = s->depth_mult;
    p->out_c = s->in_c * s->depth_mult;
  } else {
    p->f_in_c = s->in_c / s->groups;
    p->depth_mult = 1;
    p->out_c = s->groups * range(1, 3) * (rnd() % 2 ? 4 : 3);
  }
}

static void conv_case(const shape *s, int dw, int with_bias) {
  tml_conv_params p;
  size_t in_n, f_n, out_n;
  int8_t *in, *f, *a, *b, *shift;
  int32_t *mult, *bias;
  conv_params(s, dw, &p);
  if (p.out_h <= 0 || p.out_w <= 0) return;
  in_n = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
  f_n = dw ? (size_t)p.f_h * p.f_w * p.out_c : (size_t)p.out_c * p.f_h * p.f_w * p.f_in_c;
  out_n = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
  in = bytes(in_n);
  f = bytes(f_n);
  a = bytes(out_n);
  b = bytes(out_n);
  quant(p.out_c, &mult, &shift);
  bias = with_bias ? bias_of(p.out_c) : NULL;
  fallbacks = 0;
  if (dw) {
    __real_tml_dwconv_s8(&p, mult, shift, in, f, bias, a);
    tml_cmsis_dwconv_s8(&p, mult, shift, in, f, bias, b);
  } else {
    __real_tml_conv_s8(&p, mult, shift, in, f, bias, a);
    tml_cmsis_conv_s8(&p, mult, shift, in, f, bias, b);
  }
  ACCELERATED(s->accel && with_bias);
  CHECK(memcmp(a, b, out_n) == 0);
  CHECK(guard_ok(b, out_n));
  if (memcmp(a, b, out_n) != 0)
    printf("  %s %dx%dx%dx%d f %dx%d groups %d mult %d stride %d dil %d pad %d,%d out %dx%dx%d\n",
           dw ? "dwconv" : "conv", (int)p.batches, (int)p.in_h, (int)p.in_w, (int)p.in_c,
           (int)p.f_h, (int)p.f_w, (int)s->groups, (int)p.depth_mult, (int)p.stride_h,
           (int)p.dil_h, (int)p.pad_h, (int)p.pad_w, (int)p.out_h, (int)p.out_w, (int)p.out_c);
  free(in); free(f); free(a); free(b); free(mult); free(shift); free(bias);
}

static void convs(void) {
  static const shape shapes[] = {
      /* batches, h, w, c, fh, fw, groups, mult, stride, dil, same, accel */
      {1, 7, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1},   /* odd channels, pad on every side */
      {1, 8, 8, 16, 3, 3, 1, 1, 2, 1, 1, 1},  /* stride 2, the odd padding after */
      {2, 6, 7, 5, 3, 3, 1, 1, 1, 1, 0, 1},   /* batches, valid */
      {1, 9, 9, 4, 3, 3, 1, 1, 1, 2, 1, 1},   /* dilation */
      {1, 5, 6, 8, 1, 1, 1, 1, 1, 1, 0, 1},   /* 1x1 fast path */
      {1, 7, 7, 12, 1, 1, 1, 1, 2, 1, 1, 1},  /* 1x1 strided */
      {1, 1, 1, 7, 1, 1, 1, 1, 1, 1, 1, 1},   /* 1 pixel */
      {1, 1, 1, 3, 3, 3, 1, 1, 1, 1, 1, 1},   /* 1 pixel, 3x3 all padding but the centre */
      {1, 1, 12, 4, 1, 5, 1, 1, 1, 1, 1, 1},  /* 1xN */
      {1, 1, 11, 3, 1, 4, 1, 1, 2, 1, 1, 1},  /* 1xN, stride * channels not a multiple of 4 */
      {1, 10, 4, 1, 10, 4, 1, 1, 2, 1, 1, 1}, /* kws's first layer shape */
      {1, 6, 6, 8, 3, 3, 2, 1, 1, 1, 1, 0},   /* groups: the reference */
      {1, 5, 5, 64, 3, 3, 1, 1, 1, 1, 1, 1},  /* 3x3x64, ic_resnet8's widest patch */
      {1, 6, 6, 3, 5, 5, 1, 1, 1, 1, 1, 1},   /* 5x5, pad 2 */
      {1, 4, 4, 72, 3, 3, 1, 1, 1, 1, 1, 0},  /* patch past the static scratch: the reference */
  };
  static const shape dws[] = {
      {1, 7, 5, 8, 3, 3, 1, 1, 1, 1, 1, 1},   /* 3x3 path */
      {1, 8, 9, 5, 3, 3, 1, 1, 2, 1, 1, 1},   /* odd channels, stride 2 */
      {1, 6, 6, 12, 5, 5, 1, 1, 1, 1, 1, 1},  /* opt path (pad 2) */
      {2, 5, 5, 4, 3, 3, 1, 1, 1, 1, 1, 1},   /* batches: the general path */
      {1, 9, 9, 6, 3, 3, 1, 1, 1, 2, 1, 1},   /* dilation */
      {1, 6, 5, 3, 3, 3, 1, 2, 1, 1, 1, 1},   /* depth multiplier 2 */
      {1, 6, 5, 2, 3, 3, 1, 4, 2, 1, 0, 1},   /* depth multiplier 4, valid */
      {1, 1, 1, 9, 3, 3, 1, 1, 1, 1, 1, 1},   /* 1 pixel */
      {1, 49, 10, 1, 10, 4, 1, 8, 2, 1, 1, 1}, /* micro_speech's first layer shape */
  };
  size_t i;
  int k;
  for (k = 0; k < 3; k++) {
    for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) conv_case(&shapes[i], 0, k != 2);
    for (i = 0; i < sizeof dws / sizeof dws[0]; i++) conv_case(&dws[i], 1, k != 2);
  }
}

static void fcs(void) {
  static const int32_t sizes[][3] = {{1, 1, 1}, {1, 7, 3}, {3, 10, 5}, {2, 64, 12}, {1, 250, 10}, {4, 33, 17}};
  size_t i;
  int k;
  for (k = 0; k < 4; k++) {
    for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
      tml_fc_s8_params p;
      size_t in_n, w_n, out_n;
      int8_t *in, *w, *a, *b, *shift;
      int32_t *mult, *bias;
      p.batches = sizes[i][0];
      p.accum_depth = sizes[i][1];
      p.out_depth = sizes[i][2];
      p.in_offset = k == 0 ? 128 : range(-127, 128);
      p.w_offset = k == 1 ? range(-127, 128) : 0;
      p.out_offset = range(-128, 127);
      p.act_min = range(-128, -100);
      p.act_max = range(100, 127);
      quant(p.out_depth, &mult, &shift);
      p.out_mult = mult[0];
      p.out_shift = shift[0];
      in_n = (size_t)p.batches * p.accum_depth;
      w_n = (size_t)p.out_depth * p.accum_depth;
      out_n = (size_t)p.batches * p.out_depth;
      in = bytes(in_n);
      w = bytes(w_n);
      a = bytes(out_n);
      b = bytes(out_n);
      bias = k == 3 ? NULL : bias_of(p.out_depth);
      fallbacks = 0;
      __real_tml_fc_s8(&p, in, w, bias, a);
      tml_cmsis_fc_s8(&p, in, w, bias, b);
      ACCELERATED(bias != NULL);
      CHECK(memcmp(a, b, out_n) == 0);
      CHECK(guard_ok(b, out_n));
      __real_tml_fc_s8_per_channel(&p, mult, shift, in, w, bias, a);
      tml_cmsis_fc_s8_per_channel(&p, mult, shift, in, w, bias, b);
      ACCELERATED(bias != NULL);
      CHECK(memcmp(a, b, out_n) == 0);
      CHECK(guard_ok(b, out_n));
      free(in); free(w); free(a); free(b); free(mult); free(shift); free(bias);
    }
  }
}

static void pools(void) {
  /* batches, h, w, c, fh, fw, stride, same */
  static const int32_t shapes[][8] = {{1, 7, 5, 3, 3, 3, 1, 1}, {2, 8, 8, 5, 2, 2, 2, 0}, {1, 25, 5, 64, 25, 5, 1, 0},
                                      {1, 9, 9, 7, 3, 3, 2, 1}, {1, 1, 1, 9, 3, 3, 1, 1}, {1, 6, 7, 16, 4, 2, 3, 1}};
  size_t i;
  for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    tml_pool_params p;
    size_t in_n, out_n;
    int8_t *in, *a, *b;
    p.batches = shapes[i][0];
    p.in_h = shapes[i][1];
    p.in_w = shapes[i][2];
    p.channels = shapes[i][3];
    p.f_h = shapes[i][4];
    p.f_w = shapes[i][5];
    p.stride_h = p.stride_w = shapes[i][6];
    axis(p.in_h, p.f_h, p.stride_h, 1, (int)shapes[i][7], &p.out_h, &p.pad_h);
    axis(p.in_w, p.f_w, p.stride_w, 1, (int)shapes[i][7], &p.out_w, &p.pad_w);
    p.act_min = i % 2 ? -128 : -20;
    p.act_max = i % 2 ? 127 : 30;
    in_n = (size_t)p.batches * p.in_h * p.in_w * p.channels;
    out_n = (size_t)p.batches * p.out_h * p.out_w * p.channels;
    in = bytes(in_n);
    a = bytes(out_n);
    b = bytes(out_n);
    fallbacks = 0;
    __real_tml_avgpool_s8(&p, in, a);
    tml_cmsis_avgpool_s8(&p, in, b);
    ACCELERATED(1);
    CHECK(memcmp(a, b, out_n) == 0);
    CHECK(guard_ok(b, out_n));
    free(in); free(a); free(b);
  }
}

/* A flat ADD of n elements, TFLM-style parameters (shifts <= 0). */
static void add_params(tml_addsub_q_params *p, int32_t n) {
  int32_t d;
  memset(p, 0, sizeof *p);
  for (d = 0; d < TML_BCAST_DIMS; d++) p->shape.out[d] = p->shape.in1[d] = p->shape.in2[d] = 1;
  p->shape.out[TML_BCAST_DIMS - 1] = p->shape.in1[TML_BCAST_DIMS - 1] = p->shape.in2[TML_BCAST_DIMS - 1] = n;
  p->dtype = TML_INT8;
  p->left_shift = 20;
  p->in1_offset = range(-127, 128);
  p->in1_mult = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
  p->in1_shift = -range(0, 3);
  p->in2_offset = range(-127, 128);
  p->in2_mult = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
  p->in2_shift = -range(0, 3);
  p->out_offset = range(-128, 127);
  p->out_mult = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
  p->out_shift = -range(17, 20);
  p->act_min = range(-128, -64);
  p->act_max = range(64, 127);
}

static void adds(void) {
  static const int32_t sizes[] = {1, 3, 4, 7, 64, 333};
  size_t i;
  for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    tml_addsub_q_params p;
    const size_t n = (size_t)sizes[i];
    int8_t *x = bytes(n), *y = bytes(n), *a = bytes(n), *b = bytes(n), *c = bytes(n);
    add_params(&p, sizes[i]);
    fallbacks = 0;
    __real_tml_addsub_q(&p, x, y, a);
    tml_cmsis_addsub_q(&p, x, y, b);
    ACCELERATED(1);
    CHECK(memcmp(a, b, n) == 0);
    CHECK(guard_ok(b, n));
    memcpy(c, x, n); /* in place */
    tml_cmsis_addsub_q(&p, c, y, c);
    ACCELERATED(1);
    CHECK(memcmp(a, c, n) == 0);
    p.is_sub = 1; /* SUB: the reference */
    __real_tml_addsub_q(&p, x, y, a);
    tml_cmsis_addsub_q(&p, x, y, b);
    CHECK_EQ(fallbacks, 1);
    fallbacks = 0;
    CHECK(memcmp(a, b, n) == 0);
    free(x); free(y); free(a); free(b); free(c);
  }
}

static void conv_adds(void) {
  /* The last rows of a 5x5 (pad 2) and of a dilated 3x3 reach 2 rows past
   * the input, which CMSIS-NN is not given: the reference runs those rows. */
  static const shape shapes[] = {
      {1, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1}, {1, 8, 8, 8, 3, 3, 1, 1, 2, 1, 1, 1}, {2, 5, 6, 3, 3, 3, 1, 1, 1, 1, 1, 1},
      {1, 6, 6, 4, 1, 1, 1, 1, 1, 1, 0, 1},  {1, 7, 7, 5, 5, 5, 1, 1, 1, 1, 1, 0}, {1, 9, 9, 4, 3, 3, 1, 1, 1, 2, 1, 0},
      {1, 1, 1, 6, 3, 3, 1, 1, 1, 1, 1, 1},
  };
  size_t i;
  int slot;
  for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
    for (slot = 0; slot < 2; slot++) {
      tml_conv_params p;
      tml_addsub_q_params ap;
      size_t in_n, f_n, out_n, row_n;
      int8_t *in, *f, *x, *a, *b, *c, *row, *shift;
      int32_t *mult, *bias;
      conv_params(&shapes[i], 0, &p);
      in_n = (size_t)p.batches * p.in_h * p.in_w * p.in_c;
      f_n = (size_t)p.out_c * p.f_h * p.f_w * p.f_in_c;
      out_n = (size_t)p.batches * p.out_h * p.out_w * p.out_c;
      row_n = (size_t)p.out_w * p.out_c;
      in = bytes(in_n);
      f = bytes(f_n);
      x = bytes(out_n);
      a = bytes(out_n);
      b = bytes(out_n);
      c = bytes(out_n);
      row = bytes(row_n);
      quant(p.out_c, &mult, &shift);
      bias = bias_of(p.out_c);
      add_params(&ap, (int32_t)out_n);
      tml_conv_add_s8(&p, mult, shift, &ap, slot, in, f, bias, x, a, row);
      fallbacks = 0;
      tml_cmsis_conv_add_s8(&p, mult, shift, &ap, slot, in, f, bias, x, b, row);
      ACCELERATED(shapes[i].accel);
      CHECK(memcmp(a, b, out_n) == 0);
      CHECK(guard_ok(b, out_n) && guard_ok(row, row_n));
      memcpy(c, x, out_n); /* out is x itself */
      tml_cmsis_conv_add_s8(&p, mult, shift, &ap, slot, in, f, bias, c, c, row);
      ACCELERATED(shapes[i].accel);
      CHECK(memcmp(a, c, out_n) == 0);
      free(in); free(f); free(x); free(a); free(b); free(c); free(row); free(mult); free(shift); free(bias);
    }
  }
}

int main(void) {
  convs();
  fcs();
  pools();
  adds();
  conv_adds();
  printf("%d passed, %d failed\n", passed, failed);
  fflush(stdout);
#if defined(__arm__)
  sh_exit(failed ? 1 : 0);
#endif
  return failed ? 1 : 0;
}
