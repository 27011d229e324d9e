/*
 * ota_host.c - host driver for native/ota (built with clang ASan + UBSan by
 * scripts/build-ota.js; test/ota.test.js runs it). Modes:
 *   selftest                     FIPS 180-4 and RFC 8032 vectors, flash semantics
 *   vectors <file>               lines "SH <msg> <sha256> <sha512>" and
 *                                "ED <pub> <sig> <msg> <0|1>" (hex; "-" = empty),
 *                                made with Node's crypto
 *   powercut <dir> <board> [stride]   the campaign (dir: pub.raw, v1/v2/v3.tmlota)
 *   bad <dir> <board> <cases>         the bad-bundle cases file (test/ota.test.js)
 *   random <dir> <board> <n> <seed>   n random API operations and reboots
 * Prints "N passed, N failed" last; exit 1 on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../native/check.h"
#include "campaign.h"
#include "ota.h"
#include "ota_ed25519.h"
#include "ota_sha2.h"

#define MAX_BUNDLE (64u * 1024u)
#define MAX_MSG 8192

static uint32_t unhex(const char *s, uint8_t *out, uint32_t cap) {
  uint32_t n = 0;
  if (strcmp(s, "-") == 0) return 0;
  while (s[0] && s[1] && n < cap) {
    unsigned v;
    if (sscanf(s, "%2x", &v) != 1) break;
    out[n++] = (uint8_t)v;
    s += 2;
  }
  return n;
}

static int hex_is(const uint8_t *p, uint32_t n, const char *hex) {
  uint8_t want[64];
  return unhex(hex, want, sizeof want) == n && memcmp(p, want, n) == 0;
}

static int ed_vector(const char *pub, const char *msg, const char *sig) {
  static uint8_t m[MAX_MSG];
  uint8_t p[32], s[64];
  uint32_t n = unhex(msg, m, sizeof m);
  unhex(pub, p, 32);
  unhex(sig, s, 64);
  return ota_ed25519_verify(s, m, n, p);
}

static void selftest(void) {
  static uint8_t million[1000000];
  static const char *const MSG[4] = {
      "", "abc", "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"};
  /* FIPS 180-4 examples (NIST CSRC "Example Algorithms") */
  static const char *const S256[5] = {
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"};
  static const char *const S512[5] = {
      "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
      "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
      "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
      "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"};
  uint8_t d[64];
  int i;
  for (i = 0; i < 5; i++) {
    const uint8_t *m = i < 4 ? (const uint8_t *)MSG[i] : million;
    size_t n = i < 4 ? strlen(MSG[i]) : sizeof million;
    ota_sha512 c;
    if (i == 4) memset(million, 'a', sizeof million);
    ota_sha256_once(m, n, d);
    CHECK(hex_is(d, 32, S256[i]));
    ota_sha512_init(&c);
    ota_sha512_update(&c, m, n);
    ota_sha512_final(&c, d);
    CHECK(hex_is(d, 64, S512[i]));
  }
  /* RFC 8032 7.1, TEST 1 to 3 */
  CHECK(ed_vector("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "-",
                  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"));
  CHECK(ed_vector("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                  "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"));
  CHECK(ed_vector("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
                  "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"));
  CHECK(!ed_vector("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af83",
                   "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"));

  /* flash semantics */
  {
    static uint8_t mem[4 * 256];
    ota_emuflash e;
    uint8_t b[8], x[8];
    ota_emuflash_init(&e, mem, 256, 4, 8);
    ota_emuflash_blank(&e);
    memset(b, 0x0F, 8);
    CHECK_EQ(e.flash.program(&e.flash, 8, b, 8), 0);
    memset(b, 0xF3, 8); /* can only clear: 0x0F & 0xF3 = 0x03 */
    CHECK_EQ(e.flash.program(&e.flash, 8, b, 8), 0);
    CHECK_EQ(e.flash.read(&e.flash, 8, x, 8), 0);
    CHECK_EQ(x[0], 0x03);
    CHECK_EQ(e.bit_sets, 8); /* bytes */
    CHECK(e.flash.program(&e.flash, 4, b, 8) != 0);   /* misaligned */
    CHECK(e.flash.program(&e.flash, 252, b, 8) != 0); /* crosses a page */
    CHECK_EQ(e.flash.erase(&e.flash, 0), 0);
    CHECK_EQ(mem[8], 0xFF);
    ota_emuflash_cut(&e, 1, OTA_CUT_MIDDLE, 42);
    CHECK_EQ(e.flash.erase(&e.flash, 1), 0);
    memset(b, 0, 8);
    CHECK(e.flash.program(&e.flash, 256, b, 8) != 0); /* the power goes here */
    {
      int ff = 0, k;
      for (k = 0; k < 256; k++) ff += mem[256 + k] == 0xFF;
      CHECK(ff < 32); /* the page is garbage, not erased, not programmed */
    }
    CHECK(e.flash.erase(&e.flash, 2) != 0); /* dead */
    CHECK_EQ(mem[512], 0xFF);
    ota_emuflash_power_on(&e);
    ota_emuflash_cut(&e, 0, OTA_CUT_BEFORE, 1);
    CHECK(e.flash.program(&e.flash, 512, b, 8) != 0);
    CHECK_EQ(mem[512], 0xFF);
    ota_emuflash_cut(&e, 0, OTA_CUT_AFTER, 1);
    CHECK(e.flash.program(&e.flash, 512, b, 8) != 0);
    CHECK_EQ(mem[512], 0x00);
  }
  printf("selftest: SHA-256/512 FIPS 180-4 examples, Ed25519 RFC 8032 tests 1-3, flash semantics\n");
}

static void vectors(const char *file) {
  static char line[4 * MAX_MSG];
  static uint8_t m[MAX_MSG];
  FILE *f = fopen(file, "r");
  unsigned ed = 0, sh = 0;
  if (!f) {
    printf("cannot open %s\n", file);
    failed++;
    return;
  }
  while (fgets(line, sizeof line, f)) {
    char a[200], b[200], c[4 * MAX_MSG / 2], e[8];
    static char msg[2 * MAX_MSG + 2];
    if (line[0] == 'S' && sscanf(line, "SH %s %s %s", msg, a, c) == 3) {
      uint32_t n = unhex(msg, m, sizeof m);
      uint8_t d[64];
      ota_sha512 x;
      ota_sha256_once(m, n, d);
      CHECK(hex_is(d, 32, a));
      ota_sha512_init(&x);
      /* in uneven pieces, to exercise the buffering */
      ota_sha512_update(&x, m, n / 3);
      ota_sha512_update(&x, m + n / 3, n - n / 3);
      ota_sha512_final(&x, d);
      CHECK(hex_is(d, 64, c));
      sh++;
    } else if (line[0] == 'E' && sscanf(line, "ED %s %s %s %s", a, b, msg, e) == 4) {
      int want = e[0] == '1';
      int got = ed_vector(a, msg, b);
      if (got != want) printf("ED mismatch: pub %s sig %s msg %.40s: got %d, Node says %d\n", a, b, msg, got, want);
      CHECK_EQ(got, want);
      ed++;
    }
  }
  fclose(f);
  printf("vectors: %u SHA-2 and %u Ed25519 cases against Node's crypto\n", sh, ed);
}

static uint32_t read_file(const char *path, uint8_t *buf, uint32_t cap) {
  FILE *f = fopen(path, "rb");
  size_t n;
  if (!f) return 0;
  n = fread(buf, 1, cap, f);
  fclose(f);
  return (uint32_t)n;
}

static uint8_t bundles[3][MAX_BUNDLE], pubkey[32];
static uint8_t flash_mem[3][2 * MAX_BUNDLE + 8 * CAMP_PAGE];

static void say(const char *line) { printf("%s\n", line); }

static int load_camp(camp *c, const char *dir, const char *board, uint32_t chunk) {
  char p[1024];
  int i;
  uint32_t bytes = sizeof flash_mem[0];
  memset(c, 0, sizeof *c);
  snprintf(p, sizeof p, "%s/pub.raw", dir);
  if (read_file(p, pubkey, 32) != 32) {
    printf("cannot read %s\n", p);
    return 0;
  }
  for (i = 0; i < 3; i++) {
    uint32_t n;
    snprintf(p, sizeof p, "%s/v%d.tmlota", dir, i + 1);
    n = read_file(p, bundles[i], MAX_BUNDLE);
    if (n < OTA_HEADER_SIZE || n == MAX_BUNDLE) {
      printf("cannot read %s (or larger than %u bytes)\n", p, MAX_BUNDLE);
      return 0;
    }
    c->b[i].data = bundles[i];
    c->b[i].size = n;
    c->b[i].version = bundles[i][OTA_H_VERSION] | (uint32_t)bundles[i][OTA_H_VERSION + 1] << 8 |
                      (uint32_t)bundles[i][OTA_H_VERSION + 2] << 16 | (uint32_t)bundles[i][OTA_H_VERSION + 3] << 24;
  }
  c->chunk = chunk;
  c->say = say;
  {
    int s = camp_setup(c, flash_mem[0], flash_mem[1], flash_mem[2], bytes, pubkey, board);
    if (s != OTA_OK) {
      printf("setup failed: %s\n", ota_status_name(s));
      return 0;
    }
  }
  return 1;
}

/* Case file: repeated { u32 expected, u32 begin_size, u32 nwrites,
 * nwrites x (u32 offset, u32 length), u32 data_len, data } little-endian. */
static void bad_cases(camp *c, const char *file) {
  static uint8_t buf[8u << 20];
  static uint32_t writes[2 * 4096];
  uint32_t n = read_file(file, buf, sizeof buf), pos = 0, cases = 0, as_expected = 0, untouched_n = 0, refusals = 0;
  uint32_t per_code[OTA_STATUS_COUNT];
  int k;
  memset(per_code, 0, sizeof per_code);
#define U32(at) ((uint32_t)buf[at] | (uint32_t)buf[(at) + 1] << 8 | (uint32_t)buf[(at) + 2] << 16 | (uint32_t)buf[(at) + 3] << 24)
  while (pos + 12 <= n) {
    uint32_t expected = U32(pos), size = U32(pos + 4), nw = U32(pos + 8), i, dlen;
    int got, untouched;
    pos += 12;
    if (nw > 4096 || pos + 8 * nw + 4 > n) break;
    for (i = 0; i < 2 * nw; i++) writes[i] = U32(pos + 4 * i);
    pos += 8 * nw;
    dlen = U32(pos);
    pos += 4;
    if (dlen > n - pos) break;
    got = camp_send_case(c, buf + pos, dlen, size, writes, nw, &untouched);
    pos += dlen;
    cases++;
    if (got == (int)expected) as_expected++;
    else printf("case %u: expected %s, got %s\n", cases - 1, ota_status_name((int)expected), ota_status_name(got));
    CHECK_EQ(got, expected);
    if (expected != OTA_OK) {
      refusals++;
      if (got >= 0 && got < OTA_STATUS_COUNT) per_code[got]++;
      if (untouched) untouched_n++;
      else printf("case %u: the running version or metadata changed\n", cases - 1);
      CHECK(untouched);
    }
  }
  CHECK_EQ(pos, n);
  printf("bad: %u cases, %u with the expected status, %u refusals left the running version untouched of %u\n",
         cases, as_expected, untouched_n, refusals);
  for (k = 1; k < OTA_STATUS_COUNT; k++)
    if (per_code[k]) printf("bad:   %s %u\n", ota_status_name(k), per_code[k]);
}

static uint32_t rng_state = 1;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* Random API sequences from v2 confirmed: begins of any size, writes at
 * near-right offsets of (sometimes corrupted) bytes of v1/v2/v3, finish,
 * confirm, reboots, whole v3 deliveries. After every reboot the device must
 * run a complete verified v2 or v3; nothing may crash (ASan/UBSan). */
static void random_ops(camp *c, uint32_t iterations, uint32_t seed) {
  static uint8_t junk[4096];
  ota_dev d;
  ota_boot_info bi;
  uint32_t it, reboots = 0, bad_boots = 0, counts[OTA_STATUS_COUNT];
  int k;
  rng_state = seed ? seed : 1;
  memset(counts, 0, sizeof counts);
  memcpy(c->mem, c->snap[1], c->bytes);
  ota_emuflash_power_on(&c->emu);
  CHECK_EQ(ota_init(&d, &c->emu.flash, &c->cfg), OTA_OK);
  CHECK_EQ(ota_boot(&d, &bi), OTA_OK);
  for (it = 0; it < iterations; it++) {
    uint32_t op = rnd() % 16, which = rnd() % 3, i;
    const camp_bundle *b = &c->b[which];
    int s = OTA_OK;
    if (op < 2) {
      uint32_t r = rnd() % 4;
      s = ota_begin(&d, r == 0 ? rnd() : r == 1 ? rnd() % (ota_slot_bytes(&d) + 64) : b->size);
    } else if (op < 9) {
      uint32_t off = d.rx_received, n = rnd() % 300;
      const uint8_t *src = junk;
      if (rnd() % 4 == 0) off = off + rnd() % 64 - 32;
      if (off <= b->size && n <= b->size - off && rnd() % 8) {
        memcpy(junk, b->data + off, n);
        if (n && rnd() % 6 == 0) junk[rnd() % n] ^= (uint8_t)(1u << (rnd() % 8));
      } else {
        for (i = 0; i < n; i++) junk[i] = (uint8_t)rnd();
      }
      s = ota_write(&d, off, src, n);
    } else if (op < 11) {
      s = ota_finish(&d);
    } else if (op < 12) {
      s = ota_confirm(&d);
    } else if (op < 14) {
      reboots++;
      s = ota_init(&d, &c->emu.flash, &c->cfg);
      if (s == OTA_OK) s = ota_boot(&d, &bi);
      if (s != OTA_OK || bi.slot < 0 || (bi.version != c->b[1].version && bi.version != c->b[2].version) ||
          memcmp(c->mem + ota_slot_addr(&d, bi.slot), bi.version == c->b[1].version ? c->b[1].data : c->b[2].data,
                 bi.version == c->b[1].version ? c->b[1].size : c->b[2].size) != 0)
        bad_boots++;
    } else {
      uint32_t off = 0, chunk = 1 + rnd() % 700;
      const camp_bundle *v3 = &c->b[2];
      s = ota_begin(&d, v3->size);
      while (s == OTA_OK && off < v3->size) {
        uint32_t n = v3->size - off < chunk ? v3->size - off : chunk;
        s = ota_write(&d, off, v3->data + off, n);
        off += n;
      }
      if (s == OTA_OK) s = ota_finish(&d);
    }
    if (s >= 0 && s < OTA_STATUS_COUNT) counts[s]++;
  }
  CHECK_EQ(bad_boots, 0);
  CHECK(reboots > iterations / 20);
  CHECK(counts[OTA_OK] > 0);
  printf("random: %u operations, %u reboots, %u without a verified v2/v3; statuses:", iterations, reboots, bad_boots);
  for (k = 0; k < OTA_STATUS_COUNT; k++)
    if (counts[k]) printf(" %s %u", ota_status_name(k), counts[k]);
  printf("\n");
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "selftest") == 0) {
    selftest();
  } else if (argc == 3 && strcmp(argv[1], "vectors") == 0) {
    vectors(argv[2]);
  } else if ((argc == 4 || argc == 5 || argc == 6) && strcmp(argv[1], "powercut") == 0) {
    camp c;
    uint32_t stride = argc >= 5 ? (uint32_t)atoi(argv[4]) : 1;
    uint32_t chunk = argc >= 6 ? (uint32_t)atoi(argv[5]) : 100;
    if (!load_camp(&c, argv[2], argv[3], chunk)) {
      failed++;
    } else {
      uint32_t lost = camp_powercut(&c, stride);
      CHECK_EQ(lost, 0);
      CHECK(c.tried[0] > 0 && c.tried[1] > 0);
      CHECK_EQ(c.emu.bit_sets, 0);
      printf("powercut: %u cut points tried, %u survived, %u devices left without a verified version\n",
             c.tried[0] + c.tried[1], c.survived[0] + c.survived[1], lost);
    }
  } else if (argc == 6 && strcmp(argv[1], "random") == 0) {
    camp c;
    if (!load_camp(&c, argv[2], argv[3], 100)) failed++;
    else random_ops(&c, (uint32_t)atoi(argv[4]), (uint32_t)atoi(argv[5]));
    CHECK_EQ(c.emu.bit_sets, 0);
  } else if (argc == 5 && strcmp(argv[1], "bad") == 0) {
    camp c;
    if (!load_camp(&c, argv[2], argv[3], 100)) failed++;
    else bad_cases(&c, argv[4]);
    CHECK_EQ(c.emu.bit_sets, 0);
  } else {
    printf("usage: ota_host selftest | vectors <file> | powercut <dir> <board> [stride [chunk]] | bad <dir> <board> <cases> | random <dir> <board> <n> <seed>\n");
    return 2;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
