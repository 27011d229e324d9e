/* tinyml.c - arena, op program validation and the invoke loop.
 *
 * Nothing here trusts the program: every count, index, offset and size is
 * checked against the arena block and the model bytes before it is used, and
 * every op adapter re-checks its own parameters against its tensors.
 *
 * Nor does anything trust the arena between calls: the context and the
 * program copy live in a block the script can write (tensor views share its
 * ArrayBuffer) and can copy, so invoke/reset first check that the context
 * still describes this very block and then re-run the load-time checks on
 * the copy; invoke checks each op right before running it, in one pass
 * (run_program). That costs about 30 instructions per tensor record and
 * 300-400 per small op on a Cortex-M4: most of a tiny model's invoke
 * overhead, nothing next to a real model's kernels. Only the model pointer
 * cannot be proven; it is the caller's, as in any C API.
 */
#include <string.h>

#include "internal.h"

/* Rounds up to the arena alignment; callers pass n <= INT32_MAX. */
static uint32_t align_up(uint32_t n) {
  return (n + (TML_ARENA_ALIGN - 1)) & ~(uint32_t)(TML_ARENA_ALIGN - 1);
}

/* Same for any uint32, without wrapping. */
static uint64_t align_up64(uint32_t n) {
  return ((uint64_t)n + (TML_ARENA_ALIGN - 1)) &
         ~(uint64_t)(TML_ARENA_ALIGN - 1);
}

typedef char tml_ctx_fits[(sizeof(tml_ctx) <= TML_CTX_BYTES) ? 1 : -1];

static uint32_t ctx_bytes(void) { return TML_CTX_BYTES; }

/* The context sits at the first 16-byte aligned address of the block. */
static tml_ctx *ctx_of(uint8_t *block, uint32_t block_size) {
  uintptr_t addr = (uintptr_t)block;
  uint32_t pad = (uint32_t)((TML_ARENA_ALIGN - (addr % TML_ARENA_ALIGN)) %
                            TML_ARENA_ALIGN);
  if (block == NULL || block_size < pad || block_size - pad < ctx_bytes())
    return NULL;
  return (tml_ctx *)(void *)(block + pad);
}

/* Bytes from the context to the end of the program copy (which follows the
 * own part of the planned section). */
static uint64_t persistent_end(uint32_t split, uint32_t program_words) {
  return (uint64_t)ctx_bytes() + align_up64(split) + (uint64_t)program_words * 4u;
}

/* 1 if a program (planned_bytes, program_words) split at `split` with its
 * shared region `shared_at` bytes past the context has a valid layout: the
 * own part and the program copy after the context, then (when the split
 * leaves a shared part) a 16-byte aligned shared region past the program
 * copy, so that what kernels write never reaches the context or the
 * program. *end: the bytes it uses from the context on. */
static int regions_ok(uint32_t planned_bytes, uint32_t program_words, uint32_t split,
                      uint32_t shared_at, uint64_t *end) {
  uint64_t own, shared_end;
  if (split > planned_bytes) return 0;
  own = persistent_end(split, program_words);
  shared_end = (uint64_t)shared_at + (planned_bytes - split);
  if (split < planned_bytes &&
      (split % TML_ARENA_ALIGN != 0 || shared_at % TML_ARENA_ALIGN != 0 || shared_at < own))
    return 0;
  *end = shared_end > own ? shared_end : own;
  return 1;
}

/* The context of a loaded block, or NULL. Everything the context says about
 * the arena is checked against the block itself: a block that shrank, a
 * copy of a loaded block (its pointers still aim at the original) or a
 * context written by the script is refused here, before any pointer in it is
 * followed. The program copy's words are re-checked by run_program. */
static tml_ctx *loaded_ctx(uint8_t *block, uint32_t block_size) {
  tml_ctx *ctx = ctx_of(block, block_size);
  const int32_t *prog;
  uint64_t used;
  if (ctx == NULL || ctx->magic != TML_CTX_MAGIC) return NULL;
  if (ctx->aligned_size > block_size - (uint32_t)((uint8_t *)ctx - block))
    return NULL;
  if (ctx->planned_bytes > INT32_MAX || ctx->program_words < TML_HEADER_WORDS)
    return NULL;
  if (!regions_ok(ctx->planned_bytes, ctx->program_words, ctx->split, ctx->shared_at, &used) ||
      used > ctx->aligned_size)
    return NULL;
  prog = (const int32_t *)(const void *)(TML_PLANNED(ctx) + align_up(ctx->split));
  if (ctx->program != prog) return NULL;
  if (prog[0] != TML_PROGRAM_MAGIC || prog[1] != TML_PROGRAM_VERSION ||
      (uint32_t)prog[2] != ctx->n_tensors || (uint32_t)prog[3] != ctx->n_ops ||
      (uint32_t)prog[4] != ctx->planned_bytes ||
      (uint32_t)prog[5] != ctx->program_words)
    return NULL;
  if (ctx->n_tensors > (ctx->program_words - TML_HEADER_WORDS) / TML_TENSOR_WORDS)
    return NULL;
  if (ctx->model == NULL && ctx->model_size != 0) return NULL;
  return ctx;
}

uint32_t tml_dtype_size(int32_t dtype) {
  /* By TFLite TensorType number; 0: not a dtype the kernels take. */
  static const uint8_t sizes[16] = {4, 0, 4, 1, 8, 0, 1, 2, 0, 1, 0, 0, 8, 0, 0, 4};
  return (uint32_t)dtype < 16u ? sizes[dtype] : 0u;
}

uint32_t tml_bytes4(int32_t a, int32_t b, int32_t c, int32_t d, int32_t elem,
                    int *ok) {
  uint32_t n = tml_mul_size(a, b, ok);
  n = tml_mul_size((int32_t)n, c, ok);
  n = tml_mul_size((int32_t)n, d, ok);
  n = tml_mul_size((int32_t)n, elem, ok);
  return *ok ? n : 0;
}

uint32_t tml_arena_bytes_needed(uint32_t planned_bytes, uint32_t program_words) {
  uint64_t n = (uint64_t)(TML_ARENA_ALIGN - 1) + ctx_bytes() +
               align_up64(planned_bytes) + (uint64_t)program_words * 4u;
  return n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
}

/* Where byte `offset` of the planned section lives: in the own part or the
 * shared region. Only for offsets check_tensor_record accepted. */
static uint8_t *arena_at(const tml_ctx *ctx, uint32_t offset) {
  if (offset < ctx->split) return TML_PLANNED(ctx) + offset;
  return (uint8_t *)(uintptr_t)ctx + ctx->shared_at + (offset - ctx->split);
}

static const int32_t *tensor_rec(const tml_ctx *ctx, int32_t index) {
  return TML_TENSORS(ctx) + (uint32_t)index * TML_TENSOR_WORDS;
}

/* Both accessors answer NULL / 0 for an absent or out-of-range tensor, so an
 * adapter that asks about a slot it did not check cannot leave the program. */
void *tml_tensor_data(const tml_ctx *ctx, int32_t index) {
  const int32_t *t;
  if (index < 0 || (uint32_t)index >= ctx->n_tensors) return NULL;
  t = tensor_rec(ctx, index);
  if (TML_PLACE_WHERE(t[1]) == TML_ARENA) return arena_at(ctx, (uint32_t)t[2]);
  if (TML_PLACE_WHERE(t[1]) == TML_MODEL)
    return (void *)(uintptr_t)(ctx->model + t[2]);
  return NULL;
}

uint32_t tml_tensor_bytes(const tml_ctx *ctx, int32_t index) {
  const int32_t *t;
  if (index < 0 || (uint32_t)index >= ctx->n_tensors) return 0;
  t = tensor_rec(ctx, index);
  /* An absent tensor's record words are never checked: it has no bytes. */
  return TML_PLACE_WHERE(t[1]) == TML_NONE ? 0 : (uint32_t)t[3];
}

static tml_status fail(tml_ctx *ctx, tml_status status, int32_t detail) {
  ctx->err_detail = detail;
  return status;
}

static tml_status check_tensor(tml_ctx *ctx, int32_t index, int32_t dtype,
                               uint32_t min_bytes, int allow_absent,
                               int writable) {
  const int32_t *t;
  if (index == -1) {
    return allow_absent ? TML_OK : fail(ctx, TML_E_BAD_PARAMS, index);
  }
  if (index < 0 || (uint32_t)index >= ctx->n_tensors)
    return fail(ctx, TML_E_BAD_INDEX, index);
  t = tensor_rec(ctx, index);
  if (TML_PLACE_WHERE(t[1]) == TML_NONE) {
    return allow_absent ? TML_OK : fail(ctx, TML_E_BAD_PARAMS, index);
  }
  if (dtype >= 0 && t[0] != dtype) return fail(ctx, TML_E_BAD_DTYPE, index);
  if ((uint32_t)t[3] < min_bytes) return fail(ctx, TML_E_BAD_PARAMS, index);
  if (writable && TML_PLACE_WHERE(t[1]) != TML_ARENA)
    return fail(ctx, TML_E_READ_ONLY, index);
  return TML_OK;
}

static int32_t slot_index(const int32_t *slots, int32_t n, int32_t slot) {
  return (slot >= 0 && slot < n) ? slots[slot] : -1;
}

tml_status tml_check_input(tml_ctx *ctx, const tml_op_view *op, int32_t slot,
                           int32_t dtype, uint32_t min_bytes, int allow_absent) {
  if (slot < 0 || slot >= op->n_in) {
    return allow_absent ? TML_OK : fail(ctx, TML_E_BAD_PARAMS, slot);
  }
  return check_tensor(ctx, slot_index(op->in, op->n_in, slot), dtype,
                      min_bytes, allow_absent, 0);
}

tml_status tml_check_output(tml_ctx *ctx, const tml_op_view *op, int32_t slot,
                            int32_t dtype, uint32_t min_bytes) {
  if (slot < 0 || slot >= op->n_out) return fail(ctx, TML_E_BAD_PARAMS, slot);
  return check_tensor(ctx, op->out[slot], dtype, min_bytes, 0, 1);
}

/* Decodes the op record at `words` (bounded by `end`); 0 if it does not fit. */
static int decode_op(const int32_t *words, const int32_t *end, tml_op_view *op) {
  uint32_t left = (uint32_t)(end - words);
  uint32_t body;
  if (left < TML_OP_HEADER_WORDS) return 0;
  op->kind = words[0];
  op->n_in = words[1];
  op->n_out = words[2];
  op->n_params = words[3];
  if (op->n_in < 0 || op->n_out < 0 || op->n_params < 0) return 0;
  if (op->n_in > 64 || op->n_out > 64) return 0;
  body = (uint32_t)op->n_in + (uint32_t)op->n_out;
  if ((uint32_t)op->n_params > left - TML_OP_HEADER_WORDS ||
      body > left - TML_OP_HEADER_WORDS - (uint32_t)op->n_params)
    return 0;
  op->in = words + TML_OP_HEADER_WORDS;
  op->out = op->in + op->n_in;
  op->params = op->out + op->n_out;
  return 1;
}

static uint32_t op_words(const tml_op_view *op) {
  return TML_OP_HEADER_WORDS + (uint32_t)op->n_in + (uint32_t)op->n_out +
         (uint32_t)op->n_params;
}

/* Checks one tensor record against the planned section and the model. */
static tml_status check_tensor_record(tml_ctx *ctx, int32_t index) {
  const int32_t *t = tensor_rec(ctx, index);
  uint32_t size = tml_dtype_size(t[0]);
  uint32_t offset = (uint32_t)t[2], bytes = (uint32_t)t[3];
  int32_t where = TML_PLACE_WHERE(t[1]);
  /* Fast path (run at every invoke): a plain record (no state, no fill) in
   * the own part of the planned section, the most common kind, passes every
   * check below; accepted in one pass. (Own-part offsets are < split <=
   * planned_bytes <= INT32_MAX, so both words are >= 0.) */
  if (t[1] == TML_ARENA && size != 0 && offset < ctx->split &&
      bytes <= ctx->split - offset && (offset & (size - 1u)) == 0)
    return TML_OK;
  if ((t[1] & ~TML_PLACE_KNOWN_BITS) != 0 ||
      ((t[1] & TML_STATE) && where != TML_ARENA))
    return fail(ctx, TML_E_BAD_PROGRAM, index);
  if (where == TML_NONE) return TML_OK;
  if (size == 0) return fail(ctx, TML_E_BAD_DTYPE, index);
  if (t[2] < 0 || t[3] < 0) return fail(ctx, TML_E_OUT_OF_BOUNDS, index);
  if (where == TML_ARENA) {
    if (offset > ctx->planned_bytes || bytes > ctx->planned_bytes - offset)
      return fail(ctx, TML_E_OUT_OF_BOUNDS, index);
    /* A tensor lies wholly in the own part or wholly in the shared part, and
     * state (which must outlive other programs' invokes) in the own part. */
    if (offset < ctx->split ? bytes > ctx->split - offset : (t[1] & TML_STATE) && bytes != 0)
      return fail(ctx, TML_E_OUT_OF_BOUNDS, index);
    /* Both parts are 16-byte aligned (split is a multiple of 16 when it
     * leaves a shared part); offsets keep element alignment. */
    if ((offset & (size - 1u)) != 0) return fail(ctx, TML_E_MISALIGNED, index);
  } else if (where == TML_MODEL) {
    if (ctx->model == NULL || offset > ctx->model_size ||
        bytes > ctx->model_size - offset)
      return fail(ctx, TML_E_OUT_OF_BOUNDS, index);
    if (((uintptr_t)(ctx->model + offset) & (size - 1u)) != 0)
      return fail(ctx, TML_E_MISALIGNED, index);
  } else {
    return fail(ctx, TML_E_BAD_PROGRAM, index);
  }
  return TML_OK;
}

/* Sets every state tensor to its fill byte. */
static void reset_state(tml_ctx *ctx) {
  uint32_t i;
  for (i = 0; i < ctx->n_tensors; i++) {
    const int32_t *t = tensor_rec(ctx, (int32_t)i);
    if (t[1] & TML_STATE)
      memset(arena_at(ctx, (uint32_t)t[2]), TML_PLACE_FILL(t[1]), (size_t)t[3]);
  }
}

/* Checks every tensor record and every op record of the program copy (the
 * ctx fields must already describe it) and, with `eval`, runs each op right
 * after its check. Nothing in the block can be trusted between calls (see
 * the top of this file), so invoke and reset run every check again; the
 * checks only read, and kernels only write the planned section, which holds
 * neither the context nor the program: what op i's check proved still holds
 * when it runs, and checking op i + 1 after running op i is the same as
 * checking all first. Only a block tampered with after load can fail here,
 * and then the ops before the bad one have run. */
static tml_status run_program(tml_ctx *ctx, int eval) {
  const int32_t *words, *end;
  uint32_t i;
  tml_status status;
  ctx->err_op = -1;
  for (i = 0; i < ctx->n_tensors; i++) {
    status = check_tensor_record(ctx, (int32_t)i);
    if (status != TML_OK) return status;
  }
  words = TML_OPS(ctx);
  end = ctx->program + ctx->program_words;
  ctx->eval_status = TML_OK;
  for (i = 0; i < ctx->n_ops; i++) {
    tml_op_view op;
    const tml_op_entry *entry;
    ctx->err_op = (int32_t)i;
    if (!decode_op(words, end, &op)) return fail(ctx, TML_E_BAD_PROGRAM, 0);
    entry = tml_find_op(op.kind);
    if (entry == NULL || entry->check == NULL || entry->eval == NULL)
      return fail(ctx, TML_E_UNSUPPORTED_OP, op.kind);
    status = entry->check(ctx, &op);
    if (status != TML_OK) return status;
    if (eval) {
#ifdef TML_PROFILE
      tml_profile_op(i, op.kind, 0);
#endif
      entry->eval(ctx, &op);
#ifdef TML_PROFILE
      tml_profile_op(i, op.kind, 1);
#endif
      if (ctx->eval_status != TML_OK) return (tml_status)ctx->eval_status;
    }
    words += op_words(&op);
  }
  if (words != end) return fail(ctx, TML_E_BAD_PROGRAM, 0);
  ctx->err_op = -1;
  return TML_OK;
}

/* 1 if [p, p + n) and [q, q + m) share a byte (address arithmetic only). */
static int overlaps(const void *p, uint64_t n, const void *q, uint64_t m) {
  const uint64_t a = (uint64_t)(uintptr_t)p, b = (uint64_t)(uintptr_t)q;
  return n != 0 && m != 0 && a < b + m && b < a + n;
}

/* The own part of a program that shares its block: every state tensor lies
 * below it (planners put state first). A multiple of 16, or planned_bytes.
 * Reads the caller's program (header checked); bad records are refused
 * later by run_program. */
static uint32_t state_split(const int32_t *program, uint32_t n_tensors, uint32_t planned_bytes) {
  const int32_t *t = program + TML_HEADER_WORDS;
  uint64_t end = 0;
  uint32_t i;
  for (i = 0; i < n_tensors; i++, t += TML_TENSOR_WORDS) {
    if (TML_PLACE_WHERE(t[1]) == TML_ARENA && (t[1] & TML_STATE) && t[2] >= 0 && t[3] >= 0 &&
        (uint64_t)t[2] + (uint32_t)t[3] > end)
      end = (uint64_t)t[2] + (uint32_t)t[3];
  }
  end = (end + (TML_ARENA_ALIGN - 1)) & ~(uint64_t)(TML_ARENA_ALIGN - 1);
  return end < planned_bytes ? (uint32_t)end : planned_bytes;
}

tml_status tml_load(uint8_t *block, uint32_t block_size, const uint8_t *model,
                    uint32_t model_size, const int32_t *program,
                    uint32_t program_words) {
  return tml_load_shared(block, block_size, 0, model, model_size, program, program_words);
}

tml_status tml_load_shared(uint8_t *block, uint32_t block_size, uint32_t shared_at,
                           const uint8_t *model, uint32_t model_size, const int32_t *program,
                           uint32_t program_words) {
  tml_ctx *ctx = ctx_of(block, block_size);
  uint32_t n_tensors, n_ops, planned_bytes, split;
  uint64_t needed;
  int32_t *copy;
  tml_status status;

  if (ctx == NULL) return TML_E_ARENA_TOO_SMALL;
  memset(ctx, 0, sizeof *ctx);
  ctx->err_op = -1;
  if (program == NULL || (model == NULL && model_size != 0))
    return fail(ctx, TML_E_BAD_ARG, 0);
  /* The program is read as int32 words, and copied into the block: it must
   * be aligned and must not live inside the block (the copy would overlap
   * it). The model must not either: load and reset write the planned
   * section, and a model tensor could then alias an output. */
  if (((uintptr_t)program & 3u) != 0 ||
      overlaps(program, (uint64_t)program_words * 4u, block, block_size) ||
      overlaps(model, model_size, block, block_size))
    return fail(ctx, TML_E_BAD_ARG, 1);
  if (program_words < TML_HEADER_WORDS || program[0] != TML_PROGRAM_MAGIC ||
      program[1] != TML_PROGRAM_VERSION || program[2] < 0 || program[3] < 0 ||
      program[4] < 0 || (uint32_t)program[5] != program_words)
    return fail(ctx, TML_E_BAD_PROGRAM, 0);
  n_tensors = (uint32_t)program[2];
  n_ops = (uint32_t)program[3];
  planned_bytes = (uint32_t)program[4];
  if (n_tensors > (program_words - TML_HEADER_WORDS) / TML_TENSOR_WORDS)
    return fail(ctx, TML_E_BAD_PROGRAM, 0);

  /* Alone, the program owns its whole planned section; sharing, only the
   * part that holds its state. */
  if (shared_at == 0) {
    split = planned_bytes;
    shared_at = ctx_bytes() + planned_bytes; /* an empty region, where the own part ends */
  } else {
    split = state_split(program, n_tensors, planned_bytes);
  }
  if (!regions_ok(planned_bytes, program_words, split, shared_at, &needed))
    return fail(ctx, TML_E_BAD_ARG, 2);
  /* What this very block needs, its own alignment pad included, in 64 bits
   * (tml_arena_bytes_needed assumes the worst pad and saturates). */
  needed += (uint64_t)((uint8_t *)ctx - block);
  if (needed > block_size)
    return fail(ctx, TML_E_ARENA_TOO_SMALL,
                needed > INT32_MAX ? INT32_MAX : (int32_t)needed);

  ctx->aligned_size = block_size - (uint32_t)((uint8_t *)ctx - block);
  ctx->model = model;
  ctx->model_size = model_size;
  ctx->planned_bytes = planned_bytes;
  ctx->split = split;
  ctx->shared_at = shared_at;
  copy = (int32_t *)(void *)(TML_PLANNED(ctx) + align_up(split));
  memcpy(copy, program, (size_t)program_words * 4u);
  ctx->program = copy;
  ctx->program_words = program_words;
  ctx->n_tensors = n_tensors;
  ctx->n_ops = n_ops;

  status = run_program(ctx, 0);
  if (status != TML_OK) return status;
  memset(TML_PLANNED(ctx), 0, split);
  memset(arena_at(ctx, split), 0, planned_bytes - split);
  reset_state(ctx);
  ctx->magic = TML_CTX_MAGIC;
  return TML_OK;
}

tml_status tml_invoke(uint8_t *block, uint32_t block_size) {
  tml_ctx *ctx = loaded_ctx(block, block_size);
  if (ctx == NULL) return TML_E_NOT_LOADED;
  return run_program(ctx, 1);
}

void tml_eval_fail(const tml_ctx *ctx, tml_status status, int32_t detail) {
  tml_ctx *writable = (tml_ctx *)(uintptr_t)ctx;
  writable->eval_status = (int32_t)status;
  writable->err_detail = detail;
}

tml_status tml_reset(uint8_t *block, uint32_t block_size) {
  tml_ctx *ctx = loaded_ctx(block, block_size);
  tml_status status;
  if (ctx == NULL) return TML_E_NOT_LOADED;
  status = run_program(ctx, 0);
  if (status != TML_OK) return status;
  reset_state(ctx);
  return TML_OK;
}

int tml_model_within(const uint8_t *block, uint32_t block_size, const uint8_t *model,
                     size_t model_size) {
  const tml_ctx *ctx = loaded_ctx((uint8_t *)(uintptr_t)block, block_size);
  uintptr_t a, b;
  if (ctx == NULL) return 0;
  if (ctx->model_size == 0) return 1; /* nothing of it is ever read */
  if (model == NULL) return 0;
  a = (uintptr_t)ctx->model;
  b = (uintptr_t)model;
  return a >= b && a - b <= model_size && ctx->model_size <= model_size - (a - b);
}

tml_status tml_block_fail(uint8_t *block, uint32_t block_size, tml_status status, int32_t detail) {
  tml_ctx *ctx = ctx_of(block, block_size);
  if (ctx == NULL) return status;
  memset(ctx, 0, sizeof *ctx);
  ctx->err_op = -1;
  return fail(ctx, status, detail);
}

static int32_t clamp_i32(uint64_t n) {
  return n > INT32_MAX ? INT32_MAX : (int32_t)n;
}

int32_t tml_info(const uint8_t *block, uint32_t block_size, int32_t key) {
  tml_ctx *ctx = ctx_of((uint8_t *)(uintptr_t)block, block_size);
  if (ctx == NULL) return -1;
  /* Error records are readable after a failed load, the rest only once loaded. */
  if (key == TML_INFO_ERR_OP) return ctx->err_op;
  if (key == TML_INFO_ERR_DETAIL) return ctx->err_detail;
  if (key == TML_INFO_CTX_BYTES) return (int32_t)ctx_bytes();
  if (loaded_ctx((uint8_t *)(uintptr_t)block, block_size) == NULL) return -1;
  /* loaded_ctx proved used bytes <= the block size; the block may still be
   * larger than INT32_MAX bytes, so the sums saturate. */
  switch (key) {
    case TML_INFO_PLANNED_OFFSET:
      return clamp_i32((uint64_t)(TML_PLANNED(ctx) - (const uint8_t *)block));
    case TML_INFO_USED_BYTES: {
      uint64_t end = 0;
      (void)regions_ok(ctx->planned_bytes, ctx->program_words, ctx->split, ctx->shared_at, &end);
      return clamp_i32(end);
    }
    case TML_INFO_SPLIT: return (int32_t)ctx->split;
    case TML_INFO_SHARED_OFFSET:
      return clamp_i32((uint64_t)((uint8_t *)ctx - block) + ctx->shared_at);
    case TML_INFO_PERSISTENT_BYTES:
      return clamp_i32((uint64_t)ctx_bytes() +
                       (uint64_t)ctx->program_words * 4u);
    case TML_INFO_PLANNED_BYTES: return (int32_t)ctx->planned_bytes;
    default: return -1;
  }
}

const char *tml_status_name(tml_status status) {
  switch (status) {
    case TML_OK: return "OK";
    case TML_E_BAD_ARG: return "E_BAD_ARG";
    case TML_E_BAD_PROGRAM: return "E_BAD_PROGRAM";
    case TML_E_ARENA_TOO_SMALL: return "E_ARENA_TOO_SMALL";
    case TML_E_BAD_INDEX: return "E_BAD_INDEX";
    case TML_E_OUT_OF_BOUNDS: return "E_OUT_OF_BOUNDS";
    case TML_E_UNSUPPORTED_OP: return "E_UNSUPPORTED_OP";
    case TML_E_BAD_PARAMS: return "E_BAD_PARAMS";
    case TML_E_MISALIGNED: return "E_MISALIGNED";
    case TML_E_NOT_LOADED: return "E_NOT_LOADED";
    case TML_E_BAD_DTYPE: return "E_BAD_DTYPE";
    case TML_E_READ_ONLY: return "E_READ_ONLY";
    case TML_E_BAD_DATA: return "E_BAD_DATA";
    case TML_E_BAD_PACK: return "E_BAD_PACK";
    case TML_E_PACK_MISMATCH: return "E_PACK_MISMATCH";
    case TML_E_PACK_VERSION: return "E_PACK_VERSION";
  }
  return "E_UNKNOWN";
}
