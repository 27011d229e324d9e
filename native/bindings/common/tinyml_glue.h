/*
 * tinyml_glue.h - the engine-neutral half of every JavaScript binding.
 *
 * Each binding (Node, Duktape, JerryScript, Espruino) only marshals values:
 * it describes every JS argument as a tml_val (what kind of value, its data
 * pointer and byte length), calls tml_glue_call(), and turns the tml_res back
 * into a JS value or a thrown error. The argument checks, the messages, the
 * calls into tinyml.h and the table of function names live here, once, so
 * the JS-visible API is the same on every engine.
 *
 * Header-only (static inline functions) so each binding's existing build
 * picks it up without another source file.
 *
 * The functions (global `__tinyml_native` on every engine):
 *   arena(size)                 -> a zero-filled ArrayBuffer of size bytes
 *   load(arena, model, program) -> tml_status (model Uint8Array, program Int32Array)
 *   load(arena, file)           -> tml_status: a packed model (tml_load_packed)
 *   load(arena, model, section) -> tml_status: a model and its packed section (Uint8Array)
 *   load(arena, model, x, sharedAt) -> the same for a program sharing its block
 *                                  (tml_load_shared): arena is then a Uint8Array
 *                                  over the block from this program's context
 *                                  on, sharedAt the shared region's offset
 *   invoke(arena[, onError])    -> tml_status; when it is not OK and onError is a
 *                                  function, the binding returns onError(status)
 *                                  instead (what it returns or throws), so a
 *                                  script can make invoke one native call
 *   reset(arena)                -> tml_status
 *   info(arena, key)            -> int32 (tml_info)
 * and, only where typed-array views cannot take large byte offsets
 * (Espruino: 16-bit byteOffset), an optional
 *   view(buffer, offset, bytes) -> Uint8Array over exactly those bytes of
 *                                  buffer, itself at byteOffset 0 of its
 *                                  .buffer (so views built on it need no offset)
 * Wherever `arena` is taken, a Uint8Array over part of an arena's buffer
 * works too (a program's view of a shared block). Wrong argument types throw
 * TypeError, bad sizes RangeError (Error on engines without RangeError); C
 * statuses come back as numbers.
 */
#ifndef TINYML_GLUE_H
#define TINYML_GLUE_H

#include <stddef.h>
#include <stdint.h>

#include "tinyml.h"

typedef enum {
  TML_FN_ARENA = 0,
  TML_FN_LOAD,
  TML_FN_INVOKE,
  TML_FN_RESET,
  TML_FN_INFO,
  TML_FN_CORE_COUNT, /* every engine registers the functions before this */
  TML_FN_VIEW = TML_FN_CORE_COUNT,
  TML_FN_COUNT
} tml_fn_id;

#define TML_GLUE_MAX_ARGS 4
#define TML_GLUE_ARENA_MAX 2147483647.0
#define TML_GLUE_GLOBAL "__tinyml_native"

typedef struct {
  const char *name;
  uint8_t argc; /* declared parameter count (Function.length) */
} tml_fn_desc;

/* The function table, indexed by tml_fn_id. */
static inline const tml_fn_desc *tml_glue_fns(void) {
  static const tml_fn_desc fns[TML_FN_COUNT] = {
      {"arena", 1}, {"load", 4}, {"invoke", 2}, {"reset", 1}, {"info", 2}, {"view", 3}};
  return fns;
}

/* What a binding tells the glue about one argument. */
typedef enum {
  TML_VAL_OTHER = 0,   /* anything else, including a missing argument */
  TML_VAL_NUMBER,      /* number: .number */
  TML_VAL_ARRAYBUFFER, /* ArrayBuffer: .data/.bytes */
  TML_VAL_UINT8ARRAY,  /* Uint8Array (not Uint8ClampedArray): .data/.bytes */
  TML_VAL_INT32ARRAY,  /* Int32Array: .data/.bytes */
  TML_VAL_OTHER_VIEW   /* another typed array or DataView */
} tml_val_kind;

/* Flags a binding may set on buffer values. */
#define TML_VAL_RESIZABLE 1u /* the buffer can shrink (ES2024 resizable ArrayBuffer) */
#define TML_VAL_SCATTERED 2u /* the bytes are not contiguous in memory (Espruino) */
#define TML_VAL_SHARED 4u    /* another thread can write the bytes (SharedArrayBuffer, Node) */

typedef struct {
  tml_val_kind kind;
  unsigned flags;
  double number;
  uint8_t *data; /* first byte, view offset applied; NULL if detached or empty */
  size_t bytes;  /* byte length (a typed array's length times its element size) */
} tml_val;

static inline void tml_val_other(tml_val *v) {
  v->kind = TML_VAL_OTHER;
  v->flags = 0;
  v->number = 0;
  v->data = NULL;
  v->bytes = 0;
}

static inline void tml_val_number(tml_val *v, double n) {
  tml_val_other(v);
  v->kind = TML_VAL_NUMBER;
  v->number = n;
}

static inline void tml_val_buffer(tml_val *v, tml_val_kind kind, uint8_t *data, size_t bytes) {
  tml_val_other(v);
  v->kind = kind;
  v->data = data;
  v->bytes = bytes;
}

/* What the binding turns into a JS result. */
typedef enum {
  TML_RES_INT = 0,     /* return .value as a number */
  TML_RES_TYPE_ERROR,  /* throw TypeError(.message) */
  TML_RES_RANGE_ERROR, /* throw RangeError(.message) */
  TML_RES_NEW_ARENA,   /* make a zero-filled ArrayBuffer of .bytes bytes and return it */
  TML_RES_VIEW         /* return a Uint8Array over argv[0]'s bytes [.offset, .offset + .bytes) */
} tml_res_kind;

typedef struct {
  tml_res_kind kind;
  int32_t value;
  uint32_t offset, bytes;
  const char *message;
} tml_res;

/* 1 if the binding must hand a failed invoke's status to argument 1. */
static inline int tml_glue_wants_on_error(tml_fn_id fn, const tml_res *r) {
  return fn == TML_FN_INVOKE && r->kind == TML_RES_INT && r->value != 0;
}

/* Sets an error / a number result and leaves the (void) function. */
#define TML_GLUE_FAIL(r, error_kind, text) \
  do {                                     \
    (r)->kind = (error_kind);              \
    (r)->message = (text);                 \
    return;                                \
  } while (0)
#define TML_GLUE_RETURN_INT(r, number) \
  do {                                 \
    (r)->kind = TML_RES_INT;           \
    (r)->value = (number);             \
    return;                            \
  } while (0)

/* 1 if v is an integer number in [lo, hi]. */
static inline int tml_glue_integer_in(const tml_val *v, double lo, double hi) {
  return v->kind == TML_VAL_NUMBER && v->number >= lo && v->number <= hi &&
         v->number == (double)(int64_t)v->number;
}

/* Block pointer and size of an arena argument (sizes above 4 GB saturate:
 * the core only ever sees 32-bit sizes). */
static inline uint32_t tml_glue_size32(size_t n) {
  return n > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)n;
}

/* 1 if v can be an arena: an ArrayBuffer, or a Uint8Array over part of one. */
static inline int tml_glue_is_arena(const tml_val *v) {
  return v->kind == TML_VAL_ARRAYBUFFER || v->kind == TML_VAL_UINT8ARRAY;
}

static inline void tml_glue_load(const tml_val *argv, tml_res *r) {
  const tml_val *arena = &argv[0], *model = &argv[1], *program = &argv[2];
  uint32_t shared_at = 0;
  if (!tml_glue_is_arena(arena))
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "load: arena must be an ArrayBuffer or a Uint8Array");
  if (model->kind != TML_VAL_UINT8ARRAY)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "load: model must be a Uint8Array");
  if (program->kind != TML_VAL_INT32ARRAY && program->kind != TML_VAL_UINT8ARRAY &&
      program->kind != TML_VAL_OTHER)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR,
                  "load: program must be an Int32Array, a packed section (Uint8Array) or absent");
  /* The core keeps pointers into the arena and the model across calls:
   * neither may shrink, move or be scattered. (The program is copied.) */
  if (arena->flags & TML_VAL_RESIZABLE)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR,
                          "load: arena must not be a resizable ArrayBuffer");
  if (model->flags & TML_VAL_RESIZABLE)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR,
                          "load: model must not be on a resizable ArrayBuffer");
  /* invoke checks the program copy, then runs it: another thread writing
   * the copy in between would defeat the check. */
  if (arena->flags & TML_VAL_SHARED)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR,
                  "load: arena must not be on a SharedArrayBuffer (make it with arena())");
  if (arena->flags & TML_VAL_SCATTERED)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR,
                          "load: arena must be contiguous memory (make it with arena())");
  if (model->flags & TML_VAL_SCATTERED)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR,
                          "load: model bytes must be contiguous in memory (a flat string or a "
                          "memory-mapped file)");
  if (program->flags & TML_VAL_SCATTERED)
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR,
                          "load: program must be contiguous in memory");
  if (argv[3].kind == TML_VAL_NUMBER) {
    if (!tml_glue_integer_in(&argv[3], 0.0, TML_GLUE_ARENA_MAX))
      TML_GLUE_FAIL(r, TML_RES_RANGE_ERROR, "load: sharedAt must be an integer from 0 to 2147483647");
    shared_at = (uint32_t)argv[3].number;
  } else if (argv[3].kind != TML_VAL_OTHER) {
    TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "load: sharedAt must be a number or absent");
  }
  if (program->kind != TML_VAL_INT32ARRAY) {
    /* Absent: `model` is a packed file; a Uint8Array: its packed section. */
    if (model->bytes > 0xFFFFFFFFu || program->bytes > 0xFFFFFFFFu)
      TML_GLUE_RETURN_INT(r, TML_E_BAD_ARG);
    if (program->kind == TML_VAL_UINT8ARRAY && program->data == NULL)
      TML_GLUE_RETURN_INT(r, TML_E_BAD_PACK); /* an empty section */
    TML_GLUE_RETURN_INT(r, (int32_t)tml_load_packed_shared(
                               arena->data, tml_glue_size32(arena->bytes), shared_at, model->data,
                               (uint32_t)model->bytes,
                               program->kind == TML_VAL_UINT8ARRAY ? program->data : NULL,
                               (uint32_t)program->bytes));
  }
  if (model->bytes > 0xFFFFFFFFu || program->bytes % 4u != 0 ||
      program->bytes / 4u > 0x3FFFFFFFu || ((uintptr_t)program->data & 3u) != 0)
    TML_GLUE_RETURN_INT(r, TML_E_BAD_ARG);
  TML_GLUE_RETURN_INT(r, (int32_t)tml_load_shared(arena->data, tml_glue_size32(arena->bytes),
                                                  shared_at, model->data, (uint32_t)model->bytes,
                                                  (const int32_t *)(void *)program->data,
                                                  (uint32_t)(program->bytes / 4u)));
}

/*
 * Checks the arguments of function `fn` and, for load/invoke/reset/info,
 * calls the C core. argv holds TML_GLUE_MAX_ARGS values; missing arguments
 * must be TML_VAL_OTHER.
 */
static inline void tml_glue_call(tml_fn_id fn, const tml_val *argv, tml_res *r) {
  const tml_val *arena = &argv[0];
  r->kind = TML_RES_INT;
  r->value = 0;
  r->offset = 0;
  r->bytes = 0;
  r->message = NULL;
  switch (fn) {
    case TML_FN_ARENA:
      if (argv[0].kind != TML_VAL_NUMBER)
        TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "arena: size must be a number");
      if (!tml_glue_integer_in(&argv[0], 1.0, TML_GLUE_ARENA_MAX))
        TML_GLUE_FAIL(r, TML_RES_RANGE_ERROR,
                              "arena: size must be an integer from 1 to 2147483647");
      r->kind = TML_RES_NEW_ARENA;
      r->bytes = (uint32_t)argv[0].number;
      return;
    case TML_FN_LOAD:
      tml_glue_load(argv, r);
      return;
    case TML_FN_INVOKE:
      if (!tml_glue_is_arena(arena))
        TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "invoke: arena must be an ArrayBuffer or a Uint8Array");
      TML_GLUE_RETURN_INT(r, (int32_t)tml_invoke(arena->data, tml_glue_size32(arena->bytes)));
    case TML_FN_RESET:
      if (!tml_glue_is_arena(arena))
        TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "reset: arena must be an ArrayBuffer or a Uint8Array");
      TML_GLUE_RETURN_INT(r, (int32_t)tml_reset(arena->data, tml_glue_size32(arena->bytes)));
    case TML_FN_INFO: {
      int32_t key = -1; /* a key that is not an int32 reads as -1 */
      if (!tml_glue_is_arena(arena))
        TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "info: arena must be an ArrayBuffer or a Uint8Array");
      if (argv[1].kind != TML_VAL_NUMBER)
        TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "info: key must be a number");
      if (tml_glue_integer_in(&argv[1], -2147483648.0, 2147483647.0))
        key = (int32_t)argv[1].number;
      TML_GLUE_RETURN_INT(r, tml_info(arena->data, tml_glue_size32(arena->bytes), key));
    }
    case TML_FN_VIEW:
      if (arena->kind != TML_VAL_ARRAYBUFFER)
        TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "view: buffer must be an ArrayBuffer");
      if (argv[1].kind != TML_VAL_NUMBER || argv[2].kind != TML_VAL_NUMBER)
        TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "view: offset and bytes must be numbers");
      if (!tml_glue_integer_in(&argv[1], 0.0, TML_GLUE_ARENA_MAX) ||
          !tml_glue_integer_in(&argv[2], 0.0, TML_GLUE_ARENA_MAX) ||
          argv[1].number + argv[2].number > (double)arena->bytes)
        TML_GLUE_FAIL(r, TML_RES_RANGE_ERROR,
                              "view: offset and bytes must lie inside the buffer");
      r->kind = TML_RES_VIEW;
      r->offset = (uint32_t)argv[1].number;
      r->bytes = (uint32_t)argv[2].number;
      return;
    default:
      TML_GLUE_FAIL(r, TML_RES_TYPE_ERROR, "tinyml: unknown native function");
  }
}

#endif /* TINYML_GLUE_H */
