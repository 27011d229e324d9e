/*
 * kernels_movement.c - standalone checks of the data-movement and reduction
 * kernels (generic strided move, GATHER, RESIZE_NEAREST_NEIGHBOR, MEAN/SUM,
 * ARG_MAX/ARG_MIN) against slow obvious references, and of their adapters'
 * load-time checks through tml_load. Build with every native source, e.g.
 *   clang -std=c99 -fsanitize=address,undefined -Inative/include -Inative/core
 *     test/kernels_movement.c <native sources> -lm
 * Prints "N passed, N failed"; exits non-zero on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "tinyml.h"
#include "tinyml_kernels.h"

static int passed, failed;

#define CHECK(cond) check_((cond) ? 1 : 0, #cond, __LINE__)
#define CHECK_EQ(a, b) check_eq_((long long)(a), (long long)(b), #a, __LINE__)

static void check_(int ok, const char *what, int line) {
  if (ok) {
    passed++;
  } else {
    failed++;
    printf("FAIL kernels_movement.c:%d: %s\n", line, what);
  }
}

static void check_eq_(long long got, long long want, const char *what, int line) {
  if (got == want) {
    passed++;
  } else {
    failed++;
    printf("FAIL kernels_movement.c:%d: %s == %lld, expected %lld\n", line, what,
           got, want);
  }
}

static uint32_t rng = 0x9E3779B9u;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}
static int32_t below(int32_t n) { return (int32_t)(rnd() % (uint32_t)n); }

/* ---- program builder for tml_load ---- */

#define MAX_WORDS 4096

typedef struct {
  int32_t w[MAX_WORDS];
  int32_t n_tensors, n_ops, tensor_at, op_words;
  int32_t ops[MAX_WORDS];
  int32_t planned;
} prog;

static void prog_init(prog *p) {
  memset(p, 0, sizeof *p);
}

/* Adds an arena tensor at a 16-aligned offset; returns its index. */
static int32_t prog_tensor(prog *p, int32_t dtype, int32_t bytes) {
  int32_t *t = p->w + 6 + p->n_tensors * 4;
  t[0] = dtype;
  t[1] = TML_ARENA;
  t[2] = p->planned;
  t[3] = bytes;
  p->planned += (bytes + 15) & ~15;
  return p->n_tensors++;
}

static void prog_op(prog *p, int32_t kind, int32_t n_in, const int32_t *in,
                    int32_t n_out, const int32_t *out, int32_t n_params,
                    const int32_t *params) {
  int32_t *o = p->ops + p->op_words;
  int32_t i, k = 4;
  o[0] = kind;
  o[1] = n_in;
  o[2] = n_out;
  o[3] = n_params;
  for (i = 0; i < n_in; i++) o[k++] = in[i];
  for (i = 0; i < n_out; i++) o[k++] = out[i];
  for (i = 0; i < n_params; i++) o[k++] = params[i];
  p->op_words += k;
  p->n_ops++;
}

/* Loads the program into a fresh arena; returns the status. */
static uint8_t arena[1 << 16];
static tml_status prog_load(prog *p) {
  const int32_t head = 6 + p->n_tensors * 4;
  memcpy(p->w + head, p->ops, (size_t)p->op_words * 4);
  p->w[0] = TML_PROGRAM_MAGIC;
  p->w[1] = TML_PROGRAM_VERSION;
  p->w[2] = p->n_tensors;
  p->w[3] = p->n_ops;
  p->w[4] = p->planned;
  p->w[5] = head + p->op_words;
  return tml_load(arena, sizeof arena, NULL, 0, p->w, (uint32_t)p->w[5]);
}

static uint8_t *tensor_ptr(const prog *p, int32_t t) {
  return arena + tml_info(arena, sizeof arena, TML_INFO_PLANNED_OFFSET) +
         p->w[6 + t * 4 + 2];
}

/* ---- generic move ---- */

static void step_init(tml_move_step *s, int32_t type) {
  int32_t d;
  memset(s, 0, sizeof *s);
  s->type = type;
  for (d = 0; d < TML_MOVE_RANK; d++) s->count[d] = 1;
}

/* Slow reference: visits every index tuple. */
static void ref_move(const tml_move_step *s, int32_t elem, const uint8_t *src,
                     uint8_t *dst) {
  int32_t idx[TML_MOVE_RANK] = {0};
  int32_t d;
  for (d = 0; d < TML_MOVE_RANK; d++) {
    if (s->count[d] == 0) return;
  }
  for (;;) {
    long so = s->src_off, dof = s->dst_off;
    for (d = 0; d < TML_MOVE_RANK; d++) {
      so += (long)idx[d] * s->src_stride[d];
      dof += (long)idx[d] * s->dst_stride[d];
    }
    if (s->type == TML_MOVE_COPY) {
      memcpy(dst + dof * elem, src + so * elem, (size_t)elem);
    } else if (s->type == TML_MOVE_FILL_FROM) {
      memcpy(dst + dof * elem, src + (long)s->src_off * elem, (size_t)elem);
    } else {
      int64_t v = (int64_t)(((uint64_t)(uint32_t)s->value_hi << 32) |
                            (uint32_t)s->value_lo);
      int8_t v8 = (int8_t)s->value_lo;
      int16_t v16 = (int16_t)s->value_lo;
      int32_t v32 = s->value_lo;
      if (elem == 1) memcpy(dst + dof, &v8, 1);
      if (elem == 2) memcpy(dst + dof * 2, &v16, 2);
      if (elem == 4) memcpy(dst + dof * 4, &v32, 4);
      if (elem == 8) memcpy(dst + dof * 8, &v, 8);
    }
    for (d = TML_MOVE_RANK - 1; d >= 0; d--) {
      if (++idx[d] < s->count[d]) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

/* Random strided copies (negative source strides included) of every
 * element size, checked against the reference. */
static void test_move_random(void) {
  /* Footprints stay below 5^4 elements of 8 bytes. */
  static uint8_t src[8192], dst_a[4096], dst_b[4096];
  const int32_t sizes[4] = {1, 2, 4, 8};
  int iter;
  for (iter = 0; iter < 400; iter++) {
    tml_move_step s;
    const int32_t elem = sizes[below(4)];
    int32_t d, n = 1, span = 1;
    step_init(&s, below(3));
    /* Up to 4 non-trivial dims, contiguous destination, permuted or
     * reversed source. */
    for (d = TML_MOVE_RANK - 4; d < TML_MOVE_RANK; d++) s.count[d] = 1 + below(4);
    for (d = TML_MOVE_RANK - 1; d >= 0; d--) {
      s.dst_stride[d] = n;
      n *= s.count[d];
    }
    for (d = TML_MOVE_RANK - 1; d >= 0; d--) {
      const int32_t reverse = below(3) == 0;
      s.src_stride[d] = reverse ? -span : span;
      if (reverse) s.src_off += span * (s.count[d] - 1);
      span *= s.count[d] + below(2);
    }
    s.value_lo = (int32_t)rnd();
    s.value_hi = (int32_t)rnd();
    if (s.type == TML_MOVE_FILL_FROM) s.src_off = below(span);
    for (d = 0; d < (int32_t)sizeof src; d++) src[d] = (uint8_t)rnd();
    memset(dst_a, 0x5A, sizeof dst_a);
    memset(dst_b, 0x5A, sizeof dst_b);
    tml_move(&s, elem, src, dst_a);
    ref_move(&s, elem, src, dst_b);
    CHECK(memcmp(dst_a, dst_b, sizeof dst_a) == 0);
  }
}

/* A 2x3 -> 3x2 transpose of int16 and a fill, by hand. */
static void test_move_by_hand(void) {
  const int16_t in[6] = {1, 2, 3, 4, 5, 6};
  int16_t out[6] = {0};
  tml_move_step s;
  step_init(&s, TML_MOVE_COPY);
  s.count[4] = 3;
  s.count[5] = 2;
  s.src_stride[4] = 1;
  s.src_stride[5] = 3;
  s.dst_stride[4] = 2;
  s.dst_stride[5] = 1;
  tml_move(&s, 2, in, out);
  CHECK_EQ(out[0], 1);
  CHECK_EQ(out[1], 4);
  CHECK_EQ(out[2], 2);
  CHECK_EQ(out[5], 6);
  step_init(&s, TML_MOVE_FILL);
  s.count[5] = 6;
  s.dst_stride[5] = 1;
  s.value_lo = -3;
  tml_move(&s, 2, NULL, out);
  CHECK_EQ(out[0], -3);
  CHECK_EQ(out[5], -3);
}

/* The adapter proves every index of every step inside its tensor. */
static void test_move_adapter(void) {
  prog p;
  int32_t params[2 + 3 * 25];
  tml_move_step s;
  int32_t in, out, i;
  const int32_t words = (int32_t)(sizeof s / 4);

  /* A valid reversed copy of 8 floats. */
  prog_init(&p);
  in = prog_tensor(&p, TML_FLOAT32, 32);
  out = prog_tensor(&p, TML_FLOAT32, 32);
  step_init(&s, TML_MOVE_COPY);
  s.count[5] = 8;
  s.src_off = 7;
  s.src_stride[5] = -1;
  s.dst_stride[5] = 1;
  params[0] = 4;
  params[1] = 1;
  memcpy(params + 2, &s, sizeof s);
  prog_op(&p, TML_K_MOVE, 1, &in, 1, &out, 2 + words, params);
  CHECK_EQ(prog_load(&p), TML_OK);
  for (i = 0; i < 8; i++) ((float *)(void *)tensor_ptr(&p, in))[i] = (float)i;
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  CHECK(((float *)(void *)tensor_ptr(&p, out))[0] == 7.0f);
  CHECK(((float *)(void *)tensor_ptr(&p, out))[7] == 0.0f);

  /* One element too far back, too far ahead, past the destination. */
  s.src_off = 8;
  memcpy(params + 2, &s, sizeof s);
  prog_init(&p);
  in = prog_tensor(&p, TML_FLOAT32, 32);
  out = prog_tensor(&p, TML_FLOAT32, 32);
  prog_op(&p, TML_K_MOVE, 1, &in, 1, &out, 2 + words, params);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  s.src_off = 6;
  memcpy(params + 2, &s, sizeof s);
  memcpy(p.ops + 6, params, sizeof params[0] * (size_t)(2 + words));
  p.w[0] = 0;
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  s.src_off = 7;
  s.dst_off = 1;
  memcpy(p.ops + 6, &params[0], 8);
  memcpy(p.ops + 8, &s, sizeof s);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);

  /* Huge strides and counts cannot overflow the proof. */
  s.dst_off = 0;
  s.count[0] = 0x7FFFFFFF;
  s.src_stride[0] = 0x7FFFFFFF;
  memcpy(p.ops + 8, &s, sizeof s);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  s.count[0] = 2;
  s.src_stride[0] = -0x7FFFFFFF - 1;
  memcpy(p.ops + 8, &s, sizeof s);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);

  /* A zero count touches nothing, whatever the offsets say. */
  s.count[0] = 0;
  s.src_off = -1000;
  memcpy(p.ops + 8, &s, sizeof s);
  CHECK_EQ(prog_load(&p), TML_OK);

  /* Element size must match every tensor's dtype; slots must exist. */
  step_init(&s, TML_MOVE_COPY);
  s.count[5] = 8;
  s.src_stride[5] = 1;
  s.dst_stride[5] = 1;
  params[0] = 2;
  memcpy(params + 2, &s, sizeof s);
  memcpy(p.ops + 6, params, sizeof params[0] * (size_t)(2 + words));
  CHECK_EQ(prog_load(&p), TML_E_BAD_DTYPE);
  params[0] = 4;
  s.src = 1;
  memcpy(params + 2, &s, sizeof s);
  memcpy(p.ops + 6, params, sizeof params[0] * (size_t)(2 + words));
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  s.src = 0;
  s.type = 7;
  memcpy(params + 2, &s, sizeof s);
  memcpy(p.ops + 6, params, sizeof params[0] * (size_t)(2 + words));
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  /* n_steps disagreeing with the params length. */
  s.type = TML_MOVE_COPY;
  params[1] = 2;
  memcpy(params + 2, &s, sizeof s);
  memcpy(p.ops + 6, params, sizeof params[0] * (size_t)(2 + words));
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  params[1] = 0x7FFFFFFF;
  memcpy(p.ops + 6, params, 8);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
}

/* ---- GATHER ---- */

static void test_gather(void) {
  /* params [2, 4, 3] int8, axis 1, batch_dims 1, indices [2, 2]. */
  int8_t in[24], out[12];
  const int32_t idx[4] = {3, 0, 1, 4};
  tml_gather_params p = {2, 1, 4, 2, 3};
  int32_t i, bad;
  for (i = 0; i < 24; i++) in[i] = (int8_t)i;
  memset(out, 0x55, sizeof out);
  bad = tml_gather(&p, (const uint8_t *)in, idx, (uint8_t *)out);
  CHECK_EQ(bad, 1);
  CHECK_EQ(out[0], 9);  /* batch 0, index 3 */
  CHECK_EQ(out[3], 0);  /* batch 0, index 0 */
  CHECK_EQ(out[6], 15); /* batch 1, index 1: 12 + 3 */
  CHECK_EQ(out[9], 0);  /* batch 1, index 4: out of range, zeroed */
  CHECK_EQ(out[11], 0);
}

static void test_gather_adapter(void) {
  prog p;
  int32_t ins[2], out;
  const int32_t params[5] = {1, 1, 5, 3, 4};
  prog_init(&p);
  ins[0] = prog_tensor(&p, TML_FLOAT32, 20);
  ins[1] = prog_tensor(&p, TML_INT32, 12);
  out = prog_tensor(&p, TML_FLOAT32, 12);
  prog_op(&p, TML_K_GATHER, 2, ins, 1, &out, 5, params);
  CHECK_EQ(prog_load(&p), TML_OK);
  /* An index out of range at run time: zeros in its slice, and invoke says so. */
  ((int32_t *)(void *)tensor_ptr(&p, ins[1]))[1] = -7;
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_E_BAD_DATA);
  CHECK_EQ(tml_info(arena, sizeof arena, TML_INFO_ERR_DETAIL), 1);
  ((int32_t *)(void *)tensor_ptr(&p, ins[1]))[1] = 0;
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  p.ops[4 + 3 + 2] = 6; /* axis_size beyond the params tensor */
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  p.ops[4 + 3 + 2] = 5;
  p.w[6 + ins[1] * 4] = TML_INT16; /* indices must be int32 */
  CHECK_EQ(prog_load(&p), TML_E_BAD_DTYPE);
}

/* ---- RESIZE_NEAREST_NEIGHBOR ---- */

static void test_resize(void) {
  prog p;
  int32_t in, out, i;
  /* [1, 2, 2, 1] int16 -> [1, 3, 3, 1] with rows {0, 0, 1}, cols {0, 1, 1}. */
  int32_t params[6 + 6] = {1, 2, 2, 3, 3, 2, 0, 0, 1, 0, 1, 1};
  int16_t *o;
  prog_init(&p);
  in = prog_tensor(&p, TML_INT16, 8);
  out = prog_tensor(&p, TML_INT16, 18);
  prog_op(&p, TML_K_RESIZE_NN, 1, &in, 1, &out, 12, params);
  CHECK_EQ(prog_load(&p), TML_OK);
  for (i = 0; i < 4; i++) ((int16_t *)(void *)tensor_ptr(&p, in))[i] = (int16_t)(10 + i);
  CHECK_EQ(tml_invoke(arena, sizeof arena), TML_OK);
  o = (int16_t *)(void *)tensor_ptr(&p, out);
  CHECK_EQ(o[0], 10);
  CHECK_EQ(o[1], 11);
  CHECK_EQ(o[2], 11);
  CHECK_EQ(o[8], 13);
  p.ops[4 + 2 + 6 + 2] = 2; /* row 2 of a 2-row input */
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  p.ops[4 + 2 + 6 + 2] = 1;
  p.ops[4 + 2 + 6 + 3] = -1;
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  p.ops[4 + 2 + 6 + 3] = 0;
  p.ops[3] = 11; /* one table entry short */
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
}

/* ---- MEAN / SUM ---- */

/* TFLM's MultiplyByQuantizedMultiplier (double rounding), written plainly. */
static int32_t ref_mbqm(int32_t x, int32_t mult, int32_t shift) {
  int64_t a = (int64_t)(int32_t)((uint32_t)x << (shift > 0 ? shift : 0));
  int64_t ab, hi, m, q;
  int32_t e = shift > 0 ? 0 : -shift;
  if (a == INT32_MIN && mult == INT32_MIN) {
    hi = INT32_MAX;
  } else {
    ab = a * mult;
    hi = (ab + (ab >= 0 ? ((int64_t)1 << 30) : 1 - ((int64_t)1 << 30))) / ((int64_t)1 << 31);
  }
  if (e == 0) return (int32_t)hi;
  m = hi < 0 ? -hi : hi;
  q = (m + ((int64_t)1 << (e - 1))) >> e;
  /* ties away from zero on the magnitude, as RoundingDivideByPOT */
  return (int32_t)(hi < 0 ? -q : q);
}

typedef struct {
  int32_t rank, dims[4], reduced[4];
} red_case;

/* Kept/reduced runs of a case, right-aligned as the TypeScript side does
 * (one dim per run, no merging: also valid). */
static void red_geometry(const red_case *c, int32_t *oc, int32_t *os,
                         int32_t *rc, int32_t *rs) {
  int32_t stride[4], d, ko = 0, kr = 0, n = 1;
  for (d = c->rank - 1; d >= 0; d--) {
    stride[d] = n;
    n *= c->dims[d];
  }
  for (d = 0; d < 4; d++) {
    oc[d] = rc[d] = 1;
    os[d] = rs[d] = 0;
  }
  for (d = 0; d < c->rank; d++) {
    if (c->reduced[d]) kr++;
    else ko++;
  }
  ko = 4 - ko;
  kr = 4 - kr;
  for (d = 0; d < c->rank; d++) {
    if (c->reduced[d]) {
      rc[kr] = c->dims[d];
      rs[kr++] = stride[d];
    } else {
      oc[ko] = c->dims[d];
      os[ko++] = stride[d];
    }
  }
}

/* TFLM's traversal: walk the whole input once, accumulating into the
 * output element its kept coordinates select. */
static int32_t red_out_index(const red_case *c, const int32_t *idx) {
  int32_t o = 0, d;
  for (d = 0; d < c->rank; d++) {
    if (!c->reduced[d]) o = o * c->dims[d] + idx[d];
  }
  return o;
}

static int next_idx(const red_case *c, int32_t *idx) {
  int32_t d;
  for (d = c->rank - 1; d >= 0; d--) {
    if (++idx[d] < c->dims[d]) return 1;
    idx[d] = 0;
  }
  return 0;
}

static void random_case(red_case *c) {
  int32_t d, any = 0;
  c->rank = 1 + below(4);
  for (d = 0; d < c->rank; d++) {
    c->dims[d] = 1 + below(5);
    c->reduced[d] = below(2);
    any |= c->reduced[d];
  }
  if (!any) c->reduced[below(c->rank)] = 1;
}

static void test_reduce_q(void) {
  static int16_t in[1024], out_a[1024];
  static int32_t acc[1024];
  int iter;
  for (iter = 0; iter < 300; iter++) {
    red_case c;
    tml_reduce_q_params p;
    int32_t idx[4] = {0, 0, 0, 0}, n_in = 1, n_out = 1, n = 1, d, i;
    const int is16 = below(2);
    random_case(&c);
    for (d = 0; d < c.rank; d++) {
      n_in *= c.dims[d];
      if (c.reduced[d]) n *= c.dims[d];
      else n_out *= c.dims[d];
    }
    p.dtype = is16 ? TML_INT16 : TML_INT8;
    p.in_zp = is16 ? below(200) - 100 : below(256) - 128;
    p.out_zp = is16 ? below(200) - 100 : below(256) - 128;
    p.mult = (int32_t)(0x40000000u + (rnd() & 0x3FFFFFFFu));
    p.shift = below(12) - 9;
    red_geometry(&c, p.out_count, p.out_stride, p.red_count, p.red_stride);
    for (i = 0; i < n_in; i++) {
      int32_t v = (int32_t)(rnd() & 0xFFFF) - 32768;
      if (!is16) {
        ((int8_t *)in)[i] = (int8_t)(v >> 8);
      } else {
        in[i] = (int16_t)v;
      }
    }
    tml_reduce_q(&p, in, out_a);
    for (i = 0; i < n_out; i++) acc[i] = 0;
    do {
      int32_t off = 0;
      for (d = 0; d < c.rank; d++) off = off * c.dims[d] + idx[d];
      acc[red_out_index(&c, idx)] += is16 ? in[off] : ((int8_t *)in)[off];
    } while (next_idx(&c, idx));
    for (i = 0; i < n_out; i++) {
      int32_t v = ref_mbqm(acc[i] - p.in_zp * n, p.mult, p.shift) + p.out_zp;
      int32_t got = is16 ? out_a[i] : ((int8_t *)out_a)[i];
      const int32_t lo = is16 ? -32768 : -128, hi = is16 ? 32767 : 127;
      v = v < lo ? lo : (v > hi ? hi : v);
      CHECK_EQ(got, v);
    }
  }
}

static void test_reduce_f32(void) {
  static float in[1024], out_a[1024], acc[1024];
  int iter;
  for (iter = 0; iter < 300; iter++) {
    red_case c;
    tml_reduce_f32_params p;
    int32_t idx[4] = {0, 0, 0, 0}, n_in = 1, n_out = 1, n = 1, d, i;
    random_case(&c);
    for (d = 0; d < c.rank; d++) {
      n_in *= c.dims[d];
      if (c.reduced[d]) n *= c.dims[d];
      else n_out *= c.dims[d];
    }
    p.mean = below(2);
    red_geometry(&c, p.out_count, p.out_stride, p.red_count, p.red_stride);
    for (i = 0; i < n_in; i++) in[i] = (float)((int32_t)(rnd() >> 8) - 8388608) * 1e-5f;
    tml_reduce_f32(&p, in, out_a);
    for (i = 0; i < n_out; i++) acc[i] = 0.0f;
    do {
      int32_t off = 0;
      for (d = 0; d < c.rank; d++) off = off * c.dims[d] + idx[d];
      i = red_out_index(&c, idx);
      acc[i] = in[off] + acc[i];
    } while (next_idx(&c, idx));
    for (i = 0; i < n_out; i++) {
      const float want = p.mean ? acc[i] / (float)n : acc[i];
      CHECK(memcmp(&out_a[i], &want, 4) == 0);
    }
  }
}

static void test_reduce_adapter(void) {
  prog p;
  int32_t in, out;
  tml_reduce_f32_params r;
  int32_t d;
  memset(&r, 0, sizeof r);
  r.mean = 1;
  for (d = 0; d < 4; d++) r.out_count[d] = r.red_count[d] = 1;
  r.out_count[3] = 3; /* [3, 5]: reduce the last dim */
  r.out_stride[3] = 5;
  r.red_count[3] = 5;
  r.red_stride[3] = 1;
  prog_init(&p);
  in = prog_tensor(&p, TML_FLOAT32, 60);
  out = prog_tensor(&p, TML_FLOAT32, 12);
  prog_op(&p, TML_K_REDUCE_F32, 1, &in, 1, &out, (int32_t)(sizeof r / 4),
          (const int32_t *)&r);
  CHECK_EQ(prog_load(&p), TML_OK);
  r.red_stride[3] = 2; /* reads past the input */
  memcpy(p.ops + 6, &r, sizeof r);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  r.red_stride[3] = 0; /* stride 0 with a count product beyond int32 */
  r.red_count[0] = r.red_count[1] = r.red_count[2] = 0x10000;
  memcpy(p.ops + 6, &r, sizeof r);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
  r.red_count[0] = r.red_count[1] = r.red_count[2] = 1;
  r.red_stride[3] = 1;
  r.out_count[2] = 2; /* 6 outputs into a 3-float output */
  memcpy(p.ops + 6, &r, sizeof r);
  CHECK_EQ(prog_load(&p), TML_E_BAD_PARAMS);
}

/* ---- ARG_MAX / ARG_MIN ---- */

static void test_arg_minmax(void) {
  const float f[8] = {1.0f, 3.0f, 3.0f, -2.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const int8_t q[6] = {-5, 7, 7, -5, -9, -9};
  int32_t out[2];
  tml_arg_minmax_params p = {TML_FLOAT32, 1, 1, 4, 1};
  float nan_first[3];
  tml_arg_minmax(&p, f, out);
  CHECK_EQ(out[0], 1); /* first of the tied maxima */
  p.is_max = 0;
  tml_arg_minmax(&p, f, out);
  CHECK_EQ(out[0], 3);
  /* [1, 3, 2] int8, axis 1: columns {-5, 7, -9} and {7, -5, -9}. */
  p.dtype = TML_INT8;
  p.is_max = 1;
  p.axis_size = 3;
  p.inner = 2;
  tml_arg_minmax(&p, q, out);
  CHECK_EQ(out[0], 1);
  CHECK_EQ(out[1], 0);
  p.is_max = 0;
  tml_arg_minmax(&p, q, out);
  CHECK_EQ(out[0], 2);
  CHECK_EQ(out[1], 2);
  /* A leading NaN is never replaced (plain > as TFLM's GreaterFn). */
  nan_first[0] = (float)NAN;
  nan_first[1] = 1.0f;
  nan_first[2] = 2.0f;
  p.dtype = TML_FLOAT32;
  p.is_max = 1;
  p.axis_size = 3;
  p.inner = 1;
  tml_arg_minmax(&p, nan_first, out);
  CHECK_EQ(out[0], 0);
}

int main(void) {
  test_move_by_hand();
  test_move_random();
  test_move_adapter();
  test_gather();
  test_gather_adapter();
  test_resize();
  test_reduce_q();
  test_reduce_f32();
  test_reduce_adapter();
  test_arg_minmax();
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
