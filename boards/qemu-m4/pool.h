/*
 * pool.h - a fixed-pool allocator for Duktape's heap on the firmware.
 *
 * One static block, no sbrk, no malloc. Segregated, address-ordered free
 * lists (exact 4-byte classes for small blocks, four classes per power of
 * two above) with boundary tags so neighbours coalesce on free. A used block
 * carries a 4-byte header; payloads are 4-byte aligned, all the Cortex-M4
 * needs (Duktape is built with DUK_USE_ALIGN_BY 4, see duk_config.h).
 */
#ifndef TML_POOL_H
#define TML_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t size;        /* pool bytes under management */
  uint32_t in_use;      /* bytes of allocated blocks, headers included */
  uint32_t peak;        /* highest in_use seen */
  uint32_t allocs;      /* successful alloc/realloc calls */
  uint32_t failures;    /* requests the pool could not satisfy */
  uint32_t last_failed; /* bytes of the last request that failed */
} tml_pool_stats;

/* Takes over [mem, mem + size); mem is aligned up to 8 internally. */
void tml_pool_init(void *mem, uint32_t size);

void *tml_pool_alloc(void *udata, size_t size);
void *tml_pool_realloc(void *udata, void *ptr, size_t size);
void tml_pool_free(void *udata, void *ptr);

const tml_pool_stats *tml_pool_stats_get(void);
/* Starts a new peak measurement from the current in_use. */
void tml_pool_reset_peak(void);

/*
 * Holds back one block of `bytes` at the top of the pool, outside every
 * allocation, until a request fails twice in a row: Duktape collects
 * garbage between its attempts, so by then the rest of the pool is full or
 * in pieces too small. Loading a model ends with one big transient buffer
 * (the op program on its way into the arena), asked for when the heap is
 * fullest and most cut up; the held block is where it fits.
 */
void tml_pool_hold(uint32_t bytes);

/* Bytes still held back (0 once released). */
uint32_t tml_pool_held(void);

/* Free bytes in total and in the largest free block (a walk over the pool). */
uint32_t tml_pool_largest_free(uint32_t *total_free);

#endif /* TML_POOL_H */
