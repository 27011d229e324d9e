/*
 * ota_flash.h - the flash device the update store runs on, and an emulated
 * one that behaves like NOR flash.
 *
 * The store only calls erase/program/read through ota_flash, so a backend is
 * anything that embeds it as its first member: RAM (tests, the power-cut
 * campaign), RAM mirrored to a host file through semihosting (the qemu-m4
 * demo, where the "flash" survives reboots), or a real flash controller.
 */
#ifndef OTA_FLASH_H
#define OTA_FLASH_H

#include <stdint.h>

typedef struct ota_flash ota_flash;

struct ota_flash {
  uint32_t page_size;  /* the erase unit, bytes */
  uint32_t page_count;
  uint32_t write_unit; /* program granularity: a power of two up to 16 */
  /* Each returns 0 on success, non-zero when the device failed (power gone). */
  int (*erase)(ota_flash *f, uint32_t page);
  /* addr and n are multiples of write_unit; the range lies within one page */
  int (*program)(ota_flash *f, uint32_t addr, const uint8_t *src, uint32_t n);
  int (*read)(ota_flash *f, uint32_t addr, uint8_t *dst, uint32_t n);
};

/* ---- the emulated device ---------------------------------------------- */

/* When the power goes, relative to operation number cut_at. */
#define OTA_CUT_BEFORE 0 /* the operation never starts */
#define OTA_CUT_MIDDLE 1 /* it starts: the page is left undefined (random bytes) */
#define OTA_CUT_AFTER 2  /* it completes, then nothing more happens */
#define OTA_NO_CUT 0xFFFFFFFFu

typedef struct ota_emuflash ota_emuflash;

struct ota_emuflash {
  ota_flash flash; /* first: the interface */
  uint8_t *mem;    /* page_size * page_count bytes */
  /* Called after every change of mem (a file backend writes it through). */
  void (*persist)(ota_emuflash *e, uint32_t addr, uint32_t n);
  void *user;
  uint32_t ops;    /* erase + program operations so far */
  uint32_t cut_at; /* operation at which the power goes, or OTA_NO_CUT */
  int cut_mode;
  int dead;        /* the power is gone: every operation fails, nothing changes */
  uint32_t rng;    /* for the undefined bytes of an interrupted operation */
  uint32_t erases, programs;
  uint32_t bit_sets; /* bytes a program asked to turn a 0 bit into 1 in (flash cannot) */
};

/* mem is used as is (an existing image stays); erase it with ota_emuflash_blank. */
void ota_emuflash_init(ota_emuflash *e, uint8_t *mem, uint32_t page_size, uint32_t page_count,
                       uint32_t write_unit);
void ota_emuflash_blank(ota_emuflash *e);
/* Arms a power cut at operation `at` (counted from now on) in the given mode. */
void ota_emuflash_cut(ota_emuflash *e, uint32_t at, int mode, uint32_t seed);
/* Power back on: operations work again, counters restart. */
void ota_emuflash_power_on(ota_emuflash *e);

#endif /* OTA_FLASH_H */
