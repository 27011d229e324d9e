/*
 * tinyml_jerry.c - the JerryScript (3.0 API) face of tinyml.h.
 *
 * Each function only marshals its JS arguments for the shared glue
 * (native/bindings/common/tinyml_glue.h), which checks them, calls the C
 * core and says what to return or throw: same functions and messages on
 * every engine. What is JerryScript's own is memory: see tinyml_jerry.h.
 */
#include <stdio.h>
#include <string.h>

#include "tinyml.h"
#include "../common/tinyml_glue.h"
#include "tinyml_jerry.h"

typedef struct {
  uint32_t start, size; /* byte range in the block */
  uint8_t used;
} tml_region;

/* Process-wide: JerryScript (without external contexts) has one context,
 * and a board has one block. */
static struct {
  uint8_t *block;
  uint32_t size;
  tml_region regions[TML_JERRY_MAX_ARENAS];
  tml_jerry_stats stats;
} g_state;

/* User pointers telling the free callback whose memory a buffer is. */
static uint8_t g_heap_tag, g_foreign_tag;

void *tml_jerry_foreign(void) { return &g_foreign_tag; }

void tml_jerry_get_stats(tml_jerry_stats *out) { *out = g_state.stats; }

/* Every ArrayBuffer store the engine allocates: on its own heap, as without
 * callbacks, but tagged so the free callback knows it is the engine's. */
static uint8_t *on_alloc(jerry_arraybuffer_type_t type, uint32_t size, void **user_p,
                         void *unused) {
  uint8_t *p;
  (void)type;
  (void)unused;
  p = (uint8_t *)jerry_heap_alloc((jerry_size_t)size);
  if (p != NULL) {
    *user_p = &g_heap_tag;
    g_state.stats.heap_allocs++;
  }
  return p;
}

static void on_free(jerry_arraybuffer_type_t type, uint8_t *data, uint32_t size, void *user_p,
                    void *unused) {
  tml_region *r = (tml_region *)user_p;
  (void)type;
  (void)unused;
  if (user_p == &g_heap_tag) {
    jerry_heap_free(data, (jerry_size_t)size);
    g_state.stats.heap_frees++;
  } else if (r >= g_state.regions && r < g_state.regions + TML_JERRY_MAX_ARENAS) {
    if (!r->used || g_state.block + r->start != data) {
      g_state.stats.bad_frees++;
      return;
    }
    r->used = 0;
    g_state.stats.region_frees++;
    g_state.stats.live_regions--;
  }
  /* Anything else is external memory that is not ours (or the engine's). */
}

jerry_value_t tml_jerry_external_bytes(const uint8_t *data, uint32_t size) {
  jerry_value_t ab, view;
  /* The engine never writes through it unless a script does; flash-resident
   * data simply must not be written by scripts. */
  ab = jerry_arraybuffer_external((uint8_t *)(uintptr_t)data, (jerry_length_t)size,
                                  tml_jerry_foreign());
  if (jerry_value_is_exception(ab)) return ab;
  view = jerry_typedarray_with_buffer_span(JERRY_TYPEDARRAY_UINT8, ab, 0, (jerry_size_t)size);
  jerry_value_free(ab);
  return view;
}

/* First 16-byte aligned place of `size` bytes in the block that overlaps no
 * live region, or -1. Candidates: the block start and every region's end. */
static int64_t find_space(uint32_t size) {
  int64_t best = -1;
  uint32_t c;
  for (c = 0; c <= TML_JERRY_MAX_ARENAS; c++) {
    uint64_t pos = 0, end;
    uint32_t k;
    int clash = 0;
    if (c < TML_JERRY_MAX_ARENAS) {
      if (!g_state.regions[c].used) continue;
      pos = (uint64_t)g_state.regions[c].start + g_state.regions[c].size;
    }
    pos += (TML_ARENA_ALIGN - (((uintptr_t)g_state.block + pos) % TML_ARENA_ALIGN)) %
           TML_ARENA_ALIGN;
    end = pos + size;
    if (end > g_state.size) continue;
    for (k = 0; k < TML_JERRY_MAX_ARENAS && !clash; k++) {
      const tml_region *r = &g_state.regions[k];
      clash = r->used && pos < (uint64_t)r->start + r->size && r->start < end;
    }
    if (!clash && (best < 0 || (int64_t)pos < best)) best = (int64_t)pos;
  }
  return best;
}

static tml_region *free_slot(void) {
  uint32_t k;
  for (k = 0; k < TML_JERRY_MAX_ARENAS; k++)
    if (!g_state.regions[k].used) return &g_state.regions[k];
  return NULL;
}

static jerry_value_t no_room(uint32_t size, const char *where) {
  char msg[96];
  snprintf(msg, sizeof msg, "arena: no room for %lu bytes %s", (unsigned long)size, where);
  return jerry_throw_sz(JERRY_ERROR_RANGE, msg);
}

/* An arena region of the block as an external ArrayBuffer; when none fits,
 * one garbage collection (dropped interpreters give theirs back) and a
 * second try. */
static jerry_value_t block_arena(uint32_t size) {
  int attempt;
  for (attempt = 0; attempt < 2; attempt++) {
    tml_region *slot = free_slot();
    int64_t pos = slot ? find_space(size) : -1;
    if (pos >= 0) {
      jerry_value_t ab;
      slot->start = (uint32_t)pos;
      slot->size = size;
      slot->used = 1;
      memset(g_state.block + slot->start, 0, size);
      ab = jerry_arraybuffer_external(g_state.block + slot->start, (jerry_length_t)size, slot);
      if (jerry_value_is_exception(ab)) {
        slot->used = 0;
        return ab;
      }
      g_state.stats.region_allocs++;
      g_state.stats.live_regions++;
      if (slot->start + size > g_state.stats.block_high_water)
        g_state.stats.block_high_water = slot->start + size;
      return ab;
    }
    if (attempt == 0) jerry_heap_gc(JERRY_GC_PRESSURE_HIGH);
  }
  return no_room(size, "in the board's arena block");
}

static jerry_value_t heap_arena(uint32_t size) {
  jerry_value_t ab = jerry_arraybuffer((jerry_length_t)size);
  if (jerry_value_is_exception(ab)) return ab;
  /* The store is allocated lazily: make it now, so a failure is ours to
   * report (the engine zero-fills it). */
  if (jerry_arraybuffer_data(ab) == NULL) {
    jerry_value_free(ab);
    return no_room(size, "on the JerryScript heap");
  }
  return ab;
}

static void marshal(jerry_value_t v, tml_val *out) {
  tml_val_other(out);
  if (jerry_value_is_number(v)) {
    tml_val_number(out, jerry_value_as_number(v));
  } else if (jerry_value_is_arraybuffer(v)) {
    /* NULL for a detached buffer: the core answers with a status. */
    tml_val_buffer(out, TML_VAL_ARRAYBUFFER, jerry_arraybuffer_data(v),
                   (size_t)jerry_arraybuffer_size(v));
  } else if (jerry_value_is_typedarray(v)) {
    jerry_typedarray_type_t type = jerry_typedarray_type(v);
    jerry_size_t offset = 0, length = 0;
    jerry_value_t ab;
    uint8_t *data;
    if (type != JERRY_TYPEDARRAY_UINT8 && type != JERRY_TYPEDARRAY_INT32) {
      out->kind = TML_VAL_OTHER_VIEW;
      return;
    }
    ab = jerry_typedarray_buffer(v, &offset, &length);
    data = jerry_value_is_exception(ab) ? NULL : jerry_arraybuffer_data(ab);
    jerry_value_free(ab);
    tml_val_buffer(out, type == JERRY_TYPEDARRAY_UINT8 ? TML_VAL_UINT8ARRAY : TML_VAL_INT32ARRAY,
                   data ? data + offset : NULL, (size_t)length);
  }
}

static jerry_value_t call(tml_fn_id fn, const jerry_value_t args[], jerry_length_t count) {
  tml_val vals[TML_GLUE_MAX_ARGS];
  tml_res res;
  jerry_length_t i;
  for (i = 0; i < TML_GLUE_MAX_ARGS; i++) {
    if (i < count) marshal(args[i], &vals[i]);
    else tml_val_other(&vals[i]);
  }
  tml_glue_call(fn, vals, &res);
  if (tml_glue_wants_on_error(fn, &res) && count > 1 && jerry_value_is_function(args[1])) {
    jerry_value_t status = jerry_number((double)res.value), undef = jerry_undefined();
    jerry_value_t out = jerry_call(args[1], undef, &status, 1);
    jerry_value_free(status);
    jerry_value_free(undef);
    return out;
  }
  switch (res.kind) {
    case TML_RES_INT:
      return jerry_number((double)res.value);
    case TML_RES_TYPE_ERROR:
      return jerry_throw_sz(JERRY_ERROR_TYPE, res.message);
    case TML_RES_RANGE_ERROR:
      return jerry_throw_sz(JERRY_ERROR_RANGE, res.message);
    case TML_RES_NEW_ARENA:
      return g_state.block ? block_arena(res.bytes) : heap_arena(res.bytes);
    default:
      return jerry_throw_sz(JERRY_ERROR_COMMON, "tinyml: unexpected glue result");
  }
}

#define TML_JERRY_HANDLER(name, id)                                                        \
  static jerry_value_t name(const jerry_call_info_t *info, const jerry_value_t args[],     \
                            const jerry_length_t count) {                                  \
    (void)info;                                                                            \
    return call(id, args, count);                                                          \
  }
TML_JERRY_HANDLER(js_arena, TML_FN_ARENA)
TML_JERRY_HANDLER(js_load, TML_FN_LOAD)
TML_JERRY_HANDLER(js_invoke, TML_FN_INVOKE)
TML_JERRY_HANDLER(js_reset, TML_FN_RESET)
TML_JERRY_HANDLER(js_info, TML_FN_INFO)

/* Sets obj[key] = value and frees value; 0 if the engine refused. */
static int set_free(jerry_value_t obj, const char *key, jerry_value_t value) {
  jerry_value_t r;
  int ok;
  if (jerry_value_is_exception(value)) {
    jerry_value_free(value);
    return 0;
  }
  r = jerry_object_set_sz(obj, key, value);
  ok = !jerry_value_is_exception(r);
  jerry_value_free(r);
  jerry_value_free(value);
  return ok;
}

int tml_jerry_register(uint8_t *block, uint32_t block_size) {
  static const jerry_external_handler_t handlers[TML_FN_CORE_COUNT] = {
      js_arena, js_load, js_invoke, js_reset, js_info};
  const tml_fn_desc *fns = tml_glue_fns();
  jerry_value_t obj, realm;
  uint32_t i;
  int ok = 1;

  memset(&g_state, 0, sizeof g_state);
  g_state.block = block;
  g_state.size = block ? block_size : 0;
  jerry_arraybuffer_allocator(on_alloc, on_free, NULL);

  obj = jerry_object();
  for (i = 0; i < TML_FN_CORE_COUNT && ok; i++)
    ok = set_free(obj, fns[i].name, jerry_function_external(handlers[i]));
  realm = jerry_current_realm();
  if (ok) ok = set_free(realm, TML_GLUE_GLOBAL, obj);
  else jerry_value_free(obj);
  jerry_value_free(realm);
  return ok;
}
