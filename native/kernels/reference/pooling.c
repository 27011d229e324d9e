/*
 * pooling.c - reference AVERAGE_POOL_2D and MAX_POOL_2D kernels (NHWC),
 * bit-exact with TFLM's reference_integer_ops / reference_ops pooling.
 *
 * Only the taps inside the input count: the average divides by the number
 * of valid taps, the max ignores padding. The adapter proves at load that
 * every window holds at least one valid tap.
 */
#include <float.h>

#include "tinyml_kernels.h"

#include "fixedpoint.h"

/* One output position: where its window starts in the input, which taps
 * of it are inside the input ([fy0, fy1) x [fx0, fx1)), and where the
 * channels of its input row (at tap (0, 0)) and of its output start. */
typedef struct {
  int32_t fy0, fy1, fx0, fx1;
  size_t in_base;  /* element index of (b, y0, x0, 0); may be "negative" */
  size_t out_base; /* element index of (b, oy, ox, 0) */
} pool_window;

static void window_at(const tml_pool_params *p, int32_t b, int32_t oy,
                      int32_t ox, pool_window *w) {
  const int32_t y0 = oy * p->stride_h - p->pad_h;
  const int32_t x0 = ox * p->stride_w - p->pad_w;
  w->fy0 = y0 < 0 ? -y0 : 0;
  w->fy1 = p->in_h - y0 < p->f_h ? p->in_h - y0 : p->f_h;
  w->fx0 = x0 < 0 ? -x0 : 0;
  w->fx1 = p->in_w - x0 < p->f_w ? p->in_w - x0 : p->f_w;
  /* Unsigned wrap-around cancels once a valid (fy, fx) is added back. */
  w->in_base = (((size_t)b * (size_t)p->in_h + (size_t)y0) * (size_t)p->in_w +
                (size_t)x0) * (size_t)p->channels;
  w->out_base = (((size_t)b * (size_t)p->out_h + (size_t)oy) *
                     (size_t)p->out_w + (size_t)ox) * (size_t)p->channels;
}

/* Element index of tap (fy, fx), channel ch, of window w. */
static size_t tap(const tml_pool_params *p, const pool_window *w, int32_t fy,
                  int32_t fx, int32_t ch) {
  return w->in_base +
         ((size_t)fy * (size_t)p->in_w + (size_t)fx) * (size_t)p->channels +
         (size_t)ch;
}

void tml_avgpool_s8(const tml_pool_params *p, const int8_t *in, int8_t *out) {
  int32_t b, oy, ox, ch, fy, fx;
  pool_window w;
  for (b = 0; b < p->batches; ++b) {
    for (oy = 0; oy < p->out_h; ++oy) {
      for (ox = 0; ox < p->out_w; ++ox) {
        window_at(p, b, oy, ox, &w);
        for (ch = 0; ch < p->channels; ++ch) {
          int32_t acc = 0, count = 0;
          for (fy = w.fy0; fy < w.fy1; ++fy) {
            for (fx = w.fx0; fx < w.fx1; ++fx) {
              acc = tml_fp_add(acc, in[tap(p, &w, fy, fx, ch)]);
              count++;
            }
          }
          /* Round half away from zero; C99 division truncates, as C++. */
          if (count > 0) {
            acc = acc > 0 ? tml_fp_add(acc, count / 2) / count
                          : tml_fp_sub(acc, count / 2) / count;
          }
          if (acc < p->act_min) acc = p->act_min;
          if (acc > p->act_max) acc = p->act_max;
          out[w.out_base + (size_t)ch] = (int8_t)acc;
        }
      }
    }
  }
}

void tml_avgpool_f32(const tml_pool_params *p, const float *in, float *out) {
  const float lo = tml_f32_from_bits(p->act_min);
  const float hi = tml_f32_from_bits(p->act_max);
  int32_t b, oy, ox, ch, fy, fx;
  pool_window w;
  for (b = 0; b < p->batches; ++b) {
    for (oy = 0; oy < p->out_h; ++oy) {
      for (ox = 0; ox < p->out_w; ++ox) {
        window_at(p, b, oy, ox, &w);
        for (ch = 0; ch < p->channels; ++ch) {
          float total = 0.f, count = 0.f, avg;
          for (fy = w.fy0; fy < w.fy1; ++fy) {
            for (fx = w.fx0; fx < w.fx1; ++fx) {
              total += in[tap(p, &w, fy, fx, ch)];
              count += 1.f; /* TFLM counts taps in a float too */
            }
          }
          avg = count > 0.f ? total / count : 0.f;
          if (avg < lo) avg = lo; /* std::max, then std::min */
          if (hi < avg) avg = hi;
          out[w.out_base + (size_t)ch] = avg;
        }
      }
    }
  }
}

void tml_maxpool_s8(const tml_pool_params *p, const int8_t *in, int8_t *out) {
  int32_t b, oy, ox, ch, fy, fx;
  pool_window w;
  for (b = 0; b < p->batches; ++b) {
    for (oy = 0; oy < p->out_h; ++oy) {
      for (ox = 0; ox < p->out_w; ++ox) {
        window_at(p, b, oy, ox, &w);
        for (ch = 0; ch < p->channels; ++ch) {
          int32_t m = -128;
          for (fy = w.fy0; fy < w.fy1; ++fy) {
            for (fx = w.fx0; fx < w.fx1; ++fx) {
              const int32_t v = in[tap(p, &w, fy, fx, ch)];
              if (v > m) m = v;
            }
          }
          if (m < p->act_min) m = p->act_min;
          if (m > p->act_max) m = p->act_max;
          out[w.out_base + (size_t)ch] = (int8_t)m;
        }
      }
    }
  }
}

void tml_maxpool_f32(const tml_pool_params *p, const float *in, float *out) {
  const float lo = tml_f32_from_bits(p->act_min);
  const float hi = tml_f32_from_bits(p->act_max);
  int32_t b, oy, ox, ch, fy, fx;
  pool_window w;
  for (b = 0; b < p->batches; ++b) {
    for (oy = 0; oy < p->out_h; ++oy) {
      for (ox = 0; ox < p->out_w; ++ox) {
        window_at(p, b, oy, ox, &w);
        for (ch = 0; ch < p->channels; ++ch) {
          float m = -FLT_MAX;
          for (fy = w.fy0; fy < w.fy1; ++fy) {
            for (fx = w.fx0; fx < w.fx1; ++fx) {
              const float v = in[tap(p, &w, fy, fx, ch)];
              if (m < v) m = v; /* std::max(m, v) */
            }
          }
          if (m < lo) m = lo;
          if (hi < m) m = hi;
          out[w.out_base + (size_t)ch] = m;
        }
      }
    }
  }
}
