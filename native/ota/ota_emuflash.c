/*
 * ota_emuflash.c - NOR flash semantics over a byte array: erase sets a page
 * to 0xFF, program can only clear bits (new = old AND data), misaligned or
 * page-crossing programs are refused, and an operation cut by a power loss
 * leaves its whole page undefined (pseudo-random bytes).
 */
#include <string.h>

#include "ota_flash.h"

static uint32_t next_random(ota_emuflash *e) {
  /* xorshift32: cheap, and the campaign replays exactly */
  uint32_t x = e->rng ? e->rng : 0x9E3779B9u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  e->rng = x;
  return x;
}

static void scramble_page(ota_emuflash *e, uint32_t page) {
  uint32_t i, base = page * e->flash.page_size;
  for (i = 0; i < e->flash.page_size; i++) e->mem[base + i] = (uint8_t)next_random(e);
  if (e->persist) e->persist(e, base, e->flash.page_size);
}

/* Counts an operation on `page` and applies a pending cut: returns 1 if the
 * operation may go ahead (and, for OTA_CUT_AFTER, the power goes after it). */
static int power_check(ota_emuflash *e, uint32_t page, int *dies_after) {
  uint32_t n = e->ops++;
  *dies_after = 0;
  if (e->dead) return 0;
  if (n != e->cut_at) return 1;
  if (e->cut_mode == OTA_CUT_AFTER) {
    *dies_after = 1;
    return 1;
  }
  e->dead = 1;
  if (e->cut_mode == OTA_CUT_MIDDLE) scramble_page(e, page);
  return 0;
}

static int emu_erase(ota_flash *f, uint32_t page) {
  ota_emuflash *e = (ota_emuflash *)f;
  int dies_after;
  if (page >= f->page_count) return -1;
  if (!power_check(e, page, &dies_after)) return -1;
  memset(e->mem + page * f->page_size, 0xFF, f->page_size);
  if (e->persist) e->persist(e, page * f->page_size, f->page_size);
  e->erases++;
  if (dies_after) e->dead = 1;
  return dies_after ? -1 : 0;
}

static int emu_program(ota_flash *f, uint32_t addr, const uint8_t *src, uint32_t n) {
  ota_emuflash *e = (ota_emuflash *)f;
  uint32_t i, page = addr / f->page_size;
  int dies_after;
  if (n == 0 || addr % f->write_unit || n % f->write_unit || page >= f->page_count ||
      n > f->page_size - addr % f->page_size)
    return -1;
  if (!power_check(e, page, &dies_after)) return -1;
  for (i = 0; i < n; i++) {
    uint8_t old = e->mem[addr + i];
    if ((uint8_t)(~old & src[i])) e->bit_sets++;
    e->mem[addr + i] = (uint8_t)(old & src[i]);
  }
  if (e->persist) e->persist(e, addr, n);
  e->programs++;
  if (dies_after) e->dead = 1;
  return dies_after ? -1 : 0;
}

static int emu_read(ota_flash *f, uint32_t addr, uint8_t *dst, uint32_t n) {
  ota_emuflash *e = (ota_emuflash *)f;
  uint32_t total = f->page_size * f->page_count;
  if (e->dead || addr > total || n > total - addr) return -1;
  memcpy(dst, e->mem + addr, n);
  return 0;
}

void ota_emuflash_init(ota_emuflash *e, uint8_t *mem, uint32_t page_size, uint32_t page_count,
                       uint32_t write_unit) {
  memset(e, 0, sizeof *e);
  e->flash.page_size = page_size;
  e->flash.page_count = page_count;
  e->flash.write_unit = write_unit;
  e->flash.erase = emu_erase;
  e->flash.program = emu_program;
  e->flash.read = emu_read;
  e->mem = mem;
  e->cut_at = OTA_NO_CUT;
}

void ota_emuflash_blank(ota_emuflash *e) {
  memset(e->mem, 0xFF, (uint32_t)e->flash.page_size * e->flash.page_count);
  if (e->persist) e->persist(e, 0, e->flash.page_size * e->flash.page_count);
}

void ota_emuflash_cut(ota_emuflash *e, uint32_t at, int mode, uint32_t seed) {
  e->ops = 0;
  e->cut_at = at;
  e->cut_mode = mode;
  e->rng = seed;
  e->dead = 0;
}

void ota_emuflash_power_on(ota_emuflash *e) {
  e->dead = 0;
  e->ops = 0;
  e->cut_at = OTA_NO_CUT;
}
