/*
 * ota.h - over-the-air updates: signed bundles received into the inactive
 * of two flash slots, verified before anything switches, booted on trial,
 * kept only once the app confirms. Design, bundle format, flash layout and
 * error codes: native/ota/README.md.
 *
 * No allocation: the caller owns the ota_dev (248 bytes on the Cortex-M4);
 * verification takes about 2.6 KB of stack at its deepest.
 */
#ifndef OTA_H
#define OTA_H

#include <stdint.h>

#include "ota_flash.h"

/* ---- bundle format (little-endian) ---- */
#define OTA_MAGIC "TMLOTA01"
#define OTA_FORMAT 1
#define OTA_HEADER_SIZE 128
#define OTA_SIG_SIZE 64
#define OTA_ENTRY_SIZE 80
#define OTA_PREFIX_SIZE (OTA_HEADER_SIZE + OTA_SIG_SIZE) /* the manifest starts here */
#define OTA_BOARD_MAX 24
#define OTA_NAME_MAX 32
#define OTA_MAX_FILES 64
#define OTA_KEY_ID_SIZE 8
#define OTA_FILE_APP 1u /* entry flag: the app the board runs */

/* header field offsets */
#define OTA_H_MAGIC 0
#define OTA_H_FORMAT 8
#define OTA_H_HEADER_SIZE 10
#define OTA_H_TOTAL 12
#define OTA_H_VERSION 16
#define OTA_H_FLAGS 20
#define OTA_H_BOARD 24
#define OTA_H_KEY_ID 48
#define OTA_H_FILE_COUNT 56
#define OTA_H_PAYLOAD_SIZE 60
#define OTA_H_MANIFEST_HASH 64
#define OTA_H_RESERVED 96

/* ---- status codes: every refusal has its own ---- */
typedef enum {
  OTA_OK = 0,
  OTA_E_ARG,           /* a bad call or configuration */
  OTA_E_STATE,         /* out of sequence: write/finish without begin */
  OTA_E_BUSY,          /* a new version is pending or on trial: reboot / confirm first */
  OTA_E_TOO_BIG,       /* begin(size) or the header: more than a slot holds */
  OTA_E_SIZE,          /* size below a header, or not the header's total size */
  OTA_E_BAD_MAGIC,     /* not a bundle */
  OTA_E_BAD_FORMAT,    /* unknown format version or header size */
  OTA_E_BAD_HEADER,    /* header fields inconsistent (sizes, flags, reserved bytes) */
  OTA_E_FOREIGN_BOARD, /* built for another board */
  OTA_E_FOREIGN_KEY,   /* signed with a key this device does not trust */
  OTA_E_DOWNGRADE,     /* version not above the running (or last confirmed) one */
  OTA_E_OUT_OF_ORDER,  /* a chunk past the next expected offset */
  OTA_E_DUPLICATE,     /* a chunk at an offset already received */
  OTA_E_TOO_LONG,      /* a chunk past the announced size */
  OTA_E_TRUNCATED,     /* finish() before every byte arrived */
  OTA_E_BAD_SIGNATURE, /* the header's signature does not verify */
  OTA_E_MANIFEST_HASH, /* the manifest is not the one the header signs */
  OTA_E_BAD_MANIFEST,  /* manifest entries: names, order, offsets, flags, padding */
  OTA_E_FILE_HASH,     /* a file is not the one the manifest lists */
  OTA_E_FLASH,         /* a flash operation failed or read back wrong */
  OTA_E_NO_IMAGE,      /* no bootable version */
  OTA_E_NOT_FOUND,     /* no such file in the running version */
  OTA_STATUS_COUNT
} ota_status;

/* "OK", "E_DOWNGRADE", ... (the TypeScript API prefixes E_OTA_). */
const char *ota_status_name(int status);

/* ---- boot state ---- */
typedef enum {
  OTA_ST_EMPTY = 0, /* nothing installed yet */
  OTA_ST_NORMAL,    /* the active slot runs, confirmed */
  OTA_ST_PENDING,   /* a verified version waits for the next boot */
  OTA_ST_TRYING     /* that version is booted on trial: confirm, or the next boot falls back */
} ota_state;

#define OTA_REC_ROLLED_BACK 1u /* flags: the last trial failed and was undone */
#define OTA_NO_SLOT 0xFFu

typedef struct {
  uint32_t seq;
  uint8_t state, active, trial, flags;
  uint32_t active_version;
  uint32_t trial_version; /* PENDING/TRYING: the new one; NORMAL + ROLLED_BACK: the failed one */
  uint32_t floor;         /* highest version ever confirmed (anti-rollback) */
} ota_record;

typedef struct {
  uint32_t meta_page;     /* two metadata pages from here */
  uint32_t slot_page[2];  /* first page of slot A and slot B */
  uint32_t slot_pages;    /* pages per slot */
  const char *board;      /* this board's name */
  const uint8_t *pubkey;  /* the trusted Ed25519 public key (32 bytes) */
  const uint8_t *mapped;  /* the flash as memory (execute-in-place), or NULL */
} ota_config;

typedef struct {
  ota_flash *flash;
  ota_config cfg;
  uint8_t key_id[OTA_KEY_ID_SIZE];
  ota_record rec;      /* the current boot state (last valid metadata record) */
  int booted;          /* the slot running now, or -1 */
  uint32_t running_version;
  /* receive session */
  int rx_open;
  uint8_t rx_slot;
  uint32_t rx_size, rx_received, rx_programmed, rx_erased_pages;
  uint32_t rx_version;
  uint8_t rx_stage_n;
  uint8_t rx_stage[16];
  uint8_t rx_header[OTA_HEADER_SIZE];
  int last_error;
} ota_dev;

typedef struct {
  int slot;                 /* booted slot, -1 if none */
  uint32_t version;
  int trial;                /* this boot is a trial: the app must confirm() */
  int rolled_back;          /* a trial failed and this older version came back */
  uint32_t failed_version;  /* the version that failed, when rolled_back */
  uint32_t app_addr, app_size; /* the app file, as a flash address and length */
} ota_boot_info;

/* What a verified slot holds. */
typedef struct {
  uint32_t version, total, file_count, app_addr, app_size;
} ota_image_info;

/* Binds the store to a flash device and reads the boot state (no writes). */
int ota_init(ota_dev *d, ota_flash *flash, const ota_config *cfg);

/* Chooses and verifies what to run: a pending version starts its trial, an
 * unconfirmed trial falls back. Writes metadata as needed. OTA_E_NO_IMAGE if
 * nothing verifies. */
int ota_boot(ota_dev *d, ota_boot_info *out);

/* Receiving: begin(total bundle size), write(offset, bytes) in order, in
 * chunks of any size, finish() verifies the slot and marks it pending.
 * Any refusal ends the session; the running version is never touched. */
int ota_begin(ota_dev *d, uint32_t size);
int ota_write(ota_dev *d, uint32_t offset, const uint8_t *data, uint32_t n);
int ota_finish(ota_dev *d);
void ota_abort(ota_dev *d);

/* The app on trial keeps its version. OTA_OK also when nothing is on trial. */
int ota_confirm(ota_dev *d);

/* Full check of one slot: header, signature, manifest, every file. */
int ota_verify_slot(ota_dev *d, int slot, ota_image_info *info);

/* A file of the running version: its flash address and size. */
int ota_find_file(ota_dev *d, const char *name, uint32_t *addr, uint32_t *size);

uint32_t ota_slot_bytes(const ota_dev *d);
uint32_t ota_slot_addr(const ota_dev *d, int slot);

#endif /* OTA_H */
