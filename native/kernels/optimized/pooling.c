/*
 * pooling.c - optimized int8 AVERAGE_POOL_2D, byte-identical with the
 * reference kernel: four channels per word, summed in int16 lanes (256 taps
 * of int8 cannot leave int16) and moved to int32 every 256 taps, then the
 * reference's rounding division by the count of valid taps.
 */
#include "opt.h"

static int32_t avg_round(int32_t acc, int32_t count) {
  /* Round half away from zero; C99 division truncates, as the reference. */
  return acc > 0 ? (int32_t)((uint32_t)acc + (uint32_t)(count / 2)) / count
                 : (int32_t)((uint32_t)acc - (uint32_t)(count / 2)) / count;
}

static int8_t clamp8(int32_t v, int32_t lo, int32_t hi) {
  return (int8_t)(v < lo ? lo : (v > hi ? hi : v));
}

void tml_opt_avgpool_s8(const tml_pool_params *p, const int8_t *in,
                        int8_t *out) {
  const int32_t c_n = p->channels;
  const size_t row = (size_t)p->in_w * (size_t)c_n;
  int32_t b, oy, ox, c, fy, fx;
  for (b = 0; b < p->batches; b++) {
    for (oy = 0; oy < p->out_h; oy++) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      const int32_t fy0 = y0 < 0 ? -y0 : 0;
      const int32_t fy1 = p->in_h - y0 < p->f_h ? p->in_h - y0 : p->f_h;
      for (ox = 0; ox < p->out_w; ox++) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        const int32_t fx0 = x0 < 0 ? -x0 : 0;
        const int32_t fx1 = p->in_w - x0 < p->f_w ? p->in_w - x0 : p->f_w;
        const int32_t count = (fy1 - fy0) * (fx1 - fx0);
        int8_t *o = out + (((size_t)b * p->out_h + oy) * p->out_w + ox) * c_n;
        /* Channel 0 of tap (fy0, fx0); the adapter proved count >= 1. */
        const int8_t *base = in + (((size_t)b * p->in_h + (size_t)(y0 + fy0)) *
                                       p->in_w + (size_t)(x0 + fx0)) * c_n;
        for (c = 0; c + 4 <= c_n; c += 4) {
          uint32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0; /* wrap as the reference */
          int32_t n = 0;
          uint32_t lo = 0, hi = 0; /* (c, c+2) and (c+1, c+3) lane sums */
          for (fy = fy0; fy < fy1; fy++) {
            const int8_t *ip = base + (size_t)(fy - fy0) * row + c;
            for (fx = fx0; fx < fx1; fx++, ip += c_n) {
              const uint32_t v = opt_ld4(ip);
              lo = opt_sadd16(lo, opt_sxtb16(v));
              hi = opt_sadd16(hi, opt_sxtb16_r8(v));
              if (++n == 256) {
                s0 += (uint32_t)(int32_t)(int16_t)(lo & 0xFFFFu);
                s2 += (uint32_t)(int32_t)(int16_t)(lo >> 16);
                s1 += (uint32_t)(int32_t)(int16_t)(hi & 0xFFFFu);
                s3 += (uint32_t)(int32_t)(int16_t)(hi >> 16);
                lo = hi = 0;
                n = 0;
              }
            }
          }
          s0 += (uint32_t)(int32_t)(int16_t)(lo & 0xFFFFu);
          s2 += (uint32_t)(int32_t)(int16_t)(lo >> 16);
          s1 += (uint32_t)(int32_t)(int16_t)(hi & 0xFFFFu);
          s3 += (uint32_t)(int32_t)(int16_t)(hi >> 16);
          o[c] = clamp8(avg_round((int32_t)s0, count), p->act_min, p->act_max);
          o[c + 1] = clamp8(avg_round((int32_t)s1, count), p->act_min, p->act_max);
          o[c + 2] = clamp8(avg_round((int32_t)s2, count), p->act_min, p->act_max);
          o[c + 3] = clamp8(avg_round((int32_t)s3, count), p->act_min, p->act_max);
        }
        for (; c < c_n; c++) {
          uint32_t s = 0;
          for (fy = fy0; fy < fy1; fy++) {
            const int8_t *ip = base + (size_t)(fy - fy0) * row + c;
            for (fx = fx0; fx < fx1; fx++, ip += c_n) s += (uint32_t)(int32_t)*ip;
          }
          o[c] = clamp8(avg_round((int32_t)s, count), p->act_min, p->act_max);
        }
      }
    }
  }
}
