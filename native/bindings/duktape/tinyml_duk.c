/*
 * tinyml_duk.c - the Duktape face of tinyml.h.
 *
 * Thin on purpose: each function checks JS argument types, takes the data
 * pointers of the ArrayBuffer / typed arrays and calls the C API. C statuses
 * come back as numbers; only wrong JS argument types (and bad arena sizes)
 * throw. Same functions and messages as the Node binding
 * (native/bindings/node/tinyml_node.c).
 */
#include <string.h>

#include "tinyml.h"
#include "tinyml_duk.h"

#define ARENA_MAX 2147483647.0

/* Stash key of the binding's private object: the typed-array constructors
 * captured at registration (so scripts replacing globals cannot change the
 * checks) and the carving state of the board's block. */
#define STASH_KEY DUK_HIDDEN_SYMBOL("tinyml")

typedef struct {
  uint8_t *block;  /* NULL on the host: arenas are Duktape buffers */
  uint32_t size;
  uint32_t used;   /* bytes handed out so far, from block */
} tml_duk_block;

/* Pushes the private object. */
static void push_private(duk_context *ctx) {
  duk_push_global_stash(ctx);
  duk_get_prop_string(ctx, -1, STASH_KEY);
  duk_remove(ctx, -2);
}

/* 1 if the value at idx is buffer data and an instance of private[ctor]. */
static int is_instance(duk_context *ctx, duk_idx_t idx, const char *ctor) {
  int ok;
  if (!duk_is_buffer_data(ctx, idx)) return 0;
  idx = duk_normalize_index(ctx, idx);
  push_private(ctx);
  duk_get_prop_string(ctx, -1, ctor);
  ok = duk_instanceof(ctx, idx, -1) ? 1 : 0;
  duk_pop_2(ctx);
  return ok;
}

/* Data of the ArrayBuffer at idx; throws the TypeError `msg` otherwise. */
static uint8_t *require_arena(duk_context *ctx, duk_idx_t idx, uint32_t *size,
                              const char *msg) {
  duk_size_t n = 0;
  uint8_t *p;
  if (!is_instance(ctx, idx, "ArrayBuffer")) {
    (void)duk_type_error(ctx, "%s", msg);
    return NULL; /* not reached: duk_type_error does not return */
  }
  p = (uint8_t *)duk_get_buffer_data(ctx, idx, &n);
  *size = n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
  return p; /* NULL/0 for an uncovered view; the core answers with a status */
}

static tml_duk_block *block_state(duk_context *ctx) {
  tml_duk_block *st;
  push_private(ctx);
  duk_get_prop_string(ctx, -1, "block");
  st = (tml_duk_block *)duk_require_buffer(ctx, -1, NULL);
  duk_pop_2(ctx);
  return st;
}

/* arena(size) -> a fresh zero-filled ArrayBuffer of `size` bytes. */
static duk_ret_t js_arena(duk_context *ctx) {
  double d;
  uint32_t size;
  tml_duk_block *st;
  if (!duk_is_number(ctx, 0))
    return duk_type_error(ctx, "arena: size must be a number");
  d = duk_get_number(ctx, 0);
  if (!(d >= 1.0 && d <= ARENA_MAX) || d != (double)(uint32_t)d)
    return duk_range_error(ctx,
                           "arena: size must be an integer from 1 to 2147483647");
  size = (uint32_t)d;
  st = block_state(ctx);
  if (st->block == NULL) {
    void *p = duk_push_fixed_buffer(ctx, (duk_size_t)size);
    memset(p, 0, size); /* in case the build turned off buffer zeroing */
  } else {
    /* Carve the next 16-byte aligned region of the board's block. */
    uintptr_t base = (uintptr_t)st->block;
    uint32_t start = st->used;
    uint32_t pad = (uint32_t)((TML_ARENA_ALIGN - ((base + start) % TML_ARENA_ALIGN)) %
                              TML_ARENA_ALIGN);
    uint32_t left = st->size - start;
    left = left > pad ? left - pad : 0;
    if (size > left)
      return duk_range_error(ctx,
                             "arena: %lu bytes requested, %lu left in the board's block",
                             (unsigned long)size, (unsigned long)left);
    start += pad;
    memset(st->block + start, 0, size);
    duk_push_external_buffer(ctx);
    duk_config_buffer(ctx, -1, st->block + start, (duk_size_t)size);
    st->used = start + size;
  }
  duk_push_buffer_object(ctx, -1, 0, (duk_size_t)size, DUK_BUFOBJ_ARRAYBUFFER);
  duk_remove(ctx, -2); /* the plain buffer; the ArrayBuffer keeps it alive */
  return 1;
}

/* load(arena, model, program) -> tml_status. */
static duk_ret_t js_load(duk_context *ctx) {
  uint32_t block_size = 0;
  uint8_t *block;
  void *model, *program;
  duk_size_t model_len = 0, program_len = 0;
  block = require_arena(ctx, 0, &block_size, "load: arena must be an ArrayBuffer");
  if (!is_instance(ctx, 1, "Uint8Array"))
    return duk_type_error(ctx, "load: model must be a Uint8Array");
  if (!is_instance(ctx, 2, "Int32Array"))
    return duk_type_error(ctx, "load: program must be an Int32Array");
  model = duk_get_buffer_data(ctx, 1, &model_len);
  program = duk_get_buffer_data(ctx, 2, &program_len);
  if (model_len > 0xFFFFFFFFu || program_len / 4u > 0x3FFFFFFFu ||
      program_len % 4u != 0 || ((uintptr_t)program & 3u) != 0) {
    duk_push_int(ctx, TML_E_BAD_ARG);
    return 1;
  }
  duk_push_int(ctx, (duk_int_t)tml_load(block, block_size, (const uint8_t *)model,
                                        (uint32_t)model_len, (const int32_t *)program,
                                        (uint32_t)(program_len / 4u)));
  return 1;
}

static duk_ret_t js_invoke(duk_context *ctx) {
  uint32_t size = 0;
  uint8_t *block =
      require_arena(ctx, 0, &size, "invoke: arena must be an ArrayBuffer");
  duk_push_int(ctx, (duk_int_t)tml_invoke(block, size));
  return 1;
}

static duk_ret_t js_reset(duk_context *ctx) {
  uint32_t size = 0;
  uint8_t *block =
      require_arena(ctx, 0, &size, "reset: arena must be an ArrayBuffer");
  duk_push_int(ctx, (duk_int_t)tml_reset(block, size));
  return 1;
}

/* info(arena, key) -> tml_info; a key that is not an int32 reads as -1. */
static duk_ret_t js_info(duk_context *ctx) {
  uint32_t size = 0;
  uint8_t *block = require_arena(ctx, 0, &size, "info: arena must be an ArrayBuffer");
  double key;
  int32_t k = -1;
  if (!duk_is_number(ctx, 1)) return duk_type_error(ctx, "info: key must be a number");
  key = duk_get_number(ctx, 1);
  if (key >= -2147483648.0 && key <= 2147483647.0 && key == (double)(int32_t)key)
    k = (int32_t)key;
  duk_push_int(ctx, (duk_int_t)tml_info(block, size, k));
  return 1;
}

void tml_duk_register(duk_context *ctx, uint8_t *block, uint32_t block_size) {
  static const duk_function_list_entry fns[] = {
      {"arena", js_arena, 1},   {"load", js_load, 3}, {"invoke", js_invoke, 1},
      {"reset", js_reset, 1},   {"info", js_info, 2}, {NULL, NULL, 0}};
  static const char *const ctors[] = {"ArrayBuffer", "Uint8Array", "Int32Array"};
  tml_duk_block *st;
  size_t i;

  duk_push_global_stash(ctx);
  duk_push_object(ctx); /* private object */
  for (i = 0; i < sizeof ctors / sizeof ctors[0]; i++) {
    duk_get_global_string(ctx, ctors[i]);
    duk_put_prop_string(ctx, -2, ctors[i]);
  }
  /* Carving state in a fixed buffer: Duktape memory that never moves. */
  st = (tml_duk_block *)duk_push_fixed_buffer(ctx, sizeof *st);
  st->block = block;
  st->size = block ? block_size : 0;
  st->used = 0;
  duk_put_prop_string(ctx, -2, "block");
  duk_put_prop_string(ctx, -2, STASH_KEY);
  duk_pop(ctx); /* stash */

  duk_push_object(ctx);
  duk_put_function_list(ctx, -1, fns);
  duk_put_global_string(ctx, "__tinyml_native");
}
