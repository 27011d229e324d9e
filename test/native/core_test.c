/*
 * core_test.c - edge cases of the native core's entry points (tml_load,
 * tml_invoke, tml_reset, tml_info, ...) and of every op adapter's load-time
 * checks, meant to run under -fsanitize=address,undefined: a test "passes"
 * when the answer is the expected status AND nothing touched memory it must
 * not. Built and run by scripts/build-native-tests.js / test/native.test.js.
 *
 * Blocks, models and programs are malloc'd at their exact sizes so that
 * AddressSanitizer's redzones sit right after the last valid byte.
 * Prints "N passed, N failed"; exits non-zero on any failure.
 */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int passed, failed;

#define CHECK(cond) check_((cond) ? 1 : 0, #cond, __LINE__)
#define CHECK_EQ(a, b) check_eq_((long long)(a), (long long)(b), #a, __LINE__)

static void check_(int ok, const char *what, int line) {
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL core_test.c:%d: %s\n", line, what);
  }
}

static void check_eq_(long long got, long long want, const char *what, int line) {
  if (got == want) {
    passed++;
  } else {
    failed++;
    printf("FAIL core_test.c:%d: %s == %lld, expected %lld\n", line, what, got, want);
  }
}

/* ---- deterministic randomness ---- */

static uint32_t rng_state = 0x12345678u;
static uint32_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}
static int32_t rnd_below(int32_t n) { return n <= 0 ? 0 : (int32_t)(rnd() % (uint32_t)n); }

static const int32_t INTERESTING[] = {0, 1, -1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 65,
                                      127, 128, 255, 256, -2, -128, -129, 0x7FFF, 0x8000,
                                      0xFFFF, 0x10000, 0x7FFFFFFF, -0x7FFFFFFF - 1,
                                      0x3FFFFFFF, 0x40000000, 0x7FFFFFF0, 0x7FFFFFFE};
#define N_INTERESTING ((int)(sizeof INTERESTING / sizeof INTERESTING[0]))

/* Every status has a name; one without is not a status. */
static int valid_status(tml_status s) { return strcmp(tml_status_name(s), "E_UNKNOWN") != 0; }

/* Invoke after a good load: only the data may make it fail. */
static int ran_ok(tml_status s) { return s == TML_OK || s == TML_E_BAD_DATA; }

/* ---- program builder ---- */

#define MAX_T 32
#define MAX_OPW 4096

typedef struct {
  int32_t t[MAX_T][4];
  int nt;
  int32_t ops[MAX_OPW];
  int nw, nops;
  int32_t planned;
} pb;

static void pb_init(pb *b, int32_t planned) {
  memset(b, 0, sizeof *b);
  b->planned = planned;
}

static int32_t pb_tensor(pb *b, int32_t dtype, int32_t place, int32_t offset, int32_t bytes) {
  int32_t *t = b->t[b->nt];
  t[0] = dtype;
  t[1] = place;
  t[2] = offset;
  t[3] = bytes;
  return b->nt++;
}

static void pb_op(pb *b, int32_t kind, int n_in, const int32_t *in, int n_out,
                  const int32_t *out, int n_params, const int32_t *params) {
  int i;
  b->ops[b->nw++] = kind;
  b->ops[b->nw++] = n_in;
  b->ops[b->nw++] = n_out;
  b->ops[b->nw++] = n_params;
  for (i = 0; i < n_in; i++) b->ops[b->nw++] = in[i];
  for (i = 0; i < n_out; i++) b->ops[b->nw++] = out[i];
  for (i = 0; i < n_params; i++) b->ops[b->nw++] = params[i];
  b->nops++;
}

/* A malloc'd program of exactly *n words. */
static int32_t *pb_build(const pb *b, uint32_t *n) {
  uint32_t words = TML_HEADER_WORDS + (uint32_t)b->nt * TML_TENSOR_WORDS + (uint32_t)b->nw;
  int32_t *w = (int32_t *)malloc(words * 4u);
  uint32_t k = 0;
  int i, j;
  w[k++] = TML_PROGRAM_MAGIC;
  w[k++] = TML_PROGRAM_VERSION;
  w[k++] = b->nt;
  w[k++] = b->nops;
  w[k++] = b->planned;
  w[k++] = (int32_t)words;
  for (i = 0; i < b->nt; i++)
    for (j = 0; j < 4; j++) w[k++] = b->t[i][j];
  for (i = 0; i < b->nw; i++) w[k++] = b->ops[i];
  *n = words;
  return w;
}

/* ---- blocks and models ---- */

typedef struct {
  uint8_t *mem;   /* what malloc returned */
  uint8_t *block; /* mem + misalign */
  uint32_t size;
} blk;

static blk blk_new(uint32_t size, uint32_t misalign) {
  blk b;
  b.mem = (uint8_t *)malloc((size_t)size + misalign + 1);
  b.block = b.mem + misalign;
  b.size = size;
  memset(b.mem, 0xA5, (size_t)size + misalign + 1);
  return b;
}
static void blk_free(blk *b) {
  free(b->mem);
  b->mem = b->block = NULL;
}

static uint8_t *model_new(uint32_t size) {
  uint8_t *m = (uint8_t *)malloc(size ? size : 1);
  uint32_t i;
  for (i = 0; i < size; i++) m[i] = (uint8_t)(rnd() >> 24);
  return m;
}

/* Loads p into a fresh exact-size block; returns the status, *out the block. */
static tml_status load_fresh(blk *out, const uint8_t *model, uint32_t model_size,
                             const int32_t *p, uint32_t n) {
  int32_t planned = n >= TML_HEADER_WORDS && p[4] >= 0 && p[4] < (1 << 24) ? p[4] : 0;
  uint32_t size = tml_arena_bytes_needed((uint32_t)planned, n);
  *out = blk_new(size, 0);
  return tml_load(out->block, out->size, model, model_size, p, n);
}

/* A program's whole life: load; if it loaded, write random data into the
 * planned section (where inputs go), invoke twice, reset. Every step must
 * answer with a known status, and a program that loaded must run. */
static tml_status lifecycle(const uint8_t *model, uint32_t model_size, const int32_t *p,
                            uint32_t n, int *ran) {
  blk b;
  tml_status s = load_fresh(&b, model, model_size, p, n);
  *ran = 0;
  if (!valid_status(s)) {
    CHECK(valid_status(s));
  } else if (s == TML_OK) {
    int32_t off = tml_info(b.block, b.size, TML_INFO_PLANNED_OFFSET);
    int32_t planned = tml_info(b.block, b.size, TML_INFO_PLANNED_BYTES);
    int32_t i;
    if (off > 0 && planned >= 0) {
      for (i = 0; i < planned; i++) b.block[off + i] = (uint8_t)(rnd() >> 24);
    }
    CHECK(ran_ok(tml_invoke(b.block, b.size)));
    CHECK(ran_ok(tml_invoke(b.block, b.size)));
    CHECK_EQ(tml_reset(b.block, b.size), TML_OK);
    *ran = 1;
  } else {
    /* A failed load leaves nothing loaded. */
    CHECK_EQ(tml_invoke(b.block, b.size), TML_E_NOT_LOADED);
  }
  blk_free(&b);
  return s;
}

/* ---- a small valid two-op program used by several tests:
 *      FULLY_CONNECTED int8 (weights and bias in the model) then COPY ---- */

typedef struct {
  pb b;
  uint8_t *model;
  uint32_t model_size;
} sample;

static tml_fc_s8_params fc_params(int32_t batches, int32_t depth, int32_t outs) {
  tml_fc_s8_params p;
  memset(&p, 0, sizeof p);
  p.in_offset = 3;
  p.w_offset = 0;
  p.out_offset = -5;
  p.out_mult = 1 << 30;
  p.out_shift = -2;
  p.act_min = -128;
  p.act_max = 127;
  p.batches = batches;
  p.accum_depth = depth;
  p.out_depth = outs;
  return p;
}

static void sample_make(sample *s) {
  tml_fc_s8_params p = fc_params(2, 5, 3);
  int32_t in, w, bias, out, copy_out;
  int32_t ins[3], outs[1], cp[1];
  s->model_size = 64;
  s->model = model_new(s->model_size);
  pb_init(&s->b, 64);
  in = pb_tensor(&s->b, TML_INT8, TML_ARENA, 0, 10);
  w = pb_tensor(&s->b, TML_INT8, TML_MODEL, 0, 15);
  bias = pb_tensor(&s->b, TML_INT32, TML_MODEL, 16, 12);
  out = pb_tensor(&s->b, TML_INT8, TML_ARENA, 16, 6);
  copy_out = pb_tensor(&s->b, TML_INT8, TML_ARENA | TML_STATE | (7 << 16), 32, 6);
  (void)pb_tensor(&s->b, TML_FLOAT32, TML_NONE, 0, 0);
  ins[0] = in;
  ins[1] = w;
  ins[2] = bias;
  outs[0] = out;
  pb_op(&s->b, TML_K_FC_S8, 3, ins, 1, outs, (int)(sizeof p / 4), (const int32_t *)(const void *)&p);
  cp[0] = 6;
  ins[0] = out;
  outs[0] = copy_out;
  pb_op(&s->b, TML_K_COPY, 1, ins, 1, outs, 1, cp);
}

/* ---- tests ---- */

static void test_helpers(void) {
  int ok = 1;
  CHECK_EQ(tml_mul_size(3, 4, &ok), 12);
  CHECK(ok);
  CHECK_EQ(tml_mul_size(0, INT32_MAX, &ok), 0);
  CHECK(ok);
  (void)tml_mul_size(65536, 32768, &ok);
  CHECK(!ok);
  ok = 1;
  (void)tml_mul_size(-1, 1, &ok);
  CHECK(!ok);
  ok = 1;
  (void)tml_mul_size(1, INT32_MIN, &ok);
  CHECK(!ok);
  ok = 1;
  CHECK_EQ(tml_mul_size(INT32_MAX, 1, &ok), INT32_MAX);
  CHECK(ok);

  /* Saturates instead of wrapping, for any pair of arguments. */
  CHECK_EQ(tml_arena_bytes_needed(0xFFFFFFFFu, 0), 0xFFFFFFFFu);
  CHECK_EQ(tml_arena_bytes_needed(0xFFFFFFF1u, 0), 0xFFFFFFFFu);
  CHECK_EQ(tml_arena_bytes_needed(0, 0xFFFFFFFFu), 0xFFFFFFFFu);
  CHECK_EQ(tml_arena_bytes_needed(0xFFFFFFFFu, 0xFFFFFFFFu), 0xFFFFFFFFu);
  CHECK_EQ(tml_arena_bytes_needed(1, 6), 15 + TML_CTX_BYTES + 16 + 24);

  CHECK_EQ(tml_dtype_size(TML_FLOAT32), 4);
  CHECK_EQ(tml_dtype_size(TML_INT64), 8);
  CHECK_EQ(tml_dtype_size(1), 0);  /* FLOAT16: not a dtype the kernels take */
  CHECK_EQ(tml_dtype_size(-1), 0);
  CHECK_EQ(tml_dtype_size(INT32_MAX), 0);

  CHECK(strcmp(tml_status_name(TML_OK), "OK") == 0);
  CHECK(strcmp(tml_status_name(TML_E_READ_ONLY), "E_READ_ONLY") == 0);
  CHECK(strcmp(tml_status_name((tml_status)99), "E_UNKNOWN") == 0);
  CHECK(strcmp(tml_status_name((tml_status)-1), "E_UNKNOWN") == 0);
  {
    int s;
    for (s = 0; s <= (int)TML_E_BAD_DATA; s++)
      CHECK(strncmp(tml_status_name((tml_status)s), s ? "E_" : "OK", 2) == 0);
  }
}

static void test_load_arguments(void) {
  sample s;
  int32_t *p;
  uint32_t n, size;
  blk b;
  sample_make(&s);
  p = pb_build(&s.b, &n);
  size = tml_arena_bytes_needed(64, n);

  /* No block, a block too small for the context: nothing is written. */
  CHECK_EQ(tml_load(NULL, 1000, s.model, s.model_size, p, n), TML_E_ARENA_TOO_SMALL);
  b = blk_new(TML_CTX_BYTES - 1, 0);
  CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size, p, n), TML_E_ARENA_TOO_SMALL);
  CHECK_EQ(tml_invoke(b.block, b.size), TML_E_NOT_LOADED);
  CHECK_EQ(tml_reset(b.block, b.size), TML_E_NOT_LOADED);
  CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_OP), -1);
  blk_free(&b);
  CHECK_EQ(tml_invoke(NULL, 100), TML_E_NOT_LOADED);
  CHECK_EQ(tml_reset(NULL, 100), TML_E_NOT_LOADED);
  CHECK_EQ(tml_info(NULL, 100, TML_INFO_USED_BYTES), -1);

  b = blk_new(size, 0);
  CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size, NULL, n), TML_E_BAD_ARG);
  CHECK_EQ(tml_load(b.block, b.size, NULL, 10, p, n), TML_E_BAD_ARG);
  /* No model at all is fine for the load step; the model tensors then fail. */
  CHECK_EQ(tml_load(b.block, b.size, NULL, 0, p, n), TML_E_OUT_OF_BOUNDS);
  CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_DETAIL), 1);
  /* A misaligned program pointer. */
  {
    uint8_t *raw = (uint8_t *)malloc((size_t)n * 4u + 4u);
    memcpy(raw + 1, p, (size_t)n * 4u);
    CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size,
                      (const int32_t *)(const void *)(raw + 1), n),
             TML_E_BAD_ARG);
    free(raw);
  }
  CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size, p, n), TML_OK);
  /* A failed load unloads what was there. */
  CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size, p, n - 1), TML_E_BAD_PROGRAM);
  CHECK_EQ(tml_invoke(b.block, b.size), TML_E_NOT_LOADED);
  CHECK_EQ(tml_info(b.block, b.size, TML_INFO_USED_BYTES), -1);
  blk_free(&b);

  /* The program or the model inside the block itself. */
  {
    uint32_t big = ((size + 64u + 15u) & ~15u) + n * 4u; /* program stays aligned */
    uint8_t *mem = (uint8_t *)malloc(big);
    int32_t *inside = (int32_t *)(void *)(mem + big - n * 4u);
    memcpy(inside, p, n * 4u);
    CHECK_EQ(tml_load(mem, big, s.model, s.model_size, inside, n), TML_E_BAD_ARG);
    memcpy(mem + big - 64, s.model, 64);
    CHECK_EQ(tml_load(mem, big, mem + big - 64, 64, p, n), TML_E_BAD_ARG);
    /* Just outside the block is fine. */
    memcpy(inside, p, n * 4u);
    CHECK_EQ(tml_load(mem, big - n * 4u, s.model, s.model_size, inside, n), TML_OK);
    free(mem);
  }

  /* Arena too small by one byte, at every alignment: the detail is exact. */
  {
    uint32_t mis;
    for (mis = 0; mis < 16; mis++) {
      blk a = blk_new(size, mis);
      int32_t need;
      uint32_t pad = (uint32_t)((16u - (uint32_t)((uintptr_t)a.block % 16u)) % 16u);
      need = (int32_t)(pad + TML_CTX_BYTES + 64 + n * 4u);
      a.size = (uint32_t)need - 1;
      CHECK_EQ(tml_load(a.block, a.size, s.model, s.model_size, p, n), TML_E_ARENA_TOO_SMALL);
      CHECK_EQ(tml_info(a.block, a.size, TML_INFO_ERR_DETAIL), need);
      a.size = (uint32_t)need;
      CHECK_EQ(tml_load(a.block, a.size, s.model, s.model_size, p, n), TML_OK);
      CHECK_EQ(tml_invoke(a.block, a.size), TML_OK);
      CHECK_EQ(tml_info(a.block, a.size, TML_INFO_PLANNED_OFFSET), (int32_t)pad + TML_CTX_BYTES);
      CHECK_EQ(tml_info(a.block, a.size, TML_INFO_USED_BYTES), TML_CTX_BYTES + 64 + (int32_t)n * 4);
      CHECK_EQ(tml_info(a.block, a.size, TML_INFO_PERSISTENT_BYTES), TML_CTX_BYTES + (int32_t)n * 4);
      CHECK_EQ(tml_info(a.block, a.size, TML_INFO_PLANNED_BYTES), 64);
      CHECK_EQ(tml_info(a.block, a.size, TML_INFO_CTX_BYTES), TML_CTX_BYTES);
      CHECK_EQ(tml_info(a.block, a.size, 0), -1);
      CHECK_EQ(tml_info(a.block, a.size, 99), -1);
      CHECK_EQ(tml_info(a.block, a.size, -1), -1);
      blk_free(&a);
    }
  }
  free(p);
  free(s.model);
}

static void test_header(void) {
  sample s;
  int32_t *p, *q;
  uint32_t n, k;
  blk b;
  int ran;
  sample_make(&s);
  p = pb_build(&s.b, &n);
  q = (int32_t *)malloc(n * 4u);

#define RELOAD(expect)                                                   \
  do {                                                                   \
    CHECK_EQ(load_fresh(&b, s.model, s.model_size, q, n), (expect));     \
    blk_free(&b);                                                        \
  } while (0)

  memcpy(q, p, n * 4u);
  RELOAD(TML_OK);
  q[0] ^= 1;
  RELOAD(TML_E_BAD_PROGRAM);
  memcpy(q, p, n * 4u);
  q[1] = 2;
  RELOAD(TML_E_BAD_PROGRAM);
  memcpy(q, p, n * 4u);
  q[2] = -1;
  RELOAD(TML_E_BAD_PROGRAM);
  q[2] = INT32_MAX; /* huge tensor count */
  RELOAD(TML_E_BAD_PROGRAM);
  q[2] = (int32_t)((n - TML_HEADER_WORDS) / TML_TENSOR_WORDS) + 1;
  RELOAD(TML_E_BAD_PROGRAM);
  memcpy(q, p, n * 4u);
  q[3] = -1;
  RELOAD(TML_E_BAD_PROGRAM);
  q[3] = INT32_MAX; /* huge op count: runs off the end */
  RELOAD(TML_E_BAD_PROGRAM);
  q[3] = 3;
  RELOAD(TML_E_BAD_PROGRAM);
  q[3] = 1; /* one op fewer: the COPY record is then trailing garbage */
  RELOAD(TML_E_BAD_PROGRAM);
  q[3] = 0;
  RELOAD(TML_E_BAD_PROGRAM);
  memcpy(q, p, n * 4u);
  q[4] = -1;
  RELOAD(TML_E_BAD_PROGRAM);
  q[4] = 16; /* tensors no longer fit in the planned section */
  RELOAD(TML_E_OUT_OF_BOUNDS);
  memcpy(q, p, n * 4u);
  q[5] = (int32_t)n + 1;
  RELOAD(TML_E_BAD_PROGRAM);
  q[5] = -1;
  RELOAD(TML_E_BAD_PROGRAM);

  /* Huge planned section: too small, with the need in the detail. */
  memcpy(q, p, n * 4u);
  q[4] = INT32_MAX;
  b = blk_new(4096, 0);
  CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size, q, n), TML_E_ARENA_TOO_SMALL);
  CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_DETAIL), INT32_MAX);
  /* Truncated programs, with a header that agrees (and one that does not). */
  for (k = 0; k < n; k++) {
    int32_t *t = (int32_t *)malloc(k ? k * 4u : 4u);
    memcpy(t, p, k * 4u);
    if (k > 5) t[5] = (int32_t)k;
    CHECK(tml_load(b.block, b.size, s.model, s.model_size, t, k) != TML_OK);
    if (k > 5) {
      t[5] = (int32_t)n;
      CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size, t, k), TML_E_BAD_PROGRAM);
    }
    free(t);
  }
  /* Extra words after the last op. */
  {
    int32_t *t = (int32_t *)malloc((n + 3) * 4u);
    memcpy(t, p, n * 4u);
    t[n] = TML_K_COPY;
    t[n + 1] = 0;
    t[n + 2] = 0;
    t[5] = (int32_t)n + 3;
    CHECK_EQ(tml_load(b.block, b.size, s.model, s.model_size, t, n + 3), TML_E_BAD_PROGRAM);
    free(t);
  }
  blk_free(&b);

  /* Every word of the program, set to every interesting value: a known
   * status always, and whatever loads also runs. */
  for (k = 0; k < n; k++) {
    int v;
    for (v = 0; v < N_INTERESTING; v++) {
      memcpy(q, p, n * 4u);
      q[k] = INTERESTING[v];
      (void)lifecycle(s.model, s.model_size, q, n, &ran);
    }
  }
#undef RELOAD
  free(q);
  free(p);
  free(s.model);
}

/* One-tensor-record edits of the sample program: expected status. */
static void test_tensor_records(void) {
  sample s;
  int32_t *p;
  uint32_t n;
  blk b;
  sample_make(&s);
  p = pb_build(&s.b, &n);

#define T(i, f) p[TML_HEADER_WORDS + (i)*TML_TENSOR_WORDS + (f)]
#define TRY(i, f, v, expect, detail)                                      \
  do {                                                                    \
    int32_t old_ = T(i, f);                                               \
    T(i, f) = (v);                                                        \
    CHECK_EQ(load_fresh(&b, s.model, s.model_size, p, n), (expect));     \
    if ((detail) != -99)                                                  \
      CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_DETAIL), (detail)); \
    blk_free(&b);                                                         \
    T(i, f) = old_;                                                       \
  } while (0)

  TRY(0, 0, 1, TML_E_BAD_DTYPE, 0);        /* FLOAT16 */
  TRY(0, 0, 5, TML_E_BAD_DTYPE, 0);        /* STRING */
  TRY(0, 0, -1, TML_E_BAD_DTYPE, 0);
  TRY(0, 0, TML_INT16, TML_E_BAD_DTYPE, 0); /* the FC wants int8 */
  TRY(0, 1, 3, TML_E_BAD_PROGRAM, 0);      /* where out of range */
  TRY(0, 1, 0x200, TML_E_BAD_PROGRAM, 0);  /* unknown place bit */
  TRY(0, 1, -1, TML_E_BAD_PROGRAM, 0);
  TRY(1, 1, TML_MODEL | TML_STATE, TML_E_BAD_PROGRAM, 1); /* state in the model */
  TRY(0, 2, -16, TML_E_OUT_OF_BOUNDS, 0);
  TRY(0, 3, -1, TML_E_OUT_OF_BOUNDS, 0);
  TRY(0, 2, 60, TML_E_OUT_OF_BOUNDS, 0);   /* 60 + 10 > 64 */
  TRY(0, 2, 64, TML_E_OUT_OF_BOUNDS, 0);
  TRY(0, 2, INT32_MAX, TML_E_OUT_OF_BOUNDS, 0);
  TRY(0, 3, INT32_MAX, TML_E_OUT_OF_BOUNDS, 0);
  TRY(0, 3, 9, TML_E_BAD_PARAMS, 0);       /* smaller than batches * depth */
  TRY(2, 2, 18, TML_E_MISALIGNED, 2);      /* int32 bias at model offset 18 */
  TRY(2, 2, 52, TML_OK, -99);              /* 52 + 12 = 64: fits exactly... */
  TRY(2, 2, 56, TML_E_OUT_OF_BOUNDS, 2);   /* ...56 + 12 does not */
  TRY(1, 2, 64, TML_E_OUT_OF_BOUNDS, 1);
  TRY(1, 3, 65, TML_E_OUT_OF_BOUNDS, 1);
  TRY(1, 2, INT32_MAX, TML_E_OUT_OF_BOUNDS, 1);
  TRY(3, 1, TML_MODEL, TML_E_READ_ONLY, 3); /* output in the model */
  TRY(3, 1, TML_NONE, TML_E_BAD_PARAMS, 3); /* required output absent */
  TRY(2, 1, TML_NONE, TML_OK, -99);         /* optional bias absent */
  TRY(5, 0, 77, TML_OK, -99);               /* absent: its words do not matter */
  TRY(5, 2, -5, TML_OK, -99);
  TRY(5, 3, -5, TML_OK, -99);
  /* Overlapping arena tensors are allowed (the planner reuses memory):
   * output on top of the input. */
  TRY(3, 2, 0, TML_OK, -99);
  TRY(4, 2, 18, TML_OK, -99); /* COPY output overlapping its input */
  /* int32 arena tensor at a misaligned offset. */
  T(0, 0) = TML_INT32;
  T(0, 2) = 2;
  CHECK_EQ(load_fresh(&b, s.model, s.model_size, p, n), TML_E_MISALIGNED);
  blk_free(&b);
  T(0, 0) = TML_INT8;
  T(0, 2) = 0;
  /* An edge exactly at the end of the 52 + 12 bytes: fits. */
  {
    uint8_t *m = model_new(64);
    T(2, 2) = 52;
    CHECK_EQ(load_fresh(&b, m, 64, p, n), TML_OK);
    CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);
    blk_free(&b);
    CHECK_EQ(load_fresh(&b, m, 63, p, n), TML_E_OUT_OF_BOUNDS);
    blk_free(&b);
    T(2, 2) = 16;
    free(m);
  }
  /* A misaligned model pointer: int32 model tensors are refused. */
  {
    uint8_t *m = (uint8_t *)malloc(65);
    memcpy(m + 1, s.model, 64);
    CHECK_EQ(load_fresh(&b, m + 1, 64, p, n), TML_E_MISALIGNED);
    CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_DETAIL), 2);
    blk_free(&b);
    free(m);
  }
#undef TRY
#undef T
  free(p);
  free(s.model);
}

static void test_op_records(void) {
  sample s;
  int32_t *p;
  uint32_t n, op0;
  blk b;
  int32_t kind;
  sample_make(&s);
  p = pb_build(&s.b, &n);
  op0 = TML_HEADER_WORDS + (uint32_t)s.b.nt * TML_TENSOR_WORDS;

#define TRY(k, v, expect, errop, detail)                                  \
  do {                                                                    \
    int32_t old_ = p[op0 + (k)];                                          \
    p[op0 + (k)] = (v);                                                   \
    CHECK_EQ(load_fresh(&b, s.model, s.model_size, p, n), (expect));     \
    CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_OP), (errop));        \
    if ((detail) != -99)                                                  \
      CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_DETAIL), (detail)); \
    blk_free(&b);                                                         \
    p[op0 + (k)] = old_;                                                  \
  } while (0)

  TRY(0, 0, TML_E_UNSUPPORTED_OP, 0, 0);
  TRY(0, -1, TML_E_UNSUPPORTED_OP, 0, -1);
  TRY(0, 256, TML_E_UNSUPPORTED_OP, 0, 256);
  TRY(0, INT32_MAX, TML_E_UNSUPPORTED_OP, 0, INT32_MAX);
  TRY(0, INT32_MIN, TML_E_UNSUPPORTED_OP, 0, INT32_MIN);
  /* Every kind nobody registered. */
  for (kind = 0; kind < 300; kind++) {
    if (tml_find_op(kind) == NULL) TRY(0, kind, TML_E_UNSUPPORTED_OP, 0, kind);
  }
  TRY(1, -1, TML_E_BAD_PROGRAM, 0, -99);  /* n_in < 0 */
  TRY(2, -1, TML_E_BAD_PROGRAM, 0, -99);
  TRY(3, -1, TML_E_BAD_PROGRAM, 0, -99);
  TRY(1, 65, TML_E_BAD_PROGRAM, 0, -99);  /* more inputs than any op has */
  TRY(2, 65, TML_E_BAD_PROGRAM, 0, -99);
  TRY(3, INT32_MAX, TML_E_BAD_PROGRAM, 0, -99); /* params run past the end */
  TRY(3, (int32_t)n, TML_E_BAD_PROGRAM, 0, -99);
  TRY(1, 64, TML_E_BAD_PROGRAM, 0, -99);
  /* Records that shift the next op's framing. */
  TRY(3, 11, TML_E_BAD_PARAMS, 0, -99);
  TRY(1, 2, TML_E_BAD_PARAMS, 0, -99);
  /* Tensor indices. */
  TRY(4, 6, TML_E_BAD_INDEX, 0, 6);
  TRY(4, -2, TML_E_BAD_INDEX, 0, -2);
  TRY(4, INT32_MAX, TML_E_BAD_INDEX, 0, INT32_MAX);
  TRY(4, INT32_MIN, TML_E_BAD_INDEX, 0, INT32_MIN);
  TRY(4, -1, TML_E_BAD_PARAMS, 0, -99);  /* required input left out */
  TRY(4, 5, TML_E_BAD_PARAMS, 0, 5);     /* ...or absent */
  TRY(6, -1, TML_OK, -1, -99);           /* bias is optional */
  TRY(6, 5, TML_OK, -1, -99);
  TRY(7, 1, TML_E_READ_ONLY, 0, 1);      /* output = the model weights */
  TRY(7, 0, TML_OK, -1, -99);            /* output = the input: overlapping is fine */
  TRY(5, 0, TML_E_BAD_PARAMS, 0, 0);     /* weights = the 10-byte input: too small */
  TRY(5, 2, TML_E_BAD_DTYPE, 0, 2);
#undef TRY
  free(p);
  free(s.model);
}

/* What the script can do to a loaded block between calls. */
static void test_tampering(void) {
  sample s;
  int32_t *p;
  uint32_t n, k, i;
  blk b;
  tml_ctx *ctx;
  int32_t off;
  sample_make(&s);
  p = pb_build(&s.b, &n);
  CHECK_EQ(load_fresh(&b, s.model, s.model_size, p, n), TML_OK);
  off = tml_info(b.block, b.size, TML_INFO_PLANNED_OFFSET);
  ctx = (tml_ctx *)(void *)(b.block + off - TML_CTX_BYTES);
  CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);

  /* A shrunk view of the block, and a bigger one (fine). */
  CHECK_EQ(tml_invoke(b.block, b.size - 1), TML_E_NOT_LOADED);
  CHECK_EQ(tml_reset(b.block, b.size - 1), TML_E_NOT_LOADED);
  CHECK_EQ(tml_info(b.block, b.size - 1, TML_INFO_USED_BYTES), -1);
  CHECK_EQ(tml_invoke(b.block, 0), TML_E_NOT_LOADED);

  /* Every word of the program copy, set to every interesting value. */
  for (k = 0; k < n; k++) {
    int32_t *w = (int32_t *)(void *)(b.block + off + 64) + k;
    int v;
    for (v = 0; v < N_INTERESTING; v++) {
      int32_t old = *w;
      tml_status st;
      *w = INTERESTING[v];
      st = tml_invoke(b.block, b.size);
      CHECK(valid_status(st));
      st = tml_reset(b.block, b.size);
      CHECK(valid_status(st));
      (void)tml_info(b.block, b.size, TML_INFO_USED_BYTES);
      *w = old;
    }
  }
  CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);

  /* Every 32-bit word of the context but the model pointer and size (which
   * the core cannot prove; they are the caller's, as in any C API). */
  for (k = 0; k < TML_CTX_BYTES / 4; k++) {
    const uint32_t at = k * 4;
    int v;
    if (at + 4 > offsetof(tml_ctx, model) &&
        at < offsetof(tml_ctx, model_size) + sizeof ctx->model_size)
      continue;
    for (v = 0; v < N_INTERESTING; v++) {
      uint32_t old;
      tml_status st;
      memcpy(&old, (uint8_t *)ctx + at, 4);
      memcpy((uint8_t *)ctx + at, &INTERESTING[v], 4);
      st = tml_invoke(b.block, b.size);
      CHECK(valid_status(st));
      st = tml_reset(b.block, b.size);
      CHECK(valid_status(st));
      for (i = 1; i <= 7; i++) (void)tml_info(b.block, b.size, (int32_t)i);
      memcpy((uint8_t *)ctx + at, &old, 4);
    }
  }
  CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);

  /* A copy of a loaded block (ArrayBuffer.slice, memcpy): its pointers
   * still aim at the original, which may be gone. */
  {
    blk c = blk_new(b.size, 0);
    memcpy(c.block, b.block, b.size);
    blk_free(&b);
    CHECK_EQ(tml_invoke(c.block, c.size), TML_E_NOT_LOADED);
    CHECK_EQ(tml_reset(c.block, c.size), TML_E_NOT_LOADED);
    CHECK_EQ(tml_info(c.block, c.size, TML_INFO_PLANNED_OFFSET), -1);
    /* Loading again makes it a block of its own. */
    CHECK_EQ(tml_load(c.block, c.size, s.model, s.model_size, p, n), TML_OK);
    CHECK_EQ(tml_invoke(c.block, c.size), TML_OK);
    blk_free(&c);
  }
  free(p);
  free(s.model);
}

/* invoke re-checks the program copy as load checks a program (checking each
 * op right before running it): a word of the copy changed after load is
 * refused with the status, op and detail that loading the changed program
 * gives, and accepted where loading it succeeds. */
static void test_invoke_rechecks_as_load(void) {
  sample s;
  int32_t *p, *q;
  uint32_t n, k;
  blk b;
  int32_t off, planned;
  sample_make(&s);
  p = pb_build(&s.b, &n);
  q = (int32_t *)malloc((size_t)n * 4u);
  CHECK_EQ(load_fresh(&b, s.model, s.model_size, p, n), TML_OK);
  off = tml_info(b.block, b.size, TML_INFO_PLANNED_OFFSET);
  planned = tml_info(b.block, b.size, TML_INFO_PLANNED_BYTES);
  /* Header words are compared with the context (E_NOT_LOADED), not checked. */
  for (k = TML_HEADER_WORDS; k < n; k++) {
    int32_t *w = (int32_t *)(void *)(b.block + off + ((planned + 15) & ~15)) + k;
    int v;
    for (v = 0; v < N_INTERESTING; v++) {
      blk c;
      tml_status st_invoke, st_load;
      int32_t op_invoke, op_load;
      *w = INTERESTING[v];
      st_invoke = tml_invoke(b.block, b.size);
      op_invoke = tml_info(b.block, b.size, TML_INFO_ERR_OP);
      memcpy(q, p, (size_t)n * 4u);
      q[k] = INTERESTING[v];
      st_load = load_fresh(&c, s.model, s.model_size, q, n);
      op_load = tml_info(c.block, c.size, TML_INFO_ERR_OP);
      if (st_load == TML_OK) {
        CHECK_EQ(st_invoke, TML_OK);
      } else {
        CHECK_EQ(st_invoke, st_load);
        CHECK_EQ(op_invoke, op_load);
        CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_DETAIL),
                 tml_info(c.block, c.size, TML_INFO_ERR_DETAIL));
      }
      blk_free(&c);
      *w = p[k];
    }
  }
  CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);

  /* tml_model_within: the model bytes the core reads, inside the caller's. */
  CHECK_EQ(tml_model_within(b.block, b.size, s.model, s.model_size), 1);
  CHECK_EQ(tml_model_within(b.block, b.size, s.model, s.model_size + 8), 1);
  CHECK_EQ(tml_model_within(b.block, b.size, s.model, s.model_size - 1), 0);
  CHECK_EQ(tml_model_within(b.block, b.size, s.model + 1, s.model_size), 0);
  CHECK_EQ(tml_model_within(b.block, b.size, NULL, 0), 0);
  CHECK_EQ(tml_model_within(b.block, b.size - 1, s.model, s.model_size), 0); /* not loaded */

  /* A bad second op: invoke stops there, after the first op has run. */
  {
    int32_t *copy = (int32_t *)(void *)(b.block + off + ((planned + 15) & ~15));
    uint32_t at = TML_HEADER_WORDS + 6u * TML_TENSOR_WORDS; /* the FC op record */
    at += TML_OP_HEADER_WORDS + 3u + 1u + (uint32_t)copy[at + 3]; /* the COPY op record */
    uint8_t fc_out[6];
    CHECK_EQ(copy[at], TML_K_COPY);
    memcpy(fc_out, b.block + off + 16, 6); /* what the FC op writes */
    memset(b.block + off + 16, 0x55, 6);
    copy[at + 3] = 2; /* COPY with two param words: its framing no longer adds up */
    CHECK_EQ(tml_invoke(b.block, b.size), TML_E_BAD_PROGRAM);
    CHECK_EQ(tml_info(b.block, b.size, TML_INFO_ERR_OP), 1);
    CHECK_EQ(memcmp(b.block + off + 16, fc_out, 6), 0);
    copy[at + 3] = 1;
    CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);
  }
  blk_free(&b);
  free(q);
  free(p);
  free(s.model);
}

/* Absent-tensor accessors and state fill. */
static void test_accessors_and_state(void) {
  sample s;
  int32_t *p;
  uint32_t n;
  blk b;
  tml_ctx *ctx;
  int32_t off, i;
  sample_make(&s);
  p = pb_build(&s.b, &n);
  CHECK_EQ(load_fresh(&b, s.model, s.model_size, p, n), TML_OK);
  off = tml_info(b.block, b.size, TML_INFO_PLANNED_OFFSET);
  ctx = (tml_ctx *)(void *)(b.block + off - TML_CTX_BYTES);
  CHECK(tml_tensor_data(ctx, 5) == NULL);
  CHECK_EQ(tml_tensor_bytes(ctx, 5), 0);
  CHECK(tml_tensor_data(ctx, 6) == NULL);
  CHECK_EQ(tml_tensor_bytes(ctx, 6), 0);
  CHECK(tml_tensor_data(ctx, -1) == NULL);
  CHECK_EQ(tml_tensor_bytes(ctx, -1), 0);
  CHECK(tml_tensor_data(ctx, INT32_MAX) == NULL);
  CHECK_EQ(tml_tensor_bytes(ctx, 1), 15);
  CHECK(tml_tensor_data(ctx, 1) == (const void *)s.model);
  /* The state tensor starts at its fill byte, as after a reset. */
  for (i = 0; i < 6; i++) CHECK_EQ(b.block[off + 32 + i], 7);
  CHECK_EQ(tml_invoke(b.block, b.size), TML_OK);
  CHECK_EQ(tml_reset(b.block, b.size), TML_OK);
  for (i = 0; i < 6; i++) CHECK_EQ(b.block[off + 32 + i], 7);
  blk_free(&b);
  free(p);
  free(s.model);
}

/* ---- adapters: a valid op per kind, then one inconsistent field at a time ---- */

typedef struct {
  int32_t dtype, place, bytes; /* offset chosen by the harness */
} tspec;

#define W(type, field) ((int)(offsetof(type, field) / sizeof(int32_t)))
#define MAXP 256
#define MAXP_POOL 96

/* Ops that loaded, kept as seeds for the mutation pass of the random test. */
typedef struct {
  int32_t kind;
  tspec ts[8];
  int nt, n_in, n_out, n_params;
  int32_t in[8], out[8], params[MAXP_POOL];
} good_op;
static good_op pool[256];
static int pool_n;

/* One-op program: tensors laid out one after the other (16-byte aligned)
 * in the arena or the model; in/out are tensor indices. */
static tml_status one_op(int32_t kind, const tspec *ts, int nt, const int32_t *in, int n_in,
                         const int32_t *out, int n_out, const int32_t *params, int n_params,
                         int run) {
  pb b;
  int i;
  int32_t arena_off = 0, model_off = 0;
  uint8_t *model;
  int32_t *p;
  uint32_t n;
  tml_status st;
  int ran;
  for (i = 0; i < nt; i++) {
    if (ts[i].place == TML_MODEL) model_off += (ts[i].bytes + 15) & ~15;
    else arena_off += (ts[i].bytes + 15) & ~15;
  }
  pb_init(&b, arena_off);
  arena_off = 0;
  model = model_new((uint32_t)model_off);
  model_off = 0;
  for (i = 0; i < nt; i++) {
    if (ts[i].place == TML_MODEL) {
      pb_tensor(&b, ts[i].dtype, ts[i].place, model_off, ts[i].bytes);
      model_off += (ts[i].bytes + 15) & ~15;
    } else {
      pb_tensor(&b, ts[i].dtype, ts[i].place, arena_off, ts[i].bytes);
      arena_off += (ts[i].bytes + 15) & ~15;
    }
  }
  pb_op(&b, kind, n_in, in, n_out, out, n_params, params);
  p = pb_build(&b, &n);
  if (run) {
    st = lifecycle(model, (uint32_t)model_off, p, n, &ran);
    if (st == TML_OK && nt <= 8 && n_in <= 8 && n_out <= 8 && n_params <= MAXP_POOL &&
        pool_n < (int)(sizeof pool / sizeof pool[0])) {
      good_op *g = &pool[pool_n++];
      g->kind = kind;
      memcpy(g->ts, ts, (size_t)nt * sizeof *ts);
      g->nt = nt;
      g->n_in = n_in;
      g->n_out = n_out;
      g->n_params = n_params;
      memcpy(g->in, in, (size_t)n_in * 4u);
      memcpy(g->out, out, (size_t)n_out * 4u);
      memcpy(g->params, params, (size_t)n_params * 4u);
    }
  } else {
    blk a;
    st = load_fresh(&a, model, (uint32_t)model_off, p, n);
    blk_free(&a);
  }
  free(p);
  free(model);
  return st;
}


static int32_t f32bits(float f) {
  int32_t b;
  memcpy(&b, &f, 4);
  return b;
}

/* Runs the valid op, then each (word, value, expected) edit of its params. */
typedef struct {
  int word;
  int32_t value;
  tml_status expect;
} edit;

static void try_edits(const char *name, int32_t kind, const tspec *ts, int nt, const int32_t *in,
                      int n_in, const int32_t *out, int n_out, const int32_t *params, int n_params,
                      const edit *edits, int n_edits) {
  int32_t q[MAXP];
  int e;
  tml_status st = one_op(kind, ts, nt, in, n_in, out, n_out, params, n_params, 1);
  if (st != TML_OK) printf("  (%s: the valid op answered %s)\n", name, tml_status_name(st));
  CHECK_EQ(st, TML_OK);
  for (e = 0; e < n_edits; e++) {
    memcpy(q, params, (size_t)n_params * 4u);
    q[edits[e].word] = edits[e].value;
    st = one_op(kind, ts, nt, in, n_in, out, n_out, q, n_params, 1);
    if (st != edits[e].expect)
      printf("  (%s: params[%d] = %ld answered %s)\n", name, edits[e].word, (long)edits[e].value,
             tml_status_name(st));
    CHECK_EQ(st, edits[e].expect);
  }
  /* Wrong arities and param counts. */
  CHECK_EQ(one_op(kind, ts, nt, in, n_in - 1, out, n_out, params, n_params, 0), TML_E_BAD_PARAMS);
  CHECK(one_op(kind, ts, nt, in, n_in, out, n_out - 1, params, n_params, 0) != TML_OK);
  CHECK_EQ(one_op(kind, ts, nt, in, n_in, out, n_out, params, n_params - 1, 0), TML_E_BAD_PARAMS);
  CHECK_EQ(one_op(kind, ts, nt, in, n_in, out, n_out, params, 0, 0), TML_E_BAD_PARAMS);
  {
    int32_t more[MAXP + 1];
    memcpy(more, params, (size_t)n_params * 4u);
    more[n_params] = 0;
    CHECK_EQ(one_op(kind, ts, nt, in, n_in, out, n_out, more, n_params + 1, 0), TML_E_BAD_PARAMS);
  }
  /* Every tensor index, replaced by an out-of-range one, by "absent", and
   * by every other tensor of the op (wrong dtype or size, or in the model). */
  {
    int32_t ii[8], oo[8];
    int s, t;
    for (s = 0; s < n_in + n_out; s++) {
      for (t = -3; t < nt + 2; t++) {
        memcpy(ii, in, (size_t)n_in * 4u);
        memcpy(oo, out, (size_t)n_out * 4u);
        if (s < n_in) ii[s] = t;
        else oo[s - n_in] = t;
        st = one_op(kind, ts, nt, ii, n_in, oo, n_out, params, n_params, 1);
        CHECK(valid_status(st));
        if (t < -1 || t >= nt) CHECK_EQ(st, TML_E_BAD_INDEX);
      }
    }
  }
}

static void test_copy(void) {
  const tspec ts[] = {{TML_INT8, TML_ARENA, 16}, {TML_INT8, TML_ARENA, 16}, {TML_FLOAT32, TML_MODEL, 16}};
  const int32_t in[] = {0}, out[] = {1};
  const int32_t params[] = {16};
  const edit edits[] = {{0, -1, TML_E_BAD_PARAMS}, {0, 17, TML_E_BAD_PARAMS},
                        {0, INT32_MAX, TML_E_BAD_PARAMS}, {0, INT32_MIN, TML_E_BAD_PARAMS},
                        {0, 0, TML_OK}, {0, 15, TML_OK}};
  const int32_t from_model[] = {2};
  try_edits("copy", TML_K_COPY, ts, 3, in, 1, out, 1, params, 1, edits,
            (int)(sizeof edits / sizeof edits[0]));
  /* Any dtype: a reshape moves raw bytes; the source may be in the model. */
  CHECK_EQ(one_op(TML_K_COPY, ts, 3, from_model, 1, out, 1, params, 1, 1), TML_OK);
  CHECK_EQ(one_op(TML_K_COPY, ts, 3, in, 1, from_model, 1, params, 1, 0), TML_E_READ_ONLY);
}

static void test_fc(void) {
  /* in [2, 5], weights [3, 5], bias [3], out [2, 3]. */
  const tspec ts[] = {{TML_INT8, TML_ARENA, 10}, {TML_INT8, TML_MODEL, 15},
                      {TML_INT32, TML_MODEL, 12}, {TML_INT8, TML_ARENA, 6}};
  const int32_t in[] = {0, 1, 2}, out[] = {3};
  tml_fc_s8_params p = fc_params(2, 5, 3);
  int32_t pc[MAXP];
  const int base = (int)(sizeof p / 4);
  const edit edits[] = {
      {W(tml_fc_s8_params, batches), 0, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, batches), -1, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, batches), 3, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, batches), INT32_MAX, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, accum_depth), 0, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, accum_depth), INT32_MAX, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, accum_depth), 6, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, accum_depth), 4, TML_OK},
      {W(tml_fc_s8_params, out_depth), 0, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_depth), -7, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_depth), 4, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_depth), INT32_MAX, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_mult), -1, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_mult), INT32_MAX, TML_OK},
      {W(tml_fc_s8_params, out_shift), 31, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_shift), -32, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_shift), 30, TML_OK},
      {W(tml_fc_s8_params, out_shift), -31, TML_OK},
      {W(tml_fc_s8_params, in_offset), 129, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, in_offset), -128, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, w_offset), INT32_MIN, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, out_offset), 128, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, act_min), 5, TML_OK},
      {W(tml_fc_s8_params, act_min), -129, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, act_max), 128, TML_E_BAD_PARAMS},
      {W(tml_fc_s8_params, act_max), -128, TML_OK},
  };
  const int n_edits = (int)(sizeof edits / sizeof edits[0]);
  try_edits("fc_s8", TML_K_FC_S8, ts, 4, in, 3, out, 1, (const int32_t *)(const void *)&p, base,
            edits, n_edits);

  /* Per-channel: out_depth multipliers, then packed int8 shifts. */
  {
    int n = base + 3 + TML_SHIFT_WORDS(3);
    int8_t shifts[4] = {-1, 0, 2, 0};
    edit pe[8];
    memcpy(pc, &p, sizeof p);
    pc[base] = 1 << 30;
    pc[base + 1] = 0x50000000;
    pc[base + 2] = 0;
    memcpy(&pc[base + 3], shifts, 4);
    pe[0].word = base;
    pe[0].value = -1;
    pe[0].expect = TML_E_BAD_PARAMS;
    pe[1].word = base + 3; /* shifts {31, 0, 2} */
    memcpy(&pe[1].value, "\x1f\x00\x02\x00", 4);
    pe[1].expect = TML_E_BAD_PARAMS;
    pe[2].word = base + 3; /* {-32, ...} */
    memcpy(&pe[2].value, "\xe0\x00\x02\x00", 4);
    pe[2].expect = TML_E_BAD_PARAMS;
    pe[3].word = base + 3; /* the 4th (padding) byte is not a channel */
    memcpy(&pe[3].value, "\x00\x00\x02\x7f", 4);
    pe[3].expect = TML_OK;
    pe[4].word = W(tml_fc_s8_params, out_depth);
    pe[4].value = 2; /* param count no longer matches */
    pe[4].expect = TML_E_BAD_PARAMS;
    pe[5].word = W(tml_fc_s8_params, out_depth);
    pe[5].value = INT32_MAX;
    pe[5].expect = TML_E_BAD_PARAMS;
    try_edits("fc_s8 per-channel", TML_K_FC_S8, ts, 4, in, 3, out, 1, pc, n, pe, 6);
  }

  /* float32 */
  {
    const tspec tf[] = {{TML_FLOAT32, TML_ARENA, 40}, {TML_FLOAT32, TML_MODEL, 60},
                        {TML_FLOAT32, TML_MODEL, 12}, {TML_FLOAT32, TML_ARENA, 24}};
    tml_fc_f32_params f;
    edit fe[6];
    f.act_min = f32bits(-FLT_MAX);
    f.act_max = f32bits(FLT_MAX);
    f.batches = 2;
    f.accum_depth = 5;
    f.out_depth = 3;
    fe[0].word = W(tml_fc_f32_params, act_min);
    fe[0].value = f32bits(NAN);
    fe[0].expect = TML_E_BAD_PARAMS;
    fe[1].word = W(tml_fc_f32_params, act_max);
    fe[1].value = f32bits(-INFINITY);
    fe[1].expect = TML_E_BAD_PARAMS;
    fe[2].word = W(tml_fc_f32_params, batches);
    fe[2].value = 0;
    fe[2].expect = TML_E_BAD_PARAMS;
    fe[3].word = W(tml_fc_f32_params, accum_depth);
    fe[3].value = 0x40000000;
    fe[3].expect = TML_E_BAD_PARAMS;
    fe[4].word = W(tml_fc_f32_params, out_depth);
    fe[4].value = 4;
    fe[4].expect = TML_E_BAD_PARAMS;
    fe[5].word = W(tml_fc_f32_params, act_min);
    fe[5].value = f32bits(0.0f);
    fe[5].expect = TML_OK;
    try_edits("fc_f32", TML_K_FC_F32, tf, 4, in, 3, out, 1, (const int32_t *)(const void *)&f,
              (int)(sizeof f / 4), fe, 6);
    /* int8 tensors under the float kind. */
    CHECK_EQ(one_op(TML_K_FC_F32, ts, 4, in, 3, out, 1, (const int32_t *)(const void *)&f,
                    (int)(sizeof f / 4), 0),
             TML_E_BAD_DTYPE);
  }
}

/* conv / depthwise: in [1, 4, 4, 2]. */
static void conv_case(int32_t kind, int is_s8, int is_dw) {
  tml_conv_params c;
  int32_t q[MAXP];
  const int32_t elem = is_s8 ? 1 : 4;
  const int32_t out_c = is_dw ? 4 : 3;
  const int32_t f_in_c = is_dw ? 1 : 2;
  tspec ts[4];
  const int32_t in[] = {0, 1, 2}, out[] = {3};
  int n, ne = 0;
  edit e[40];
  const char *name = is_dw ? (is_s8 ? "dwconv_s8" : "dwconv_f32") : (is_s8 ? "conv_s8" : "conv_f32");
  memset(&c, 0, sizeof c);
  c.in_offset = is_s8 ? 5 : 0;
  c.out_offset = is_s8 ? -3 : 0;
  c.stride_w = 1;
  c.stride_h = 1;
  c.dil_w = 1;
  c.dil_h = 1;
  c.pad_w = 1;
  c.pad_h = 1;
  c.act_min = is_s8 ? -128 : f32bits(-FLT_MAX);
  c.act_max = is_s8 ? 127 : f32bits(FLT_MAX);
  c.batches = 1;
  c.in_h = 4;
  c.in_w = 4;
  c.in_c = 2;
  c.f_h = 3;
  c.f_w = 3;
  c.f_in_c = f_in_c;
  c.depth_mult = is_dw ? 2 : 1;
  c.out_h = 4;
  c.out_w = 4;
  c.out_c = out_c;
  ts[0].dtype = is_s8 ? TML_INT8 : TML_FLOAT32;
  ts[0].place = TML_ARENA;
  ts[0].bytes = 32 * elem;
  ts[1].dtype = ts[0].dtype;
  ts[1].place = TML_MODEL;
  ts[1].bytes = (is_dw ? 9 * out_c : out_c * 9 * f_in_c) * elem;
  ts[2].dtype = is_s8 ? TML_INT32 : TML_FLOAT32;
  ts[2].place = TML_MODEL;
  ts[2].bytes = out_c * 4;
  ts[3].dtype = ts[0].dtype;
  ts[3].place = TML_ARENA;
  ts[3].bytes = 16 * out_c * elem;
  memcpy(q, &c, sizeof c);
  n = (int)(sizeof c / 4);
  if (is_s8) {
    int ch;
    int8_t sh[8] = {0, -1, 1, -5, 0, 0, 0, 0};
    for (ch = 0; ch < out_c; ch++) q[n + ch] = 0x40000000 + ch * 1000;
    memcpy(&q[n + out_c], sh, (size_t)TML_SHIFT_WORDS(out_c) * 4u);
    n += out_c + TML_SHIFT_WORDS(out_c);
  }
#define E(f, v, x)                                   \
  do {                                               \
    e[ne].word = W(tml_conv_params, f);              \
    e[ne].value = (v);                               \
    e[ne].expect = (x);                              \
    ne++;                                            \
  } while (0)
  E(stride_w, 0, TML_E_BAD_PARAMS);
  E(stride_h, -1, TML_E_BAD_PARAMS);
  E(dil_w, 0, TML_E_BAD_PARAMS);
  E(dil_h, INT32_MIN, TML_E_BAD_PARAMS);
  E(pad_w, -1, TML_E_BAD_PARAMS);
  E(pad_h, INT32_MAX, TML_OK); /* all taps fall in the padding: legal, just zeros */
  E(stride_h, INT32_MAX, TML_E_BAD_PARAMS); /* (out_h - 1) * stride overflows */
  E(dil_w, 0x40000000, TML_E_BAD_PARAMS);   /* (f_w - 1) * dilation overflows */
  E(stride_w, 0x1FFFFFFF, TML_OK);          /* 3 * stride + 2 still fits */
  E(batches, 0, TML_E_BAD_PARAMS);
  E(batches, 2, TML_E_BAD_PARAMS);
  E(in_h, 5, TML_E_BAD_PARAMS);
  E(in_w, 0, TML_E_BAD_PARAMS);
  E(in_c, INT32_MAX, TML_E_BAD_PARAMS);
  E(f_h, 4, TML_E_BAD_PARAMS);
  E(f_w, -3, TML_E_BAD_PARAMS);
  E(out_h, 5, TML_E_BAD_PARAMS);
  E(out_w, 0x40000000, TML_E_BAD_PARAMS);
  E(out_c, out_c + 1, TML_E_BAD_PARAMS);
  E(depth_mult, 0, TML_E_BAD_PARAMS);
  E(f_in_c, 0, TML_E_BAD_PARAMS);
  if (is_dw) {
    E(f_in_c, 2, TML_E_BAD_PARAMS);
    E(depth_mult, 3, TML_E_BAD_PARAMS);
  } else {
    E(depth_mult, 2, TML_E_BAD_PARAMS);
    E(f_in_c, 3, TML_E_BAD_PARAMS); /* does not divide in_c */
    E(f_in_c, 1, TML_E_BAD_PARAMS); /* 2 groups do not divide out_c = 3 */
  }
  if (is_s8) {
    E(act_min, -129, TML_E_BAD_PARAMS);
    E(act_max, 128, TML_E_BAD_PARAMS);
    E(act_min, 100, TML_OK);
    e[ne].word = (int)(sizeof c / 4);
    e[ne].value = -1; /* negative multiplier */
    e[ne++].expect = TML_E_BAD_PARAMS;
    e[ne].word = (int)(sizeof c / 4) + out_c;
    memcpy(&e[ne].value, "\x00\x1f\x00\x00", 4); /* shift 31 */
    e[ne++].expect = TML_E_BAD_PARAMS;
    e[ne].word = (int)(sizeof c / 4) + out_c;
    memcpy(&e[ne].value, "\x00\x00\xe0\x00", 4); /* shift -32 */
    e[ne++].expect = TML_E_BAD_PARAMS;
  } else {
    E(act_min, f32bits(NAN), TML_E_BAD_PARAMS);
    E(act_max, f32bits(-INFINITY), TML_E_BAD_PARAMS);
  }
#undef E
  try_edits(name, kind, ts, 4, in, 3, out, 1, q, n, e, ne);
}

static void test_conv(void) {
  conv_case(TML_K_CONV_S8, 1, 0);
  conv_case(TML_K_CONV_F32, 0, 0);
  conv_case(TML_K_DWCONV_S8, 1, 1);
  conv_case(TML_K_DWCONV_F32, 0, 1);
}

static void pool_case(int32_t kind, int is_s8) {
  tml_pool_params pp;
  const int32_t elem = is_s8 ? 1 : 4;
  tspec ts[2];
  const int32_t in[] = {0}, out[] = {1};
  edit e[24];
  int ne = 0;
  memset(&pp, 0, sizeof pp);
  pp.batches = 1;
  pp.in_h = 5;
  pp.in_w = 4;
  pp.channels = 2;
  pp.f_h = 3;
  pp.f_w = 2;
  pp.stride_h = 2;
  pp.stride_w = 2;
  pp.pad_h = 1;
  pp.pad_w = 0;
  pp.out_h = 3;
  pp.out_w = 2;
  pp.act_min = is_s8 ? -128 : f32bits(-FLT_MAX);
  pp.act_max = is_s8 ? 127 : f32bits(FLT_MAX);
  ts[0].dtype = is_s8 ? TML_INT8 : TML_FLOAT32;
  ts[0].place = TML_ARENA;
  ts[0].bytes = 40 * elem;
  ts[1].dtype = ts[0].dtype;
  ts[1].place = TML_ARENA;
  ts[1].bytes = 12 * elem;
#define E(f, v, x)                                   \
  do {                                               \
    e[ne].word = W(tml_pool_params, f);              \
    e[ne].value = (v);                               \
    e[ne].expect = (x);                              \
    ne++;                                            \
  } while (0)
  E(pad_h, 3, TML_E_BAD_PARAMS); /* padding as large as the filter: empty windows */
  E(pad_h, -1, TML_E_BAD_PARAMS);
  E(out_h, 4, TML_E_BAD_PARAMS); /* last window starts past the input */
  E(stride_h, 0, TML_E_BAD_PARAMS);
  E(stride_w, INT32_MAX, TML_E_BAD_PARAMS);
  E(f_w, 0, TML_E_BAD_PARAMS);
  E(f_h, INT32_MAX, TML_OK); /* a huge window is clipped to the input */
  E(in_h, INT32_MAX, TML_E_BAD_PARAMS);
  E(channels, 3, TML_E_BAD_PARAMS);
  E(batches, -1, TML_E_BAD_PARAMS);
  E(out_w, 0, TML_E_BAD_PARAMS);
  if (is_s8) {
    E(act_min, 1, TML_OK);
    E(act_max, 200, TML_E_BAD_PARAMS);
    E(act_min, 127, TML_OK);
  } else {
    E(act_max, f32bits(NAN), TML_E_BAD_PARAMS);
  }
#undef E
  try_edits(kind == TML_K_AVGPOOL_S8 || kind == TML_K_AVGPOOL_F32 ? "avgpool" : "maxpool", kind,
            ts, 2, in, 1, out, 1, (const int32_t *)(const void *)&pp, (int)(sizeof pp / 4), e, ne);
}

static void test_pool(void) {
  pool_case(TML_K_AVGPOOL_S8, 1);
  pool_case(TML_K_AVGPOOL_F32, 0);
  pool_case(TML_K_MAXPOOL_S8, 1);
  pool_case(TML_K_MAXPOOL_F32, 0);
}

static void test_softmax(void) {
  tml_softmax_s8_params sp;
  tml_softmax_f32_params fp;
  const int32_t in[] = {0}, out[] = {1};
  tspec ts[2] = {{TML_INT8, TML_ARENA, 12}, {TML_INT8, TML_ARENA, 12}};
  tspec t16[2] = {{TML_INT8, TML_ARENA, 12}, {TML_INT16, TML_ARENA, 24}};
  tspec tf[2] = {{TML_FLOAT32, TML_ARENA, 48}, {TML_FLOAT32, TML_ARENA, 48}};
  edit e[12];
  int ne = 0;
  sp.outer = 3;
  sp.depth = 4;
  sp.in_mult = 0x60000000;
  sp.in_left_shift = 20;
  sp.diff_min = -200;
  sp.out_dtype = TML_INT8;
#define E(T, f, v, x)                                \
  do {                                               \
    e[ne].word = W(T, f);                            \
    e[ne].value = (v);                               \
    e[ne].expect = (x);                              \
    ne++;                                            \
  } while (0)
  E(tml_softmax_s8_params, in_mult, -1, TML_E_BAD_PARAMS);
  E(tml_softmax_s8_params, in_left_shift, 32, TML_E_BAD_PARAMS);
  E(tml_softmax_s8_params, in_left_shift, -1, TML_E_BAD_PARAMS);
  E(tml_softmax_s8_params, in_left_shift, 31, TML_OK);
  E(tml_softmax_s8_params, diff_min, 1, TML_E_BAD_PARAMS);
  E(tml_softmax_s8_params, diff_min, INT32_MIN, TML_OK);
  E(tml_softmax_s8_params, out_dtype, TML_INT16, TML_E_BAD_DTYPE);
  E(tml_softmax_s8_params, out_dtype, TML_FLOAT32, TML_E_BAD_PARAMS);
  E(tml_softmax_s8_params, outer, 4, TML_E_BAD_PARAMS);
  E(tml_softmax_s8_params, depth, 0, TML_E_BAD_PARAMS);
  E(tml_softmax_s8_params, depth, INT32_MAX, TML_E_BAD_PARAMS);
  try_edits("softmax_s8", TML_K_SOFTMAX_S8, ts, 2, in, 1, out, 1,
            (const int32_t *)(const void *)&sp, (int)(sizeof sp / 4), e, ne);
  sp.out_dtype = TML_INT16;
  CHECK_EQ(one_op(TML_K_SOFTMAX_S8, t16, 2, in, 1, out, 1, (const int32_t *)(const void *)&sp,
                  (int)(sizeof sp / 4), 1),
           TML_OK);
  ne = 0;
  fp.outer = 3;
  fp.depth = 4;
  fp.beta = f32bits(1.0f);
  E(tml_softmax_f32_params, outer, 0, TML_E_BAD_PARAMS);
  E(tml_softmax_f32_params, depth, 5, TML_E_BAD_PARAMS);
  E(tml_softmax_f32_params, outer, INT32_MAX, TML_E_BAD_PARAMS);
  E(tml_softmax_f32_params, beta, f32bits(NAN), TML_OK); /* garbage in, no crash */
#undef E
  try_edits("softmax_f32", TML_K_SOFTMAX_F32, tf, 2, in, 1, out, 1,
            (const int32_t *)(const void *)&fp, (int)(sizeof fp / 4), e, ne);
}

/* Every registered kind, including ones added after this file was written:
 * random tensors and random parameter words. Whatever the adapter decides,
 * the answer is a known status, and an op that loads also runs cleanly. */
static void test_all_kinds_random(void) {
  static const int32_t dtypes[] = {TML_FLOAT32, TML_INT32, TML_UINT8, TML_INT64,
                                   TML_BOOL, TML_INT16, TML_INT8};
  static const int32_t sizes[] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256};
  int32_t kind;
  int kinds = 0;
  long accepted = 0, tried = 0;
  rng_state = 0xC0FFEEu;
  for (kind = 0; kind < 1024; kind++) {
    int iter;
    if (tml_find_op(kind) == NULL) continue;
    kinds++;
    for (iter = 0; iter < 1500; iter++) {
      tspec ts[8];
      int32_t in[8], out[8], params[64];
      int nt = 1 + rnd_below(6), n_in = rnd_below(5), n_out = rnd_below(4), np = rnd_below(40);
      int i;
      int32_t el = 1 + rnd_below(8);
      for (i = 0; i < nt; i++) {
        ts[i].dtype = dtypes[rnd_below(7)];
        ts[i].place = rnd_below(4) == 0 ? TML_MODEL : TML_ARENA;
        ts[i].bytes = (int32_t)tml_dtype_size(ts[i].dtype) *
                      (rnd_below(2) ? el : sizes[rnd_below(15)]);
      }
      for (i = 0; i < n_in; i++) in[i] = rnd_below(8) == 0 ? -1 : rnd_below(nt);
      for (i = 0; i < n_out; i++) out[i] = rnd_below(nt);
      for (i = 0; i < np; i++) {
        switch (rnd_below(6)) {
          case 0: params[i] = INTERESTING[rnd_below(N_INTERESTING)]; break;
          case 1: params[i] = (int32_t)rnd(); break;
          case 2: params[i] = el; break;
          default: params[i] = rnd_below(5); break;
        }
      }
      tried++;
      if (one_op(kind, ts, nt, in, n_in, out, n_out, params, np, 1) == TML_OK) accepted++;
    }
  }
  printf("random ops: %d kinds, %ld programs, %ld loaded and ran\n", kinds, tried, accepted);
  CHECK(kinds >= 13);
}

/* The ops that loaded in the tests above, mutated a few words at a time:
 * params to interesting or nearby values, tensor sizes, dtypes and places,
 * indices. Same rule: a known status, and whatever loads runs cleanly. */
static void test_mutated_good_ops(void) {
  static const int32_t dtypes[] = {TML_FLOAT32, TML_INT32, TML_UINT8, TML_INT64,
                                   TML_BOOL, TML_INT16, TML_INT8};
  int seeds = pool_n, i, iter;
  long accepted = 0, tried = 0;
  rng_state = 0xBADC0DEu;
  for (i = 0; i < seeds; i++) {
    for (iter = 0; iter < 400; iter++) {
      good_op g = pool[i];
      int edits = 1 + rnd_below(3), e;
      for (e = 0; e < edits; e++) {
        int what = rnd_below(10);
        if (what < 6 && g.n_params > 0) {
          int32_t *w = &g.params[rnd_below(g.n_params)];
          switch (rnd_below(4)) {
            case 0: *w = INTERESTING[rnd_below(N_INTERESTING)]; break;
            case 1: *w = (int32_t)((uint32_t)*w + (uint32_t)(rnd_below(5) - 2)); break;
            case 2: *w = (int32_t)(0u - (uint32_t)*w); break;
            default: *w ^= (int32_t)(1u << rnd_below(32)); break;
          }
        } else if (what == 6) {
          tspec *t = &g.ts[rnd_below(g.nt)];
          t->bytes = rnd_below(2) ? t->bytes + rnd_below(9) - 4 : t->bytes * 2;
          if (t->bytes < 0 || t->bytes > 4096) t->bytes = 0;
        } else if (what == 7) {
          g.ts[rnd_below(g.nt)].dtype = dtypes[rnd_below(7)];
        } else if (what == 8) {
          tspec *t = &g.ts[rnd_below(g.nt)];
          t->place = t->place == TML_ARENA ? TML_MODEL : TML_ARENA;
        } else if (g.n_in + g.n_out > 0) {
          int s = rnd_below(g.n_in + g.n_out);
          int32_t v = rnd_below(g.nt + 1) - 1;
          if (s < g.n_in) g.in[s] = v;
          else g.out[s - g.n_in] = v;
        }
      }
      tried++;
      if (one_op(g.kind, g.ts, g.nt, g.in, g.n_in, g.out, g.n_out, g.params, g.n_params, 1) ==
          TML_OK)
        accepted++;
    }
  }
  pool_n = seeds; /* what the mutants added is not reused */
  printf("mutated ops: %d seeds, %ld programs, %ld loaded and ran\n", seeds, tried, accepted);
  CHECK(seeds >= 13);
}

int main(void) {
  test_helpers();
  test_load_arguments();
  test_header();
  test_tensor_records();
  test_op_records();
  test_tampering();
  test_invoke_rechecks_as_load();
  test_accessors_and_state();
  test_copy();
  test_fc();
  test_conv();
  test_pool();
  test_softmax();
  test_all_kinds_random();
  test_mutated_good_ops();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
