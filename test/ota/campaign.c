/*
 * campaign.c - see campaign.h.
 */
#include "campaign.h"

#include <stdio.h>
#include <string.h>

#define CHECK_OK(expr)         \
  do {                         \
    int s_ = (expr);           \
    if (s_ != OTA_OK) return s_; \
  } while (0)

uint32_t camp_flash_bytes(uint32_t max_bundle) {
  uint32_t slot_pages = (max_bundle + CAMP_PAGE - 1) / CAMP_PAGE + 1;
  return CAMP_PAGE * (2 + 2 * slot_pages);
}

static int send(ota_dev *d, const camp_bundle *b, uint32_t chunk) {
  uint32_t off = 0;
  CHECK_OK(ota_begin(d, b->size));
  while (off < b->size) {
    uint32_t n = b->size - off < chunk ? b->size - off : chunk;
    CHECK_OK(ota_write(d, off, b->data + off, n));
    off += n;
  }
  return ota_finish(d);
}

static int reboot(camp *c, ota_dev *d, ota_boot_info *bi) {
  CHECK_OK(ota_init(d, &c->emu.flash, &c->cfg));
  return ota_boot(d, bi);
}

/* The booted slot holds exactly bundle b, and the boot reported its version. */
static int runs(camp *c, const ota_dev *d, const ota_boot_info *bi, const camp_bundle *b) {
  return bi->slot >= 0 && bi->version == b->version &&
         memcmp(c->mem + ota_slot_addr(d, bi->slot), b->data, b->size) == 0;
}

/* Scenario 0, from v1 confirmed: receive v2, reboot into its trial, confirm, reboot. */
static int scenario_update(camp *c) {
  ota_dev d;
  ota_boot_info bi;
  CHECK_OK(reboot(c, &d, &bi));
  CHECK_OK(send(&d, &c->b[1], c->chunk));
  CHECK_OK(reboot(c, &d, &bi));
  CHECK_OK(ota_confirm(&d));
  return reboot(c, &d, &bi);
}

/* Scenario 1, from v2 confirmed: receive v3, its trial never confirms, the
 * next boot falls back to v2, and the one after stays there. */
static int scenario_rollback(camp *c) {
  ota_dev d;
  ota_boot_info bi;
  CHECK_OK(reboot(c, &d, &bi));
  CHECK_OK(send(&d, &c->b[2], c->chunk));
  CHECK_OK(reboot(c, &d, &bi));
  CHECK_OK(reboot(c, &d, &bi));
  return reboot(c, &d, &bi);
}

static int scenario(camp *c, int which) {
  return which == 0 ? scenario_update(c) : scenario_rollback(c);
}

int camp_setup(camp *c, uint8_t *mem, uint8_t *snap0, uint8_t *snap1, uint32_t bytes,
               const uint8_t *pubkey, const char *board) {
  ota_dev d;
  ota_boot_info bi;
  uint32_t max = c->b[0].size, slot_pages;
  if (c->b[1].size > max) max = c->b[1].size;
  if (c->b[2].size > max) max = c->b[2].size;
  if (camp_flash_bytes(max) > bytes) return OTA_E_ARG;
  slot_pages = (max + CAMP_PAGE - 1) / CAMP_PAGE + 1;
  c->mem = mem;
  c->snap[0] = snap0;
  c->snap[1] = snap1;
  c->bytes = camp_flash_bytes(max);
  ota_emuflash_init(&c->emu, mem, CAMP_PAGE, c->bytes / CAMP_PAGE, CAMP_UNIT);
  ota_emuflash_blank(&c->emu);
  c->cfg.meta_page = 0;
  c->cfg.slot_page[0] = 2;
  c->cfg.slot_page[1] = 2 + slot_pages;
  c->cfg.slot_pages = slot_pages;
  c->cfg.board = board;
  c->cfg.pubkey = pubkey;
  c->cfg.mapped = mem;
  /* v1 installed on a blank device and confirmed */
  CHECK_OK(ota_init(&d, &c->emu.flash, &c->cfg));
  if (ota_boot(&d, &bi) != OTA_E_NO_IMAGE) return OTA_E_STATE;
  CHECK_OK(send(&d, &c->b[0], c->chunk));
  CHECK_OK(reboot(c, &d, &bi));
  if (!bi.trial || !runs(c, &d, &bi, &c->b[0])) return OTA_E_STATE;
  CHECK_OK(ota_confirm(&d));
  memcpy(snap0, mem, c->bytes);
  /* then v2 over it, confirmed */
  CHECK_OK(scenario_update(c));
  CHECK_OK(reboot(c, &d, &bi));
  if (bi.trial || !runs(c, &d, &bi, &c->b[1])) return OTA_E_STATE;
  memcpy(snap1, mem, c->bytes);
  return OTA_OK;
}

/* After a cut: the device must boot a complete, verified old or new version,
 * and from there reach the scenario's end state (v2 confirmed) by carrying
 * on as a device would: confirm a trial of v2, or resend v2 (scenario 0);
 * reboot without confirming anything (scenario 1). */
static int survives(camp *c, int which, char *why, size_t why_len) {
  ota_dev d;
  ota_boot_info bi;
  const camp_bundle *old = &c->b[which], *young = &c->b[which + 1];
  int s, step;
  ota_emuflash_power_on(&c->emu);
  s = reboot(c, &d, &bi);
  if (s != OTA_OK) {
    snprintf(why, why_len, "no bootable version (%s)", ota_status_name(s));
    return 0;
  }
  if (!runs(c, &d, &bi, old) && !runs(c, &d, &bi, young)) {
    snprintf(why, why_len, "booted version %lu, neither complete old nor new", (unsigned long)bi.version);
    return 0;
  }
  for (step = 0; step < 6; step++) {
    if (runs(c, &d, &bi, &c->b[1]) && !bi.trial && d.rec.state == OTA_ST_NORMAL) return 1;
    if (which == 0 && bi.trial) s = ota_confirm(&d);
    else if (which == 0) s = send(&d, &c->b[1], c->chunk);
    if (s != OTA_OK) {
      snprintf(why, why_len, "carrying on failed (%s)", ota_status_name(s));
      return 0;
    }
    if ((s = reboot(c, &d, &bi)) != OTA_OK) {
      snprintf(why, why_len, "reboot failed (%s)", ota_status_name(s));
      return 0;
    }
  }
  snprintf(why, why_len, "did not settle on v2 (running %lu)", (unsigned long)bi.version);
  return 0;
}

uint32_t camp_powercut(camp *c, uint32_t stride) {
  static const char *const MODES[3] = {"before", "middle", "after"};
  static const char *const NAMES[2] = {"update+confirm", "update+failed trial+rollback"};
  uint32_t lost = 0;
  int which;
  if (stride == 0) stride = 1;
  for (which = 0; which < 2; which++) {
    uint32_t i, n;
    int mode;
    memcpy(c->mem, c->snap[which], c->bytes);
    ota_emuflash_power_on(&c->emu);
    if (scenario(c, which) != OTA_OK) {
      c->say("powercut: the scenario fails without any cut");
      return 1;
    }
    n = c->ops[which] = c->emu.ops;
    c->tried[which] = c->survived[which] = 0;
    for (i = 0; i < n; i += stride) {
      for (mode = 0; mode < 3; mode++) {
        char why[120];
        memcpy(c->mem, c->snap[which], c->bytes);
        ota_emuflash_cut(&c->emu, i, mode, 0x1234567u + i * 3u + (uint32_t)mode);
        (void)scenario(c, which); /* stops where the power went */
        c->tried[which]++;
        if (survives(c, which, why, sizeof why)) {
          c->survived[which]++;
        } else {
          char line[200];
          snprintf(line, sizeof line, "powercut: LOST %s, cut %s operation %lu of %lu: %s", NAMES[which],
                   MODES[mode], (unsigned long)i, (unsigned long)n, why);
          c->say(line);
          lost++;
        }
      }
    }
    {
      char line[200];
      snprintf(line, sizeof line, "powercut: %s: %lu flash operations, %lu cut points tried, %lu survived",
               NAMES[which], (unsigned long)n, (unsigned long)c->tried[which],
               (unsigned long)c->survived[which]);
      c->say(line);
    }
  }
  return lost;
}

int camp_send_case(camp *c, const uint8_t *data, uint32_t data_len, uint32_t begin_size,
                   const uint32_t *writes, uint32_t nwrites, int *untouched) {
  ota_dev d;
  ota_boot_info bi;
  uint32_t i, inactive_lo, inactive_hi;
  int s, first = OTA_OK;
  memcpy(c->mem, c->snap[1], c->bytes);
  ota_emuflash_power_on(&c->emu);
  *untouched = 0;
  if (reboot(c, &d, &bi) != OTA_OK || !runs(c, &d, &bi, &c->b[1])) return -1;
  s = ota_begin(&d, begin_size);
  for (i = 0; s == OTA_OK && i < nwrites; i++) {
    uint32_t off = writes[2 * i], n = writes[2 * i + 1];
    if (off > data_len || n > data_len - off) return -1; /* a broken case file */
    s = ota_write(&d, off, data + off, n);
  }
  if (s == OTA_OK) s = ota_finish(&d);
  first = s;
  /* Untouched: every byte outside the inactive slot as it was, and a reboot
   * runs v2, confirmed, with nothing pending. */
  inactive_lo = ota_slot_addr(&d, 1 - bi.slot);
  inactive_hi = inactive_lo + ota_slot_bytes(&d);
  *untouched = memcmp(c->mem, c->snap[1], inactive_lo) == 0 &&
               memcmp(c->mem + inactive_hi, c->snap[1] + inactive_hi, c->bytes - inactive_hi) == 0;
  if (*untouched) {
    *untouched = reboot(c, &d, &bi) == OTA_OK && runs(c, &d, &bi, &c->b[1]) && !bi.trial &&
                 d.rec.state == OTA_ST_NORMAL;
  }
  return first;
}
