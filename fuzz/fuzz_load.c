/*
 * fuzz_load.c - libFuzzer target for the native loading path and the op
 * programs it accepts (clang -fsanitize=fuzzer,address,undefined; built by
 * scripts/build-native-tests.js, run by fuzz/run.js).
 *
 * Input layout (little-endian):
 *   byte 0     flags: bit 0 synthetic model, bit 1 tamper with the loaded
 *              block, bit 2 invoke a copy of the loaded block after freeing
 *              the original, bits 4..7 misalignment of the arena block
 *   bytes 1-4  model length
 *   [8 bytes]  with bit 1: two edits (u16 word, u16 value) of the block's
 *              words after load (word counted from the context; value < 256
 *              picks an interesting value, else it is the int16 itself)
 *   ...        the model bytes (unless synthetic), then the op program
 *              (whatever is left, as int32 words)
 * A synthetic model is `model length` bytes of deterministic pseudo-random
 * data made here: seeds taken from real models (fuzz/make-corpus.js) carry
 * their op program and only the length of their constants, so the corpus
 * stays small.
 *
 * Each input: tml_load; on success fill the planned section (inputs) with
 * data, tml_invoke twice, tml_reset, tml_info; with the tamper flag also
 * overwrite two words of the context / planned section / program copy (not
 * the model pointer and size, which the core cannot prove) and call them
 * again; with the copy flag, invoke a copy of the block after freeing it.
 * Every answer must be a known status; the sanitizers catch the rest.
 *
 * With -DTML_FUZZ_STRUCTURED the target also defines a custom mutator that
 * understands the program: it edits op params, tensor records, indices,
 * kinds and counts (keeping the framing consistent) instead of raw bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_MODEL (1u << 20)   /* synthetic models up to 1 MiB */
#define MAX_PLANNED (1u << 20) /* a larger planned section gets a small block */
#define HDR 5                  /* flags + model length */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t rd32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t xorshift(uint32_t *s) {
  uint32_t x = *s ? *s : 0x9E3779B9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *s = x;
  return x;
}

/* Pseudo-random bytes: 4 KiB of them, then copies (fast for big buffers). */
static void fill(uint8_t *p, uint32_t n, uint32_t seed) {
  uint32_t i, s = seed * 2654435761u + 1u, v = 0, done;
  for (i = 0; i < n && i < 4096; i++) {
    if ((i & 3) == 0) v = xorshift(&s);
    p[i] = (uint8_t)(v >> ((i & 3) * 8));
  }
  for (done = i; done < n; done += i) {
    uint32_t k = n - done < done ? n - done : done;
    memcpy(p + done, p, k);
    i = k;
  }
}

static uint32_t hash(const uint8_t *p, size_t n) {
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static const int32_t INTERESTING[] = {0, 1, -1, 2, 4, 8, 16, 31, 32, 64, 127, 128, 255, 256,
                                      -128, 0x7FFF, 0xFFFF, 0x10000, INT32_MAX, INT32_MIN,
                                      0x3FFFFFFF, 0x40000000, 0x7FFFFFF0};
#define N_INTERESTING ((uint32_t)(sizeof INTERESTING / sizeof INTERESTING[0]))

/* Every status has a name; one without is not a status. */
static int known(tml_status s) { return strcmp(tml_status_name(s), "E_UNKNOWN") != 0; }

/* After a successful load only the data can make invoke fail: the program
 * checks rerun at invoke pass again, so anything but OK / E_BAD_DATA is a
 * finding. */
static void expect_ran(tml_status s) {
  if (s != TML_OK && s != TML_E_BAD_DATA) __builtin_trap();
}

/* A status outside the enum is a finding: stop right here with a report. */
static void expect_known(tml_status s) {
  if (!known(s)) __builtin_trap();
}

static void all_info(const uint8_t *block, uint32_t size) {
  int32_t k;
  for (k = -1; k <= 8; k++) (void)tml_info(block, size, k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t flags;
  uint32_t model_len, program_words, planned = 0, block_size, mis, h = 0;
  const uint8_t *rest, *tamper = NULL;
  size_t rest_len;
  uint8_t *model = NULL, *mem = NULL, *block;
  int32_t *program = NULL;
  tml_status st;

  if (size < HDR) return 0;
  flags = data[0];
  model_len = rd32(data + 1);
  rest = data + HDR;
  rest_len = size - HDR;
  if ((flags & 2) && rest_len >= 8) {
    tamper = rest;
    rest += 8;
    rest_len -= 8;
  }
  if (flags & 1) {
    model_len %= MAX_MODEL + 1;
  } else {
    if (model_len > rest_len) model_len = (uint32_t)rest_len;
  }
  /* Exact-size copies: ASan's redzones sit right after the last byte. */
  model = (uint8_t *)malloc(model_len ? model_len : 1);
  if (flags & 1) {
    fill(model, model_len, model_len);
  } else {
    memcpy(model, rest, model_len);
    rest += model_len;
    rest_len -= model_len;
  }
  program_words = (uint32_t)(rest_len / 4);
  program = (int32_t *)malloc(program_words ? program_words * 4u : 4u);
  memcpy(program, rest, (size_t)program_words * 4u);

  if (program_words >= TML_HEADER_WORDS && program[4] >= 0) planned = (uint32_t)program[4];
  mis = flags >> 4;
  /* Exactly what this block needs (so its last byte borders a redzone), or
   * a small block when the plan is huge. malloc's blocks are 16-aligned, so
   * block = mem + mis needs a pad of (16 - mis) % 16 before its context. */
  block_size = planned <= MAX_PLANNED
                   ? tml_arena_bytes_needed(planned, program_words) - (TML_ARENA_ALIGN - 1) +
                         (16 - mis) % 16
                   : 4096;
  mem = (uint8_t *)malloc((size_t)mis + block_size);
  block = mem + mis;
  memset(block, 0xEE, block_size);

  st = tml_load(block, block_size, model, model_len, program, program_words);
  expect_known(st);
  all_info(block, block_size);
  if (st == TML_OK) {
    int32_t off = tml_info(block, block_size, TML_INFO_PLANNED_OFFSET);
    int32_t pb = tml_info(block, block_size, TML_INFO_PLANNED_BYTES);
    h = hash(data, size);
    if (off < 0 || pb < 0 || (uint32_t)off + (uint32_t)pb > block_size) __builtin_trap();
    fill(block + off, (uint32_t)pb, h);
    expect_ran(tml_invoke(block, block_size));
    expect_ran(tml_invoke(block, block_size));
    if (tml_reset(block, block_size) != TML_OK) __builtin_trap();
    if (tamper) {
      /* What a script could do through the arena's ArrayBuffer. */
      uint32_t words = (uint32_t)tml_info(block, block_size, TML_INFO_USED_BYTES) / 4u;
      uint32_t e;
      tml_ctx *ctx = (tml_ctx *)(void *)(block + off - TML_CTX_BYTES);
      for (e = 0; e < 2; e++) {
        uint32_t at = (uint32_t)(tamper[4 * e] | tamper[4 * e + 1] << 8) % words;
        uint32_t sel = (uint32_t)(tamper[4 * e + 2] | tamper[4 * e + 3] << 8);
        int32_t v = sel < 256 ? INTERESTING[sel % N_INTERESTING] : (int32_t)(int16_t)sel;
        if (at * 4u + 4u > offsetof(tml_ctx, model) &&
            at * 4u < offsetof(tml_ctx, model_size) + sizeof ctx->model_size)
          continue;
        memcpy((uint8_t *)ctx + at * 4u, &v, 4);
      }
      expect_known(tml_invoke(block, block_size));
      expect_known(tml_reset(block, block_size));
      all_info(block, block_size);
    }
  } else if (tml_invoke(block, block_size) != TML_E_NOT_LOADED) {
    __builtin_trap(); /* a failed load must leave nothing loaded */
  }
  /* A copy of the block (ArrayBuffer.slice) is never loaded. */
  if (st == TML_OK && (flags & 4)) {
    uint8_t *copy = (uint8_t *)malloc((size_t)mis + block_size);
    memcpy(copy + mis, block, block_size);
    free(mem);
    mem = NULL;
    if (tml_invoke(copy + mis, block_size) != TML_E_NOT_LOADED) __builtin_trap();
    free(copy);
  }
  free(mem);
  free(program);
  free(model);
  return 0;
}

#ifdef TML_FUZZ_STRUCTURED

static void wr32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* Registered kernel kinds, found once by asking the op table. */
static int32_t kinds[256];
static uint32_t n_kinds;

static void find_kinds(void) {
  int32_t k;
  if (n_kinds) return;
  for (k = 0; k < 256 && n_kinds < 256; k++)
    if (tml_find_op(k)) kinds[n_kinds++] = k;
}

/* Where the records are in a synthetic-model input; 0 if it is not one. */
typedef struct {
  uint8_t *w; /* first program byte */
  uint32_t words, nt, tensors_at, n_ops;
  uint32_t op_at[512]; /* word index of each op record that frames */
  uint32_t ops;
} layout;

static int32_t W(const layout *L, uint32_t i) { return (int32_t)rd32(L->w + i * 4u); }
static void SetW(layout *L, uint32_t i, int32_t v) { wr32(L->w + i * 4u, (uint32_t)v); }

static int parse(uint8_t *data, size_t size, layout *L) {
  uint32_t i, at;
  const size_t start = HDR + ((data[0] & 2) ? 8 : 0);
  if (size < start + TML_HEADER_WORDS * 4 || !(data[0] & 1)) return 0;
  L->w = data + start;
  L->words = (uint32_t)((size - start) / 4);
  if ((uint32_t)W(L, 2) > (L->words - TML_HEADER_WORDS) / TML_TENSOR_WORDS) return 0;
  L->nt = (uint32_t)W(L, 2);
  L->tensors_at = TML_HEADER_WORDS;
  L->n_ops = (uint32_t)W(L, 3);
  L->ops = 0;
  at = TML_HEADER_WORDS + L->nt * TML_TENSOR_WORDS;
  for (i = 0; i < L->n_ops && L->ops < 512; i++) {
    int32_t ni, no, np;
    if (at + TML_OP_HEADER_WORDS > L->words) break;
    ni = W(L, at + 1);
    no = W(L, at + 2);
    np = W(L, at + 3);
    if (ni < 0 || no < 0 || np < 0 || ni > 64 || no > 64 || np > 65536) break;
    if (at + TML_OP_HEADER_WORDS + (uint32_t)(ni + no + np) > L->words) break;
    L->op_at[L->ops++] = at;
    at += TML_OP_HEADER_WORDS + (uint32_t)(ni + no + np);
  }
  return 1;
}

static int32_t tweak(int32_t v, uint32_t r) {
  switch (r % 7) {
    case 0: return INTERESTING[(r >> 3) % N_INTERESTING];
    case 1: return (int32_t)((uint32_t)v + 1u);
    case 2: return (int32_t)((uint32_t)v - 1u);
    case 3: return (int32_t)((uint32_t)v ^ (1u << ((r >> 3) & 31)));
    case 4: return (int32_t)((uint32_t)v * 2u);
    case 5: return (int32_t)(0u - (uint32_t)v);
    default: return (int32_t)((uint32_t)v + ((r >> 3) & 15) - 8);
  }
}

/* Inserts (grow > 0) or removes one word at word index `at` of the program,
 * fixing the header's total; returns the new input size. */
static size_t resize_at(uint8_t *data, size_t size, size_t max_size, layout *L, uint32_t at,
                        int grow, int32_t value) {
  uint8_t *p = L->w + at * 4u;
  size_t tail = size - (size_t)(p - data);
  if (grow > 0) {
    if (size + 4 > max_size) return size;
    memmove(p + 4, p, tail);
    wr32(p, (uint32_t)value);
    size += 4;
    L->words++;
  } else {
    if (tail < 4) return size;
    memmove(p, p + 4, tail - 4);
    size -= 4;
    L->words--;
  }
  SetW(L, 5, (int32_t)L->words);
  return size;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
  layout L;
  uint32_t s = seed | 1u, n, m;
  find_kinds();
  if ((xorshift(&s) & 7) == 0 || !parse(data, size, &L)) return LLVMFuzzerMutate(data, size, max_size);
  n = 1 + (xorshift(&s) & 3);
  for (m = 0; m < n; m++) {
    uint32_t r = xorshift(&s), r2 = xorshift(&s);
    if (!parse(data, size, &L)) break;
    switch (r % 12) {
      case 0: case 1: case 2: case 3: { /* an op parameter */
        uint32_t at, np, ni, no;
        if (!L.ops) break;
        at = L.op_at[r2 % L.ops];
        ni = (uint32_t)W(&L, at + 1);
        no = (uint32_t)W(&L, at + 2);
        np = (uint32_t)W(&L, at + 3);
        if (!np) break;
        at += TML_OP_HEADER_WORDS + ni + no + (r2 >> 9) % np;
        SetW(&L, at, tweak(W(&L, at), xorshift(&s)));
        break;
      }
      case 4: { /* an op's tensor index */
        uint32_t at, k;
        if (!L.ops) break;
        at = L.op_at[r2 % L.ops];
        k = (uint32_t)(W(&L, at + 1) + W(&L, at + 2));
        if (!k) break;
        SetW(&L, at + TML_OP_HEADER_WORDS + (r2 >> 9) % k,
             (int32_t)(xorshift(&s) % (L.nt + 3)) - 2);
        break;
      }
      case 5: { /* another kernel kind */
        if (!L.ops || !n_kinds) break;
        SetW(&L, L.op_at[r2 % L.ops], kinds[(r2 >> 9) % n_kinds]);
        break;
      }
      case 6: case 7: { /* a tensor record field */
        uint32_t at, f;
        if (!L.nt) break;
        at = L.tensors_at + (r2 % L.nt) * TML_TENSOR_WORDS;
        f = (r2 >> 9) & 3;
        if (f == 0) {
          static const int32_t dt[] = {0, 1, 2, 3, 4, 6, 7, 9, 12, 15, 17};
          SetW(&L, at, dt[(r2 >> 11) % 11]);
        } else if (f == 1) {
          static const int32_t pl[] = {0, 1, 2, 3, 0x101, 0x7F0101, 0x102, 0x200};
          SetW(&L, at + 1, pl[(r2 >> 11) % 8]);
        } else {
          SetW(&L, at + f, tweak(W(&L, at + f), xorshift(&s)));
        }
        break;
      }
      case 8: { /* one more / one fewer param (or input), framing kept */
        uint32_t at, which, np;
        if (!L.ops) break;
        at = L.op_at[r2 % L.ops];
        which = 1 + ((r2 >> 9) % 3); /* n_in, n_out or n_params */
        np = (uint32_t)(W(&L, at + 1) + W(&L, at + 2) + W(&L, at + 3));
        if ((r2 >> 12) & 1) {
          /* insert at the end of that section */
          uint32_t end = at + TML_OP_HEADER_WORDS;
          uint32_t k;
          for (k = 1; k <= which; k++) end += (uint32_t)W(&L, at + k);
          SetW(&L, at + which, W(&L, at + which) + 1);
          size = resize_at(data, size, max_size, &L, end, 1, tweak(0, xorshift(&s)));
        } else if (W(&L, at + which) > 0 && np > 0) {
          uint32_t end = at + TML_OP_HEADER_WORDS;
          uint32_t k;
          for (k = 1; k <= which; k++) end += (uint32_t)W(&L, at + k);
          SetW(&L, at + which, W(&L, at + which) - 1);
          size = resize_at(data, size, max_size, &L, end - 1, -1, 0);
        }
        break;
      }
      case 9: /* planned bytes or op count */
        SetW(&L, 3 + (r2 & 1), tweak(W(&L, 3 + (r2 & 1)), xorshift(&s)));
        break;
      case 10: /* model length */
        wr32(data + 1, (uint32_t)tweak((int32_t)rd32(data + 1), r2) % (MAX_MODEL + 1));
        break;
      default: { /* flags: tamper (with its 8 bytes), copy, misalignment */
        const uint8_t old = data[0];
        const uint8_t nf = (uint8_t)((old & 1) | ((r2 & 0xFE) & ~8u));
        if ((nf & 2) && !(old & 2)) {
          if (size + 8 > max_size) break;
          memmove(data + HDR + 8, data + HDR, size - HDR);
          wr32(data + HDR, xorshift(&s));
          wr32(data + HDR + 4, xorshift(&s) & 0x00FF00FFu);
          size += 8;
        } else if (!(nf & 2) && (old & 2)) {
          memmove(data + HDR, data + HDR + 8, size - HDR - 8);
          size -= 8;
        }
        data[0] = nf;
        break;
      }
    }
  }
  return size;
}

#endif /* TML_FUZZ_STRUCTURED */
