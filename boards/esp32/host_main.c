/*
 * host_main.c - the esp32 board's portable part (tinyml_board.c,
 * tinyml_image.c) on a host, against a host JerryScript: runs a flash image
 * written by `tinyml build --board esp32` (tinyml.img) as the board would,
 * with the image read from a file instead of memory-mapped flash. Built by
 * native/bindings/jerryscript/Makefile as tinyml-esp32-host; used by the
 * engine tests (test/engines.test.js). Sleeps pass instantly, as on the
 * other emulated boards: millis() counts them.
 *
 *   tinyml-esp32-host tinyml.img
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tinyml_board.h"

#define IMAGE_BYTES (4u << 20)
#define ARENA_BYTES (1u << 20)

static unsigned char s_image[IMAGE_BYTES] __attribute__((aligned(16)));
static unsigned char s_arena[ARENA_BYTES] __attribute__((aligned(16)));
static double s_start_ms, s_slept_ms;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static void host_log(const char *line) {
  printf("%s\n", line);
  fflush(stdout);
}

static void host_sleep(uint32_t ms) { s_slept_ms += ms; }

static uint32_t host_millis(void) { return (uint32_t)(now_ms() - s_start_ms + s_slept_ms); }

int main(int argc, char **argv) {
  FILE *f;
  size_t n;
  tml_board_config config;
  if (argc != 2) {
    fprintf(stderr, "usage: %s tinyml.img\n", argv[0]);
    return 2;
  }
  f = fopen(argv[1], "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", argv[1]);
    return 2;
  }
  n = fread(s_image, 1, sizeof s_image, f);
  fclose(f);
  s_start_ms = now_ms();
  memset(&config, 0, sizeof config);
  config.name = "esp32";
  config.image = s_image;
  config.image_size = n;
  config.arena_block = s_arena;
  config.arena_bytes = ARENA_BYTES;
  config.log = host_log;
  config.sleep_ms = host_sleep;
  config.millis = host_millis;
  return tml_board_run(&config);
}
