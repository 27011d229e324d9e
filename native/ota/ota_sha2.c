/*
 * ota_sha2.c - SHA-256 and SHA-512 after FIPS 180-4. Plain C99, big-endian
 * words read byte by byte (no alignment or endianness assumptions).
 * Round constants: fractional bits of the cube roots of the first primes.
 */
#include "ota_sha2.h"

#include <string.h>

static const uint32_t K256[64] = {0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u, 0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};
static const uint32_t H256[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
static const uint64_t K512[80] = {0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull, 0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull, 0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull, 0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull, 0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull, 0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull, 0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull, 0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull, 0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull, 0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull, 0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull, 0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull, 0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull, 0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull, 0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull, 0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull, 0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull, 0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull, 0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull, 0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull};
static const uint64_t H512[8] = {0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define ROR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))

static uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static uint64_t be64(const uint8_t *p) { return ((uint64_t)be32(p) << 32) | be32(p + 4); }

static void put_be32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v >> 24);
  p[1] = (uint8_t)(v >> 16);
  p[2] = (uint8_t)(v >> 8);
  p[3] = (uint8_t)v;
}

static void put_be64(uint8_t *p, uint64_t v) {
  put_be32(p, (uint32_t)(v >> 32));
  put_be32(p + 4, (uint32_t)v);
}

/* ---- SHA-256 ---- */

/* The message schedule is kept as a 16-word ring: 64 bytes of stack, not
 * 256. Eight rounds per loop pass with the working variables renamed
 * instead of shifted (a third fewer instructions on the Cortex-M4). */
#define S256_BIG0(x) (ROR32(x, 2) ^ ROR32(x, 13) ^ ROR32(x, 22))
#define S256_BIG1(x) (ROR32(x, 6) ^ ROR32(x, 11) ^ ROR32(x, 25))
#define CH(x, y, z) (((x) & (y)) ^ (~(x) & (z)))
#define MAJ(x, y, z) (((x) & (y)) ^ ((x) & (z)) ^ ((y) & (z)))

static uint32_t schedule256(uint32_t w[16], int i) {
  uint32_t w15, w2;
  if (i < 16) return w[i];
  w15 = w[(i - 15) & 15];
  w2 = w[(i - 2) & 15];
  return w[i & 15] += (ROR32(w15, 7) ^ ROR32(w15, 18) ^ (w15 >> 3)) + w[(i - 7) & 15] +
                      (ROR32(w2, 17) ^ ROR32(w2, 19) ^ (w2 >> 10));
}

#define ROUND256(a, b, c, d, e, f, g, h, i)                                    \
  do {                                                                         \
    uint32_t t1_ = h + S256_BIG1(e) + CH(e, f, g) + K256[i] + schedule256(w, i); \
    d += t1_;                                                                  \
    h = t1_ + S256_BIG0(a) + MAJ(a, b, c);                                     \
  } while (0)

static void block256(uint32_t h[8], const uint8_t *p) {
  uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  int i;
  for (i = 0; i < 16; i++) w[i] = be32(p + 4 * i);
  for (i = 0; i < 64; i += 8) {
    ROUND256(a, b, c, d, e, f, g, k, i);
    ROUND256(k, a, b, c, d, e, f, g, i + 1);
    ROUND256(g, k, a, b, c, d, e, f, i + 2);
    ROUND256(f, g, k, a, b, c, d, e, i + 3);
    ROUND256(e, f, g, k, a, b, c, d, i + 4);
    ROUND256(d, e, f, g, k, a, b, c, i + 5);
    ROUND256(c, d, e, f, g, k, a, b, i + 6);
    ROUND256(b, c, d, e, f, g, k, a, i + 7);
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += k;
}

void ota_sha256_init(ota_sha256 *c) {
  memcpy(c->h, H256, sizeof c->h);
  c->bytes = 0;
}

void ota_sha256_update(ota_sha256 *c, const uint8_t *p, size_t n) {
  size_t have = (size_t)(c->bytes & 63u);
  c->bytes += n;
  if (have) {
    size_t take = 64 - have < n ? 64 - have : n;
    memcpy(c->buf + have, p, take);
    p += take;
    n -= take;
    if (have + take < 64) return;
    block256(c->h, c->buf);
  }
  for (; n >= 64; p += 64, n -= 64) block256(c->h, p);
  if (n) memcpy(c->buf, p, n);
}

void ota_sha256_final(ota_sha256 *c, uint8_t out[32]) {
  uint64_t bits = c->bytes * 8u;
  size_t have = (size_t)(c->bytes & 63u);
  int i;
  c->buf[have++] = 0x80;
  if (have > 56) {
    memset(c->buf + have, 0, 64 - have);
    block256(c->h, c->buf);
    have = 0;
  }
  memset(c->buf + have, 0, 56 - have);
  put_be64(c->buf + 56, bits);
  block256(c->h, c->buf);
  for (i = 0; i < 8; i++) put_be32(out + 4 * i, c->h[i]);
}

void ota_sha256_once(const uint8_t *p, size_t n, uint8_t out[32]) {
  ota_sha256 c;
  ota_sha256_init(&c);
  ota_sha256_update(&c, p, n);
  ota_sha256_final(&c, out);
}

/* ---- SHA-512 ---- */

static void block512(uint64_t h[8], const uint8_t *p) {
  uint64_t w[16], s[8], t1, t2;
  int i;
  for (i = 0; i < 16; i++) w[i] = be64(p + 8 * i);
  memcpy(s, h, sizeof s);
  for (i = 0; i < 80; i++) {
    uint64_t wi;
    if (i < 16) {
      wi = w[i];
    } else {
      uint64_t w15 = w[(i - 15) & 15], w2 = w[(i - 2) & 15];
      uint64_t s0 = ROR64(w15, 1) ^ ROR64(w15, 8) ^ (w15 >> 7);
      uint64_t s1 = ROR64(w2, 19) ^ ROR64(w2, 61) ^ (w2 >> 6);
      wi = w[i & 15] = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
    }
    t1 = s[7] + (ROR64(s[4], 14) ^ ROR64(s[4], 18) ^ ROR64(s[4], 41)) +
         ((s[4] & s[5]) ^ (~s[4] & s[6])) + K512[i] + wi;
    t2 = (ROR64(s[0], 28) ^ ROR64(s[0], 34) ^ ROR64(s[0], 39)) +
         ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
    s[7] = s[6];
    s[6] = s[5];
    s[5] = s[4];
    s[4] = s[3] + t1;
    s[3] = s[2];
    s[2] = s[1];
    s[1] = s[0];
    s[0] = t1 + t2;
  }
  for (i = 0; i < 8; i++) h[i] += s[i];
}

void ota_sha512_init(ota_sha512 *c) {
  memcpy(c->h, H512, sizeof c->h);
  c->bytes = 0;
}

void ota_sha512_update(ota_sha512 *c, const uint8_t *p, size_t n) {
  size_t have = (size_t)(c->bytes & 127u);
  c->bytes += n;
  if (have) {
    size_t take = 128 - have < n ? 128 - have : n;
    memcpy(c->buf + have, p, take);
    p += take;
    n -= take;
    if (have + take < 128) return;
    block512(c->h, c->buf);
  }
  for (; n >= 128; p += 128, n -= 128) block512(c->h, p);
  if (n) memcpy(c->buf, p, n);
}

void ota_sha512_final(ota_sha512 *c, uint8_t out[64]) {
  size_t have = (size_t)(c->bytes & 127u);
  int i;
  c->buf[have++] = 0x80;
  if (have > 112) {
    memset(c->buf + have, 0, 128 - have);
    block512(c->h, c->buf);
    have = 0;
  }
  memset(c->buf + have, 0, 120 - have);
  /* 128-bit length: the high half is zero for anything below 2^61 bytes. */
  put_be64(c->buf + 112, c->bytes >> 61);
  put_be64(c->buf + 120, c->bytes << 3);
  block512(c->h, c->buf);
  for (i = 0; i < 8; i++) put_be64(out + 8 * i, c->h[i]);
}
