/*
 * semihost.h - ARM semihosting calls for the qemu-m4 firmware (files on the
 * host, the console, the command line, the exit code). Header-only.
 * Used by ota_main.c; main.c keeps its own copy of the same calls for now.
 */
#ifndef TML_SEMIHOST_H
#define TML_SEMIHOST_H

#include <stdint.h>
#include <string.h>

#define SH_OPEN 0x01
#define SH_CLOSE 0x02
#define SH_WRITE 0x05
#define SH_READ 0x06
#define SH_SEEK 0x0A
#define SH_FLEN 0x0C
#define SH_GET_CMDLINE 0x15
#define SH_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
/* open modes */
#define SH_MODE_RB 1
#define SH_MODE_RPLUSB 3
#define SH_MODE_WB 5

static inline int32_t semihost(int32_t op, void *arg) {
  register int32_t r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

static inline int32_t sh_open(const char *path, int32_t mode) {
  uint32_t a[3];
  a[0] = (uint32_t)(uintptr_t)path;
  a[1] = (uint32_t)mode;
  a[2] = (uint32_t)strlen(path);
  return semihost(SH_OPEN, a);
}

static inline void sh_close(int32_t fd) {
  uint32_t a[1];
  a[0] = (uint32_t)fd;
  (void)semihost(SH_CLOSE, a);
}

/* Returns the bytes NOT written (0 on success). */
static inline int32_t sh_write(int32_t fd, const void *p, uint32_t n) {
  uint32_t a[3];
  a[0] = (uint32_t)fd;
  a[1] = (uint32_t)(uintptr_t)p;
  a[2] = n;
  return semihost(SH_WRITE, a);
}

/* Returns the bytes NOT read. */
static inline int32_t sh_read(int32_t fd, void *p, uint32_t n) {
  uint32_t a[3];
  a[0] = (uint32_t)fd;
  a[1] = (uint32_t)(uintptr_t)p;
  a[2] = n;
  return semihost(SH_READ, a);
}

static inline int32_t sh_seek(int32_t fd, uint32_t pos) {
  uint32_t a[2];
  a[0] = (uint32_t)fd;
  a[1] = pos;
  return semihost(SH_SEEK, a);
}

static inline int32_t sh_flen(int32_t fd) {
  uint32_t a[1];
  a[0] = (uint32_t)fd;
  return semihost(SH_FLEN, a);
}

static inline void sh_exit(int code) {
  uint32_t a[2];
  a[0] = ADP_STOPPED_APPLICATION_EXIT;
  a[1] = (uint32_t)code;
  for (;;) (void)semihost(SH_EXIT_EXTENDED, a);
}

/* The command line, split on spaces, %XX undone (the host encodes spaces). */
static inline int sh_cmdline(char *buf, uint32_t cap, char **argv, int max_args) {
  uint32_t a[2];
  int argc = 0;
  char *p, *w;
  a[0] = (uint32_t)(uintptr_t)buf;
  a[1] = cap - 1;
  if (semihost(SH_GET_CMDLINE, a) != 0) return 0;
  buf[a[1] < cap ? a[1] : cap - 1] = '\0';
  p = buf;
  while (*p && argc < max_args) {
    while (*p == ' ') p++;
    if (!*p) break;
    argv[argc++] = w = p;
    while (*p && *p != ' ') {
      if (p[0] == '%' && p[1] && p[2]) {
        int k, v = 0;
        for (k = 1; k <= 2; k++) {
          char c = p[k];
          v = v * 16 + (c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
        }
        *w++ = (char)v;
        p += 3;
      } else {
        *w++ = *p++;
      }
    }
    if (*p) p++;
    *w = '\0';
  }
  return argc;
}

#endif /* TML_SEMIHOST_H */
