/*
 * ota_main.c - qemu-m4 firmware for over-the-air updates (native/ota), kept
 * apart from main.c (the model runner). One power-on per QEMU run:
 *
 *   fw demo <flash file> <link file>
 *       The device. Its flash store lives in a host file (read at power-on
 *       into the emulator's memory above the 1 MB firmware image, where it is
 *       memory-mapped like real flash, and written through on every erase or
 *       program), so it survives reboots. Boots what the store says
 *       (native/ota), runs the app of that slot on Duktape with `print`,
 *       `tinymlOta` (src/ota/device.ts), `link` (the simulated radio: the
 *       link file the host fills) and `board.reboot()`. Exit 10 = reboot
 *       (asked for, or the app crashed: a watchdog), 0 = idle, 1 = error.
 *       A blank store installs the link's bundle (factory programming).
 *   fw powercut <dir> <board> <stride> <chunk>
 *       The power-cut campaign (test/ota/campaign.c) with the flash in RAM;
 *       reboots are simulated inside the run. dir: pub.raw, v1..v3.tmlota.
 *   fw bench <bundle> <pub.raw> <board>
 *       Receives and verifies one bundle; prints "TMLOTABENCH {json}" with
 *       instruction counts (SysTick under -icount shift=0), stack and RAM.
 * The demo trusts the public key linked into its firmware (tml_ota_pubkey,
 * one link per key: scripts/ota-qemu.js); the campaign and the bench, which
 * test the store rather than the device, take theirs from pub.raw.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "campaign.h"
#include "duktape.h"
#include "ota.h"
#include "ota_duk.h"
#include "ota_ed25519.h"
#include "ota_sha2.h"
#include "pool.h"
#include "semihost.h"

/* Storage for the emulated flash: QEMU's mps2-an386 maps 4 MB of SSRAM at
 * 0; the firmware image takes the first 1 MB ("flash" in board.json). */
#define STORE ((uint8_t *)0x00100000u)
#define STORE_BYTES (3u << 20)

#define DEMO_PAGE 4096u
#define DEMO_SLOT_PAGES 32u /* 128 KB slots */
#define DEMO_PAGES (2u + 2u * DEMO_SLOT_PAGES)
#define DEMO_BOARD "qemu-m4"
#define EXIT_REBOOT 10

extern const uint8_t tml_ota_api[], tml_ota_api_end[]; /* dist/tinyml.ota.js */
extern const uint8_t tml_ota_pubkey[], tml_ota_pubkey_end[]; /* 32 bytes, or empty */
extern uint8_t __heap_start[], __heap_end[], __stack[];

static int32_t out_fd = -1, err_fd = -1;
static char line[400];

static void say(const char *s) {
  if (out_fd >= 0) {
    (void)sh_write(out_fd, s, (uint32_t)strlen(s));
    (void)sh_write(out_fd, "\n", 1);
  }
}

static void die(int code, const char *s) {
  if (err_fd >= 0) {
    (void)sh_write(err_fd, "ota-m4: ", 8);
    (void)sh_write(err_fd, s, (uint32_t)strlen(s));
    (void)sh_write(err_fd, "\n", 1);
  }
  sh_exit(code);
}

static void fault(void) { die(3, "the firmware crashed (fault)"); }
void arm_hardfault_isr(void) { fault(); }
void arm_memmanage_isr(void) { fault(); }
void arm_busfault_isr(void) { fault(); }
void arm_usagefault_isr(void) { fault(); }

/* ---- instruction counting and stack painting (as main.c) ---- */

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SCB_ICSR (*(volatile uint32_t *)0xE000ED04u)
#define INSTR_PER_TICK 40u
static volatile uint32_t systick_wraps;
void arm_systick_isr(void) { systick_wraps++; }

static uint64_t ticks_now(void) {
  uint32_t v, w;
  __asm__ volatile("cpsid i" ::: "memory");
  v = SYST_CVR;
  w = systick_wraps;
  if (SCB_ICSR & (1u << 26)) {
    v = SYST_CVR;
    w++;
  }
  __asm__ volatile("cpsie i" ::: "memory");
  return ((uint64_t)w << 24) + (0xFFFFFFu - v);
}

#define PAINT 0xA5C3A5C3u
static void paint_stack(void) {
  uint32_t *p = (uint32_t *)(void *)__heap_end, *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  while (p < sp - 16) *p++ = PAINT;
}

static uint32_t stack_peak(void) {
  uint32_t *p = (uint32_t *)(void *)__heap_end;
  while (p < (uint32_t *)(void *)__stack && *p == PAINT) p++;
  return (uint32_t)((uint8_t *)__stack - (uint8_t *)p);
}

int tml_fw_stack_low(void) {
  uint8_t *sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  return sp < __heap_end + 1024;
}

/* ---- host files ---- */

static uint32_t load_file(const char *path, uint8_t *dst, uint32_t cap) {
  int32_t fd = sh_open(path, SH_MODE_RB), n;
  if (fd < 0) return 0;
  n = sh_flen(fd);
  if (n <= 0 || (uint32_t)n > cap || sh_read(fd, dst, (uint32_t)n) != 0) n = 0;
  sh_close(fd);
  return (uint32_t)n;
}

static uint32_t get32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- the device (demo) ---- */

static ota_emuflash flash;
static ota_dev dev;
static uint8_t pubkey[32];
static int32_t flash_fd = -1, link_fd = -1;
static uint32_t link_pos, link_len;
static int reboot_asked;

static void persist(ota_emuflash *e, uint32_t addr, uint32_t n) {
  if (sh_seek(flash_fd, addr) != 0 || sh_write(flash_fd, e->mem + addr, n) != 0)
    die(2, "cannot write the flash file");
}

static duk_ret_t js_print(duk_context *ctx) {
  duk_idx_t i, n = duk_get_top(ctx);
  for (i = 0; i < n; i++) {
    const char *s = duk_safe_to_string(ctx, i);
    if (i) (void)sh_write(out_fd, " ", 1);
    (void)sh_write(out_fd, s, (uint32_t)strlen(s));
  }
  (void)sh_write(out_fd, "\n", 1);
  return 0;
}

/* link.read(max) -> Uint8Array of up to max bytes, or null at the end */
static duk_ret_t js_link_read(duk_context *ctx) {
  uint32_t max = (uint32_t)duk_require_uint(ctx, 0), n;
  void *p;
  if (link_fd < 0 || link_pos >= link_len || max == 0) {
    duk_push_null(ctx);
    return 1;
  }
  n = link_len - link_pos < max ? link_len - link_pos : max;
  if (n > 4096) n = 4096;
  p = duk_push_fixed_buffer(ctx, n);
  if (sh_read(link_fd, p, n) != 0) return duk_error(ctx, DUK_ERR_ERROR, "link: read failed");
  link_pos += n;
  duk_push_buffer_object(ctx, -1, 0, n, DUK_BUFOBJ_UINT8ARRAY);
  return 1;
}

static duk_ret_t js_link_size(duk_context *ctx) {
  duk_push_uint(ctx, link_len);
  return 1;
}

static duk_ret_t js_reboot(duk_context *ctx) {
  (void)ctx;
  reboot_asked = 1;
  return 0;
}

static void on_fatal(void *udata, const char *msg) {
  (void)udata;
  die(1, msg ? msg : "duktape fatal error");
}

static duk_ret_t run_app(duk_context *ctx, void *udata) {
  const ota_boot_info *bi = (const ota_boot_info *)udata;
  /* The API bundle (source text in the firmware), then the app from its
   * slot, compiled straight from the memory-mapped flash. */
  duk_push_string(ctx, "tinyml.ota.js");
  duk_compile_lstring_filename(ctx, 0, (const char *)tml_ota_api, (duk_size_t)(tml_ota_api_end - tml_ota_api));
  duk_call(ctx, 0);
  duk_pop(ctx);
  duk_push_string(ctx, "app.js");
  duk_compile_lstring_filename(ctx, 0, (const char *)STORE + bi->app_addr, bi->app_size);
  duk_call(ctx, 0);
  return 0;
}

static const char *error_text(duk_context *ctx) {
  if (duk_is_object(ctx, -1)) {
    duk_get_prop_string(ctx, -1, "message");
    if (duk_is_string(ctx, -1)) return duk_get_string(ctx, -1);
    duk_pop(ctx);
  }
  return duk_safe_to_string(ctx, -1);
}

/* A blank device: the factory programs the first version (the same receive
 * path as any update, then a trial boot the app confirms). */
static int factory_install(void) {
  static uint8_t buf[1024];
  uint32_t off = 0;
  int s = ota_begin(&dev, link_len);
  while (s == OTA_OK && off < link_len) {
    uint32_t n = link_len - off < sizeof buf ? link_len - off : sizeof buf;
    if (sh_read(link_fd, buf, n) != 0) return OTA_E_ARG;
    s = ota_write(&dev, off, buf, n);
    off += n;
  }
  return s == OTA_OK ? ota_finish(&dev) : s;
}

static int demo(const char *flash_path, const char *link_path) {
  ota_config cfg;
  ota_boot_info bi;
  duk_context *ctx;
  int s;
  if (tml_ota_pubkey_end - tml_ota_pubkey != 32) die(2, "this firmware has no public key linked in");
  memcpy(pubkey, tml_ota_pubkey, 32);
  flash_fd = sh_open(flash_path, SH_MODE_RPLUSB);
  if (flash_fd < 0 || sh_flen(flash_fd) != (int32_t)(DEMO_PAGE * DEMO_PAGES) ||
      sh_read(flash_fd, STORE, DEMO_PAGE * DEMO_PAGES) != 0)
    die(2, "cannot read the flash file (it must be exactly 270336 bytes)");
  ota_emuflash_init(&flash, STORE, DEMO_PAGE, DEMO_PAGES, 8);
  flash.persist = persist;
  link_fd = sh_open(link_path, SH_MODE_RB);
  link_len = link_fd >= 0 && sh_flen(link_fd) > 0 ? (uint32_t)sh_flen(link_fd) : 0;
  cfg.meta_page = 0;
  cfg.slot_page[0] = 2;
  cfg.slot_page[1] = 2 + DEMO_SLOT_PAGES;
  cfg.slot_pages = DEMO_SLOT_PAGES;
  cfg.board = DEMO_BOARD;
  cfg.pubkey = pubkey;
  cfg.mapped = STORE;
  if ((s = ota_init(&dev, &flash.flash, &cfg)) != OTA_OK) die(1, ota_status_name(s));
  s = ota_boot(&dev, &bi);
  if (s == OTA_E_NO_IMAGE && !bi.rolled_back) {
    say("boot: blank device: factory install from the link");
    s = factory_install();
    snprintf(line, sizeof line, "boot: factory install: %s", ota_status_name(s));
    say(line);
    return s == OTA_OK ? EXIT_REBOOT : 1;
  }
  if (s != OTA_OK) {
    snprintf(line, sizeof line, "boot: nothing to run: %s", ota_status_name(s));
    say(line);
    return 1;
  }
  snprintf(line, sizeof line, "boot: slot %c, version %lu%s", bi.slot ? 'B' : 'A', (unsigned long)bi.version,
           bi.trial ? " on trial (unconfirmed)" : "");
  say(line);
  if (bi.rolled_back) {
    snprintf(line, sizeof line, "boot: version %lu failed its trial: rolled back to %lu",
             (unsigned long)bi.failed_version, (unsigned long)bi.version);
    say(line);
  }
  tml_pool_init(__heap_start, (uint32_t)(__heap_end - __heap_start));
  ctx = duk_create_heap(tml_pool_alloc, tml_pool_realloc, tml_pool_free, NULL, on_fatal);
  if (!ctx) die(1, "cannot create the Duktape heap");
  duk_push_c_function(ctx, js_print, DUK_VARARGS);
  duk_put_global_string(ctx, "print");
  duk_push_object(ctx);
  duk_push_c_function(ctx, js_link_read, 1);
  duk_put_prop_string(ctx, -2, "read");
  duk_push_c_function(ctx, js_link_size, 0);
  duk_put_prop_string(ctx, -2, "size");
  duk_put_global_string(ctx, "link");
  duk_push_object(ctx);
  duk_push_c_function(ctx, js_reboot, 0);
  duk_put_prop_string(ctx, -2, "reboot");
  duk_put_global_string(ctx, "board");
  ota_duk_register(ctx, &dev);
  if (duk_safe_call(ctx, run_app, &bi, 0, 1) != DUK_EXEC_SUCCESS) {
    snprintf(line, sizeof line, "app crashed: %s (the watchdog reboots)", error_text(ctx));
    say(line);
    return EXIT_REBOOT;
  }
  return reboot_asked ? EXIT_REBOOT : 0;
}

/* ---- campaign and bench ---- */

static void say_flush(const char *s) { say(s); }

static int powercut(const char *dir, const char *board, uint32_t stride, uint32_t chunk) {
  static camp c;
  static char path[300];
  uint8_t *region = STORE;
  uint32_t i, lost, fbytes;
  memset(&c, 0, sizeof c);
  snprintf(path, sizeof path, "%s/pub.raw", dir);
  if (load_file(path, pubkey, 32) != 32) die(2, "cannot read pub.raw");
  for (i = 0; i < 3; i++) {
    uint32_t n;
    snprintf(path, sizeof path, "%s/v%lu.tmlota", dir, (unsigned long)i + 1);
    n = load_file(path, region, 256u << 10);
    if (n < OTA_HEADER_SIZE) die(2, "cannot read a bundle");
    c.b[i].data = region;
    c.b[i].size = n;
    c.b[i].version = get32(region + OTA_H_VERSION);
    region += (n + 15u) & ~15u;
  }
  fbytes = camp_flash_bytes(c.b[0].size > c.b[1].size ? (c.b[0].size > c.b[2].size ? c.b[0].size : c.b[2].size)
                                                      : (c.b[1].size > c.b[2].size ? c.b[1].size : c.b[2].size));
  if (region + 3 * fbytes > STORE + STORE_BYTES) die(2, "bundles too big for the campaign");
  c.chunk = chunk;
  c.say = say_flush;
  if (camp_setup(&c, region, region + fbytes, region + 2 * fbytes, fbytes, pubkey, board) != OTA_OK)
    die(1, "campaign setup failed");
  lost = camp_powercut(&c, stride);
  snprintf(line, sizeof line, "powercut: %lu cut points tried, %lu survived, %lu devices left without a verified version",
           (unsigned long)(c.tried[0] + c.tried[1]), (unsigned long)(c.survived[0] + c.survived[1]),
           (unsigned long)lost);
  say(line);
  return lost == 0 && c.emu.bit_sets == 0 ? 0 : 1;
}

static int bench(const char *bundle_path, const char *pub_path, const char *board) {
  /* The bundle is staged in the store region (as if it came over a link),
   * then received in 1 KB chunks into a flash of 4 KB pages. */
  uint8_t *bundle = STORE + (1u << 20);
  static uint8_t chunkbuf[1024];
  ota_config cfg;
  ota_image_info img;
  uint32_t n = load_file(bundle_path, bundle, 1u << 20), off = 0, stack_rx, stack_verify;
  uint64_t t0, rx_instr, verify_instr, sha_instr, ed_instr;
  int s;
  if (n == 0) die(2, "cannot read the bundle");
  if (load_file(pub_path, pubkey, 32) != 32) die(2, "cannot read the public key");
  ota_emuflash_init(&flash, STORE, DEMO_PAGE, DEMO_PAGES, 8);
  ota_emuflash_blank(&flash);
  cfg.meta_page = 0;
  cfg.slot_page[0] = 2;
  cfg.slot_page[1] = 2 + DEMO_SLOT_PAGES;
  cfg.slot_pages = DEMO_SLOT_PAGES;
  cfg.board = board;
  cfg.pubkey = pubkey;
  cfg.mapped = STORE;
  if ((s = ota_init(&dev, &flash.flash, &cfg)) != OTA_OK) die(1, ota_status_name(s));
  paint_stack();
  t0 = ticks_now();
  s = ota_begin(&dev, n);
  while (s == OTA_OK && off < n) {
    uint32_t k = n - off < sizeof chunkbuf ? n - off : sizeof chunkbuf;
    memcpy(chunkbuf, bundle + off, k); /* as a radio driver would hand it over */
    s = ota_write(&dev, off, chunkbuf, k);
    off += k;
  }
  if (s == OTA_OK) s = ota_finish(&dev); /* includes one full verification */
  rx_instr = (ticks_now() - t0) * INSTR_PER_TICK;
  stack_rx = stack_peak();
  if (s != OTA_OK) die(1, ota_status_name(s));
  paint_stack();
  t0 = ticks_now();
  s = ota_verify_slot(&dev, 0, &img);
  verify_instr = (ticks_now() - t0) * INSTR_PER_TICK;
  stack_verify = stack_peak();
  if (s != OTA_OK) die(1, ota_status_name(s));
  /* its two parts: SHA-256 over the whole bundle in RAM, one signature check */
  {
    uint8_t digest[32];
    t0 = ticks_now();
    ota_sha256_once(bundle, n, digest);
    sha_instr = (ticks_now() - t0) * INSTR_PER_TICK;
    t0 = ticks_now();
    if (!ota_ed25519_verify(bundle + OTA_HEADER_SIZE, bundle, OTA_HEADER_SIZE, pubkey)) die(1, "signature");
    ed_instr = (ticks_now() - t0) * INSTR_PER_TICK;
  }
  snprintf(line, sizeof line,
           "TMLOTABENCH {\"bundleBytes\":%lu,\"verifyInstructions\":%llu,\"receiveInstructions\":%llu,"
           "\"sha256Instructions\":%llu,\"ed25519Instructions\":%llu,"
           "\"stackPeakVerify\":%lu,\"stackPeakReceive\":%lu,\"devBytes\":%lu,\"flashOps\":%lu,"
           "\"pageBytes\":%lu,\"slotBytes\":%lu,\"metaBytes\":%lu}",
           (unsigned long)n, (unsigned long long)verify_instr, (unsigned long long)rx_instr,
           (unsigned long long)sha_instr, (unsigned long long)ed_instr,
           (unsigned long)stack_verify, (unsigned long)stack_rx, (unsigned long)sizeof(ota_dev),
           (unsigned long)flash.ops, (unsigned long)DEMO_PAGE, (unsigned long)(DEMO_PAGE * DEMO_SLOT_PAGES),
           (unsigned long)(2u * DEMO_PAGE));
  say(line);
  return 0;
}

static uint32_t to_u32(const char *s) {
  uint32_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10u + (uint32_t)(*s++ - '0');
  return v;
}

int main(void) {
  static char cmd[1024];
  char *argv[8];
  int argc, code = 2;
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 7u;
  out_fd = sh_open(":tt", 4);
  err_fd = sh_open(":tt", 8);
  argc = sh_cmdline(cmd, sizeof cmd, argv, 8);
  if (argc == 4 && strcmp(argv[1], "demo") == 0) code = demo(argv[2], argv[3]);
  else if (argc == 6 && strcmp(argv[1], "powercut") == 0)
    code = powercut(argv[2], argv[3], to_u32(argv[4]), to_u32(argv[5]));
  else if (argc == 5 && strcmp(argv[1], "bench") == 0) code = bench(argv[2], argv[3], argv[4]);
  else die(2, "usage: fw demo <flash> <link> | powercut <dir> <board> <stride> <chunk> | bench <bundle> <pub.raw> <board>");
  sh_exit(code);
  return code;
}
