/*
 * ota.c - the update store: metadata records, receive state machine, slot
 * verification and the boot decision. See ota.h and README.md.
 *
 * Metadata is a log of 32-byte records alternating between two pages:
 * record n goes to page n % 2, so writing it (or erasing that page first)
 * can only damage records older than n - 1, which stays intact on the other
 * page. The newest record that checks out is the boot state; a cut while
 * writing leaves the previous state, never a mix.
 */
#include "ota.h"

#include <string.h>

#include "ota_ed25519.h"
#include "ota_sha2.h"

#define REC_SIZE 32u
#define REC_MAGIC 0x5245544Fu /* "OTER" */
#define READ_CHUNK 256u

static const char *const STATUS_NAMES[OTA_STATUS_COUNT] = {
    "OK",           "E_ARG",          "E_STATE",         "E_BUSY",        "E_TOO_BIG",
    "E_SIZE",       "E_BAD_MAGIC",    "E_BAD_FORMAT",    "E_BAD_HEADER",  "E_FOREIGN_BOARD",
    "E_FOREIGN_KEY", "E_DOWNGRADE",   "E_OUT_OF_ORDER",  "E_DUPLICATE",   "E_TOO_LONG",
    "E_TRUNCATED",  "E_BAD_SIGNATURE", "E_MANIFEST_HASH", "E_BAD_MANIFEST", "E_FILE_HASH",
    "E_FLASH",      "E_NO_IMAGE",     "E_NOT_FOUND"};

const char *ota_status_name(int status) {
  return status >= 0 && status < OTA_STATUS_COUNT ? STATUS_NAMES[status] : "E_UNKNOWN";
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

static int all_zero(const uint8_t *p, uint32_t n) {
  uint32_t i;
  for (i = 0; i < n; i++)
    if (p[i]) return 0;
  return 1;
}

uint32_t ota_slot_bytes(const ota_dev *d) { return d->cfg.slot_pages * d->flash->page_size; }

uint32_t ota_slot_addr(const ota_dev *d, int slot) {
  return d->cfg.slot_page[slot] * d->flash->page_size;
}

static int flash_read(ota_dev *d, uint32_t addr, uint8_t *dst, uint32_t n) {
  return d->flash->read(d->flash, addr, dst, n) == 0 ? OTA_OK : OTA_E_FLASH;
}

/* ---- metadata records ---- */

static void rec_encode(const ota_record *r, uint8_t out[REC_SIZE]) {
  uint8_t h[32];
  put32(out, REC_MAGIC);
  put32(out + 4, r->seq);
  out[8] = r->state;
  out[9] = r->active;
  out[10] = r->trial;
  out[11] = r->flags;
  put32(out + 12, r->active_version);
  put32(out + 16, r->trial_version);
  put32(out + 20, r->floor);
  ota_sha256_once(out, 24, h);
  memcpy(out + 24, h, 8);
}

static int rec_decode(const uint8_t in[REC_SIZE], ota_record *r) {
  uint8_t h[32];
  if (get32(in) != REC_MAGIC) return 0;
  ota_sha256_once(in, 24, h);
  if (memcmp(in + 24, h, 8) != 0) return 0;
  r->seq = get32(in + 4);
  r->state = in[8];
  r->active = in[9];
  r->trial = in[10];
  r->flags = in[11];
  r->active_version = get32(in + 12);
  r->trial_version = get32(in + 16);
  r->floor = get32(in + 20);
  if (r->state > OTA_ST_TRYING) return 0;
  if (r->active != OTA_NO_SLOT && r->active > 1) return 0;
  if (r->trial != OTA_NO_SLOT && r->trial > 1) return 0;
  return 1;
}

static uint32_t recs_per_page(const ota_dev *d) { return d->flash->page_size / REC_SIZE; }

/* The newest valid record on both pages; an EMPTY state if there is none. */
static int load_state(ota_dev *d) {
  uint32_t p, i, n = recs_per_page(d);
  int found = 0;
  memset(&d->rec, 0, sizeof d->rec);
  d->rec.state = OTA_ST_EMPTY;
  d->rec.active = d->rec.trial = OTA_NO_SLOT;
  for (p = 0; p < 2; p++) {
    uint32_t base = (d->cfg.meta_page + p) * d->flash->page_size;
    for (i = 0; i < n; i++) {
      uint8_t raw[REC_SIZE];
      ota_record r;
      if (flash_read(d, base + i * REC_SIZE, raw, REC_SIZE) != OTA_OK) return OTA_E_FLASH;
      if (rec_decode(raw, &r) && (!found || r.seq > d->rec.seq)) {
        d->rec = r;
        found = 1;
      }
    }
  }
  return OTA_OK;
}

/* Appends the next state as record seq + 1 on page (seq + 1) % 2, after the
 * last byte that is not erased there; erases the page first when it is full
 * (or holds garbage up to its end). Reads the record back. */
static int commit(ota_dev *d, const ota_record *next) {
  ota_record r = *next;
  uint8_t raw[REC_SIZE], back[REC_SIZE];
  uint32_t page, base, pos, i, n = recs_per_page(d);
  r.seq = d->rec.seq + 1;
  page = d->cfg.meta_page + (r.seq & 1u);
  base = page * d->flash->page_size;
  pos = 0;
  for (i = n; i > 0; i--) {
    uint32_t k;
    if (flash_read(d, base + (i - 1) * REC_SIZE, raw, REC_SIZE) != OTA_OK) return OTA_E_FLASH;
    for (k = 0; k < REC_SIZE && raw[k] == 0xFF; k++) {
    }
    if (k < REC_SIZE) {
      pos = i;
      break;
    }
  }
  if (pos >= n) {
    if (d->flash->erase(d->flash, page) != 0) return OTA_E_FLASH;
    pos = 0;
  }
  rec_encode(&r, raw);
  if (d->flash->program(d->flash, base + pos * REC_SIZE, raw, REC_SIZE) != 0) return OTA_E_FLASH;
  if (flash_read(d, base + pos * REC_SIZE, back, REC_SIZE) != OTA_OK ||
      memcmp(raw, back, REC_SIZE) != 0)
    return OTA_E_FLASH;
  d->rec = r;
  return OTA_OK;
}

/* ---- header and slot verification ---- */

/* Checks what can be checked before the signature: the fields, this board,
 * the trusted key. Receiving also checks the size against begin() and the
 * version against what runs. */
static int check_header(ota_dev *d, const uint8_t *h, int receiving) {
  uint32_t total = get32(h + OTA_H_TOTAL), files = get32(h + OTA_H_FILE_COUNT);
  uint32_t payload = get32(h + OTA_H_PAYLOAD_SIZE), version = get32(h + OTA_H_VERSION);
  size_t board_len = strlen(d->cfg.board);
  if (memcmp(h + OTA_H_MAGIC, OTA_MAGIC, 8) != 0) return OTA_E_BAD_MAGIC;
  if (get16(h + OTA_H_FORMAT) != OTA_FORMAT || get16(h + OTA_H_HEADER_SIZE) != OTA_HEADER_SIZE)
    return OTA_E_BAD_FORMAT;
  if (memcmp(h + OTA_H_BOARD, d->cfg.board, board_len) != 0 ||
      !all_zero(h + OTA_H_BOARD + board_len, OTA_BOARD_MAX - (uint32_t)board_len))
    return OTA_E_FOREIGN_BOARD;
  if (memcmp(h + OTA_H_KEY_ID, d->key_id, OTA_KEY_ID_SIZE) != 0) return OTA_E_FOREIGN_KEY;
  if (get32(h + OTA_H_FLAGS) != 0 || !all_zero(h + OTA_H_RESERVED, OTA_HEADER_SIZE - OTA_H_RESERVED) ||
      files < 1 || files > OTA_MAX_FILES || payload % 4u != 0)
    return OTA_E_BAD_HEADER;
  if (total > ota_slot_bytes(d) || payload > ota_slot_bytes(d)) return OTA_E_TOO_BIG;
  /* 64-bit: a payload size chosen to wrap 32 bits cannot match */
  if ((uint64_t)total != (uint64_t)OTA_PREFIX_SIZE + (uint64_t)files * OTA_ENTRY_SIZE + payload)
    return OTA_E_BAD_HEADER;
  if (receiving) {
    if (total != d->rx_size) return OTA_E_SIZE;
    if (version <= d->running_version || version <= d->rec.floor) return OTA_E_DOWNGRADE;
  }
  return OTA_OK;
}

/* Hashes flash [addr, addr + n) into a running SHA-256. */
static int hash_range(ota_dev *d, ota_sha256 *c, uint32_t addr, uint32_t n) {
  uint8_t buf[READ_CHUNK];
  while (n > 0) {
    uint32_t k = n < READ_CHUNK ? n : READ_CHUNK;
    if (flash_read(d, addr, buf, k) != OTA_OK) return OTA_E_FLASH;
    ota_sha256_update(c, buf, k);
    addr += k;
    n -= k;
  }
  return OTA_OK;
}

/* A manifest name: 1..31 bytes of [A-Za-z0-9._-], NUL-padded. */
static int name_ok(const uint8_t *name) {
  uint32_t i = 0;
  while (i < OTA_NAME_MAX && name[i]) {
    uint8_t c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
          c == '_' || c == '-'))
      return 0;
    i++;
  }
  return i > 0 && i < OTA_NAME_MAX && all_zero(name + i, OTA_NAME_MAX - i);
}

int ota_verify_slot(ota_dev *d, int slot, ota_image_info *info) {
  uint8_t h[OTA_HEADER_SIZE], sig[OTA_SIG_SIZE], e[OTA_ENTRY_SIZE], prev[OTA_NAME_MAX], digest[32];
  uint32_t base, files, payload, manifest_end, i, expect_off = 0, apps = 0;
  ota_sha256 c;
  int s;
  if (slot < 0 || slot > 1) return OTA_E_ARG;
  base = ota_slot_addr(d, slot);
  if ((s = flash_read(d, base, h, OTA_HEADER_SIZE)) != OTA_OK) return s;
  if ((s = check_header(d, h, 0)) != OTA_OK) return s;
  if ((s = flash_read(d, base + OTA_HEADER_SIZE, sig, OTA_SIG_SIZE)) != OTA_OK) return s;
  if (!ota_ed25519_verify(sig, h, OTA_HEADER_SIZE, d->cfg.pubkey)) return OTA_E_BAD_SIGNATURE;
  files = get32(h + OTA_H_FILE_COUNT);
  payload = get32(h + OTA_H_PAYLOAD_SIZE);
  manifest_end = base + OTA_PREFIX_SIZE + files * OTA_ENTRY_SIZE;
  ota_sha256_init(&c);
  if ((s = hash_range(d, &c, base + OTA_PREFIX_SIZE, files * OTA_ENTRY_SIZE)) != OTA_OK) return s;
  ota_sha256_final(&c, digest);
  if (memcmp(digest, h + OTA_H_MANIFEST_HASH, 32) != 0) return OTA_E_MANIFEST_HASH;
  if (info) memset(info, 0, sizeof *info);
  /* The manifest is authentic: now its entries must describe the payload
   * exactly (names in strictly increasing order, files back to back on
   * 4-byte boundaries, zero padding, one app), and each file must hash right. */
  memset(prev, 0, sizeof prev);
  for (i = 0; i < files; i++) {
    uint32_t size, off, flags, pad;
    if ((s = flash_read(d, base + OTA_PREFIX_SIZE + i * OTA_ENTRY_SIZE, e, OTA_ENTRY_SIZE)) != OTA_OK)
      return s;
    size = get32(e + 32);
    off = get32(e + 36);
    flags = get32(e + 40);
    if (!name_ok(e) || (i > 0 && memcmp(prev, e, OTA_NAME_MAX) >= 0) || off != expect_off ||
        size > payload - off || (flags & ~OTA_FILE_APP) != 0 || get32(e + 44) != 0)
      return OTA_E_BAD_MANIFEST;
    memcpy(prev, e, OTA_NAME_MAX);
    pad = (4u - size % 4u) % 4u;
    if (pad > payload - off - size) return OTA_E_BAD_MANIFEST;
    if (flags & OTA_FILE_APP) {
      apps++;
      if (info) {
        info->app_addr = manifest_end + off;
        info->app_size = size;
      }
    }
    ota_sha256_init(&c);
    if ((s = hash_range(d, &c, manifest_end + off, size)) != OTA_OK) return s;
    ota_sha256_final(&c, digest);
    if (memcmp(digest, e + 48, 32) != 0) return OTA_E_FILE_HASH;
    if (pad) {
      uint8_t z[3];
      if ((s = flash_read(d, manifest_end + off + size, z, pad)) != OTA_OK) return s;
      if (!all_zero(z, pad)) return OTA_E_BAD_MANIFEST;
    }
    expect_off = off + size + pad;
  }
  if (expect_off != payload || apps != 1) return OTA_E_BAD_MANIFEST;
  if (info) {
    info->version = get32(h + OTA_H_VERSION);
    info->total = get32(h + OTA_H_TOTAL);
    info->file_count = files;
  }
  return OTA_OK;
}

/* ---- init and boot ---- */

int ota_init(ota_dev *d, ota_flash *flash, const ota_config *cfg) {
  uint8_t h[32];
  uint32_t w;
  memset(d, 0, sizeof *d);
  d->booted = -1;
  if (!flash || !cfg || !cfg->board || !cfg->pubkey || strlen(cfg->board) == 0 ||
      strlen(cfg->board) >= OTA_BOARD_MAX || cfg->slot_pages == 0)
    return OTA_E_ARG;
  w = flash->write_unit;
  if (w == 0 || w > 16 || (w & (w - 1)) != 0 || flash->page_size % REC_SIZE != 0 ||
      flash->page_size < 2 * REC_SIZE)
    return OTA_E_ARG;
  if (cfg->meta_page + 2 > flash->page_count || cfg->slot_page[0] + cfg->slot_pages > flash->page_count ||
      cfg->slot_page[1] + cfg->slot_pages > flash->page_count)
    return OTA_E_ARG;
  d->flash = flash;
  d->cfg = *cfg;
  ota_sha256_once(cfg->pubkey, 32, h);
  memcpy(d->key_id, h, OTA_KEY_ID_SIZE);
  return load_state(d);
}

static void boot_into(ota_dev *d, int slot, const ota_image_info *img, ota_boot_info *out, int trial) {
  d->booted = slot;
  d->running_version = img->version;
  out->slot = slot;
  out->version = img->version;
  out->trial = trial;
  out->app_addr = img->app_addr;
  out->app_size = img->app_size;
}

/* Falls back to the confirmed slot, noting which version failed. */
static int roll_back(ota_dev *d, ota_boot_info *out) {
  ota_record next = d->rec;
  ota_image_info img;
  int s;
  next.state = next.active == OTA_NO_SLOT ? OTA_ST_EMPTY : OTA_ST_NORMAL;
  next.flags |= OTA_REC_ROLLED_BACK;
  next.trial = OTA_NO_SLOT;
  if ((s = commit(d, &next)) != OTA_OK) return s;
  out->rolled_back = 1;
  out->failed_version = next.trial_version;
  if (d->rec.active == OTA_NO_SLOT) return OTA_E_NO_IMAGE;
  if ((s = ota_verify_slot(d, d->rec.active, &img)) != OTA_OK) return OTA_E_NO_IMAGE;
  boot_into(d, d->rec.active, &img, out, 0);
  return OTA_OK;
}

int ota_boot(ota_dev *d, ota_boot_info *out) {
  ota_image_info img;
  ota_record next;
  int s;
  memset(out, 0, sizeof *out);
  out->slot = -1;
  d->booted = -1;
  d->running_version = 0;
  ota_abort(d);
  if ((s = load_state(d)) != OTA_OK) return s;
  switch (d->rec.state) {
    case OTA_ST_NORMAL:
      if (d->rec.flags & OTA_REC_ROLLED_BACK) {
        out->rolled_back = 1;
        out->failed_version = d->rec.trial_version;
      }
      if (ota_verify_slot(d, d->rec.active, &img) != OTA_OK) return OTA_E_NO_IMAGE;
      boot_into(d, d->rec.active, &img, out, 0);
      return OTA_OK;
    case OTA_ST_PENDING:
      /* Start the trial: from here on, a boot that finds TRYING falls back. */
      if (ota_verify_slot(d, d->rec.trial, &img) != OTA_OK || img.version != d->rec.trial_version)
        return roll_back(d, out);
      next = d->rec;
      next.state = OTA_ST_TRYING;
      next.flags = 0;
      if ((s = commit(d, &next)) != OTA_OK) return s;
      boot_into(d, d->rec.trial, &img, out, 1);
      return OTA_OK;
    case OTA_ST_TRYING:
      return roll_back(d, out); /* the trial never confirmed */
    default:
      return OTA_E_NO_IMAGE;
  }
}

int ota_confirm(ota_dev *d) {
  ota_record next;
  if (d->rec.state != OTA_ST_TRYING) return OTA_OK;
  if (d->booted != (int)d->rec.trial) return OTA_E_STATE;
  next = d->rec;
  next.state = OTA_ST_NORMAL;
  next.active = next.trial;
  next.active_version = next.trial_version;
  if (next.trial_version > next.floor) next.floor = next.trial_version;
  next.trial = OTA_NO_SLOT;
  next.flags = 0;
  return commit(d, &next);
}

/* ---- receiving ---- */

void ota_abort(ota_dev *d) {
  d->rx_open = 0;
  d->rx_stage_n = 0;
}

static int fail(ota_dev *d, int status) {
  ota_abort(d);
  d->last_error = status;
  return status;
}

int ota_begin(ota_dev *d, uint32_t size) {
  ota_abort(d);
  if (d->rec.state == OTA_ST_PENDING || d->rec.state == OTA_ST_TRYING) return fail(d, OTA_E_BUSY);
  if (size > ota_slot_bytes(d)) return fail(d, OTA_E_TOO_BIG);
  if (size < OTA_PREFIX_SIZE + OTA_ENTRY_SIZE) return fail(d, OTA_E_SIZE);
  /* The inactive slot: never the one that runs or is confirmed. */
  d->rx_slot = (uint8_t)(d->rec.active == OTA_NO_SLOT ? 0 : 1 - d->rec.active);
  d->rx_size = size;
  d->rx_received = d->rx_programmed = d->rx_erased_pages = 0;
  d->rx_open = 1;
  d->last_error = OTA_OK;
  return OTA_OK;
}

/* Programs n bytes (a multiple of the write unit) at the slot offset
 * rx_programmed, erasing each page just before its first byte is written,
 * one program operation per page touched. */
static int program_slot(ota_dev *d, const uint8_t *p, uint32_t n) {
  uint32_t ps = d->flash->page_size, base = ota_slot_addr(d, d->rx_slot);
  while (n > 0) {
    uint32_t off = d->rx_programmed, page = off / ps, k = ps - off % ps;
    if (k > n) k = n;
    while (d->rx_erased_pages <= page) {
      if (d->flash->erase(d->flash, d->cfg.slot_page[d->rx_slot] + d->rx_erased_pages) != 0)
        return OTA_E_FLASH;
      d->rx_erased_pages++;
    }
    if (d->flash->program(d->flash, base + off, p, k) != 0) return OTA_E_FLASH;
    d->rx_programmed += k;
    p += k;
    n -= k;
  }
  return OTA_OK;
}

int ota_write(ota_dev *d, uint32_t offset, const uint8_t *data, uint32_t n) {
  uint32_t unit;
  int s;
  if (!d->rx_open) return fail(d, OTA_E_STATE);
  if (offset < d->rx_received) return fail(d, OTA_E_DUPLICATE);
  if (offset > d->rx_received) return fail(d, OTA_E_OUT_OF_ORDER);
  if (n > d->rx_size - offset) return fail(d, OTA_E_TOO_LONG);
  if (n > 0 && !data) return fail(d, OTA_E_ARG);
  /* The header is judged as soon as it is complete: a foreign or older
   * bundle is refused before most of it has been sent. */
  if (offset < OTA_HEADER_SIZE) {
    uint32_t k = OTA_HEADER_SIZE - offset < n ? OTA_HEADER_SIZE - offset : n;
    memcpy(d->rx_header + offset, data, k);
    if (offset + k == OTA_HEADER_SIZE && (s = check_header(d, d->rx_header, 1)) != OTA_OK)
      return fail(d, s);
  }
  d->rx_received += n;
  unit = d->flash->write_unit;
  while (n > 0) {
    if (d->rx_stage_n > 0 || n < unit) {
      uint32_t k = unit - d->rx_stage_n < n ? unit - d->rx_stage_n : n;
      memcpy(d->rx_stage + d->rx_stage_n, data, k);
      d->rx_stage_n = (uint8_t)(d->rx_stage_n + k);
      data += k;
      n -= k;
      if (d->rx_stage_n == unit) {
        if ((s = program_slot(d, d->rx_stage, unit)) != OTA_OK) return fail(d, s);
        d->rx_stage_n = 0;
      }
    } else {
      uint32_t k = n - n % unit;
      if ((s = program_slot(d, data, k)) != OTA_OK) return fail(d, s);
      data += k;
      n -= k;
    }
  }
  return OTA_OK;
}

int ota_finish(ota_dev *d) {
  ota_image_info img;
  ota_record next;
  int s;
  if (!d->rx_open) return fail(d, OTA_E_STATE);
  if (d->rx_received < d->rx_size) return fail(d, OTA_E_TRUNCATED);
  if (d->rx_stage_n > 0) { /* the tail, padded with erased bytes */
    memset(d->rx_stage + d->rx_stage_n, 0xFF, d->flash->write_unit - d->rx_stage_n);
    if ((s = program_slot(d, d->rx_stage, d->flash->write_unit)) != OTA_OK) return fail(d, s);
    d->rx_stage_n = 0;
  }
  /* What counts is what is in flash, read back. */
  if ((s = ota_verify_slot(d, d->rx_slot, &img)) != OTA_OK) return fail(d, s);
  next = d->rec;
  next.state = OTA_ST_PENDING;
  next.trial = d->rx_slot;
  next.trial_version = img.version;
  next.flags = 0;
  if ((s = commit(d, &next)) != OTA_OK) return fail(d, s);
  ota_abort(d);
  return OTA_OK;
}

/* ---- files of the running version ---- */

int ota_find_file(ota_dev *d, const char *name, uint32_t *addr, uint32_t *size) {
  uint8_t h[OTA_HEADER_SIZE], e[OTA_ENTRY_SIZE];
  uint32_t base, files, i, n = (uint32_t)strlen(name);
  int s;
  if (d->booted < 0) return OTA_E_NO_IMAGE;
  if (n == 0 || n >= OTA_NAME_MAX) return OTA_E_NOT_FOUND;
  base = ota_slot_addr(d, d->booted);
  if ((s = flash_read(d, base, h, OTA_HEADER_SIZE)) != OTA_OK) return s;
  files = get32(h + OTA_H_FILE_COUNT); /* verified at boot */
  for (i = 0; i < files; i++) {
    if ((s = flash_read(d, base + OTA_PREFIX_SIZE + i * OTA_ENTRY_SIZE, e, OTA_ENTRY_SIZE)) != OTA_OK)
      return s;
    if (memcmp(e, name, n) == 0 && e[n] == 0) {
      *addr = base + OTA_PREFIX_SIZE + files * OTA_ENTRY_SIZE + get32(e + 36);
      *size = get32(e + 32);
      return OTA_OK;
    }
  }
  return OTA_E_NOT_FOUND;
}
