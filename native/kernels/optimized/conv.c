/*
 * conv.c - optimized int8 CONV_2D (per-channel), byte-identical with the
 * reference kernel.
 *
 * Channel blocks of OPT_OCB outermost (their requantization path is chosen
 * once), then two output pixels at a time: their receptive fields are
 * copied (im2col) into two stack patches of int16 values, input + offset (0
 * where the filter hangs over the padding, which is what skipping the tap
 * gives), already in the lane order SXTB16 gives filter bytes, zeros up to
 * a multiple of 4. Every filter row is then read once per pixel pair and
 * multiplied against both patches, two output channels at a time: 2 patch
 * LDRDs and 1 word of each of two filter rows feed 8 SMLADs (16
 * multiply-accumulates; the loop is assembly on the M4). Sums go to a stack
 * block of OPT_OCB channels x 2 pixels and are requantized in a pass of
 * their own. Receptive fields longer than a patch go through it in pieces
 * (the block keeps the partial sums). The 1x1 convolutions of
 * MobileNet-style models are the same code with a one-pixel receptive field.
 *
 * Grouped convolutions go to the reference kernel.
 */
#include "opt.h"

/* Bytes of the receptive field are gathered first, as int8, in the upper
 * half of the patch (padding as the input zero point, which the offset
 * turns into 0), then widened in place four at a time: the widening writes
 * 8 bytes from the start for every 4 it reads from the middle, so it never
 * overtakes what it has yet to read. */
#define OPT_STAGE (OPT_PATCH)
typedef char opt_stage_fits[OPT_STAGE * 2 == sizeof(opt_patch) ? 1 : -1];

/* GCC would turn these short byte loops into library calls (slow here). */
#if defined(__GNUC__) && !defined(__clang__)
#define OPT_NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define OPT_NO_LIBCALLS
#endif

OPT_NO_LIBCALLS static void put_bytes(int8_t *d, const int8_t *src, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) d[i] = src[i];
}

OPT_NO_LIBCALLS static void fill_bytes(int8_t *d, int8_t v, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) d[i] = v;
}

/* Elements [k0, k1) of the receptive field of output pixel (oy, ox), to
 * patch positions [0, k1 - k0) (and zeros up to the next multiple of 4).
 * Element k is tap k / in_c (row-major over the filter), channel k % in_c,
 * as in the filter rows. Without dilation a filter row's taps inside the
 * input are one contiguous run of the input row, with padding before and
 * after it. */
static void im2col(const tml_conv_params *p, const int8_t *in_b, int32_t oy,
                   int32_t ox, int32_t k0, int32_t k1, opt_patch *pt,
                   uint32_t off2) {
  const int32_t c = p->in_c;
  const int32_t row = p->f_w * c;
  const int32_t y0 = oy * p->stride_h - p->pad_h;
  const int32_t x0 = ox * p->stride_w - p->pad_w;
  const int8_t zp = (int8_t)(-p->in_offset); /* opt_offset_ok: fits */
  int8_t *st = (int8_t *)pt->h + OPT_STAGE - k0; /* element k at st[k] */
  const int32_t n4 = (k1 - k0 + 3) & ~3;
  int32_t fy, fx, fxa = 0, fxb = p->f_w, g;
  uint32_t *w = pt->w;
  if (p->dil_w == 1) {
    /* Taps [fxa, fxb) of a row are inside the input (maybe none). */
    if (x0 < 0) fxa = -x0 < p->f_w ? -x0 : p->f_w;
    if (p->in_w - x0 < fxb) fxb = p->in_w - x0 > fxa ? p->in_w - x0 : fxa;
  }
  for (fy = k0 / row; fy < p->f_h && fy * row < k1; fy++) {
    const int32_t y = y0 + p->dil_h * fy;
    const int32_t r0 = fy * row;
    const int32_t a = k0 > r0 ? k0 : r0;             /* this row's part */
    const int32_t e = k1 < r0 + row ? k1 : r0 + row; /* of [k0, k1) */
    const int8_t *src;
    if (y < 0 || y >= p->in_h) {
      fill_bytes(st + a, zp, e - a);
      continue;
    }
    src = in_b + (size_t)y * (size_t)p->in_w * (size_t)c;
    if (p->dil_w == 1) {
      const int32_t va = r0 + fxa * c, vb = r0 + fxb * c; /* valid k */
      const int32_t ma = a > va ? a : va, mb = e < vb ? e : vb;
      if (a < va) fill_bytes(st + a, zp, (e < va ? e : va) - a);
      if (ma < mb)
        put_bytes(st + ma, src + (size_t)(x0 + fxa) * (size_t)c + (size_t)(ma - va),
                  mb - ma);
      if (e > vb) fill_bytes(st + (a > vb ? a : vb), zp, e - (a > vb ? a : vb));
      continue;
    }
    for (fx = (a - r0) / c; fx < p->f_w && r0 + fx * c < e; fx++) {
      const int32_t x = x0 + p->dil_w * fx;
      const int32_t t0 = r0 + fx * c;
      const int32_t ta = a > t0 ? a : t0;
      const int32_t te = e < t0 + c ? e : t0 + c;
      if (x < 0 || x >= p->in_w)
        fill_bytes(st + ta, zp, te - ta);
      else
        put_bytes(st + ta, src + (size_t)x * (size_t)c + (size_t)(ta - t0), te - ta);
    }
  }
  fill_bytes(st + k1, zp, n4 - (k1 - k0));
  for (g = 0; g < n4 / 4; g++, w += 2) {
    const uint32_t v = opt_ld4(st + k0 + 4 * g);
    w[0] = opt_sadd16(opt_sxtb16(v), off2);
    w[1] = opt_sadd16(opt_sxtb16_r8(v), off2);
  }
}

/* Filter rows [fy0, fy1) of the receptive field of output pixel (oy, ox),
 * to the patch from position 0 (zeros up to a multiple of 4), when every
 * row lies wholly inside the input columns, without dilation: f_w * in_c a
 * multiple of 4, word copies (rows above or below the input: zeros), else
 * through the byte stage. 0 when the pixel is not such a case (im2col does
 * it). */
static int im2col_rows(const tml_conv_params *p, const int8_t *in_b,
                       int32_t oy, int32_t ox, int32_t fy0, int32_t fy1,
                       opt_patch *pt, uint32_t off2) {
  const int32_t row = p->f_w * p->in_c;
  const int32_t x0 = ox * p->stride_w - p->pad_w;
  int32_t y = oy * p->stride_h - p->pad_h + p->dil_h * fy0, fy, i;
  uint32_t *w = pt->w;
  if (p->dil_w != 1 || x0 < 0 || x0 > p->in_w - p->f_w) return 0;
  if ((row & 3) != 0) {
    /* Rows of other lengths: gathered as bytes, widened after (im2col). */
    const int32_t n = (fy1 - fy0) * row, n4 = (n + 3) & ~3;
    const int8_t zp = (int8_t)(-p->in_offset);
    int8_t *st = (int8_t *)pt->h + OPT_STAGE, *d = st;
    for (fy = fy0; fy < fy1; fy++, y += p->dil_h, d += row) {
      if (y < 0 || y >= p->in_h)
        fill_bytes(d, zp, row);
      else
        put_bytes(d, in_b + ((size_t)y * (size_t)p->in_w + (size_t)x0) * (size_t)p->in_c, row);
    }
    fill_bytes(d, zp, n4 - n);
    for (i = 0; i < n4; i += 4, w += 2) {
      const uint32_t v = opt_ld4(st + i);
      w[0] = opt_sadd16(opt_sxtb16(v), off2);
      w[1] = opt_sadd16(opt_sxtb16_r8(v), off2);
    }
    return 1;
  }
  for (fy = fy0; fy < fy1; fy++, y += p->dil_h) {
    const int8_t *src;
    if (y < 0 || y >= p->in_h) {
      for (i = 0; i < row; i += 4, w += 2) w[0] = w[1] = 0;
      continue;
    }
    src = in_b + ((size_t)y * (size_t)p->in_w + (size_t)x0) * (size_t)p->in_c;
    for (i = 0; i < row; i += 4, w += 2) {
      const uint32_t v = opt_ld4(src + i);
      w[0] = opt_sadd16(opt_sxtb16(v), off2);
      w[1] = opt_sadd16(opt_sxtb16_r8(v), off2);
    }
  }
  return 1;
}

/* Receptive-field elements [k0, k0 + len) of pixel (oy, ox) into pt, zeros
 * after them up to a multiple of 4. */
static void patch(const tml_conv_params *p, const int8_t *in_b, int32_t oy,
                  int32_t ox, int32_t k0, int32_t len, int32_t row,
                  opt_patch *pt, uint32_t off2) {
  /* Pieces of whole filter rows take the fast copy when they can. */
  if (k0 % row == 0 && len % row == 0 &&
      im2col_rows(p, in_b, oy, ox, k0 / row, (k0 + len) / row, pt, off2))
    return;
  im2col(p, in_b, oy, ox, k0, k0 + len, pt, off2);
}

#if TML_OPT_DSP
/* One group in assembly: LDRD brings a pixel's 4 patch elements, each filter
 * word is expanded once and feeds both pixels: 2 LDRD, 2 LDR, 4 SXTB16,
 * 8 SMLAD for 16 multiply-accumulates (GCC spills or reloads here). */
#define MM_ASM_GROUP                                 \
  "ldrd   %[xa1], %[xb1], [%[x], #384]\n\t"          \
  "ldrd   %[xa0], %[xb0], [%[x]], #8\n\t"            \
  "ldr    %[w], [%[wa]], #4\n\t"                    \
  "sxtb16 %[t], %[w]\n\t"                           \
  "smlad  %[a00], %[t], %[xa0], %[a00]\n\t"          \
  "smlad  %[a01], %[t], %[xa1], %[a01]\n\t"          \
  "sxtb16 %[t], %[w], ror #8\n\t"                   \
  "smlad  %[a00], %[t], %[xb0], %[a00]\n\t"          \
  "smlad  %[a01], %[t], %[xb1], %[a01]\n\t"          \
  "ldr    %[w], [%[wb]], #4\n\t"                    \
  "sxtb16 %[t], %[w]\n\t"                           \
  "smlad  %[a10], %[t], %[xa0], %[a10]\n\t"          \
  "smlad  %[a11], %[t], %[xa1], %[a11]\n\t"          \
  "sxtb16 %[t], %[w], ror #8\n\t"                   \
  "smlad  %[a10], %[t], %[xb0], %[a10]\n\t"          \
  "smlad  %[a11], %[t], %[xb1], %[a11]\n\t"
/* The asm reaches the second patch at + 384 bytes. */
typedef char mm_patch_is_384_bytes[sizeof(opt_patch) == 384 ? 1 : -1];
#define MM_ASM_OPERANDS                                                   \
  : [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10), [a11] "+r"(a11),   \
    [wa] "+r"(wa), [wb] "+r"(wb), [x] "+r"(xp), [xa0] "=&r"(xa0),         \
    [xb0] "=&r"(xb0), [xa1] "=&r"(xa1), [xb1] "=&r"(xb1), [w] "=&r"(w),   \
    [t] "=&r"(t)                                                          \
  : [end] "m"(end)                                                        \
  : "cc", "memory"
#endif

#if !TML_OPT_DSP
/* The halves of a sum of f * (x0 + x1 * 2^32): sum f * x0 and sum f * x1. */
static int32_t lo_half(int64_t s) { return (int32_t)(uint32_t)(uint64_t)s; }
static int32_t hi_half(int64_t s) { return (int32_t)((s - lo_half(s)) / 4294967296LL); }
#endif

/* n filter rows (row stride k_all, from w) against the two patches at x
 * (the second OPT_PATCH / 2 words on), groups x 4 elements: acc[i] +=
 * row i x pixel 0, acc[OPT_OCB + i] += row i x pixel 1. Kept apart and
 * small so that the inner loop stays in registers. */
#if !TML_OPT_DSP && defined(__GNUC__) && !defined(__clang__)
/* GCC's vectorized form of the portable loop is slower than its scalar one. */
__attribute__((optimize("no-tree-vectorize")))
#endif
OPT_NOINLINE static void mm_block(const int8_t *w, int32_t k_all, int32_t n,
                                  const uint32_t *x, int32_t groups,
                                  int32_t *acc) {
  int32_t i;
#if !TML_OPT_DSP
  /* The patches' int16 lanes (slot order k0, k2, k1, k3 per group) as
   * pixel pairs in filter order. */
  int64_t xx[OPT_PATCH];
  {
    const int16_t *h0 = (const int16_t *)x, *h1 = h0 + OPT_PATCH;
    int32_t k;
    for (k = 0; k < 4 * groups; k++) {
      const int32_t s = (k & ~3) | ((k & 1) << 1) | ((k >> 1) & 1);
      xx[k] = (int64_t)h0[s] + (int64_t)h1[s] * 4294967296LL;
    }
  }
#endif
  for (i = 0; i < n; i += 2, w += 2 * (size_t)k_all) {
    /* A lone last row runs as a pair with itself; one result is kept. */
    const int32_t gap = i + 1 < n ? k_all : 0;
    int32_t a00 = acc[i], a10 = acc[i + (gap != 0)];
    int32_t a01 = acc[OPT_OCB + i], a11 = acc[OPT_OCB + i + (gap != 0)];
#if TML_OPT_DSP
    const uint32_t *xp = x, *end = x + 2 * groups;
    const int8_t *wa = w, *wb = w + gap;
    uint32_t xa0, xb0, xa1, xb1, t, w;
    if (groups & 1) __asm__ volatile(MM_ASM_GROUP MM_ASM_OPERANDS);
    if (xp < end)
      __asm__ volatile("1:\n\t" MM_ASM_GROUP MM_ASM_GROUP
                       "ldr    %[t], %[end]\n\t"
                       "cmp    %[x], %[t]\n\t"
                       "bne    1b\n\t" MM_ASM_OPERANDS);
#else
    /* Portable: both pixels' patch values side by side in one int64 (pixel
     * 1 in the high half, xx below), so one multiply makes both products:
     * sum f * (x0 + x1 * 2^32) = sum f * x0 + 2^32 * sum f * x1, exactly in
     * int64; each sum fits 24 bits (|x| < 2^9, |f| <= 2^7, at most
     * OPT_PATCH terms), so the halves come apart again below. */
    const int8_t *wa = w, *wb = w + gap;
    int64_t sa = 0, sb = 0;
    int32_t k;
    for (k = 0; k < 4 * groups; k++) {
      sa += (int64_t)wa[k] * xx[k];
      sb += (int64_t)wb[k] * xx[k];
    }
    a00 = (int32_t)((uint32_t)a00 + (uint32_t)lo_half(sa));
    a01 = (int32_t)((uint32_t)a01 + (uint32_t)hi_half(sa));
    a10 = (int32_t)((uint32_t)a10 + (uint32_t)lo_half(sb));
    a11 = (int32_t)((uint32_t)a11 + (uint32_t)hi_half(sb));
#endif
    acc[i] = a00;
    acc[OPT_OCB + i] = a01;
    if (gap) {
      acc[i + 1] = a10;
      acc[OPT_OCB + i + 1] = a11;
    }
  }
}

void tml_opt_conv_rows(const tml_conv_params *p, const int32_t *mult,
                       const int8_t *shift, const int8_t *in,
                       const int8_t *filter, const int32_t *bias, int8_t *out) {
  const int32_t k_all = p->f_h * p->f_w * p->in_c;
  const int32_t npx = p->out_h * p->out_w;
  const int32_t oc_n = p->out_c;
  const uint32_t off2 = opt_dup16(p->in_offset);
  /* The patch is built once per pixel pair when it holds the whole field;
   * else the field goes in pieces of whole filter rows when they fit. */
  const int one_piece = k_all <= OPT_PATCH;
  const int32_t row = p->f_w * p->in_c;
  const int32_t piece = one_piece ? k_all
                        : (row % 4 == 0 && row <= OPT_PATCH) ? OPT_PATCH / row * row
                                                             : OPT_PATCH;
  /* With k_all >= 4 only the last row's padded group reaches past the
   * filter (below). */
  const int32_t kpad = k_all >= 4 ? (k_all + 3) & ~3 : k_all;
  opt_patch pt[2]; /* adjacent: mm_block reaches the second from the first */
  int32_t acc[2 * OPT_OCB];
  int32_t b, px, oc0, k0, i, r;

  /* Channel blocks outermost: their requantization constants are made
   * once (the patches are rebuilt per block: cheap next to the sums). */
  for (oc0 = 0; oc0 < oc_n; oc0 += OPT_OCB) {
    const int32_t n = oc_n - oc0 < OPT_OCB ? oc_n - oc0 : OPT_OCB;
    const int8_t *f = filter + (size_t)oc0 * (size_t)k_all;
    const int fast = tml_opt_rq_fast(n, shift + oc0);
    for (b = 0; b < p->batches; b++) {
      const int8_t *in_b = in + (size_t)b * p->in_h * p->in_w * p->in_c;
      int8_t *out_b = out + (size_t)b * (size_t)npx * (size_t)oc_n;
      for (px = 0; px < npx; px += 2) {
        /* A lone last pixel runs as a pair with itself; one result is kept. */
        const int two = px + 1 < npx;
        const int32_t px1 = two ? px + 1 : px;
        const int32_t oy0 = px / p->out_w, ox0 = px % p->out_w;
        const int32_t oy1 = px1 / p->out_w, ox1 = px1 % p->out_w;
        int8_t *o0 = out_b + (size_t)px * (size_t)oc_n;
        if (one_piece) {
          /* A field of k_all % 4 != 0 elements runs as whole groups: the
           * zeros patch() puts after it make the filter bytes past a row
           * (the next row's) count for nothing. */
          patch(p, in_b, oy0, ox0, 0, k_all, row, &pt[0], off2);
          patch(p, in_b, oy1, ox1, 0, k_all, row, &pt[1], off2);
        }
        for (i = 0; i < n; i++)
          acc[i] = acc[OPT_OCB + i] = bias ? bias[oc0 + i] : 0;
        if (one_piece && kpad != k_all) {
          /* The filter's last row has no next row: its whole groups run
           * alone, its last 1-3 elements one by one. */
          const int32_t last = oc0 + n == oc_n;
          mm_block(f, k_all, n - last, pt[0].w, kpad / 4, acc);
          if (last) {
            const int8_t *fl = f + (size_t)(n - 1) * (size_t)k_all;
            mm_block(fl, k_all, 1, pt[0].w, k_all / 4, acc + n - 1);
            for (r = k_all & ~3; r < k_all; r++) {
              const size_t sl = opt_slot(r);
              acc[n - 1] = (int32_t)((uint32_t)acc[n - 1] + (uint32_t)(fl[r] * pt[0].h[sl]));
              acc[OPT_OCB + n - 1] =
                  (int32_t)((uint32_t)acc[OPT_OCB + n - 1] + (uint32_t)(fl[r] * pt[1].h[sl]));
            }
          }
        } else {
          for (k0 = 0; k0 < k_all; k0 += piece) {
            const int32_t len = k_all - k0 < piece ? k_all - k0 : piece;
            const int32_t groups = len / 4;
            if (!one_piece) {
              patch(p, in_b, oy0, ox0, k0, len, row, &pt[0], off2);
              patch(p, in_b, oy1, ox1, k0, len, row, &pt[1], off2);
            }
            mm_block(f + k0, k_all, n, pt[0].w, groups, acc);
            /* The last 1-3 elements (only the last piece has them). */
            for (r = groups * 4; r < len; r++) {
              const size_t sl = opt_slot(r);
              const int32_t x0 = pt[0].h[sl], x1 = pt[1].h[sl];
              for (i = 0; i < n; i++) {
                const int32_t fv = f[(size_t)i * (size_t)k_all + (size_t)(k0 + r)];
                acc[i] = (int32_t)((uint32_t)acc[i] + (uint32_t)(fv * x0));
                acc[OPT_OCB + i] =
                    (int32_t)((uint32_t)acc[OPT_OCB + i] + (uint32_t)(fv * x1));
              }
            }
          }
        }
        tml_opt_requant(acc, acc + OPT_OCB, n, mult + oc0, shift + oc0, fast,
                        p->out_offset, p->act_min, p->act_max, o0 + oc0,
                        two ? o0 + oc_n + oc0 : NULL);
      }
    }
  }
}

void tml_opt_conv_s8(const tml_conv_params *p, const int32_t *mult,
                     const int8_t *shift, const int8_t *in,
                     const int8_t *filter, const int32_t *bias, int8_t *out) {
  if (p->f_in_c != p->in_c || !opt_offset_ok(p->in_offset)) {
    tml_conv_s8(p, mult, shift, in, filter, bias, out);
    return;
  }
  tml_opt_conv_rows(p, mult, shift, in, filter, bias, out);
}
