/*
 * tinyml_jerry.h - the JerryScript (3.0 API) face of tinyml.h.
 *
 * tml_jerry_register() defines the global object `__tinyml_native` with the
 * five functions every engine exposes to the TypeScript runtime:
 *   arena(size) -> ArrayBuffer, load(arena, model, program) -> status,
 *   invoke(arena) -> status, reset(arena) -> status, info(arena, key) -> int.
 *
 * It also installs ArrayBuffer allocator callbacks (jerry_arraybuffer_allocator)
 * for the current context: without them JerryScript's garbage collector
 * hands the memory of every external ArrayBuffer back to its own heap. With
 * them, only buffers the engine allocated return to the JerryScript heap,
 * arena regions return to the board's block, and everything else external
 * (models in flash, static input buffers) is left alone. So after
 * registering, make external ArrayBuffers with tml_jerry_external_bytes()
 * or with user pointer tml_jerry_foreign().
 *
 * block == NULL: each arena is an ArrayBuffer on the JerryScript heap.
 * block != NULL: arenas are 16-byte aligned regions of that memory
 * (typically a static array outside the JS heap, as a board has); a region
 * goes back to the block when the garbage collector frees its ArrayBuffer.
 * At most TML_JERRY_MAX_ARENAS arenas are alive at once in block mode.
 *
 * Call tml_jerry_register() after jerry_init(), once per context.
 */
#ifndef TINYML_JERRY_H
#define TINYML_JERRY_H

#include <stdint.h>

#include "jerryscript.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TML_JERRY_MAX_ARENAS 32

/* 1 on success, 0 if the engine refused (out of memory). */
int tml_jerry_register(uint8_t *block, uint32_t block_size);

/* A Uint8Array over memory the engine must never free or move (a model in
 * flash, a static buffer). The memory must outlive every use of the array. */
jerry_value_t tml_jerry_external_bytes(const uint8_t *data, uint32_t size);

/* The user pointer that marks an external ArrayBuffer as not ours to free. */
void *tml_jerry_foreign(void);

/* Counters since start, for leak and double-free checks. */
typedef struct {
  uint32_t heap_allocs, heap_frees;     /* ArrayBuffer stores on the JS heap */
  uint32_t region_allocs, region_frees; /* arena regions of the block */
  uint32_t bad_frees;                   /* frees of a region not in use: must stay 0 */
  uint32_t live_regions;
  uint32_t block_high_water;            /* highest block byte ever used */
} tml_jerry_stats;

void tml_jerry_get_stats(tml_jerry_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* TINYML_JERRY_H */
