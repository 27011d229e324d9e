/*
 * ota_duk_host.c - the OTA API on Duktape on the host, under ASan + UBSan:
 * the Duktape binding (native/bindings/duktape/ota_duk.c), the glue and
 * dist/tinyml.ota.js over the store on an emulated flash in RAM.
 *   ota_duk_host <tinyml.ota.js> <pub.raw> <script.js>
 * Globals for the script: print, readFile(path) -> Uint8Array, and
 * device.reboot() -> { status, slot, version, trial, rolledBack,
 * failedVersion } (a fresh store over the same flash, as after a reset).
 * Exit 0 if the script ran to the end, 1 if it threw.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duktape.h"
#include "ota.h"
#include "ota_duk.h"

#define PAGE 1024u
#define SLOT_PAGES 64u
#define PAGES (2u + 2u * SLOT_PAGES)

static uint8_t mem[PAGE * PAGES];
static ota_emuflash flash;
static ota_dev dev;
static ota_config cfg;
static uint8_t pubkey[32];

static long read_all(const char *path, uint8_t **out) {
  FILE *f = fopen(path, "rb");
  long n;
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  *out = (uint8_t *)malloc((size_t)n + 1); /* host test driver only */
  if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n) n = -1;
  fclose(f);
  return n;
}

static duk_ret_t js_print(duk_context *ctx) {
  duk_idx_t i, n = duk_get_top(ctx);
  for (i = 0; i < n; i++) printf(i ? " %s" : "%s", duk_safe_to_string(ctx, i));
  printf("\n");
  return 0;
}

static duk_ret_t js_read_file(duk_context *ctx) {
  uint8_t *data = NULL;
  long n = read_all(duk_require_string(ctx, 0), &data);
  void *p;
  if (n < 0) {
    free(data);
    return duk_error(ctx, DUK_ERR_ERROR, "cannot read %s", duk_get_string(ctx, 0));
  }
  p = duk_push_fixed_buffer(ctx, (duk_size_t)n);
  if (n) memcpy(p, data, (size_t)n);
  free(data);
  duk_push_buffer_object(ctx, -1, 0, (duk_size_t)n, DUK_BUFOBJ_UINT8ARRAY);
  return 1;
}

static duk_ret_t js_reboot(duk_context *ctx) {
  ota_boot_info bi;
  int s = ota_init(&dev, &flash.flash, &cfg);
  if (s == OTA_OK) s = ota_boot(&dev, &bi);
  else memset(&bi, 0, sizeof bi);
  duk_push_object(ctx);
  duk_push_int(ctx, s);
  duk_put_prop_string(ctx, -2, "status");
  duk_push_int(ctx, bi.slot);
  duk_put_prop_string(ctx, -2, "slot");
  duk_push_uint(ctx, bi.version);
  duk_put_prop_string(ctx, -2, "version");
  duk_push_boolean(ctx, bi.trial);
  duk_put_prop_string(ctx, -2, "trial");
  duk_push_boolean(ctx, bi.rolled_back);
  duk_put_prop_string(ctx, -2, "rolledBack");
  duk_push_uint(ctx, bi.failed_version);
  duk_put_prop_string(ctx, -2, "failedVersion");
  return 1;
}

static duk_ret_t run(duk_context *ctx, void *udata) {
  char **argv = (char **)udata;
  int k;
  for (k = 1; k <= 3; k += 2) {
    uint8_t *src = NULL;
    long n = read_all(argv[k], &src);
    if (n < 0) {
      free(src);
      return duk_error(ctx, DUK_ERR_ERROR, "cannot read %s", argv[k]);
    }
    duk_push_string(ctx, argv[k]);
    duk_compile_lstring_filename(ctx, 0, (const char *)src, (duk_size_t)n);
    free(src);
    duk_call(ctx, 0);
    duk_pop(ctx);
  }
  return 0;
}

int main(int argc, char **argv) {
  duk_context *ctx;
  FILE *f;
  int code = 0;
  if (argc != 4) {
    fprintf(stderr, "usage: ota_duk_host <tinyml.ota.js> <pub.raw> <script.js>\n");
    return 2;
  }
  f = fopen(argv[2], "rb");
  if (!f || fread(pubkey, 1, 32, f) != 32) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    return 2;
  }
  fclose(f);
  ota_emuflash_init(&flash, mem, PAGE, PAGES, 8);
  ota_emuflash_blank(&flash);
  cfg.meta_page = 0;
  cfg.slot_page[0] = 2;
  cfg.slot_page[1] = 2 + SLOT_PAGES;
  cfg.slot_pages = SLOT_PAGES;
  cfg.board = "qemu-m4";
  cfg.pubkey = pubkey;
  cfg.mapped = mem;
  if (ota_init(&dev, &flash.flash, &cfg) != OTA_OK) return 2;
  ctx = duk_create_heap_default();
  duk_push_c_function(ctx, js_print, DUK_VARARGS);
  duk_put_global_string(ctx, "print");
  duk_push_c_function(ctx, js_read_file, 1);
  duk_put_global_string(ctx, "readFile");
  duk_push_object(ctx);
  duk_push_c_function(ctx, js_reboot, 0);
  duk_put_prop_string(ctx, -2, "reboot");
  duk_put_global_string(ctx, "device");
  ota_duk_register(ctx, &dev);
  if (duk_safe_call(ctx, run, argv, 0, 1) != DUK_EXEC_SUCCESS) {
    duk_get_prop_string(ctx, -1, "stack");
    printf("script error: %s\n", duk_safe_to_string(ctx, duk_is_undefined(ctx, -1) ? -2 : -1));
    code = 1;
  }
  duk_destroy_heap(ctx);
  printf("bit sets %u\n", flash.bit_sets);
  return code;
}
