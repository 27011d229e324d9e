/*
 * tinyml_board.h - what a JerryScript board does once its hardware is up:
 * start the engine, register the tinyml module, expose the flash image to
 * scripts and run the app. Portable C (no ESP-IDF calls): app_main.c maps
 * the partition and hands it over; the same code runs on a host against a
 * file, which is how it is tested off the board.
 *
 * Globals the app sees, besides the tinyml module (`__tinyml_native`):
 *   __native            { name, print(line), file(name), millis() }: the
 *                       primitives boards/device-board.js (which `tinyml
 *                       build --board esp32` puts first in app.js) turns into
 *                       the board API of docs/board-api.md
 *   print(...)          one line of output
 * After the app's top level, the board calls board.__tick() and sleeps the
 * milliseconds it returns, until it returns -1 (the app's board.loop).
 *
 * The app is the image's "app.snapshot" (JerryScript bytecode, executed in
 * place from flash; it must come from a JerryScript build configured like
 * the board's) or else its "app.js" (source: the ES5 device bundle followed
 * by the app's own script).
 */
#ifndef TINYML_BOARD_H
#define TINYML_BOARD_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const char *name;           /* board.name */
  const uint8_t *image;       /* the mapped flash image (tinyml_image.h) */
  size_t image_size;
  uint8_t *arena_block;       /* where arenas are carved (outside the JS heap) */
  uint32_t arena_bytes;
  void (*log)(const char *line);  /* prints one line */
  void (*sleep_ms)(uint32_t ms);
  uint32_t (*millis)(void);   /* milliseconds since start (wraps) */
} tml_board_config;

/* Runs the app; returns 0, or 1 after logging one "tinyml: ..." line. */
int tml_board_run(const tml_board_config *config);

#endif /* TINYML_BOARD_H */
