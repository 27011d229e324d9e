/*
 * ota_ed25519.c - Ed25519 verification over GF(2^255 - 19).
 * (The unroll pragmas take one Ed25519 verification on the Cortex-M4 from
 * 5.1 M to about 3 M instructions: the loop overhead was most of fe_mul.)
 *
 * Field elements are eight 32-bit limbs holding any value below 2^256
 * (2^256 = 38 mod p, which is how carries fold back), made canonical only
 * when encoded or compared. Products use 32x32->64 multiplies, which a
 * Cortex-M4 does in one instruction. Points are extended twisted Edwards
 * coordinates with the unified (complete) addition law, used for doubling
 * too: short, and correct for every input including the identity.
 * Verification handles public data only, so nothing here is constant-time.
 */
#include "ota_ed25519.h"

#include <string.h>

#include "ota_sha2.h"

typedef struct {
  uint32_t v[8];
} fe;

typedef struct {
  fe x, y, z, t;
} ge;

/* Little-endian exponents and the group order. */
static const uint8_t EXP_P_MINUS_1_DIV_4[32] = {0xfb, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f};
static const uint8_t ORDER_L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
static const uint32_t FIELD_P[8] = {0xffffffedu, 0xffffffffu, 0xffffffffu, 0xffffffffu,
                                    0xffffffffu, 0xffffffffu, 0xffffffffu, 0x7fffffffu};
/* The base point's encoding: y = 4/5, x even. */
static const uint8_t BASE_ENC[32] = {0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                     0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                     0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                                     0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66};

/* ---- 256-bit words ---- */

/* r = a - b; returns the borrow (1 if a < b). r may alias a or b. */
static uint32_t sub_words(uint32_t r[8], const uint32_t a[8], const uint32_t b[8]) {
  uint32_t borrow = 0;
  int i;
  for (i = 0; i < 8; i++) {
    uint64_t t = (uint64_t)a[i] - b[i] - borrow;
    r[i] = (uint32_t)t;
    borrow = (uint32_t)(t >> 32) & 1u;
  }
  return borrow;
}

/* ---- field arithmetic ---- */

/* r += add, folding every carry out of bit 256 back in as 38. */
static void fe_fold(uint32_t r[8], uint64_t add) {
  while (add) {
    int i;
    for (i = 0; i < 8; i++) {
      add += r[i];
      r[i] = (uint32_t)add;
      add >>= 32;
    }
    add *= 38u;
  }
}

static void fe_set(fe *r, uint32_t small) {
  memset(r, 0, sizeof *r);
  r->v[0] = small;
}

static void fe_add(fe *r, const fe *a, const fe *b) {
  uint64_t c = 0;
  int i;
  for (i = 0; i < 8; i++) {
    c += (uint64_t)a->v[i] + b->v[i];
    r->v[i] = (uint32_t)c;
    c >>= 32;
  }
  fe_fold(r->v, c * 38u);
}

static void fe_sub(fe *r, const fe *a, const fe *b) {
  static const uint32_t k38[8] = {38u, 0, 0, 0, 0, 0, 0, 0};
  /* A borrow means 2^256 was added: take 38 off for it. */
  uint32_t borrow = sub_words(r->v, a->v, b->v);
  while (borrow) borrow = sub_words(r->v, r->v, k38);
}

/* r = t mod p for a 512-bit t (2^256 = 38). */
static void fe_reduce512(fe *r, const uint32_t t[16]) {
  uint64_t c = 0;
  int i;
#pragma GCC unroll 8
  for (i = 0; i < 8; i++) {
    c += (uint64_t)t[i + 8] * 38u + t[i];
    r->v[i] = (uint32_t)c;
    c >>= 32;
  }
  fe_fold(r->v, c * 38u);
}

static void fe_mul(fe *r, const fe *a, const fe *b) {
  uint32_t t[16];
  uint64_t c;
  int i, j;
  memset(t, 0, sizeof t);
#pragma GCC unroll 8
  for (i = 0; i < 8; i++) {
    uint32_t ai = a->v[i];
    c = 0;
#pragma GCC unroll 8
    for (j = 0; j < 8; j++) {
      c += (uint64_t)ai * b->v[j] + t[i + j]; /* at most 2^64 - 1 */
      t[i + j] = (uint32_t)c;
      c >>= 32;
    }
    t[i + 8] = (uint32_t)c;
  }
  fe_reduce512(r, t);
}

/* Squaring: the 28 cross products once, doubled, plus the 8 squares. */
static void fe_sq(fe *r, const fe *a) {
  uint32_t t[16], carry = 0;
  uint64_t c;
  int i, j;
  memset(t, 0, sizeof t);
#pragma GCC unroll 8
  for (i = 0; i < 7; i++) {
    uint32_t ai = a->v[i];
    c = 0;
#pragma GCC unroll 8
    for (j = i + 1; j < 8; j++) {
      c += (uint64_t)ai * a->v[j] + t[i + j];
      t[i + j] = (uint32_t)c;
      c >>= 32;
    }
    t[i + 8] = (uint32_t)c;
  }
#pragma GCC unroll 16
  for (i = 0; i < 16; i++) { /* the cross sum is below 2^511: doubling fits */
    uint32_t v = t[i];
    t[i] = (v << 1) | carry;
    carry = v >> 31;
  }
  c = 0;
#pragma GCC unroll 8
  for (i = 0; i < 8; i++) {
    c += (uint64_t)a->v[i] * a->v[i] + t[2 * i];
    t[2 * i] = (uint32_t)c;
    c >>= 32;
    c += t[2 * i + 1];
    t[2 * i + 1] = (uint32_t)c;
    c >>= 32;
  }
  fe_reduce512(r, t);
}

static void fe_sq_times(fe *r, const fe *a, int n) {
  fe_sq(r, a);
  while (--n > 0) fe_sq(r, r);
}

/* z^(2^250 - 1) and z^11: the common start of the two exponentiations the
 * verification needs (an addition chain: 254 squarings, 11 multiplies). */
static void fe_pow_2_250(fe *z250, fe *z11, const fe *z) {
  fe z2, z9, t, z5, z10, z20, z50, z100;
  fe_sq(&z2, z);
  fe_sq_times(&t, &z2, 2);
  fe_mul(&z9, &t, z);
  fe_mul(z11, &z9, &z2);
  fe_sq(&t, z11);
  fe_mul(&z5, &t, &z9);        /* 2^5 - 1 */
  fe_sq_times(&t, &z5, 5);
  fe_mul(&z10, &t, &z5);       /* 2^10 - 1 */
  fe_sq_times(&t, &z10, 10);
  fe_mul(&z20, &t, &z10);      /* 2^20 - 1 */
  fe_sq_times(&t, &z20, 20);
  fe_mul(&t, &t, &z20);        /* 2^40 - 1 */
  fe_sq_times(&t, &t, 10);
  fe_mul(&z50, &t, &z10);      /* 2^50 - 1 */
  fe_sq_times(&t, &z50, 50);
  fe_mul(&z100, &t, &z50);     /* 2^100 - 1 */
  fe_sq_times(&t, &z100, 100);
  fe_mul(&t, &t, &z100);       /* 2^200 - 1 */
  fe_sq_times(&t, &t, 50);
  fe_mul(z250, &t, &z50);      /* 2^250 - 1 */
}

/* 1/z = z^(p - 2) = z^(2^255 - 21) */
static void fe_invert(fe *r, const fe *z) {
  fe z250, z11;
  fe_pow_2_250(&z250, &z11, z);
  fe_sq_times(&z250, &z250, 5);
  fe_mul(r, &z250, &z11);
}

/* z^((p - 5) / 8) = z^(2^252 - 3) */
static void fe_pow_p58(fe *r, const fe *z) {
  fe z250, z11;
  fe_pow_2_250(&z250, &z11, z);
  fe_sq_times(&z250, &z250, 2);
  fe_mul(r, &z250, z);
}

/* a^e for a little-endian 256-bit exponent. */
static void fe_pow(fe *r, const fe *a, const uint8_t e[32]) {
  fe acc;
  int i;
  fe_set(&acc, 1);
  for (i = 255; i >= 0; i--) {
    fe_sq(&acc, &acc);
    if ((e[i >> 3] >> (i & 7)) & 1) fe_mul(&acc, &acc, a);
  }
  *r = acc;
}

/* Canonical little-endian bytes (value mod p). */
static void fe_tobytes(uint8_t out[32], const fe *a) {
  uint32_t v[8], t[8];
  int i, k;
  memcpy(v, a->v, sizeof v);
  for (k = 0; k < 2; k++) /* below 2^256 = 2p + 38: at most two subtractions */
    if (!sub_words(t, v, FIELD_P)) memcpy(v, t, sizeof v);
  for (i = 0; i < 32; i++) out[i] = (uint8_t)(v[i >> 2] >> (8 * (i & 3)));
}

static void fe_frombytes(fe *r, const uint8_t in[32]) {
  int i;
  memset(r, 0, sizeof *r);
  for (i = 0; i < 32; i++) r->v[i >> 2] |= (uint32_t)in[i] << (8 * (i & 3));
}

static int fe_equal(const fe *a, const fe *b) {
  uint8_t x[32], y[32];
  fe_tobytes(x, a);
  fe_tobytes(y, b);
  return memcmp(x, y, 32) == 0;
}

static int fe_is_odd(const fe *a) {
  uint8_t x[32];
  fe_tobytes(x, a);
  return x[0] & 1;
}

/* ---- curve constants, derived once from their definitions ---- */

typedef struct {
  int ready;
  fe d, d2, sqrtm1;
  ge base;
} curve_consts;

static curve_consts K;

static int ge_decode(ge *p, const uint8_t s[32]);

static void consts_init(void) {
  fe num, den;
  if (K.ready) return;
  /* d = -121665 / 121666 */
  fe_set(&num, 0);
  fe_set(&den, 121665);
  fe_sub(&num, &num, &den);
  fe_set(&den, 121666);
  fe_invert(&den, &den);
  fe_mul(&K.d, &num, &den);
  fe_add(&K.d2, &K.d, &K.d);
  /* sqrt(-1) = 2^((p-1)/4) */
  fe_set(&num, 2);
  fe_pow(&K.sqrtm1, &num, EXP_P_MINUS_1_DIV_4);
  K.ready = 1;
  (void)ge_decode(&K.base, BASE_ENC); /* valid by construction */
}

/* ---- points ---- */

static void ge_identity(ge *p) {
  fe_set(&p->x, 0);
  fe_set(&p->y, 1);
  fe_set(&p->z, 1);
  fe_set(&p->t, 0);
}

/* r = p + q (complete for a = -1 twisted Edwards; r may alias p or q). */
static void ge_add(ge *r, const ge *p, const ge *q) {
  fe a, b, c, d, e, f, g, h;
  fe_sub(&a, &p->y, &p->x);
  fe_sub(&h, &q->y, &q->x);
  fe_mul(&a, &a, &h);
  fe_add(&b, &p->y, &p->x);
  fe_add(&h, &q->y, &q->x);
  fe_mul(&b, &b, &h);
  fe_mul(&c, &p->t, &q->t);
  fe_mul(&c, &c, &K.d2);
  fe_mul(&d, &p->z, &q->z);
  fe_add(&d, &d, &d);
  fe_sub(&e, &b, &a);
  fe_sub(&f, &d, &c);
  fe_add(&g, &d, &c);
  fe_add(&h, &b, &a);
  fe_mul(&r->x, &e, &f);
  fe_mul(&r->y, &g, &h);
  fe_mul(&r->t, &e, &h);
  fe_mul(&r->z, &f, &g);
}

/* r = 2p (dbl-2008-hwcd with a = -1: 4 squarings, 4 multiplies). */
static void ge_double(ge *r, const ge *p) {
  fe a, b, c, e, f, g, h;
  fe_sq(&a, &p->x);
  fe_sq(&b, &p->y);
  fe_sq(&c, &p->z);
  fe_add(&c, &c, &c);
  fe_add(&e, &p->x, &p->y);
  fe_sq(&e, &e);
  fe_sub(&e, &e, &a);
  fe_sub(&e, &e, &b); /* 2xy */
  fe_sub(&g, &b, &a); /* y^2 - x^2 */
  fe_sub(&f, &g, &c);
  fe_add(&h, &a, &b);
  fe_set(&a, 0);
  fe_sub(&h, &a, &h); /* -(x^2 + y^2) */
  fe_mul(&r->x, &e, &f);
  fe_mul(&r->y, &g, &h);
  fe_mul(&r->t, &e, &h);
  fe_mul(&r->z, &f, &g);
}

static void ge_neg(ge *r, const ge *p) {
  fe zero;
  fe_set(&zero, 0);
  fe_sub(&r->x, &zero, &p->x);
  r->y = p->y;
  r->z = p->z;
  fe_sub(&r->t, &zero, &p->t);
}

/* RFC 8032 5.1.3: 0 if s is not the encoding of a curve point. */
static int ge_decode(ge *p, const uint8_t s[32]) {
  uint8_t yb[32], chk[32];
  fe y, u, v, v3, x, t;
  int sign = s[31] >> 7;
  memcpy(yb, s, 32);
  yb[31] &= 0x7f;
  fe_frombytes(&y, yb);
  fe_tobytes(chk, &y);
  if (memcmp(chk, yb, 32) != 0) return 0; /* y >= p */
  fe_sq(&u, &y);
  fe_mul(&v, &u, &K.d);
  fe_set(&t, 1);
  fe_sub(&u, &u, &t); /* u = y^2 - 1 */
  fe_add(&v, &v, &t); /* v = d y^2 + 1 */
  fe_sq(&v3, &v);
  fe_mul(&v3, &v3, &v);   /* v^3 */
  fe_sq(&x, &v3);
  fe_mul(&x, &x, &v);     /* v^7 */
  fe_mul(&x, &x, &u);     /* u v^7 */
  fe_pow_p58(&x, &x);
  fe_mul(&x, &x, &v3);
  fe_mul(&x, &x, &u);     /* x = u v^3 (u v^7)^((p-5)/8) */
  fe_sq(&t, &x);
  fe_mul(&t, &t, &v);     /* v x^2 */
  if (!fe_equal(&t, &u)) {
    fe zero;
    fe_set(&zero, 0);
    fe_sub(&u, &zero, &u);
    if (!fe_equal(&t, &u)) return 0;
    fe_mul(&x, &x, &K.sqrtm1);
  }
  fe_tobytes(chk, &x);
  if (sign && memcmp(chk, (const uint8_t[32]){0}, 32) == 0) return 0;
  if (fe_is_odd(&x) != sign) {
    fe zero;
    fe_set(&zero, 0);
    fe_sub(&x, &zero, &x);
  }
  p->x = x;
  p->y = y;
  fe_set(&p->z, 1);
  fe_mul(&p->t, &x, &y);
  return 1;
}

static void ge_encode(uint8_t out[32], const ge *p) {
  fe zi, x, y;
  fe_invert(&zi, &p->z);
  fe_mul(&x, &p->x, &zi);
  fe_mul(&y, &p->y, &zi);
  fe_tobytes(out, &y);
  out[31] |= (uint8_t)(fe_is_odd(&x) << 7);
}

/* ---- scalars ---- */

/* 1 if the little-endian 256-bit s is below L (RFC 8032 rejects S >= L). */
static int scalar_below_order(const uint8_t s[32]) {
  int i;
  for (i = 31; i >= 0; i--) {
    if (s[i] != ORDER_L[i]) return s[i] < ORDER_L[i];
  }
  return 0;
}

/* out = h mod L for a 512-bit little-endian h, one bit at a time. */
static void scalar_reduce(uint8_t out[32], const uint8_t h[64]) {
  uint32_t r[8], l[8], t[8];
  int i, k;
  memset(r, 0, sizeof r);
  memset(l, 0, sizeof l);
  for (i = 0; i < 32; i++) l[i >> 2] |= (uint32_t)ORDER_L[i] << (8 * (i & 3));
  for (i = 511; i >= 0; i--) {
    /* r < L < 2^253, so 2r + 1 fits */
    for (k = 7; k > 0; k--) r[k] = (r[k] << 1) | (r[k - 1] >> 31);
    r[0] = (r[0] << 1) | ((uint32_t)(h[i >> 3] >> (i & 7)) & 1u);
    if (!sub_words(t, r, l)) memcpy(r, t, sizeof r);
  }
  for (i = 0; i < 32; i++) out[i] = (uint8_t)(r[i >> 2] >> (8 * (i & 3)));
}

/* ---- verification ---- */

int ota_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t n, const uint8_t pub[32]) {
  ge a, b_minus_a, r;
  uint8_t h[64], k[32], check[32];
  ota_sha512 hs;
  int i;
  consts_init();
  if (!scalar_below_order(sig + 32)) return 0;
  if (!ge_decode(&a, pub)) return 0;
  ota_sha512_init(&hs);
  ota_sha512_update(&hs, sig, 32);
  ota_sha512_update(&hs, pub, 32);
  ota_sha512_update(&hs, msg, n);
  ota_sha512_final(&hs, h);
  scalar_reduce(k, h);
  /* [S]B + [k](-A), both scalars in one pass of doublings (Straus). */
  ge_neg(&a, &a);
  ge_add(&b_minus_a, &K.base, &a);
  ge_identity(&r);
  for (i = 255; i >= 0; i--) {
    int sb = (sig[32 + (i >> 3)] >> (i & 7)) & 1;
    int kb = (k[i >> 3] >> (i & 7)) & 1;
    ge_double(&r, &r);
    if (sb && kb) ge_add(&r, &r, &b_minus_a);
    else if (sb) ge_add(&r, &r, &K.base);
    else if (kb) ge_add(&r, &r, &a);
  }
  ge_encode(check, &r);
  return memcmp(check, sig, 32) == 0;
}
