/*
 * pool.c - the firmware's fixed-pool allocator (see pool.h).
 *
 * Duktape makes thousands of small allocations (strings, property tables,
 * function objects), so the per-block overhead decides how much JavaScript
 * fits: one 4-byte header per used block and 4-byte granularity. The header
 * holds the size, a used bit and a "block below is used" bit; a free block
 * also holds its free-list links and repeats its size in its last word, so
 * the block above can find it and merge (boundary tags, only while free).
 * Payloads are 4-byte aligned, which is what the Cortex-M4 needs for every
 * load and store Duktape makes (LDRD/VLDR included).
 */
#include <string.h>

#include "pool.h"

#define HDR 4u
#define MIN_BLOCK 16u   /* header + two links + footer */
#define USED 1u
#define PREV_USED 2u
#define N_SMALL 128u    /* blocks below 512 bytes: one class per 4 bytes */
#define N_CLASSES 192u  /* then four classes per power of two */

typedef struct blk {
  uint32_t head;          /* size | USED | PREV_USED */
  struct blk *next, *prev; /* free-list links, only while free */
} blk;

static uint8_t *base;
static blk *heads[N_CLASSES];
static uint32_t bitmap[N_CLASSES / 32u];
static tml_pool_stats stats;
static blk *held;           /* see tml_pool_hold() */
static uint32_t last_fail;  /* size of the request that failed last, 0 after a success */

static uint32_t bsize(const blk *b) { return b->head & ~3u; }
static int is_used(const blk *b) { return (b->head & USED) != 0; }
static blk *at(blk *b, uint32_t off) { return (blk *)(void *)((uint8_t *)b + off); }
static blk *next_of(blk *b) { return at(b, bsize(b)); }
static void set_footer(blk *b) { *(uint32_t *)(void *)((uint8_t *)b + bsize(b) - 4u) = bsize(b); }

static uint32_t class_of(uint32_t size) {
  uint32_t log, c;
  if (size < 512u) return size >> 2;
  log = 31u - (uint32_t)__builtin_clz(size);
  c = N_SMALL + (log - 9u) * 4u + ((size >> (log - 2u)) & 3u);
  return c < N_CLASSES ? c : N_CLASSES - 1u;
}

/* Free lists are kept in address order, so every search takes the lowest
 * block that fits: live data packs towards the bottom of the pool and the
 * free space stays in bigger pieces (garbage collection frees objects in
 * between live ones; this keeps those holes from spreading). */
static void insert(blk *b) {
  uint32_t c = class_of(bsize(b));
  blk *p = NULL, *q = heads[c];
  while (q != NULL && q < b) {
    p = q;
    q = q->next;
  }
  b->prev = p;
  b->next = q;
  if (q) q->prev = b;
  if (p) p->next = b;
  else heads[c] = b;
  bitmap[c >> 5] |= 1u << (c & 31u);
}

static void unlink_blk(blk *b) {
  uint32_t c = class_of(bsize(b));
  if (b->prev) b->prev->next = b->next;
  else heads[c] = b->next;
  if (b->next) b->next->prev = b->prev;
  if (heads[c] == NULL) bitmap[c >> 5] &= ~(1u << (c & 31u));
}

/* The lowest free block of at least `need` bytes in the smallest class that
 * has one, or NULL. A small class holds one exact size; a large class is
 * searched first-fit; any block of a higher non-empty class fits. */
static blk *find(uint32_t need) {
  uint32_t c = class_of(need), w;
  blk *b;
  for (b = heads[c]; b != NULL; b = b->next) {
    if (bsize(b) >= need) return b;
  }
  for (c = c + 1u; c < N_CLASSES; c = (c | 31u) + 1u) {
    w = bitmap[c >> 5] & (~0u << (c & 31u));
    if (w != 0) return heads[(c & ~31u) + (uint32_t)__builtin_ctz(w)];
  }
  return NULL;
}

/* Marks a free block (already unlinked) of `size` bytes at b, merged with
 * free neighbours, and files it. The block below b is known to be used
 * unless PREV_USED says otherwise. */
static void release(blk *b, uint32_t size, uint32_t prev_used) {
  blk *n = at(b, size);
  if (!is_used(n)) {
    unlink_blk(n);
    size += bsize(n);
  }
  if (!prev_used) {
    uint32_t psize = *(uint32_t *)(void *)((uint8_t *)b - 4u);
    blk *p = at(b, 0u - psize);
    unlink_blk(p);
    size += psize;
    b = p;
  }
  b->head = size | PREV_USED; /* two free blocks are never neighbours */
  set_footer(b);
  n = at(b, size);
  n->head &= ~PREV_USED;
  insert(b);
}

void tml_pool_init(void *mem, uint32_t size) {
  uintptr_t a = ((uintptr_t)mem + 3u) & ~(uintptr_t)3u;
  uint32_t usable = (size - (uint32_t)(a - (uintptr_t)mem)) & ~3u;
  blk *first, *sentinel;
  memset(heads, 0, sizeof heads);
  memset(bitmap, 0, sizeof bitmap);
  memset(&stats, 0, sizeof stats);
  held = NULL;
  last_fail = 0;
  base = (uint8_t *)a;
  first = (blk *)(void *)base;
  first->head = (usable - HDR) | PREV_USED; /* the sentinel takes the last word */
  set_footer(first);
  sentinel = next_of(first);
  sentinel->head = USED; /* size 0, used: ends every walk and merge */
  insert(first);
  stats.size = usable;
  stats.in_use = HDR;
  stats.peak = stats.in_use;
}

static void note_in_use(void) {
  if (stats.in_use > stats.peak) stats.peak = stats.in_use;
}

/* Trims a used block to `need` bytes; the tail becomes free. */
static void trim(blk *b, uint32_t need) {
  uint32_t rest = bsize(b) - need;
  if (rest < MIN_BLOCK) return;
  b->head = need | (b->head & 3u);
  stats.in_use -= rest;
  release(at(b, need), rest, 1);
}

static uint32_t need_of(size_t size) {
  if (size > stats.size) return 0;
  size = (size + HDR + 3u) & ~(size_t)3u;
  return size < MIN_BLOCK ? MIN_BLOCK : (uint32_t)size;
}

/* Takes the free block b (unlinked) for use. */
static void take(blk *b) {
  b->head |= USED;
  next_of(b)->head |= PREV_USED;
  stats.in_use += bsize(b);
}

void *tml_pool_alloc(void *udata, size_t size) {
  uint32_t need = need_of(size);
  blk *b;
  (void)udata;
  if (size == 0) return NULL;
  b = need ? find(need) : NULL;
  if (b == NULL && held != NULL && last_fail == (uint32_t)size) {
    /* The same request failed just before: Duktape has collected garbage
     * since and still finds no room, so the held-back block rejoins. */
    blk *h = held;
    held = NULL;
    release(h, bsize(h), h->head & PREV_USED);
    b = find(need);
  }
  if (b == NULL) {
    stats.failures++;
    stats.last_failed = (uint32_t)size;
    last_fail = (uint32_t)size;
    return NULL;
  }
  last_fail = 0;
  unlink_blk(b);
  take(b);
  trim(b, need);
  note_in_use();
  stats.allocs++;
  return (uint8_t *)b + HDR;
}

void tml_pool_hold(uint32_t bytes) {
  blk *b, *top = NULL;
  uint32_t c, need = need_of(bytes);
  if (held != NULL || need == 0) return;
  for (c = class_of(need); c < N_CLASSES; c++) {
    for (b = heads[c]; b != NULL; b = b->next) {
      if (bsize(b) >= need && (top == NULL || b > top)) top = b;
    }
  }
  if (top == NULL) return;
  unlink_blk(top);
  if (bsize(top) - need >= MIN_BLOCK) {
    /* The top end is held; the bottom stays free. */
    uint32_t rest = bsize(top) - need;
    blk *h = at(top, rest);
    top->head = rest | (top->head & PREV_USED);
    set_footer(top);
    insert(top);
    h->head = need; /* PREV_USED clear: the block below is free */
    top = h;
  }
  top->head |= USED; /* marked used so no free neighbour merges into it */
  next_of(top)->head |= PREV_USED;
  held = top;
}

uint32_t tml_pool_held(void) { return held ? bsize(held) : 0; }

void tml_pool_free(void *udata, void *ptr) {
  blk *b;
  uint32_t size;
  (void)udata;
  if (ptr == NULL) return;
  b = (blk *)(void *)((uint8_t *)ptr - HDR);
  size = bsize(b);
  stats.in_use -= size;
  release(b, size, b->head & PREV_USED);
}

void *tml_pool_realloc(void *udata, void *ptr, size_t size) {
  uint32_t need, cur;
  blk *b, *n;
  void *q;
  if (ptr == NULL) return tml_pool_alloc(udata, size);
  if (size == 0) {
    tml_pool_free(udata, ptr);
    return NULL;
  }
  need = need_of(size);
  if (need == 0) {
    stats.failures++;
    stats.last_failed = (uint32_t)size;
    return NULL;
  }
  b = (blk *)(void *)((uint8_t *)ptr - HDR);
  cur = bsize(b);
  if (need <= cur) {
    trim(b, need);
    stats.allocs++;
    return ptr;
  }
  /* Grow in place into a free block above when it is big enough. */
  n = next_of(b);
  if (!is_used(n) && cur + bsize(n) >= need) {
    uint32_t grown = bsize(n);
    unlink_blk(n);
    b->head = (cur + grown) | (b->head & 3u);
    next_of(b)->head |= PREV_USED;
    stats.in_use += grown;
    trim(b, need);
    note_in_use();
    stats.allocs++;
    return ptr;
  }
  q = tml_pool_alloc(udata, size);
  if (q == NULL) return NULL;
  memcpy(q, ptr, cur - HDR);
  tml_pool_free(udata, ptr);
  return q;
}

const tml_pool_stats *tml_pool_stats_get(void) { return &stats; }

void tml_pool_reset_peak(void) { stats.peak = stats.in_use; }

uint32_t tml_pool_largest_free(uint32_t *total_free) {
  blk *b = (blk *)(void *)base;
  uint32_t best = 0, total = 0;
  if (base != NULL) {
    for (; bsize(b) != 0; b = next_of(b)) {
      if (is_used(b)) continue;
      total += bsize(b) - HDR;
      if (bsize(b) > best) best = bsize(b);
    }
  }
  if (total_free) *total_free = total;
  return best > HDR ? best - HDR : 0;
}
