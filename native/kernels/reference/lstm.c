/*
 * lstm.c - reference UNIDIRECTIONAL_SEQUENCE_LSTM kernels, bit-exact with
 * TFLM's micro LSTM (lstm_eval.h / lstm_eval.cc): int8 activations and
 * weights with an int16 cell state, and float32.
 *
 * One step per time step (all batches at once when time major, one batch at
 * a time otherwise). Each gate is FC(input) + FC(hidden state), saturated to
 * int16 in Q3.12, then a sigmoid (tanh for the cell gate) to Q0.15. The cell
 * becomes forget * cell + input * cell_gate, the hidden state
 * tanh(cell) * output gate; the hidden state is copied to the output.
 * Scratch: four buffers of one step's [batches, state] values.
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* sigmoid(i / 24) in unsigned 0.16 format, i = 0..255: the interpolation
 * table TFLM's int16 logistic and tanh use (tanh(x) = 2 sigmoid(2x) - 1).
 * Only the numbers matter for bit-exactness; they are not a rounding of the
 * exact function, so they are data rather than something to recompute. */
static const uint16_t sigmoid_lut[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841,
    39498, 40149, 40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102,
    45683, 46255, 46817, 47369, 47911, 48443, 48964, 49475, 49975, 50464,
    50942, 51409, 51865, 52311, 52745, 53169, 53581, 53983, 54374, 54755,
    55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433, 57724, 58007,
    58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036,
    62172, 62302, 62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186,
    63279, 63368, 63454, 63536, 63615, 63691, 63765, 63835, 63903, 63968,
    64030, 64090, 64148, 64204, 64257, 64308, 64357, 64405, 64450, 64494,
    64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786, 64816, 64845,
    64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234,
    65246, 65258, 65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337,
    65345, 65352, 65360, 65367, 65374, 65381, 65387, 65393, 65399, 65404,
    65410, 65415, 65420, 65425, 65429, 65433, 65438, 65442, 65445, 65449,
    65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474, 65476, 65479,
    65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511,
    65512, 65513, 65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520,
    65520, 65521, 65522, 65522, 65523, 65523, 65524, 65524, 65525, 65525,
    65526, 65526, 65526, 65527, 65527, 65528, 65528, 65528, 65529, 65529,
    65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531, 65531, 65531,
    65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65534, 65534, 65535,
};

/* ---- int8 x int8 -> int16 cell ---- */

/* One gate FC: out[b][o] = requant(sum (w + w_off) (x + in_off) + bias),
 * zero point 0, saturated to int16. */
static void fc_q(const tml_lstm_fc_q *q, int32_t n_batch, int32_t n_in,
                 int32_t n_out, const int8_t *x, const int8_t *w,
                 const int32_t *bias, int16_t *out) {
  int32_t b, o, d;
  for (b = 0; b < n_batch; ++b) {
    const int8_t *xb = x + (size_t)b * n_in;
    for (o = 0; o < n_out; ++o) {
      const int8_t *wo = w + (size_t)o * n_in;
      uint32_t acc = 0;
      int32_t v;
      for (d = 0; d < n_in; ++d) {
        acc += ((uint32_t)(int32_t)wo[d] + (uint32_t)q->w_offset) *
               ((uint32_t)(int32_t)xb[d] + (uint32_t)q->in_offset);
      }
      if (bias) acc += (uint32_t)bias[o];
      v = tml_fp_mul_by_qm((int32_t)acc, q->mult, q->shift);
      if (v < -32768) v = -32768;
      if (v > 32767) v = 32767;
      out[(size_t)b * n_out + o] = (int16_t)v;
    }
  }
}

static void add_sat16(const int16_t *a, const int16_t *b, int32_t n,
                      int16_t *out) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    int32_t s = (int32_t)a[i] + (int32_t)b[i];
    if (s < -32768) s = -32768;
    if (s > 32767) s = 32767;
    out[i] = (int16_t)s;
  }
}

/* Q3.12 -> Q0.15 sigmoid by table interpolation (TFLM's int16 Logistic with
 * the power-of-two input scale, i.e. multiplier 3, no shift). */
static void sigmoid16(int16_t *d, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const int32_t x = (int32_t)d[i] * 3;
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t uh = ax >> 9;
    uint32_t r;
    if (uh >= 255) {
      r = 0x7FFFu << 10;
    } else {
      const uint32_t ua = sigmoid_lut[uh], ub = sigmoid_lut[uh + 1];
      r = (ua << 9) + (ax & 0x1FFu) * (ub - ua);
    }
    r = x >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1u;
    d[i] = (int16_t)(r >> 10);
  }
}

/* int16 tanh to Q0.15 (TFLM's int16 Tanh): the input is scaled by
 * mult / 2^shift (mult 0 = the power-of-two case, 3 << shift). */
static void tanh16(int32_t mult, int32_t shift, const int16_t *in,
                   int16_t *out, int32_t n) {
  int32_t round, i;
  if (mult == 0) {
    mult = 3 << shift;
    shift = 0;
  }
  round = shift > 0 ? (int32_t)1 << (shift - 1) : 0;
  for (i = 0; i < n; ++i) {
    const int32_t x = tml_fp_asr((int32_t)in[i] * mult + round, shift);
    const uint32_t ax = (uint32_t)(x < 0 ? -x : x);
    const uint32_t uh = ax >> 8;
    int32_t r;
    if (uh >= 255) {
      r = (int32_t)(0xFFFFu << 8);
    } else {
      const uint32_t ua = sigmoid_lut[uh], ub = sigmoid_lut[uh + 1];
      r = (int32_t)((ua << 8) + (ax & 0xFFu) * (ub - ua));
    }
    r = x >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
    out[i] = (int16_t)tml_fp_asr(r, 8);
  }
}

/* Elementwise a * b requantized, plus zp, clamped to [lo, hi]. */
static void mul16(const int16_t *a, const int16_t *b, int32_t n, int32_t mult,
                  int32_t shift, int32_t zp, int32_t lo, int32_t hi,
                  int16_t *out16, int8_t *out8) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    int32_t v = tml_fp_mul_by_qm((int32_t)a[i] * (int32_t)b[i], mult, shift);
    v = tml_fp_add(v, zp); /* wraps like TFLM on absurd multipliers */
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    if (out16) out16[i] = (int16_t)v;
    else out8[i] = (int8_t)v;
  }
}

/* gate = activation(FC(x) + FC(hidden)); tmp is scratch. */
static void gate_q(const tml_lstm_s8_params *p, const tml_lstm_s8_weights *w,
                   int32_t g, int32_t nb, const int8_t *x,
                   const int8_t *hidden, int16_t *gate, int16_t *tmp) {
  const int32_t n = nb * p->state_dim;
  fc_q(&p->fc_in[g], nb, p->input_dim, p->state_dim, x, w->w_in[g],
       w->bias[g], gate);
  fc_q(&p->fc_rec[g], nb, p->state_dim, p->state_dim, hidden, w->w_rec[g],
       NULL, tmp);
  add_sat16(gate, tmp, n, gate);
  if (g == TML_LSTM_CELL) {
    tanh16(3, 0, gate, gate, n); /* Q3.12 in: scale power -12, no shift */
  } else {
    sigmoid16(gate, n);
  }
}

static void step_q(const tml_lstm_s8_params *p, const tml_lstm_s8_weights *w,
                   int32_t nb, const int8_t *x, int8_t *hidden, int16_t *cell,
                   int16_t *scratch, int8_t *out) {
  const int32_t n = nb * p->state_dim;
  int16_t *b0 = scratch, *b1 = scratch + n, *b2 = scratch + 2 * (size_t)n;
  int16_t *b3 = scratch + 3 * (size_t)n;
  int32_t i, tshift, tmult;

  gate_q(p, w, TML_LSTM_FORGET, nb, x, hidden, b0, b3);
  gate_q(p, w, TML_LSTM_INPUT, nb, x, hidden, b1, b3);
  gate_q(p, w, TML_LSTM_CELL, nb, x, hidden, b2, b3);

  /* cell = forget * cell + input * cell_gate */
  mul16(b0, cell, n, p->forget_mult, p->forget_shift, 0, -32768, 32767, cell,
        NULL);
  mul16(b1, b2, n, p->input_mult, p->input_shift, 0, -32768, 32767, b1, NULL);
  add_sat16(cell, b1, n, cell);
  if (p->clip_on) {
    const int16_t c = (int16_t)p->cell_clip;
    for (i = 0; i < n; ++i) {
      int16_t v = cell[i] < c ? cell[i] : c;
      cell[i] = v < (int16_t)-c ? (int16_t)-c : v;
    }
  }

  /* hidden = tanh(cell) * output gate */
  gate_q(p, w, TML_LSTM_OUTPUT, nb, x, hidden, b1, b3);
  tshift = 12 + p->cell_scale_power;
  tmult = 0;
  if (tshift < 0) {
    tshift = -tshift;
    tmult = 3;
  }
  tanh16(tmult, tshift, cell, b0, n);
  mul16(b0, b1, n, p->hidden_mult, p->hidden_shift, p->hidden_zp, -128, 127,
        NULL, hidden);
  memmove(out, hidden, (size_t)n); /* a bad plan may overlap them */
}

void tml_lstm_s8(const tml_lstm_s8_params *p, const tml_lstm_s8_weights *w,
                 const int8_t *in, int8_t *hidden, int16_t *cell,
                 int16_t *scratch, int8_t *out) {
  const size_t I = (size_t)p->input_dim, S = (size_t)p->state_dim;
  int32_t b, t;
  if (p->time_major) {
    const size_t B = (size_t)p->batches;
    for (t = 0; t < p->time_steps; ++t) {
      step_q(p, w, p->batches, in + t * B * I, hidden, cell, scratch,
             out + t * B * S);
    }
    return;
  }
  for (b = 0; b < p->batches; ++b) {
    for (t = 0; t < p->time_steps; ++t) {
      const size_t bt = (size_t)b * (size_t)p->time_steps + (size_t)t;
      step_q(p, w, 1, in + bt * I, hidden + b * S, cell + b * S, scratch,
             out + bt * S);
    }
  }
}

/* ---- float32 ---- */

/* std::min(std::max(v, -FLT_MAX), FLT_MAX): what an activation of NONE
 * leaves of TFLM's clamp (infinities become +-FLT_MAX). */
static float clamp_none(float v) {
  if (v < -FLT_MAX) v = -FLT_MAX;
  if (FLT_MAX < v) v = FLT_MAX;
  return v;
}

static void fc_f(int32_t n_batch, int32_t n_in, int32_t n_out, const float *x,
                 const float *w, const float *bias, float *out) {
  int32_t b, o, d;
  for (b = 0; b < n_batch; ++b) {
    const float *xb = x + (size_t)b * n_in;
    for (o = 0; o < n_out; ++o) {
      const float *wo = w + (size_t)o * n_in;
      float total = 0.0f;
      for (d = 0; d < n_in; ++d) total += xb[d] * wo[d];
      out[(size_t)b * n_out + o] = clamp_none(total + (bias ? bias[o] : 0.0f));
    }
  }
}

/* TFLM's float logistic: cut-offs, then 1 / (1 + exp(-x)). */
static float sigmoid_f(float v) {
  if (v > 16.619047164916992188f) return 1.0f;
  if (v < -9.0f) return expf(v);
  return 1.0f / (1.0f + expf(-v));
}

static void gate_f(const tml_lstm_f32_params *p,
                   const tml_lstm_f32_weights *w, int32_t g, int32_t nb,
                   const float *x, const float *hidden, float *gate,
                   float *tmp) {
  const int32_t n = nb * p->state_dim;
  int32_t i;
  fc_f(nb, p->input_dim, p->state_dim, x, w->w_in[g], w->bias[g], gate);
  fc_f(nb, p->state_dim, p->state_dim, hidden, w->w_rec[g], NULL, tmp);
  for (i = 0; i < n; ++i) {
    const float s = gate[i] + tmp[i];
    gate[i] = g == TML_LSTM_CELL ? tanhf(s) : sigmoid_f(s);
  }
}

static void step_f(const tml_lstm_f32_params *p,
                   const tml_lstm_f32_weights *w, int32_t nb, const float *x,
                   float *hidden, float *cell, float *scratch, float *out) {
  const int32_t n = nb * p->state_dim;
  const float clip = tml_f32_from_bits(p->cell_clip);
  float *b0 = scratch, *b1 = scratch + n, *b2 = scratch + 2 * (size_t)n;
  float *b3 = scratch + 3 * (size_t)n;
  int32_t i;

  gate_f(p, w, TML_LSTM_FORGET, nb, x, hidden, b0, b3);
  gate_f(p, w, TML_LSTM_INPUT, nb, x, hidden, b1, b3);
  gate_f(p, w, TML_LSTM_CELL, nb, x, hidden, b2, b3);
  for (i = 0; i < n; ++i) cell[i] = clamp_none(b0[i] * cell[i]);
  for (i = 0; i < n; ++i) b1[i] = clamp_none(b1[i] * b2[i]);
  for (i = 0; i < n; ++i) cell[i] = cell[i] + b1[i];
  if (clip > 0.0f) {
    for (i = 0; i < n; ++i) {
      /* std::max(std::min(clip, v), -clip) */
      float v = cell[i] < clip ? cell[i] : clip;
      cell[i] = v < -clip ? -clip : v;
    }
  }
  gate_f(p, w, TML_LSTM_OUTPUT, nb, x, hidden, b1, b3);
  for (i = 0; i < n; ++i) b0[i] = tanhf(cell[i]);
  for (i = 0; i < n; ++i) hidden[i] = clamp_none(b0[i] * b1[i]);
  memmove(out, hidden, (size_t)n * sizeof *out);
}

void tml_lstm_f32(const tml_lstm_f32_params *p, const tml_lstm_f32_weights *w,
                  const float *in, float *hidden, float *cell, float *scratch,
                  float *out) {
  const size_t I = (size_t)p->input_dim, S = (size_t)p->state_dim;
  int32_t b, t;
  if (p->time_major) {
    const size_t B = (size_t)p->batches;
    for (t = 0; t < p->time_steps; ++t) {
      step_f(p, w, p->batches, in + t * B * I, hidden, cell, scratch,
             out + t * B * S);
    }
    return;
  }
  for (b = 0; b < p->batches; ++b) {
    for (t = 0; t < p->time_steps; ++t) {
      const size_t bt = (size_t)b * (size_t)p->time_steps + (size_t)t;
      step_f(p, w, 1, in + bt * I, hidden + b * S, cell + b * S, scratch,
             out + bt * S);
    }
  }
}
