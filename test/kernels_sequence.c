/*
 * kernels_sequence.c - standalone tests for the TRANSPOSE_CONV, SVDF and
 * UNIDIRECTIONAL_SEQUENCE_LSTM kernels and their op adapters.
 *
 * Transpose conv against a gather-form re-derivation; SVDF over several
 * invokes against a model that keeps each filter's history explicitly
 * (including the int8 state whose zero point pushes values out of range);
 * LSTM gate math against double-precision formulas, time-major against
 * batch-major layouts, batches against single runs, cell clipping; and the
 * adapters' load-time checks through tml_load (this file supplies its own
 * tml_find_op).
 *
 * Build (repo root):
 *   clang -std=c99 -Wall -Wextra -Werror -ffp-contract=off -g \
 *     -fsanitize=address,undefined -Inative/include -Inative/core \
 *     test/kernels_sequence.c native/core/tinyml.c native/ops/transpose_conv.c \
 *     native/ops/svdf.c native/ops/lstm.c \
 *     native/kernels/reference/transpose_conv.c native/kernels/reference/svdf.c \
 *     native/kernels/reference/lstm.c native/kernels/reference/fixedpoint.c \
 *     -lm -o kernels_sequence && ./kernels_sequence
 * Prints "N passed, N failed"; exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

static int passed, failed;

static void expect(int cond, const char *what) {
  if (cond) {
    passed++;
  } else {
    failed++;
    printf("FAIL: %s\n", what);
  }
}

static uint32_t rng = 2024u;
static uint32_t next_u32(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
static int32_t rnd(int32_t lo, int32_t hi) { /* inclusive */
  return lo + (int32_t)(next_u32() % (uint32_t)(hi - lo + 1));
}

/* floor(n / 2^e) for int64 n, e in [0, 62]. */
static int64_t floor_pot(int64_t n, int e) {
  const int64_t d = (int64_t)1 << e;
  int64_t q = n / d;
  if (n % d != 0 && n < 0) q--;
  return q;
}

/* Slow, obviously right requantization with TFLM's two roundings: a
 * (wrapping) left shift, the high half of x * m rounded half up
 * (floor(x * m / 2^31 + 1/2)), then a right shift rounded half away from
 * zero. */
static int32_t ref_requant(int32_t x, int32_t m, int32_t s) {
  int64_t hi;
  if (s > 0) x = (int32_t)((uint32_t)x << s);
  hi = floor_pot((int64_t)x * m + ((int64_t)1 << 30), 31);
  if (s < 0) {
    const int64_t mag = hi < 0 ? -hi : hi;
    const int64_t r = floor_pot(mag + ((int64_t)1 << (-s - 1)), -s);
    hi = hi < 0 ? -r : r;
  }
  return (int32_t)hi;
}

/* ---- TRANSPOSE_CONV --------------------------------------------------- */

/* out[y][x][oc] = sum over every input (iy, ix) and filter tap (fy, fx)
 * that lands on (y, x), computed by visiting the output (gather form). */
static int64_t tconv_gather(const tml_tconv_params *p, const int32_t *in,
                            const int32_t *f, int b, int y, int x, int oc) {
  int64_t acc = 0;
  int iy, ix, ic, fy, fx;
  for (iy = 0; iy < p->in_h; iy++)
    for (ix = 0; ix < p->in_w; ix++) {
      fy = y - (iy * p->stride_h - p->pad_h);
      fx = x - (ix * p->stride_w - p->pad_w);
      if (fy < 0 || fy >= p->f_h || fx < 0 || fx >= p->f_w) continue;
      for (ic = 0; ic < p->in_c; ic++)
        acc += (int64_t)in[((b * p->in_h + iy) * p->in_w + ix) * p->in_c + ic] *
               f[((oc * p->f_h + fy) * p->f_w + fx) * p->in_c + ic];
    }
  return acc;
}

static void test_tconv_random(void) {
  int trial;
  for (trial = 0; trial < 60; trial++) {
    tml_tconv_params p;
    int8_t in8[2 * 5 * 5 * 3], f8[4 * 4 * 4 * 3], out8[2 * 12 * 12 * 4];
    float inf[2 * 5 * 5 * 3], ff[4 * 4 * 4 * 3], outf[2 * 12 * 12 * 4];
    int32_t in32[2 * 5 * 5 * 3], f32v[4 * 4 * 4 * 3], acc[2 * 12 * 12 * 4];
    int32_t bias[4], mult[4];
    int8_t shift[4];
    float biasf[4];
    int n_in, n_f, i, b, y, x, oc, ok8 = 1, okf = 1;
    memset(&p, 0, sizeof p);
    p.batches = rnd(1, 2);
    p.in_h = rnd(1, 5); p.in_w = rnd(1, 5); p.in_c = rnd(1, 3);
    p.f_h = rnd(1, 4); p.f_w = rnd(1, 4); p.out_c = rnd(1, 4);
    p.stride_h = rnd(1, 2); p.stride_w = rnd(1, 2);
    p.pad_h = rnd(0, p.f_h - 1); p.pad_w = rnd(0, p.f_w - 1);
    p.out_h = rnd(1, 12); p.out_w = rnd(1, 12);
    p.in_offset = rnd(-5, 5); p.out_offset = rnd(-10, 10);
    p.act_min = rnd(-128, -60); p.act_max = rnd(60, 127);
    n_in = p.batches * p.in_h * p.in_w * p.in_c;
    n_f = p.out_c * p.f_h * p.f_w * p.in_c;
    for (i = 0; i < n_in; i++) {
      in8[i] = (int8_t)rnd(-128, 127);
      in32[i] = in8[i] + p.in_offset;
      inf[i] = (float)rnd(-8, 8); /* small integers: every float sum is exact */
    }
    for (i = 0; i < n_f; i++) {
      f8[i] = (int8_t)rnd(-127, 127);
      f32v[i] = f8[i];
      ff[i] = (float)rnd(-8, 8);
    }
    for (oc = 0; oc < p.out_c; oc++) {
      bias[oc] = rnd(-3000, 3000);
      biasf[oc] = (float)rnd(-20, 20);
      mult[oc] = rnd(1 << 30, INT32_MAX);
      shift[oc] = (int8_t)rnd(-12, -6);
    }
    tml_tconv_s8(&p, mult, shift, in8, f8, trial % 3 ? bias : NULL, acc, out8);
    for (b = 0; b < p.batches; b++)
      for (y = 0; y < p.out_h; y++)
        for (x = 0; x < p.out_w; x++)
          for (oc = 0; oc < p.out_c; oc++) {
            const int idx = ((b * p.out_h + y) * p.out_w + x) * p.out_c + oc;
            int32_t v = (int32_t)tconv_gather(&p, in32, f32v, b, y, x, oc);
            if (trial % 3) v += bias[oc];
            v = ref_requant(v, mult[oc], shift[oc]) + p.out_offset;
            if (v < p.act_min) v = p.act_min;
            if (v > p.act_max) v = p.act_max;
            if (out8[idx] != v) ok8 = 0;
          }
    expect(ok8, "tconv s8 matches the gather form");

    /* float: fold the float data into the integer gather via in32/f32v */
    p.in_offset = 0;
    {
      const float lo = -50.0f, hi = 40.0f;
      memcpy(&p.act_min, &lo, 4);
      memcpy(&p.act_max, &hi, 4);
    }
    for (i = 0; i < n_in; i++) in32[i] = (int32_t)inf[i];
    for (i = 0; i < n_f; i++) f32v[i] = (int32_t)ff[i];
    tml_tconv_f32(&p, inf, ff, trial % 2 ? biasf : NULL, outf);
    for (b = 0; b < p.batches; b++)
      for (y = 0; y < p.out_h; y++)
        for (x = 0; x < p.out_w; x++)
          for (oc = 0; oc < p.out_c; oc++) {
            const int idx = ((b * p.out_h + y) * p.out_w + x) * p.out_c + oc;
            double v = (double)tconv_gather(&p, in32, f32v, b, y, x, oc);
            if (trial % 2) v += biasf[oc];
            if (v < -50.0) v = -50.0;
            if (v > 40.0) v = 40.0;
            if ((double)outf[idx] != v) okf = 0;
          }
    expect(okf, "tconv f32 matches the gather form");
  }
}

/* ---- SVDF -------------------------------------------------------------- */

/* Keeps hist[b][f][m] (m = memory_size - 1 newest) in its own array and
 * recomputes the output from it, one invoke at a time. */
#define SV_B 2
#define SV_F 6
#define SV_M 4
#define SV_I 5
#define SV_R 2
#define SV_U (SV_F / SV_R)

static int32_t wrap8(int32_t v) { return ((v + 128) & 255) - 128; }

static void test_svdf_int(int s16) {
  tml_svdf_s8_params p;
  int8_t in[SV_B * SV_I], wf[SV_F * SV_I], out[SV_B * SV_U];
  int8_t wt8[SV_F * SV_M], st8[SV_B * SV_F * SV_M];
  int16_t wt16[SV_F * SV_M], st16[SV_B * SV_F * SV_M];
  int32_t bias[SV_U], scratch[SV_B * SV_F], scratch_out[SV_B * SV_U];
  int32_t hist[SV_B][SV_F][SV_M];
  const int32_t lo = s16 ? -32768 : -128, hi = s16 ? 32767 : 127;
  int step, b, f, m, u, i, ok = 1, wrapped = 0;

  p.batches = SV_B; p.input_size = SV_I; p.num_filters = SV_F;
  p.num_units = SV_U; p.rank = SV_R; p.memory_size = SV_M;
  p.in_zp = -3;
  /* int8: a zero point this high makes zp + clamp(dot) leave int8 */
  p.state_zp = s16 ? 0 : 100;
  p.out_zp = 5;
  p.mult1 = 1 << 30; p.shift1 = s16 ? 3 : -1;
  p.mult2 = 1518500250; p.shift2 = s16 ? -14 : -6;
  for (i = 0; i < SV_F * SV_I; i++) wf[i] = (int8_t)rnd(-127, 127);
  for (i = 0; i < SV_F * SV_M; i++) {
    wt8[i] = (int8_t)rnd(-127, 127);
    wt16[i] = (int16_t)rnd(-3000, 3000);
  }
  for (u = 0; u < SV_U; u++) bias[u] = rnd(-500, 500);
  for (i = 0; i < SV_B * SV_F * SV_M; i++) {
    st8[i] = (int8_t)p.state_zp; /* variable tensors start at their zero point */
    st16[i] = 0;
  }
  for (b = 0; b < SV_B; b++)
    for (f = 0; f < SV_F; f++)
      for (m = 0; m < SV_M; m++) hist[b][f][m] = p.state_zp;

  for (step = 0; step < 7; step++) {
    for (i = 0; i < SV_B * SV_I; i++) in[i] = (int8_t)rnd(-128, 127);
    if (s16) tml_svdf_s8_s16(&p, in, wf, wt16, bias, st16, scratch, scratch_out, out);
    else tml_svdf_s8(&p, in, wf, wt8, bias, st8, scratch, scratch_out, out);
    for (b = 0; b < SV_B; b++) {
      for (f = 0; f < SV_F; f++) {
        int32_t dot = 0, v;
        for (m = 0; m + 1 < SV_M; m++) hist[b][f][m] = hist[b][f][m + 1];
        for (i = 0; i < SV_I; i++) dot += wf[f * SV_I + i] * (in[b * SV_I + i] - p.in_zp);
        v = ref_requant(dot, p.mult1, p.shift1);
        v = v < lo ? lo : v > hi ? hi : v;
        v += p.state_zp;
        if (!s16 && v != wrap8(v)) wrapped = 1;
        hist[b][f][SV_M - 1] = s16 ? v : wrap8(v);
      }
      for (u = 0; u < SV_U; u++) {
        int32_t sum = bias[u], r, v;
        for (r = 0; r < SV_R; r++) {
          f = u * SV_R + r;
          for (m = 0; m < SV_M; m++)
            sum += (s16 ? wt16[f * SV_M + m] : wt8[f * SV_M + m]) *
                   (hist[b][f][m] - p.state_zp);
        }
        v = ref_requant(sum, p.mult2, p.shift2) + p.out_zp;
        v = v < -128 ? -128 : v > 127 ? 127 : v;
        if (out[b * SV_U + u] != v) ok = 0;
      }
      for (f = 0; f < SV_F; f++)
        for (m = 0; m < SV_M; m++) {
          const int32_t s = s16 ? st16[(b * SV_F + f) * SV_M + m]
                                : st8[(b * SV_F + f) * SV_M + m];
          if (s != hist[b][f][m]) ok = 0;
        }
    }
  }
  expect(ok, s16 ? "svdf s16 state and output over 7 invokes"
                 : "svdf s8 state and output over 7 invokes");
  if (!s16) expect(wrapped, "svdf s8 test reaches the zero-point wrap");
}

static void test_svdf_f32(void) {
  tml_svdf_f32_params p;
  float in[SV_B * SV_I], wf[SV_F * SV_I], wt[SV_F * SV_M], bias[SV_U];
  float st[SV_B * SV_F * SV_M], scratch[SV_B * SV_F], out[SV_B * SV_U];
  double hist[SV_B][SV_F][SV_M];
  int step, b, f, m, u, i, ok = 1;
  p.batches = SV_B; p.input_size = SV_I; p.num_filters = SV_F;
  p.num_units = SV_U; p.rank = SV_R; p.memory_size = SV_M;
  p.activation = 1; /* RELU */
  for (i = 0; i < SV_F * SV_I; i++) wf[i] = (float)rnd(-4, 4);
  for (i = 0; i < SV_F * SV_M; i++) wt[i] = (float)rnd(-4, 4);
  for (u = 0; u < SV_U; u++) bias[u] = (float)rnd(-10, 10);
  memset(st, 0, sizeof st);
  memset(hist, 0, sizeof hist);
  for (step = 0; step < 6; step++) {
    for (i = 0; i < SV_B * SV_I; i++) in[i] = (float)rnd(-4, 4);
    tml_svdf_f32(&p, in, wf, wt, bias, st, scratch, out);
    for (b = 0; b < SV_B; b++) {
      for (f = 0; f < SV_F; f++) {
        double dot = 0;
        for (m = 0; m + 1 < SV_M; m++) hist[b][f][m] = hist[b][f][m + 1];
        for (i = 0; i < SV_I; i++) dot += wf[f * SV_I + i] * in[b * SV_I + i];
        hist[b][f][SV_M - 1] = dot;
      }
      for (u = 0; u < SV_U; u++) {
        double sum = bias[u];
        int r;
        for (r = 0; r < SV_R; r++)
          for (m = 0; m < SV_M; m++)
            sum += wt[(u * SV_R + r) * SV_M + m] * hist[b][u * SV_R + r][m];
        if (sum < 0) sum = 0;
        if ((double)out[b * SV_U + u] != sum) ok = 0;
      }
    }
  }
  expect(ok, "svdf f32 (integer-valued, exact) over 6 invokes");
}

/* ---- LSTM -------------------------------------------------------------- */

#define LS_MAX_B 2
#define LS_MAX_T 4
#define LS_I 3
#define LS_S 4

typedef struct {
  int8_t w_in[4][LS_S * LS_I], w_rec[4][LS_S * LS_S];
  int32_t bias[4][LS_S];
  float fw_in[4][LS_S * LS_I], fw_rec[4][LS_S * LS_S], fbias[4][LS_S];
} lstm_data;

static void lstm_weights(lstm_data *d, tml_lstm_s8_weights *w,
                         tml_lstm_f32_weights *fw) {
  int g;
  for (g = 0; g < 4; g++) {
    w->w_in[g] = d->w_in[g];
    w->w_rec[g] = d->w_rec[g];
    w->bias[g] = d->bias[g];
    fw->w_in[g] = d->fw_in[g];
    fw->w_rec[g] = d->fw_rec[g];
    fw->bias[g] = d->fbias[g];
  }
}

static void lstm_random(lstm_data *d) {
  int g, i;
  for (g = 0; g < 4; g++) {
    for (i = 0; i < LS_S * LS_I; i++) {
      d->w_in[g][i] = (int8_t)rnd(-127, 127);
      d->fw_in[g][i] = (float)rnd(-100, 100) / 64.0f;
    }
    for (i = 0; i < LS_S * LS_S; i++) {
      d->w_rec[g][i] = (int8_t)rnd(-127, 127);
      d->fw_rec[g][i] = (float)rnd(-100, 100) / 64.0f;
    }
    for (i = 0; i < LS_S; i++) {
      d->bias[g][i] = rnd(-20000, 20000);
      d->fbias[g][i] = (float)rnd(-100, 100) / 64.0f;
    }
  }
}

static tml_lstm_s8_params lstm_q_params(int32_t B, int32_t T) {
  tml_lstm_s8_params p;
  int g;
  memset(&p, 0, sizeof p);
  p.batches = B; p.time_steps = T; p.input_dim = LS_I; p.state_dim = LS_S;
  for (g = 0; g < 4; g++) {
    p.fc_in[g].in_offset = 7; p.fc_in[g].w_offset = 0;
    p.fc_in[g].mult = 1300000000; p.fc_in[g].shift = -1;
    p.fc_rec[g].in_offset = -2; p.fc_rec[g].w_offset = 0;
    p.fc_rec[g].mult = 1700000000; p.fc_rec[g].shift = 0;
  }
  /* cell scale 2^-11: forget x cell -> 2^-15, input x cell gate -> 2^-19 */
  p.forget_mult = 1 << 30; p.forget_shift = -14;
  p.input_mult = 1 << 30; p.input_shift = -18;
  /* hidden scale 2^-7: 2^-30 / 2^-7 = 2^-23 */
  p.hidden_mult = 1 << 30; p.hidden_shift = -22; p.hidden_zp = 3;
  p.cell_scale_power = -11;
  return p;
}

static double sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }

/* A one-step, one-unit LSTM whose gate inputs are just the biases (zero
 * weights, identity requantization): checks the int16 sigmoid/tanh and the
 * cell/hidden arithmetic against double formulas. */
static void test_lstm_gates(void) {
  static const int32_t cases[][4] = {
      /* forget, input, cell, output biases in Q3.12 */
      {0, 0, 0, 0},           {4096, 4096, 4096, 4096},
      {-8192, 8192, -6000, 12000}, {30000, -30000, 20000, -20000},
      {32767, 32767, 32767, 32767}, {-32768, -32768, -32768, -32768},
      {1000, 25000, -25000, 7000}};
  int k, ok_gate = 1, ok_hidden = 1;
  for (k = 0; k < (int)(sizeof cases / sizeof cases[0]); k++) {
    tml_lstm_s8_params p;
    tml_lstm_s8_weights w;
    int8_t zero_w[LS_S * LS_S], in = 0, hidden = 0, out = 0;
    int32_t bias[4];
    int16_t cell = 0, scratch[4];
    int g;
    double sf, si, tc, so, c, h;
    memset(&p, 0, sizeof p);
    memset(zero_w, 0, sizeof zero_w);
    p.batches = 1; p.time_steps = 1; p.input_dim = 1; p.state_dim = 1;
    for (g = 0; g < 4; g++) {
      p.fc_in[g].mult = 1 << 30; p.fc_in[g].shift = 1; /* exactly x1 */
      p.fc_rec[g].mult = 1 << 30; p.fc_rec[g].shift = 1;
      bias[g] = cases[k][g];
      w.w_in[g] = zero_w;
      w.w_rec[g] = zero_w;
      w.bias[g] = &bias[g];
    }
    p.forget_mult = 1 << 30; p.forget_shift = -14;
    p.input_mult = 1 << 30; p.input_shift = -18;
    p.hidden_mult = 1 << 30; p.hidden_shift = -22;
    p.cell_scale_power = -11;
    tml_lstm_s8(&p, &w, &in, &hidden, &cell, scratch, &out);
    sf = sigmoid(cases[k][0] / 4096.0);
    si = sigmoid(cases[k][1] / 4096.0);
    tc = tanh(cases[k][2] / 4096.0);
    so = sigmoid(cases[k][3] / 4096.0);
    (void)sf; /* the cell starts at 0: forget x cell is 0 */
    c = si * tc;                     /* cell, real */
    h = so * tanh(c * 2048.0 / 2048.0);
    /* cell in 2^-11 steps, within the table's interpolation error */
    if (fabs(cell - c * 2048.0) > 2.0) ok_gate = 0;
    if (fabs(hidden - h * 128.0) > 1.0) ok_hidden = 0;
    if (out != hidden) ok_hidden = 0;
  }
  expect(ok_gate, "lstm s8 gates: cell = sigmoid(i) * tanh(g)");
  expect(ok_hidden, "lstm s8 hidden = sigmoid(o) * tanh(cell)");
}

/* [T, B, X] <-> [B, T, X] */
static void transpose_tb(const void *src, void *dst, int B, int T, int X,
                         int elem, int to_time_major) {
  int b, t;
  for (b = 0; b < B; b++)
    for (t = 0; t < T; t++) {
      const int bt = (b * T + t) * X, tb = (t * B + b) * X;
      memcpy((char *)dst + (size_t)(to_time_major ? tb : bt) * elem,
             (const char *)src + (size_t)(to_time_major ? bt : tb) * elem,
             (size_t)X * elem);
    }
}

static void test_lstm_layouts(void) {
  const int B = LS_MAX_B, T = LS_MAX_T;
  lstm_data d;
  tml_lstm_s8_weights w;
  tml_lstm_f32_weights fw;
  tml_lstm_s8_params p;
  tml_lstm_f32_params fp;
  int8_t in[LS_MAX_B * LS_MAX_T * LS_I], in_tm[LS_MAX_B * LS_MAX_T * LS_I];
  int8_t out[LS_MAX_B * LS_MAX_T * LS_S], out_tm[LS_MAX_B * LS_MAX_T * LS_S];
  int8_t out_back[LS_MAX_B * LS_MAX_T * LS_S], out1[LS_MAX_T * LS_S];
  int8_t hid[LS_MAX_B * LS_S], hid_tm[LS_MAX_B * LS_S], hid1[LS_S];
  int16_t cell[LS_MAX_B * LS_S], cell_tm[LS_MAX_B * LS_S], cell1[LS_S];
  int16_t scratch[4 * LS_MAX_B * LS_S];
  float fin[LS_MAX_B * LS_MAX_T * LS_I], fin_tm[LS_MAX_B * LS_MAX_T * LS_I];
  float fout[LS_MAX_B * LS_MAX_T * LS_S], fout_tm[LS_MAX_B * LS_MAX_T * LS_S];
  float fout_back[LS_MAX_B * LS_MAX_T * LS_S];
  float fhid[LS_MAX_B * LS_S], fhid_tm[LS_MAX_B * LS_S];
  float fcell[LS_MAX_B * LS_S], fcell_tm[LS_MAX_B * LS_S];
  float fscratch[4 * LS_MAX_B * LS_S];
  int i, b, ok_single = 1, clipped = 1;

  lstm_random(&d);
  lstm_weights(&d, &w, &fw);
  for (i = 0; i < B * T * LS_I; i++) {
    in[i] = (int8_t)rnd(-128, 127);
    fin[i] = (float)rnd(-128, 127) / 64.0f;
  }
  transpose_tb(in, in_tm, B, T, LS_I, 1, 1);
  transpose_tb(fin, fin_tm, B, T, LS_I, 4, 1);

  /* Two invokes each, so the carried state is compared too. */
  p = lstm_q_params(B, T);
  memset(hid, 3, sizeof hid); memset(cell, 0, sizeof cell);
  memset(hid_tm, 3, sizeof hid_tm); memset(cell_tm, 0, sizeof cell_tm);
  for (i = 0; i < 2; i++) {
    p.time_major = 0;
    tml_lstm_s8(&p, &w, in, hid, cell, scratch, out);
    p.time_major = 1;
    tml_lstm_s8(&p, &w, in_tm, hid_tm, cell_tm, scratch, out_tm);
  }
  transpose_tb(out_tm, out_back, B, T, LS_S, 1, 0);
  expect(memcmp(out, out_back, sizeof out) == 0, "lstm s8 time major = batch major");
  expect(memcmp(hid, hid_tm, sizeof hid) == 0 && memcmp(cell, cell_tm, sizeof cell) == 0,
         "lstm s8 states agree across layouts");

  /* Each batch alone (B = 1) gives that batch's rows. */
  p = lstm_q_params(1, T);
  for (b = 0; b < B; b++) {
    memset(hid1, 3, sizeof hid1); memset(cell1, 0, sizeof cell1);
    for (i = 0; i < 2; i++)
      tml_lstm_s8(&p, &w, in + b * T * LS_I, hid1, cell1, scratch, out1);
    if (memcmp(out1, out + b * T * LS_S, sizeof out1) != 0 ||
        memcmp(hid1, hid + b * LS_S, sizeof hid1) != 0)
      ok_single = 0;
  }
  expect(ok_single, "lstm s8 batches are independent");

  memset(&fp, 0, sizeof fp);
  fp.batches = B; fp.time_steps = T; fp.input_dim = LS_I; fp.state_dim = LS_S;
  memset(fhid, 0, sizeof fhid); memset(fcell, 0, sizeof fcell);
  memset(fhid_tm, 0, sizeof fhid_tm); memset(fcell_tm, 0, sizeof fcell_tm);
  for (i = 0; i < 2; i++) {
    fp.time_major = 0;
    tml_lstm_f32(&fp, &fw, fin, fhid, fcell, fscratch, fout);
    fp.time_major = 1;
    tml_lstm_f32(&fp, &fw, fin_tm, fhid_tm, fcell_tm, fscratch, fout_tm);
  }
  transpose_tb(fout_tm, fout_back, B, T, LS_S, 4, 0);
  expect(memcmp(fout, fout_back, sizeof fout) == 0, "lstm f32 time major = batch major");
  {
    /* f32 against double formulas, one step from zero state. */
    float h0[LS_S] = {0}, c0[LS_S] = {0}, o[LS_S];
    double ok = 1;
    int u, g, k;
    fp.batches = 1; fp.time_steps = 1; fp.time_major = 0;
    tml_lstm_f32(&fp, &fw, fin, h0, c0, fscratch, o);
    for (u = 0; u < LS_S; u++) {
      double gate[4], c, hh;
      for (g = 0; g < 4; g++) {
        double s = d.fbias[g][u];
        for (k = 0; k < LS_I; k++) s += d.fw_in[g][u * LS_I + k] * fin[k];
        gate[g] = g == TML_LSTM_CELL ? tanh(s) : sigmoid(s);
      }
      c = gate[TML_LSTM_INPUT] * gate[TML_LSTM_CELL];
      hh = gate[TML_LSTM_OUTPUT] * tanh(c);
      if (fabs(o[u] - hh) > 1e-5 || fabs(c0[u] - c) > 1e-5) ok = 0;
    }
    expect(ok != 0, "lstm f32 one step matches the formulas");
  }

  /* Clipping keeps the int16 cell inside +-clip. */
  p = lstm_q_params(B, T);
  p.clip_on = 1;
  p.cell_clip = 300;
  memset(hid, 0, sizeof hid); memset(cell, 0, sizeof cell);
  for (i = 0; i < 3; i++) tml_lstm_s8(&p, &w, in, hid, cell, scratch, out);
  for (i = 0; i < B * LS_S; i++) if (cell[i] > 300 || cell[i] < -300) clipped = 0;
  expect(clipped, "lstm s8 cell clip");
  fp.batches = B; fp.time_steps = T; fp.time_major = 0;
  {
    const float clip = 0.25f;
    memcpy(&fp.cell_clip, &clip, 4);
  }
  memset(fcell, 0, sizeof fcell);
  tml_lstm_f32(&fp, &fw, fin, fhid, fcell, fscratch, fout);
  clipped = 1;
  for (i = 0; i < B * LS_S; i++) if (fcell[i] > 0.25f || fcell[i] < -0.25f) clipped = 0;
  expect(clipped, "lstm f32 cell clip");
}

/* ---- adapters through tml_load ----------------------------------------- */

extern const tml_op_entry tml_op_tconv_s8, tml_op_tconv_f32, tml_op_svdf_s8,
    tml_op_svdf_s8_s16, tml_op_svdf_f32, tml_op_lstm_s8, tml_op_lstm_f32;

const tml_op_entry *tml_find_op(int32_t kind) {
  switch (kind) {
    case TML_K_TCONV_S8: return &tml_op_tconv_s8;
    case TML_K_TCONV_F32: return &tml_op_tconv_f32;
    case TML_K_SVDF_S8: return &tml_op_svdf_s8;
    case TML_K_SVDF_S8_S16: return &tml_op_svdf_s8_s16;
    case TML_K_SVDF_F32: return &tml_op_svdf_f32;
    case TML_K_LSTM_S8: return &tml_op_lstm_s8;
    case TML_K_LSTM_F32: return &tml_op_lstm_f32;
    default: return NULL;
  }
}

/* A program under construction: tensors laid out 16-aligned in the arena
 * (or in `model`), one op. */
typedef struct {
  int32_t w[512];
  int32_t n_tensors, planned;
  int32_t dtype[32], where[32], offset[32], bytes[32];
} prog;

static int32_t add_tensor(prog *g, int32_t dtype, int32_t bytes, int32_t where) {
  const int32_t i = g->n_tensors++;
  g->dtype[i] = dtype;
  g->bytes[i] = bytes;
  g->where[i] = where;
  if (where == TML_MODEL) {
    g->offset[i] = 0;
  } else {
    g->offset[i] = g->planned;
    g->planned += (bytes + 15) & ~15;
  }
  return i;
}

static uint32_t finish(prog *g, int32_t kind, const int32_t *ins, int32_t n_in,
                       const int32_t *outs, int32_t n_out,
                       const int32_t *params, int32_t n_params) {
  uint32_t n = 0;
  int32_t i;
  int32_t *w = g->w;
  w[n++] = TML_PROGRAM_MAGIC; w[n++] = TML_PROGRAM_VERSION;
  w[n++] = g->n_tensors; w[n++] = 1; w[n++] = g->planned; w[n++] = 0;
  for (i = 0; i < g->n_tensors; i++) {
    w[n++] = g->dtype[i]; w[n++] = g->where[i]; w[n++] = g->offset[i];
    w[n++] = g->bytes[i];
  }
  w[n++] = kind; w[n++] = n_in; w[n++] = n_out; w[n++] = n_params;
  for (i = 0; i < n_in; i++) w[n++] = ins[i];
  for (i = 0; i < n_out; i++) w[n++] = outs[i];
  for (i = 0; i < n_params; i++) w[n++] = params[i];
  w[5] = (int32_t)n;
  return n;
}

static uint8_t arena[16384];
static uint8_t model_bytes[4096] __attribute__((aligned(16)));

static tml_status load(prog *g, uint32_t n) {
  return tml_load(arena, sizeof arena, model_bytes, sizeof model_bytes, g->w, n);
}

static void test_tconv_adapter(void) {
  tml_tconv_params p;
  int32_t params[64], ins[3], outs[2];
  int32_t np = (int32_t)(sizeof p / 4);
  prog g;
  uint32_t n;
  memset(&p, 0, sizeof p);
  p.batches = 1; p.in_h = 2; p.in_w = 2; p.in_c = 2; p.f_h = 3; p.f_w = 3;
  p.out_h = 4; p.out_w = 4; p.out_c = 3; p.stride_h = 2; p.stride_w = 2;
  p.act_min = -128; p.act_max = 127;
  memcpy(params, &p, sizeof p);
  params[np] = params[np + 1] = params[np + 2] = 1 << 30;
  params[np + 3] = 0; /* three packed zero shifts */

#define TCONV_PROG(ACC_BYTES, F_BYTES, F_WHERE)                            \
  memset(&g, 0, sizeof g);                                                \
  ins[0] = add_tensor(&g, TML_INT8, 8, TML_ARENA);                        \
  ins[1] = add_tensor(&g, TML_INT8, F_BYTES, F_WHERE);                    \
  ins[2] = -1;                                                            \
  outs[0] = add_tensor(&g, TML_INT8, 48, TML_ARENA);                      \
  outs[1] = add_tensor(&g, TML_INT8, ACC_BYTES, TML_ARENA);               \
  n = finish(&g, TML_K_TCONV_S8, ins, 3, outs, 2, params, np + 4)

  TCONV_PROG(192, 54, TML_MODEL);
  expect(load(&g, n) == TML_OK, "tconv s8 loads");
  expect(tml_invoke(arena, sizeof arena) == TML_OK, "tconv s8 invokes");
  TCONV_PROG(188, 54, TML_MODEL);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "tconv s8: short accumulator rejected");
  TCONV_PROG(192, 53, TML_MODEL);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "tconv s8: short filter rejected");
  TCONV_PROG(192, 54, TML_MODEL);
  g.w[3] = 1;
  n = finish(&g, TML_K_TCONV_S8, ins, 3, outs, 1, params, np + 4);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "tconv s8: missing accumulator rejected");
  p.stride_h = INT32_MAX; /* (in_h - 1) * stride + f_h - 1 > INT32_MAX */
  memcpy(params, &p, sizeof p);
  TCONV_PROG(192, 54, TML_MODEL);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "tconv: coordinate overflow rejected");
  p.stride_h = 2;
  p.pad_w = -1;
  memcpy(params, &p, sizeof p);
  TCONV_PROG(192, 54, TML_MODEL);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "tconv: negative padding rejected");
  p.pad_w = 0;
  memcpy(params, &p, sizeof p);
  ((int8_t *)(void *)(params + np + 3))[1] = 31;
  TCONV_PROG(192, 54, TML_MODEL);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "tconv: shift out of range rejected");
#undef TCONV_PROG
}

static void test_svdf_adapter(void) {
  tml_svdf_s8_params p;
  int32_t params[32], ins[4], outs[3];
  const int32_t np = (int32_t)(sizeof p / 4);
  prog g;
  uint32_t n;
  memset(&p, 0, sizeof p);
  p.batches = 1; p.input_size = 5; p.num_filters = 6; p.num_units = 3;
  p.rank = 2; p.memory_size = 4;
  p.mult1 = p.mult2 = 1 << 30;
  memcpy(params, &p, sizeof p);

#define SVDF_PROG(KIND, ST_DT, ST_BYTES, ST_WHERE, SCRATCH)                \
  memset(&g, 0, sizeof g);                                                \
  ins[0] = add_tensor(&g, TML_INT8, 5, TML_ARENA);                        \
  ins[1] = add_tensor(&g, TML_INT8, 30, TML_MODEL);                       \
  ins[2] = add_tensor(&g, ST_DT, 24 * (ST_DT == TML_INT16 ? 2 : 1), TML_MODEL); \
  ins[3] = add_tensor(&g, TML_INT32, 12, TML_MODEL);                      \
  outs[0] = add_tensor(&g, TML_INT8, 3, TML_ARENA);                       \
  outs[1] = add_tensor(&g, ST_DT, ST_BYTES, ST_WHERE);                    \
  outs[2] = add_tensor(&g, TML_INT8, SCRATCH, TML_ARENA);                 \
  n = finish(&g, KIND, ins, 4, outs, 3, params, np)

  SVDF_PROG(TML_K_SVDF_S8, TML_INT8, 24, TML_ARENA, 36);
  expect(load(&g, n) == TML_OK, "svdf s8 loads");
  expect(tml_invoke(arena, sizeof arena) == TML_OK, "svdf s8 invokes");
  SVDF_PROG(TML_K_SVDF_S8_S16, TML_INT16, 48, TML_ARENA, 36);
  expect(load(&g, n) == TML_OK, "svdf s8/s16 loads");
  SVDF_PROG(TML_K_SVDF_S8_S16, TML_INT8, 24, TML_ARENA, 36);
  expect(load(&g, n) == TML_E_BAD_DTYPE, "svdf s8/s16: int8 state rejected");
  SVDF_PROG(TML_K_SVDF_S8, TML_INT8, 24, TML_MODEL, 36);
  expect(load(&g, n) == TML_E_READ_ONLY, "svdf: constant state rejected");
  SVDF_PROG(TML_K_SVDF_S8, TML_INT8, 23, TML_ARENA, 36);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "svdf: short state rejected");
  SVDF_PROG(TML_K_SVDF_S8, TML_INT8, 24, TML_ARENA, 32);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "svdf: short scratch rejected");
  p.rank = 4;
  memcpy(params, &p, sizeof p);
  SVDF_PROG(TML_K_SVDF_S8, TML_INT8, 24, TML_ARENA, 36);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "svdf: units x rank != filters rejected");
  p.rank = 2; p.state_zp = 200;
  memcpy(params, &p, sizeof p);
  SVDF_PROG(TML_K_SVDF_S8, TML_INT8, 24, TML_ARENA, 36);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "svdf: int8 state zero point out of range");
  p.state_zp = 0; p.memory_size = INT32_MAX;
  memcpy(params, &p, sizeof p);
  SVDF_PROG(TML_K_SVDF_S8, TML_INT8, 24, TML_ARENA, 36);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "svdf: size overflow rejected");
#undef SVDF_PROG
}

static void test_lstm_adapter(void) {
  tml_lstm_s8_params p = lstm_q_params(1, 2);
  int32_t params[64], ins[13], outs[4];
  const int32_t np = (int32_t)(sizeof p / 4);
  prog g;
  uint32_t n;
  int k;
  memcpy(params, &p, sizeof p);

#define LSTM_PROG(HID_WHERE, CELL_DT, SCRATCH, MISALIGN)                      \
  memset(&g, 0, sizeof g);                                                   \
  ins[0] = add_tensor(&g, TML_INT8, 2 * LS_I, TML_ARENA);                    \
  for (k = 0; k < 4; k++) ins[1 + k] = add_tensor(&g, TML_INT8, LS_S * LS_I, TML_MODEL); \
  for (k = 0; k < 4; k++) ins[5 + k] = add_tensor(&g, TML_INT8, LS_S * LS_S, TML_MODEL); \
  for (k = 0; k < 4; k++) ins[9 + k] = add_tensor(&g, TML_INT32, 4 * LS_S, TML_MODEL); \
  outs[0] = add_tensor(&g, TML_INT8, 2 * LS_S, TML_ARENA);                   \
  outs[1] = add_tensor(&g, TML_INT8, LS_S, HID_WHERE);                       \
  outs[2] = add_tensor(&g, CELL_DT, 2 * LS_S, TML_ARENA);                    \
  outs[3] = add_tensor(&g, TML_INT8, SCRATCH, TML_ARENA);                    \
  g.offset[outs[3]] += MISALIGN;                                             \
  g.planned += 16;                                                           \
  n = finish(&g, TML_K_LSTM_S8, ins, 13, outs, 4, params, np)

  LSTM_PROG(TML_ARENA, TML_INT16, 32, 0);
  expect(load(&g, n) == TML_OK, "lstm s8 loads");
  expect(tml_invoke(arena, sizeof arena) == TML_OK, "lstm s8 invokes");
  LSTM_PROG(TML_MODEL, TML_INT16, 32, 0);
  expect(load(&g, n) == TML_E_READ_ONLY, "lstm: constant hidden state rejected");
  LSTM_PROG(TML_ARENA, TML_INT8, 32, 0);
  expect(load(&g, n) == TML_E_BAD_DTYPE, "lstm: int8 cell rejected");
  LSTM_PROG(TML_ARENA, TML_INT16, 30, 0);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "lstm: short scratch rejected");
  LSTM_PROG(TML_ARENA, TML_INT16, 32, 2);
  expect(load(&g, n) == TML_E_MISALIGNED, "lstm: misaligned scratch rejected");
  /* A (bad) plan that overlaps the output with the hidden state: wrong
   * numbers, but no undefined behaviour (the fuzzer found a memcpy here). */
  LSTM_PROG(TML_ARENA, TML_INT16, 32, 0);
  g.w[6 + 4 * outs[1] + 2] = g.offset[outs[0]] + 2;
  expect(load(&g, n) == TML_OK && tml_invoke(arena, sizeof arena) == TML_OK,
         "lstm: overlapping output and hidden state stay defined");
  LSTM_PROG(TML_ARENA, TML_INT16, 32, 0);
  g.w[6 + 4 * g.n_tensors + 4 + 13 + 2] = outs[0]; /* cell := output */
  expect(load(&g, n) != TML_OK, "lstm: output doubling as a state rejected");
  p.cell_scale_power = 3;
  memcpy(params, &p, sizeof p);
  LSTM_PROG(TML_ARENA, TML_INT16, 32, 0);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "lstm: cell scale power out of range");
  p.cell_scale_power = -11;
  p.fc_rec[2].shift = 31;
  memcpy(params, &p, sizeof p);
  LSTM_PROG(TML_ARENA, TML_INT16, 32, 0);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "lstm: shift out of range");
  p.fc_rec[2].shift = 0;
  p.time_steps = INT32_MAX;
  memcpy(params, &p, sizeof p);
  LSTM_PROG(TML_ARENA, TML_INT16, 32, 0);
  expect(load(&g, n) == TML_E_BAD_PARAMS, "lstm: size overflow rejected");
#undef LSTM_PROG
}

int main(void) {
  test_tconv_random();
  test_svdf_int(0);
  test_svdf_int(1);
  test_svdf_f32();
  test_lstm_gates();
  test_lstm_layouts();
  test_tconv_adapter();
  test_svdf_adapter();
  test_lstm_adapter();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
