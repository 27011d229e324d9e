/*
 * ota_glue.h - the engine-neutral half of the OTA binding (global
 * `__tinyml_ota`), kept apart from tinyml_glue.h: the update store is a
 * board service, not part of the model runtime. A binding describes each
 * argument, calls ota_glue_call() and returns the number or throws.
 *
 *   begin(size)            -> ota_status
 *   write(bytes, offset)   -> ota_status (bytes: Uint8Array)
 *   finish()               -> ota_status
 *   confirm()              -> ota_status
 *   abort()                -> 0
 *   info(key)              -> number (OTA_INFO_*)
 *   file(name)             -> a Uint8Array over that file of the running
 *                             version, in place in memory-mapped flash
 *                             (read-only: it is flash), or null
 * Wrong argument types throw TypeError; refusals come back as numbers
 * (src/ota/device.ts turns them into TinyMLError codes).
 */
#ifndef OTA_GLUE_H
#define OTA_GLUE_H

#include <stddef.h>
#include <stdint.h>

#include "ota.h"

#define OTA_GLUE_GLOBAL "__tinyml_ota"
#define OTA_GLUE_MAX_ARGS 2

typedef enum {
  OTA_FN_BEGIN = 0,
  OTA_FN_WRITE,
  OTA_FN_FINISH,
  OTA_FN_CONFIRM,
  OTA_FN_ABORT,
  OTA_FN_INFO,
  OTA_FN_FILE,
  OTA_FN_COUNT
} ota_fn_id;

typedef enum {
  OTA_INFO_STATE = 0,      /* ota_state */
  OTA_INFO_VERSION,        /* running version (0: none) */
  OTA_INFO_TRIAL,          /* 1 if this boot is a trial to confirm */
  OTA_INFO_PENDING_VERSION, /* version waiting for the next boot / on trial */
  OTA_INFO_RECEIVED,       /* bytes received in the open session */
  OTA_INFO_SIZE,           /* its announced size (0: no session) */
  OTA_INFO_ROLLED_BACK,    /* 1 if the last trial failed and was undone */
  OTA_INFO_FAILED_VERSION, /* which version failed */
  OTA_INFO_SLOT_BYTES,     /* largest bundle accepted */
  OTA_INFO_LAST_ERROR,     /* ota_status of the last refusal */
  OTA_INFO_COUNT
} ota_info_key;

typedef struct {
  const char *name;
  uint8_t argc;
} ota_fn_desc;

static inline const ota_fn_desc *ota_glue_fns(void) {
  static const ota_fn_desc fns[OTA_FN_COUNT] = {{"begin", 1}, {"write", 2}, {"finish", 0},
                                                {"confirm", 0}, {"abort", 0}, {"info", 1}, {"file", 1}};
  return fns;
}

typedef struct {
  int is_number;
  double number;
  int is_bytes; /* a Uint8Array: data/bytes */
  const char *str; /* a string (NUL-terminated), else NULL */
  const uint8_t *data;
  size_t bytes;
} ota_glue_arg;

typedef struct {
  const char *type_error; /* non-NULL: throw TypeError(type_error) */
  double value;
  int is_view;            /* file(): return a Uint8Array over view/view_bytes, */
  const uint8_t *view;    /* or null when view is NULL */
  uint32_t view_bytes;
} ota_glue_res;

static inline int ota_glue_u32(const ota_glue_arg *a, uint32_t *out) {
  if (!a->is_number || !(a->number >= 0.0 && a->number <= 4294967295.0) ||
      a->number != (double)(uint32_t)a->number)
    return 0;
  *out = (uint32_t)a->number;
  return 1;
}

static inline double ota_glue_info(const ota_dev *d, uint32_t key) {
  switch (key) {
    case OTA_INFO_STATE: return d->rec.state;
    case OTA_INFO_VERSION: return d->running_version;
    case OTA_INFO_TRIAL: return d->rec.state == OTA_ST_TRYING && d->booted == (int)d->rec.trial;
    case OTA_INFO_PENDING_VERSION:
      return d->rec.state == OTA_ST_PENDING || d->rec.state == OTA_ST_TRYING ? d->rec.trial_version : 0;
    case OTA_INFO_RECEIVED: return d->rx_open ? d->rx_received : 0;
    case OTA_INFO_SIZE: return d->rx_open ? d->rx_size : 0;
    case OTA_INFO_ROLLED_BACK: return (d->rec.flags & OTA_REC_ROLLED_BACK) ? 1 : 0;
    case OTA_INFO_FAILED_VERSION: return (d->rec.flags & OTA_REC_ROLLED_BACK) ? d->rec.trial_version : 0;
    case OTA_INFO_SLOT_BYTES: return ota_slot_bytes(d);
    case OTA_INFO_LAST_ERROR: return d->last_error;
    default: return -1;
  }
}

/* argv holds OTA_GLUE_MAX_ARGS entries (missing ones zeroed). */
static inline void ota_glue_call(ota_dev *d, ota_fn_id fn, const ota_glue_arg *argv, ota_glue_res *r) {
  uint32_t a = 0;
  r->type_error = NULL;
  r->value = 0;
  r->is_view = 0;
  r->view = NULL;
  r->view_bytes = 0;
  switch (fn) {
    case OTA_FN_BEGIN:
      if (!ota_glue_u32(&argv[0], &a)) {
        r->type_error = "begin: size must be an integer from 0 to 4294967295";
        return;
      }
      r->value = ota_begin(d, a);
      return;
    case OTA_FN_WRITE:
      if (!argv[0].is_bytes) {
        r->type_error = "write: chunk must be a Uint8Array";
        return;
      }
      if (!ota_glue_u32(&argv[1], &a) || argv[0].bytes > 0xFFFFFFFFu) {
        r->type_error = "write: offset must be an integer from 0 to 4294967295";
        return;
      }
      r->value = ota_write(d, a, argv[0].data, (uint32_t)argv[0].bytes);
      return;
    case OTA_FN_FINISH: r->value = ota_finish(d); return;
    case OTA_FN_CONFIRM: r->value = ota_confirm(d); return;
    case OTA_FN_ABORT: ota_abort(d); return;
    case OTA_FN_INFO:
      if (!ota_glue_u32(&argv[0], &a)) {
        r->type_error = "info: key must be a non-negative integer";
        return;
      }
      r->value = ota_glue_info(d, a);
      return;
    case OTA_FN_FILE: {
      uint32_t addr = 0, size = 0;
      if (!argv[0].str) {
        r->type_error = "file: name must be a string";
        return;
      }
      r->is_view = 1;
      if (d->cfg.mapped && ota_find_file(d, argv[0].str, &addr, &size) == OTA_OK) {
        r->view = d->cfg.mapped + addr;
        r->view_bytes = size;
      }
      return;
    }
    default: r->type_error = "ota: unknown function"; return;
  }
}

#endif /* OTA_GLUE_H */
