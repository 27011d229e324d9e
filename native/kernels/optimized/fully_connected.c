/*
 * fully_connected.c - optimized int8 FULLY_CONNECTED (per-tensor and
 * per-channel), byte-identical with the reference kernel.
 *
 * The input row, + offset, is widened once into a stack buffer of int16 in
 * SXTB16 lane order (FC_XB elements at a time); four weight rows then run
 * against it together: per four inputs, 4 weight words, 8 SXTB16, 2 input
 * words and 8 SMLADs (16 multiply-accumulates). Up to FC_OCB accumulators
 * live on the stack so long rows go through the buffer in pieces.
 * Weights with a zero point (per-tensor w_offset != 0) go to the reference.
 */
#include "opt.h"

#define FC_XB OPT_PATCH /* input elements widened at a time */
#define FC_OCB 128 /* output channels accumulated at a time (512 bytes) */

OPT_NOINLINE static void dot4(const int8_t *w, size_t stride,
                              const uint32_t *x, int32_t groups,
                              int32_t *acc) {
  /* Rows 0 and 2 walk; rows 1 and 3 are reached at + stride. */
  const int8_t *wa = w, *wb = w + 2 * stride;
  const uint32_t *end = x + 2 * groups;
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
#if TML_OPT_DSP
  /* GCC spills this loop's accumulators to the stack; written out it is
   * 1 LDRD, 4 LDR, 8 SXTB16 and 8 SMLAD per four inputs of four rows, two
   * such groups per turn (an odd first group on its own). */
#define FC_GROUP                                   \
  "ldrd   %[xa], %[xb], [%[x]], #8\n\t"            \
  "ldr    %[v], [%[wa], %[st]]\n\t"                \
  "sxtb16 %[t], %[v]\n\t"                          \
  "smlad  %[a1], %[t], %[xa], %[a1]\n\t"           \
  "sxtb16 %[t], %[v], ror #8\n\t"                  \
  "smlad  %[a1], %[t], %[xb], %[a1]\n\t"           \
  "ldr    %[v], [%[wa]], #4\n\t"                   \
  "sxtb16 %[t], %[v]\n\t"                          \
  "smlad  %[a0], %[t], %[xa], %[a0]\n\t"           \
  "sxtb16 %[t], %[v], ror #8\n\t"                  \
  "smlad  %[a0], %[t], %[xb], %[a0]\n\t"           \
  "ldr    %[v], [%[wb], %[st]]\n\t"                \
  "sxtb16 %[t], %[v]\n\t"                          \
  "smlad  %[a3], %[t], %[xa], %[a3]\n\t"           \
  "sxtb16 %[t], %[v], ror #8\n\t"                  \
  "smlad  %[a3], %[t], %[xb], %[a3]\n\t"           \
  "ldr    %[v], [%[wb]], #4\n\t"                   \
  "sxtb16 %[t], %[v]\n\t"                          \
  "smlad  %[a2], %[t], %[xa], %[a2]\n\t"           \
  "sxtb16 %[t], %[v], ror #8\n\t"                  \
  "smlad  %[a2], %[t], %[xb], %[a2]\n\t"
#define FC_OPERANDS                                                       \
  : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3),           \
    [wa] "+r"(wa), [wb] "+r"(wb), [x] "+r"(x), [xa] "=&r"(xa),            \
    [xb] "=&r"(xb), [v] "=&r"(v), [t] "=&r"(t)                            \
  : [st] "r"(stride), [end] "r"(end)                                      \
  : "cc", "memory"
  {
    uint32_t xa, xb, v, t;
    if (groups & 1) __asm__ volatile(FC_GROUP FC_OPERANDS);
    if (x < end)
      __asm__ volatile("1:\n\t" FC_GROUP FC_GROUP
                       "cmp    %[x], %[end]\n\t"
                       "bne    1b\n\t" FC_OPERANDS);
  }
#undef FC_GROUP
#undef FC_OPERANDS
#else
  for (; x < end; x += 2, wa += 4, wb += 4) {
    const uint32_t xa = x[0], xb = x[1];
    uint32_t v = opt_ld4(wa);
    a0 = opt_smlad(opt_sxtb16(v), xa, a0);
    a0 = opt_smlad(opt_sxtb16_r8(v), xb, a0);
    v = opt_ld4(wa + stride);
    a1 = opt_smlad(opt_sxtb16(v), xa, a1);
    a1 = opt_smlad(opt_sxtb16_r8(v), xb, a1);
    v = opt_ld4(wb);
    a2 = opt_smlad(opt_sxtb16(v), xa, a2);
    a2 = opt_smlad(opt_sxtb16_r8(v), xb, a2);
    v = opt_ld4(wb + stride);
    a3 = opt_smlad(opt_sxtb16(v), xa, a3);
    a3 = opt_smlad(opt_sxtb16_r8(v), xb, a3);
  }
#endif
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

OPT_NOINLINE static int32_t dot1(const int8_t *w, const uint32_t *x, int32_t groups,
                    int32_t a) {
  int32_t g;
  for (g = 0; g < groups; g++, x += 2, w += 4) {
    const uint32_t v = opt_ld4(w);
    a = opt_smlad(opt_sxtb16(v), x[0], a);
    a = opt_smlad(opt_sxtb16_r8(v), x[1], a);
  }
  return a;
}

/* One multiplier for all n outputs, in a function of its own: its few
 * values stay in registers (inside fc_s8 they were spilled per output). */
OPT_NOINLINE static void rq_tensor(const int32_t *acc, int32_t n, int32_t m,
                                   int32_t sh, int32_t off, int32_t lo,
                                   int32_t hi, int8_t *o) {
  const int32_t *end = acc + n;
  /* The shift's cases apart: each loop is straight-line code. */
  if (sh == 0) {
    for (; acc < end; acc++, o++) {
      int32_t v = (int32_t)((uint32_t)opt_requant_r(*acc, m, 0) + (uint32_t)off);
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      *o = (int8_t)v;
    }
  } else if (sh < 0) {
    const int32_t rs = -sh - 1;
    for (; acc < end; acc++, o++) {
      const int32_t x = *acc;
      const int32_t h = (int32_t)(uint32_t)((uint64_t)((int64_t)x * (int64_t)m +
                                                      ((int64_t)1 << 30)) >> 31);
      int32_t v = (int32_t)((uint32_t)opt_asr(opt_asr(h + opt_asr(x, 31), rs) + 1, 1) + (uint32_t)off);
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
      *o = (int8_t)v;
    }
  } else {
    for (; acc < end; acc++, o++) *o = opt_out_s8(*acc, m, sh, off, lo, hi);
  }
}

/* One row of a small layer: depth <= FC_XB (one widening) and n <= FC_OCB
 * outputs (one block of accumulators). The same sums as fc_s8 without its
 * blocking loops, which cost more than a small layer's MACs (hello_world). */
OPT_NOINLINE static void fc_row(const tml_fc_s8_params *p, const int32_t *mult,
                                const int8_t *shift, const int8_t *x,
                                const int8_t *w, const int32_t *bias,
                                int8_t *o) {
  const int32_t depth = p->accum_depth, n = p->out_depth, groups = depth / 4;
  const uint32_t off2 = opt_dup16(p->in_offset);
  opt_patch xb;
  int32_t acc[FC_OCB];
  int32_t g, i, r;
  for (g = 0; g < groups; g++) {
    const uint32_t v = opt_ld4(x + 4 * g);
    xb.w[2 * g] = opt_sadd16(opt_sxtb16(v), off2);
    xb.w[2 * g + 1] = opt_sadd16(opt_sxtb16_r8(v), off2);
  }
  for (i = 0; i < n; i++) acc[i] = bias ? bias[i] : 0;
  if (groups > 0) {
    for (i = 0; i + 4 <= n; i += 4) dot4(w + (size_t)i * depth, (size_t)depth, xb.w, groups, acc + i);
    for (; i < n; i++) acc[i] = dot1(w + (size_t)i * depth, xb.w, groups, acc[i]);
  }
  for (r = groups * 4; r < depth; r++) {
    const int32_t xv = x[r] + p->in_offset;
    const int8_t *wr = w + r;
    for (i = 0; i < n; i++, wr += depth) acc[i] = (int32_t)((uint32_t)acc[i] + (uint32_t)(*wr * xv));
  }
  if (mult)
    tml_opt_requant(acc, NULL, n, mult, shift, 0, p->out_offset, p->act_min, p->act_max, o, NULL);
  else
    rq_tensor(acc, n, p->out_mult, p->out_shift, p->out_offset, p->act_min, p->act_max, o);
}

/* mult == NULL: per-tensor out_mult/out_shift. */
static void fc_s8(const tml_fc_s8_params *p, const int32_t *mult,
                  const int8_t *shift, const int8_t *in, const int8_t *w,
                  const int32_t *bias, int8_t *out) {
  const int32_t depth = p->accum_depth, n_out = p->out_depth;
  const uint32_t off2 = opt_dup16(p->in_offset);
  opt_patch xb;
  int32_t acc[FC_OCB];
  int32_t b, oc0, d0, i, r;

  for (b = 0; b < p->batches; b++) {
    const int8_t *x = in + (size_t)b * (size_t)depth;
    int8_t *o = out + (size_t)b * (size_t)n_out;
    for (oc0 = 0; oc0 < n_out; oc0 += FC_OCB) {
      const int32_t n = n_out - oc0 < FC_OCB ? n_out - oc0 : FC_OCB;
      const int8_t *wb = w + (size_t)oc0 * (size_t)depth;
      for (i = 0; i < n; i++) acc[i] = bias ? bias[oc0 + i] : 0;
      for (d0 = 0; d0 < depth; d0 += FC_XB) {
        const int32_t len = depth - d0 < FC_XB ? depth - d0 : FC_XB;
        const int32_t groups = len / 4;
        const int8_t *xs = x + d0;
        int32_t g;
        for (g = 0; g < groups; g++) {
          const uint32_t v = opt_ld4(xs + 4 * g);
          xb.w[2 * g] = opt_sadd16(opt_sxtb16(v), off2);
          xb.w[2 * g + 1] = opt_sadd16(opt_sxtb16_r8(v), off2);
        }
        for (i = 0; i + 4 <= n; i += 4)
          dot4(wb + (size_t)i * depth + d0, (size_t)depth, xb.w, groups,
               acc + i);
        for (; i < n; i++)
          acc[i] = dot1(wb + (size_t)i * depth + d0, xb.w, groups, acc[i]);
        for (r = groups * 4; r < len; r++) {
          const int32_t xv = xs[r] + p->in_offset;
          for (i = 0; i < n; i++)
            acc[i] = (int32_t)((uint32_t)acc[i] +
                               (uint32_t)(wb[(size_t)i * depth + d0 + r] * xv));
        }
      }
      if (mult) {
        tml_opt_requant(acc, NULL, n, mult + oc0, shift + oc0, 0, p->out_offset,
                        p->act_min, p->act_max, o + oc0, NULL);
      } else {
        rq_tensor(acc, n, p->out_mult, p->out_shift, p->out_offset, p->act_min,
                  p->act_max, o + oc0);
      }
    }
  }
}

/* Small layers skip fc_s8's blocking (and its frame). */
static int fc_small(const tml_fc_s8_params *p) {
  return p->batches == 1 && p->accum_depth <= FC_XB && p->out_depth <= FC_OCB;
}

void tml_opt_fc_s8(const tml_fc_s8_params *p, const int8_t *in,
                   const int8_t *w, const int32_t *bias, int8_t *out) {
  if (p->w_offset != 0 || !opt_offset_ok(p->in_offset)) {
    tml_fc_s8(p, in, w, bias, out);
    return;
  }
  if (fc_small(p))
    fc_row(p, NULL, NULL, in, w, bias, out);
  else
    fc_s8(p, NULL, NULL, in, w, bias, out);
}

void tml_opt_fc_s8_per_channel(const tml_fc_s8_params *p,
                               const int32_t *mult, const int8_t *shift,
                               const int8_t *in, const int8_t *w,
                               const int32_t *bias, int8_t *out) {
  /* Per-channel weights are symmetric: w_offset is ignored, as there. */
  if (!opt_offset_ok(p->in_offset)) {
    tml_fc_s8_per_channel(p, mult, shift, in, w, bias, out);
    return;
  }
  if (fc_small(p))
    fc_row(p, mult, shift, in, w, bias, out);
  else
    fc_s8(p, mult, shift, in, w, bias, out);
}
