/*
 * campaign.h - the power-cut campaign and the bad-bundle runner over the
 * emulated flash, shared by the host driver (ota_host.c, under ASan/UBSan)
 * and the qemu-m4 firmware (boards/qemu-m4/ota_main.c): the same C code on
 * both. Reboots are simulated inside one run: a fresh ota_dev (the RAM of
 * the store) over the flash as the cut left it.
 */
#ifndef OTA_CAMPAIGN_H
#define OTA_CAMPAIGN_H

#include <stdint.h>

#include "ota.h"

#define CAMP_PAGE 1024u
#define CAMP_UNIT 8u

typedef struct {
  const uint8_t *data;
  uint32_t size, version;
} camp_bundle;

typedef struct {
  ota_emuflash emu;
  ota_config cfg;
  uint8_t *mem;     /* the flash */
  uint8_t *snap[2]; /* start images: v1 confirmed, v2 confirmed */
  uint32_t bytes;   /* flash size */
  camp_bundle b[3]; /* v1, v2 (confirms), v3 (never confirms) */
  uint32_t chunk;   /* receive chunk size */
  void (*say)(const char *line);
  /* results */
  uint32_t ops[2], tried[2], survived[2];
} camp;

/* Flash bytes the campaign needs for bundles of at most max_bundle bytes. */
uint32_t camp_flash_bytes(uint32_t max_bundle);

/* Lays out the flash and builds the two start images. 0 on success. */
int camp_setup(camp *c, uint8_t *mem, uint8_t *snap0, uint8_t *snap1, uint32_t bytes,
               const uint8_t *pubkey, const char *board);

/* Cuts the power before, in the middle of and after every stride-th flash
 * operation of both scenarios (update + confirm; update + failed trial +
 * rollback). Returns the number of cut points that left the device without
 * a complete verified old or new version (0 is the only pass). */
uint32_t camp_powercut(camp *c, uint32_t stride);

/* Sends one bundle as described (start v2 confirmed) and checks the result:
 * writes[] are (offset, length) pairs into data. Returns the first status
 * (begin, write or finish) and sets *untouched when the running version,
 * its slot and the metadata are exactly as before (for a refusal). */
int camp_send_case(camp *c, const uint8_t *data, uint32_t data_len, uint32_t begin_size,
                   const uint32_t *writes, uint32_t nwrites, int *untouched);

#endif /* OTA_CAMPAIGN_H */
