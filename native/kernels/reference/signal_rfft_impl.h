/*
 * signal_rfft_impl.h - the body of the real FFT, written once and included
 * by signal_rfft.c for each scalar type (int16, int32, float). Not a public
 * header.
 *
 * Arithmetic follows kissfft 1.3.0 as TFLM builds it, operation by
 * operation, so results are bit-exact: a mixed-radix (2, 3, 4, 5)
 * decimation-in-time complex FFT of n = fft_length / 2 points over the real
 * samples taken as (even, odd) pairs, with a divide by the radix at every
 * stage in fixed point, then the split that turns it into the real
 * spectrum. The recursion of the original is unrolled: inputs are first
 * placed in digit-reversed order, then each stage's butterflies run over all
 * blocks, deepest stage first (each block only touches its own elements, so
 * the order across blocks is free).
 *
 * The includer defines SIG_T (scalar), SIG_FN(name) (adds a type suffix),
 * SIG_TW_WORDS (program words per twiddle), the complex struct SIG_FN(cpx)
 * {r, i} and these helpers, each storing its result as the original's
 * scalar variable would:
 *   SIG_FN(add)(a, b), SIG_FN(sub)(a, b), SIG_FN(neg)(a)
 *   SIG_FN(smul)(a, b)         S_MUL: a * b with fractional rounding
 *   SIG_FN(fixdiv)(a, k)       C_FIXDIV's per-part divide by k (or a no-op)
 *   SIG_FN(half)(a)            HALF_OF(a)
 *   SIG_FN(half_add)(a, b)     HALF_OF(a + b), the sum unwrapped as in C
 *   SIG_FN(half_sub)(a, b)     HALF_OF(a - b)
 *   SIG_FN(cmul)(a, b)         C_MUL, complex product
 *   SIG_FN(tw)(words, i)       twiddle i from the program words
 */

static SIG_FN(cpx) SIG_FN(ld)(const SIG_T *v, int32_t k) {
  SIG_FN(cpx) c;
  c.r = v[2 * k];
  c.i = v[2 * k + 1];
  return c;
}

static void SIG_FN(st)(SIG_T *v, int32_t k, SIG_FN(cpx) c) {
  v[2 * k] = c.r;
  v[2 * k + 1] = c.i;
}

static SIG_FN(cpx) SIG_FN(cadd)(SIG_FN(cpx) a, SIG_FN(cpx) b) {
  SIG_FN(cpx) c;
  c.r = SIG_FN(add)(a.r, b.r);
  c.i = SIG_FN(add)(a.i, b.i);
  return c;
}

static SIG_FN(cpx) SIG_FN(csub)(SIG_FN(cpx) a, SIG_FN(cpx) b) {
  SIG_FN(cpx) c;
  c.r = SIG_FN(sub)(a.r, b.r);
  c.i = SIG_FN(sub)(a.i, b.i);
  return c;
}

static SIG_FN(cpx) SIG_FN(cdiv)(SIG_FN(cpx) a, int32_t k) {
  a.r = SIG_FN(fixdiv)(a.r, k);
  a.i = SIG_FN(fixdiv)(a.i, k);
  return a;
}

/* Radix-2 butterflies of one block: f[u] and f[u + m]. */
static void SIG_FN(bfly2)(SIG_T *f, const int32_t *tw, int32_t fstride,
                          int32_t m) {
  int32_t u;
  for (u = 0; u < m; u++) {
    const SIG_FN(cpx) a = SIG_FN(cdiv)(SIG_FN(ld)(f, u), 2);
    const SIG_FN(cpx) b = SIG_FN(cdiv)(SIG_FN(ld)(f, u + m), 2);
    const SIG_FN(cpx) t = SIG_FN(cmul)(b, SIG_FN(tw)(tw, u * fstride));
    SIG_FN(st)(f, u + m, SIG_FN(csub)(a, t));
    SIG_FN(st)(f, u, SIG_FN(cadd)(a, t));
  }
}

static void SIG_FN(bfly3)(SIG_T *f, const int32_t *tw, int32_t fstride,
                          int32_t m) {
  const SIG_T epi3 = SIG_FN(tw)(tw, fstride * m).i;
  int32_t u;
  for (u = 0; u < m; u++) {
    SIG_FN(cpx) f0 = SIG_FN(cdiv)(SIG_FN(ld)(f, u), 3), f1, f2, s0, s3;
    const SIG_FN(cpx) s1 = SIG_FN(cmul)(SIG_FN(cdiv)(SIG_FN(ld)(f, u + m), 3),
                                        SIG_FN(tw)(tw, u * fstride));
    const SIG_FN(cpx) s2 =
        SIG_FN(cmul)(SIG_FN(cdiv)(SIG_FN(ld)(f, u + 2 * m), 3),
                     SIG_FN(tw)(tw, 2 * u * fstride));
    s3 = SIG_FN(cadd)(s1, s2);
    s0 = SIG_FN(csub)(s1, s2);
    f1.r = SIG_FN(sub)(f0.r, SIG_FN(half)(s3.r));
    f1.i = SIG_FN(sub)(f0.i, SIG_FN(half)(s3.i));
    s0.r = SIG_FN(smul)(s0.r, epi3);
    s0.i = SIG_FN(smul)(s0.i, epi3);
    f0 = SIG_FN(cadd)(f0, s3);
    f2.r = SIG_FN(add)(f1.r, s0.i);
    f2.i = SIG_FN(sub)(f1.i, s0.r);
    f1.r = SIG_FN(sub)(f1.r, s0.i);
    f1.i = SIG_FN(add)(f1.i, s0.r);
    SIG_FN(st)(f, u, f0);
    SIG_FN(st)(f, u + m, f1);
    SIG_FN(st)(f, u + 2 * m, f2);
  }
}

static void SIG_FN(bfly4)(SIG_T *f, const int32_t *tw, int32_t fstride,
                          int32_t m) {
  int32_t u;
  for (u = 0; u < m; u++) {
    SIG_FN(cpx) f0 = SIG_FN(cdiv)(SIG_FN(ld)(f, u), 4), f1, f2, f3, s3, s4, s5;
    const SIG_FN(cpx) s0 = SIG_FN(cmul)(SIG_FN(cdiv)(SIG_FN(ld)(f, u + m), 4),
                                        SIG_FN(tw)(tw, u * fstride));
    const SIG_FN(cpx) s1 =
        SIG_FN(cmul)(SIG_FN(cdiv)(SIG_FN(ld)(f, u + 2 * m), 4),
                     SIG_FN(tw)(tw, 2 * u * fstride));
    const SIG_FN(cpx) s2 =
        SIG_FN(cmul)(SIG_FN(cdiv)(SIG_FN(ld)(f, u + 3 * m), 4),
                     SIG_FN(tw)(tw, 3 * u * fstride));
    s5 = SIG_FN(csub)(f0, s1);
    f0 = SIG_FN(cadd)(f0, s1);
    s3 = SIG_FN(cadd)(s0, s2);
    s4 = SIG_FN(csub)(s0, s2);
    f2 = SIG_FN(csub)(f0, s3);
    f0 = SIG_FN(cadd)(f0, s3);
    /* Forward transform: multiply s4 by -i. */
    f1.r = SIG_FN(add)(s5.r, s4.i);
    f1.i = SIG_FN(sub)(s5.i, s4.r);
    f3.r = SIG_FN(sub)(s5.r, s4.i);
    f3.i = SIG_FN(add)(s5.i, s4.r);
    SIG_FN(st)(f, u, f0);
    SIG_FN(st)(f, u + m, f1);
    SIG_FN(st)(f, u + 2 * m, f2);
    SIG_FN(st)(f, u + 3 * m, f3);
  }
}

static void SIG_FN(bfly5)(SIG_T *f, const int32_t *tw, int32_t fstride,
                          int32_t m) {
  const SIG_FN(cpx) ya = SIG_FN(tw)(tw, fstride * m);
  const SIG_FN(cpx) yb = SIG_FN(tw)(tw, 2 * fstride * m);
  int32_t u, q;
  for (u = 0; u < m; u++) {
    SIG_FN(cpx) x[5], s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12;
    for (q = 0; q < 5; q++) x[q] = SIG_FN(cdiv)(SIG_FN(ld)(f, u + q * m), 5);
    s1 = SIG_FN(cmul)(x[1], SIG_FN(tw)(tw, u * fstride));
    s2 = SIG_FN(cmul)(x[2], SIG_FN(tw)(tw, 2 * u * fstride));
    s3 = SIG_FN(cmul)(x[3], SIG_FN(tw)(tw, 3 * u * fstride));
    s4 = SIG_FN(cmul)(x[4], SIG_FN(tw)(tw, 4 * u * fstride));
    s7 = SIG_FN(cadd)(s1, s4);
    s10 = SIG_FN(csub)(s1, s4);
    s8 = SIG_FN(cadd)(s2, s3);
    s9 = SIG_FN(csub)(s2, s3);
    /* x[0] is the original's scratch[0]; the output 0 adds to it. */
    s5.r = SIG_FN(add)(SIG_FN(add)(x[0].r, SIG_FN(smul)(s7.r, ya.r)),
                       SIG_FN(smul)(s8.r, yb.r));
    s5.i = SIG_FN(add)(SIG_FN(add)(x[0].i, SIG_FN(smul)(s7.i, ya.r)),
                       SIG_FN(smul)(s8.i, yb.r));
    s6.r = SIG_FN(add)(SIG_FN(smul)(s10.i, ya.i), SIG_FN(smul)(s9.i, yb.i));
    s6.i = SIG_FN(sub)(SIG_FN(neg)(SIG_FN(smul)(s10.r, ya.i)),
                       SIG_FN(smul)(s9.r, yb.i));
    s11.r = SIG_FN(add)(SIG_FN(add)(x[0].r, SIG_FN(smul)(s7.r, yb.r)),
                        SIG_FN(smul)(s8.r, ya.r));
    s11.i = SIG_FN(add)(SIG_FN(add)(x[0].i, SIG_FN(smul)(s7.i, yb.r)),
                        SIG_FN(smul)(s8.i, ya.r));
    s12.r = SIG_FN(add)(SIG_FN(neg)(SIG_FN(smul)(s10.i, yb.i)),
                        SIG_FN(smul)(s9.i, ya.i));
    s12.i = SIG_FN(sub)(SIG_FN(smul)(s10.r, yb.i), SIG_FN(smul)(s9.r, ya.i));
    x[0].r = SIG_FN(add)(x[0].r, SIG_FN(add)(s7.r, s8.r));
    x[0].i = SIG_FN(add)(x[0].i, SIG_FN(add)(s7.i, s8.i));
    SIG_FN(st)(f, u, x[0]);
    SIG_FN(st)(f, u + m, SIG_FN(csub)(s5, s6));
    SIG_FN(st)(f, u + 4 * m, SIG_FN(cadd)(s5, s6));
    SIG_FN(st)(f, u + 2 * m, SIG_FN(cadd)(s11, s12));
    SIG_FN(st)(f, u + 3 * m, SIG_FN(csub)(s11, s12));
  }
}

/* One frame: in_len real samples (zero beyond) -> n + 1 complex bins. */
static void SIG_FN(frame)(const tml_sig_rfft_params *p, const int32_t *stages,
                          const int32_t *tw, const SIG_T *in, SIG_T *tmp,
                          SIG_T *out) {
  const int32_t n = p->fft_length / 2, L = p->n_stages;
  const int32_t *split = tw + SIG_TW_WORDS * n;
  int32_t digit[32], stride[32];
  int32_t s, j, k, src, b;
  SIG_FN(cpx) dc;

  /* stride[s]: the product of the radices before stage s (kissfft's
   * fstride); output j = sum digit[s] * m[s] reads input sum digit[s] *
   * stride[s]. The digits count up like an odometer, last stage fastest. */
  for (s = 0; s < L; s++) {
    stride[s] = s == 0 ? 1 : stride[s - 1] * stages[2 * s - 2];
    digit[s] = 0;
  }
  src = 0;
  for (j = 0; j < n; j++) {
    const int32_t x0 = 2 * src;
    tmp[2 * j] = x0 < p->in_len ? in[x0] : (SIG_T)0;
    tmp[2 * j + 1] = x0 + 1 < p->in_len ? in[x0 + 1] : (SIG_T)0;
    for (s = L - 1; s >= 0; s--) {
      src += stride[s];
      if (++digit[s] < stages[2 * s]) break;
      src -= stride[s] * digit[s];
      digit[s] = 0;
    }
  }

  for (s = L - 1; s >= 0; s--) {
    const int32_t radix = stages[2 * s], m = stages[2 * s + 1];
    for (b = 0; b < stride[s]; b++) {
      SIG_T *blk = tmp + 2 * b * radix * m;
      switch (radix) {
        case 2: SIG_FN(bfly2)(blk, tw, stride[s], m); break;
        case 3: SIG_FN(bfly3)(blk, tw, stride[s], m); break;
        case 4: SIG_FN(bfly4)(blk, tw, stride[s], m); break;
        default: SIG_FN(bfly5)(blk, tw, stride[s], m); break;
      }
    }
  }

  /* Split the packed transform into the real spectrum. */
  dc = SIG_FN(cdiv)(SIG_FN(ld)(tmp, 0), 2);
  out[0] = SIG_FN(add)(dc.r, dc.i);
  out[2 * n] = SIG_FN(sub)(dc.r, dc.i);
  out[1] = (SIG_T)0;
  out[2 * n + 1] = (SIG_T)0;
  for (k = 1; k <= n / 2; k++) {
    SIG_FN(cpx) fpk = SIG_FN(ld)(tmp, k), fpnk = SIG_FN(ld)(tmp, n - k);
    SIG_FN(cpx) f1k, f2k, t;
    fpnk.i = SIG_FN(neg)(fpnk.i);
    fpk = SIG_FN(cdiv)(fpk, 2);
    fpnk = SIG_FN(cdiv)(fpnk, 2);
    f1k = SIG_FN(cadd)(fpk, fpnk);
    f2k = SIG_FN(csub)(fpk, fpnk);
    t = SIG_FN(cmul)(f2k, SIG_FN(tw)(split, k - 1));
    /* For k == n / 2 both writes hit the same bin; the second wins. */
    out[2 * k] = SIG_FN(half_add)(f1k.r, t.r);
    out[2 * k + 1] = SIG_FN(half_add)(f1k.i, t.i);
    out[2 * (n - k)] = SIG_FN(half_sub)(f1k.r, t.r);
    out[2 * (n - k) + 1] = SIG_FN(half_sub)(t.i, f1k.i);
  }
}

void SIG_FN(tml_sig_rfft)(const tml_sig_rfft_params *p, const int32_t *stages,
                          const int32_t *twiddles, const SIG_T *in,
                          SIG_T *scratch, SIG_T *out) {
  int32_t fr;
  for (fr = 0; fr < p->frames; fr++) {
    SIG_FN(frame)(p, stages, twiddles, in + fr * p->in_len, scratch,
                  out + fr * (p->fft_length + 2));
  }
}
