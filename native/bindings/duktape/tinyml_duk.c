/*
 * tinyml_duk.c - the Duktape face of tinyml.h.
 *
 * Thin on purpose: each function only marshals its JS arguments for the
 * shared glue (native/bindings/common/tinyml_glue.h), which checks them,
 * calls the C API and says what to return or throw. C statuses come back as
 * numbers; only wrong JS argument types (and bad arena sizes) throw. Same
 * functions and messages on every engine.
 */
#include <string.h>

#include "tinyml.h"
#include "../common/tinyml_glue.h"
#include "tinyml_duk.h"

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

/* The prototypes of ArrayBuffer, Uint8Array and Int32Array of the heap that
 * registered last: a value whose prototype is one of them is judged without
 * a property lookup (invoke() is the hot path). Only compared, never
 * followed; values of other heaps take the instanceof path. */
static void *fast_protos[3];

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

/* Describes the argument at idx for the glue. Types are judged against the
 * constructors captured at registration. */
static void marshal(duk_context *ctx, duk_idx_t idx, tml_val *out) {
  static const struct {
    const char *ctor;
    tml_val_kind kind;
  } kinds[] = {{"ArrayBuffer", TML_VAL_ARRAYBUFFER},
               {"Uint8Array", TML_VAL_UINT8ARRAY},
               {"Int32Array", TML_VAL_INT32ARRAY}};
  size_t i;
  void *proto;
  tml_val_other(out);
  if (!duk_is_buffer_data(ctx, idx)) {
    if (duk_is_number(ctx, idx)) tml_val_number(out, duk_get_number(ctx, idx));
    return;
  }
  duk_get_prototype(ctx, idx);
  proto = duk_get_heapptr(ctx, -1);
  duk_pop(ctx);
  for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    if ((proto != NULL && proto == fast_protos[i]) || is_instance(ctx, idx, kinds[i].ctor)) {
      duk_size_t n = 0;
      /* NULL/0 for an uncovered view; the core answers with a status. */
      uint8_t *p = (uint8_t *)duk_get_buffer_data(ctx, idx, &n);
      tml_val_buffer(out, kinds[i].kind, p, (size_t)n);
      return;
    }
  }
  out->kind = TML_VAL_OTHER_VIEW; /* another typed array or a DataView */
}

static tml_duk_block *block_state(duk_context *ctx) {
  tml_duk_block *st;
  push_private(ctx);
  duk_get_prop_string(ctx, -1, "block");
  st = (tml_duk_block *)duk_require_buffer(ctx, -1, NULL);
  duk_pop_2(ctx);
  return st;
}

/* Pushes a fresh zero-filled ArrayBuffer of `size` bytes. */
static duk_ret_t push_arena(duk_context *ctx, uint32_t size) {
  tml_duk_block *st = block_state(ctx);
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

/* Every function: marshal the arguments, let the glue check and run them,
 * push the result or throw. */
static duk_ret_t call(duk_context *ctx, tml_fn_id fn) {
  tml_val vals[TML_GLUE_MAX_ARGS];
  tml_res res;
  /* invoke's onError (argument 1) is only called below, never marshalled:
   * invoke() is the hot path. */
  duk_idx_t i, n = fn == TML_FN_INVOKE ? 1 : (duk_idx_t)tml_glue_fns()[fn].argc;
  for (i = 0; i < TML_GLUE_MAX_ARGS; i++) {
    if (i < n) marshal(ctx, i, &vals[i]);
    else tml_val_other(&vals[i]);
  }
  tml_glue_call(fn, vals, &res);
  if (tml_glue_wants_on_error(fn, &res) && duk_is_function(ctx, 1)) {
    duk_dup(ctx, 1);
    duk_push_int(ctx, (duk_int_t)res.value);
    duk_call(ctx, 1);
    return 1;
  }
  switch (res.kind) {
    case TML_RES_INT:
      duk_push_int(ctx, (duk_int_t)res.value);
      return 1;
    case TML_RES_TYPE_ERROR:
      return duk_type_error(ctx, "%s", res.message);
    case TML_RES_RANGE_ERROR:
      return duk_range_error(ctx, "%s", res.message);
    case TML_RES_NEW_ARENA:
      return push_arena(ctx, res.bytes);
    default:
      return duk_error(ctx, DUK_ERR_ERROR, "tinyml: unexpected glue result");
  }
}

static duk_ret_t js_arena(duk_context *ctx) { return call(ctx, TML_FN_ARENA); }
static duk_ret_t js_load(duk_context *ctx) { return call(ctx, TML_FN_LOAD); }
static duk_ret_t js_invoke(duk_context *ctx) { return call(ctx, TML_FN_INVOKE); }
static duk_ret_t js_reset(duk_context *ctx) { return call(ctx, TML_FN_RESET); }
static duk_ret_t js_info(duk_context *ctx) { return call(ctx, TML_FN_INFO); }

void tml_duk_register(duk_context *ctx, uint8_t *block, uint32_t block_size) {
  static const duk_c_function cbs[TML_FN_CORE_COUNT] = {js_arena, js_load, js_invoke,
                                                         js_reset, js_info};
  static const char *const ctors[] = {"ArrayBuffer", "Uint8Array", "Int32Array"};
  tml_duk_block *st;
  size_t i;

  duk_push_global_stash(ctx);
  duk_push_object(ctx); /* private object */
  for (i = 0; i < sizeof ctors / sizeof ctors[0]; i++) {
    duk_get_global_string(ctx, ctors[i]);
    duk_get_prop_string(ctx, -1, "prototype");
    fast_protos[i] = duk_get_heapptr(ctx, -1);
    duk_pop(ctx);
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
  for (i = 0; i < TML_FN_CORE_COUNT; i++) {
    duk_push_c_function(ctx, cbs[i], (duk_idx_t)tml_glue_fns()[i].argc);
    duk_put_prop_string(ctx, -2, tml_glue_fns()[i].name);
  }
  duk_put_global_string(ctx, TML_GLUE_GLOBAL);
}
