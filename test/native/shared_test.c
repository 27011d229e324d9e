/*
 * shared_test.c - shared arenas (tml_load_shared, tml_load_packed_shared):
 * several programs in one block, each with its context, own part (state)
 * and program copy side by side, and one shared region for everyone's
 * activations. Meant to run under -fsanitize=address,undefined (blocks are
 * malloc'd at their exact sizes, so a byte past the end is a report).
 * Built and run by scripts/build-native-tests.js / test/native.test.js.
 * Prints "N passed, N failed"; exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "check.h"

static uint32_t rng_state = 0x9E3779B9u;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

static int valid_status(tml_status s) { return strcmp(tml_status_name(s), "E_UNKNOWN") != 0; }

static uint32_t align16(uint32_t n) { return (n + 15u) & ~15u; }

/* ---- programs of COPY ops: tensors [dtype, place, offset, bytes] ---- */

#define MAX_WORDS 512

typedef struct {
  int32_t w[MAX_WORDS];
  uint32_t n;
} prog;

/* Header and tensor records; ops are appended with add_copy. */
static void prog_init(prog *p, int32_t planned, int nt, const int32_t (*t)[4]) {
  int i, j;
  p->n = 0;
  p->w[p->n++] = TML_PROGRAM_MAGIC;
  p->w[p->n++] = TML_PROGRAM_VERSION;
  p->w[p->n++] = nt;
  p->w[p->n++] = 0;
  p->w[p->n++] = planned;
  p->w[p->n++] = 0;
  for (i = 0; i < nt; i++)
    for (j = 0; j < 4; j++) p->w[p->n++] = t[i][j];
  p->w[5] = (int32_t)p->n;
}

static void add_copy(prog *p, int32_t in, int32_t out, int32_t bytes) {
  p->w[p->n++] = TML_K_COPY;
  p->w[p->n++] = 1;
  p->w[p->n++] = 1;
  p->w[p->n++] = 1;
  p->w[p->n++] = in;
  p->w[p->n++] = out;
  p->w[p->n++] = bytes;
  p->w[3]++;
  p->w[5] = (int32_t)p->n;
}

/* A malloc'd copy of the program (outside every block). */
static int32_t *prog_dup(const prog *p) {
  int32_t *c = (int32_t *)malloc(p->n * 4u);
  memcpy(c, p->w, p->n * 4u);
  return c;
}

#define STATE(fill) (TML_ARENA | TML_STATE | ((fill) << 16))

/* A stateful program, a one-step delay line: state s (16 bytes at 0, fill
 * `fill`), scratch x (at 16), output y (at 32), input in (at 48). invoke:
 * x = s; s = in; y = x. So y is the input of the previous invoke (or the
 * fill), as with a variable tensor. */
static void delay_program(prog *p, int32_t fill) {
  static int32_t t[4][4];
  t[0][0] = TML_INT8, t[0][1] = STATE(fill), t[0][2] = 0, t[0][3] = 16;
  t[1][0] = TML_INT8, t[1][1] = TML_ARENA, t[1][2] = 16, t[1][3] = 16;
  t[2][0] = TML_INT8, t[2][1] = TML_ARENA, t[2][2] = 32, t[2][3] = 16;
  t[3][0] = TML_INT8, t[3][1] = TML_ARENA, t[3][2] = 48, t[3][3] = 16;
  prog_init(p, 64, 4, (const int32_t(*)[4])t);
  add_copy(p, 0, 1, 16);
  add_copy(p, 3, 0, 16);
  add_copy(p, 1, 2, 16);
}

/* Bytes from a context to the end of its program copy, 16-byte aligned:
 * where the next program's context goes. */
static uint32_t persistent(uint32_t split, uint32_t words) {
  return 64u + align16(split) + align16(words * 4u);
}

typedef struct {
  uint8_t *block;
  uint32_t size;
} blk;

static blk blk_new(uint32_t size) {
  blk b;
  b.block = (uint8_t *)malloc(size ? size : 1);
  b.size = size;
  memset(b.block, 0xA5, size);
  return b;
}

/* A block that ends exactly `total` bytes past its first 16-byte aligned
 * byte (the base every layout offset counts from): malloc'd at that exact
 * size, so AddressSanitizer's redzone follows its last byte. *pad: base -
 * block. (malloc's alignment decides the pad; a few tries settle it.) */
static blk blk_layout(uint32_t total, uint32_t *pad) {
  uint32_t extra = 0;
  int tries;
  blk b;
  for (tries = 0;; tries++) {
    b = blk_new(total + extra);
    *pad = (uint32_t)((16u - (uintptr_t)b.block % 16u) % 16u);
    if (*pad == extra || tries == 8) break;
    free(b.block);
    extra = *pad;
  }
  if (*pad != extra) { /* malloc kept changing its alignment: pad the end */
    free(b.block);
    b = blk_new(total + 15u);
    *pad = (uint32_t)((16u - (uintptr_t)b.block % 16u) % 16u);
    b.size = *pad + total;
  }
  return b;
}

/* ---- tests ---- */

/* Two delay lines in one block: run interleaved, each must behave exactly
 * as it does alone, and the block is smaller than two separate ones. */
static void test_two_programs(void) {
  prog pa, pb_;
  int32_t *a, *b;
  uint32_t at_b, shared, total, i, k, pad;
  blk blk_a, blk_b, s;
  uint8_t *base;
  tml_status st;
  delay_program(&pa, 0x11);
  delay_program(&pb_, 0x22);
  a = prog_dup(&pa);
  b = prog_dup(&pb_);
  at_b = persistent(16, pa.n);
  shared = at_b + persistent(16, pb_.n);
  total = shared + 48;
  s = blk_layout(total, &pad);
  base = s.block + pad;
  total = s.size; /* from the block start, pad included */
  CHECK_EQ(tml_load_shared(s.block, total, shared, NULL, 0, a, pa.n), TML_OK);
  CHECK_EQ(tml_load_shared(s.block + at_b, total - at_b, shared - at_b, NULL, 0, b, pb_.n), TML_OK);
  CHECK_EQ(tml_info(s.block, total, TML_INFO_SPLIT), 16);
  CHECK_EQ(tml_info(s.block, total, TML_INFO_SHARED_OFFSET), pad + shared);
  CHECK_EQ(tml_info(s.block + at_b, total - at_b, TML_INFO_SHARED_OFFSET), pad + shared - at_b);
  CHECK_EQ(tml_info(s.block, total, TML_INFO_USED_BYTES), shared + 48);
  CHECK_EQ(tml_info(s.block + at_b, total - at_b, TML_INFO_USED_BYTES), shared + 48 - at_b);
  CHECK_EQ(tml_info(s.block, total, TML_INFO_PLANNED_BYTES), 64);
  /* Alone, each needs ctx + 64 planned bytes + its program. */
  blk_a = blk_layout(tml_arena_bytes_needed(64, pa.n) - 15, &i);
  blk_b = blk_layout(tml_arena_bytes_needed(64, pb_.n) - 15, &k);
  CHECK(i == 0 && k == 0); /* the sample is simpler with aligned twins */
  CHECK_EQ(tml_load(blk_a.block, blk_a.size, NULL, 0, a, pa.n), TML_OK);
  CHECK_EQ(tml_load(blk_b.block, blk_b.size, NULL, 0, b, pb_.n), TML_OK);
  CHECK_EQ(tml_info(blk_a.block, blk_a.size, TML_INFO_SPLIT), 64);
  CHECK(shared + 48 < blk_a.size + blk_b.size);
  printf("two delay lines: shared block %u bytes, separate %u + %u\n", (unsigned)(shared + 48),
         (unsigned)blk_a.size, (unsigned)blk_b.size);

  /* Interleaved: A, B, B, A, ... with fresh inputs; outputs y compared with
   * the separate blocks' after the same invokes. */
  for (k = 0; k < 24; k++) {
    int which = (int)((rnd() >> 7) % 2u);
    uint8_t *view = which ? s.block + at_b : s.block;
    uint32_t size = which ? total - at_b : total;
    blk *alone = which ? &blk_b : &blk_a;
    uint8_t *in_shared = base + shared + 32; /* offset 48 - split 16 */
    uint8_t *in_alone = alone->block + 64 + 48;
    uint8_t *y_shared = base + shared + 16;
    uint8_t *y_alone = alone->block + 64 + 32;
    for (i = 0; i < 16; i++) in_shared[i] = in_alone[i] = (uint8_t)(rnd() >> 24);
    st = tml_invoke(view, size);
    CHECK_EQ(st, TML_OK);
    CHECK_EQ(tml_invoke(alone->block, alone->size), TML_OK);
    CHECK(memcmp(y_shared, y_alone, 16) == 0);
    /* and both states equal their separate twins */
    CHECK(memcmp(base + 64, blk_a.block + 64, 16) == 0);
    CHECK(memcmp(base + at_b + 64, blk_b.block + 64, 16) == 0);
  }
  /* reset one: the other's state stays */
  CHECK_EQ(tml_reset(s.block + at_b, total - at_b), TML_OK);
  for (i = 0; i < 16; i++) CHECK_EQ(base[at_b + 64 + i], 0x22);
  CHECK(memcmp(base + 64, blk_a.block + 64, 16) == 0);

  /* One byte short: E_ARENA_TOO_SMALL naming the bytes needed (from the view). */
  CHECK_EQ(tml_load_shared(s.block, total - 1, shared, NULL, 0, a, pa.n), TML_E_ARENA_TOO_SMALL);
  CHECK_EQ(tml_info(s.block, total - 1, TML_INFO_ERR_DETAIL), pad + shared + 48);
  free(s.block);
  free(blk_a.block);
  free(blk_b.block);
  free(a);
  free(b);
}

/* Every shared_at from 0 to past the block, and the extremes: a known
 * status, and a program that loaded runs, in bounds. */
static void test_every_shared_at(void) {
  prog p;
  int32_t *w;
  uint32_t size, at, own;
  static const uint32_t extremes[] = {0x7FFFFFF0u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFF0u, 0xFFFFFFFFu};
  int ok = 0, i;
  delay_program(&p, 0);
  w = prog_dup(&p);
  own = persistent(16, p.n);
  size = own + 48 + 40;
  for (at = 0; at <= size + 20; at++) {
    uint32_t pad;
    blk b = blk_layout(size, &pad);
    tml_status st = tml_load_shared(b.block, b.size, at, NULL, 0, w, p.n);
    CHECK(valid_status(st));
    if (at == 0 || (at % 16 == 0 && at >= 64 + 16 + p.n * 4u && at + 48 <= size)) {
      CHECK_EQ(st, TML_OK);
    } else {
      CHECK(st == TML_E_BAD_ARG || st == TML_E_ARENA_TOO_SMALL);
      CHECK_EQ(tml_invoke(b.block, b.size), TML_E_NOT_LOADED);
    }
    if (st == TML_OK) {
      ok++;
      CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);
      CHECK_EQ(tml_reset(b.block, b.size), TML_OK);
    }
    free(b.block);
  }
  CHECK(ok > 3);
  for (i = 0; i < (int)(sizeof extremes / sizeof extremes[0]); i++) {
    blk b = blk_new(size);
    tml_status st = tml_load_shared(b.block, size, extremes[i], NULL, 0, w, p.n);
    CHECK(st == TML_E_BAD_ARG || st == TML_E_ARENA_TOO_SMALL);
    free(b.block);
  }
  free(w);
}

/* The planner puts state first. A plan that does not still shares safely:
 * scratch that straddles the state's end is refused when sharing (it would
 * run past the own part) and fine alone; state after scratch makes the own
 * part cover both (nothing left to share). */
static void test_odd_plans(void) {
  static int32_t straddle[3][4], late[3][4];
  prog p;
  int32_t *w;
  blk b;
  uint32_t pad;
  straddle[0][0] = TML_INT8, straddle[0][1] = STATE(0), straddle[0][2] = 0, straddle[0][3] = 8;
  straddle[1][0] = TML_INT8, straddle[1][1] = TML_ARENA, straddle[1][2] = 8, straddle[1][3] = 16;
  straddle[2][0] = TML_INT8, straddle[2][1] = TML_ARENA, straddle[2][2] = 32, straddle[2][3] = 16;
  prog_init(&p, 48, 3, (const int32_t(*)[4])straddle);
  add_copy(&p, 1, 2, 16);
  w = prog_dup(&p);
  b = blk_layout(1024, &pad);
  CHECK_EQ(tml_load_shared(b.block, 1024, 512, NULL, 0, w, p.n), TML_E_OUT_OF_BOUNDS);
  CHECK_EQ(tml_info(b.block, 1024, TML_INFO_ERR_DETAIL), 1);
  CHECK_EQ(tml_invoke(b.block, 1024), TML_E_NOT_LOADED);
  CHECK_EQ(tml_load_shared(b.block, 1024, 0, NULL, 0, w, p.n), TML_OK);
  CHECK_EQ(tml_invoke(b.block, 1024), TML_OK);
  free(w);

  late[0][0] = TML_INT8, late[0][1] = TML_ARENA, late[0][2] = 0, late[0][3] = 16;
  late[1][0] = TML_INT8, late[1][1] = TML_ARENA, late[1][2] = 16, late[1][3] = 16;
  late[2][0] = TML_INT8, late[2][1] = STATE(3), late[2][2] = 32, late[2][3] = 4;
  prog_init(&p, 48, 3, (const int32_t(*)[4])late);
  add_copy(&p, 0, 1, 16);
  w = prog_dup(&p);
  CHECK_EQ(tml_load_shared(b.block, 1024, 512, NULL, 0, w, p.n), TML_OK);
  CHECK_EQ(tml_info(b.block, 1024, TML_INFO_SPLIT), 48);
  CHECK_EQ(tml_invoke(b.block, 1024), TML_OK);
  CHECK_EQ(b.block[pad + 64 + 32], 3);
  free(w);
  free(b.block);
}

/* What a script can do to a shared block between calls: every word of
 * each context set to odd values (the model pointer and size aside: they
 * are the caller's), and programs laid over each other's contexts. Every
 * call answers with a known status and stays inside the block. */
static void test_tampering(void) {
  static const int32_t vals[] = {0, 1, -1, 15, 16, 17, 48, 63, 64, 65, 96, 112, 128, 256, 4096,
                                 0x7FFFFFFF, -0x7FFFFFFF - 1, 0x40000000, -16};
  prog pa;
  int32_t *a;
  uint32_t at_b, shared, total, k, v, pad;
  blk s;
  delay_program(&pa, 5);
  a = prog_dup(&pa);
  at_b = persistent(16, pa.n);
  shared = 2 * at_b;
  s = blk_layout(shared + 48, &pad);
  total = s.size;
  CHECK_EQ(tml_load_shared(s.block, total, shared, NULL, 0, a, pa.n), TML_OK);
  CHECK_EQ(tml_load_shared(s.block + at_b, total - at_b, shared - at_b, NULL, 0, a, pa.n), TML_OK);
  for (k = 0; k < TML_CTX_BYTES / 4; k++) {
    uint32_t off = k * 4, c;
    if (off + 4 > offsetof(tml_ctx, model) && off < offsetof(tml_ctx, model_size) + 4) continue;
    for (c = 0; c < 2; c++) {
      uint8_t *ctx = s.block + pad + (c ? at_b : 0);
      for (v = 0; v < sizeof vals / sizeof vals[0]; v++) {
        uint32_t old;
        memcpy(&old, ctx + off, 4);
        memcpy(ctx + off, &vals[v], 4);
        CHECK(valid_status(tml_invoke(s.block, total)));
        CHECK(valid_status(tml_invoke(s.block + at_b, total - at_b)));
        CHECK(valid_status(tml_reset(s.block + at_b, total - at_b)));
        (void)tml_info(s.block, total, TML_INFO_USED_BYTES);
        (void)tml_info(s.block + at_b, total - at_b, TML_INFO_SHARED_OFFSET);
        memcpy(ctx + off, &old, 4);
      }
    }
  }
  /* A context pointed elsewhere in the block may have let A's kernels write
   * over B's context (in bounds, and B then refuses to run): load again. */
  CHECK_EQ(tml_invoke(s.block, total), TML_OK);
  CHECK_EQ(tml_load_shared(s.block + at_b, total - at_b, shared - at_b, NULL, 0, a, pa.n), TML_OK);
  CHECK_EQ(tml_invoke(s.block + at_b, total - at_b), TML_OK);

  /* A bad layout: B's view starts inside A's shared region, so A's invoke
   * writes over B's context and program copy. B must then refuse to run. */
  {
    uint32_t at = shared; /* B's context = A's scratch */
    uint32_t tpad;
    blk t = blk_layout(shared + persistent(16, pa.n) + 48, &tpad);
    uint32_t tsize = t.size;
    CHECK_EQ(tml_load_shared(t.block + at, tsize - at, persistent(16, pa.n), NULL, 0, a, pa.n), TML_OK);
    CHECK_EQ(tml_load_shared(t.block, tsize, shared, NULL, 0, a, pa.n), TML_OK); /* zeroes B's ctx */
    CHECK_EQ(tml_invoke(t.block + at, tsize - at), TML_E_NOT_LOADED);
    CHECK_EQ(tml_load_shared(t.block + at, tsize - at, persistent(16, pa.n), NULL, 0, a, pa.n), TML_OK);
    memset(t.block + tpad + shared, 0x7F, 64 + 48); /* what A's kernels could write there */
    CHECK(valid_status(tml_invoke(t.block + at, tsize - at)));
    CHECK_EQ(tml_invoke(t.block + at, tsize - at), TML_E_NOT_LOADED);
    free(t.block);
  }
  free(s.block);
  free(a);
}

/* Random programs of COPY ops (state anywhere, random sizes and offsets)
 * loaded two at a time into random layouts of one block, then run and
 * reset interleaved: every answer a known status, nothing out of bounds. */
static void test_random(void) {
  int iter, loaded = 0, ran = 0;
  for (iter = 0; iter < 20000; iter++) {
    static int32_t t[6][4];
    prog p[2];
    int32_t *w[2];
    uint32_t at[2], shared_at[2], size, k;
    blk b;
    int j, nt = 1 + (int)(rnd() % 6u);
    for (j = 0; j < 2; j++) {
      int32_t planned = (int32_t)(rnd() % 97u);
      int i;
      for (i = 0; i < nt; i++) {
        t[i][0] = (rnd() % 8u) ? TML_INT8 : TML_INT32;
        t[i][1] = (rnd() % 3u) ? TML_ARENA : STATE((int32_t)(rnd() % 256u));
        t[i][2] = (int32_t)(rnd() % 100u) - 2;
        t[i][3] = (int32_t)(rnd() % 40u);
      }
      prog_init(&p[j], planned, nt, (const int32_t(*)[4])t);
      for (i = 0; i < 3; i++)
        add_copy(&p[j], (int32_t)(rnd() % (uint32_t)nt), (int32_t)(rnd() % (uint32_t)nt),
                 (int32_t)(rnd() % 20u));
      if (rnd() % 2u) delay_program(&p[j], 1); /* a valid one, in random layouts */
      w[j] = prog_dup(&p[j]);
    }
    size = 64 + (rnd() % 900u);
    if (rnd() % 2u) size = 512 + 48 + (rnd() % 3u) * 8u;
    at[0] = 0;
    at[1] = (rnd() % 4u) ? (rnd() % size) & ~15u : rnd() % size;
    if (rnd() % 2u && size > 256) at[1] = 256;
    b = blk_new(size);
    for (j = 0; j < 2; j++) {
      tml_status st;
      shared_at[j] = (rnd() % 4u) ? (rnd() % 1024u) & ~15u : rnd();
      if (rnd() % 2u) shared_at[j] = 512 - at[j];
      if (rnd() % 8u == 0) shared_at[j] = 0;
      st = tml_load_shared(b.block + at[j], size - at[j], shared_at[j], NULL, 0, w[j], p[j].n);
      CHECK(valid_status(st));
      if (st == TML_OK) loaded++;
    }
    for (k = 0; k < 6; k++) {
      j = (int)(rnd() % 2u);
      {
        tml_status st = tml_invoke(b.block + at[j], size - at[j]);
        CHECK(valid_status(st));
        if (st == TML_OK) ran++;
      }
      if (rnd() % 4u == 0) CHECK(valid_status(tml_reset(b.block + at[j], size - at[j])));
      (void)tml_info(b.block + at[j], size - at[j], (int32_t)(rnd() % 10u));
    }
    free(b.block);
    free(w[0]);
    free(w[1]);
  }
  printf("random layouts: %d loads, %d invokes ran\n", loaded, ran);
  CHECK(loaded > 100);
  CHECK(ran > 100);
}

/* A packed section through tml_load_packed_shared: same checks as alone. */
static void test_packed(void) {
  prog p;
  int32_t *sec;
  uint32_t n, words, own, pad;
  blk b;
  uint8_t model[20];
  memset(model, 0x3C, sizeof model);
  delay_program(&p, 9);
  words = TML_PACK_HEADER_WORDS + p.n + TML_PACK_FOOTER_WORDS;
  sec = (int32_t *)calloc(words, 4);
  sec[TML_PACK_W_MAGIC] = (int32_t)TML_PACK_MAGIC;
  sec[TML_PACK_W_VERSION] = TML_PACK_VERSION;
  sec[TML_PACK_W_RUNTIME] = TML_PROGRAM_VERSION;
  sec[TML_PACK_W_MODEL_BYTES] = (int32_t)sizeof model;
  sec[TML_PACK_W_MODEL_HASH] = (int32_t)tml_pack_hash(model, sizeof model, -1);
  sec[TML_PACK_W_WORDS] = (int32_t)words;
  sec[TML_PACK_W_PROGRAM] = TML_PACK_HEADER_WORDS;
  sec[TML_PACK_W_PROGRAM_WORDS] = (int32_t)p.n;
  sec[TML_PACK_W_META] = (int32_t)(TML_PACK_HEADER_WORDS + p.n);
  sec[TML_PACK_W_META_WORDS] = 0;
  sec[TML_PACK_W_ARENA] = (int32_t)tml_arena_bytes_needed(64, p.n);
  memcpy(sec + TML_PACK_HEADER_WORDS, p.w, p.n * 4u);
  sec[words - 2] = 32;
  sec[words - 1] = (int32_t)TML_PACK_MAGIC;
  sec[TML_PACK_W_HASH] = (int32_t)tml_pack_hash((const uint8_t *)sec, words * 4u, TML_PACK_W_HASH);
  n = words * 4u;
  own = persistent(16, p.n);
  b = blk_layout(own + 48, &pad);
  CHECK_EQ(tml_load_packed_shared(b.block, b.size, own, model, sizeof model, (const uint8_t *)sec, n),
           TML_OK);
  CHECK_EQ(tml_info(b.block, b.size, TML_INFO_SPLIT), 16);
  CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);
  CHECK_EQ(b.block[pad + 64], 0);       /* the state took the (zeroed) input */
  CHECK_EQ(b.block[pad + own + 16], 9); /* y = the state before: its fill */
  CHECK_EQ(tml_load_packed_shared(b.block, b.size - 1, own, model, sizeof model,
                                  (const uint8_t *)sec, n), TML_E_ARENA_TOO_SMALL);
  sec[TML_PACK_W_HASH] ^= 1;
  CHECK_EQ(tml_load_packed_shared(b.block, b.size, own, model, sizeof model, (const uint8_t *)sec, n),
           TML_E_BAD_PACK);
  free(sec);
  free(b.block);
}

int main(void) {
  test_two_programs();
  test_every_shared_at();
  test_odd_plans();
  test_tampering();
  test_random();
  test_packed();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
