/* internal.h - what the core shares with the op adapters (not a public API). */
#ifndef TINYML_INTERNAL_H
#define TINYML_INTERNAL_H

#include "tinyml.h"
#include "tinyml_kernels.h"

/* Lives at the aligned base of the arena block. Pointers stay valid because
 * neither the arena nor the model moves while the program is loaded. */
typedef struct {
  uint32_t magic;          /* TML_CTX_MAGIC once a program is loaded */
  uint32_t aligned_size;   /* block bytes from the aligned base */
  const uint8_t *model;
  uint32_t model_size;
  uint32_t planned_bytes;
  /* The planned section is split in two (shared arenas, tinyml.h): its own
   * part, offsets [0, split), lies right after the context; the rest,
   * offsets [split, planned_bytes), lies shared_at bytes past the context.
   * Alone in its block a program owns it all: split = planned_bytes. */
  uint32_t split;
  uint32_t shared_at;
  const int32_t *program;  /* the copy inside the arena, after the own part */
  uint32_t program_words;
  uint32_t n_tensors;
  uint32_t n_ops;
  int32_t err_op;
  int32_t err_detail;
  int32_t eval_status; /* set by tml_eval_fail during one op's eval */
} tml_ctx;

#define TML_CTX_MAGIC 0x5854434Du /* "MCTX" */

/* The context takes the same arena bytes on 32- and 64-bit targets, so the
 * TypeScript planner can size an arena without asking the native layer. */
#define TML_CTX_BYTES 64

/* The planned section's own part starts right after the context. */
#define TML_PLANNED(ctx) ((uint8_t *)(uintptr_t)(ctx) + TML_CTX_BYTES)

/* Tensor records and op records inside the program copy. */
#define TML_TENSORS(ctx) ((ctx)->program + TML_HEADER_WORDS)
#define TML_OPS(ctx) (TML_TENSORS(ctx) + (ctx)->n_tensors * TML_TENSOR_WORDS)

/* One op record of the program, decoded. */
typedef struct {
  int32_t kind;
  int32_t n_in, n_out, n_params;
  const int32_t *in, *out, *params;
} tml_op_view;

/* Packed int8 values (per-channel shifts) stored in program words. */
static inline const int8_t *tml_packed_i8(const int32_t *words) {
  return (const int8_t *)(const void *)words;
}

/* Leaves an error record (readable with tml_info) in a block that holds no
 * program, and returns status. */
tml_status tml_block_fail(uint8_t *block, uint32_t block_size, tml_status status, int32_t detail);

/* Element size of a dtype in bytes, 0 if the dtype is unknown. */
uint32_t tml_dtype_size(int32_t dtype);

/* Checks op input/output slot `slot`: the tensor index is in range, has the
 * dtype (or any dtype if dtype < 0) and at least min_bytes of data. An
 * absent tensor (index -1 or where == TML_NONE) is accepted only if
 * allow_absent. Output slots must be writable (in the arena). On failure the
 * ctx error detail is set and a status returned. */
tml_status tml_check_input(tml_ctx *ctx, const tml_op_view *op, int32_t slot,
                           int32_t dtype, uint32_t min_bytes, int allow_absent);
tml_status tml_check_output(tml_ctx *ctx, const tml_op_view *op, int32_t slot,
                            int32_t dtype, uint32_t min_bytes);

/* Data of tensor `index` (NULL if absent). Only after the checks passed. */
void *tml_tensor_data(const tml_ctx *ctx, int32_t index);
uint32_t tml_tensor_bytes(const tml_ctx *ctx, int32_t index);

/* Multiplies positive int32 sizes; returns 0 and sets *ok = 0 on overflow
 * beyond 2^31-1 or a negative factor. Inline: the op checks run at every
 * invoke and call it several times each. */
static inline uint32_t tml_mul_size(int32_t a, int32_t b, int *ok) {
  const int64_t n = (int64_t)a * b;
  if (a < 0 || b < 0 || n > INT32_MAX) {
    *ok = 0;
    return 0;
  }
  return (uint32_t)n;
}

/* Bytes of an a x b x c x d tensor of elem-byte elements (NHWC and friends);
 * 0 and *ok = 0 on overflow. */
uint32_t tml_bytes4(int32_t a, int32_t b, int32_t c, int32_t d, int32_t elem,
                    int *ok);

/* A quantized multiplier/shift pair tml_mul_by_quantized_mult is defined for. */
static inline int tml_quant_ok(int32_t mult, int32_t shift) {
  return mult >= 0 && shift >= -31 && shift <= 30;
}

/* Adapter for one kernel kind: check runs once at load, eval at every invoke. */
typedef struct {
  int32_t kind;
  tml_status (*check)(tml_ctx *ctx, const tml_op_view *op);
  void (*eval)(const tml_ctx *ctx, const tml_op_view *op);
} tml_op_entry;

/* Lets an op's eval report run-time data it cannot use (the rest of its
 * output is left defined, e.g. zeros); tml_invoke stops after that op and
 * returns the status. The context is never const in memory: only the eval
 * signature is, to keep kernels from changing anything else. */
void tml_eval_fail(const tml_ctx *ctx, tml_status status, int32_t detail);

/* The table lives in native/core/ops.c. */
const tml_op_entry *tml_find_op(int32_t kind);

#endif /* TINYML_INTERNAL_H */
