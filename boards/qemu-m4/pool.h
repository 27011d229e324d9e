/*
 * pool.h - a fixed-pool allocator for Duktape's heap on the firmware.
 *
 * One static block, no sbrk, no malloc. Segregated free lists (exact 8-byte
 * classes for small blocks, four classes per power of two above) with
 * boundary tags so neighbours coalesce on free. Every block carries an
 * 8-byte header; payloads are 8-byte aligned (Duktape stores doubles).
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
} tml_pool_stats;

/* Takes over [mem, mem + size); mem is aligned up to 8 internally. */
void tml_pool_init(void *mem, uint32_t size);

void *tml_pool_alloc(void *udata, size_t size);
void *tml_pool_realloc(void *udata, void *ptr, size_t size);
void tml_pool_free(void *udata, void *ptr);

const tml_pool_stats *tml_pool_stats_get(void);
/* Starts a new peak measurement from the current in_use. */
void tml_pool_reset_peak(void);

#endif /* TML_POOL_H */
